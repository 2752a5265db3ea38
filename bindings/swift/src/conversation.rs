//! `Conversation`: one conversation — run turns, stream their events, submit ops, interrupt.
//!
//! The core conversation sits behind an async lock: a turn (`runTurn`, a turn stream, a subscription) or
//! `nextEvent` holds it while it reads events, so there is exactly one reader. Ops (`submit`, `send`,
//! `interrupt`) go through the core's handle and never wait for the lock.

use std::sync::Arc;

use codex_sdk::protocol::ConversationId;
use codex_sdk::{ConversationHandle, TurnInput};
use tokio::sync::Mutex;

use crate::error::CodexError;
use crate::json::{Event, Op, ResponseItem, SessionConfiguredEvent, TokenUsage};
use crate::runtime::{self, CancelToken};
use crate::stream::{EventListener, Shared, TurnStream, TurnSubscription, lock};
use crate::tools::{CodexTool, function_tool};

/// What a completed turn produced.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TurnResult {
    /// The last assistant message.
    pub final_message: Option<String>,
    /// Every item the turn added to the history (user input, messages, reasoning, tool calls and outputs).
    pub items: Vec<ResponseItem>,
    /// Tokens used by the turn's model requests.
    pub usage: TokenUsage,
}

impl TurnResult {
    fn from_core(result: &codex_sdk::TurnResult) -> Result<Self, CodexError> {
        Ok(Self {
            final_message: result.final_message.clone(),
            items: result
                .items
                .iter()
                .map(ResponseItem::encode)
                .collect::<Result<_, _>>()?,
            usage: TokenUsage::encode(&result.usage)?,
        })
    }
}

/// One conversation.
#[derive(Debug, uniffi::Object)]
pub struct Conversation {
    id: ConversationId,
    handle: ConversationHandle,
    configured: SessionConfiguredEvent,
    inner: Shared,
}

impl Conversation {
    pub(crate) fn new(conversation: codex_sdk::Conversation) -> Result<Self, CodexError> {
        Ok(Self {
            id: conversation.id(),
            handle: conversation.handle(),
            configured: SessionConfiguredEvent::encode(conversation.session_configured())?,
            inner: Arc::new(Mutex::new(Some(conversation))),
        })
    }
}

#[uniffi::export]
impl Conversation {
    /// The conversation's id (a UUID).
    pub fn id(&self) -> String {
        self.id.to_string()
    }

    /// The `sessionConfigured` event (also the first event of `nextEvent`).
    pub fn session_configured(&self) -> SessionConfiguredEvent {
        self.configured.clone()
    }

    /// Runs a turn with `input` and waits for its end. Cancelling `cancel` interrupts the turn (and fails
    /// with `interrupted`), as does an `interrupt()` from elsewhere.
    ///
    /// Fails with the code of the turn's error event, `interrupted` when it is aborted, `closed` when the
    /// conversation has ended.
    #[uniffi::method(default(cancel = None))]
    pub async fn run_turn(
        &self,
        input: String,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<TurnResult, CodexError> {
        let inner = Arc::clone(&self.inner);
        let work = async move {
            let mut conversation = lock(&inner).await?;
            let result = conversation.run(input).await?;
            TurnResult::from_core(&result)
        };
        runtime::run_cancellable(work, cancel).await
    }

    /// Starts a turn with `input` and returns its events to pull. Errors (e.g. `closed`) come from the
    /// first `next()`.
    pub fn start_turn(&self, input: String) -> Result<Arc<TurnStream>, CodexError> {
        TurnStream::start(Arc::clone(&self.inner), TurnInput::from(input))
    }

    /// Starts a turn with `input` and delivers its events to `listener`. Keep the returned handle: dropping
    /// it cancels the subscription.
    pub fn subscribe(
        &self,
        input: String,
        listener: Arc<dyn EventListener>,
    ) -> Result<Arc<TurnSubscription>, CodexError> {
        TurnSubscription::start(Arc::clone(&self.inner), TurnInput::from(input), listener)
    }

    /// The next event of the conversation, whatever turn it belongs to (for hosts that drive it with
    /// `submit`); `nil` once the conversation has ended. Cancelling `cancel` stops the wait.
    #[uniffi::method(default(cancel = None))]
    pub async fn next_event(
        &self,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<Option<Event>, CodexError> {
        let inner = Arc::clone(&self.inner);
        let work = async move {
            let Ok(mut conversation) = lock(&inner).await else {
                return Ok(None);
            };
            conversation
                .next_event()
                .await
                .map(|event| Event::encode(&event))
                .transpose()
        };
        runtime::run_cancellable(work, cancel).await
    }

    /// Sends user text: it starts a turn, or joins the running one. Returns the submission id.
    pub async fn send(&self, text: String) -> Result<String, CodexError> {
        let handle = self.handle.clone();
        runtime::run(async move {
            let items = TurnInput::from(text).0;
            let op = codex_sdk::protocol::Op::UserInput { items };
            Ok(handle.submit(op).await?.0)
        })
        .await
    }

    /// Submits an op; its events carry the returned submission id.
    pub async fn submit(&self, op: Op) -> Result<String, CodexError> {
        let op = op.decode()?;
        let handle = self.handle.clone();
        runtime::run(async move { Ok(handle.submit(op).await?.0) }).await
    }

    /// Aborts the running turn; the conversation stays usable.
    pub async fn interrupt(&self) -> Result<(), CodexError> {
        let handle = self.handle.clone();
        runtime::run(async move { Ok(handle.interrupt().await?) }).await
    }

    /// Shuts the conversation down (waiting for a running turn's reader to let go) and waits for
    /// `shutdownComplete`. Later calls fail with `closed`.
    pub async fn shutdown(&self) -> Result<(), CodexError> {
        let inner = Arc::clone(&self.inner);
        runtime::run(async move {
            let conversation = inner.lock_owned().await.take();
            match conversation {
                Some(conversation) => Ok(conversation.shutdown().await?),
                None => Err(codex_sdk::Error::Closed.into()),
            }
        })
        .await
    }

    /// Registers a host tool for the following model requests.
    pub fn register_tool(&self, tool: Arc<dyn CodexTool>) -> Result<(), CodexError> {
        Ok(self.handle.tools().register(function_tool(tool)?)?)
    }

    /// Unregisters a tool; returns whether it was registered.
    pub fn unregister_tool(&self, name: String) -> bool {
        self.handle.tools().unregister(&name)
    }

    /// The names of the conversation's tools.
    pub fn tool_names(&self) -> Vec<String> {
        self.handle.tools().names()
    }
}
