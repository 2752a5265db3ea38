//! `NativeEventStream`: events on their way to a JS `for await`, read straight from the core.
//!
//! A turn stream holds the core's own [`OwnedTurnEvents`]; a conversation stream holds the conversation
//! (its one reader). JS drains either with `next(max)`, which waits for one event and takes whatever else
//! is buffered, up to `max`, as one JSON array — one Promise per batch instead of per event. There is no
//! task and no second buffer: when JS reads slowly the core's bounded queue fills and the agent waits
//! (backpressure all the way to the model stream). Waiting happens on the tokio runtime, never on the
//! Node event loop.
//!
//! Closing the stream (a `break` out of `for await`, an abort, garbage collection) drops the core stream,
//! which interrupts an unfinished turn (the core's cancel-safety).

use std::sync::Arc;

use codex_sdk::conversation::{OwnedTurnEvents, SharedConversation};
use codex_sdk::protocol::Event;
use codex_sdk::{Conversation, TurnInput};
use napi_derive::napi;
use serde_json::Value;
use tokio::sync::OwnedMutexGuard;
use tokio_util::sync::CancellationToken;

use crate::error::{Result, core, internal};
use crate::json::to_json;

/// What a stream reads.
enum Source {
    /// A turn not started yet: it starts on the first read.
    PendingTurn(SharedConversation, TurnInput),
    Turn(OwnedTurnEvents),
    /// Every event of the conversation, once its reader is free.
    PendingAll(SharedConversation),
    All(OwnedMutexGuard<Conversation>),
    Ended,
}

impl Source {
    async fn next(&mut self) -> Option<Event> {
        match self {
            Self::Turn(turn) => turn.next_event().await,
            Self::All(conversation) => conversation.next_event().await,
            _ => None,
        }
    }

    fn try_next(&mut self) -> Option<Event> {
        match self {
            Self::Turn(turn) => turn.try_next_event(),
            Self::All(conversation) => conversation.events().try_recv(),
            _ => None,
        }
    }
}

/// The events of a turn (as `EventMsg`) or of a whole conversation (as `Event`).
#[napi]
pub struct NativeEventStream {
    source: Arc<tokio::sync::Mutex<Source>>,
    stop: CancellationToken,
    /// Whether batches hold `Event`s (`id` + `msg`) rather than bare `EventMsg`s.
    with_ids: bool,
    /// The runtime the stream was read on, entered when the stream is closed from JS (or collected), so
    /// the core sends the turn's interrupt at once. Captured here rather than looked up at close: napi's
    /// runtime may be gone when the process exits.
    runtime: std::sync::Mutex<Option<tokio::runtime::Handle>>,
}

impl NativeEventStream {
    /// The events of a turn with `input` (started on the first read).
    pub fn turn(conversation: SharedConversation, input: TurnInput) -> Self {
        Self::new(Source::PendingTurn(conversation, input), false)
    }

    /// Every event of the conversation.
    pub fn conversation(conversation: SharedConversation) -> Self {
        Self::new(Source::PendingAll(conversation), true)
    }

    fn new(source: Source, with_ids: bool) -> Self {
        Self {
            source: Arc::new(tokio::sync::Mutex::new(source)),
            stop: CancellationToken::new(),
            with_ids,
            runtime: std::sync::Mutex::new(None),
        }
    }

    /// Waits for one event and takes what else is buffered, at most `max`; `None` at the end.
    async fn batch(&self, max: u32) -> Result<Option<Vec<Event>>> {
        *self
            .runtime
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            tokio::runtime::Handle::try_current().ok();
        let mut source = self.source.lock().await;
        let stop = &self.stop;
        match std::mem::replace(&mut *source, Source::Ended) {
            Source::PendingTurn(conversation, input) => {
                tokio::select! {
                    biased;
                    () = stop.cancelled() => return Ok(None),
                    turn = Conversation::stream_shared(&conversation, input) => {
                        *source = Source::Turn(core(turn)?);
                    }
                }
            }
            Source::PendingAll(conversation) => tokio::select! {
                biased;
                () = stop.cancelled() => return Ok(None),
                guard = conversation.lock_owned() => *source = Source::All(guard),
            },
            other => *source = other,
        }
        let first = tokio::select! {
            biased;
            () = stop.cancelled() => None,
            event = source.next() => event,
        };
        let Some(first) = first else {
            *source = Source::Ended;
            return Ok(None);
        };
        let mut batch = vec![first];
        while batch.len() < max as usize {
            match source.try_next() {
                Some(event) => batch.push(event),
                None => break,
            }
        }
        Ok(Some(batch))
    }
}

impl Drop for NativeEventStream {
    fn drop(&mut self) {
        self.close();
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
        // A read in progress holds the source; it sees `stop` and ends the stream itself.
        if let Ok(mut source) = self.source.try_lock() {
            let ended = std::mem::replace(&mut *source, Source::Ended);
            let runtime = self
                .runtime
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            // Dropped inside the runtime, so the core sends the turn's interrupt right away.
            let _entered = runtime.as_ref().map(tokio::runtime::Handle::enter);
            drop(ended);
        }
    }
}
