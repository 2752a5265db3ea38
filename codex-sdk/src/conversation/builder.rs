//! [`CodexBuilder`]: every setting a [`Codex`] starts from, and the build that turns them into one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::codex::{Codex, CodexInner};
use super::live::LiveConversations;
use crate::approval::ApprovalHandler;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{ApiKey, ChatClient, ModelClient, ModelProviderInfo, ResponsesClient, WireApi};
use crate::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use crate::rollout::{FileRolloutStore, RolloutStore};
use crate::sandbox::ShellEnvironmentPolicy;
use crate::telemetry::{TelemetryHub, TelemetrySink};
use crate::tools::{BuiltinToolsConfig, ToolHandler, ToolRegistry};

/// Builds a [`Codex`]. Every setting has a default; without a model client, one is built for the
/// provider's wire API (Responses by default) with the configured or environment API key.
#[derive(Debug)]
#[must_use]
pub struct CodexBuilder {
    pub(super) config: Config,
    model: Option<Arc<dyn ModelClient>>,
    tools: Vec<Arc<dyn ToolHandler>>,
    builtin_tools: Option<BuiltinToolsConfig>,
    approval_handler: Option<Arc<dyn ApprovalHandler>>,
    store: StoreChoice,
    telemetry: Option<Arc<dyn TelemetrySink>>,
}

/// Where the builder's conversations are recorded.
#[derive(Debug)]
enum StoreChoice {
    /// A [`FileRolloutStore`] under the final config's `codex_home`.
    CodexHome,
    Custom(Arc<dyn RolloutStore>),
    Ephemeral,
}

impl std::fmt::Debug for dyn ToolHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ToolHandler({})", self.spec().name())
    }
}

impl std::fmt::Debug for dyn ApprovalHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApprovalHandler")
    }
}

impl CodexBuilder {
    /// A builder starting from `config`.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            model: None,
            tools: Vec::new(),
            builtin_tools: Some(BuiltinToolsConfig::default()),
            approval_handler: None,
            store: StoreChoice::CodexHome,
            telemetry: None,
        }
    }

    /// Records conversations in `store` instead of `CODEX_HOME` (e.g. an
    /// [`InMemoryRolloutStore`](crate::rollout::InMemoryRolloutStore) in tests).
    pub fn rollout_store(mut self, store: Arc<dyn RolloutStore>) -> Self {
        self.store = StoreChoice::Custom(store);
        self
    }

    /// Where conversations are recorded when no [`rollout_store`](Self::rollout_store) is given: the files
    /// under `CODEX_HOME`, or PostgreSQL (`RolloutStoreConfig::postgres(url)`, feature `postgres`).
    pub fn rollout(mut self, rollout: crate::config::RolloutStoreConfig) -> Self {
        self.config.rollout = rollout;
        self
    }

    /// Records nothing: conversations have no rollout path and cannot be resumed, forked or listed.
    pub fn ephemeral(mut self) -> Self {
        self.store = StoreChoice::Ephemeral;
        self
    }

    /// The model's name.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.config.model = model.into();
        self
    }

    /// Where the model is served.
    pub fn provider(mut self, provider: ModelProviderInfo) -> Self {
        self.config.model_provider = provider;
        self
    }

    /// A provider at `base_url` (an OpenAI-compatible API), keeping the other provider settings.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config.model_provider = self.config.model_provider.with_base_url(base_url);
        self
    }

    /// The API key (otherwise read from the provider's `env_key`, `OPENAI_API_KEY` for OpenAI).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = Some(ApiKey::new(key));
        self
    }

    /// Working directory of turns.
    pub fn cwd(mut self, cwd: impl Into<PathBuf>) -> Self {
        self.config.cwd = cwd.into();
        self
    }

    /// Replaces the SDK's system instructions.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.config.base_instructions = Some(text.into());
        self
    }

    /// Reasoning effort.
    pub fn reasoning_effort(mut self, effort: Option<ReasoningEffort>) -> Self {
        self.config.model_reasoning_effort = effort;
        self
    }

    /// Reasoning summary mode.
    pub fn reasoning_summary(mut self, summary: ReasoningSummary) -> Self {
        self.config.model_reasoning_summary = summary;
        self
    }

    /// When to ask the host.
    pub fn approval_policy(mut self, policy: AskForApproval) -> Self {
        self.config.approval_policy = policy;
        self
    }

    /// What commands may touch.
    pub fn sandbox_policy(mut self, policy: SandboxPolicy) -> Self {
        self.config.sandbox_policy = policy;
        self
    }

    /// The environment of every process the agent starts (see [`ShellEnvironmentPolicy`]).
    pub fn shell_environment_policy(mut self, policy: ShellEnvironmentPolicy) -> Self {
        self.config.shell_environment_policy = policy;
        self
    }

    /// Where sessions and credentials live.
    pub fn codex_home(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.codex_home = path.into();
        self
    }

    /// The `originator` header value.
    pub fn originator(mut self, originator: impl Into<String>) -> Self {
        self.config.originator = originator.into();
        self
    }

    /// Appended to the user agent.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.config.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Events buffered per conversation before it waits for its consumer.
    pub fn event_buffer(mut self, capacity: usize) -> Self {
        self.config.event_buffer = capacity;
        self
    }

    /// How long an approval request waits before it is denied.
    pub fn approval_timeout(mut self, timeout: Duration) -> Self {
        self.config.approval_timeout = timeout;
        self
    }

    /// The context window (overrides the known-models table).
    pub fn model_context_window(mut self, tokens: u64) -> Self {
        self.config.model_context_window = Some(tokens);
        self
    }

    /// Edits the configuration in place.
    pub fn configure(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Uses this model client instead of building one (e.g. a [`ScriptedModel`](crate::model::ScriptedModel)).
    pub fn model_client(mut self, client: Arc<dyn ModelClient>) -> Self {
        self.model = Some(client);
        self
    }

    /// Offers the PTY-backed `unified_exec` tool besides the other built-in tools (as
    /// `use_experimental_unified_exec_tool = true` in `config.toml` does; Responses API providers only).
    pub fn use_experimental_unified_exec_tool(mut self, enabled: bool) -> Self {
        self.config.use_experimental_unified_exec_tool = enabled;
        self
    }

    /// Which built-in tools (shell, read_file, list_dir, apply_patch, update_plan, view_image, unified exec)
    /// each conversation gets. Default: [`BuiltinToolsConfig::default`]. Each conversation gets its own
    /// instances (unified-exec sessions are never shared); the wire API is taken from the model client.
    pub fn builtin_tools(mut self, config: BuiltinToolsConfig) -> Self {
        self.builtin_tools = Some(config);
        self
    }

    /// No built-in tools: the model sees only the host's tools.
    pub fn no_builtin_tools(mut self) -> Self {
        self.builtin_tools = None;
        self
    }

    /// Registers a host tool in every conversation (replacing a built-in tool of the same name).
    pub fn tool(mut self, tool: impl ToolHandler + 'static) -> Self {
        self.tools.push(Arc::new(tool));
        self
    }

    /// Adds an MCP server (as `[mcp_servers.<name>]` in `config.toml` does), replacing one of the same name.
    /// Its tools reach the model as `<name>__<tool>`; see [`crate::mcp`].
    pub fn mcp_server(
        mut self,
        name: impl Into<String>,
        server: crate::mcp::McpServerConfig,
    ) -> Self {
        self.config.mcp_servers.insert(name.into(), server);
        self
    }

    /// Where MCP OAuth tokens are kept (`mcp_oauth_credentials_store`); see [`crate::mcp::login`].
    pub fn mcp_oauth_credentials_store(
        mut self,
        mode: crate::mcp::OAuthCredentialsStoreMode,
    ) -> Self {
        self.config.mcp_oauth_credentials_store = mode;
        self
    }

    /// Answers approval requests with a host callback (otherwise they wait for an op and are denied on
    /// timeout).
    pub fn approval_handler(mut self, handler: Arc<dyn ApprovalHandler>) -> Self {
        self.approval_handler = Some(handler);
        self
    }

    /// Delivers every telemetry event (the `[otel]` catalog, redacted) to `sink` as a typed value — with or
    /// without an OTLP exporter, and without feature `otel`.
    pub fn telemetry(mut self, sink: Arc<dyn TelemetrySink>) -> Self {
        self.telemetry = Some(sink);
        self
    }

    /// Builds the [`Codex`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a duplicate or invalid tool name; [`Error::Config`] for inconsistent
    /// settings (see [`Config::validate`]) or an invalid `[otel]` exporter (endpoint, headers, a `${VAR}`
    /// that is not set).
    pub fn build(self) -> Result<Codex> {
        self.config.validate()?;
        let (telemetry, startup_warning) = build_telemetry(&self.config, self.telemetry)?;
        let probe = ToolRegistry::new();
        for tool in &self.tools {
            let name = tool.spec().name().to_owned();
            if probe.get(&name).is_some() {
                return Err(Error::InvalidInput(format!(
                    "tool `{name}` is registered twice"
                )));
            }
            probe.register_arc(Arc::clone(tool))?;
        }
        let model = match self.model {
            Some(model) => model,
            None => build_client(&self.config),
        };
        let store: Option<Arc<dyn RolloutStore>> = match self.store {
            StoreChoice::CodexHome
                if self.config.rollout.store == crate::config::RolloutStoreKind::Postgres =>
            {
                Some(crate::rollout::postgres_store_from_config(
                    &self.config.rollout,
                )?)
            }
            StoreChoice::CodexHome => {
                // Never record into the working directory: without a home, say which setting is missing.
                let home = if self.config.codex_home.as_os_str().is_empty() {
                    crate::config::default_codex_home()?
                } else {
                    self.config.codex_home.clone()
                };
                Some(Arc::new(FileRolloutStore::new(home)))
            }
            StoreChoice::Custom(store) => Some(store),
            StoreChoice::Ephemeral => None,
        };
        Ok(Codex {
            inner: Arc::new(CodexInner {
                config: self.config,
                model,
                tools: self.tools,
                builtin_tools: self.builtin_tools,
                approval_handler: self.approval_handler,
                store,
                live: LiveConversations::default(),
                telemetry,
                startup_warning,
                mcp_pool: crate::mcp::McpPool::default(),
                closed: tokio_util::sync::CancellationToken::new(),
            }),
        })
    }
}

/// The telemetry hub: the host's sink and the `[otel]` exporter (feature `otel`); without the feature, a
/// configured exporter is reported instead of silently ignored.
fn build_telemetry(
    config: &Config,
    sink: Option<Arc<dyn TelemetrySink>>,
) -> Result<(Arc<TelemetryHub>, Option<String>)> {
    let log_prompts = config.otel.log_user_prompt;
    #[cfg(feature = "otel")]
    {
        let exporter =
            crate::telemetry::OtlpSettings::from_config(&config.otel, &config.originator)?
                .map(crate::telemetry::OtlpExporter::new);
        Ok((
            Arc::new(TelemetryHub::new(sink, exporter, log_prompts)),
            None,
        ))
    }
    #[cfg(not(feature = "otel"))]
    {
        let warning = (!matches!(config.otel.exporter, crate::config::OtelExporter::None)).then(|| {
            let message = "[otel] exporter is configured, but this build of codex-sdk has no `otel` feature: \
                           telemetry is not exported"
                .to_owned();
            tracing::warn!("{message}");
            message
        });
        Ok((Arc::new(TelemetryHub::new(sink, log_prompts)), warning))
    }
}

pub(super) fn build_client(config: &Config) -> Arc<dyn ModelClient> {
    let key = config.resolved_api_key();
    let provider = config.model_provider.clone();
    let suffix = config.user_agent_suffix.clone();
    match provider.wire_api {
        WireApi::Chat => {
            let mut client = ChatClient::new(provider, key, config.originator.clone());
            if let Some(s) = suffix {
                client = client.with_user_agent_suffix(s);
            }
            Arc::new(client)
        }
        _ => {
            let mut client = ResponsesClient::new(provider, key, config.originator.clone());
            if let Some(s) = suffix {
                client = client.with_user_agent_suffix(s);
            }
            Arc::new(client)
        }
    }
}
