//! Server-sent events: an incremental, allocation-light parser ([`SseParser`]) and a stream adapter that applies
//! an idle timeout ([`sse_events`]).
//!
//! The parser follows the WHATWG `text/event-stream` rules: lines end in `\n`, `\r\n` or `\r` (split anywhere
//! across chunks), `:` starts a comment, `data:` lines of one event are joined with `\n`, one space after the
//! colon is dropped, `id`/`retry`/unknown fields are ignored, a leading byte-order mark is skipped, and a blank
//! line dispatches the event. Input that is not UTF-8, or an event above [`SseParser::DEFAULT_MAX_EVENT_SIZE`]
//! (configurable), is an [`Error::Stream`].

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::error::{Error, Result};

/// One dispatched server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, when the event had one.
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An incremental `text/event-stream` parser.
///
/// Feed raw body chunks with [`feed`](Self::feed) and pull complete events with
/// [`next_event`](Self::next_event) until it returns `Ok(None)`; at the end of the body call
/// [`finish`](Self::finish).
///
/// ```
/// use codex_sdk::model::sse::SseParser;
/// let mut p = SseParser::new();
/// p.feed(b"event: greet\ndata: hel");
/// assert_eq!(p.next_event().unwrap(), None);
/// p.feed(b"lo\n\n");
/// let ev = p.next_event().unwrap().unwrap();
/// assert_eq!((ev.event.as_deref(), ev.data.as_str()), (Some("greet"), "hello"));
/// ```
#[derive(Debug)]
pub struct SseParser {
    /// Received bytes; `buf[pos..]` is not parsed yet.
    buf: Vec<u8>,
    pos: usize,
    /// `buf[pos..scanned]` is known to hold no line terminator.
    scanned: usize,
    /// The previous line ended in `\r`; a `\n` right after it belongs to the same terminator.
    skip_lf: bool,
    bom_checked: bool,
    /// The event being assembled.
    event: Option<String>,
    data: String,
    has_data: bool,
    max_event_size: usize,
    /// A previous error poisoned the parser.
    failed: bool,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl SseParser {
    /// The default limit on one event's size (its data plus any unterminated line): 16 MiB.
    pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

    /// A parser with the default event size limit.
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_event_size(Self::DEFAULT_MAX_EVENT_SIZE)
    }

    /// A parser that rejects events larger than `max` bytes.
    #[must_use]
    pub fn with_max_event_size(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            skip_lf: false,
            bom_checked: false,
            event: None,
            data: String::new(),
            has_data: false,
            max_event_size: max,
            failed: false,
        }
    }

    /// Appends a chunk of the body. Cheap: bytes are only copied, parsing happens in
    /// [`next_event`](Self::next_event).
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.pos > 0 && (self.pos == self.buf.len() || self.pos >= self.buf.len() / 2) {
            self.buf.drain(..self.pos);
            self.scanned = self.scanned.saturating_sub(self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete event, or `Ok(None)` when more input is needed.
    ///
    /// # Errors
    /// [`Error::Stream`] when a line is not UTF-8 or an event exceeds the size limit. The parser is unusable
    /// afterwards (every later call fails).
    pub fn next_event(&mut self) -> Result<Option<SseEvent>> {
        if self.failed {
            return Err(stream_error("the event stream already failed"));
        }
        let result = self.parse();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Ends the input. Returns the last event when the body ended after a complete line but without the
    /// dispatching blank line; an unterminated last line is discarded.
    ///
    /// # Errors
    /// As [`next_event`](Self::next_event).
    pub fn finish(&mut self) -> Result<Option<SseEvent>> {
        if let Some(ev) = self.next_event()? {
            return Ok(Some(ev));
        }
        let partial_line = self.pos < self.buf.len();
        self.buf.clear();
        self.pos = 0;
        self.scanned = 0;
        if partial_line || !self.has_data {
            self.reset_event();
            return Ok(None);
        }
        Ok(Some(self.take_event()))
    }

    fn parse(&mut self) -> Result<Option<SseEvent>> {
        loop {
            if self.skip_lf && self.pos < self.buf.len() {
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
                self.skip_lf = false;
            }
            if !self.bom_checked {
                let rest = &self.buf[self.pos..];
                if rest.len() < BOM.len() && BOM.starts_with(rest) {
                    return Ok(None);
                }
                if rest.starts_with(BOM) {
                    self.pos += BOM.len();
                }
                self.bom_checked = true;
            }
            let from = self.scanned.max(self.pos);
            let Some(offset) = find_line_end(&self.buf[from..]) else {
                self.scanned = self.buf.len();
                let pending = self.buf.len() - self.pos;
                if pending.saturating_add(self.data.len()) > self.max_event_size {
                    return Err(self.too_large());
                }
                return Ok(None);
            };
            let end = from + offset;
            let start = self.pos;
            self.skip_lf = self.buf[end] == b'\r';
            self.pos = end + 1;
            self.scanned = self.pos;
            if let Some(event) = self.process_line(start, end)? {
                return Ok(Some(event));
            }
        }
    }

    /// Handles `buf[start..end]` (one line without its terminator).
    fn process_line(&mut self, start: usize, end: usize) -> Result<Option<SseEvent>> {
        if start == end {
            if !self.has_data {
                self.reset_event();
                return Ok(None);
            }
            return Ok(Some(self.take_event()));
        }
        let line = &self.buf[start..end];
        if line[0] == b':' {
            return Ok(None);
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &line[line.len()..]),
        };
        match field {
            b"data" => {
                let value = std::str::from_utf8(value)
                    .map_err(|_| stream_error("event stream data is not valid UTF-8"))?;
                if self.data.len() + value.len() + 1 > self.max_event_size {
                    return Err(self.too_large());
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            b"event" => {
                let value = std::str::from_utf8(value)
                    .map_err(|_| stream_error("event stream event name is not valid UTF-8"))?;
                self.event = Some(value.to_owned());
            }
            // `id`, `retry` and unknown fields are ignored (as are lines that are not UTF-8 there).
            _ => {}
        }
        Ok(None)
    }

    fn take_event(&mut self) -> SseEvent {
        self.has_data = false;
        SseEvent {
            event: self.event.take(),
            data: std::mem::take(&mut self.data),
        }
    }

    fn reset_event(&mut self) {
        self.event = None;
        self.data.clear();
        self.has_data = false;
    }

    fn too_large(&self) -> Error {
        stream_error(&format!(
            "server-sent event larger than {} bytes",
            self.max_event_size
        ))
    }
}

/// Position of the first `\n` or `\r`, scanning eight bytes at a time.
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LF: u64 = LO * b'\n' as u64;
    const CR: u64 = LO * b'\r' as u64;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        if has_zero(v ^ LF) | has_zero(v ^ CR) != 0 {
            return chunk
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map(|i| offset + i);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map(|i| offset + i)
}

fn stream_error(message: &str) -> Error {
    Error::Stream {
        message: message.to_owned(),
        retry_after: None,
    }
}

/// Turns a response body into its events, failing with [`Error::IdleTimeout`] when no bytes arrive for
/// `idle_timeout`. A body error becomes [`Error::Stream`]. The stream ends after the first error.
pub fn sse_events(
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    idle_timeout: Duration,
) -> impl Stream<Item = Result<SseEvent>> + Send + 'static {
    let body = body.map(|chunk| {
        chunk.map_err(|e| Error::Stream {
            message: format!("response body failed: {e}"),
            retry_after: None,
        })
    });
    events_with_idle_timeout(Box::pin(body), idle_timeout)
}

/// A boxed body of byte chunks.
type BoxedBody = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;

fn events_with_idle_timeout(
    body: BoxedBody,
    idle_timeout: Duration,
) -> impl Stream<Item = Result<SseEvent>> + Send + 'static {
    struct State {
        body: BoxedBody,
        parser: SseParser,
        done: bool,
    }
    let state = State {
        body,
        parser: SseParser::new(),
        done: false,
    };
    futures::stream::unfold(state, move |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            match st.parser.next_event() {
                Ok(Some(ev)) => return Some((Ok(ev), st)),
                Ok(None) => {}
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            }
            match tokio::time::timeout(idle_timeout, st.body.next()).await {
                Ok(Some(Ok(chunk))) => st.parser.feed(&chunk),
                Ok(Some(Err(e))) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
                Ok(None) => {
                    st.done = true;
                    return match st.parser.finish() {
                        Ok(Some(ev)) => Some((Ok(ev), st)),
                        Ok(None) => None,
                        Err(e) => Some((Err(e), st)),
                    };
                }
                Err(_) => {
                    st.done = true;
                    return Some((Err(Error::IdleTimeout(idle_timeout)), st));
                }
            }
        }
    })
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
