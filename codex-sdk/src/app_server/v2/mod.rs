//! Codex's current protocol (v2, as Codex CLI 0.169 speaks it): threads and turns. The core of it — start,
//! resume, fork, list, read, archive and unarchive threads; start and interrupt turns; reviews,
//! compaction, the model list — with item lifecycle notifications, approvals and client-declared tools
//! as server requests. Shapes follow Codex's generated JSON schema; fields it marks optional that this
//! SDK has nothing for are left out.

mod items;
mod notifications;
pub(crate) mod threads;
mod translate;

pub use items::*;
pub use notifications::*;
pub(crate) use translate::{Out, ThreadShared, Translator};

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::macros::requests;
use super::v1::SandboxMode;
use crate::protocol::{ReasoningEffort, ReasoningSummary};

requests! {
    /// A v2 request from the client.
    ClientRequest, client_methods;
    /// Starts a thread (and subscribes this connection to it).
    ThreadStart => "thread/start" { params: ThreadStartParams, response: ThreadStartResponse },
    /// Loads a recorded thread and subscribes to it.
    ThreadResume => "thread/resume" { params: ThreadResumeParams, response: ThreadResumeResponse },
    /// A new thread from a recorded one's history.
    ThreadFork => "thread/fork" { params: ThreadForkParams, response: ThreadForkResponse },
    /// Recorded threads, newest first.
    ThreadList => "thread/list" { params: ThreadListParams, response: ThreadListResponse },
    /// One thread, optionally with its turns.
    ThreadRead => "thread/read" { params: ThreadReadParams, response: ThreadReadResponse },
    /// Moves a thread's rollout to `archived_sessions`.
    ThreadArchive => "thread/archive" { params: ThreadIdParams, response: EmptyResponse },
    /// Moves an archived thread back.
    ThreadUnarchive => "thread/unarchive" { params: ThreadIdParams, response: ThreadUnarchiveResponse },
    /// Compacts a thread's history.
    ThreadCompactStart => "thread/compact/start" { params: ThreadIdParams, response: EmptyResponse },
    /// Starts a turn (or adds input to the running one).
    TurnStart => "turn/start" { params: TurnStartParams, response: TurnStartResponse },
    /// Interrupts a turn; answered once it is aborted.
    TurnInterrupt => "turn/interrupt" { params: TurnInterruptParams, response: EmptyResponse },
    /// Runs a review on a thread.
    ReviewStart => "review/start" { params: ReviewStartParams, response: ReviewStartResponse },
    /// The models this SDK knows.
    ModelList => "model/list" { params: ModelListParams, response: ModelListResponse },
}

requests! {
    /// A v2 request from the server.
    ServerRequest, server_methods;
    /// May this command run?
    CommandExecutionRequestApproval => "item/commandExecution/requestApproval" {
        params: CommandExecutionRequestApprovalParams, response: CommandExecutionRequestApprovalResponse
    },
    /// May this patch be applied?
    FileChangeRequestApproval => "item/fileChange/requestApproval" {
        params: FileChangeRequestApprovalParams, response: FileChangeRequestApprovalResponse
    },
    /// Runs a tool the client declared (`dynamicTools` of `thread/start`).
    DynamicToolCall => "item/tool/call" { params: DynamicToolCallParams, response: DynamicToolCallResponse },
}

/// A response without fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmptyResponse {}

/// Params naming one thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadIdParams {
    /// The thread.
    pub thread_id: String,
}

/// Settings of a thread (start, resume, fork); unset ones come from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadSettings {
    /// The model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The provider id (a key of `[model_providers]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_provider: Option<String>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// When to ask (`untrusted`, `on-request`, `never`; also `on-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_policy: Option<crate::protocol::AskForApproval>,
    /// What commands may touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxMode>,
    /// Config keys (dotted paths) and values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<String, Value>>,
    /// Replaces the system instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_instructions: Option<String>,
    /// Instructions added to the system instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_instructions: Option<String>,
}

/// `thread/start` params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadStartParams {
    /// The thread's settings.
    #[serde(flatten)]
    pub settings: ThreadSettings,
    /// Tools the client runs: the model can call them, the server asks with `item/tool/call`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_tools: Option<Vec<DynamicToolSpec>>,
}

/// A tool the client declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum DynamicToolSpec {
    /// A function tool.
    #[serde(rename_all = "camelCase")]
    Function {
        /// Its name.
        name: String,
        /// What it does.
        description: String,
        /// JSON Schema of its arguments.
        input_schema: Value,
    },
}

/// What a thread runs with (the common part of start, resume and fork responses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadStartResponse {
    /// The thread.
    pub thread: Thread,
    /// Its model.
    pub model: String,
    /// Its provider id.
    pub model_provider: String,
    /// Its working directory.
    pub cwd: PathBuf,
    /// Its approval policy.
    pub approval_policy: String,
    /// Who answers approvals (always the client here).
    pub approvals_reviewer: String,
    /// Its sandbox.
    pub sandbox: SandboxPolicyV2,
    /// Its reasoning effort.
    pub reasoning_effort: Option<ReasoningEffort>,
}

/// `thread/resume` params: a running or recorded thread by id, or a rollout by path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadResumeParams {
    /// The thread.
    pub thread_id: String,
    /// Its rollout (wins over the id when not empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Settings that differ from the configuration.
    #[serde(flatten)]
    pub settings: ThreadSettings,
}

/// `thread/resume` result.
pub type ThreadResumeResponse = ThreadStartResponse;
/// `thread/fork` params (the whole history is kept).
pub type ThreadForkParams = ThreadResumeParams;
/// `thread/fork` result.
pub type ThreadForkResponse = ThreadStartResponse;

/// `thread/list` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadListParams {
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `thread/list` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadListResponse {
    /// Newest first.
    pub data: Vec<Thread>,
    /// Where the next page starts; `null` at the end.
    pub next_cursor: Option<String>,
}

/// `thread/read` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThreadReadParams {
    /// The thread.
    pub thread_id: String,
    /// Include its turns (from the rollout).
    #[serde(default)]
    pub include_turns: bool,
}

/// `thread/read` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadReadResponse {
    /// The thread.
    pub thread: Thread,
}

/// `thread/unarchive` result.
pub type ThreadUnarchiveResponse = ThreadReadResponse;

/// `turn/start` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TurnStartParams {
    /// The thread.
    pub thread_id: String,
    /// The input.
    pub input: Vec<UserInputV2>,
    /// Working directory from this turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// Approval policy from this turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_policy: Option<crate::protocol::AskForApproval>,
    /// Sandbox from this turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_policy: Option<SandboxPolicyV2>,
    /// Model from this turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Reasoning effort from this turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<ReasoningEffort>,
    /// Reasoning summary from this turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ReasoningSummary>,
    /// JSON Schema the final message must follow (this turn only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
}

/// `turn/start` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TurnStartResponse {
    /// The turn (in progress).
    pub turn: Turn,
}

/// `turn/interrupt` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TurnInterruptParams {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
}

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum ReviewTarget {
    /// Staged, unstaged and untracked changes.
    UncommittedChanges,
    /// The changes against a base branch.
    BaseBranch {
        /// The branch.
        branch: String,
    },
    /// The changes of one commit.
    Commit {
        /// Its sha.
        sha: String,
        /// Its subject.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// Free-form instructions.
    Custom {
        /// What to review.
        instructions: String,
    },
}

/// `review/start` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReviewStartParams {
    /// The thread the review runs on (inline).
    pub thread_id: String,
    /// What to review.
    pub target: ReviewTarget,
}

/// `review/start` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReviewStartResponse {
    /// The thread the review runs on.
    pub review_thread_id: String,
    /// The review's turn.
    pub turn: Turn,
}

/// `model/list` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelListParams {
    /// Ignored (one page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Ignored (one page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// Its id.
    pub id: String,
    /// Its API name.
    pub model: String,
    /// Its display name.
    pub display_name: String,
    /// A sentence about it.
    pub description: String,
    /// Hidden from pickers.
    pub hidden: bool,
    /// The configured default.
    pub is_default: bool,
    /// Its default reasoning effort.
    pub default_reasoning_effort: ReasoningEffort,
    /// The efforts it accepts.
    pub supported_reasoning_efforts: Vec<ReasoningEffortOption>,
}

/// A reasoning effort a model accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReasoningEffortOption {
    /// The effort.
    pub reasoning_effort: ReasoningEffort,
    /// What it means.
    pub description: String,
}

/// `model/list` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelListResponse {
    /// The models.
    pub data: Vec<Model>,
    /// Always `null` (one page).
    pub next_cursor: Option<String>,
}
