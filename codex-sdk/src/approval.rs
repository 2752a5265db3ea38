//! Approvals: protocol-first (a request event, answered by an [`Op`](crate::protocol::Op)), with an optional
//! [`ApprovalHandler`] the host installs to answer with a plain callback.
//!
//! Fail closed: no handler and no answer within the timeout, a handler that fails, or a turn that is cancelled
//! while waiting all mean [`ReviewDecision::Denied`] — never an approval. Pending requests are keyed by call
//! id, so parallel calls never collide.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::events::EventSink;
use crate::protocol::{
    ApplyPatchApprovalRequestEvent, ElicitationAction, EventMsg, ExecApprovalRequestEvent,
    McpElicitationRequestEvent, McpToolCallApprovalRequestEvent, ReviewDecision,
};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How long a request waits for an answer before it is denied, by default.
pub const DEFAULT_APPROVAL_TIMEOUT: Duration = Duration::from_secs(600);

/// Something that needs the host's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApprovalRequest {
    /// Run a command.
    Exec(ExecApprovalRequestEvent),
    /// Apply a patch.
    ApplyPatch(ApplyPatchApprovalRequestEvent),
    /// Call an MCP server's tool.
    McpToolCall(McpToolCallApprovalRequestEvent),
}

impl ApprovalRequest {
    /// The key the answer must carry.
    #[must_use]
    pub fn call_id(&self) -> &str {
        match self {
            Self::Exec(e) => &e.call_id,
            Self::ApplyPatch(e) => &e.call_id,
            Self::McpToolCall(e) => &e.call_id,
        }
    }

    /// The request as the event a client sees (what bindings hand their host callbacks, as JSON).
    #[must_use]
    pub fn into_event(self) -> EventMsg {
        match self {
            Self::Exec(e) => EventMsg::ExecApprovalRequest(e),
            Self::ApplyPatch(e) => EventMsg::ApplyPatchApprovalRequest(e),
            Self::McpToolCall(e) => EventMsg::McpToolCallApprovalRequest(e),
        }
    }
}

/// Answers approval requests in process (what bindings install for a host callback).
#[async_trait]
pub trait ApprovalHandler: Send + Sync {
    /// Decides on one request.
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision;
}

/// An answer to an MCP elicitation request.
pub(crate) type ElicitationAnswer = (ElicitationAction, Option<serde_json::Value>);

/// The pending approvals of one conversation.
pub(crate) struct Approvals {
    pending: Mutex<HashMap<String, oneshot::Sender<ReviewDecision>>>,
    /// Pending MCP elicitations, by `<server>/<request id>`.
    elicitations: Mutex<HashMap<String, oneshot::Sender<ElicitationAnswer>>>,
    handler: Option<Arc<dyn ApprovalHandler>>,
    timeout: Duration,
    /// Commands (argv) answered with [`ReviewDecision::ApprovedForSession`]: not asked again.
    session_commands: Mutex<HashSet<Vec<String>>>,
}

impl std::fmt::Debug for Approvals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approvals")
            .field("has_handler", &self.handler.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Approvals {
    pub(crate) fn new(handler: Option<Arc<dyn ApprovalHandler>>, timeout: Duration) -> Self {
        Self {
            pending: Mutex::new(HashMap::new()),
            elicitations: Mutex::new(HashMap::new()),
            handler,
            timeout,
            session_commands: Mutex::new(HashSet::new()),
        }
    }

    /// Remembers a command approved for the rest of the conversation.
    pub(crate) fn approve_for_session(&self, command: &[String]) {
        self.session_commands
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(command.to_vec());
    }

    /// Whether a command was approved for the rest of the conversation.
    pub(crate) fn is_approved_for_session(&self, command: &[String]) -> bool {
        self.session_commands
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(command)
    }

    /// Emits the request event and waits for the first answer: the installed handler or an `Op`.
    pub(crate) async fn request(
        &self,
        sink: &EventSink,
        request: ApprovalRequest,
        cancel: &CancellationToken,
    ) -> ReviewDecision {
        let call_id = request.call_id().to_owned();
        let (tx, rx) = oneshot::channel();
        self.lock().insert(call_id.clone(), tx);
        let handler = self.handler.clone();
        let for_handler = request.clone();
        if !sink.send(request.into_event()).await {
            self.lock().remove(&call_id);
            return ReviewDecision::Denied;
        }
        let from_handler = async move {
            match handler {
                Some(h) => h.decide(for_handler).await,
                None => std::future::pending().await,
            }
        };
        let decision = tokio::select! {
            d = rx => d.unwrap_or(ReviewDecision::Denied),
            d = from_handler => d,
            () = tokio::time::sleep(self.timeout) => {
                tracing::info!(call_id = %call_id, "approval timed out; denied");
                ReviewDecision::Denied
            }
            () = cancel.cancelled() => ReviewDecision::Denied,
        };
        self.lock().remove(&call_id);
        decision
    }

    /// Emits an MCP elicitation request and waits for its answer: declined when none comes within the
    /// approval timeout or the turn is cancelled.
    pub(crate) async fn request_elicitation(
        &self,
        sink: &EventSink,
        request: McpElicitationRequestEvent,
        cancel: &CancellationToken,
    ) -> ElicitationAnswer {
        let key = format!("{}/{}", request.server, request.request_id);
        let (tx, rx) = oneshot::channel();
        lock(&self.elicitations).insert(key.clone(), tx);
        let declined = (ElicitationAction::Decline, None);
        if !sink.send(EventMsg::McpElicitationRequest(request)).await {
            lock(&self.elicitations).remove(&key);
            return declined;
        }
        let answer = tokio::select! {
            a = rx => a.unwrap_or(declined),
            () = tokio::time::sleep(self.timeout) => declined,
            () = cancel.cancelled() => declined,
        };
        lock(&self.elicitations).remove(&key);
        answer
    }

    /// Delivers an elicitation answer; returns whether that request was waiting.
    pub(crate) fn resolve_elicitation(
        &self,
        server: &str,
        request_id: &str,
        answer: ElicitationAnswer,
    ) -> bool {
        match lock(&self.elicitations).remove(&format!("{server}/{request_id}")) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// Delivers an answer; returns whether a request with that id was waiting.
    pub(crate) fn resolve(&self, call_id: &str, decision: ReviewDecision) -> bool {
        match self.lock().remove(call_id) {
            Some(tx) => tx.send(decision).is_ok(),
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<ReviewDecision>>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
