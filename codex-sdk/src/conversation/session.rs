//! The submission loop: one task per conversation that receives [`Submission`]s, runs at most one turn at a
//! time (as its own task), and handles interrupts, approvals and shutdown.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::review::run_review;
use super::shared::{PendingInput, SessionShared, TurnContext};
use super::turn::{Outcome, finish, run_turn};
use crate::protocol::{
    EventMsg, Op, RawResponseItemEvent, Submission, SubmissionId, TurnAbortReason,
    TurnAbortedEvent, UserInput, WarningEvent,
};
use crate::rollout::RolloutRecorder;

/// What the running task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskKind {
    Turn,
    Review,
    Compact,
}

struct ActiveTurn {
    kind: TaskKind,
    sub_id: SubmissionId,
    handle: JoinHandle<()>,
    cancel: CancellationToken,
    pending: PendingInput,
}

pub(crate) struct Session {
    shared: Arc<SessionShared>,
    turn_context: TurnContext,
    active: Option<ActiveTurn>,
    rx: mpsc::Receiver<Box<Submission>>,
    /// Whether the client was told that the rollout stopped being written (told once).
    rollout_failure_reported: bool,
    /// Whether the rollout was closed by [`Op::Shutdown`].
    rollout_closed: bool,
}

enum Flow {
    Continue,
    Stop,
}

impl Session {
    pub(crate) fn new(
        shared: Arc<SessionShared>,
        turn_context: TurnContext,
        rx: mpsc::Receiver<Box<Submission>>,
    ) -> Self {
        Self {
            shared,
            turn_context,
            active: None,
            rx,
            rollout_failure_reported: false,
            rollout_closed: false,
        }
    }

    /// Runs until shutdown, until every submitter is gone, or until the event consumer is gone.
    pub(crate) async fn run(mut self) {
        let events_tx = self.shared.events_tx.clone();
        loop {
            tokio::select! {
                sub = self.rx.recv() => match sub {
                    Some(sub) => {
                        if matches!(self.handle(*sub).await, Flow::Stop) {
                            break;
                        }
                    }
                    None => {
                        self.abort_active(TurnAbortReason::Interrupted).await;
                        break;
                    }
                },
                panicked = wait_finished(&mut self.active) => self.on_turn_finished(panicked).await,
                error = rollout_failed(self.shared.rollout.as_ref()), if !self.rollout_failure_reported => {
                    self.report_rollout_failure(&error).await;
                }
                () = self.shared.codex_closed.cancelled() => {
                    tracing::debug!(conversation = %self.shared.id, "its Codex was dropped; shutting down");
                    let shutdown = Submission { id: SubmissionId::from("codex_dropped"), op: Op::Shutdown };
                    self.handle(shutdown).await;
                    break;
                }
                () = events_tx.closed() => {
                    tracing::debug!(conversation = %self.shared.id, "event consumer gone; shutting down");
                    self.abort_active(TurnAbortReason::Interrupted).await;
                    break;
                }
            }
        }
        if let Some(mcp) = &self.shared.mcp {
            mcp.close(&self.shared.tools);
        }
        if !self.rollout_closed {
            self.shared.close_rollout().await;
        }
        // The conversation is over even if the host still holds it: its tools go now, and with them every
        // terminal session and process they still own.
        self.shared.tools.clear();
    }

    /// Tells the client, once, that the rollout stopped being written: a `Warning` (the conversation
    /// itself goes on), carrying the running turn's submission id when there is one.
    async fn report_rollout_failure(&mut self, error: &std::io::Error) {
        self.rollout_failure_reported = true;
        let sub_id = self
            .active
            .as_ref()
            .map_or_else(|| SubmissionId::from("rollout"), |a| a.sub_id.clone());
        let message = self.shared.rollout_failure_message(error);
        self.shared
            .sink(sub_id)
            .send(EventMsg::Warning(WarningEvent { message }))
            .await;
    }

    async fn handle(&mut self, sub: Submission) -> Flow {
        match sub.op {
            Op::UserInput { items } => {
                if let Some(active) = &self.active {
                    lock(&active.pending).push(items);
                } else {
                    self.start_turn(sub.id, items);
                }
            }
            Op::UserTurn {
                items,
                cwd,
                model,
                effort,
                summary,
                output_schema,
                approval_policy,
                sandbox_policy,
            } => {
                let tc = &mut self.turn_context;
                tc.set_model(model);
                tc.cwd = cwd;
                tc.effort = effort;
                tc.summary = summary;
                tc.output_schema = output_schema;
                if let Some(p) = approval_policy {
                    tc.approval_policy = p;
                }
                if let Some(p) = sandbox_policy {
                    tc.sandbox_policy = p;
                }
                self.abort_active(TurnAbortReason::Replaced).await;
                self.start_turn(sub.id, items);
            }
            Op::OverrideTurnContext {
                cwd,
                model,
                effort,
                summary,
                approval_policy,
                sandbox_policy,
            } => {
                let tc = &mut self.turn_context;
                if let Some(model) = model {
                    tc.set_model(model);
                }
                if let Some(cwd) = cwd {
                    tc.cwd = cwd;
                }
                if let Some(effort) = effort {
                    tc.effort = effort;
                }
                if let Some(summary) = summary {
                    tc.summary = summary;
                }
                if let Some(p) = approval_policy {
                    tc.approval_policy = p;
                }
                if let Some(p) = sandbox_policy {
                    tc.sandbox_policy = p;
                }
            }
            Op::ExecApproval { id, decision }
            | Op::PatchApproval { id, decision }
            | Op::McpToolApproval { id, decision } => {
                if !self.shared.approvals.resolve(&id, decision) {
                    self.shared
                        .sink(sub.id)
                        .send(EventMsg::Warning(WarningEvent {
                            message: format!("no approval request `{id}` is waiting"),
                        }))
                        .await;
                }
            }
            Op::ResolveMcpElicitation {
                server,
                request_id,
                action,
                content,
            } => {
                if !self.shared.approvals.resolve_elicitation(
                    &server,
                    &request_id,
                    (action, content),
                ) {
                    self.shared
                        .sink(sub.id)
                        .send(EventMsg::Warning(WarningEvent {
                            message: format!(
                                "no elicitation `{request_id}` of MCP server `{server}` is waiting"
                            ),
                        }))
                        .await;
                }
            }
            Op::Compact => {
                self.abort_active(TurnAbortReason::Replaced).await;
                let (shared, tc) = (Arc::clone(&self.shared), self.turn_context.clone());
                let sink = self.shared.sink(sub.id.clone());
                self.spawn_task(TaskKind::Compact, sub.id, move |_cancel| async move {
                    sink.send(EventMsg::TaskStarted(crate::protocol::TaskStartedEvent {
                        model_context_window: tc.context_window,
                    }))
                    .await;
                    let env = shared.primary_env();
                    let outcome = match super::compact::compact(
                        &shared,
                        &env,
                        &tc,
                        &sink,
                        crate::protocol::CompactionTrigger::Manual,
                    )
                    .await
                    {
                        Ok(()) => Outcome::Completed(None),
                        Err(err) => Outcome::Failed(err),
                    };
                    finish(&shared, &tc, &sink, outcome).await;
                });
            }
            Op::Review { review_request } => {
                self.abort_active(TurnAbortReason::Replaced).await;
                let (shared, tc) = (Arc::clone(&self.shared), self.turn_context.clone());
                let sink = self.shared.sink(sub.id.clone());
                self.spawn_task(TaskKind::Review, sub.id, move |cancel| {
                    run_review(shared, tc, sink, review_request, cancel)
                });
            }
            Op::Interrupt => self.abort_active(TurnAbortReason::Interrupted).await,
            Op::GetPath => self.shared.send_path(sub.id).await,
            Op::Shutdown => {
                self.abort_active(TurnAbortReason::Interrupted).await;
                self.shared.wait_for_notifications().await;
                self.rollout_closed = true;
                let sink = self.shared.sink(sub.id);
                if let Some(error) = self.shared.close_rollout().await {
                    // The shutdown's own error event (after any turn's terminal event), so
                    // `Conversation::shutdown` can return it.
                    let message = match &error {
                        crate::Error::Io(e) => self.shared.rollout_failure_message(e),
                        other => other.to_string(),
                    };
                    sink.send(EventMsg::Error(crate::protocol::ErrorEvent {
                        message,
                        code: error.code(),
                    }))
                    .await;
                }
                sink.send(EventMsg::ShutdownComplete).await;
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    fn start_turn(&mut self, sub_id: SubmissionId, items: Vec<UserInput>) {
        self.shared.record_turn_context(&self.turn_context);
        let cancel = CancellationToken::new();
        let pending = PendingInput::default();
        let sink = self
            .shared
            .sink(sub_id.clone())
            .with_telemetry(self.shared.telemetry.for_model(&self.turn_context.model));
        let handle = tokio::spawn(run_turn(
            Arc::clone(&self.shared),
            self.turn_context.clone(),
            sink,
            items,
            Arc::clone(&pending),
            cancel.clone(),
        ));
        self.active = Some(ActiveTurn {
            kind: TaskKind::Turn,
            sub_id,
            handle,
            cancel,
            pending,
        });
    }

    /// Runs a non-turn task (compaction, review) as the active task.
    fn spawn_task<F, Fut>(&mut self, kind: TaskKind, sub_id: SubmissionId, task: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let cancel = CancellationToken::new();
        let handle = tokio::spawn(task(cancel.clone()));
        self.active = Some(ActiveTurn {
            kind,
            sub_id,
            handle,
            cancel,
            pending: PendingInput::default(),
        });
    }

    /// A turn ended on its own. Input that arrived too late for it starts the next turn.
    async fn on_turn_finished(&mut self, panicked: bool) {
        let Some(active) = self.active.take() else {
            return;
        };
        if panicked {
            self.shared
                .open_calls
                .end_all(|id| self.shared.sink(id), "aborted: internal error")
                .await;
            self.shared
                .lock_history()
                .answer_unanswered_calls("aborted: internal error");
            self.shared
                .sink(active.sub_id.clone())
                .send(EventMsg::Error(crate::protocol::ErrorEvent {
                    message: "internal error: the turn task panicked".to_owned(),
                    code: crate::ErrorCode::Internal,
                }))
                .await;
        }
        let queued: Vec<UserInput> = lock(&active.pending).drain(..).flatten().collect();
        if !queued.is_empty() {
            self.start_turn(active.sub_id, queued);
        }
    }

    /// Aborts the running turn (model stream and tools), answers its unanswered tool calls so the history
    /// stays valid, and emits `TurnAborted` unless the turn had already finished.
    async fn abort_active(&mut self, reason: TurnAbortReason) {
        let Some(active) = self.active.take() else {
            return;
        };
        active.cancel.cancel();
        active.handle.abort();
        let finished_by_itself = active.handle.await.is_ok();
        self.shared
            .open_calls
            .end_all(
                |id| self.shared.sink(id),
                "aborted: the turn was interrupted",
            )
            .await;
        let sink = self.shared.sink(active.sub_id);
        let repaired = self
            .shared
            .lock_history()
            .answer_unanswered_calls("aborted: the turn was interrupted");
        for item in repaired {
            sink.send(EventMsg::RawResponseItem(RawResponseItemEvent { item }))
                .await;
        }
        if !finished_by_itself {
            if active.kind == TaskKind::Review {
                sink.send(EventMsg::ExitedReviewMode(
                    crate::protocol::ExitedReviewModeEvent {
                        review_output: None,
                    },
                ))
                .await;
            }
            sink.send(EventMsg::TurnAborted(TurnAbortedEvent { reason }))
                .await;
        }
    }
}

/// Resolves when the rollout stops being written (never without a rollout or a failure).
async fn rollout_failed(rollout: Option<&RolloutRecorder>) -> std::io::Error {
    match rollout {
        Some(recorder) => recorder.failed().await,
        None => std::future::pending().await,
    }
}

/// Resolves when the running turn's task ends; `true` when it panicked.
async fn wait_finished(active: &mut Option<ActiveTurn>) -> bool {
    match active {
        Some(turn) => match (&mut turn.handle).await {
            Ok(()) => false,
            Err(err) => {
                tracing::error!(error = %err, "a turn task ended abnormally");
                true
            }
        },
        None => std::future::pending().await,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
