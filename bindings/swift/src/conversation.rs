//! `Conversation`: one conversation — run turns, stream their events, submit ops, interrupt.
//!
//! The core conversation is a [`SharedConversation`]: a turn (`runTurn`, a turn stream, a subscription)
//! or `nextEvent` holds it while it reads events, so there is exactly one reader. Ops (`submit`, `send`,
//! `interrupt`) go through the core's handle and never wait for the lock.

use std::sync::Arc;

use codex_sdk::conversation::SharedConversation;
use codex_sdk::protocol::ConversationId;
use codex_sdk::{ConversationHandle, TurnInput};

use crate::error::CodexError;
use crate::json::{Event, Op, SessionConfiguredEvent, TurnResult};
use crate::runtime::{self, CancelToken};
use crate::stream::{EventListener, TurnStream, TurnSubscription};
use crate::tools::{CodexTool, function_tool};

/// One conversation.
#[derive(Debug, uniffi::Object)]
pub struct Conversation {
    id: ConversationId,
    handle: ConversationHandle,
    configured: SessionConfiguredEvent,
    inner: SharedConversation,
    /// The conversation ends with the last handle on its `Codex`: a host that releases its `Codex` but
    /// keeps this conversation keeps it running.
    _codex: codex_sdk::Codex,
}

impl Conversation {
    pub(crate) fn new(
        conversation: codex_sdk::Conversation,
        codex: codex_sdk::Codex,
    ) -> Result<Arc<Self>, CodexError> {
        Ok(Arc::new(Self {
            id: conversation.id(),
            handle: conversation.handle(),
            configured: SessionConfiguredEvent::encode(conversation.session_configured())?,
            inner: conversation.into_shared(),
            _codex: codex,
        }))
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
            let result = inner.lock_owned().await.run(input).await?;
            TurnResult::encode(&result)
        };
        runtime::run_cancellable(work, cancel).await
    }

    /// Returns the events of a turn with `input` to pull; the turn starts with the first `next()`, which
    /// also reports errors (e.g. `closed`).
    pub fn start_turn(&self, input: String) -> Result<Arc<TurnStream>, CodexError> {
        Ok(TurnStream::new(
            Arc::clone(&self.inner),
            TurnInput::from(input),
        ))
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
            inner
                .lock_owned()
                .await
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
        runtime::run(async move { Ok(inner.lock_owned().await.shutdown().await?) }).await
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
