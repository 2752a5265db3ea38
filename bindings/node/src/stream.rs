//! `NativeEventStream`: events on their way to a JS `for await`.
//!
//! A pump task holds the conversation (its one event reader) and forwards events into a bounded channel;
//! JS drains it with `next(max)`, which waits for one event and takes whatever else is buffered, up to
//! `max`, as one JSON array — one Promise per batch instead of per event. Nothing is dropped: when JS reads
//! slowly the channel fills, the pump waits, and the core's own bounded queue makes the agent wait
//! (backpressure all the way to the model stream). Nothing blocks the Node event loop: the waiting happens
//! on the tokio runtime.
//!
//! Closing the stream (a `break` out of `for await`, an abort, garbage collection) stops the pump; for a
//! turn stream, dropping the core's turn reader interrupts the turn (the core's cancel-safety).

use std::sync::Arc;

use codex_sdk::protocol::Event;
use codex_sdk::{Conversation, TurnInput};
use napi_derive::napi;
use serde_json::Value;
use tokio::sync::mpsc::{self, error::TryRecvError};
use tokio_util::sync::CancellationToken;

use crate::error::{Result, internal, to_js};
use crate::json::to_json;

/// A conversation shared by the JS object and its pumps; `None` once it has been shut down.
pub type Shared = Arc<tokio::sync::Mutex<Option<Conversation>>>;

/// Events a stream buffers ahead of its JS reader (on top of the core's own buffer).
const STREAM_BUFFER: usize = 1024;

type Item = std::result::Result<Event, codex_sdk::Error>;

/// The events of a turn (as `EventMsg`) or of a whole conversation (as `Event`).
#[napi]
pub struct NativeEventStream {
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Item>>>,
    stop: CancellationToken,
    /// Whether batches hold `Event`s (`id` + `msg`) rather than bare `EventMsg`s.
    with_ids: bool,
}

impl NativeEventStream {
    /// Starts a turn with `input` and streams its events.
    pub fn turn(conversation: Shared, input: TurnInput) -> Self {
        Self::spawn(false, |tx, stop| pump_turn(conversation, input, tx, stop))
    }

    /// Streams every event of the conversation.
    pub fn conversation(conversation: Shared) -> Self {
        Self::spawn(true, |tx, stop| pump_all(conversation, tx, stop))
    }

    fn spawn<F, Fut>(with_ids: bool, pump: F) -> Self
    where
        F: FnOnce(mpsc::Sender<Item>, CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let stop = CancellationToken::new();
        napi::bindgen_prelude::spawn(pump(tx, stop.clone()));
        Self {
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            stop,
            with_ids,
        }
    }
}

impl NativeEventStream {
    /// Waits for one event and takes what else is buffered, at most `max`; `None` at the end.
    async fn batch(&self, max: u32) -> Result<Option<Vec<Event>>> {
        let mut rx = self.rx.lock().await;
        let Some(first) = rx.recv().await else {
            return Ok(None);
        };
        let mut batch = vec![first.map_err(|e| to_js(&e))?];
        while batch.len() < max as usize {
            match rx.try_recv() {
                Ok(Ok(event)) => batch.push(event),
                // The pump sends an error only before any event, so none can follow events in a batch.
                Ok(Err(_)) | Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        Ok(Some(batch))
    }
}

impl Drop for NativeEventStream {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[napi]
impl NativeEventStream {
    /// Waits for the next event and returns it with whatever else is buffered, at most `max` events, as a
    /// JSON array; `null` once the stream has ended. Rejects with the core's error when the turn could not
    /// start.
    #[napi]
    pub async fn next(&self, max: u32) -> Result<Option<String>> {
        match self.batch(max).await? {
            Some(batch) if self.with_ids => to_json(&batch).map(Some),
            Some(batch) => to_json(&batch.iter().map(|e| &e.msg).collect::<Vec<_>>()).map(Some),
            None => Ok(None),
        }
    }

    /// [`next`](Self::next), with the batch converted to JS objects by napi (`serde_json::Value`) instead
    /// of JSON text. Kept for `bench/events.mjs`, which compares the two: JSON text is faster.
    #[napi(ts_return_type = "Promise<Array<any> | null>")]
    pub async fn next_values(&self, max: u32) -> Result<Option<Value>> {
        let Some(batch) = self.batch(max).await? else {
            return Ok(None);
        };
        let values = if self.with_ids {
            serde_json::to_value(&batch)
        } else {
            serde_json::to_value(batch.iter().map(|e| &e.msg).collect::<Vec<_>>())
        };
        values
            .map(Some)
            .map_err(|e| internal(format!("cannot convert for JS: {e}")))
    }

    /// Stops the stream; a turn that has not ended is interrupted. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.stop.cancel();
    }
}

/// Holds the conversation for one turn and forwards its events until the turn ends or the stream closes.
async fn pump_turn(
    conversation: Shared,
    input: TurnInput,
    tx: mpsc::Sender<Item>,
    stop: CancellationToken,
) {
    let mut guard = tokio::select! {
        guard = conversation.lock_owned() => guard,
        () = stop.cancelled() => return,
    };
    let Some(conversation) = guard.as_mut() else {
        let _ = tx.send(Err(codex_sdk::Error::Closed)).await;
        return;
    };
    let mut turn = match conversation.stream(input).await {
        Ok(turn) => turn,
        Err(err) => {
            let _ = tx.send(Err(err)).await;
            return;
        }
    };
    loop {
        let event = tokio::select! {
            event = turn.next_event() => event,
            () = stop.cancelled() => break,
        };
        let Some(event) = event else { break };
        if !forward(&tx, &stop, event).await {
            break;
        }
    }
}

/// Holds the conversation and forwards every event until it ends or the stream closes.
async fn pump_all(conversation: Shared, tx: mpsc::Sender<Item>, stop: CancellationToken) {
    let mut guard = tokio::select! {
        guard = conversation.lock_owned() => guard,
        () = stop.cancelled() => return,
    };
    let Some(conversation) = guard.as_mut() else {
        return;
    };
    loop {
        let event = tokio::select! {
            event = conversation.next_event() => event,
            () = stop.cancelled() => break,
        };
        let Some(event) = event else { break };
        if !forward(&tx, &stop, event).await {
            break;
        }
    }
}

/// Sends one event, waiting while the reader is behind; `false` when the stream was closed.
async fn forward(tx: &mpsc::Sender<Item>, stop: &CancellationToken, event: Event) -> bool {
    tokio::select! {
        sent = tx.send(Ok(event)) => sent.is_ok(),
        () = stop.cancelled() => false,
    }
}
