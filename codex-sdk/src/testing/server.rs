//! [`MockServer`]: a loopback HTTP/1.1 server answering from a FIFO queue of [`MockResponse`]s, or from a
//! responder function when the queue is empty.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::request::{RecordedRequest, read_body, read_head};
use super::response::{Framing, MockResponse};

/// A mock model server on `127.0.0.1` (a random free port), run by a background tokio task.
///
/// Every request — whatever its path — is recorded, then answered with the next queued [`MockResponse`]
/// (first in, first out). With nothing queued it asks the responder set by [`MockServer::respond_with`], if
/// any; otherwise it answers `500` with a body saying so, so a test fails clearly instead of hanging. Each connection carries one request and is closed after the answer.
///
/// Dropping the server stops it: the listener closes and open connections (stalled or delayed streams
/// included) are closed.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    accept_task: Option<JoinHandle<()>>,
}

/// Computes the answer to a request that found the queue empty.
type Responder = Arc<dyn Fn(&RecordedRequest) -> MockResponse + Send + Sync>;

struct State {
    queue: VecDeque<MockResponse>,
    requests: Vec<RecordedRequest>,
    /// Whether received requests are kept in `requests`.
    recording: bool,
    /// Every request received, kept or not.
    received: usize,
    responder: Option<Responder>,
}

impl Default for State {
    fn default() -> Self {
        State {
            queue: VecDeque::new(),
            requests: Vec::new(),
            recording: true,
            received: 0,
            responder: None,
        }
    }
}

struct Shared {
    state: Mutex<State>,
    /// The number of requests recorded so far.
    count: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `request` and takes the answer for it, in one step so that the order of recorded requests is
    /// the order in which responses were handed out.
    fn take_response(&self, request: RecordedRequest) -> MockResponse {
        let mut state = self.lock();
        state.received += 1;
        let count = state.received;
        let queued = state.queue.pop_front();
        let responder = match queued {
            Some(_) => None,
            None => state.responder.clone(),
        };
        let response = match (queued, responder) {
            (None, Some(responder)) => {
                if state.recording {
                    state.requests.push(request.clone());
                }
                drop(state);
                // Outside the lock, so a slow responder never holds other connections up.
                responder(&request)
            }
            (queued, _) => {
                let response = queued.unwrap_or_else(|| no_response_queued(&request, count));
                if state.recording {
                    state.requests.push(request);
                }
                drop(state);
                response
            }
        };
        self.count.send_replace(count);
        response
    }
}

fn no_response_queued(request: &RecordedRequest, number: usize) -> MockResponse {
    MockResponse::status(500).body(format!(
        "codex-sdk MockServer: no response queued for request #{number} ({} {})",
        request.method, request.path
    ))
}

impl MockServer {
    /// Binds `127.0.0.1:0` and starts serving. Must be called inside a tokio runtime.
    pub async fn start() -> io::Result<MockServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            count: watch::Sender::new(0),
        });
        let cancel = CancellationToken::new();
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone(), cancel.clone()));
        Ok(MockServer {
            addr,
            shared,
            cancel,
            accept_task: Some(accept_task),
        })
    }

    /// The API base URL, `http://127.0.0.1:PORT/v1`; clients POST to `{base_url}/responses` or
    /// `{base_url}/chat/completions`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The address the server listens on.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// Queues an answer. Answers are shared by all paths and handed out in order, one per request.
    pub fn enqueue(&self, response: MockResponse) {
        self.shared.lock().queue.push_back(response);
    }

    /// Answers every request that finds the queue empty with `responder(&request)`, for servers that
    /// script by content rather than by order — e.g. many conversations running at once, each answered
    /// according to its own history. Queued responses still go first. Replaces any earlier responder.
    pub fn respond_with<F>(&self, responder: F)
    where
        F: Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
    {
        self.shared.lock().responder = Some(Arc::new(responder));
    }

    /// Whether received requests are kept for [`MockServer::requests`] (on by default). A load test that
    /// sends many large requests turns it off so the server's memory stays flat; requests are still counted
    /// by [`MockServer::request_count`].
    pub fn set_recording(&self, on: bool) {
        self.shared.lock().recording = on;
    }

    /// How many requests have been received, recorded or not.
    #[must_use]
    pub fn request_count(&self) -> usize {
        self.shared.lock().received
    }

    /// Every request received so far (while recording was on), in order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Waits until at least `n` requests have arrived or `timeout` has passed, then returns every request
    /// recorded so far (fewer than `n` on timeout, so the caller's assertion shows what did arrive).
    pub async fn wait_for_requests(&self, n: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let mut count = self.shared.count.subscribe();
        // The sender lives in `self`, so `wait_for` only returns once the count is reached.
        let _ = tokio::time::timeout(timeout, count.wait_for(|&c| c >= n)).await;
        self.requests()
    }

    /// How many queued responses have not been handed out yet.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// Stops the server and waits until the listener is closed (dropping does the same without waiting).
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.accept_task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("pending", &self.pending())
            .field("requests", &self.shared.lock().received)
            .finish()
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, cancel: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                let shared = shared.clone();
                let cancel = cancel.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        _ = serve_connection(stream, &shared) => {}
                    }
                });
            }
            // Transient (e.g. out of file descriptors): let other tasks run, then keep accepting.
            Err(_) => tokio::task::yield_now().await,
        }
    }
}

/// Serves one request on `stream`, then closes it.
async fn serve_connection(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read_half, mut write_half) = stream.split();
    let mut reader = BufReader::new(read_half);
    let head = match read_head(&mut reader).await {
        Ok(Some(head)) => head,
        Ok(None) => return Ok(()),
        Err(err) => return bad_request(&mut write_half, &err).await,
    };
    if head.expects_continue() {
        write_half
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await?;
    }
    let body = match read_body(&mut reader, &head).await {
        Ok(body) => body,
        Err(err) => return bad_request(&mut write_half, &err).await,
    };
    let request = RecordedRequest {
        method: head.method,
        path: head.path,
        headers: head.headers,
        body,
    };
    let response = shared.take_response(request);
    write_response(&mut write_half, &response).await?;
    if response.stalls() {
        // Idle until the client goes away; the caller's cancellation ends this when the server drops.
        wait_for_client_close(&mut reader).await;
    }
    write_half.shutdown().await
}

async fn bad_request<W: AsyncWrite + Unpin>(writer: &mut W, err: &io::Error) -> io::Result<()> {
    let response = MockResponse::status(400).body(format!("codex-sdk MockServer: {err}"));
    write_response(writer, &response).await?;
    writer.shutdown().await
}

/// Reads and discards until end of stream or an error.
async fn wait_for_client_close<R: AsyncRead + Unpin>(reader: &mut R) {
    let mut buf = [0; 1024];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// Writes the status line, headers and as much of the body as the response allows.
async fn write_response<W: AsyncWrite + Unpin>(
    writer: &mut W,
    response: &MockResponse,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason_phrase(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let total: usize = response.segments.iter().map(bytes::Bytes::len).sum();
    if response.framing == Framing::Length {
        if total > 0 && !response.has_header("content-type") {
            head.push_str("Content-Type: text/plain; charset=utf-8\r\n");
        }
        head.push_str(&format!("Content-Length: {total}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    writer.write_all(head.as_bytes()).await?;
    writer.flush().await?;

    let mut remaining = response.body_limit();
    for (index, segment) in response.segments.iter().enumerate() {
        if remaining == 0 {
            break;
        }
        if index > 0
            && let Some(delay) = response.event_delay
        {
            tokio::time::sleep(delay).await;
        }
        let piece = &segment[..segment.len().min(remaining)];
        writer.write_all(piece).await?;
        writer.flush().await?;
        remaining -= piece.len();
    }
    Ok(())
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
