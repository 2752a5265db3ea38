//! The server's side of the wire: one bounded queue of outgoing messages drained by one writer task
//! (so a client that stops reading slows the conversations down instead of growing memory), and the
//! server-to-client requests waiting for their answers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::Method;
use super::jsonrpc::{
    ErrorObject, INTERNAL_ERROR, JsonRpcError, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest,
    JsonRpcResponse, RequestId,
};

type Answer = Result<Value, ErrorObject>;

/// How long the writer keeps flushing queued messages after the connection is closing.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends messages to the client.
#[derive(Debug)]
pub(crate) struct Outgoing {
    tx: mpsc::Sender<JsonRpcMessage>,
    next_id: AtomicI64,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Answer>>>,
}

impl Outgoing {
    /// A queue of `capacity` messages and the task writing them to `writer`. The task ends when `closing`
    /// is cancelled (after writing what is queued, for at most a few seconds) or the writer fails.
    pub(crate) fn new<W>(
        writer: W,
        capacity: usize,
        closing: CancellationToken,
    ) -> (Self, tokio::task::JoinHandle<()>)
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let task = tokio::spawn(write_loop(writer, rx, closing));
        let outgoing = Self {
            tx,
            next_id: AtomicI64::new(0),
            pending: Mutex::new(HashMap::new()),
        };
        (outgoing, task)
    }

    /// Queues a message, waiting while the queue is full. `false` when the connection is gone.
    pub(crate) async fn send(&self, message: JsonRpcMessage) -> bool {
        self.tx.send(message).await.is_ok()
    }

    /// Answers a request with its method's response type.
    pub(crate) async fn respond<M: Method>(
        &self,
        id: RequestId,
        result: Result<M::Response, ErrorObject>,
    ) {
        let message = match result.and_then(|r| to_value(&r)) {
            Ok(result) => JsonRpcMessage::Response(JsonRpcResponse { id, result }),
            Err(error) => JsonRpcMessage::Error(JsonRpcError {
                id: Some(id),
                error,
            }),
        };
        self.send(message).await;
    }

    /// Answers with an error (`id` `None`: the request's id could not be read).
    pub(crate) async fn error(&self, id: Option<RequestId>, error: ErrorObject) {
        self.send(JsonRpcMessage::Error(JsonRpcError { id, error }))
            .await;
    }

    /// Sends a notification (`{method, params}` from a `tag = "method", content = "params"` enum).
    pub(crate) async fn notify<N: Serialize>(&self, notification: &N) -> bool {
        let Ok(value) = serde_json::to_value(notification) else {
            return false;
        };
        let method = value
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let params = value.get("params").cloned();
        self.send(JsonRpcMessage::Notification(JsonRpcNotification {
            method,
            params,
        }))
        .await
    }

    /// Sends a request to the client and waits for its answer. An error answer, an answer that does not
    /// parse as the method's response, or a connection that closes first is an `Err`.
    pub(crate) async fn request<M>(&self, params: &M::Params) -> Result<M::Response, ErrorObject>
    where
        M: Method,
        M::Params: Serialize,
        M::Response: DeserializeOwned,
    {
        let id = RequestId::Integer(self.next_id.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id.clone(), tx);
        let message = JsonRpcMessage::Request(JsonRpcRequest {
            id: id.clone(),
            method: M::NAME.to_owned(),
            params: Some(to_value(params)?),
        });
        if !self.send(message).await {
            self.lock().remove(&id);
            return Err(ErrorObject::new(INTERNAL_ERROR, "the connection is closed"));
        }
        let answer = rx
            .await
            .map_err(|_| ErrorObject::new(INTERNAL_ERROR, "the connection is closed"))??;
        serde_json::from_value(answer)
            .map_err(|e| ErrorObject::invalid_params(format!("invalid answer to {}: {e}", M::NAME)))
    }

    /// Delivers the client's answer to a request; `false` when no request with that id is waiting.
    pub(crate) fn resolve(&self, id: &RequestId, answer: Answer) -> bool {
        match self.lock().remove(id) {
            Some(tx) => {
                let _ = tx.send(answer);
                true
            }
            None => false,
        }
    }

    /// Fails every request still waiting (the connection is closing).
    pub(crate) fn fail_pending(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, oneshot::Sender<Answer>>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, ErrorObject> {
    serde_json::to_value(value)
        .map_err(|e| ErrorObject::new(INTERNAL_ERROR, format!("cannot serialize: {e}")))
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::Receiver<JsonRpcMessage>,
    closing: CancellationToken,
) {
    let mut line = Vec::with_capacity(4096);
    loop {
        let message = tokio::select! {
            biased;
            m = rx.recv() => m,
            () = closing.cancelled() => break,
        };
        let Some(message) = message else { return };
        if write_one(&mut writer, &mut line, &message).await.is_err() {
            return;
        }
        // Flush once the queue is empty, so a burst of deltas costs one flush.
        if rx.is_empty() && writer.flush().await.is_err() {
            return;
        }
    }
    // Closing: write out what is queued, without waiting forever for a client that does not read.
    let drain = async {
        while let Ok(message) = rx.try_recv() {
            if write_one(&mut writer, &mut line, &message).await.is_err() {
                return;
            }
        }
        let _ = writer.flush().await;
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, writer.shutdown()).await;
}

async fn write_one<W: AsyncWrite + Unpin>(
    writer: &mut W,
    line: &mut Vec<u8>,
    message: &JsonRpcMessage,
) -> std::io::Result<()> {
    line.clear();
    serde_json::to_writer(&mut *line, message).map_err(std::io::Error::other)?;
    line.push(b'\n');
    writer.write_all(line).await
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;
    use crate::app_server::v1::{AuthStatusChangeNotification, ServerNotification};

    fn note() -> ServerNotification {
        ServerNotification::AuthStatusChange(AuthStatusChangeNotification { auth_method: None })
    }

    /// A client that never reads: the pipe fills, then the queue, then senders wait — memory stays bounded.
    #[tokio::test(flavor = "current_thread")]
    async fn a_client_that_stops_reading_makes_senders_wait() {
        let (client, server) = tokio::io::duplex(256);
        let closing = CancellationToken::new();
        let (outgoing, writer) = Outgoing::new(server, 4, closing.clone());
        let mut queued = 0;
        loop {
            tokio::task::yield_now().await;
            match outgoing.notify(&note()).now_or_never() {
                Some(sent) => {
                    assert!(sent);
                    queued += 1;
                    assert!(queued < 100, "the queue never filled");
                }
                None => break,
            }
        }
        // 256 bytes of pipe hold a few lines, the queue four more; nothing else was accepted.
        // (+2: the line the writer holds, and one partly written.)
        assert!(queued <= 4 + 256 / 40 + 2, "{queued} messages accepted");
        // Reading again drains everything, in order.
        drop(client);
        closing.cancel();
        writer.await.unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn answers_reach_their_request_and_stray_ones_are_reported() {
        let (_client, server) = tokio::io::duplex(1 << 16);
        let (outgoing, _writer) = Outgoing::new(server, 8, CancellationToken::new());
        let outgoing = std::sync::Arc::new(outgoing);
        let asking = {
            let outgoing = std::sync::Arc::clone(&outgoing);
            tokio::spawn(async move {
                let params = crate::app_server::v1::ExecCommandApprovalParams {
                    conversation_id: crate::protocol::ConversationId::new(),
                    call_id: "c".into(),
                    command: vec!["ls".into()],
                    cwd: "/".into(),
                    reason: None,
                };
                outgoing
                    .request::<crate::app_server::v1::server_methods::ExecCommandApproval>(&params)
                    .await
            })
        };
        while outgoing.lock().is_empty() {
            tokio::task::yield_now().await;
        }
        assert!(!outgoing.resolve(&RequestId::Integer(99), Ok(Value::Null)));
        let answer = serde_json::json!({"decision": "approved"});
        assert!(outgoing.resolve(&RequestId::Integer(0), Ok(answer)));
        let response = asking.await.unwrap().unwrap();
        assert_eq!(response.decision, crate::protocol::ReviewDecision::Approved);
    }
}
