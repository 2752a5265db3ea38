//! One conversation as the server holds it: the submitting handle, its event stream, and the listener
//! task that turns events into notifications (and approval requests into server requests) while at least
//! one subscription is active. Without a listener the events wait in the conversation's bounded buffer,
//! so the first notification a listener sees is `sessionConfigured`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::outgoing::Outgoing;
use super::v1::{
    self, ConversationEventNotification, ExecCommandApprovalParams, ServerNotification,
    SessionConfiguredNotification, server_methods,
};
use super::v2::{self, Out, ThreadShared, Translator};
use crate::conversation::{ConversationHandle, EventStream};
use crate::protocol::{ConversationId, Event, EventMsg, Op, ReviewDecision, TurnAbortReason};

/// A conversation served on this connection.
#[derive(Debug)]
pub(crate) struct ServedConversation {
    pub(crate) handle: ConversationHandle,
    events: Arc<tokio::sync::Mutex<Option<EventStream>>>,
    state: Mutex<ListenState>,
    /// A turn was submitted and its terminal event not yet forwarded.
    turn_active: AtomicBool,
    interrupts: Arc<Mutex<Vec<oneshot::Sender<TurnAbortReason>>>>,
    /// Set for threads started through the v2 protocol: their events are translated to v2.
    pub(crate) v2: Option<Arc<ThreadShared>>,
}

#[derive(Debug, Default)]
struct ListenState {
    subscriptions: HashSet<String>,
    task: Option<(CancellationToken, JoinHandle<()>)>,
}

impl ServedConversation {
    pub(crate) fn new(
        handle: ConversationHandle,
        events: EventStream,
        v2: Option<Arc<ThreadShared>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            v2,
            handle,
            events: Arc::new(tokio::sync::Mutex::new(Some(events))),
            state: Mutex::new(ListenState::default()),
            turn_active: AtomicBool::new(false),
            interrupts: Arc::new(Mutex::new(Vec::new())),
        })
    }

    pub(crate) fn id(&self) -> ConversationId {
        self.handle.id()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ListenState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a subscription, starting the listener task when it is the first.
    pub(crate) fn subscribe(self: &Arc<Self>, subscription: String, outgoing: &Arc<Outgoing>) {
        let mut state = self.state();
        state.subscriptions.insert(subscription);
        if state.task.is_none() {
            let cancel = CancellationToken::new();
            let task = tokio::spawn(listen(
                Arc::clone(self),
                Arc::clone(outgoing),
                cancel.clone(),
            ));
            state.task = Some((cancel, task));
        }
    }

    /// Removes a subscription (stopping the listener after the last); `false` when it was not active.
    pub(crate) fn unsubscribe(&self, subscription: &str) -> bool {
        let mut state = self.state();
        if !state.subscriptions.remove(subscription) {
            return false;
        }
        if state.subscriptions.is_empty()
            && let Some((cancel, _)) = state.task.take()
        {
            cancel.cancel();
        }
        true
    }

    /// Whether a turn is running (as far as the listener has seen).
    pub(crate) fn is_turn_active(&self) -> bool {
        self.turn_active.load(Ordering::SeqCst)
    }

    pub(crate) fn mark_turn_submitted(&self) {
        self.turn_active.store(true, Ordering::SeqCst);
    }

    /// Interrupts the running turn. The receiver gets the abort reason once the listener forwards the
    /// turn's end; `None` when no turn is running or no listener would see its end (answered at once).
    pub(crate) async fn interrupt(
        &self,
    ) -> crate::Result<Option<oneshot::Receiver<TurnAbortReason>>> {
        let listening = self.state().task.is_some();
        let waiter = if listening && self.turn_active.load(Ordering::SeqCst) {
            let (tx, rx) = oneshot::channel();
            self.lock_interrupts().push(tx);
            Some(rx)
        } else {
            None
        };
        self.handle.interrupt().await?;
        Ok(waiter)
    }

    fn lock_interrupts(&self) -> std::sync::MutexGuard<'_, Vec<oneshot::Sender<TurnAbortReason>>> {
        self.interrupts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the listener and drops the event stream, which ends the conversation's session.
    pub(crate) async fn close(&self) {
        let task = {
            let mut state = self.state();
            state.subscriptions.clear();
            state.task.take()
        };
        if let Some((cancel, task)) = task {
            // Aborted rather than awaited: it may be waiting on a client that no longer reads.
            cancel.cancel();
            task.abort();
            let _ = task.await;
        }
        self.events.lock().await.take();
        self.lock_interrupts().clear();
    }
}

/// Forwards events until cancelled or the conversation ends.
async fn listen(conv: Arc<ServedConversation>, outgoing: Arc<Outgoing>, cancel: CancellationToken) {
    let mut guard = conv.events.lock().await;
    let Some(events) = guard.as_mut() else {
        return;
    };
    let id = conv.id();
    let mut translator = conv
        .v2
        .as_ref()
        .map(|shared| Translator::new(id.to_string(), Arc::clone(shared)));
    loop {
        let event = tokio::select! {
            biased;
            () = cancel.cancelled() => return,
            e = events.recv() => e,
        };
        let Some(event) = event else { return };
        let sent = match &mut translator {
            Some(t) => forward_v2(&conv, &outgoing, t, event).await,
            None => forward(&conv, &outgoing, id, event).await,
        };
        if !sent {
            return;
        }
    }
}

/// One event out in v2's shapes; `false` when the connection is gone.
async fn forward_v2(
    conv: &Arc<ServedConversation>,
    outgoing: &Arc<Outgoing>,
    translator: &mut Translator,
    event: Event,
) -> bool {
    track_turn(conv, &event.msg);
    for out in translator.translate(event.msg) {
        let handle = conv.handle.clone();
        match out {
            Out::Notify(n) => {
                if !outgoing.notify(&n).await {
                    return false;
                }
            }
            Out::AskExec(params) => {
                let outgoing = Arc::clone(outgoing);
                tokio::spawn(async move {
                    let decision = outgoing
                        .request::<v2::server_methods::CommandExecutionRequestApproval>(&params)
                        .await
                        .map_or(ReviewDecision::Denied, |r| r.decision.into());
                    let op = Op::ExecApproval {
                        id: params.item_id,
                        decision,
                    };
                    let _ = handle.submit(op).await;
                });
            }
            Out::AskPatch(params) => {
                let outgoing = Arc::clone(outgoing);
                tokio::spawn(async move {
                    let decision = outgoing
                        .request::<v2::server_methods::FileChangeRequestApproval>(&params)
                        .await
                        .map_or(ReviewDecision::Denied, |r| r.decision.into());
                    let op = Op::PatchApproval {
                        id: params.item_id,
                        decision,
                    };
                    let _ = handle.submit(op).await;
                });
            }
        }
    }
    true
}

/// Keeps the turn flag and the waiting interrupts up to date.
fn track_turn(conv: &ServedConversation, msg: &EventMsg) {
    match msg {
        EventMsg::TaskStarted(_) => conv.turn_active.store(true, Ordering::SeqCst),
        EventMsg::TurnAborted(e) => {
            conv.turn_active.store(false, Ordering::SeqCst);
            for tx in conv.lock_interrupts().drain(..) {
                let _ = tx.send(e.reason);
            }
        }
        m if m.is_turn_terminal() => conv.turn_active.store(false, Ordering::SeqCst),
        _ => {}
    }
}

/// One event out; `false` when the connection is gone.
async fn forward(
    conv: &Arc<ServedConversation>,
    outgoing: &Arc<Outgoing>,
    conversation_id: ConversationId,
    event: Event,
) -> bool {
    track_turn(conv, &event.msg);
    let notification = match event.msg {
        EventMsg::SessionConfigured(e) => {
            ServerNotification::SessionConfigured(SessionConfiguredNotification {
                session_id: e.session_id,
                model: e.model,
                reasoning_effort: e.reasoning_effort,
                rollout_path: e.rollout_path,
                initial_messages: e.initial_messages,
            })
        }
        msg => {
            ask_approval(conv, outgoing, conversation_id, &msg);
            ServerNotification::ConversationEvent(ConversationEventNotification {
                conversation_id,
                id: event.id,
                msg,
            })
        }
    };
    outgoing.notify(&notification).await
}

/// For an approval request event: asks the client in a task of its own (the listener keeps forwarding)
/// and submits the decision. No answer, an error answer or a closed connection is a denial.
fn ask_approval(
    conv: &Arc<ServedConversation>,
    outgoing: &Arc<Outgoing>,
    conversation_id: ConversationId,
    msg: &EventMsg,
) {
    let handle = conv.handle.clone();
    let outgoing = Arc::clone(outgoing);
    match msg {
        EventMsg::ExecApprovalRequest(e) => {
            let params = ExecCommandApprovalParams {
                conversation_id,
                call_id: e.call_id.clone(),
                command: e.command.clone(),
                cwd: e.cwd.clone(),
                reason: e.reason.clone(),
            };
            tokio::spawn(async move {
                let decision = outgoing
                    .request::<server_methods::ExecCommandApproval>(&params)
                    .await
                    .map_or(ReviewDecision::Denied, |r| r.decision);
                let op = Op::ExecApproval {
                    id: params.call_id,
                    decision,
                };
                let _ = handle.submit(op).await;
            });
        }
        EventMsg::ApplyPatchApprovalRequest(e) => {
            let params = v1::ApplyPatchApprovalParams {
                conversation_id,
                call_id: e.call_id.clone(),
                file_changes: e.changes.clone(),
                reason: e.reason.clone(),
            };
            tokio::spawn(async move {
                let decision = outgoing
                    .request::<server_methods::ApplyPatchApproval>(&params)
                    .await
                    .map_or(ReviewDecision::Denied, |r| r.decision);
                let op = Op::PatchApproval {
                    id: params.call_id,
                    decision,
                };
                let _ = handle.submit(op).await;
            });
        }
        _ => {}
    }
}
