//! Events of MCP servers: startup of each server and calls of their tools.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One server's startup progressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpStartupUpdateEvent {
    /// The server's name (its key in `[mcp_servers]`).
    pub server: String,
    /// Where it is.
    pub status: McpStartupStatus,
}

/// Where one server's startup is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum McpStartupStatus {
    /// Being started.
    Starting,
    /// Started; its tools are registered.
    Ready {
        /// How many of its tools the model sees.
        tools: usize,
    },
    /// It could not be started; its tools are missing, the conversation goes on.
    Failed {
        /// Why.
        error: String,
    },
    /// It did not finish starting within its `startup_timeout_sec`.
    TimedOut {
        /// The timeout, in milliseconds.
        timeout_ms: u64,
    },
}

/// Every configured server finished starting (or failed to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpStartupCompleteEvent {
    /// The servers that are ready.
    pub ready: Vec<String>,
    /// The servers that failed or timed out.
    pub failed: Vec<McpStartupFailure>,
}

/// A server that could not be started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpStartupFailure {
    /// The server.
    pub server: String,
    /// Why.
    pub error: String,
}

/// What the model asked an MCP server to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpInvocation {
    /// The server's name.
    pub server: String,
    /// The tool's name as the server knows it.
    pub tool: String,
    /// The arguments object; `None` when the model sent none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
}

/// An MCP tool call started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpToolCallBeginEvent {
    /// The model's call id.
    pub call_id: String,
    /// The call.
    pub invocation: McpInvocation,
}

/// An MCP tool call finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpToolCallEndEvent {
    /// The model's call id.
    pub call_id: String,
    /// The call.
    pub invocation: McpInvocation,
    /// What came back.
    pub result: McpToolCallResult,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// The outcome of an MCP tool call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum McpToolCallResult {
    /// The server answered (which may be a tool-level error: `is_error`).
    Response {
        /// The content blocks as the server sent them (MCP `ContentBlock` JSON: text, image, audio,
        /// resource links, embedded resources).
        #[cfg_attr(
            feature = "schema",
            schemars(with = "Vec<serde_json::Map<String, Value>>")
        )]
        content: Vec<Value>,
        /// The structured result, when the tool has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        structured_content: Option<Value>,
        /// Whether the tool reports a failure (`isError`); the model sees it as a failed output.
        #[serde(default)]
        is_error: bool,
    },
    /// No answer: the server is not running, exited, timed out, sent garbage, or the call was denied or
    /// interrupted.
    Failed {
        /// Why.
        message: String,
    },
}

/// An MCP server asks the user for input during a call; answer with
/// [`Op::ResolveMcpElicitation`](super::Op::ResolveMcpElicitation). Unanswered within the approval timeout, or
/// when the turn is interrupted, it is declined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpElicitationRequestEvent {
    /// The server asking.
    pub server: String,
    /// The server's request id (echo it in the answer).
    pub request_id: String,
    /// What the server wants to know.
    pub message: String,
    /// The JSON schema of the answer's `content` (a flat object schema).
    pub requested_schema: Value,
}

/// The user's answer to an [`McpElicitationRequestEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ElicitationAction {
    /// Answered (with `content`).
    Accept,
    /// Refused to answer; the server goes on without.
    Decline,
    /// Dismissed the whole request.
    Cancel,
}

/// An MCP tool call waits for the host's decision (answer with
/// [`Op::McpToolApproval`](super::Op::McpToolApproval)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpToolCallApprovalRequestEvent {
    /// Key of the pending approval; answer with this id.
    pub call_id: String,
    /// The call.
    pub invocation: McpInvocation,
    /// Why approval is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
