//! v2 notifications and the payloads of the server's requests (approvals, client tool calls).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::items::{Thread, ThreadItem, Turn, TurnError};
use crate::protocol::TokenUsage;

/// Token counts in v2's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenUsageBreakdown {
    /// All tokens.
    pub total_tokens: u64,
    /// Input tokens.
    pub input_tokens: u64,
    /// Input tokens served from cache.
    pub cached_input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_output_tokens: u64,
}

impl From<&TokenUsage> for TokenUsageBreakdown {
    fn from(u: &TokenUsage) -> Self {
        Self {
            total_tokens: u.total_tokens,
            input_tokens: u.input_tokens,
            cached_input_tokens: u.cached_input_tokens,
            output_tokens: u.output_tokens,
            reasoning_output_tokens: u.reasoning_output_tokens,
        }
    }
}

/// A thread's token usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadTokenUsage {
    /// Since the thread started.
    pub total: TokenUsageBreakdown,
    /// The last model response.
    pub last: TokenUsageBreakdown,
    /// The context window.
    pub model_context_window: Option<u64>,
}

/// A v2 notification from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ServerNotificationV2"))]
#[serde(tag = "method", content = "params")]
#[non_exhaustive]
pub enum ServerNotification {
    /// A thread was started (or loaded).
    #[serde(rename = "thread/started")]
    ThreadStarted(ThreadNotification),
    /// A turn started.
    #[serde(rename = "turn/started")]
    TurnStarted(TurnNotification),
    /// A turn ended (completed, interrupted or failed).
    #[serde(rename = "turn/completed")]
    TurnCompleted(TurnNotification),
    /// An item began.
    #[serde(rename = "item/started")]
    ItemStarted(ItemStartedNotification),
    /// An item ended.
    #[serde(rename = "item/completed")]
    ItemCompleted(ItemCompletedNotification),
    /// A piece of the answer.
    #[serde(rename = "item/agentMessage/delta")]
    AgentMessageDelta(DeltaNotification),
    /// A piece of the reasoning summary.
    #[serde(rename = "item/reasoning/summaryTextDelta")]
    ReasoningSummaryTextDelta(SummaryDeltaNotification),
    /// A piece of a command's output.
    #[serde(rename = "item/commandExecution/outputDelta")]
    CommandExecutionOutputDelta(DeltaNotification),
    /// Token usage changed.
    #[serde(rename = "thread/tokenUsage/updated")]
    ThreadTokenUsageUpdated(TokenUsageNotification),
    /// An error (retried, or ending the turn).
    #[serde(rename = "error")]
    Error(ErrorNotification),
}

/// `thread/started` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadNotification {
    /// The thread.
    pub thread: Thread,
}

/// `turn/started` and `turn/completed` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TurnNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn: Turn,
}

/// `item/started` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ItemStartedNotification {
    /// The item.
    pub item: ThreadItem,
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// Unix milliseconds.
    pub started_at_ms: i64,
}

/// `item/completed` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ItemCompletedNotification {
    /// The item.
    pub item: ThreadItem,
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// Unix milliseconds.
    pub completed_at_ms: i64,
}

/// A text delta of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeltaNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The item.
    pub item_id: String,
    /// The text.
    pub delta: String,
}

/// A reasoning summary delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SummaryDeltaNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The item.
    pub item_id: String,
    /// The text.
    pub delta: String,
    /// Which summary part.
    pub summary_index: u32,
}

/// `thread/tokenUsage/updated` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenUsageNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The usage.
    pub token_usage: ThreadTokenUsage,
}

/// `error` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorNotification {
    /// The error.
    pub error: TurnError,
    /// Whether the request is being retried.
    pub will_retry: bool,
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
}

/// `item/commandExecution/requestApproval` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CommandExecutionRequestApprovalParams {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The command's item (the tool call id).
    pub item_id: String,
    /// Unix milliseconds.
    pub started_at_ms: i64,
    /// Why approval is needed.
    pub reason: Option<String>,
    /// The command line.
    pub command: Option<String>,
    /// Where it would run.
    pub cwd: Option<PathBuf>,
}

/// A decision on a command or patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ApprovalDecision {
    /// Run it.
    Accept,
    /// Run it, and the same again without asking.
    AcceptForSession,
    /// Do not run it; the turn goes on.
    Decline,
    /// Do not run it and end the turn.
    Cancel,
}

impl From<ApprovalDecision> for crate::protocol::ReviewDecision {
    fn from(d: ApprovalDecision) -> Self {
        match d {
            ApprovalDecision::Accept => Self::Approved,
            ApprovalDecision::AcceptForSession => Self::ApprovedForSession,
            ApprovalDecision::Decline => Self::Denied,
            ApprovalDecision::Cancel => Self::Abort,
        }
    }
}

/// `item/commandExecution/requestApproval` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CommandExecutionRequestApprovalResponse {
    /// The decision.
    pub decision: ApprovalDecision,
}

/// `item/fileChange/requestApproval` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FileChangeRequestApprovalParams {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The patch's item (the tool call id).
    pub item_id: String,
    /// Unix milliseconds.
    pub started_at_ms: i64,
    /// Why approval is needed.
    pub reason: Option<String>,
}

/// `item/fileChange/requestApproval` result.
pub type FileChangeRequestApprovalResponse = CommandExecutionRequestApprovalResponse;

/// `item/tool/call` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DynamicToolCallParams {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The tool call.
    pub call_id: String,
    /// The tool.
    pub tool: String,
    /// Its arguments.
    pub arguments: Value,
}

/// `item/tool/call` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DynamicToolCallResponse {
    /// The output.
    pub content_items: Vec<DynamicToolCallOutputContentItem>,
    /// Whether the tool succeeded (the model sees the output either way).
    pub success: bool,
}

/// A piece of a tool's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum DynamicToolCallOutputContentItem {
    /// Text.
    InputText {
        /// The text.
        text: String,
    },
    /// An image.
    #[serde(rename_all = "camelCase")]
    InputImage {
        /// Its URL.
        image_url: String,
    },
}
