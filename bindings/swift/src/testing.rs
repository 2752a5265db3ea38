//! Testing (feature `testing`): the core's loopback mock model server, so host tests run real turns over
//! HTTP without a network. Stream events are JSON objects as text, built with the `sse…` functions.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::testing::{self, sse};
use serde_json::Value;

use crate::error::CodexError;
use crate::json::from_json;
use crate::runtime;

/// One canned answer of the [`MockServer`].
#[derive(Debug, Clone, uniffi::Object)]
pub struct MockResponse {
    inner: testing::MockResponse,
}

#[uniffi::export]
impl MockResponse {
    /// A Responses API event stream (status 200); each event is a JSON object as text.
    #[uniffi::constructor]
    pub fn sse(events: Vec<String>) -> Result<Arc<Self>, CodexError> {
        let events = events
            .iter()
            .map(|event| from_json::<Value>("SSE event", event))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Arc::new(Self {
            inner: testing::MockResponse::sse(events),
        }))
    }

    /// A plain response with this status and body.
    #[uniffi::constructor]
    pub fn status(code: u16, body: String) -> Arc<Self> {
        Arc::new(Self {
            inner: testing::MockResponse::status(code).body(body),
        })
    }

    /// The same response with a header set.
    pub fn with_header(&self, name: String, value: String) -> Arc<Self> {
        Arc::new(Self {
            inner: self.inner.clone().header(name, value),
        })
    }

    /// The same response, pausing `ms` milliseconds between stream events.
    pub fn with_event_delay_ms(&self, ms: u64) -> Arc<Self> {
        Arc::new(Self {
            inner: self.inner.clone().event_delay(Duration::from_millis(ms)),
        })
    }
}

/// One request the [`MockServer`] received.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordedRequest {
    /// `POST`, …
    pub method: String,
    /// The path, e.g. `/v1/responses`.
    pub path: String,
    /// The body as text.
    pub body: String,
}

/// A mock model server on `127.0.0.1`, answering each request with the next queued [`MockResponse`]
/// (`500` when none is queued). Stops when released.
#[derive(Debug, uniffi::Object)]
pub struct MockServer {
    inner: testing::MockServer,
}

#[uniffi::export]
impl MockServer {
    /// Starts a server on a free port.
    #[uniffi::constructor]
    pub async fn start() -> Result<Arc<Self>, CodexError> {
        runtime::run(async {
            let inner = testing::MockServer::start()
                .await
                .map_err(codex_sdk::Error::from)?;
            Ok(Arc::new(Self { inner }))
        })
        .await
    }

    /// The API base URL (`http://127.0.0.1:PORT/v1`), for `CodexConfig.baseUrl`.
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// Queues an answer.
    pub fn enqueue(&self, response: Arc<MockResponse>) {
        self.inner.enqueue(response.inner.clone());
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner
            .requests()
            .into_iter()
            .map(|r| RecordedRequest {
                body: r.text(),
                method: r.method,
                path: r.path,
            })
            .collect()
    }

    /// Queued answers not handed out yet.
    pub fn pending(&self) -> u64 {
        self.inner.pending() as u64
    }
}

/// The stream events of a whole text answer (`created`, deltas, the message, `completed`).
#[uniffi::export]
pub fn sse_text_response(response_id: String, text: String) -> Vec<String> {
    to_texts(sse::text_response(&response_id, &text))
}

/// The stream events of a whole tool-call answer (`created`, the function call, `completed`).
#[uniffi::export]
pub fn sse_tool_call_response(
    response_id: String,
    call_id: String,
    name: String,
    arguments: String,
) -> Vec<String> {
    to_texts(sse::tool_call_response(
        &response_id,
        &call_id,
        &name,
        &arguments,
    ))
}

/// A `response.failed` event with this error code and message.
#[uniffi::export]
pub fn sse_failed(code: String, message: String) -> String {
    sse::failed(&code, &message).to_string()
}

fn to_texts(events: Vec<Value>) -> Vec<String> {
    events.iter().map(Value::to_string).collect()
}
