//! `codex_sdk.testing` (feature `testing`): the core's loopback mock model server and its SSE builders,
//! so Python tests run real turns over HTTP.

use std::time::Duration;

use codex_sdk::testing::{MockResponse as CoreResponse, MockServer as CoreServer, sse};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use serde_json::Value;

use crate::error::BindingError;
use crate::events::{JsonValue, from_json};
use crate::runtime::handle;

/// A mock model server on `127.0.0.1` answering each request with the next queued `MockResponse`.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct MockServer {
    inner: CoreServer,
}

#[pymethods]
impl MockServer {
    /// Starts a server on a free loopback port.
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        let runtime = handle()?;
        let inner = py
            .detach(|| runtime.block_on(CoreServer::start()))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the mock server: {e}")))?;
        Ok(Self { inner })
    }

    /// `http://127.0.0.1:PORT/v1`.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// Queues an answer.
    fn enqueue(&self, response: &MockResponse) {
        self.inner.enqueue(response.inner.clone());
    }

    /// Answers not handed out yet.
    #[getter]
    fn pending(&self) -> usize {
        self.inner.pending()
    }

    /// Every request received so far: dicts with `method`, `path`, `headers` and `body` (JSON or text).
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .requests()
            .into_iter()
            .map(|r| {
                let dict = PyDict::new(py);
                dict.set_item("method", &r.method)?;
                dict.set_item("path", &r.path)?;
                dict.set_item("headers", r.headers.clone())?;
                let body = match r.json() {
                    Value::Null => Value::String(r.text()),
                    json => json,
                };
                dict.set_item("body", JsonValue(body))?;
                Ok(dict)
            })
            .collect()
    }
}

/// One canned answer (an immutable builder: each method returns a new one).
#[pyclass(frozen, module = "codex_sdk._native")]
#[derive(Clone)]
pub(crate) struct MockResponse {
    inner: CoreResponse,
}

#[pymethods]
impl MockResponse {
    /// A Responses API stream of these events (JSON list of event objects).
    #[staticmethod]
    fn sse(py: Python<'_>, events: &str) -> PyResult<Self> {
        let events: Vec<Value> =
            from_json("sse events", events).map_err(|e: BindingError| e.into_pyerr(py))?;
        Ok(Self {
            inner: CoreResponse::sse(events),
        })
    }

    /// A plain response with this status.
    #[staticmethod]
    fn status(code: u16) -> Self {
        Self {
            inner: CoreResponse::status(code),
        }
    }

    /// Sets the body text.
    fn body(&self, body: String) -> Self {
        self.map(|r| r.body(body))
    }

    /// Adds a header.
    fn header(&self, name: String, value: String) -> Self {
        self.map(|r| r.header(name, value))
    }

    /// Waits this long (seconds) between events.
    fn event_delay(&self, seconds: f64) -> PyResult<Self> {
        let delay = Duration::try_from_secs_f64(seconds)
            .map_err(|e| PyValueError::new_err(format!("event_delay: {e}")))?;
        Ok(self.map(|r| r.event_delay(delay)))
    }

    /// Closes the connection after `n` body bytes.
    fn cut_after_bytes(&self, n: usize) -> Self {
        self.map(|r| r.cut_after_bytes(n))
    }
}

impl MockResponse {
    fn map(&self, f: impl FnOnce(CoreResponse) -> CoreResponse) -> Self {
        Self {
            inner: f(self.inner.clone()),
        }
    }
}

fn values(events: Vec<Value>) -> Vec<JsonValue> {
    events.into_iter().map(JsonValue).collect()
}

/// The events of a response holding one assistant message.
/// Where the sync host call running on the calling thread was placed: `"worker"` (in place, on the
/// runtime worker running the turn), `"blocking pool"`, or `""` outside a host call.
#[pyfunction]
pub(crate) fn host_call_site() -> &'static str {
    crate::host::call_site()
}

#[pyfunction]
pub(crate) fn sse_text_response(response_id: &str, text: &str) -> Vec<JsonValue> {
    values(sse::text_response(response_id, text))
}

/// The events of a response holding one function call.
#[pyfunction]
pub(crate) fn sse_tool_call_response(
    response_id: &str,
    call_id: &str,
    name: &str,
    arguments: &str,
) -> Vec<JsonValue> {
    values(sse::tool_call_response(
        response_id,
        call_id,
        name,
        arguments,
    ))
}

/// `response.created`.
#[pyfunction]
pub(crate) fn sse_created(response_id: &str) -> JsonValue {
    JsonValue(sse::created(response_id))
}

/// `response.output_text.delta`.
#[pyfunction]
pub(crate) fn sse_output_text_delta(delta: &str) -> JsonValue {
    JsonValue(sse::output_text_delta(delta))
}

/// `response.output_item.done` with an assistant message.
#[pyfunction]
pub(crate) fn sse_assistant_message(item_id: &str, text: &str) -> JsonValue {
    JsonValue(sse::assistant_message(item_id, text))
}

/// `response.output_item.done` with a function call.
#[pyfunction]
pub(crate) fn sse_function_call(call_id: &str, name: &str, arguments: &str) -> JsonValue {
    JsonValue(sse::function_call(call_id, name, arguments))
}

/// `response.completed`.
#[pyfunction]
pub(crate) fn sse_completed(response_id: &str) -> JsonValue {
    JsonValue(sse::completed(response_id))
}

/// `response.failed` with an error code and message.
#[pyfunction]
pub(crate) fn sse_failed(code: &str, message: &str) -> JsonValue {
    JsonValue(sse::failed(code, message))
}
