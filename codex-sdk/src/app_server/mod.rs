//! The app server: the SDK over JSON-RPC "lite" (one JSON message per line), for hosts that cannot link a
//! Rust library. [`AppServer::serve`] runs one connection over any `AsyncRead`/`AsyncWrite` pair (stdio in
//! the `codex-sdk app-server` command, a socket, or an in-process pipe in tests).
//!
//! The server is a thin shell over [`Codex`](crate::Codex) and its conversations: it parses messages,
//! keeps request ids, and maps types; turns run in the same loop as everywhere else.
//!
//! - [`jsonrpc`]: the message shapes and error codes.
//! - [`v1`]: the seed's methods (`newConversation`, `sendUserMessage`…), notifications and the approval
//!   requests the server sends.
//!
//! Robustness: a malformed line, an unknown method or bad params get a JSON-RPC error and the connection
//! goes on; lines are capped ([`AppServer::max_line_bytes`]); outgoing messages go through a bounded queue,
//! so a client that stops reading slows its conversations down instead of growing memory; end of input
//! shuts every conversation of the connection down (rollouts written, pending approvals denied).

pub mod jsonrpc;
mod listener;
mod macros;
mod outgoing;
mod processor;
mod processor_v2;
#[cfg(feature = "schema")]
pub mod schema;
pub mod v1;
pub mod v2;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use self::jsonrpc::{
    ErrorObject, INVALID_PARAMS, INVALID_REQUEST, JsonRpcMessage, JsonRpcRequest, LineRead,
    METHOD_NOT_FOUND, NOT_INITIALIZED, read_line,
};
use self::outgoing::Outgoing;
use self::processor::Processor;
use self::v1::ClientRequest;
use crate::config::Config;
use crate::error::Result;
use crate::model::ModelClient;

/// A method of the protocol: its wire name and its params and response types. Implemented by the marker
/// types in [`v1::client_methods`] and [`v1::server_methods`].
pub trait Method {
    /// The wire name.
    const NAME: &'static str;
    /// The params (`()` for methods without any).
    type Params;
    /// The response.
    type Response: serde::Serialize;
}

/// Default cap on one incoming line.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Default number of outgoing messages queued before senders wait.
pub const DEFAULT_OUTGOING_BUFFER: usize = 256;
/// Requests handled at once per connection; more wait (and the reader with them).
const MAX_CONCURRENT_REQUESTS: usize = 64;
/// How long the end of input waits for running requests to be answered.
const IN_FLIGHT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where conversations get their configuration.
#[derive(Debug, Clone)]
pub(crate) enum ConfigSource {
    /// `codex_home/config.toml` re-read for every new conversation (so `setDefaultModel` applies), with
    /// these overrides on top.
    CodexHome {
        codex_home: PathBuf,
        overrides: Vec<(String, toml::Value)>,
    },
    /// This configuration (request overrides applied on top).
    Fixed(Box<Config>),
}

/// Serves the protocol on connections. Cheap to clone; each [`serve`](Self::serve) call is one
/// connection with its own conversations.
#[derive(Debug, Clone)]
#[must_use]
pub struct AppServer {
    source: ConfigSource,
    model_client: Option<Arc<dyn ModelClient>>,
    max_line_bytes: usize,
    outgoing_buffer: usize,
}

impl AppServer {
    /// A server whose conversations start from `config` (with each request's settings on top).
    pub fn new(config: Config) -> Self {
        Self::with_source(ConfigSource::Fixed(Box::new(config)))
    }

    /// A server that reads `codex_home/config.toml` (with `overrides`, as `-c key=value` does) for every
    /// new conversation, as Codex's app server does.
    pub fn from_codex_home(
        codex_home: impl Into<PathBuf>,
        overrides: Vec<(String, toml::Value)>,
    ) -> Self {
        Self::with_source(ConfigSource::CodexHome {
            codex_home: codex_home.into(),
            overrides,
        })
    }

    fn with_source(source: ConfigSource) -> Self {
        Self {
            source,
            model_client: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            outgoing_buffer: DEFAULT_OUTGOING_BUFFER,
        }
    }

    /// Uses this model client instead of building one from the configuration.
    pub fn model_client(mut self, client: Arc<dyn ModelClient>) -> Self {
        self.model_client = Some(client);
        self
    }

    /// Lines longer than this are answered with an error and skipped.
    pub fn max_line_bytes(mut self, bytes: usize) -> Self {
        self.max_line_bytes = bytes.max(1);
        self
    }

    /// Outgoing messages queued before conversations wait for the client to read.
    pub fn outgoing_buffer(mut self, messages: usize) -> Self {
        self.outgoing_buffer = messages.max(1);
        self
    }

    /// Serves one connection until the client closes its side (end of input), then shuts down every
    /// conversation it started and returns.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) when reading fails.
    pub async fn serve<R, W>(&self, reader: R, writer: W) -> Result<()>
    where
        R: AsyncRead + Unpin + Send,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let closing = CancellationToken::new();
        let (outgoing, writer_task) = Outgoing::new(writer, self.outgoing_buffer, closing.clone());
        let outgoing = Arc::new(outgoing);
        let processor = Arc::new(Processor::new(
            self.source.clone(),
            self.model_client.clone(),
            Arc::clone(&outgoing),
        ));
        let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_REQUESTS));
        let result = self.read_loop(reader, &processor, &permits).await;
        // End of input: answer the requests still running (for a while), then close everything.
        let all = u32::try_from(MAX_CONCURRENT_REQUESTS).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(IN_FLIGHT_TIMEOUT, permits.acquire_many(all)).await;
        processor.shutdown().await;
        closing.cancel();
        let _ = writer_task.await;
        result
    }

    async fn read_loop<R: AsyncRead + Unpin>(
        &self,
        reader: R,
        processor: &Arc<Processor>,
        permits: &Arc<Semaphore>,
    ) -> Result<()> {
        let mut reader = BufReader::new(reader);
        let mut buf = Vec::new();
        let outgoing = &processor.outgoing;
        while let Some(read) = read_line(&mut reader, &mut buf, self.max_line_bytes).await? {
            if read == LineRead::TooLong {
                let message = format!("line longer than {} bytes", self.max_line_bytes);
                outgoing
                    .error(None, ErrorObject::new(INVALID_REQUEST, message))
                    .await;
                continue;
            }
            let Ok(line) = std::str::from_utf8(&buf) else {
                let error = ErrorObject::new(jsonrpc::PARSE_ERROR, "line is not UTF-8");
                outgoing.error(None, error).await;
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
            match JsonRpcMessage::parse(line) {
                Err(bad) => outgoing.error(bad.id, bad.error).await,
                Ok(JsonRpcMessage::Request(request)) => {
                    self.dispatch(request, processor, permits).await;
                }
                Ok(JsonRpcMessage::Notification(n)) => {
                    tracing::debug!(method = %n.method, "client notification");
                }
                Ok(JsonRpcMessage::Response(r)) => {
                    if !outgoing.resolve(&r.id, Ok(r.result)) {
                        unknown_response(outgoing, r.id).await;
                    }
                }
                Ok(JsonRpcMessage::Error(e)) => match e.id {
                    Some(id) => {
                        if !outgoing.resolve(&id, Err(e.error)) {
                            unknown_response(outgoing, id).await;
                        }
                    }
                    None => tracing::warn!(message = %e.error.message, "client error"),
                },
            }
        }
        Ok(())
    }

    async fn dispatch(
        &self,
        request: JsonRpcRequest,
        processor: &Arc<Processor>,
        permits: &Arc<Semaphore>,
    ) {
        let outgoing = &processor.outgoing;
        let id = request.id.clone();
        let parsed = match parse_request(request) {
            Ok(parsed) => parsed,
            Err(error) => return outgoing.error(Some(id), error).await,
        };
        match parsed {
            // Handled in order, so requests pipelined after it see an initialized connection.
            AnyRequest::V1(ClientRequest::Initialize { request_id, params }) => {
                processor.initialize(request_id, params).await;
            }
            _ if !processor.is_initialized() => {
                let error =
                    ErrorObject::new(NOT_INITIALIZED, "not initialized: send `initialize` first");
                outgoing.error(Some(id), error).await;
            }
            request => {
                let Ok(permit) = Arc::clone(permits).acquire_owned().await else {
                    return;
                };
                let processor = Arc::clone(processor);
                tokio::spawn(async move {
                    match request {
                        AnyRequest::V1(r) => processor.handle(r).await,
                        AnyRequest::V2(r) => processor.handle_v2(r).await,
                    }
                    drop(permit);
                });
            }
        }
    }
}

/// A request of either protocol.
enum AnyRequest {
    V1(ClientRequest),
    V2(v2::ClientRequest),
}

/// The typed request, or `METHOD_NOT_FOUND` / `INVALID_PARAMS`.
fn parse_request(request: JsonRpcRequest) -> std::result::Result<AnyRequest, ErrorObject> {
    let v2 = v2::ClientRequest::METHODS.contains(&request.method.as_str());
    if !v2 && !ClientRequest::METHODS.contains(&request.method.as_str()) {
        return Err(ErrorObject::new(
            METHOD_NOT_FOUND,
            format!("unknown method `{}`", request.method),
        ));
    }
    let method = request.method.clone();
    let mut value = serde_json::Map::new();
    value.insert("method".into(), Value::String(request.method));
    value.insert(
        "id".into(),
        serde_json::to_value(&request.id).unwrap_or_default(),
    );
    // Methods whose params are all optional accept a missing `params`.
    value.insert(
        "params".into(),
        request
            .params
            .unwrap_or_else(|| Value::Object(Default::default())),
    );
    let value = Value::Object(value);
    let parsed = if v2 {
        serde_json::from_value(value).map(AnyRequest::V2)
    } else {
        serde_json::from_value(value).map(AnyRequest::V1)
    };
    parsed.map_err(|e| {
        ErrorObject::new(
            INVALID_PARAMS,
            format!("invalid params for `{method}`: {e}"),
        )
    })
}

async fn unknown_response(outgoing: &Outgoing, id: jsonrpc::RequestId) {
    let message = format!("no request with id {id} is waiting for an answer");
    outgoing
        .error(Some(id), ErrorObject::new(INVALID_REQUEST, message))
        .await;
}
