use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::approval::{ApprovalRequest, Approvals};
use crate::events::EventSink;
use crate::protocol::{
    AskForApproval, ConversationId, EventMsg, ExecApprovalRequestEvent, ReviewDecision,
    SandboxPolicy, SubmissionId,
};
use crate::sandbox::ShellEnvironmentPolicy;

/// What a tool call may know and do besides its arguments: where it runs, under which policies, how to emit
/// events, ask for approval, and notice cancellation.
#[derive(Clone, Debug)]
pub struct ToolContext {
    pub(crate) conversation_id: ConversationId,
    pub(crate) cwd: PathBuf,
    pub(crate) approval_policy: AskForApproval,
    pub(crate) sandbox_policy: SandboxPolicy,
    pub(crate) events: EventSink,
    pub(crate) approvals: Arc<Approvals>,
    pub(crate) cancel: CancellationToken,
    pub(crate) turn: Arc<TurnScratch>,
    /// The call being handled (set by the registry for each dispatched call).
    pub(crate) call_id: Option<String>,
    /// The tool being called (set with `call_id`).
    pub(crate) tool_name: Option<String>,
    /// The environment policy of the processes the call starts.
    pub(crate) environment_policy: Arc<ShellEnvironmentPolicy>,
}

/// State shared by the tool calls of one turn (created fresh for every turn).
#[derive(Debug, Default)]
pub(crate) struct TurnScratch {
    /// Items to add to the history before the next model request (e.g. an image from `view_image`).
    pub(crate) injected_input: std::sync::Mutex<Vec<crate::protocol::ResponseItem>>,
    /// Files changed by `apply_patch` during the turn, with their contents before it (for `TurnDiff`).
    pub(crate) turn_diff: std::sync::Mutex<crate::tools::handlers::TurnDiffTracker>,
    /// A host tool's approval request was answered [`ReviewDecision::Abort`]: the call ends the turn.
    pub(crate) approval_aborted: std::sync::atomic::AtomicBool,
}

impl ToolContext {
    /// The conversation the call belongs to.
    #[must_use]
    pub fn conversation_id(&self) -> ConversationId {
        self.conversation_id
    }

    /// The submission (turn) the call belongs to.
    #[must_use]
    pub fn submission_id(&self) -> &SubmissionId {
        self.events.submission_id()
    }

    /// The id of the tool call being handled (the model's `call_id`); `None` outside a dispatched call.
    /// Useful as the key of an approval request the tool makes.
    #[must_use]
    pub fn call_id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }

    /// The turn's working directory.
    #[must_use]
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// Resolves `path` against the working directory.
    #[must_use]
    pub fn resolve_path(&self, path: impl AsRef<Path>) -> PathBuf {
        self.cwd.join(path)
    }

    /// The turn's approval policy.
    #[must_use]
    pub fn approval_policy(&self) -> AskForApproval {
        self.approval_policy
    }

    /// The turn's sandbox policy.
    #[must_use]
    pub fn sandbox_policy(&self) -> &SandboxPolicy {
        &self.sandbox_policy
    }

    /// How the environment of the processes this call starts is computed.
    #[must_use]
    pub fn shell_environment_policy(&self) -> &ShellEnvironmentPolicy {
        &self.environment_policy
    }

    /// Replaces the environment policy (for contexts built with [`ToolContext::detached`]).
    #[doc(hidden)]
    #[must_use]
    pub fn with_shell_environment_policy(mut self, policy: ShellEnvironmentPolicy) -> Self {
        self.environment_policy = Arc::new(policy);
        self
    }

    /// Cancelled when the turn is interrupted or replaced; long-running tools should stop promptly.
    #[must_use]
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Queues an item (e.g. an image) to be added to the history before the next model request of this turn.
    pub fn inject_input(&self, item: crate::protocol::ResponseItem) {
        self.turn
            .injected_input
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(item);
    }

    /// Remembers `command` as approved for the rest of the conversation (see
    /// [`ReviewDecision::ApprovedForSession`]).
    pub fn approve_command_for_session(&self, command: &[String]) {
        self.approvals.approve_for_session(command);
    }

    /// Whether `command` was approved for the rest of the conversation.
    #[must_use]
    pub fn is_command_approved_for_session(&self, command: &[String]) -> bool {
        self.approvals.is_approved_for_session(command)
    }

    /// The turn's diff tracker (files changed by `apply_patch` and their contents before the turn).
    pub(crate) fn turn_diff(
        &self,
    ) -> std::sync::MutexGuard<'_, crate::tools::handlers::TurnDiffTracker> {
        self.turn
            .turn_diff
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Emits an event on the conversation's stream, tagged with the turn's submission id.
    pub async fn emit(&self, msg: EventMsg) {
        self.events.send(msg).await;
    }

    /// Asks the host to approve something and waits for the decision. Fails closed: no answer within the
    /// approval timeout, or a cancelled turn, is [`ReviewDecision::Denied`].
    pub async fn request_approval(&self, request: ApprovalRequest) -> ReviewDecision {
        let call_id = request.call_id().to_owned();
        let decision = self
            .approvals
            .request(&self.events, request, &self.cancel)
            .await;
        self.record_decision(
            &call_id,
            decision,
            crate::telemetry::ToolDecisionSource::User,
        );
        decision
    }

    /// Reports a decision on whether the call may run (`codex.tool_decision`).
    pub(crate) fn record_decision(
        &self,
        call_id: &str,
        decision: ReviewDecision,
        source: crate::telemetry::ToolDecisionSource,
    ) {
        let tool = self.tool_name.as_deref().unwrap_or_default();
        self.events
            .telemetry()
            .tool_decision(tool, call_id, decision, source);
    }
}

impl ToolContext {
    /// Asks the user for input on behalf of an MCP server (declined when unanswered).
    pub(crate) async fn request_elicitation(
        &self,
        request: crate::protocol::McpElicitationRequestEvent,
    ) -> crate::conversation::approval::ElicitationAnswer {
        self.approvals
            .request_elicitation(&self.events, request, &self.cancel)
            .await
    }

    /// What a host tool calls to ask before running `command` (the path every binding's
    /// `ctx.request_approval` takes): an `ExecApprovalRequest` keyed by this call's id (so parallel calls
    /// never collide, and an `Op::ExecApproval` answers it by that id), in the turn's working directory.
    ///
    /// - A command approved for the session earlier is not asked again: [`ReviewDecision::ApprovedForSession`].
    /// - [`ReviewDecision::ApprovedForSession`] is remembered for the rest of the conversation.
    /// - [`ReviewDecision::Abort`] ends the turn as interrupted once the tool returns, whatever it returns
    ///   (for [`FunctionTool`](super::FunctionTool)s; a custom [`ToolHandler`](super::ToolHandler) checks
    ///   [`ToolContext::approval_aborted`]).
    /// - No answer in time, or a cancelled turn, is [`ReviewDecision::Denied`] (fail closed).
    pub async fn request_command_approval(
        &self,
        command: Vec<String>,
        reason: Option<String>,
    ) -> ReviewDecision {
        if self.is_command_approved_for_session(&command) {
            return ReviewDecision::ApprovedForSession;
        }
        let call_id = self
            .call_id
            .clone()
            .unwrap_or_else(|| self.submission_id().as_str().to_owned());
        let decision = self
            .request_approval(ApprovalRequest::Exec(ExecApprovalRequestEvent {
                call_id,
                command: command.clone(),
                cwd: self.cwd.clone(),
                reason,
            }))
            .await;
        match decision {
            ReviewDecision::ApprovedForSession => self.approve_command_for_session(&command),
            ReviewDecision::Abort => self
                .turn
                .approval_aborted
                .store(true, std::sync::atomic::Ordering::SeqCst),
            _ => {}
        }
        decision
    }

    /// Whether an approval requested through [`ToolContext::request_command_approval`] in this turn was
    /// answered [`ReviewDecision::Abort`].
    #[must_use]
    pub fn approval_aborted(&self) -> bool {
        self.turn
            .approval_aborted
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl ToolContext {
    /// A context outside any conversation, for exercising a handler directly: events go to the returned
    /// receiver, approvals are answered by `approvals` (or denied after `approval_timeout`).
    #[doc(hidden)]
    #[must_use]
    pub fn detached(
        cwd: impl Into<PathBuf>,
        approval_policy: AskForApproval,
        sandbox_policy: SandboxPolicy,
        approvals: Option<Arc<dyn crate::approval::ApprovalHandler>>,
        approval_timeout: std::time::Duration,
    ) -> (Self, crate::conversation::EventStream) {
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        let ctx = Self {
            conversation_id: ConversationId::new(),
            cwd: cwd.into(),
            approval_policy,
            sandbox_policy,
            events: EventSink::new(tx, SubmissionId::from("detached")),
            approvals: Arc::new(Approvals::new(approvals, approval_timeout)),
            cancel: CancellationToken::new(),
            turn: Arc::default(),
            call_id: None,
            tool_name: None,
            environment_policy: Arc::default(),
        };
        (ctx, crate::conversation::EventStream::new(rx))
    }
}
