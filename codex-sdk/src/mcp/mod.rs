//! MCP: tools from [Model Context Protocol](https://modelcontextprotocol.io) servers, built on the official
//! Rust SDK (`rmcp`).
//!
//! Servers are configured as in Codex CLI (`[mcp_servers.<name>]` in `config.toml`, or
//! [`CodexBuilder::mcp_server`](crate::CodexBuilder::mcp_server)) and reached over stdio (a process the SDK
//! starts) or streamable HTTP. When a conversation starts, its enabled servers start concurrently; each
//! reports [`McpStartupUpdate`](crate::protocol::EventMsg::McpStartupUpdate) events and the conversation one
//! [`McpStartupComplete`](crate::protocol::EventMsg::McpStartupComplete). The first turn waits for it (each
//! server bounded by its `startup_timeout_sec`); a server that fails or times out only loses its tools.
//!
//! - Each server tool joins the conversation's [`ToolRegistry`](crate::tools::ToolRegistry) as
//!   `<server>__<tool>` ([`qualified_tool_name`]), with an input schema both model APIs accept
//!   ([`sanitize_input_schema`]). `list_mcp_resources`, `list_mcp_resource_templates` and
//!   `read_mcp_resource` work across servers.
//! - A call emits [`McpToolCallBegin`](crate::protocol::EventMsg::McpToolCallBegin) and
//!   [`McpToolCallEnd`](crate::protocol::EventMsg::McpToolCallEnd). Text and structured results reach the
//!   model, images join the history as input images, `isError` results are failed outputs.
//! - Approval: under `never` calls run; under `on-request` tools the server annotates `readOnlyHint` run;
//!   everything else asks with [`McpToolCallApprovalRequest`](crate::protocol::EventMsg::McpToolCallApprovalRequest)
//!   (answered by [`Op::McpToolApproval`](crate::protocol::Op::McpToolApproval) or the approval handler).
//! - Faults never hang a turn: a call gets no answer within `tool_timeout_sec`, or the server exits, and
//!   the model sees a failed output naming why; the next call restarts a server that died. Interrupting a
//!   turn abandons its requests with `notifications/cancelled`.
//! - A stdio server's environment is the [`ShellEnvironmentPolicy`](crate::sandbox::ShellEnvironmentPolicy)'s
//!   result (so `OPENAI_API_KEY` and other secret-looking names are dropped by default) plus its `env`;
//!   it and every process it starts are killed when the last conversation using it ends, and it dies
//!   with the host (`PR_SET_PDEATHSIG`). Conversations of one `Codex` with the same settings for a server
//!   share its process.
//! - Streamable-HTTP servers that need OAuth: [`login`] (discovery, dynamic client registration, PKCE
//!   through a loopback redirect; the host is handed the authorization URL) stores tokens as
//!   `mcp_oauth_credentials_store` says ([`OAuthCredentialsStoreMode`]); the server then gets
//!   `Authorization: Bearer …` at startup, refreshed when expired. [`logout`] removes them. A refused
//!   token is the startup failure [`McpError::AuthRequired`].

mod client;
mod config;
mod connection;
mod error;
mod names;
mod oauth;
mod resources;
pub mod server;
mod startup;
mod tool;

pub(crate) use client::McpPool;
pub(crate) use config::validate_server_name;
pub use config::{
    DEFAULT_STARTUP_TIMEOUT, DEFAULT_TOOL_TIMEOUT, McpServerConfig, McpServerTransportConfig,
};
pub use error::McpError;
pub use names::{DELIMITER, qualified_tool_name, sanitize_input_schema};
pub(crate) use oauth::CredentialStore;
pub use oauth::{
    CREDENTIALS_FILE, LOGIN_COMMAND, LOGIN_TIMEOUT, OAuthCredentialsStoreMode, OAuthError, login,
    logout,
};
pub use startup::MCP_STARTUP_SUBMISSION;
pub(crate) use startup::McpSession;
