use std::borrow::Cow;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::backend::LocalBackend;
use super::builder::{CodexBuilder, build_client};
use super::handle::{Conversation, ConversationHandle};
use super::history::{History, environment_context};
use super::live::LiveConversations;
use super::session::Session;
use super::shared::{ReasoningEvents, SessionShared, TurnContext};
use crate::approval::{ApprovalHandler, Approvals};
use crate::config::{Config, model_info};
use crate::error::{Error, Result};
use crate::events::EventStream;
use crate::model::ModelClient;
use crate::protocol::{
    AskForApproval, ConversationId, Event, EventMsg, RateLimitSnapshot, ResponseItem,
    SandboxPolicy, SessionConfiguredEvent, SubmissionId, TokenUsageInfo,
};
use crate::rollout::{RolloutRecorder, RolloutStore};
use crate::telemetry::{Telemetry, TelemetryHub, TelemetryStats};
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
    pub(super) model: Arc<dyn ModelClient>,
    pub(super) tools: Vec<Arc<dyn ToolHandler>>,
    pub(super) builtin_tools: Option<BuiltinToolsConfig>,
    pub(super) approval_handler: Option<Arc<dyn ApprovalHandler>>,
    /// Where conversations are recorded; `None` when ephemeral.
    pub(crate) store: Option<Arc<dyn RolloutStore>>,
    /// Conversations started by this `Codex` that may still run.
    pub(crate) live: LiveConversations,
    /// Where telemetry events go (the host's sink, the OTLP exporter).
    pub(super) telemetry: Arc<TelemetryHub>,
    /// Told to every conversation once, after `SessionConfigured` (e.g. an exporter this build lacks).
    pub(super) startup_warning: Option<String>,
    /// MCP servers shared by conversations with the same settings for them.
    pub(super) mcp_pool: crate::mcp::McpPool,
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
