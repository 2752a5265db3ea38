//! Telemetry: the core's telemetry events (`codex.api_request`, `codex.tool_result`, …, redacted) handed
//! to a JS callback.
//!
//! The core calls a sink synchronously on the turn's task, so the sink only queues the event's JSON
//! (bounded: when JS falls behind, events are dropped and counted, never waited for); a task hands them,
//! in order, to the callback on the JS thread. JS is never called from the turn's task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use codex_sdk::telemetry::{TelemetryEvent, TelemetrySink};
use napi::Status;
use napi::threadsafe_function::ThreadsafeFunction;
use tokio::sync::{mpsc, oneshot};

/// The JS callback: the event (JSON) in, nothing out. Weak, so that a Codex holding it never keeps the
/// process alive.
pub type JsTelemetryFn = ThreadsafeFunction<String, (), String, Status, false, true>;

/// Events waiting for the callback before new ones are dropped.
const QUEUE: usize = 4096;

enum Item {
    Event(String),
    /// Answered once every event queued before it was handed to the callback.
    Flush(oneshot::Sender<()>),
}

/// The sink installed in the core: queues each event for the JS callback.
pub struct JsTelemetry {
    tx: mpsc::Sender<Item>,
    dropped: AtomicU64,
}

impl JsTelemetry {
    /// Starts the task that calls the callback.
    pub fn start(callback: JsTelemetryFn) -> Arc<Self> {
        let (tx, mut rx) = mpsc::channel(QUEUE);
        napi::bindgen_prelude::spawn(async move {
            while let Some(item) = rx.recv().await {
                match item {
                    // A callback that throws loses that event only.
                    Item::Event(json) => {
                        let _ = callback.call_async_catch(json).await;
                    }
                    Item::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Arc::new(Self {
            tx,
            dropped: AtomicU64::new(0),
        })
    }

    /// Waits until every event recorded so far reached the callback.
    pub async fn flush(&self) {
        let (done, delivered) = oneshot::channel();
        if self.tx.send(Item::Flush(done)).await.is_ok() {
            let _ = delivered.await;
        }
    }

    /// Events dropped because the callback fell `QUEUE` events behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl TelemetrySink for JsTelemetry {
    fn record(&self, event: &TelemetryEvent) {
        let Ok(json) = serde_json::to_string(event) else {
            return;
        };
        if self.tx.try_send(Item::Event(json)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
