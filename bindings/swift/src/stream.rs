//! The events of one turn, for the host: a pull iterator ([`TurnStream`]) and a listener
//! ([`EventListener`] with a [`TurnSubscription`] handle).
//!
//! Both read the core's own turn stream ([`OwnedTurnEvents`]), which holds the conversation for the length
//! of the turn (so turns never interleave and there is exactly one event reader): no second buffer, the
//! core's backpressure. When the host stops reading — `close()`/`cancel()`, a dropped stream or handle, a
//! listener that throws — the core stream is dropped, which interrupts the turn (the core skips its
//! leftovers before the next one).

use std::sync::Arc;

use codex_sdk::conversation::{OwnedTurnEvents, SharedConversation};
use codex_sdk::{Conversation, TurnInput};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::error::CodexError;
use crate::json::Event;
use crate::runtime::{self, cancelled};

/// Where a turn stream is.
enum Turn {
    /// Not read yet: the turn starts on the first read.
    Pending(SharedConversation, TurnInput),
    Running(OwnedTurnEvents),
    Ended,
}

impl Turn {
    /// The next event, starting the turn first if needed; `None` after the terminal event.
    async fn next(&mut self) -> Result<Option<codex_sdk::protocol::Event>, CodexError> {
        if matches!(self, Self::Pending(..))
            && let Self::Pending(conversation, input) = std::mem::replace(self, Self::Ended)
        {
            *self = Self::Running(Conversation::stream_shared(&conversation, input).await?);
        }
        let Self::Running(turn) = self else {
            return Ok(None);
        };
        let event = turn.next_event().await;
        if event.is_none() {
            *self = Self::Ended;
        }
        Ok(event)
    }
}

/// The events of one turn, pulled with [`TurnStream::next`]; it ends after the turn's terminal event
/// (`taskComplete`, `turnAborted` or `error`). Closing or dropping it before then interrupts the turn.
#[derive(uniffi::Object)]
pub struct TurnStream {
    turn: Arc<Mutex<Turn>>,
    stop: CancellationToken,
}

impl std::fmt::Debug for TurnStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnStream").finish_non_exhaustive()
    }
}

impl TurnStream {
    pub(crate) fn new(conversation: SharedConversation, input: TurnInput) -> Arc<Self> {
        Arc::new(Self {
            turn: Arc::new(Mutex::new(Turn::Pending(conversation, input))),
            stop: CancellationToken::new(),
        })
    }
}

#[uniffi::export]
impl TurnStream {
    /// The next event of the turn, or `nil` after its terminal event (or once closed).
    ///
    /// Fails when the input could not be sent (e.g. `closed`).
    pub async fn next(&self) -> Result<Option<Event>, CodexError> {
        let turn = Arc::clone(&self.turn);
        let stop = self.stop.clone();
        runtime::run(async move {
            let mut turn = turn.lock_owned().await;
            let event = tokio::select! {
                biased;
                () = stop.cancelled() => None,
                event = turn.next() => event?,
            };
            match event {
                Some(event) => Event::encode(&event).map(Some),
                None => {
                    *turn = Turn::Ended;
                    Ok(None)
                }
            }
        })
        .await
    }

    /// Stops reading: the turn is interrupted unless it has ended; `next` returns `nil`.
    pub fn close(&self) {
        self.stop.cancel();
        // A read in progress holds the turn; it sees `stop` and ends it itself.
        if let Ok(mut turn) = self.turn.try_lock() {
            let ended = std::mem::replace(&mut *turn, Turn::Ended);
            // Dropped inside the runtime, so the core sends the interrupt right away.
            let runtime = runtime::handle().ok();
            let _entered = runtime.as_ref().map(tokio::runtime::Handle::enter);
            drop(ended);
        }
    }
}

impl Drop for TurnStream {
    fn drop(&mut self) {
        self.close();
    }
}

/// Receives the events of one turn, implemented by the host. Calls come one at a time, in order; the turn
/// waits for each to return.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait EventListener: Send + Sync {
    /// One event. Throwing stops the subscription (interrupting the turn) and ends it with that error.
    async fn on_event(&self, event: Event) -> Result<(), CodexError>;

    /// The subscription ended: `error` is `nil` after the turn's terminal event; otherwise why it ended
    /// early (`interrupted` when cancelled).
    async fn on_end(&self, error: Option<CodexError>) -> Result<(), CodexError>;
}

/// A running subscription. Cancelling or dropping it stops the events and interrupts the turn unless it
/// has ended.
#[derive(Debug, uniffi::Object)]
pub struct TurnSubscription {
    stop: CancellationToken,
}

impl TurnSubscription {
    /// Starts the task that reads the turn and delivers to `listener`, one event at a time.
    pub(crate) fn start(
        conversation: SharedConversation,
        input: TurnInput,
        listener: Arc<dyn EventListener>,
    ) -> Result<Arc<Self>, CodexError> {
        let stop = CancellationToken::new();
        let task_stop = stop.clone();
        runtime::handle()?.spawn(async move {
            let result = deliver(Turn::Pending(conversation, input), &*listener, &task_stop).await;
            // The listener's own failure to take the end changes nothing.
            let _ = listener.on_end(result.err()).await;
        });
        Ok(Arc::new(Self { stop }))
    }
}

/// Delivers the turn's events until its end, `stop`, or a listener that throws.
async fn deliver(
    mut turn: Turn,
    listener: &dyn EventListener,
    stop: &CancellationToken,
) -> Result<(), CodexError> {
    loop {
        let event = tokio::select! {
            biased;
            () = stop.cancelled() => return Err(cancelled()),
            event = turn.next() => event?,
        };
        let Some(event) = event else {
            return Ok(());
        };
        tokio::select! {
            biased;
            () = stop.cancelled() => return Err(cancelled()),
            delivered = listener.on_event(Event::encode(&event)?) => delivered?,
        }
    }
}

#[uniffi::export]
impl TurnSubscription {
    /// Stops the subscription; the listener's `onEnd` gets `interrupted` unless the turn had ended.
    pub fn cancel(&self) {
        self.stop.cancel();
    }
}

impl Drop for TurnSubscription {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
