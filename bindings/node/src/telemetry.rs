//! Telemetry: the core's telemetry events (`codex.api_request`, `codex.tool_result`, …, redacted) handed
//! to a JS callback through the core's [`ForwardingSink`] (queued off the turn's task, dropped and counted
//! when JS falls behind, forwarded in order on the JS thread). JS is never called from the turn's task.

use std::sync::Arc;

use codex_sdk::telemetry::{DEFAULT_FORWARD_QUEUE, ForwardingSink, TelemetrySink};
use napi::Status;
use napi::threadsafe_function::ThreadsafeFunction;

/// The JS callback: the event (JSON) in, nothing out. Weak, so that a Codex holding it never keeps the
/// process alive.
pub type JsTelemetryFn = ThreadsafeFunction<String, (), String, Status, false, true>;

/// The sink installed in the core, forwarding each event to `callback`; the core's `shutdown` flushes it
/// and `telemetry_stats` counts what it dropped.
pub fn start(callback: JsTelemetryFn) -> Arc<dyn TelemetrySink> {
    let callback = Arc::new(callback);
    let (sink, pump) = ForwardingSink::new(DEFAULT_FORWARD_QUEUE, move |json: String| {
        let callback = Arc::clone(&callback);
        // A callback that throws loses that event only.
        async move {
            let _ = callback.call_async_catch(json).await;
        }
    });
    napi::bindgen_prelude::spawn(pump);
    sink as Arc<dyn TelemetrySink>
}
