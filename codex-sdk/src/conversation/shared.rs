//! What the submission loop and its turns share: the conversation's state ([`SessionShared`]), the settings
//! a turn runs with ([`TurnContext`]) and what it works on ([`TurnEnv`]), and the two steps every kind of
//! turn (regular, review, compaction) takes: building the prompt and reporting token usage.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::history::History;
use crate::approval::Approvals;
use crate::events::EventSink;
use crate::model::{ModelClient, Prompt, Verbosity, WireApi};
use crate::protocol::{
    AskForApproval, ConversationId, ConversationPathEvent, EventMsg, RateLimitSnapshot,
    ReasoningEffort, ReasoningSummary, SandboxPolicy, SubmissionId, TokenCountEvent, TokenUsage,
    TokenUsageInfo, UserInput, WarningEvent,
};
use crate::rollout::{RolloutRecorder, TurnContextItem};
use crate::tools::{ToolRegistry, ToolSpec};

/// State shared by the submission loop and its turns.
pub(crate) struct SessionShared {
    pub(crate) id: ConversationId,
    pub(crate) model: Arc<dyn ModelClient>,
    pub(crate) tools: ToolRegistry,
    pub(crate) approvals: Arc<Approvals>,
    pub(crate) instructions: std::borrow::Cow<'static, str>,
    pub(crate) history: Arc<Mutex<History>>,
    pub(crate) token_info: Mutex<Option<TokenUsageInfo>>,
    pub(crate) rate_limits: Mutex<Option<RateLimitSnapshot>>,
    pub(crate) events_tx: crate::events::EventTx,
    /// Tokens the history occupies in the context window (last response's usage, or an estimate after
    /// compaction); compared with the auto-compaction limit.
    pub(crate) context_tokens: AtomicU64,
    pub(crate) compact_prompt: std::borrow::Cow<'static, str>,
    pub(crate) compact_template: std::borrow::Cow<'static, str>,
    pub(crate) review_model: Option<String>,
    /// Set when the model's context window is unknown; the first turn warns once.
    pub(crate) unknown_window_warning: AtomicBool,
    /// Records the conversation (`None` when recording is off).
    pub(crate) rollout: Option<RolloutRecorder>,
    /// The environment policy of the processes tools start.
    pub(crate) environment_policy: Arc<crate::sandbox::ShellEnvironmentPolicy>,
    /// The conversation's telemetry (off when nobody listens).
    pub(crate) telemetry: crate::telemetry::Telemetry,
    /// The user-instructions message the conversation started with (recorded in each turn context).
    pub(crate) user_instructions: Option<String>,
    /// Which reasoning events reach the host.
    pub(crate) reasoning_events: ReasoningEvents,
    /// `notify`: run after each completed turn.
    pub(crate) notify: Option<Vec<String>>,
    /// Notification programs still running; shutdown waits for them.
    pub(crate) notifications: Mutex<Vec<JoinHandle<()>>>,
    /// The conversation's MCP servers (`None` when none is configured).
    pub(crate) mcp: Option<Arc<crate::mcp::McpSession>>,
    /// Tool calls whose End event is still owed (sent for them when their turn is aborted).
    pub(crate) open_calls: Arc<crate::open_calls::OpenCalls>,
    /// Cancelled when the `Codex` that started the conversation is dropped: the conversation shuts down.
    pub(crate) codex_closed: CancellationToken,
}

/// Which reasoning events reach the host (`hide_agent_reasoning`, `show_raw_agent_reasoning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReasoningEvents {
    pub(crate) summaries: bool,
    pub(crate) raw: bool,
}

impl ReasoningEvents {
    pub(crate) fn from_config(config: &crate::config::Config) -> Self {
        Self {
            summaries: !config.hide_agent_reasoning,
            raw: !config.hide_agent_reasoning && config.show_raw_agent_reasoning,
        }
    }

    /// Whether `msg` may be sent to the host.
    pub(crate) fn allows(self, msg: &EventMsg) -> bool {
        match msg {
            EventMsg::AgentReasoning(_) | EventMsg::AgentReasoningDelta(_) => self.summaries,
            EventMsg::AgentReasoningRawContent(_) | EventMsg::AgentReasoningRawContentDelta(_) => {
                self.raw
            }
            _ => true,
        }
    }
}

impl SessionShared {
    pub(crate) fn track_notification(&self, task: JoinHandle<()>) {
        let mut tasks = self
            .notifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Waits for the running notification programs (each is killed after its timeout).
    pub(super) async fn wait_for_notifications(&self) {
        let tasks = std::mem::take(
            &mut *self
                .notifications
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for task in tasks {
            let _ = task.await;
        }
    }

    pub(crate) fn lock_history(&self) -> MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The conversation's own history, instructions and tools.
    pub(crate) fn primary_env(&self) -> TurnEnv {
        TurnEnv {
            history: Arc::clone(&self.history),
            instructions: self.instructions.to_string(),
            tools: self.tools.clone(),
            primary: true,
        }
    }

    pub(crate) fn context_tokens(&self) -> u64 {
        self.context_tokens.load(Ordering::Relaxed)
    }

    pub(crate) fn set_context_tokens(&self, tokens: u64) {
        self.context_tokens.store(tokens, Ordering::Relaxed);
    }

    pub(crate) fn rate_limits(&self) -> Option<RateLimitSnapshot> {
        *self
            .rate_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_rate_limits(&self, snapshot: RateLimitSnapshot) {
        *self
            .rate_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
    }

    pub(crate) fn take_unknown_window_warning(&self) -> bool {
        self.unknown_window_warning.swap(false, Ordering::Relaxed)
    }

    pub(crate) fn lock_token_info(&self) -> MutexGuard<'_, Option<TokenUsageInfo>> {
        self.token_info
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn sink(&self, sub_id: SubmissionId) -> EventSink {
        EventSink::new(self.events_tx.clone(), sub_id)
            .with_recorder(self.rollout.clone())
            .with_telemetry(self.telemetry.clone())
            .with_open_calls(Arc::clone(&self.open_calls))
    }

    pub(super) fn record_turn_context(&self, tc: &TurnContext) {
        if let Some(recorder) = &self.rollout {
            recorder.record_turn_context(&TurnContextItem {
                cwd: tc.cwd.clone(),
                approval_policy: Some(tc.approval_policy),
                sandbox_policy: Some(tc.sandbox_policy.clone()),
                model: tc.model.clone(),
                effort: tc.effort,
                summary: Some(tc.summary),
                user_instructions: self.user_instructions.clone(),
            });
        }
    }

    /// Writes out and closes the rollout (idempotent); the storage failure, if recording failed.
    pub(super) async fn close_rollout(&self) -> Option<crate::Error> {
        let recorder = self.rollout.as_ref()?;
        let error = recorder.shutdown().await.err()?;
        tracing::warn!(conversation = %self.id, error = %error, "the rollout could not be written");
        Some(error)
    }

    /// What a client is told when the rollout stops being written.
    pub(super) fn rollout_failure_message(&self, error: &std::io::Error) -> String {
        let path = self
            .rollout
            .as_ref()
            .map(|r| r.path().display().to_string())
            .unwrap_or_default();
        format!(
            "the rollout {path} could not be written ({error}); recording stopped at the last whole line, \
             so resuming it will miss what follows"
        )
    }

    /// Answers [`Op::GetPath`] after the rollout is written out.
    pub(super) async fn send_path(&self, sub_id: SubmissionId) {
        let sink = self.sink(sub_id);
        let path = match &self.rollout {
            Some(recorder) => {
                if let Err(e) = recorder.flush().await {
                    sink.send(EventMsg::Warning(WarningEvent {
                        message: format!("the rollout could not be written: {e}"),
                    }))
                    .await;
                }
                Some(recorder.path().to_owned())
            }
            None => None,
        };
        sink.send(EventMsg::ConversationPath(ConversationPathEvent {
            conversation_id: self.id,
            path,
        }))
        .await;
    }
}

/// The settings a turn runs with (persisting across turns until overridden).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TurnContext {
    pub(crate) model: String,
    pub(crate) cwd: std::path::PathBuf,
    pub(crate) effort: Option<ReasoningEffort>,
    pub(crate) summary: ReasoningSummary,
    pub(crate) approval_policy: AskForApproval,
    pub(crate) sandbox_policy: SandboxPolicy,
    pub(crate) output_schema: Option<serde_json::Value>,
    pub(crate) context_window: Option<u64>,
    pub(crate) auto_compact_limit: u64,
    pub(crate) reasoning: bool,
    pub(crate) parallel_tool_calls: bool,
    /// Offer the hosted `web_search` tool (Responses API only).
    pub(crate) web_search: bool,
    /// `text.verbosity`, sent only to models that take it.
    pub(crate) verbosity: Option<Verbosity>,
    pub(crate) max_output_tokens: Option<u64>,
}

impl TurnContext {
    /// Switches the model; the context window and reasoning support follow the known-models table (an
    /// unknown model keeps the previous window).
    pub(crate) fn set_model(&mut self, model: String) {
        if self.model != model {
            let info = crate::config::model_info(&model);
            self.context_window = info.context_window.or(self.context_window);
            self.reasoning = info.reasoning;
        }
        self.model = model;
    }
}

/// What a turn works on: a history, instructions and tools. The conversation's own env is *primary* (its
/// items are announced as `RawResponseItem` and recorded, and it may be compacted); a review runs over an
/// isolated one.
#[derive(Clone)]
pub(crate) struct TurnEnv {
    pub(crate) history: Arc<Mutex<History>>,
    pub(crate) instructions: String,
    pub(crate) tools: ToolRegistry,
    pub(crate) primary: bool,
}

impl TurnEnv {
    pub(crate) fn lock_history(&self) -> std::sync::MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// User input queued while a turn runs; drained before each model request.
pub(crate) type PendingInput = Arc<Mutex<Vec<Vec<UserInput>>>>;

pub(crate) fn build_prompt(shared: &SessionShared, env: &TurnEnv, tc: &TurnContext) -> Prompt {
    let wire = shared.model.provider().wire_api;
    let mut tools: Vec<ToolSpec> = env
        .tools
        .specs()
        .into_iter()
        .filter(|spec| wire != WireApi::Chat || matches!(spec, ToolSpec::Function { .. }))
        .collect();
    if tc.web_search && wire != WireApi::Chat && env.primary {
        tools.push(ToolSpec::WebSearch {});
    }
    let verbosity = tc
        .verbosity
        .filter(|_| wire != WireApi::Chat && Verbosity::supported_by(&tc.model));
    Prompt {
        model: tc.model.clone(),
        instructions: env.instructions.clone(),
        input: env.lock_history().for_prompt(),
        tools,
        parallel_tool_calls: tc.parallel_tool_calls,
        effort: tc.effort,
        summary: tc.summary,
        reasoning: tc.reasoning,
        output_schema: tc.output_schema.clone(),
        conversation_id: shared.id,
        verbosity,
        max_output_tokens: tc.max_output_tokens,
    }
}

pub(crate) async fn report_usage(
    shared: &SessionShared,
    tc: &TurnContext,
    sink: &EventSink,
    usage: Option<&TokenUsage>,
) {
    let info = {
        let mut info = shared.lock_token_info();
        let entry = info.get_or_insert_with(Default::default);
        if let Some(usage) = usage {
            entry.append(usage);
            shared.set_context_tokens(usage.tokens_in_context_window());
        }
        entry.model_context_window = tc.context_window;
        *entry
    };
    sink.send(EventMsg::TokenCount(TokenCountEvent {
        info: Some(info),
        rate_limits: shared.rate_limits(),
    }))
    .await;
}
