//! Configuration: the values every conversation starts from, a TOML representation of them (the shape of
//! `CODEX_HOME/config.toml`) and `key=value` overrides as Codex CLI's `-c` flag takes them.
//!
//! There are no process globals: the originator, user agent, `CODEX_HOME` and credentials are all values here.

mod load;
mod model_info;
mod notify;
mod options;
mod otel;
mod overrides;
mod profile;
mod project_doc;
mod rollout;
mod trust;

use std::path::PathBuf;
use std::time::Duration;

pub use crate::model::Verbosity;
pub use crate::sandbox::{EnvironmentInherit, ShellEnvironmentPolicy};
pub use load::INERT_CONFIG_KEYS;
pub use load::{CONFIG_FILE, LoadedConfig, set_default_model};
pub use model_info::{ModelInfo, model_info};
pub use notify::NOTIFY_TIMEOUT;
pub(crate) use notify::{TurnCompleteNotification, spawn_notify};
pub use options::{CodexOptions, SandboxPolicyOption};
pub use otel::{OtelConfig, OtelExporter, OtelHttpProtocol};
pub use overrides::{
    ConfigToml, ProjectToml, SandboxMode, SandboxWorkspaceWrite, ToolsToml, WebSearchMode,
    WebSearchToml, parse_override,
};
pub use profile::{ConfigLoader, PROFILE_FILE_SUFFIX};
pub(crate) use project_doc::user_instructions_message;
pub use project_doc::{DEFAULT_PROJECT_DOC_MAX_BYTES, GLOBAL_DOC_MAX_BYTES, ProjectDocOptions};
pub use rollout::{
    DEFAULT_LEASE_TTL, DEFAULT_POOL_SIZE, DatabaseUrl, RolloutStoreConfig, RolloutStoreKind,
};
pub use trust::TrustLevel;

use crate::model::{ApiKey, ModelProviderInfo};
use crate::protocol::SessionSource;
use crate::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};

/// The model used when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-5-codex";

/// The context window assumed for a model the SDK does not know (a warning says so once per conversation).
pub const DEFAULT_CONTEXT_WINDOW: u64 = 128_000;

/// The default originator: sent as the `originator` header and the start of the user agent.
pub const DEFAULT_ORIGINATOR: &str = "codex_sdk_rs";

/// Everything a conversation starts from. Build one with [`Config::default`] and the setters, or through
/// [`Codex::builder`](crate::Codex::builder).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The model's name.
    pub model: String,
    /// Where the model is served.
    pub model_provider: ModelProviderInfo,
    /// The provider's id in `[model_providers]` (`openai` for the built-in one); recorded in rollouts.
    pub model_provider_id: String,
    /// The API key; `None` reads the provider's `env_key` variable when the client is built.
    pub api_key: Option<ApiKey>,
    /// Working directory of turns.
    pub cwd: PathBuf,
    /// System instructions; `None` uses the SDK's own.
    pub base_instructions: Option<String>,
    /// The user's own instructions, sent (with `CODEX_HOME/AGENTS.md` and the project's `AGENTS.md`
    /// files, see [`Config::project_doc`]) as the user-instructions message that starts a conversation.
    pub user_instructions: Option<String>,
    /// Which `AGENTS.md` files a new conversation reads (`project_doc_max_bytes`,
    /// `project_doc_fallback_filenames`); [`ProjectDocOptions::disabled`] reads none.
    pub project_doc: ProjectDocOptions,
    /// Reasoning effort (`None` = the model's default).
    pub model_reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary mode.
    pub model_reasoning_summary: ReasoningSummary,
    /// The context window; `None` uses the known-models table.
    pub model_context_window: Option<u64>,
    /// Compact automatically when the tokens in the context window reach this many. `None`: 90 % of the
    /// context window. A limit above the window is rejected by [`Config::validate`].
    pub model_auto_compact_token_limit: Option<u64>,
    /// The model reviews run with (`None`: the conversation's model).
    pub review_model: Option<String>,
    /// Replaces the SDK's compaction prompt (what the model is asked to summarize).
    pub compact_prompt: Option<String>,
    /// Replaces the template of the message that bridges a compacted history; `{user_messages}` and
    /// `{summary}` are substituted.
    pub compact_bridge_template: Option<String>,
    /// When to ask the host.
    pub approval_policy: AskForApproval,
    /// What commands may touch.
    pub sandbox_policy: SandboxPolicy,
    /// Whether the model may call several tools in one response.
    pub parallel_tool_calls: bool,
    /// Offer the PTY-backed `unified_exec` tool (`use_experimental_unified_exec_tool`; Responses API
    /// providers only) besides the other built-in tools.
    pub use_experimental_unified_exec_tool: bool,
    /// Where sessions and credentials live (default `CODEX_HOME`, else `$HOME/.codex`; empty when neither
    /// is set).
    pub codex_home: PathBuf,
    /// Sent as the `originator` header.
    pub originator: String,
    /// Appended to the user agent (e.g. the host application's name and version).
    pub user_agent_suffix: Option<String>,
    /// Events buffered before the conversation waits for its consumer.
    pub event_buffer: usize,
    /// How long an approval request waits before it is denied.
    pub approval_timeout: Duration,
    /// Which kind of client this is, as recorded in rollouts.
    pub session_source: SessionSource,
    /// Telemetry export settings (`[otel]`).
    pub otel: OtelConfig,
    /// Where conversations are recorded when the builder is given no store (`[rollout]`).
    pub rollout: RolloutStoreConfig,
    /// The environment of every process the agent starts (`[shell_environment_policy]`). The default
    /// drops variables whose names look like secrets (`*KEY*`, `*SECRET*`, `*TOKEN*`).
    pub shell_environment_policy: ShellEnvironmentPolicy,
    /// Offer OpenAI's hosted `web_search` tool (`[tools] web_search`, `web_search = "live"`,
    /// `[features] web_search_request`). Sent to the Responses API only, never to Chat Completions.
    pub web_search: bool,
    /// Offer the `view_image` tool (`[tools] view_image`; default true).
    pub view_image_tool: bool,
    /// `text.verbosity` for the models that take it (the GPT-5 family, not its `codex` models), over
    /// the Responses API (`model_verbosity`).
    pub model_verbosity: Option<Verbosity>,
    /// The response's output token limit (`model_max_output_tokens`): `max_output_tokens` over the
    /// Responses API, `max_tokens` over Chat Completions. `None` sends no limit.
    pub model_max_output_tokens: Option<u64>,
    /// Keep every reasoning event (summaries and raw reasoning) from the host (`hide_agent_reasoning`).
    pub hide_agent_reasoning: bool,
    /// Send raw reasoning events (`AgentReasoningRawContent*`) to the host (`show_raw_agent_reasoning`;
    /// off by default, as in Codex).
    pub show_raw_agent_reasoning: bool,
    /// A program run after each turn with Codex's `agent-turn-complete` JSON as its last argument
    /// (`notify = ["prog", "arg"]`). It runs in the background with the environment policy applied.
    pub notify: Option<Vec<String>>,
    /// MCP servers whose tools conversations get (`[mcp_servers.<name>]`), by name.
    pub mcp_servers: std::collections::BTreeMap<String, crate::mcp::McpServerConfig>,
    /// Where MCP OAuth tokens are kept (`mcp_oauth_credentials_store`; default `auto`, which in this
    /// build is `CODEX_HOME/.credentials.json`).
    pub mcp_oauth_credentials_store: crate::mcp::OAuthCredentialsStoreMode,
    /// The port of the loopback listener an MCP OAuth login is redirected to (`mcp_oauth_callback_port`;
    /// default: any free port).
    pub mcp_oauth_callback_port: Option<u16>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.to_owned(),
            model_provider: ModelProviderInfo::openai_from_env(),
            model_provider_id: "openai".to_owned(),
            api_key: None,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            base_instructions: None,
            user_instructions: None,
            model_reasoning_effort: None,
            model_reasoning_summary: ReasoningSummary::Auto,
            model_context_window: None,
            model_auto_compact_token_limit: None,
            review_model: None,
            compact_prompt: None,
            compact_bridge_template: None,
            approval_policy: AskForApproval::default(),
            sandbox_policy: SandboxPolicy::default(),
            parallel_tool_calls: true,
            use_experimental_unified_exec_tool: false,
            // Empty when no home is known: a recorded `Codex` then fails to build, naming CODEX_HOME.
            codex_home: default_codex_home().unwrap_or_default(),
            originator: DEFAULT_ORIGINATOR.to_owned(),
            user_agent_suffix: None,
            event_buffer: crate::events::DEFAULT_EVENT_BUFFER,
            approval_timeout: crate::approval::DEFAULT_APPROVAL_TIMEOUT,
            session_source: SessionSource::default(),
            otel: OtelConfig::default(),
            rollout: RolloutStoreConfig::default(),
            shell_environment_policy: ShellEnvironmentPolicy::default(),
            project_doc: ProjectDocOptions::default(),
            web_search: false,
            view_image_tool: true,
            model_verbosity: None,
            model_max_output_tokens: None,
            hide_agent_reasoning: false,
            show_raw_agent_reasoning: false,
            notify: None,
            mcp_servers: std::collections::BTreeMap::new(),
            mcp_oauth_credentials_store: crate::mcp::OAuthCredentialsStoreMode::default(),
            mcp_oauth_callback_port: None,
        }
    }
}

impl Config {
    /// The context window: the configured one, else the known-models table.
    #[must_use]
    pub fn context_window(&self) -> Option<u64> {
        self.model_context_window
            .or_else(|| model_info(&self.model).context_window)
    }

    /// The context window used for accounting and compaction: the configured one, the known-models table,
    /// else [`DEFAULT_CONTEXT_WINDOW`] (`true` in the second field when that default was used).
    #[must_use]
    pub fn effective_context_window(&self) -> (u64, bool) {
        match self.context_window() {
            Some(w) => (w, false),
            None => (DEFAULT_CONTEXT_WINDOW, true),
        }
    }

    /// The token count at which the history is compacted automatically.
    #[must_use]
    pub fn auto_compact_limit(&self) -> u64 {
        let (window, _) = self.effective_context_window();
        self.model_auto_compact_token_limit
            .unwrap_or(window / 10 * 9)
    }

    /// Checks values that depend on each other.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) naming the key: an auto-compaction limit above the context window, a zero window.
    pub fn validate(&self) -> crate::Result<()> {
        let (window, _) = self.effective_context_window();
        if window == 0 {
            return Err(crate::Error::Config {
                key: "model_context_window".to_owned(),
                message: "must be greater than zero".to_owned(),
            });
        }
        for name in self.mcp_servers.keys() {
            crate::mcp::validate_server_name(name)?;
        }
        if let Some(limit) = self.model_auto_compact_token_limit
            && limit > window
        {
            return Err(crate::Error::Config {
                key: "model_auto_compact_token_limit".to_owned(),
                message: format!(
                    "{limit} is above the model's context window ({window} tokens), so compaction would never run"
                ),
            });
        }
        Ok(())
    }

    /// The API key: the configured one, else the provider's environment variable.
    #[must_use]
    pub fn resolved_api_key(&self) -> Option<ApiKey> {
        self.api_key
            .clone()
            .or_else(|| self.model_provider.api_key_from_env())
    }

    /// The system instructions sent with every request. The user's instructions and `AGENTS.md` files
    /// are not part of them: they start the conversation as a user message, as in Codex.
    #[must_use]
    pub fn instructions(&self) -> String {
        self.base_instructions
            .as_deref()
            .unwrap_or(BASE_INSTRUCTIONS)
            .to_owned()
    }
}

/// The SDK's own system instructions.
pub const BASE_INSTRUCTIONS: &str = include_str!("../conversation/prompts/base_instructions.md");

/// `CODEX_HOME` when set, else `$HOME/.codex`.
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) naming `CODEX_HOME` when neither it nor `HOME` is set: sessions
/// and credentials are never put in the working directory by default.
pub fn default_codex_home() -> crate::Result<PathBuf> {
    if let Some(home) = std::env::var_os("CODEX_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".codex"))
        .ok_or_else(|| crate::Error::Config {
            key: "CODEX_HOME".to_owned(),
            message: "neither CODEX_HOME nor HOME is set; set CODEX_HOME to where sessions and \
                      credentials live"
                .to_owned(),
        })
}
