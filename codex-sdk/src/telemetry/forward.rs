//! [`ForwardingSink`]: the telemetry sink a host binding installs to hand events to host code.
//!
//! The core records telemetry synchronously on the turn's task, so host code (a Python, JS or Swift
//! callback) must never run there. This sink only queues each event's JSON — bounded: when the host falls
//! behind, events are dropped and counted, never waited for — and a pump future, which the binding spawns
//! on its runtime, hands them in order to the host's forwarder.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::{TelemetryEvent, TelemetrySink};

/// Events a [`ForwardingSink`] queues for its host before it drops new ones.
pub const DEFAULT_FORWARD_QUEUE: usize = 4096;

/// The future that forwards a [`ForwardingSink`]'s events: spawn it on the binding's runtime. It ends
/// when the sink is dropped.
pub type ForwardPump = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

enum Item {
    /// An event, as its JSON.
    Event(String),
    /// Answered once every event queued before it was forwarded.
    Flush(oneshot::Sender<()>),
}

/// A [`TelemetrySink`] that queues each event (as JSON) for a host forwarder called in order off the
/// turn's task. Events the forwarder fails on are lost alone; events it falls `capacity` behind on are
/// dropped and counted ([`TelemetrySink::dropped`], reported in `Codex::telemetry_stats`);
/// [`Codex::shutdown`](crate::Codex::shutdown) waits until it has forwarded everything recorded.
///
/// ```
/// # async fn demo() {
/// use codex_sdk::telemetry::{ForwardingSink, TelemetrySink};
///
/// let (sink, pump) = ForwardingSink::new(1024, |json: String| async move { println!("{json}") });
/// tokio::spawn(pump);
/// // builder.telemetry(sink.clone()); … then, before exiting:
/// sink.flush().await;
/// # }
/// ```
pub struct ForwardingSink {
    tx: mpsc::Sender<Item>,
    dropped: AtomicU64,
}

impl std::fmt::Debug for ForwardingSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardingSink")
            .field("dropped", &self.dropped.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl ForwardingSink {
    /// A sink queueing up to `capacity` events (at least one) for `forward`, and the pump that calls it.
    pub fn new<F, Fut>(capacity: usize, forward: F) -> (Arc<Self>, ForwardPump)
    where
        F: Fn(String) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, mut rx) = mpsc::channel(capacity.max(1));
        let pump: ForwardPump = Box::pin(async move {
            while let Some(item) = rx.recv().await {
                match item {
                    Item::Event(json) => forward(json).await,
                    Item::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        let sink = Arc::new(Self {
            tx,
            dropped: AtomicU64::new(0),
        });
        (sink, pump)
    }
}

impl TelemetrySink for ForwardingSink {
    fn record(&self, event: &TelemetryEvent) {
        let Ok(json) = serde_json::to_string(event) else {
            return;
        };
        if self.tx.try_send(Item::Event(json)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Events dropped because the forwarder fell `capacity` events behind.
    fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Waits until every event recorded so far was forwarded (at once when the pump is gone).
    fn flush(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let (done, forwarded) = oneshot::channel();
            if self.tx.send(Item::Flush(done)).await.is_ok() {
                let _ = forwarded.await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn event(n: u64) -> TelemetryEvent {
        TelemetryEvent {
            timestamp: chrono::Utc::now(),
            metadata: Arc::new(super::super::TelemetryMetadata {
                conversation_id: crate::protocol::ConversationId::new(),
                app_version: "test",
                auth_mode: None,
                account_id: None,
                terminal_type: "test".to_owned(),
                model: "m".to_owned(),
                slug: "m".to_owned(),
            }),
            kind: super::super::TelemetryEventKind::SseEvent(super::super::SseEvent {
                kind: Some(format!("e{n}")),
                duration_ms: n,
                error_message: None,
                token_counts: None,
            }),
        }
    }

    #[tokio::test]
    async fn events_are_forwarded_in_order_and_flush_waits_for_them() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = Arc::clone(&seen);
        let (sink, pump) = ForwardingSink::new(16, move |json| {
            let into = Arc::clone(&into);
            async move {
                tokio::task::yield_now().await;
                into.lock().unwrap().push(json);
            }
        });
        tokio::spawn(pump);
        for n in 0..10 {
            sink.record(&event(n));
        }
        sink.flush().await;
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 10);
        for (n, json) in seen.iter().enumerate() {
            assert!(json.contains(&format!("\"e{n}\"")), "{json}");
        }
        assert_eq!(sink.dropped(), 0);
    }

    #[tokio::test]
    async fn a_host_that_falls_behind_loses_events_counted_never_waited_for() {
        // The pump is not running: the queue fills and further events are dropped at once.
        let (sink, pump) = ForwardingSink::new(2, |_json| async {});
        for n in 0..5 {
            sink.record(&event(n));
        }
        assert_eq!(sink.dropped(), 3);
        tokio::spawn(pump);
        sink.flush().await;
    }
}
