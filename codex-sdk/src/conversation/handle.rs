use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::events::EventStream;
use crate::protocol::{
    ConversationId, Event, EventMsg, Op, ResponseItem, SessionConfiguredEvent, SubmissionId,
    TokenUsage, UserInput,
};
use crate::tools::ToolRegistry;

/// The control side of a conversation: submit ops, identify it, reach its tools. Object-safe, so a
/// conversation can live in this process or behind a connection; [`ConversationHandle`] wraps it.
#[async_trait]
pub trait ConversationBackend: Send + Sync + std::fmt::Debug {
    /// The conversation's id.
    fn id(&self) -> ConversationId;

    /// Queues an op; its events will carry the returned id.
    ///
    /// # Errors
    /// [`Error::Closed`] when the conversation has ended; [`Error::InvalidInput`] for input that cannot be
    /// sent (e.g. an unreadable local image) — checked before anything is queued.
    async fn submit(&self, op: Op) -> Result<SubmissionId>;

    /// The conversation's tools.
    fn tools(&self) -> &ToolRegistry;
}

/// A cloneable handle to submit ops to a conversation from anywhere (another task, a UI callback). It cannot
/// read events: only the [`Conversation`] (or its [`EventStream`]) can.
#[derive(Clone, Debug)]
pub struct ConversationHandle {
    backend: Arc<dyn ConversationBackend>,
}

impl ConversationHandle {
    pub(crate) fn new(backend: Arc<dyn ConversationBackend>) -> Self {
        Self { backend }
    }

    /// The conversation's id.
    #[must_use]
    pub fn id(&self) -> ConversationId {
        self.backend.id()
    }

    /// Submits an op.
    ///
    /// # Errors
    /// See [`ConversationBackend::submit`].
    pub async fn submit(&self, op: Op) -> Result<SubmissionId> {
        self.backend.submit(op).await
    }

    /// Aborts the running turn; the conversation stays usable.
    ///
    /// # Errors
    /// [`Error::Closed`] when the conversation has ended.
    pub async fn interrupt(&self) -> Result<()> {
        self.backend.submit(Op::Interrupt).await.map(drop)
    }

    /// The conversation's tools; register or unregister between turns (or even during one: each model
    /// request sees the set as it was when the request was built).
    #[must_use]
    pub fn tools(&self) -> &ToolRegistry {
        self.backend.tools()
    }
}

/// User input for a turn: text, images, or several of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnInput(pub Vec<UserInput>);

impl From<&str> for TurnInput {
    fn from(s: &str) -> Self {
        Self(vec![UserInput::text(s)])
    }
}

impl From<String> for TurnInput {
    fn from(s: String) -> Self {
        Self(vec![UserInput::text(s)])
    }
}

impl From<UserInput> for TurnInput {
    fn from(i: UserInput) -> Self {
        Self(vec![i])
    }
}

impl From<Vec<UserInput>> for TurnInput {
    fn from(v: Vec<UserInput>) -> Self {
        Self(v)
    }
}

/// What a completed turn produced. Hosts receive it as JSON (`TurnResult` in the protocol schema).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TurnResult {
    /// Every item the turn added to the history (user input, messages, reasoning, tool calls and outputs).
    pub items: Vec<ResponseItem>,
    /// The last assistant message.
    pub final_message: Option<String>,
    /// Tokens used by the turn's model requests.
    pub usage: TokenUsage,
}

impl TurnResult {
    /// Folds one event of the turn into the result; `Some` once the turn has ended: `Ok` when it completed,
    /// else the error [`Conversation::run`] returns. Lets a host that streams a turn build the same result
    /// `run` returns.
    ///
    /// # Errors
    /// As [`Conversation::run`]: [`Error::Turn`], [`Error::Interrupted`], [`Error::Closed`].
    pub fn observe(&mut self, msg: EventMsg) -> Option<Result<()>> {
        match msg {
            EventMsg::RawResponseItem(e) => self.items.push(e.item),
            EventMsg::TokenCount(e) => {
                if let Some(info) = e.info {
                    self.usage.add_assign(&info.last_token_usage);
                }
            }
            EventMsg::TaskComplete(e) => {
                self.final_message = e.last_agent_message;
                return Some(Ok(()));
            }
            EventMsg::Error(e) => {
                return Some(Err(Error::Turn {
                    code: e.code,
                    message: e.message,
                }));
            }
            EventMsg::TurnAborted(_) => return Some(Err(Error::Interrupted)),
            EventMsg::ShutdownComplete => return Some(Err(Error::Closed)),
            _ => {}
        }
        None
    }
}

/// One conversation: submit [`Op`]s, read [`Event`]s.
///
/// Reading needs `&mut self`, so there is exactly one reader. Use [`Conversation::handle`] to submit from
/// elsewhere, or [`Conversation::into_parts`] to move the event stream into its own task.
///
/// Dropping the conversation (its event stream) shuts the conversation down.
///
/// [`Conversation::run`] and [`Conversation::stream`] are cancel-safe: when the future of `run` or the
/// [`TurnEvents`](super::TurnEvents) of `stream` is dropped before the turn's terminal event (a `break`, a cancelled task, a
/// timeout), the turn is interrupted, and the next `run` or `stream` first skips what is left of it.
#[derive(Debug)]
pub struct Conversation {
    pub(super) handle: ConversationHandle,
    pub(super) events: EventStream,
    configured: SessionConfiguredEvent,
    pub(super) abandoned: Option<AbandonedTurn>,
}

/// A turn whose reader went away before its terminal event.
#[derive(Debug)]
pub(super) struct AbandonedTurn {
    /// The submission that started it (its events carry this id).
    pub(super) sub_id: SubmissionId,
    /// The interrupt sent when it was abandoned (`None` when there was no runtime to send it from).
    pub(super) interrupt: Option<tokio::task::JoinHandle<()>>,
}

impl Conversation {
    pub(crate) fn new(
        handle: ConversationHandle,
        events: EventStream,
        configured: SessionConfiguredEvent,
    ) -> Self {
        Self {
            handle,
            events,
            configured,
            abandoned: None,
        }
    }

    /// A conversation over a backend of your own (a conversation in another process, a replay, a test
    /// double): it submits through `backend` and reads `events`, which the backend feeds in order. Every
    /// convenience (`run`, `stream`, cancel-safety, `shutdown`) works as for a local conversation, provided
    /// the backend answers with the same events: a turn ends with `TaskComplete`, `Error` or
    /// `TurnAborted`, and `Op::Shutdown` with `ShutdownComplete`. Events travel boxed (pointer-sized
    /// channel slots keep idle conversations small).
    #[must_use]
    pub fn from_backend(
        backend: Arc<dyn ConversationBackend>,
        events: tokio::sync::mpsc::Receiver<Box<Event>>,
        configured: SessionConfiguredEvent,
    ) -> Self {
        Self::new(
            ConversationHandle::new(backend),
            EventStream::new(events),
            configured,
        )
    }

    /// The conversation's id.
    #[must_use]
    pub fn id(&self) -> ConversationId {
        self.handle.id()
    }

    /// The `SessionConfigured` event (also the first event on the stream).
    #[must_use]
    pub fn session_configured(&self) -> &SessionConfiguredEvent {
        &self.configured
    }

    /// A cloneable handle for submitting from elsewhere.
    #[must_use]
    pub fn handle(&self) -> ConversationHandle {
        self.handle.clone()
    }

    /// The conversation's tools.
    #[must_use]
    pub fn tools(&self) -> &ToolRegistry {
        self.handle.tools()
    }

    /// Submits an op.
    ///
    /// # Errors
    /// See [`ConversationBackend::submit`].
    pub async fn submit(&self, op: Op) -> Result<SubmissionId> {
        self.handle.submit(op).await
    }

    /// Submits user input (starting a turn, or joining the running one).
    ///
    /// # Errors
    /// See [`ConversationBackend::submit`].
    pub async fn send(&self, input: impl Into<TurnInput>) -> Result<SubmissionId> {
        self.handle
            .submit(Op::UserInput {
                items: input.into().0,
            })
            .await
    }

    /// Aborts the running turn; the conversation stays usable.
    ///
    /// # Errors
    /// [`Error::Closed`] when the conversation has ended.
    pub async fn interrupt(&self) -> Result<()> {
        self.handle.interrupt().await
    }

    /// The next event, or `None` once the conversation has ended.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The event stream itself.
    pub fn events(&mut self) -> &mut EventStream {
        &mut self.events
    }

    /// Splits into the submitting handle and the event stream.
    #[must_use]
    pub fn into_parts(self) -> (ConversationHandle, EventStream) {
        (self.handle, self.events)
    }

    /// Sends input and waits for the turn to end. Dropping the future before then interrupts the turn.
    ///
    /// # Errors
    /// [`Error::Turn`] with the error event's code when the turn fails, [`Error::Interrupted`] when it is
    /// aborted, [`Error::Closed`] when the conversation ends first, and the errors of [`Conversation::send`].
    pub async fn run(&mut self, input: impl Into<TurnInput>) -> Result<TurnResult> {
        let mut turn = self.stream(input).await?;
        let mut result = TurnResult::default();
        while let Some(event) = turn.next_event().await {
            if let Some(done) = result.observe(event.msg) {
                return done.map(|()| result);
            }
        }
        Err(Error::Closed)
    }

    /// Waits for the interrupt of an abandoned turn, then skips its remaining events (up to its terminal
    /// event), so the next turn's reader sees only its own turn.
    pub(super) async fn settle_abandoned(&mut self) {
        let Some(abandoned) = self.abandoned.take() else {
            return;
        };
        match abandoned.interrupt {
            Some(task) => drop(task.await),
            None => drop(self.handle.interrupt().await),
        }
        // Turns run one at a time, so the next terminal event after the interrupt ends the abandoned turn
        // (whatever submission id it carries: input sent during a running turn joins that turn).
        while let Some(event) = self.events.recv().await {
            if event.msg.is_turn_terminal() || matches!(event.msg, EventMsg::ShutdownComplete) {
                tracing::trace!(abandoned = %abandoned.sub_id, "skipped the rest of an abandoned turn");
                break;
            }
        }
    }

    /// Shuts the conversation down and waits for `ShutdownComplete`. The rollout is written out first.
    ///
    /// # Errors
    /// [`Error::Closed`] if it had already ended; [`Error::Io`] when the rollout could not be written
    /// (the shutdown's own `Error` event, code [`ErrorCode::Io`](crate::ErrorCode::Io); the conversation
    /// is shut down all the same, and the file holds the whole lines written before the failure).
    pub async fn shutdown(&mut self) -> Result<()> {
        let sub_id = self.handle.submit(Op::Shutdown).await?;
        let mut failure = None;
        while let Some(event) = self.events.recv().await {
            match event.msg {
                EventMsg::ShutdownComplete => break,
                EventMsg::Error(e) if event.id == sub_id => {
                    failure = Some(Error::from_code(e.code, e.message));
                }
                _ => {}
            }
        }
        failure.map_or(Ok(()), Err)
    }
}
