//! Approvals: the [`ApprovalHandler`] foreign trait (a Swift protocol with an async decision) as the core's
//! approval handler.
//!
//! Fail closed, as the core: a handler that throws, or answers with a decision that does not parse, means
//! denied.

use std::sync::Arc;

use codex_sdk::conversation::approval::{
    ApprovalHandler as CoreApprovalHandler, ApprovalRequest as CoreApprovalRequest,
};
use codex_sdk::protocol::ReviewDecision as CoreDecision;

use crate::error::CodexError;
use crate::json::{
    ApplyPatchApprovalRequestEvent, ExecApprovalRequestEvent, McpToolCallApprovalRequestEvent,
    ReviewDecision,
};

/// Something that needs the host's approval.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ApprovalRequest {
    /// Run a command.
    Exec {
        /// The command, its working directory and why it needs approval.
        request: ExecApprovalRequestEvent,
    },
    /// Apply a patch.
    ApplyPatch {
        /// The changes and why they need approval.
        request: ApplyPatchApprovalRequestEvent,
    },
    /// Call a tool of an MCP server.
    McpToolCall {
        /// The server, the tool, its arguments and why it needs approval.
        request: McpToolCallApprovalRequestEvent,
    },
}

/// Answers approval requests, implemented by the host.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait ApprovalHandler: Send + Sync {
    /// Decides on one request. Throwing means denied.
    async fn decide(&self, request: ApprovalRequest) -> Result<ReviewDecision, CodexError>;
}

/// The host's handler as the core's.
pub(crate) struct HostApprovals(pub(crate) Arc<dyn ApprovalHandler>);

#[async_trait::async_trait]
impl CoreApprovalHandler for HostApprovals {
    async fn decide(&self, request: CoreApprovalRequest) -> CoreDecision {
        let request = match request {
            CoreApprovalRequest::Exec(e) => ExecApprovalRequestEvent::encode(&e)
                .map(|request| ApprovalRequest::Exec { request }),
            CoreApprovalRequest::ApplyPatch(e) => ApplyPatchApprovalRequestEvent::encode(&e)
                .map(|request| ApprovalRequest::ApplyPatch { request }),
            CoreApprovalRequest::McpToolCall(e) => McpToolCallApprovalRequestEvent::encode(&e)
                .map(|request| ApprovalRequest::McpToolCall { request }),
            _ => return CoreDecision::Denied,
        };
        let Ok(request) = request else {
            return CoreDecision::Denied;
        };
        match self.0.decide(request).await {
            Ok(decision) => decision.decode().unwrap_or(CoreDecision::Denied),
            Err(_) => CoreDecision::Denied,
        }
    }
}
