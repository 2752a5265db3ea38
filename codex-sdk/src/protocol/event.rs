use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{
    ConversationId, ErrorCode, RateLimitSnapshot, ReasoningEffort, ResponseItem, SubmissionId,
    TokenUsageInfo, TurnAbortReason,
};

/// Something that happened in a conversation. `id` is the submission that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// The submission this event belongs to.
    pub id: SubmissionId,
    /// What happened.
    pub msg: EventMsg,
}

/// What happened. Things with a lifetime come in Begin / Delta / End families; every turn ends with exactly one
/// of [`EventMsg::TaskComplete`], [`EventMsg::TurnAborted`] or [`EventMsg::Error`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventMsg {
    /// Always the first event of a conversation.
    SessionConfigured(SessionConfiguredEvent),
    /// A turn started.
    TaskStarted(TaskStartedEvent),
    /// A piece of the assistant's message, as it streams.
    AgentMessageDelta(AgentMessageDeltaEvent),
    /// The assistant's complete message (equal to its deltas concatenated).
    AgentMessage(AgentMessageEvent),
    /// A piece of the reasoning summary.
    AgentReasoningDelta(AgentReasoningDeltaEvent),
    /// A complete reasoning summary.
    AgentReasoning(AgentReasoningEvent),
    /// A piece of raw reasoning text (models that expose it).
    AgentReasoningRawContentDelta(AgentReasoningDeltaEvent),
    /// Complete raw reasoning text.
    AgentReasoningRawContent(AgentReasoningEvent),
    /// The user's input as it entered the history.
    UserMessage(UserMessageEvent),
    /// Token usage after a model response, with the latest rate limits.
    TokenCount(TokenCountEvent),
    /// A transient stream failure; the request is being retried.
    StreamError(StreamErrorEvent),
    /// Something the user should know that does not stop the turn.
    Warning(WarningEvent),
    /// The turn failed (terminal).
    Error(ErrorEvent),
    /// The turn finished (terminal).
    TaskComplete(TaskCompleteEvent),
    /// The turn was aborted (terminal).
    TurnAborted(TurnAbortedEvent),
    /// The conversation shut down; no event follows.
    ShutdownComplete,
    /// An item was added to the model-visible history.
    RawResponseItem(RawResponseItemEvent),
    /// A tool call started.
    ToolCallBegin(ToolCallBeginEvent),
    /// A tool call finished.
    ToolCallEnd(ToolCallEndEvent),
    /// A command started.
    ExecCommandBegin(ExecCommandBeginEvent),
    /// Output from a running command.
    ExecCommandOutputDelta(ExecCommandOutputDeltaEvent),
    /// A command finished.
    ExecCommandEnd(ExecCommandEndEvent),
    /// The agent wants to run a command and waits for [`Op::ExecApproval`](super::Op).
    ExecApprovalRequest(ExecApprovalRequestEvent),
    /// The agent wants to apply a patch and waits for [`Op::PatchApproval`](super::Op).
    ApplyPatchApprovalRequest(ApplyPatchApprovalRequestEvent),
    /// A patch is being applied.
    PatchApplyBegin(PatchApplyBeginEvent),
    /// A patch was applied (or failed).
    PatchApplyEnd(PatchApplyEndEvent),
    /// The unified diff of every file the turn changed so far.
    TurnDiff(TurnDiffEvent),
    /// The agent's plan changed.
    PlanUpdate(PlanUpdateEvent),
    /// The model started a hosted web search.
    WebSearchBegin(WebSearchBeginEvent),
    /// A hosted web search finished.
    WebSearchEnd(WebSearchEndEvent),
    /// Compaction started: sampling stops while the model writes a hand-off summary.
    ContextCompactionBegin(ContextCompactionBeginEvent),
    /// Compaction finished: the history was replaced by `replacement_history`.
    ContextCompactionEnd(ContextCompactionEndEvent),
    /// A review started; every event until [`EventMsg::ExitedReviewMode`] belongs to it.
    EnteredReviewMode(super::ReviewRequest),
    /// The review finished (or was interrupted: no output).
    ExitedReviewMode(super::ExitedReviewModeEvent),
    /// The answer to [`Op::GetPath`](super::Op::GetPath).
    ConversationPath(ConversationPathEvent),
    /// An MCP server's startup progressed (see [`McpStartupStatus`](super::McpStartupStatus)).
    McpStartupUpdate(super::McpStartupUpdateEvent),
    /// Every configured MCP server is ready or failed; the first turn waits for this.
    McpStartupComplete(super::McpStartupCompleteEvent),
    /// An MCP tool call started.
    McpToolCallBegin(super::McpToolCallBeginEvent),
    /// An MCP tool call finished.
    McpToolCallEnd(super::McpToolCallEndEvent),
    /// The agent wants to call an MCP tool and waits for [`Op::McpToolApproval`](super::Op).
    McpToolCallApprovalRequest(super::McpToolCallApprovalRequestEvent),
    /// An MCP server asks the user for input; answer with [`Op::ResolveMcpElicitation`](super::Op).
    McpElicitationRequest(super::McpElicitationRequestEvent),
}

impl EventMsg {
    /// Whether this event ends a turn.
    #[must_use]
    pub fn is_turn_terminal(&self) -> bool {
        matches!(
            self,
            Self::TaskComplete(_) | Self::TurnAborted(_) | Self::Error(_)
        )
    }
}

/// The conversation is ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionConfiguredEvent {
    /// The conversation's id.
    pub session_id: ConversationId,
    /// The model in use.
    pub model: String,
    /// The reasoning effort in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Where the conversation is recorded, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_path: Option<PathBuf>,
    /// Events replayed from a resumed conversation, so a UI can redraw its transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_messages: Option<Vec<EventMsg>>,
}

/// Where a conversation is recorded (the answer to [`Op::GetPath`](super::Op::GetPath)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConversationPathEvent {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its rollout; `None` when the conversation is not recorded.
    pub path: Option<PathBuf>,
}

/// A turn started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TaskStartedEvent {
    /// The model's context window, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_context_window: Option<u64>,
}

/// A piece of the assistant's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentMessageDeltaEvent {
    /// The new text.
    pub delta: String,
}

/// The assistant's complete message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentMessageEvent {
    /// The text.
    pub message: String,
}

/// A piece of reasoning text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentReasoningDeltaEvent {
    /// The new text.
    pub delta: String,
}

/// Complete reasoning text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentReasoningEvent {
    /// The text.
    pub text: String,
}

/// The user's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserMessageEvent {
    /// The text parts joined.
    pub message: String,
    /// Image URLs (including local images as `data:` URLs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
}

/// Token usage and rate limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TokenCountEvent {
    /// Usage so far (`None` before the first response).
    pub info: Option<TokenUsageInfo>,
    /// The latest rate-limit snapshot, when the server sent one.
    pub rate_limits: Option<RateLimitSnapshot>,
}

/// A transient failure being retried: a request that got no usable answer (429, 5xx, transport) or a
/// response stream that broke mid-way. Sent before the wait, so a host can show progress during back-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StreamErrorEvent {
    /// What failed and which retry this is ("… retrying 1/5 in 200ms").
    pub message: String,
    /// The retry, structured (absent in rollouts written by other clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryInfo>,
}

/// Which retry is about to happen, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetryInfo {
    /// What is retried.
    pub phase: RetryPhase,
    /// This retry's number (1-based).
    pub attempt: u32,
    /// The most retries the provider allows for this phase.
    pub max_retries: u32,
    /// How long the SDK waits before retrying, in milliseconds.
    pub delay_ms: u64,
    /// The classification of the failure being retried.
    pub code: ErrorCode,
}

/// What a [`RetryInfo`] retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RetryPhase {
    /// The request got no usable answer (HTTP 429/5xx, a transport failure); it is sent again.
    Request,
    /// The response stream broke after it started; the request is replayed.
    Stream,
}

/// A non-fatal notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WarningEvent {
    /// The notice.
    pub message: String,
}

/// The turn failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorEvent {
    /// What went wrong.
    pub message: String,
    /// The stable classification.
    pub code: ErrorCode,
}

/// The turn finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TaskCompleteEvent {
    /// The last assistant message of the turn.
    pub last_agent_message: Option<String>,
}

/// The turn was aborted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TurnAbortedEvent {
    /// Why.
    pub reason: TurnAbortReason,
}

/// An item entered the model-visible history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RawResponseItemEvent {
    /// The item.
    pub item: ResponseItem,
}

/// A tool call started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ToolCallBeginEvent {
    /// The call.
    pub call_id: String,
    /// The tool's name.
    pub tool: String,
    /// The arguments as the model sent them.
    pub arguments: String,
}

/// A tool call finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ToolCallEndEvent {
    /// The call.
    pub call_id: String,
    /// The tool's name.
    pub tool: String,
    /// What the model sees.
    pub output: String,
    /// Whether the call succeeded.
    pub success: bool,
    /// How long it ran.
    pub duration_ms: u64,
}

/// A command started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExecCommandBeginEvent {
    /// The tool call running it.
    pub call_id: String,
    /// argv.
    pub command: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
}

/// Which output stream a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExecOutputStream {
    /// Standard output (or the PTY).
    Stdout,
    /// Standard error.
    Stderr,
}

/// Output from a running command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExecCommandOutputDeltaEvent {
    /// The tool call running it.
    pub call_id: String,
    /// Which stream.
    pub stream: ExecOutputStream,
    /// The bytes, decoded as UTF-8 (invalid sequences replaced).
    pub chunk: String,
}

/// A command finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExecCommandEndEvent {
    /// The tool call that ran it.
    pub call_id: String,
    /// Exit code (-1 when killed by a signal or timeout).
    pub exit_code: i32,
    /// How long it ran.
    pub duration_ms: u64,
    /// All output, stdout and stderr interleaved as it arrived.
    pub aggregated_output: String,
    /// Whether it was killed on timeout.
    #[serde(default)]
    pub timed_out: bool,
}

/// A command waits for the host's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExecApprovalRequestEvent {
    /// Key of the pending approval; answer with this id.
    pub call_id: String,
    /// argv.
    pub command: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Why approval is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One file's change in a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileChange {
    /// A new file.
    Add {
        /// Its content.
        content: String,
    },
    /// A removed file.
    Delete {
        /// Its content before removal.
        content: String,
    },
    /// A changed (and possibly moved) file.
    Update {
        /// The change as a unified diff.
        unified_diff: String,
        /// The new path, when moved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        move_path: Option<PathBuf>,
    },
}

/// A patch waits for the host's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApplyPatchApprovalRequestEvent {
    /// Key of the pending approval; answer with this id.
    pub call_id: String,
    /// The changes, by path.
    pub changes: BTreeMap<PathBuf, FileChange>,
    /// Why approval is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A patch is being applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatchApplyBeginEvent {
    /// The tool call applying it.
    pub call_id: String,
    /// Whether it ran without asking the host.
    pub auto_approved: bool,
    /// The changes, by path.
    pub changes: BTreeMap<PathBuf, FileChange>,
}

/// A patch was applied, or failed (and nothing was written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatchApplyEndEvent {
    /// The tool call.
    pub call_id: String,
    /// Whether every change was applied.
    pub success: bool,
    /// A summary, or the failure.
    pub output: String,
}

/// The turn's changes so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TurnDiffEvent {
    /// Unified diff.
    pub unified_diff: String,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanItem {
    /// What to do.
    pub step: String,
    /// Where it stands.
    pub status: StepStatus,
}

/// The state of a plan step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Being worked on.
    InProgress,
    /// Done.
    Completed,
}

/// A hosted web search started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WebSearchBeginEvent {
    /// The search call's id.
    pub call_id: String,
}

/// A hosted web search finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WebSearchEndEvent {
    /// The search call's id.
    pub call_id: String,
    /// The query (empty when the action was not a search).
    pub query: String,
    /// What the search did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<super::WebSearchAction>,
}

/// The plan changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanUpdateEvent {
    /// Why it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The steps.
    pub plan: Vec<PlanItem>,
}

/// What started a compaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CompactionTrigger {
    /// [`Op::Compact`](super::Op::Compact).
    Manual,
    /// The context window reached the auto-compaction limit.
    Auto,
}

/// Compaction started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContextCompactionBeginEvent {
    /// Why.
    pub trigger: CompactionTrigger,
}

/// Compaction finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContextCompactionEndEvent {
    /// The model's hand-off summary.
    pub summary: String,
    /// The history that replaced the old one (what the next request sends).
    pub replacement_history: Vec<ResponseItem>,
    /// Estimated tokens of the new history.
    pub estimated_tokens: u64,
}

/// The host's answer to an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReviewDecision {
    /// Run it this once.
    Approved,
    /// Run it, and the same command again in this conversation without asking.
    ApprovedForSession,
    /// Do not run it; the model is told and the turn goes on.
    Denied,
    /// Do not run it and end the turn as interrupted.
    Abort,
}

impl ReviewDecision {
    /// The wire name (`"approved"`, `"approved_for_session"`, `"denied"`, `"abort"`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ApprovedForSession => "approved_for_session",
            Self::Denied => "denied",
            Self::Abort => "abort",
        }
    }

    /// A host's answer by its wire name; anything else is [`ReviewDecision::Denied`] (approvals fail
    /// closed).
    #[must_use]
    pub fn from_answer(name: &str) -> Self {
        [
            Self::Approved,
            Self::ApprovedForSession,
            Self::Denied,
            Self::Abort,
        ]
        .into_iter()
        .find(|d| d.as_str() == name)
        .unwrap_or(Self::Denied)
    }
}
