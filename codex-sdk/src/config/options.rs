//! [`CodexOptions`]: every builder setting a host can express as data, in one serde type. The bindings
//! accept it whole (Python keyword arguments, a Node options object, a Swift struct — all generated from
//! `CodexOptions` in the protocol schema) and hand it to [`CodexBuilder::from_options`]; only what cannot
//! be data (host tools, an approval callback, a custom model client) is added with builder calls.
//!
//! Adding a setting is one field here (with its doc comment, which the hosts' generated types carry), one
//! line in [`CodexOptions::apply`], and a regenerated schema.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{Config, SandboxMode, ShellEnvironmentPolicy, Verbosity, parse_override};
use crate::conversation::CodexBuilder;
use crate::error::{Error, Result};
use crate::mcp::McpServerConfig;
use crate::model::{ApiKey, ModelProviderInfo};
use crate::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use crate::tools::BuiltinToolsConfig;

/// The settings of a [`Codex`](crate::Codex) as data. Every field is optional: what is left out keeps the
/// core's default (or the value from `config.toml` when `load_config` is set). Unknown fields are an
/// error, so a misspelt setting is never silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CodexOptions {
    /// The model's name.
    pub model: Option<String>,
    /// Where the model is served (a `[model_providers.<id>]` table of config.toml).
    pub provider: Option<ModelProviderInfo>,
    /// An OpenAI-compatible endpoint, keeping the provider's other settings.
    pub base_url: Option<String>,
    /// The API key (otherwise the provider's environment variable, or `auth.json` when `load_config`).
    pub api_key: Option<ApiKey>,
    /// Working directory of turns.
    pub cwd: Option<PathBuf>,
    /// Where sessions, `config.toml` and `auth.json` live (default `CODEX_HOME`, else `~/.codex`).
    pub codex_home: Option<PathBuf>,
    /// Replaces the SDK's system instructions.
    pub instructions: Option<String>,
    /// When to ask the host: `"untrusted"`, `"on-failure"`, `"on-request"` or `"never"`.
    pub approval_policy: Option<AskForApproval>,
    /// What commands may touch: a mode (`"read-only"`, `"workspace-write"`, `"danger-full-access"`) or a
    /// whole policy (`{"mode": "workspace-write", "network_access": true, ...}`).
    pub sandbox_policy: Option<SandboxPolicyOption>,
    /// The environment of every process the agent starts (`[shell_environment_policy]`).
    pub shell_environment_policy: Option<ShellEnvironmentPolicy>,
    /// Reasoning effort.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary mode.
    pub reasoning_summary: Option<ReasoningSummary>,
    /// The context window in tokens (overrides the known-models table).
    pub model_context_window: Option<u64>,
    /// The `originator` header value.
    pub originator: Option<String>,
    /// Appended to the user agent (e.g. the host application's name and version).
    pub user_agent_suffix: Option<String>,
    /// Record nothing: conversations cannot be resumed, forked or listed.
    pub ephemeral: bool,
    /// Where conversations are recorded: `{"store": "postgres", "url_env": "DATABASE_URL"}` (feature
    /// `postgres`) or `{"store": "file"}` (the default: Codex CLI's files under `codex_home`).
    pub rollout: Option<super::RolloutStoreConfig>,
    /// Events buffered per conversation before it waits for its consumer.
    pub event_buffer: Option<usize>,
    /// How long an approval request waits before it is denied, in milliseconds.
    pub approval_timeout_ms: Option<u64>,
    /// Whether conversations get the built-in tools (shell, read_file, list_dir, apply_patch, update_plan,
    /// view_image); default true.
    pub builtin_tools: Option<bool>,
    /// Adds the `unified_exec` tool (interactive PTY sessions; Responses API only), as Codex CLI's setting
    /// of the same name.
    pub use_experimental_unified_exec_tool: Option<bool>,
    /// Read `codex_home/config.toml` (and the API key from `auth.json`) before applying these options.
    pub load_config: bool,
    /// The profile laid over `config.toml` (Codex CLI's `--profile NAME`): `codex_home/NAME.config.toml`,
    /// else `[profiles.NAME]` of `config.toml` (read with `load_config`). An unknown profile is an error
    /// naming the ones that exist.
    pub profile: Option<String>,
    /// The user's own instructions, sent with the `AGENTS.md` files at the start of each new conversation.
    pub user_instructions: Option<String>,
    /// The cap on the project `AGENTS.md` bytes sent (`project_doc_max_bytes`, default 32 KiB; `0` reads
    /// none, `codex_home/AGENTS.md` is still sent).
    pub project_doc_max_bytes: Option<usize>,
    /// Read these files (relative to the working directory), in order, instead of discovering `AGENTS.md`
    /// files.
    pub project_doc_files: Option<Vec<PathBuf>>,
    /// Read no instruction file at all: neither the project's `AGENTS.md` files nor
    /// `codex_home/AGENTS.md`.
    pub no_project_docs: bool,
    /// Offer OpenAI's hosted `web_search` tool (Responses API only).
    pub web_search: Option<bool>,
    /// `text.verbosity` for the models that take it: `"low"`, `"medium"` or `"high"`.
    pub model_verbosity: Option<Verbosity>,
    /// The response's output token limit.
    pub model_max_output_tokens: Option<u64>,
    /// Keep every reasoning event from the host.
    pub hide_agent_reasoning: Option<bool>,
    /// Send raw reasoning events to the host (off by default).
    pub show_raw_agent_reasoning: Option<bool>,
    /// A program (and its arguments) run after each completed turn with Codex's `agent-turn-complete`
    /// JSON as its last argument; an empty list turns it off.
    pub notify: Option<Vec<String>>,
    /// MCP servers whose tools conversations get, by name (as `[mcp_servers.<name>]` of `config.toml`,
    /// with the same keys); each replaces a server of the same name from `config.toml`.
    pub mcp_servers: BTreeMap<String, McpServerConfig>,
    /// Codex CLI `-c key=value` overrides (the value is TOML; a bare word is a string), applied on top of
    /// `config.toml` when `load_config` is set, else on top of the defaults.
    pub config_overrides: Vec<String>,
}

/// A sandbox policy given as Codex CLI's mode name, or as a whole [`SandboxPolicy`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SandboxPolicyOption {
    /// `"read-only"`, `"workspace-write"` (with default settings) or `"danger-full-access"`.
    Mode(SandboxMode),
    /// A policy with its settings.
    Policy(SandboxPolicy),
}

impl From<SandboxPolicyOption> for SandboxPolicy {
    fn from(option: SandboxPolicyOption) -> Self {
        match option {
            SandboxPolicyOption::Policy(policy) => policy,
            SandboxPolicyOption::Mode(SandboxMode::ReadOnly) => Self::ReadOnly,
            SandboxPolicyOption::Mode(SandboxMode::WorkspaceWrite) => Self::default(),
            SandboxPolicyOption::Mode(SandboxMode::DangerFullAccess) => Self::DangerFullAccess,
        }
    }
}

impl<'de> Deserialize<'de> for SandboxPolicyOption {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = serde_json::Value::deserialize(d)?;
        let parsed = if value.is_string() {
            serde_json::from_value(value).map(Self::Mode)
        } else {
            serde_json::from_value(value).map(Self::Policy)
        };
        parsed.map_err(|e| {
            D::Error::custom(format!(
                "sandbox_policy: {e} (expected \"read-only\", \"workspace-write\", \"danger-full-access\" \
                 or an object with a \"mode\")"
            ))
        })
    }
}

/// Described as any JSON value (with a description naming both forms), inline: the hosts' generators map
/// it to their JSON type, and the core checks it when the options are parsed.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for SandboxPolicyOption {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SandboxPolicyOption".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A sandbox mode (`\"read-only\"`, `\"workspace-write\"`, `\"danger-full-access\"`) or a \
                            whole `SandboxPolicy` object (`{\"mode\": \"workspace-write\", \"network_access\": true}`).",
        })
    }
}

impl CodexOptions {
    /// Parses options from their JSON form (what the bindings hand over).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field that is unknown or has a bad value.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json)
            .map_err(|e| Error::InvalidInput(format!("options: {}", explain(json, &e))))
    }

    /// The configuration these options start from: `config.toml` and `auth.json` when `load_config`,
    /// else the defaults; then `config_overrides`. Warnings about unknown `config.toml` keys are logged.
    fn base_config(&self) -> Result<Config> {
        let codex_home = match &self.codex_home {
            Some(home) => home.clone(),
            None => super::default_codex_home()?,
        };
        let overrides = self
            .config_overrides
            .iter()
            .map(|spec| parse_override(spec))
            .collect::<Result<Vec<_>>>()?;
        if !self.load_config && overrides.is_empty() && self.profile.is_none() {
            return Ok(Config {
                codex_home,
                ..Config::default()
            });
        }
        let loaded = Config::load_layers(
            &codex_home,
            self.profile.as_deref(),
            &overrides,
            self.load_config,
        )?;
        for warning in &loaded.warnings {
            tracing::warn!("{warning}");
        }
        Ok(loaded.config)
    }

    /// Applies the options to `builder`, field by field (what is `None` is left alone).
    pub fn apply(self, mut b: CodexBuilder) -> CodexBuilder {
        macro_rules! set {
            ($($field:ident => $setter:ident),* $(,)?) => {
                $(if let Some(v) = self.$field { b = b.$setter(v); })*
            };
        }
        set!(
            model => model,
            provider => provider,
            base_url => base_url,
            cwd => cwd,
            codex_home => codex_home,
            instructions => instructions,
            approval_policy => approval_policy,
            shell_environment_policy => shell_environment_policy,
            reasoning_summary => reasoning_summary,
            model_context_window => model_context_window,
            originator => originator,
            user_agent_suffix => user_agent_suffix,
            event_buffer => event_buffer,
            user_instructions => user_instructions,
            project_doc_max_bytes => project_doc_max_bytes,
            project_doc_files => project_doc_files,
            web_search => web_search,
            hide_agent_reasoning => hide_agent_reasoning,
            show_raw_agent_reasoning => show_raw_agent_reasoning,
            notify => notify,
        );
        if self.no_project_docs {
            b = b.no_project_docs();
        }
        if let Some(verbosity) = self.model_verbosity {
            b = b.model_verbosity(Some(verbosity));
        }
        if let Some(limit) = self.model_max_output_tokens {
            b = b.model_max_output_tokens(Some(limit));
        }
        for (name, server) in self.mcp_servers {
            b = b.mcp_server(name, server);
        }
        if let Some(key) = self.api_key {
            b = b.api_key(key.expose());
        }
        if let Some(policy) = self.sandbox_policy {
            b = b.sandbox_policy(policy.into());
        }
        if let Some(effort) = self.reasoning_effort {
            b = b.reasoning_effort(Some(effort));
        }
        if let Some(ms) = self.approval_timeout_ms {
            b = b.approval_timeout(Duration::from_millis(ms));
        }
        if let Some(rollout) = self.rollout {
            b = b.rollout(rollout);
        }
        if self.ephemeral {
            b = b.ephemeral();
        }
        match (self.builtin_tools, self.use_experimental_unified_exec_tool) {
            (Some(false), _) => b = b.no_builtin_tools(),
            (_, Some(unified)) => {
                b = b.builtin_tools(BuiltinToolsConfig::default().with_unified_exec(unified));
            }
            (Some(true), None) => b = b.builtin_tools(BuiltinToolsConfig::default()),
            (None, None) => {}
        }
        b
    }
}

/// serde_json's message, prefixed with the field whose value it is about when the message does not say:
/// each field is tried alone to find the first that fails.
fn explain(json: &str, err: &serde_json::Error) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(json)
    else {
        return err.to_string();
    };
    for (key, value) in fields {
        let alone = serde_json::Value::Object(std::iter::once((key.clone(), value)).collect());
        if let Err(e) = serde_json::from_value::<CodexOptions>(alone) {
            let message = e.to_string();
            return if message.contains(key.as_str()) {
                message
            } else {
                format!("{key}: {message}")
            };
        }
    }
    err.to_string()
}

impl CodexBuilder {
    /// A builder from host options: the configuration they start from (see
    /// [`CodexOptions::load_config`]), then every option set.
    ///
    /// ```
    /// # fn demo() -> codex_sdk::Result<()> {
    /// let options = codex_sdk::CodexOptions::from_json(
    ///     r#"{"model": "gpt-5", "sandbox_policy": "workspace-write", "approval_policy": "never", "ephemeral": true}"#,
    /// )?;
    /// let codex = codex_sdk::CodexBuilder::from_options(options)?.build()?;
    /// assert_eq!(codex.config().model, "gpt-5");
    /// # Ok(()) }
    /// # demo().unwrap();
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] naming a bad `config.toml` key or override; [`Error::InvalidInput`] for an
    /// override that is not `key=value`; [`Error::Io`] when `config.toml` exists but cannot be read.
    pub fn from_options(options: CodexOptions) -> Result<Self> {
        let config = options.base_config()?;
        Ok(options.apply(Self::new(config)))
    }
}
