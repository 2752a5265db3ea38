//! JSON-RPC "lite": the shapes of JSON-RPC 2.0 without the `"jsonrpc": "2.0"` member, one JSON object per
//! line. Requests `{id, method, params?}`, notifications `{method, params?}`, responses `{id, result}` and
//! errors `{id, error: {code, message, data?}}`, in both directions; ids are strings or integers.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// A request id: a string or an integer, echoed back in the response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum RequestId {
    /// A string id.
    String(String),
    /// An integer id.
    Integer(i64),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => f.write_str(s),
            Self::Integer(i) => i.fmt(f),
        }
    }
}

/// A request (expects a response with the same id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcRequest {
    /// Its id.
    pub id: RequestId,
    /// The method.
    pub method: String,
    /// The parameters (absent for methods without any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
}

/// A notification (no response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcNotification {
    /// The method.
    pub method: String,
    /// The parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
}

/// A successful response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcResponse {
    /// The request's id.
    pub id: RequestId,
    /// The result.
    pub result: Value,
}

/// An error response. `id` is `null` when the request's id could not be read (a malformed line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcError {
    /// The request's id.
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: ErrorObject,
}

/// The `error` member of an error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorObject {
    /// A JSON-RPC error code (see the constants in this module).
    pub code: i64,
    /// A sentence for people.
    pub message: String,
    /// Structured detail (for SDK errors: `{"codexErrorCode": "<ErrorCode>"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// The line is not JSON, or not a JSON-RPC message.
pub const PARSE_ERROR: i64 = -32700;
/// The message is JSON but not a valid request.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The method exists; its params do not fit.
pub const INVALID_PARAMS: i64 = -32602;
/// The server failed.
pub const INTERNAL_ERROR: i64 = -32603;
/// A request before `initialize`, or a second `initialize`.
pub const NOT_INITIALIZED: i64 = -32002;

impl ErrorObject {
    /// An error with a code and a message.
    #[must_use]
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// `INVALID_PARAMS` with a message.
    #[must_use]
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }
}

impl From<crate::Error> for ErrorObject {
    fn from(e: crate::Error) -> Self {
        let code = match e.code() {
            crate::ErrorCode::InvalidInput => INVALID_PARAMS,
            _ => INTERNAL_ERROR,
        };
        Self {
            code,
            message: e.to_string(),
            data: Some(serde_json::json!({ "codexErrorCode": e.code() })),
        }
    }
}

/// Any message on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonRpcMessage {
    /// A request.
    Request(JsonRpcRequest),
    /// A notification.
    Notification(JsonRpcNotification),
    /// A successful response.
    Response(JsonRpcResponse),
    /// An error response.
    Error(JsonRpcError),
}

impl Serialize for JsonRpcMessage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Request(m) => m.serialize(s),
            Self::Notification(m) => m.serialize(s),
            Self::Response(m) => m.serialize(s),
            Self::Error(m) => m.serialize(s),
        }
    }
}

/// Why a line is not a message: the error to answer with, and the request id when one could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct BadMessage {
    /// The id to answer to (`None`: answer with a `null` id).
    pub id: Option<RequestId>,
    /// The error.
    pub error: ErrorObject,
}

impl JsonRpcMessage {
    /// Parses one line. The kind is read from which members are present, so a malformed message gets an
    /// error that names what is missing rather than a generic parse failure.
    ///
    /// # Errors
    /// [`BadMessage`] (`PARSE_ERROR` or `INVALID_REQUEST`) for anything that is not a message.
    pub fn parse(line: &str) -> Result<Self, BadMessage> {
        let value: Value = serde_json::from_str(line).map_err(|e| BadMessage {
            id: None,
            error: ErrorObject::new(PARSE_ERROR, format!("not JSON: {e}")),
        })?;
        let Value::Object(map) = value else {
            return Err(BadMessage {
                id: None,
                error: ErrorObject::new(INVALID_REQUEST, "a message must be a JSON object"),
            });
        };
        let id = match map.get("id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(RequestId::deserialize(v).map_err(|_| BadMessage {
                id: None,
                error: ErrorObject::new(INVALID_REQUEST, "`id` must be a string or an integer"),
            })?),
        };
        let bad = |message: &str| BadMessage {
            id: id.clone(),
            error: ErrorObject::new(INVALID_REQUEST, message),
        };
        let value = Value::Object(map.clone());
        let parsed = if map.contains_key("method") {
            if !map.get("method").is_some_and(Value::is_string) {
                return Err(bad("`method` must be a string"));
            }
            if id.is_some() {
                serde_json::from_value(value).map(Self::Request)
            } else {
                serde_json::from_value(value).map(Self::Notification)
            }
        } else if map.contains_key("result") {
            if id.is_none() {
                return Err(bad("a response needs an `id`"));
            }
            serde_json::from_value(value).map(Self::Response)
        } else if map.contains_key("error") {
            serde_json::from_value(value).map(Self::Error)
        } else {
            return Err(bad(
                "not a request, notification or response (no `method`, `result` or `error`)",
            ));
        };
        parsed.map_err(|e| bad(&format!("malformed message: {e}")))
    }
}

/// Reads one line of at most `max` bytes (the newline excluded). Returns `Ok(None)` at end of input.
/// A longer line is consumed up to its newline and reported as `Err(TooLong)` so the connection can answer
/// it and go on, without holding the whole line in memory.
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<LineRead>> {
    buf.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if read_any {
                Some(if too_long {
                    LineRead::TooLong
                } else {
                    LineRead::Line
                })
            } else {
                None
            });
        }
        read_any = true;
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long {
            if buf.len() + chunk.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(Some(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            }));
        }
    }
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineRead {
    /// A line is in the buffer.
    Line,
    /// The line was longer than allowed and was skipped.
    TooLong,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_told_apart_by_their_members() {
        let m = JsonRpcMessage::parse(r#"{"id":1,"method":"a","params":{"x":1}}"#).unwrap();
        assert!(
            matches!(m, JsonRpcMessage::Request(ref r) if r.id == RequestId::Integer(1) && r.params == Some(json!({"x":1})))
        );
        let m = JsonRpcMessage::parse(r#"{"method":"a"}"#).unwrap();
        assert!(matches!(m, JsonRpcMessage::Notification(_)));
        let m = JsonRpcMessage::parse(r#"{"id":"x","result":{}}"#).unwrap();
        assert!(
            matches!(m, JsonRpcMessage::Response(ref r) if r.id == RequestId::String("x".into()))
        );
        let m = JsonRpcMessage::parse(r#"{"id":2,"error":{"code":-1,"message":"no"}}"#).unwrap();
        assert!(matches!(m, JsonRpcMessage::Error(_)));
    }

    #[test]
    fn malformed_lines_get_typed_errors() {
        assert_eq!(
            JsonRpcMessage::parse("{").unwrap_err().error.code,
            PARSE_ERROR
        );
        assert_eq!(
            JsonRpcMessage::parse("[1]").unwrap_err().error.code,
            INVALID_REQUEST
        );
        let bad = JsonRpcMessage::parse(r#"{"id":3,"method":7}"#).unwrap_err();
        assert_eq!(
            (bad.id, bad.error.code),
            (Some(RequestId::Integer(3)), INVALID_REQUEST)
        );
        let bad = JsonRpcMessage::parse(r#"{"id":1.5,"method":"a"}"#).unwrap_err();
        assert_eq!((bad.id, bad.error.code), (None, INVALID_REQUEST));
        assert_eq!(
            JsonRpcMessage::parse(r#"{"id":4}"#).unwrap_err().error.code,
            INVALID_REQUEST
        );
    }

    #[test]
    fn requests_without_params_serialize_without_the_member() {
        let m = JsonRpcMessage::Request(JsonRpcRequest {
            id: RequestId::Integer(1),
            method: "getUserAgent".into(),
            params: None,
        });
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"id": 1, "method": "getUserAgent"})
        );
    }

    #[tokio::test]
    async fn long_lines_are_skipped_whole() {
        let input = format!("{}\nshort\n", "x".repeat(100));
        let mut reader = tokio::io::BufReader::with_capacity(8, input.as_bytes());
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut reader, &mut buf, 10).await.unwrap(),
            Some(LineRead::TooLong)
        );
        assert_eq!(
            read_line(&mut reader, &mut buf, 10).await.unwrap(),
            Some(LineRead::Line)
        );
        assert_eq!(buf, b"short");
        assert_eq!(read_line(&mut reader, &mut buf, 10).await.unwrap(), None);
    }
}
