use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ReviewDecision, SubmissionId};

/// One piece of user input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UserInput {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL (`https:` or `data:`).
    Image {
        /// The URL.
        image_url: String,
    },
    /// An image file on this machine; read and sent as a `data:` URL. An unreadable file fails the
    /// submission before any request is made.
    LocalImage {
        /// The file.
        path: PathBuf,
    },
}

impl UserInput {
    /// Text input.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into() }
    }
}

impl From<&str> for UserInput {
    fn from(s: &str) -> Self {
        Self::text(s)
    }
}

impl From<String> for UserInput {
    fn from(s: String) -> Self {
        Self::Text { text: s }
    }
}

/// How hard a reasoning model thinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ReasoningEffort {
    /// No reasoning at all (models that allow it).
    None,
    /// As little as possible.
    Minimal,
    /// Low.
    Low,
    /// Medium (the API default).
    Medium,
    /// High.
    High,
    /// Extra high (models that allow it).
    #[serde(rename = "xhigh")]
    XHigh,
}

/// Which reasoning summary the model should produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ReasoningSummary {
    /// Let the model decide.
    #[default]
    Auto,
    /// A short summary.
    Concise,
    /// A detailed summary.
    Detailed,
    /// No summary.
    None,
}

/// When the agent asks the host before running a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AskForApproval {
    /// Ask for everything except commands known to be safe (read-only).
    #[serde(rename = "untrusted")]
    UnlessTrusted,
    /// Run in the sandbox; ask only when a command fails there and should be retried without it.
    OnFailure,
    /// The model decides when to ask.
    #[default]
    OnRequest,
    /// Never ask; failures go back to the model.
    Never,
}

/// What commands run by the agent may touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "mode", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SandboxPolicy {
    /// Read anything, write nothing.
    ReadOnly,
    /// Read anything, write inside the working directory, the listed roots, `/tmp` and `$TMPDIR` (as the
    /// command sees it) unless excluded.
    WorkspaceWrite {
        /// Extra writable directories.
        #[serde(default)]
        writable_roots: Vec<PathBuf>,
        /// Whether commands may use the network.
        #[serde(default)]
        network_access: bool,
        /// Do not make the command's `$TMPDIR` writable.
        #[serde(default)]
        exclude_tmpdir_env_var: bool,
        /// Do not make `/tmp` writable.
        #[serde(default)]
        exclude_slash_tmp: bool,
    },
    /// No restrictions.
    DangerFullAccess,
}

impl Default for SandboxPolicy {
    fn default() -> Self {
        Self::WorkspaceWrite {
            writable_roots: Vec::new(),
            network_access: false,
            exclude_tmpdir_env_var: false,
            exclude_slash_tmp: false,
        }
    }
}

/// Why a turn ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TurnAbortReason {
    /// [`Op::Interrupt`], or an approval answered with abort.
    Interrupted,
    /// A new turn replaced it.
    Replaced,
}

/// A request into a conversation. Each submission gets a [`SubmissionId`]; the events it causes carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Op {
    /// User input. Starts a turn when none runs; while one runs, it joins the next model request of that turn.
    UserInput {
        /// The input.
        items: Vec<UserInput>,
    },
    /// User input with a full turn context. Replaces a running turn (which ends with
    /// [`TurnAbortReason::Replaced`]); the context persists for later turns.
    UserTurn {
        /// The input.
        items: Vec<UserInput>,
        /// Working directory for this and later turns.
        cwd: PathBuf,
        /// Model for this and later turns.
        model: String,
        /// Reasoning effort (`None` = the model's default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        effort: Option<ReasoningEffort>,
        /// Reasoning summary mode.
        #[serde(default)]
        summary: ReasoningSummary,
        /// A JSON schema the final message must follow.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        output_schema: Option<Value>,
        /// Approval policy for this and later turns.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approval_policy: Option<AskForApproval>,
        /// Sandbox policy for this and later turns.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sandbox_policy: Option<SandboxPolicy>,
    },
    /// Changes the context of later turns without starting one. Absent fields stay as they are.
    OverrideTurnContext {
        /// New working directory.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cwd: Option<PathBuf>,
        /// New model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<String>,
        /// New effort; `Some(None)` clears it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        effort: Option<Option<ReasoningEffort>>,
        /// New summary mode.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<ReasoningSummary>,
        /// New approval policy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approval_policy: Option<AskForApproval>,
        /// New sandbox policy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sandbox_policy: Option<SandboxPolicy>,
    },
    /// Answers an [`ExecApprovalRequestEvent`](super::ExecApprovalRequestEvent).
    ExecApproval {
        /// The request's `call_id`.
        id: String,
        /// The answer.
        decision: ReviewDecision,
    },
    /// Answers an [`ApplyPatchApprovalRequestEvent`](super::ApplyPatchApprovalRequestEvent).
    PatchApproval {
        /// The request's `call_id`.
        id: String,
        /// The answer.
        decision: ReviewDecision,
    },
    /// Answers an [`McpToolCallApprovalRequestEvent`](super::McpToolCallApprovalRequestEvent).
    McpToolApproval {
        /// The request's `call_id`.
        id: String,
        /// The answer.
        decision: ReviewDecision,
    },
    /// Answers an [`McpElicitationRequestEvent`](super::McpElicitationRequestEvent).
    ResolveMcpElicitation {
        /// The server that asked.
        server: String,
        /// The request's `request_id`.
        request_id: String,
        /// The answer.
        action: super::ElicitationAction,
        /// The answer's content (with [`ElicitationAction::Accept`](super::ElicitationAction::Accept)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<serde_json::Value>,
    },
    /// Compacts the history now: the model writes a hand-off summary and the history is replaced by the
    /// initial context plus one message holding the earlier user messages and the summary.
    Compact,
    /// Runs a code review in an isolated child context; only a summary of its findings enters the history.
    Review {
        /// What to review.
        review_request: super::ReviewRequest,
    },
    /// Aborts the running turn (model stream and tools); the conversation stays usable.
    Interrupt,
    /// Asks for the conversation's rollout path. Answered with
    /// [`ConversationPath`](super::EventMsg::ConversationPath) once everything recorded so far is written.
    GetPath,
    /// Ends the conversation: the running turn is aborted, the rollout is written out (an
    /// [`Error`](super::EventMsg::Error) event with code `io` and this submission's id when it could not
    /// be), and [`ShutdownComplete`](super::EventMsg::ShutdownComplete) is the last event.
    Shutdown,
}

/// An [`Op`] with the id its events will carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Submission {
    /// The id.
    pub id: SubmissionId,
    /// The request.
    pub op: Op,
}
