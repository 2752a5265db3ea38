//! Telemetry: the core's telemetry events (`codex.api_request`, `codex.tool_result`, …, redacted) handed
//! to a Python callback.
//!
//! The core calls a sink synchronously on the turn's task, so the sink only queues the event's JSON
//! (bounded: when the host falls behind, events are dropped and counted, never waited for); a task on the
//! runtime hands them, in order, to the callback — a sync one on a worker thread, an `async def` one on
//! the event loop, as approvals are. Python is never called from the turn's task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use codex_sdk::telemetry::{TelemetryEvent, TelemetrySink};
use pyo3::prelude::*;
use tokio::sync::{mpsc, oneshot};

use crate::host::{Placement, call_host};
use crate::runtime::handle;
use crate::tools::HostLoops;

/// Events waiting for the host's callback before new ones are dropped.
const QUEUE: usize = 4096;

enum Item {
    Event(String),
    /// Answered once every event queued before it was handed to the callback.
    Flush(oneshot::Sender<()>),
}

/// The sink installed in the core: queues each event for the host's callback.
pub(crate) struct HostTelemetry {
    tx: mpsc::Sender<Item>,
    dropped: AtomicU64,
}

impl HostTelemetry {
    /// Starts the task that calls `callback(event_json)` (an `is_async` one on the event loop).
    pub(crate) fn start(
        callback: Py<PyAny>,
        is_async: bool,
        loops: Arc<HostLoops>,
    ) -> PyResult<Arc<Self>> {
        let (tx, mut rx) = mpsc::channel(QUEUE);
        let callback = Arc::new(callback);
        handle()?.spawn(async move {
            while let Some(item) = rx.recv().await {
                match item {
                    Item::Event(json) => {
                        let callback = Arc::clone(&callback);
                        // A callback that raises loses that event only.
                        let _ = call_host(
                            Box::new(move |py| callback.bind(py).call1((json,))),
                            |_| Ok(()),
                            Placement::callback(is_async),
                            loops.latest(),
                        )
                        .await;
                    }
                    Item::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Ok(Arc::new(Self {
            tx,
            dropped: AtomicU64::new(0),
        }))
    }

    /// Waits until every event recorded so far reached the callback.
    pub(crate) async fn flush(&self) {
        let (done, delivered) = oneshot::channel();
        if self.tx.send(Item::Flush(done)).await.is_ok() {
            let _ = delivered.await;
        }
    }

    /// Events dropped because the callback fell `QUEUE` events behind.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl TelemetrySink for HostTelemetry {
    fn record(&self, event: &TelemetryEvent) {
        let Ok(json) = serde_json::to_string(event) else {
            return;
        };
        if self.tx.try_send(Item::Event(json)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
