//! Protocol values cross the boundary as their serde JSON, carried by custom types named after them.
//!
//! Each type here is a uniffi custom type over `String` with the name of a protocol type. Swift's
//! `uniffi.toml` maps it onto the `Codable` type of the same name that `scripts/gen_types.py` generates
//! from `schema/protocol.schema.json`, so Swift signatures read `-> Event`, `op: Op`, and the one schema
//! stays the single source of every protocol type. Other hosts (the Python proof) see the JSON text.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::CodexError;

macro_rules! json_types {
    ($($(#[$doc:meta])* $name:ident => $core:ty;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        uniffi::custom_newtype!($name, String);

        impl $name {
            /// Serializes the core value.
            ///
            /// # Errors
            /// `internal` if it does not serialize.
            pub fn encode(value: &$core) -> Result<Self, CodexError> {
                to_json(value).map(Self)
            }

            /// Parses the core value.
            ///
            /// # Errors
            /// `invalidInput` for JSON that is not a valid value.
            pub fn decode(&self) -> Result<$core, CodexError> {
                from_json(stringify!($name), &self.0)
            }
        }
    )*};
}

json_types! {
    /// `codex_sdk::protocol::Event`: something that happened in a conversation.
    Event => codex_sdk::protocol::Event;
    /// `codex_sdk::protocol::Op`: a request into a conversation.
    Op => codex_sdk::protocol::Op;
    /// `codex_sdk::protocol::SessionConfiguredEvent`: the conversation is ready.
    SessionConfiguredEvent => codex_sdk::protocol::SessionConfiguredEvent;
    /// `codex_sdk::protocol::ExecApprovalRequestEvent`: a command waits for the host's decision.
    ExecApprovalRequestEvent => codex_sdk::protocol::ExecApprovalRequestEvent;
    /// `codex_sdk::protocol::ApplyPatchApprovalRequestEvent`: a patch waits for the host's decision.
    ApplyPatchApprovalRequestEvent => codex_sdk::protocol::ApplyPatchApprovalRequestEvent;
    /// `codex_sdk::protocol::McpToolCallApprovalRequestEvent`: an MCP tool call waits for the host's
    /// decision.
    McpToolCallApprovalRequestEvent => codex_sdk::protocol::McpToolCallApprovalRequestEvent;
    /// `codex_sdk::protocol::ReviewDecision`: the host's answer to an approval request.
    ReviewDecision => codex_sdk::protocol::ReviewDecision;
    /// `codex_sdk::protocol::ResponseItem`: one item of model-visible history.
    ResponseItem => codex_sdk::protocol::ResponseItem;
    /// `codex_sdk::protocol::TokenUsage`: token counts.
    TokenUsage => codex_sdk::protocol::TokenUsage;
    /// `codex_sdk::protocol::AskForApproval`: when the agent asks the host.
    AskForApproval => codex_sdk::protocol::AskForApproval;
    /// `codex_sdk::protocol::SandboxPolicy`: what commands may touch.
    SandboxPolicy => codex_sdk::protocol::SandboxPolicy;
    /// `codex_sdk::protocol::ReasoningEffort`: how hard a reasoning model thinks.
    ReasoningEffort => codex_sdk::protocol::ReasoningEffort;
    /// `codex_sdk::protocol::ReasoningSummary`: which reasoning summary the model produces.
    ReasoningSummary => codex_sdk::protocol::ReasoningSummary;
    /// `codex_sdk::TurnResult`: what a completed turn produced.
    TurnResult => codex_sdk::TurnResult;
    /// `codex_sdk::auth::AuthStatus`: what `auth.json` holds, without the secrets.
    AuthStatus => codex_sdk::auth::AuthStatus;
    /// `codex_sdk::protocol::ConversationsPage`: one page of recorded conversations.
    ConversationsPage => codex_sdk::protocol::ConversationsPage;
}

/// `codex_sdk::CodexOptions`: the settings of a `Codex` (host to core only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexOptions(pub String);

uniffi::custom_newtype!(CodexOptions, String);

impl CodexOptions {
    /// Parses the core's options.
    ///
    /// # Errors
    /// `invalidInput` naming the field that is unknown or has a bad value.
    pub fn decode(&self) -> Result<codex_sdk::CodexOptions, CodexError> {
        Ok(codex_sdk::CodexOptions::from_json(&self.0)?)
    }
}

/// Serializes a value as JSON text.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, CodexError> {
    serde_json::to_string(value)
        .map_err(|e| CodexError::internal(format!("cannot serialize for the host: {e}")))
}

/// Parses JSON text from the host; `what` names it in the error.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, CodexError> {
    serde_json::from_str(text)
        .map_err(|e| CodexError::invalid_input(format!("invalid {what}: {e}")))
}
