//! [`MockResponse`]: what the mock server answers to one request.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

/// How the response body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length` header, then the body.
    Length,
    /// No length: the body ends when the server closes the connection (how SSE streams are sent).
    Close,
}

/// One canned answer of the [`MockServer`](super::MockServer), built fluently.
///
/// Streams ([`sse`](Self::sse), [`chat`](Self::chat), [`raw_sse`](Self::raw_sse)) are sent with status 200,
/// `Content-Type: text/event-stream` and a body that ends when the server closes the connection. Plain
/// responses ([`status`](Self::status) plus [`body`](Self::body) / [`json_body`](Self::json_body)) carry a
/// `Content-Length`. Every response is sent with `Connection: close`.
#[derive(Debug, Clone)]
#[must_use]
pub struct MockResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    /// The body in pieces; [`event_delay`](Self::event_delay) pauses between pieces.
    pub(crate) segments: Vec<Bytes>,
    pub(crate) framing: Framing,
    pub(crate) event_delay: Option<Duration>,
    pub(crate) cut_after: Option<usize>,
    pub(crate) stall_after: Option<usize>,
}

const EVENT_STREAM: &str = "text/event-stream";

impl MockResponse {
    fn stream(segments: Vec<Bytes>) -> Self {
        Self {
            status: 200,
            headers: vec![
                ("Content-Type".to_owned(), EVENT_STREAM.to_owned()),
                ("Cache-Control".to_owned(), "no-cache".to_owned()),
            ],
            segments,
            framing: Framing::Close,
            event_delay: None,
            cut_after: None,
            stall_after: None,
        }
    }

    /// A Responses API stream: each event is written as `event: {type}\ndata: {json}\n\n`, where `type` is the
    /// event's `"type"` field (the `event:` line is left out when the event has none).
    pub fn sse(events: impl IntoIterator<Item = Value>) -> Self {
        let segments = events
            .into_iter()
            .map(|event| {
                let frame = match event.get("type").and_then(Value::as_str) {
                    Some(kind) => format!("event: {kind}\ndata: {event}\n\n"),
                    None => format!("data: {event}\n\n"),
                };
                Bytes::from(frame)
            })
            .collect();
        Self::stream(segments)
    }

    /// A Chat Completions stream: `data: {json}\n\n` per chunk, then `data: [DONE]\n\n`.
    pub fn chat(chunks: impl IntoIterator<Item = Value>) -> Self {
        let segments = chunks
            .into_iter()
            .map(|chunk| Bytes::from(format!("data: {chunk}\n\n")))
            .chain(std::iter::once(Bytes::from_static(b"data: [DONE]\n\n")))
            .collect();
        Self::stream(segments)
    }

    /// A stream whose body is exactly `body` (for garbage lines, malformed JSON, odd framing).
    pub fn raw_sse(body: impl Into<String>) -> Self {
        Self::stream(vec![Bytes::from(body.into())])
    }

    /// A plain response with status `code` and an empty body (add one with [`body`](Self::body) or
    /// [`json_body`](Self::json_body)).
    pub fn status(code: u16) -> Self {
        Self {
            status: code,
            headers: Vec::new(),
            segments: Vec::new(),
            framing: Framing::Length,
            event_delay: None,
            cut_after: None,
            stall_after: None,
        }
    }

    /// Replaces the body. The framing stays as it was (close-delimited for streams, `Content-Length`
    /// otherwise); a plain response without a `Content-Type` is sent as `text/plain; charset=utf-8`.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.segments = vec![Bytes::from(body.into())];
        self
    }

    /// Replaces the body with `value` serialized, and sets `Content-Type: application/json`.
    pub fn json_body(self, value: Value) -> Self {
        self.body(value.to_string())
            .header("Content-Type", "application/json")
    }

    /// Sets a response header, replacing any header of the same name (case-insensitive).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the `Retry-After` header (seconds, or an HTTP date).
    pub fn retry_after(self, value: impl Into<String>) -> Self {
        self.header("Retry-After", value)
    }

    /// Writes only the first `n` body bytes, then closes the connection: a stream cut mid-event. (A plain
    /// response still announces its full `Content-Length`, so the client sees a truncated body.)
    pub fn cut_after_bytes(mut self, n: usize) -> Self {
        self.cut_after = Some(n);
        self
    }

    /// Writes the first `n` body bytes, then sends nothing more while keeping the connection open until the
    /// client goes away or the server is dropped: an idle stream.
    pub fn stall_after_bytes(mut self, n: usize) -> Self {
        self.stall_after = Some(n);
        self
    }

    /// Pauses `delay` between events (between body pieces: SSE events, chat chunks). Other connections are
    /// not held up.
    pub fn event_delay(mut self, delay: Duration) -> Self {
        self.event_delay = Some(delay);
        self
    }

    /// The whole body, concatenated (without the cut/stall limits).
    #[must_use]
    pub fn body_bytes(&self) -> Vec<u8> {
        self.segments.concat()
    }

    /// The number of body bytes that will actually be written before closing or stalling.
    pub(crate) fn body_limit(&self) -> usize {
        let total: usize = self.segments.iter().map(Bytes::len).sum();
        [self.cut_after, self.stall_after]
            .into_iter()
            .flatten()
            .fold(total, usize::min)
    }

    /// Whether the connection idles after the body instead of closing (a stall before any cut).
    pub(crate) fn stalls(&self) -> bool {
        match (self.stall_after, self.cut_after) {
            (Some(stall), Some(cut)) => stall < cut,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sse_frames_each_event_with_its_type() {
        let r = MockResponse::sse([json!({"type": "a.b", "x": 1}), json!({"y": 2})]);
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "event: a.b\ndata: {\"type\":\"a.b\",\"x\":1}\n\ndata: {\"y\":2}\n\n"
        );
        assert_eq!(r.framing, Framing::Close);
    }

    #[test]
    fn chat_ends_with_done() {
        let r = MockResponse::chat([json!({"id": "c"})]);
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "data: {\"id\":\"c\"}\n\ndata: [DONE]\n\n"
        );
    }

    #[test]
    fn header_replaces_case_insensitively() {
        let r = MockResponse::status(429)
            .retry_after("1")
            .header("retry-after", "2");
        assert_eq!(r.headers, vec![("retry-after".to_owned(), "2".to_owned())]);
    }

    #[test]
    fn body_limit_takes_the_smallest() {
        let r = MockResponse::raw_sse("0123456789");
        assert_eq!(r.body_limit(), 10);
        assert_eq!(r.clone().cut_after_bytes(4).body_limit(), 4);
        assert_eq!(r.clone().stall_after_bytes(20).body_limit(), 10);
    }
}
