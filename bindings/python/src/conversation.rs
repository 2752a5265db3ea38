//! `Conversation` and `TurnStream`: one conversation, and the events of one of its turns.
//!
//! The core conversation sits behind an async mutex: `run` and each turn stream hold it for the length of
//! their turn, so turns of one conversation never interleave and there is exactly one event reader. A turn
//! stream is a task that owns the conversation's [`TurnEvents`](codex_sdk::conversation::TurnEvents) and
//! forwards them to a bounded channel that Python drains in batches; when Python stops reading (a `break`,
//! a cancelled task, `close()`, garbage collection), the task ends, and dropping the core's turn stream
//! interrupts the turn.

use std::sync::{Arc, Mutex, PoisonError};

use codex_sdk::protocol::{ConversationId, Event, EventMsg, Op, UserInput};
use codex_sdk::{ConversationHandle, TurnInput, TurnResult};
use pyo3::prelude::*;
use serde_json::json;
use tokio::sync::mpsc::{self, error::TryRecvError};
use tokio_util::sync::CancellationToken;

use crate::error::{BindingError, to_py};
use crate::event_loop::{Awaitable, HostLoop, Nothing, future_into_py};
use crate::events::{from_json, to_json};
use crate::runtime::handle;
use crate::tools::{HostLoops, Tool};

/// Events a turn stream buffers ahead of its Python reader (on top of the core's own buffer).
const STREAM_BUFFER: usize = 1024;

type Shared = Arc<tokio::sync::Mutex<codex_sdk::Conversation>>;
type Item = Result<Event, codex_sdk::Error>;

/// One conversation.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct Conversation {
    id: ConversationId,
    handle: ConversationHandle,
    inner: Shared,
    configured: String,
    loops: Arc<HostLoops>,
}

impl Conversation {
    pub(crate) fn new(
        conversation: codex_sdk::Conversation,
        loops: Arc<HostLoops>,
    ) -> Result<Self, BindingError> {
        Ok(Self {
            id: conversation.id(),
            handle: conversation.handle(),
            configured: to_json(conversation.session_configured())?,
            inner: Arc::new(tokio::sync::Mutex::new(conversation)),
            loops,
        })
    }

    /// Remembers the running event loop as the one this conversation's async tools run on.
    fn note_loop(&self, py: Python<'_>) {
        if let Ok(host_loop) = HostLoop::running(py) {
            self.loops.register(self.id, host_loop);
        }
    }
}

impl Drop for Conversation {
    fn drop(&mut self) {
        self.loops.forget(self.id);
    }
}

#[pymethods]
impl Conversation {
    /// The conversation's id (a UUID string).
    #[getter]
    fn id(&self) -> String {
        self.id.to_string()
    }

    /// The `SessionConfigured` event, as JSON.
    #[getter]
    fn session_configured(&self) -> &str {
        &self.configured
    }

    /// Runs a turn with `input` (JSON list of `UserInput`); resolves to the `TurnResult` as JSON.
    fn run<'py>(&self, py: Python<'py>, input: &str) -> PyResult<Awaitable<'py, String>> {
        let input = parse_input(py, input)?;
        self.note_loop(py);
        let inner = Arc::clone(&self.inner);
        future_into_py(py, async move {
            let mut conversation = inner.lock_owned().await;
            let result = conversation.run(input).await?;
            turn_result_json(&result)
        })
    }

    /// Starts a turn with `input` (JSON list of `UserInput`) and returns the stream of its events.
    fn stream(&self, py: Python<'_>, input: &str) -> PyResult<TurnStream> {
        let input = parse_input(py, input)?;
        self.note_loop(py);
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let stop = CancellationToken::new();
        handle()?.spawn(pump(Arc::clone(&self.inner), input, tx, stop.clone()));
        Ok(TurnStream {
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            failed: Arc::default(),
            stop,
        })
    }

    /// Submits an op (JSON `Op`); resolves to its submission id.
    fn submit<'py>(&self, py: Python<'py>, op: &str) -> PyResult<Awaitable<'py, String>> {
        let op: Op = from_json("op", op).map_err(|e| e.into_pyerr(py))?;
        self.note_loop(py);
        let handle = self.handle.clone();
        future_into_py(py, async move { Ok(handle.submit(op).await?.0) })
    }

    /// Interrupts the running turn.
    fn interrupt<'py>(&self, py: Python<'py>) -> PyResult<Awaitable<'py, Nothing>> {
        let handle = self.handle.clone();
        future_into_py(py, async move {
            handle.interrupt().await?;
            Ok(Nothing)
        })
    }

    /// Waits for the next events of the conversation (any turn) and returns them with what else is
    /// buffered, at most `max`, as a JSON list of `Event`; `None` once the conversation has ended.
    fn next_events<'py>(
        &self,
        py: Python<'py>,
        max: usize,
    ) -> PyResult<Awaitable<'py, Option<String>>> {
        self.note_loop(py);
        let inner = Arc::clone(&self.inner);
        future_into_py(py, async move {
            let mut conversation = inner.lock_owned().await;
            let Some(first) = conversation.next_event().await else {
                return Ok(None);
            };
            let mut events = vec![first];
            while events.len() < max {
                match conversation.events().try_recv() {
                    Some(event) => events.push(event),
                    None => break,
                }
            }
            Ok(Some(to_json(&events)?))
        })
    }

    /// Registers a tool for the following model requests.
    fn register_tool(&self, py: Python<'_>, tool: &Tool) -> PyResult<()> {
        let registry = self.handle.tools();
        to_py(
            py,
            registry.register(tool.function_tool(Arc::clone(&self.loops))),
        )
    }

    /// Unregisters a tool; returns whether it was registered.
    fn unregister_tool(&self, name: &str) -> bool {
        self.handle.tools().unregister(name)
    }

    /// The names of the registered tools.
    fn tool_names(&self) -> Vec<String> {
        self.handle.tools().names()
    }
}

fn parse_input(py: Python<'_>, input: &str) -> PyResult<TurnInput> {
    from_json::<Vec<UserInput>>("input", input)
        .map(TurnInput)
        .map_err(|e| e.into_pyerr(py))
}

fn turn_result_json(result: &TurnResult) -> Result<String, BindingError> {
    to_json(&json!({
        "items": result.items,
        "final_message": result.final_message,
        "usage": result.usage,
    }))
}

/// Forwards the events of one turn until its end, or until the reader is gone or asks to stop.
async fn pump(inner: Shared, input: TurnInput, tx: mpsc::Sender<Item>, stop: CancellationToken) {
    let mut conversation = tokio::select! {
        biased;
        () = stop.cancelled() => return,
        () = tx.closed() => return,
        conversation = inner.lock_owned() => conversation,
    };
    let mut turn = match conversation.stream(input).await {
        Ok(turn) => turn,
        Err(err) => {
            let _ = tx.send(Err(err)).await;
            return;
        }
    };
    loop {
        let event = tokio::select! {
            biased;
            () = stop.cancelled() => return,
            () = tx.closed() => return,
            event = turn.next_event() => event,
        };
        let Some(event) = event else { return };
        let sent = tokio::select! {
            sent = tx.send(Ok(event)) => sent.is_ok(),
            () = stop.cancelled() => false,
        };
        if !sent {
            return;
        }
    }
}

/// The events of one turn, read in batches. Dropping or closing it before the turn's end interrupts the
/// turn.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct TurnStream {
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Item>>>,
    /// An error that arrived behind some events, raised by the next read.
    failed: Arc<Mutex<Option<codex_sdk::Error>>>,
    stop: CancellationToken,
}

/// A batch: the events' messages as a JSON list, and whether the turn's stream has ended.
type Batch = (String, bool);

#[pymethods]
impl TurnStream {
    /// The buffered events (at most `max`) without waiting, or `None` when none is buffered.
    fn try_next_batch(&self, py: Python<'_>, max: usize) -> PyResult<Option<Batch>> {
        let Ok(mut rx) = self.rx.try_lock() else {
            return Ok(None);
        };
        let mut msgs = Vec::new();
        let done = drain(&mut rx, &mut msgs, max, &self.failed);
        if msgs.is_empty() {
            if let Some(err) = take(&self.failed) {
                return Err(BindingError::from(err).into_pyerr(py));
            }
            if !done {
                return Ok(None);
            }
        }
        let text = to_json(&msgs).map_err(|e| e.into_pyerr(py))?;
        Ok(Some((text, done)))
    }

    /// Waits for at least one event and returns it with what else is buffered (at most `max`).
    fn next_batch<'py>(&self, py: Python<'py>, max: usize) -> PyResult<Awaitable<'py, Batch>> {
        let rx = Arc::clone(&self.rx);
        let failed = Arc::clone(&self.failed);
        future_into_py(py, async move {
            if let Some(err) = take(&failed) {
                return Err(err.into());
            }
            let mut rx = rx.lock_owned().await;
            let mut msgs = match rx.recv().await {
                None => Vec::new(),
                Some(Err(err)) => return Err(err.into()),
                Some(Ok(event)) => vec![event.msg],
            };
            let done = msgs.is_empty() || drain(&mut rx, &mut msgs, max, &failed);
            Ok((to_json(&msgs)?, done))
        })
    }

    /// Stops reading: the turn is interrupted unless it has already ended.
    fn close(&self) {
        self.stop.cancel();
    }
}

impl Drop for TurnStream {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn take(failed: &Mutex<Option<codex_sdk::Error>>) -> Option<codex_sdk::Error> {
    failed.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Moves buffered events into `msgs` (up to `max`); returns whether the stream has ended. An error stops
/// the batch and waits in `failed` for the next read.
fn drain(
    rx: &mut mpsc::Receiver<Item>,
    msgs: &mut Vec<EventMsg>,
    max: usize,
    failed: &Mutex<Option<codex_sdk::Error>>,
) -> bool {
    while msgs.len() < max {
        match rx.try_recv() {
            Ok(Ok(event)) => msgs.push(event.msg),
            Ok(Err(err)) => {
                *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(err);
                return false;
            }
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => return true,
        }
    }
    false
}
