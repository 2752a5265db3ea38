//! Telemetry: the core's telemetry events (`codex.api_request`, `codex.tool_result`, …, redacted) handed
//! to a host [`TelemetryListener`].
//!
//! The core calls a sink synchronously on the turn's task, so the sink only queues the event's JSON
//! (bounded: when the host falls behind, events are dropped and counted, never waited for); a task on the
//! binding's runtime hands them, in order, to the listener. The host is never called from the turn's task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use codex_sdk::telemetry::{TelemetryEvent, TelemetrySink};
use tokio::sync::{mpsc, oneshot};

use crate::error::CodexError;
use crate::runtime;

/// Receives telemetry events, implemented by the host. Calls come one at a time, in order, after the work
/// they describe; a slow listener never slows a turn.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait TelemetryListener: Send + Sync {
    /// One event as JSON: `timestamp`, `metadata` (conversation id, model, app version, …) and `kind`,
    /// whose `name` is the catalog's (`codex.api_request`, `codex.sse_event`, `codex.user_prompt`,
    /// `codex.tool_decision`, `codex.tool_result`) beside that event's fields. Redacted: no API key, no
    /// prompt text unless `[otel] log_user_prompt`. Throwing loses that event only.
    async fn on_event(&self, event: String) -> Result<(), CodexError>;
}

/// Events waiting for the listener before new ones are dropped.
const QUEUE: usize = 4096;

enum Item {
    Event(String),
    /// Answered once every event queued before it was handed to the listener.
    Flush(oneshot::Sender<()>),
}

/// The sink installed in the core: queues each event for the host's listener.
pub(crate) struct HostTelemetry {
    tx: mpsc::Sender<Item>,
    dropped: AtomicU64,
}

impl HostTelemetry {
    /// Starts the task that calls `listener`.
    pub(crate) fn start(listener: Arc<dyn TelemetryListener>) -> Result<Arc<Self>, CodexError> {
        let (tx, mut rx) = mpsc::channel(QUEUE);
        runtime::handle()?.spawn(async move {
            while let Some(item) = rx.recv().await {
                match item {
                    Item::Event(json) => {
                        let _ = listener.on_event(json).await;
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

    /// Waits until every event recorded so far reached the listener.
    pub(crate) async fn flush(&self) {
        let (done, delivered) = oneshot::channel();
        if self.tx.send(Item::Flush(done)).await.is_ok() {
            let _ = delivered.await;
        }
    }

    /// Events dropped because the listener fell `QUEUE` events behind.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for HostTelemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostTelemetry")
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
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

/// What telemetry delivery did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct TelemetryStats {
    /// Records the `[otel]` exporter's collector accepted.
    pub exported: u64,
    /// Records the exporter dropped because its queue was full.
    pub dropped: u64,
    /// Records whose export failed.
    pub failed: u64,
    /// Events the telemetry listener fell too far behind for (dropped, never waited for).
    pub host_dropped: u64,
}
