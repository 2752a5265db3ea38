use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::backend::LocalBackend;
use super::handle::{Conversation, ConversationHandle};
use super::history::{History, environment_context};
use super::live::LiveConversations;
use super::session::Session;
use super::shared::{ReasoningEvents, SessionShared, TurnContext};
use crate::approval::{ApprovalHandler, Approvals};
use crate::config::{Config, model_info};
use crate::error::{Error, Result};
use crate::events::EventStream;
use crate::model::{ApiKey, ChatClient, ModelClient, ModelProviderInfo, ResponsesClient, WireApi};
use crate::protocol::{
    AskForApproval, ConversationId, Event, EventMsg, RateLimitSnapshot, ReasoningEffort,
    ReasoningSummary, ResponseItem, SandboxPolicy, SessionConfiguredEvent, SubmissionId,
    TokenUsageInfo,
};
use crate::rollout::{FileRolloutStore, RolloutRecorder, RolloutStore};
use crate::sandbox::ShellEnvironmentPolicy;
use crate::telemetry::{Telemetry, TelemetryHub, TelemetrySink, TelemetryStats};
use crate::tools::{BuiltinToolsConfig, ToolHandler, ToolRegistry, register_builtin_tools};

/// The entry point: holds the configuration, the model client and the host's tools, and starts
/// conversations. Cheap to clone; many conversations can run at once.
///
/// ```
/// # async fn demo() -> codex_sdk::Result<()> {
/// use codex_sdk::Codex;
/// use codex_sdk::model::{ScriptedModel, ScriptedResponse};
/// use std::sync::Arc;
///
/// let codex = Codex::builder()
///     .ephemeral()
///     .model_client(Arc::new(ScriptedModel::new([ScriptedResponse::text("Hello!")])))
///     .build()?;
/// let mut conversation = codex.start_conversation().await?;
/// let result = conversation.run("Say hello").await?;
/// assert_eq!(result.final_message.as_deref(), Some("Hello!"));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Codex {
    pub(crate) inner: Arc<CodexInner>,
}

pub(crate) struct CodexInner {
    pub(crate) config: Config,
    model: Arc<dyn ModelClient>,
    tools: Vec<Arc<dyn ToolHandler>>,
    builtin_tools: Option<BuiltinToolsConfig>,
    approval_handler: Option<Arc<dyn ApprovalHandler>>,
    /// Where conversations are recorded; `None` when ephemeral.
    pub(crate) store: Option<Arc<dyn RolloutStore>>,
    /// Conversations started by this `Codex` that may still run.
    pub(crate) live: LiveConversations,
    /// Where telemetry events go (the host's sink, the OTLP exporter).
    telemetry: Arc<TelemetryHub>,
    /// Told to every conversation once, after `SessionConfigured` (e.g. an exporter this build lacks).
    startup_warning: Option<String>,
    /// MCP servers shared by conversations with the same settings for them.
    mcp_pool: crate::mcp::McpPool,
    /// Cancelled when the last clone of the `Codex` is dropped: every conversation it started shuts down.
    pub(crate) closed: tokio_util::sync::CancellationToken,
}

impl Drop for CodexInner {
    fn drop(&mut self) {
        self.closed.cancel();
    }
}

impl std::fmt::Debug for CodexInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codex")
            .field("model", &self.config.model)
            .field("provider", &self.config.model_provider.name)
            .field("tools", &self.tools.len())
            .finish_non_exhaustive()
    }
}

impl Codex {
    /// A builder starting from [`Config::default`].
    pub fn builder() -> CodexBuilder {
        CodexBuilder::new(Config::default())
    }

    /// The configuration conversations start from.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The model client shared by every conversation.
    #[must_use]
    pub fn model_client(&self) -> &Arc<dyn ModelClient> {
        &self.inner.model
    }

    /// What the telemetry exporter did so far: records exported, dropped (queue full) and failed (all zero
    /// without an exporter).
    #[must_use]
    pub fn telemetry_stats(&self) -> TelemetryStats {
        self.inner.telemetry.stats()
    }

    /// Ends everything this `Codex` started, as dropping its last clone does, and waits for it: every
    /// conversation shuts down (a running turn ends with `TurnAborted`, its open tool calls with their End
    /// events, each stream with `ShutdownComplete`) even while the host still holds it, and the processes
    /// its tools started are killed. Then exports the telemetry events still queued and stops the exporter.
    /// Conversations started afterwards end at once. Call it before the process exits.
    ///
    /// # Errors
    /// [`Error::Internal`] when the exporter's task could not be waited for.
    pub async fn shutdown(&self) -> Result<()> {
        self.inner.closed.cancel();
        let tasks: Vec<_> = self
            .inner
            .live
            .lock()
            .entries
            .drain()
            .map(|(_, entry)| entry.task)
            .collect();
        for task in tasks {
            // A task that panicked has ended too; its conversation reported it.
            let _ = task.await;
        }
        self.inner.telemetry.shutdown().await
    }

    /// Starts a conversation with the builder's settings (recorded unless the builder was made
    /// [`ephemeral`](CodexBuilder::ephemeral)). [`Codex::new_conversation`] also returns the rollout path.
    ///
    /// # Errors
    /// [`Error::Io`] when the rollout cannot be created.
    pub async fn start_conversation(&self) -> Result<Conversation> {
        Ok(self.new_conversation().await?.conversation)
    }

    /// Starts a conversation's session task. `history` empty means a new conversation: it gets the
    /// environment context (recorded too). `rollout` already holds any earlier lines; `resumed` is what a
    /// resumed or forked conversation carries over besides its history.
    pub(crate) async fn start_with_history(
        &self,
        config: &Config,
        id: ConversationId,
        mut history: History,
        rollout: Option<RolloutRecorder>,
        resumed: Option<Resumed>,
        user_instructions: Option<String>,
    ) -> Result<Conversation> {
        let (initial_messages, token_info, rate_limits, context_tokens) = match resumed {
            Some(r) => (
                Some(r.initial_messages),
                r.token_info,
                r.rate_limits,
                r.context_tokens,
            ),
            None => (None, None, None, 0),
        };
        let info = model_info(&config.model);
        let (window, window_is_default) = config.effective_context_window();
        if history.len() == 0 {
            if let Some(text) = &user_instructions {
                let message = ResponseItem::user_text(text.clone());
                if let Some(recorder) = &rollout {
                    recorder.record_response_item(&message);
                }
                history.push(message);
            }
            let context = environment_context(
                &config.cwd,
                &policy_name(config.approval_policy),
                &sandbox_name(&config.sandbox_policy),
            );
            if let Some(recorder) = &rollout {
                recorder.record_response_item(&context);
            }
            history.push(context);
        }
        let model = self.client_for(config);
        let tools = ToolRegistry::new();
        if let Some(builtin) = &self.inner.builtin_tools {
            let mut builtin = builtin.clone();
            // The conversation's own client decides which tools can be sent (it may speak another wire
            // API than the builder's).
            builtin.wire_api = model.provider().wire_api;
            builtin.unified_exec |= config.use_experimental_unified_exec_tool;
            builtin.view_image &= config.view_image_tool;
            register_builtin_tools(&tools, &builtin)?;
        }
        for tool in &self.inner.tools {
            tools.register_arc(Arc::clone(tool))?;
        }
        let (events_tx, events_rx) = mpsc::channel(config.event_buffer.max(1));
        let (sub_tx, sub_rx) = mpsc::channel(64);
        let rollout_path = rollout.as_ref().map(|r| r.path().to_owned());
        let api_key = config.resolved_api_key();
        let telemetry = Telemetry::new(
            &self.inner.telemetry,
            id,
            &config.model,
            api_key.as_ref().map(|_| "ApiKey".to_owned()),
            api_key.map(|k| k.expose().to_owned()).into_iter().collect(),
        );
        let configured = SessionConfiguredEvent {
            session_id: id,
            model: config.model.clone(),
            reasoning_effort: config.model_reasoning_effort,
            rollout_path,
            initial_messages,
        };
        events_tx
            .send(Box::new(Event {
                id: SubmissionId::from("init"),
                msg: EventMsg::SessionConfigured(configured.clone()),
            }))
            .await
            .map_err(|_| Error::Closed)?;
        if let Some(message) = &self.inner.startup_warning {
            events_tx
                .send(Box::new(Event {
                    id: SubmissionId::from("init"),
                    msg: EventMsg::Warning(crate::protocol::WarningEvent {
                        message: message.clone(),
                    }),
                }))
                .await
                .map_err(|_| Error::Closed)?;
        }
        // After `SessionConfigured`: startup events follow it.
        let mcp = crate::mcp::McpSession::start(
            &self.inner.mcp_pool,
            &config.mcp_servers,
            &config.shell_environment_policy,
            &config.cwd,
            &crate::mcp::CredentialStore::new(
                &config.codex_home,
                config.mcp_oauth_credentials_store,
            ),
            &tools,
            events_tx.clone(),
        )?;
        let shared = Arc::new(SessionShared {
            id,
            model,
            tools: tools.clone(),
            approvals: Arc::new(Approvals::new(
                self.inner.approval_handler.clone(),
                config.approval_timeout,
            )),
            instructions: shared_text(
                Some(config.instructions()),
                crate::config::BASE_INSTRUCTIONS,
            ),
            history: Arc::new(std::sync::Mutex::new(history)),
            token_info: std::sync::Mutex::new(token_info),
            rate_limits: std::sync::Mutex::new(rate_limits),
            events_tx: events_tx.clone(),
            context_tokens: std::sync::atomic::AtomicU64::new(context_tokens),
            compact_prompt: shared_text(
                config.compact_prompt.clone(),
                super::compact::COMPACT_PROMPT,
            ),
            compact_template: shared_text(
                config.compact_bridge_template.clone(),
                super::compact::COMPACT_BRIDGE_TEMPLATE,
            ),
            review_model: config.review_model.clone(),
            unknown_window_warning: std::sync::atomic::AtomicBool::new(window_is_default),
            rollout: rollout.clone(),
            environment_policy: Arc::new(config.shell_environment_policy.clone()),
            telemetry,
            user_instructions,
            reasoning_events: ReasoningEvents::from_config(config),
            notify: config.notify.clone(),
            notifications: std::sync::Mutex::new(Vec::new()),
            mcp,
            open_calls: Arc::default(),
            codex_closed: self.inner.closed.clone(),
        });
        let turn_context = TurnContext {
            model: config.model.clone(),
            cwd: config.cwd.clone(),
            effort: config.model_reasoning_effort,
            summary: config.model_reasoning_summary,
            approval_policy: config.approval_policy,
            sandbox_policy: config.sandbox_policy.clone(),
            output_schema: None,
            context_window: Some(window),
            auto_compact_limit: config.auto_compact_limit(),
            reasoning: info.reasoning,
            parallel_tool_calls: config.parallel_tool_calls,
            web_search: config.web_search,
            verbosity: config.model_verbosity,
            max_output_tokens: config.model_max_output_tokens,
        };
        let task = tokio::spawn(Session::new(shared, turn_context, sub_rx).run());
        let backend = Arc::new(LocalBackend::new(id, sub_tx, tools));
        self.register_live(id, &backend, rollout, task);
        Ok(Conversation::new(
            ConversationHandle::new(backend),
            EventStream::new(events_rx),
            configured,
        ))
    }

    /// The shared model client when `config` talks to the same provider with the same key, else a new one.
    fn client_for(&self, config: &Config) -> Arc<dyn ModelClient> {
        let base = &self.inner.config;
        if config.model_provider == base.model_provider && config.api_key == base.api_key {
            Arc::clone(&self.inner.model)
        } else {
            build_client(config)
        }
    }
}

/// What a resumed (or forked) conversation carries over from its rollout besides its history: the events
/// a client replays, and the token usage and rate limits last reported — so the context window is counted
/// from where it was and automatic compaction still runs.
#[derive(Debug, Default)]
pub(crate) struct Resumed {
    pub(crate) initial_messages: Vec<EventMsg>,
    pub(crate) token_info: Option<TokenUsageInfo>,
    pub(crate) rate_limits: Option<RateLimitSnapshot>,
    pub(crate) context_tokens: u64,
}

/// `text`, borrowing the built-in `default` when it is the same (every conversation that keeps the SDK's
/// prompts shares them instead of holding a copy).
fn shared_text(text: Option<String>, default: &'static str) -> Cow<'static, str> {
    match text {
        Some(text) if text != default => Cow::Owned(text),
        _ => Cow::Borrowed(default),
    }
}

fn policy_name(policy: AskForApproval) -> String {
    serde_json::to_value(policy)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn sandbox_name(policy: &SandboxPolicy) -> String {
    match policy {
        SandboxPolicy::ReadOnly => "read-only",
        SandboxPolicy::WorkspaceWrite { .. } => "workspace-write",
        SandboxPolicy::DangerFullAccess => "danger-full-access",
    }
    .to_owned()
}

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

fn build_client(config: &Config) -> Arc<dyn ModelClient> {
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
