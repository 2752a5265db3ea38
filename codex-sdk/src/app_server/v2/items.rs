//! v2 data: threads, turns, items, user input, sandbox policies.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::{ReasoningEffort, SandboxPolicy, UserInput};

/// A thread (a conversation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// Its id (the conversation id).
    pub id: String,
    /// The session tree it belongs to (its own id).
    pub session_id: String,
    /// The first user message.
    pub preview: String,
    /// Never ephemeral: threads are recorded.
    pub ephemeral: bool,
    /// Not assigned to a project.
    pub project_id: Option<String>,
    /// The provider id.
    pub model_provider: String,
    /// The model, when known.
    pub model: Option<String>,
    /// The reasoning effort, when known.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Loaded and busy, loaded and idle, or not loaded.
    pub status: ThreadStatus,
    /// Its rollout.
    pub path: Option<PathBuf>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Version of the writer.
    pub cli_version: String,
    /// Which client started it.
    pub source: String,
    /// Its turns (`thread/resume`, `thread/fork` and `thread/read` with `includeTurns`).
    pub turns: Vec<Turn>,
}

/// A thread's runtime state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum ThreadStatus {
    /// Not loaded on this server.
    NotLoaded,
    /// Loaded, no turn running.
    Idle,
    /// A turn is running.
    #[serde(rename_all = "camelCase")]
    Active {
        /// Always empty here.
        active_flags: Vec<String>,
    },
}

/// One turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Turn {
    /// Its id.
    pub id: String,
    /// Its items (empty in notifications; filled when read from a rollout).
    pub items: Vec<ThreadItem>,
    /// Where it stands.
    pub status: TurnStatus,
    /// Why it failed.
    pub error: Option<TurnError>,
}

/// Where a turn stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum TurnStatus {
    /// Done.
    Completed,
    /// Aborted.
    Interrupted,
    /// Ended with an error.
    Failed,
    /// Running.
    InProgress,
}

/// A turn's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TurnError {
    /// For people.
    pub message: String,
    /// The error kind, in Codex's names (`contextWindowExceeded`, `unauthorized`, `other`…).
    pub codex_error_info: Option<String>,
}

/// User input in v2's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum UserInputV2 {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL.
    Image {
        /// The URL.
        url: String,
    },
    /// An image file.
    LocalImage {
        /// The file.
        path: PathBuf,
    },
}

impl From<UserInputV2> for UserInput {
    fn from(input: UserInputV2) -> Self {
        match input {
            UserInputV2::Text { text } => Self::Text { text },
            UserInputV2::Image { url } => Self::Image { image_url: url },
            UserInputV2::LocalImage { path } => Self::LocalImage { path },
        }
    }
}

/// A sandbox policy in v2's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum SandboxPolicyV2 {
    /// No restriction.
    DangerFullAccess,
    /// Read anything, write nothing.
    #[serde(rename_all = "camelCase")]
    ReadOnly {
        /// Whether network access is allowed (never, here).
        #[serde(default)]
        network_access: bool,
    },
    /// Write inside the working directory and these roots.
    #[serde(rename_all = "camelCase")]
    WorkspaceWrite {
        /// Extra writable roots.
        #[serde(default)]
        writable_roots: Vec<PathBuf>,
        /// Whether commands may use the network.
        #[serde(default)]
        network_access: bool,
        /// `$TMPDIR` stays read-only.
        #[serde(default)]
        exclude_tmpdir_env_var: bool,
        /// `/tmp` stays read-only.
        #[serde(default)]
        exclude_slash_tmp: bool,
    },
}

impl From<&SandboxPolicy> for SandboxPolicyV2 {
    fn from(policy: &SandboxPolicy) -> Self {
        match policy {
            SandboxPolicy::ReadOnly => Self::ReadOnly {
                network_access: false,
            },
            SandboxPolicy::WorkspaceWrite {
                writable_roots,
                network_access,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
            } => Self::WorkspaceWrite {
                writable_roots: writable_roots.clone(),
                network_access: *network_access,
                exclude_tmpdir_env_var: *exclude_tmpdir_env_var,
                exclude_slash_tmp: *exclude_slash_tmp,
            },
            _ => Self::DangerFullAccess,
        }
    }
}

impl From<SandboxPolicyV2> for SandboxPolicy {
    fn from(policy: SandboxPolicyV2) -> Self {
        match policy {
            SandboxPolicyV2::ReadOnly { .. } => Self::ReadOnly,
            SandboxPolicyV2::WorkspaceWrite {
                writable_roots,
                network_access,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
            } => Self::WorkspaceWrite {
                writable_roots,
                network_access,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
            },
            SandboxPolicyV2::DangerFullAccess => Self::DangerFullAccess,
        }
    }
}

/// One item of a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum ThreadItem {
    /// What the user sent.
    UserMessage {
        /// Item id.
        id: String,
        /// The input.
        content: Vec<UserInputV2>,
    },
    /// What the model answered.
    AgentMessage {
        /// Item id.
        id: String,
        /// The text (so far, in `item/started`).
        text: String,
    },
    /// The model's reasoning summary.
    Reasoning {
        /// Item id.
        id: String,
        /// Summary parts.
        summary: Vec<String>,
        /// Raw reasoning (not exposed).
        content: Vec<String>,
    },
    /// A command.
    #[serde(rename_all = "camelCase")]
    CommandExecution {
        /// Item id (the tool call id).
        id: String,
        /// The command line.
        command: String,
        /// Where it runs.
        cwd: PathBuf,
        /// Who started it.
        source: String,
        /// Where it stands.
        status: ItemStatus,
        /// Parsed actions (none here).
        command_actions: Vec<Value>,
        /// Its output.
        aggregated_output: Option<String>,
        /// Its exit code.
        exit_code: Option<i32>,
        /// How long it ran.
        duration_ms: Option<u64>,
    },
    /// A patch.
    FileChange {
        /// Item id (the tool call id).
        id: String,
        /// The changes.
        changes: Vec<FileUpdateChange>,
        /// Where it stands.
        status: ItemStatus,
    },
    /// A call to a tool the client declared.
    #[serde(rename_all = "camelCase")]
    DynamicToolCall {
        /// Item id (the tool call id).
        id: String,
        /// The tool.
        tool: String,
        /// Its arguments.
        arguments: Value,
        /// Where it stands.
        status: ItemStatus,
        /// Whether it succeeded (when done).
        success: Option<bool>,
        /// How long it ran.
        duration_ms: Option<u64>,
    },
    /// The history was compacted.
    ContextCompaction {
        /// Item id.
        id: String,
    },
}

/// Where a command, patch or tool call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ItemStatus {
    /// Running.
    InProgress,
    /// Succeeded.
    Completed,
    /// Failed.
    Failed,
    /// Not run: the approval was declined.
    Declined,
}

/// One file of a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FileUpdateChange {
    /// The file.
    pub path: PathBuf,
    /// Added, deleted or updated.
    pub kind: PatchChangeKind,
    /// The content (add, delete) or unified diff (update).
    pub diff: String,
}

/// How a file changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
#[non_exhaustive]
pub enum PatchChangeKind {
    /// A new file.
    Add,
    /// A removed file.
    Delete,
    /// A changed (maybe moved) file.
    Update {
        /// The new path, when moved.
        move_path: Option<PathBuf>,
    },
}
