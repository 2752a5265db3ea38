//! Telemetry: the core's telemetry events (`codex.api_request`, `codex.tool_result`, …, redacted) handed
//! to a host [`TelemetryListener`] through the core's [`ForwardingSink`] (queued off the turn's task,
//! dropped and counted when the host falls behind, forwarded in order by a task on the binding's
//! runtime). The host is never called from the turn's task.

use std::sync::Arc;

use codex_sdk::telemetry::{DEFAULT_FORWARD_QUEUE, ForwardingSink, TelemetrySink};

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

/// The sink installed in the core, forwarding each event to `listener`; the core's `shutdown` flushes it
/// and `telemetry_stats` counts what it dropped.
pub(crate) fn start(
    listener: Arc<dyn TelemetryListener>,
) -> Result<Arc<dyn TelemetrySink>, CodexError> {
    let (sink, pump) = ForwardingSink::new(DEFAULT_FORWARD_QUEUE, move |json: String| {
        let listener = Arc::clone(&listener);
        async move {
            let _ = listener.on_event(json).await;
        }
    });
    runtime::handle()?.spawn(pump);
    Ok(sink as Arc<dyn TelemetrySink>)
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
