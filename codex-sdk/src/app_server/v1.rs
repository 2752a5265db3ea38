//! The seed's protocol (v1): conversation methods named in camelCase (`newConversation`,
//! `sendUserMessage`…), events as notifications once a listener is added, approvals as server requests.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::macros::requests;
use crate::protocol::{
    AskForApproval, ConversationId, EventMsg, FileChange, ReasoningEffort, ReasoningSummary,
    ReviewDecision, SandboxPolicy, SubmissionId, TurnAbortReason,
};

requests! {
    /// A request from the client to the server.
    ClientRequest, client_methods;
    /// The handshake; must come first, once.
    Initialize => "initialize" { params: InitializeParams, response: InitializeResponse },
    /// Starts a conversation.
    NewConversation => "newConversation" { params: NewConversationParams, response: NewConversationResponse },
    /// Sends user input to a conversation (a turn with its current settings).
    SendUserMessage => "sendUserMessage" { params: SendUserMessageParams, response: SendUserMessageResponse },
    /// Sends user input with this turn's settings.
    SendUserTurn => "sendUserTurn" { params: SendUserTurnParams, response: SendUserTurnResponse },
    /// Interrupts the running turn; answered once the turn is aborted.
    InterruptConversation => "interruptConversation" {
        params: InterruptConversationParams, response: InterruptConversationResponse
    },
    /// Starts sending a conversation's events as notifications.
    AddConversationListener => "addConversationListener" {
        params: AddConversationListenerParams, response: AddConversationSubscriptionResponse
    },
    /// Stops a listener.
    RemoveConversationListener => "removeConversationListener" {
        params: RemoveConversationListenerParams, response: RemoveConversationSubscriptionResponse
    },
    /// One page of recorded conversations, newest first.
    ListConversations => "listConversations" { params: ListConversationsParams, response: ListConversationsResponse },
    /// Resumes a recorded conversation (appending to its rollout).
    ResumeConversation => "resumeConversation" { params: ResumeConversationParams, response: ResumeConversationResponse },
    /// Starts a new conversation from a recorded one's history.
    ForkConversation => "forkConversation" { params: ForkConversationParams, response: ForkConversationResponse },
    /// Shuts a conversation down and moves its rollout to `archived_sessions`.
    ArchiveConversation => "archiveConversation" { params: ArchiveConversationParams, response: ArchiveConversationResponse },
    /// Writes the default model and reasoning effort to `config.toml`.
    SetDefaultModel => "setDefaultModel" { params: SetDefaultModelParams, response: SetDefaultModelResponse },
    /// Stores an API key in `auth.json`.
    LoginApiKey => "loginApiKey" { params: LoginApiKeyParams, response: LoginApiKeyResponse },
    /// Removes the stored credentials.
    Logout => "logout" { response: LogoutResponse },
    /// How the user is logged in.
    GetAuthStatus => "getAuthStatus" { params: GetAuthStatusParams, response: GetAuthStatusResponse },
    /// The account's email (from the stored id token).
    UserInfo => "userInfo" { response: UserInfoResponse },
    /// The user agent sent with model requests.
    GetUserAgent => "getUserAgent" { response: GetUserAgentResponse },
}

requests! {
    /// A request from the server to the client.
    ServerRequest, server_methods;
    /// May this command run?
    ExecCommandApproval => "execCommandApproval" { params: ExecCommandApprovalParams, response: ExecCommandApprovalResponse },
    /// May this patch be applied?
    ApplyPatchApproval => "applyPatchApproval" { params: ApplyPatchApprovalParams, response: ApplyPatchApprovalResponse },
}

/// Who the client is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    /// Its name (appended to the user agent with the version).
    pub name: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its version.
    pub version: String,
}

/// `initialize` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// Who the client is.
    pub client_info: ClientInfo,
    /// What the client supports (accepted for compatibility with Codex's v2 clients; not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
}

/// `initialize` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InitializeResponse {
    /// The user agent model requests will carry.
    pub user_agent: String,
    /// The server's `CODEX_HOME`.
    pub codex_home: PathBuf,
    /// `unix` or `windows`.
    pub platform_family: String,
    /// `linux`, `macos`, `windows`…
    pub platform_os: String,
}

/// What commands may touch (the `sandbox_mode` config values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SandboxMode {
    /// Read anything, write nothing.
    ReadOnly,
    /// Write inside the working directory (and temp dirs).
    WorkspaceWrite,
    /// No restriction.
    DangerFullAccess,
}

/// `newConversation` params (also the overrides of resume and fork). Unset fields come from the
/// configuration (`config.toml` and the server's `-c` overrides).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewConversationParams {
    /// The model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// When to ask for approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_policy: Option<AskForApproval>,
    /// What commands may touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxMode>,
    /// Config keys (dotted paths) and values, as `-c key=value` does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<String, Value>>,
    /// Replaces the system instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_instructions: Option<String>,
}

/// `newConversation` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewConversationResponse {
    /// The new conversation.
    pub conversation_id: ConversationId,
    /// Its model.
    pub model: String,
    /// Its reasoning effort (from the configured defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Its rollout.
    pub rollout_path: PathBuf,
}

/// One piece of user input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data", rename_all = "camelCase")]
#[non_exhaustive]
pub enum InputItem {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL (`data:` URLs included).
    #[serde(rename_all = "camelCase")]
    Image {
        /// The URL.
        image_url: String,
    },
    /// An image file, read when the turn is submitted.
    LocalImage {
        /// The file.
        path: PathBuf,
    },
}

impl From<InputItem> for crate::protocol::UserInput {
    fn from(item: InputItem) -> Self {
        match item {
            InputItem::Text { text } => Self::Text { text },
            InputItem::Image { image_url } => Self::Image { image_url },
            InputItem::LocalImage { path } => Self::LocalImage { path },
        }
    }
}

/// `sendUserMessage` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SendUserMessageParams {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The input.
    pub items: Vec<InputItem>,
}

/// `sendUserMessage` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SendUserMessageResponse {}

/// `sendUserTurn` params: the input and the settings of this turn (and the next ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SendUserTurnParams {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The input.
    pub items: Vec<InputItem>,
    /// Working directory.
    pub cwd: PathBuf,
    /// When to ask.
    pub approval_policy: AskForApproval,
    /// What commands may touch.
    pub sandbox_policy: SandboxPolicy,
    /// The model.
    pub model: String,
    /// Reasoning effort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<ReasoningEffort>,
    /// Reasoning summary mode.
    #[serde(default)]
    pub summary: ReasoningSummary,
}

/// `sendUserTurn` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SendUserTurnResponse {}

/// `interruptConversation` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InterruptConversationParams {
    /// The conversation.
    pub conversation_id: ConversationId,
}

/// `interruptConversation` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InterruptConversationResponse {
    /// Why the turn ended.
    pub abort_reason: TurnAbortReason,
}

/// `addConversationListener` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddConversationListenerParams {
    /// The conversation.
    pub conversation_id: ConversationId,
}

/// `addConversationListener` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddConversationSubscriptionResponse {
    /// Pass it to `removeConversationListener`.
    pub subscription_id: String,
}

/// `removeConversationListener` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RemoveConversationListenerParams {
    /// From `addConversationListener`.
    pub subscription_id: String,
}

/// `removeConversationListener` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RemoveConversationSubscriptionResponse {}

/// `listConversations` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListConversationsParams {
    /// Entries per page (default 25, at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<usize>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One recorded conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    /// Its id.
    pub conversation_id: ConversationId,
    /// Its rollout.
    pub path: PathBuf,
    /// The first user message.
    pub preview: String,
    /// When it started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// `listConversations` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListConversationsResponse {
    /// Newest first.
    pub items: Vec<ConversationSummary>,
    /// Pass it as `cursor` for the next page; absent at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `resumeConversation` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResumeConversationParams {
    /// The rollout.
    pub path: PathBuf,
    /// Settings that differ from the configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<NewConversationParams>,
}

/// `resumeConversation` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResumeConversationResponse {
    /// The conversation (the same id as recorded).
    pub conversation_id: ConversationId,
    /// Its model.
    pub model: String,
    /// The recorded events, to redraw a transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_messages: Option<Vec<EventMsg>>,
    /// Its rollout.
    pub rollout_path: PathBuf,
}

/// `forkConversation` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ForkConversationParams {
    /// The rollout to fork from.
    pub path: PathBuf,
    /// Keep the history before this user message (0-based); absent keeps all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth_user_message: Option<usize>,
    /// Settings that differ from the configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<NewConversationParams>,
}

/// `forkConversation` result: a new conversation.
pub type ForkConversationResponse = ResumeConversationResponse;

/// `archiveConversation` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ArchiveConversationParams {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its rollout (must belong to it).
    pub rollout_path: PathBuf,
}

/// `archiveConversation` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArchiveConversationResponse {}

/// `setDefaultModel` params; an absent field removes the key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SetDefaultModelParams {
    /// The model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The reasoning effort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
}

/// `setDefaultModel` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetDefaultModelResponse {}

/// `loginApiKey` params.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginApiKeyParams {
    /// The key.
    pub api_key: String,
}

impl std::fmt::Debug for LoginApiKeyParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginApiKeyParams").finish_non_exhaustive()
    }
}

/// `loginApiKey` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LoginApiKeyResponse {}

/// `logout` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogoutResponse {}

/// How the user is logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AuthMethod {
    /// An API key.
    #[serde(rename = "apikey")]
    ApiKey,
    /// A ChatGPT account.
    #[serde(rename = "chatgpt")]
    ChatGpt,
}

/// `getAuthStatus` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GetAuthStatusParams {
    /// Include the API key in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_token: Option<bool>,
}

/// `getAuthStatus` result.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GetAuthStatusResponse {
    /// The login method; absent when logged out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<AuthMethod>,
    /// The key, when asked for with `includeToken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
}

impl std::fmt::Debug for GetAuthStatusResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetAuthStatusResponse")
            .field("auth_method", &self.auth_method)
            .finish_non_exhaustive()
    }
}

/// `userInfo` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserInfoResponse {
    /// The email in the stored id token (not verified with the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alleged_user_email: Option<String>,
}

/// `getUserAgent` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GetUserAgentResponse {
    /// The user agent.
    pub user_agent: String,
}

/// `execCommandApproval` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExecCommandApprovalParams {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The tool call.
    pub call_id: String,
    /// argv.
    pub command: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Why approval is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `execCommandApproval` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExecCommandApprovalResponse {
    /// The decision.
    pub decision: ReviewDecision,
}

/// `applyPatchApproval` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplyPatchApprovalParams {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The tool call.
    pub call_id: String,
    /// The changes, by path.
    pub file_changes: BTreeMap<PathBuf, FileChange>,
    /// Why approval is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `applyPatchApproval` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApplyPatchApprovalResponse {
    /// The decision.
    pub decision: ReviewDecision,
}

/// A notification from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "method", content = "params")]
#[non_exhaustive]
pub enum ServerNotification {
    /// The first notification of a listener: the conversation is ready.
    #[serde(rename = "sessionConfigured")]
    SessionConfigured(SessionConfiguredNotification),
    /// Every later event of a listened-to conversation.
    #[serde(rename = "codex/event")]
    ConversationEvent(ConversationEventNotification),
    /// The stored credentials changed.
    #[serde(rename = "authStatusChange")]
    AuthStatusChange(AuthStatusChangeNotification),
}

/// `sessionConfigured` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionConfiguredNotification {
    /// The conversation.
    pub session_id: ConversationId,
    /// Its model.
    pub model: String,
    /// Its reasoning effort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Its rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_path: Option<PathBuf>,
    /// Recorded events of a resumed conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_messages: Option<Vec<EventMsg>>,
}

/// `codex/event` params: one event of a conversation (the library's `Event`, plus the conversation id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationEventNotification {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The submission the event belongs to.
    pub id: SubmissionId,
    /// The event.
    pub msg: EventMsg,
}

/// `authStatusChange` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthStatusChangeNotification {
    /// The login method now; absent when logged out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<AuthMethod>,
}
