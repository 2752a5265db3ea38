//! Configuration: the values every conversation starts from, a TOML representation of them (the shape of
//! `CODEX_HOME/config.toml`) and `key=value` overrides as Codex CLI's `-c` flag takes them.
//!
//! There are no process globals: the originator, user agent, `CODEX_HOME` and credentials are all values here.

mod load;
mod model_info;
mod otel;
mod overrides;

use std::path::PathBuf;
use std::time::Duration;

pub(crate) use load::write_atomically;
pub use load::{CONFIG_FILE, LoadedConfig, set_default_model};
pub use model_info::{ModelInfo, model_info};
pub use otel::{OtelConfig, OtelExporter, OtelHttpProtocol};
pub use overrides::{ConfigToml, SandboxMode, SandboxWorkspaceWrite, parse_override};

use crate::model::{ApiKey, ModelProviderInfo};
use crate::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use crate::rollout::SessionSource;

/// The model used when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-5-codex";

/// The model reviews use when none is configured.
pub const DEFAULT_REVIEW_MODEL: &str = "gpt-5-codex";

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
    /// Extra instructions appended to the system instructions (e.g. from `AGENTS.md`).
    pub user_instructions: Option<String>,
    /// Reasoning effort (`None` = the model's default).
    pub model_reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary mode.
    pub model_reasoning_summary: ReasoningSummary,
    /// The context window; `None` uses the known-models table.
    pub model_context_window: Option<u64>,
    /// When to ask the host.
    pub approval_policy: AskForApproval,
    /// What commands may touch.
    pub sandbox_policy: SandboxPolicy,
    /// Whether the model may call several tools in one response.
    pub parallel_tool_calls: bool,
    /// Where sessions and credentials live (default `~/.codex`, or `CODEX_HOME`).
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
    /// The model reviews run with.
    pub review_model: String,
    /// Compact the history once a request uses this many tokens (`None`: only when the window is full).
    pub model_auto_compact_token_limit: Option<u64>,
    /// Telemetry export settings (`[otel]`).
    pub otel: OtelConfig,
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
            approval_policy: AskForApproval::default(),
            sandbox_policy: SandboxPolicy::default(),
            parallel_tool_calls: true,
            codex_home: default_codex_home(),
            originator: DEFAULT_ORIGINATOR.to_owned(),
            user_agent_suffix: None,
            event_buffer: crate::conversation::DEFAULT_EVENT_BUFFER,
            approval_timeout: crate::conversation::approval::DEFAULT_APPROVAL_TIMEOUT,
            session_source: SessionSource::default(),
            review_model: DEFAULT_REVIEW_MODEL.to_owned(),
            model_auto_compact_token_limit: None,
            otel: OtelConfig::default(),
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

    /// The API key: the configured one, else the provider's environment variable.
    #[must_use]
    pub fn resolved_api_key(&self) -> Option<ApiKey> {
        self.api_key
            .clone()
            .or_else(|| self.model_provider.api_key_from_env())
    }

    /// The system instructions sent with every request.
    #[must_use]
    pub fn instructions(&self) -> String {
        let base = self
            .base_instructions
            .as_deref()
            .unwrap_or(BASE_INSTRUCTIONS);
        match self.user_instructions.as_deref() {
            Some(user) if !user.trim().is_empty() => format!("{base}\n\n{user}"),
            _ => base.to_owned(),
        }
    }
}

/// The SDK's own system instructions.
pub const BASE_INSTRUCTIONS: &str = include_str!("../conversation/prompts/base_instructions.md");

/// `CODEX_HOME` when set, else `~/.codex`.
#[must_use]
pub fn default_codex_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CODEX_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home);
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".codex")
}

/// Atomically writes a file that must stay private (`0600`), creating `dir` (`0700`) when missing.
pub(crate) fn write_atomically_private(
    dir: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
) -> crate::Result<()> {
    write_atomically(dir, path, bytes, Some(0o600))
}
