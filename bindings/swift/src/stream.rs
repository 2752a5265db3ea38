//! The events of one turn, for the host: a pull iterator ([`TurnStream`]) and a listener
//! ([`EventListener`] with a [`TurnSubscription`] handle).
//!
//! Both are fed by one pump task that holds the conversation for the length of the turn (so turns never
//! interleave and there is exactly one event reader) and owns the core's turn stream. When the host stops
//! reading — `close()`/`cancel()`, a dropped stream or handle, a listener that throws — the pump ends and
//! drops the core's turn stream, which interrupts the turn (the core skips its leftovers before the next
//! one). Backpressure is the core's: the pump waits for the host to take each event.

use std::future::Future;
use std::sync::Arc;

use codex_sdk::TurnInput;
use codex_sdk::protocol::Event as CoreEvent;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, mpsc};
use tokio_util::sync::CancellationToken;

use crate::error::CodexError;
use crate::json::Event;
use crate::runtime::{self, cancelled};

/// The conversation behind its lock; `None` once it was shut down.
pub(crate) type Shared = Arc<Mutex<Option<codex_sdk::Conversation>>>;

/// The locked conversation.
pub(crate) type Locked =
    OwnedMappedMutexGuard<Option<codex_sdk::Conversation>, codex_sdk::Conversation>;

/// Waits for the conversation (a running turn holds it).
///
/// # Errors
/// [`CodexError::Closed`] once it was shut down.
pub(crate) async fn lock(inner: &Shared) -> Result<Locked, CodexError> {
    tokio::sync::OwnedMutexGuard::try_map(Arc::clone(inner).lock_owned().await, Option::as_mut)
        .map_err(|_| CodexError::from(codex_sdk::Error::Closed))
}

/// Events buffered between the pump and a pull reader (on top of the core's own buffer).
const STREAM_BUFFER: usize = 16;

/// Streams one turn into `deliver` until its terminal event, `stop`, or a failed delivery.
async fn pump<F, Fut>(
    inner: Shared,
    input: TurnInput,
    stop: CancellationToken,
    mut deliver: F,
) -> Result<(), CodexError>
where
    F: FnMut(CoreEvent) -> Fut,
    Fut: Future<Output = Result<(), CodexError>>,
{
    let mut conversation = tokio::select! {
        biased;
        () = stop.cancelled() => return Err(cancelled()),
        conversation = lock(&inner) => conversation?,
    };
    let mut turn = conversation.stream(input).await?;
    loop {
        let event = tokio::select! {
            biased;
            () = stop.cancelled() => return Err(cancelled()),
            event = turn.next_event() => event,
        };
        let Some(event) = event else {
            return Ok(());
        };
        tokio::select! {
            biased;
            () = stop.cancelled() => return Err(cancelled()),
            delivered = deliver(event) => delivered?,
        }
    }
}

/// The events of one turn, pulled with [`TurnStream::next`]; it ends after the turn's terminal event
/// (`taskComplete`, `turnAborted` or `error`). Closing or dropping it before then interrupts the turn.
#[derive(Debug, uniffi::Object)]
pub struct TurnStream {
    rx: Mutex<mpsc::Receiver<Result<CoreEvent, CodexError>>>,
    stop: CancellationToken,
}

impl TurnStream {
    /// Starts the turn's pump.
    pub(crate) fn start(inner: Shared, input: TurnInput) -> Result<Arc<Self>, CodexError> {
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let stop = CancellationToken::new();
        let pump_stop = stop.clone();
        runtime::handle()?.spawn(async move {
            let sink = tx.clone();
            let result = pump(inner, input, pump_stop.clone(), |event| {
                let sink = sink.clone();
                async move { sink.send(Ok(event)).await.map_err(|_| cancelled()) }
            })
            .await;
            if let Err(err) = result
                && !pump_stop.is_cancelled()
            {
                // The reader may be gone already; then nobody is left to tell.
                let _ = tx.send(Err(err)).await;
            }
        });
        Ok(Arc::new(Self {
            rx: Mutex::new(rx),
            stop,
        }))
    }
}

#[uniffi::export]
impl TurnStream {
    /// The next event of the turn, or `nil` after its terminal event (or once closed).
    ///
    /// Fails when the input could not be sent (e.g. `closed`).
    pub async fn next(&self) -> Result<Option<Event>, CodexError> {
        let mut rx = self.rx.lock().await;
        match rx.recv().await {
            None => Ok(None),
            Some(Err(err)) => Err(err),
            Some(Ok(event)) => Event::encode(&event).map(Some),
        }
    }

    /// Stops reading: the turn is interrupted unless it has ended; `next` returns `nil`.
    pub fn close(&self) {
        self.stop.cancel();
    }
}

impl Drop for TurnStream {
    fn drop(&mut self) {
        self.stop.cancel();
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
    /// Starts the turn's pump, delivering to `listener`.
    pub(crate) fn start(
        inner: Shared,
        input: TurnInput,
        listener: Arc<dyn EventListener>,
    ) -> Result<Arc<Self>, CodexError> {
        let stop = CancellationToken::new();
        let pump_stop = stop.clone();
        runtime::handle()?.spawn(async move {
            let sink = Arc::clone(&listener);
            let result = pump(inner, input, pump_stop, |event| {
                let sink = Arc::clone(&sink);
                async move { sink.on_event(Event::encode(&event)?).await }
            })
            .await;
            // The listener's own failure to take the end changes nothing.
            let _ = listener.on_end(result.err()).await;
        });
        Ok(Arc::new(Self { stop }))
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
