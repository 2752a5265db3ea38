//! [`RecordedRequest`] and a minimal HTTP/1.1 request reader.

use std::io;

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// One request the [`MockServer`](super::MockServer) received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target, including any query string (e.g. `/v1/responses?x=1`).
    pub path: String,
    /// Headers in the order received; names lowercased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked when it was sent with `Transfer-Encoding: chunked`).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header named `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, or [`Value::Null`] when it is not JSON.
    #[must_use]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text (invalid UTF-8 replaced).
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Longest request line or header line accepted.
const MAX_LINE: usize = 64 * 1024;
/// Most header lines accepted.
const MAX_HEADERS: usize = 256;
/// Largest request body accepted.
const MAX_BODY: usize = 64 * 1024 * 1024;

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Reads one line ending in `\n`, without the line ending. `None` at end of stream before any byte.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = (&mut *reader)
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(invalid("request line too long or truncated"));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| invalid("request head is not UTF-8"))
}

/// The request head: method, target, headers.
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl RequestHead {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client asked for `100 Continue` before sending the body.
    pub(crate) fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    }
}

/// Reads the request line and headers. `None` when the client closed without sending anything.
pub(crate) async fn read_head<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<RequestHead>> {
    let Some(request_line) = read_line(reader).await? else {
        return Ok(None);
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(format!("bad request line {request_line:?}")));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(invalid(format!("unsupported protocol {version:?}")));
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)
            .await?
            .ok_or_else(|| invalid("connection closed inside the request head"))?;
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(invalid("too many headers"));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Some(RequestHead {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
    }))
}

/// Reads the body announced by `head` (`Content-Length`, chunked, or none).
pub(crate) async fn read_body<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    head: &RequestHead,
) -> io::Result<Vec<u8>> {
    let chunked = head
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return read_chunked(reader).await;
    }
    let Some(length) = head.header("content-length") else {
        return Ok(Vec::new());
    };
    let length: usize = length
        .parse()
        .map_err(|_| invalid(format!("bad Content-Length {length:?}")))?;
    if length > MAX_BODY {
        return Err(invalid("request body too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(body)
}

async fn read_chunked<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)
            .await?
            .ok_or_else(|| invalid("connection closed inside a chunked body"))?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            break;
        }
        if body.len() + size > MAX_BODY {
            return Err(invalid("request body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).await?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf).await?;
        if &crlf != b"\r\n" {
            return Err(invalid("chunk not followed by CRLF"));
        }
    }
    // Trailers, up to the empty line.
    while let Some(line) = read_line(reader).await? {
        if line.is_empty() {
            break;
        }
    }
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    async fn parse(raw: &[u8]) -> io::Result<RecordedRequest> {
        let mut reader = raw;
        let head = read_head(&mut reader).await?.unwrap();
        let body = read_body(&mut reader, &head).await?;
        Ok(RecordedRequest {
            method: head.method,
            path: head.path,
            headers: head.headers,
            body,
        })
    }

    #[tokio::test]
    async fn content_length_body() {
        let r = parse(
            b"POST /v1/x?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nX-Y:  z \r\n\r\n{\"a\":1}",
        )
        .await
        .unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/v1/x?q=1");
        assert_eq!(r.header("x-y"), Some("z"));
        assert_eq!(r.header("HOST"), Some("a"));
        assert_eq!(r.json(), serde_json::json!({"a": 1}));
    }

    #[tokio::test]
    async fn chunked_body() {
        let r = parse(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nT: x\r\n\r\n",
        )
        .await
        .unwrap();
        assert_eq!(r.body, b"abcde");
        assert_eq!(r.json(), Value::Null);
    }

    #[tokio::test]
    async fn rejects_garbage() {
        assert!(parse(b"hello\r\n\r\n").await.is_err());
        assert!(parse(b"GET / HTTP/1.1\r\nno-colon\r\n\r\n").await.is_err());
        assert!(parse(b"GET / HTTP/1.1\r\nHost: a\r\n").await.is_err());
    }
}
