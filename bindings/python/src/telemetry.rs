//! Telemetry: the core's telemetry events (`codex.api_request`, `codex.tool_result`, …, redacted) handed
//! to a Python callback through the core's [`ForwardingSink`] (queued off the turn's task, dropped and
//! counted when Python falls behind) — a sync callback on a worker thread, an `async def` one on the
//! event loop, as approvals are. Python is never called from the turn's task.

use std::sync::Arc;

use codex_sdk::telemetry::{DEFAULT_FORWARD_QUEUE, ForwardingSink, TelemetrySink};
use pyo3::prelude::*;

use crate::host::{Placement, call_host};
use crate::runtime::handle;
use crate::tools::HostLoops;

/// The sink installed in the core, forwarding each event's JSON to `callback(event_json)`; the core's
/// `shutdown` flushes it and `telemetry_stats` counts what it dropped.
pub(crate) fn start(
    callback: Py<PyAny>,
    is_async: bool,
    loops: Arc<HostLoops>,
) -> PyResult<Arc<dyn TelemetrySink>> {
    let callback = Arc::new(callback);
    let (sink, pump) = ForwardingSink::new(DEFAULT_FORWARD_QUEUE, move |json: String| {
        let callback = Arc::clone(&callback);
        let host_loop = loops.latest();
        async move {
            // A callback that raises loses that event only.
            let _ = call_host(
                Box::new(move |py| callback.bind(py).call1((json,))),
                |_| Ok(()),
                Placement::callback(is_async),
                host_loop,
            )
            .await;
        }
    });
    handle()?.spawn(pump);
    Ok(sink as Arc<dyn TelemetrySink>)
}
