//! `Conversation` and `TurnStream`: one conversation, and the events of one of its turns.
//!
//! The core conversation is a [`SharedConversation`]: `run` holds it for the length of its turn, and a turn
//! stream holds the core's own [`OwnedTurnEvents`], which Python drains in batches straight from the
//! conversation's event channel (no task, no second buffer). When Python stops reading (a `break`, a
//! cancelled task, `close()`, garbage collection), the core stream is dropped, which interrupts the turn.

use std::future::Future;
use std::sync::Arc;

use codex_sdk::conversation::{OwnedTurnEvents, SharedConversation};
use codex_sdk::protocol::{ConversationId, EventMsg, Op, UserInput};
use codex_sdk::{ConversationHandle, TurnInput};
use pyo3::prelude::*;
use tokio_util::sync::CancellationToken;

use crate::error::{BindingError, to_py};
use crate::event_loop::{Awaitable, HostLoop, Nothing, future_into_py};
use crate::events::{JsonValue, from_json, from_py, to_json};
use crate::runtime::{handle, wait};
use crate::tools::{HostLoops, Tool};

/// One conversation.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct Conversation {
    id: ConversationId,
    handle: ConversationHandle,
    inner: SharedConversation,
    configured: String,
    loops: Arc<HostLoops>,
    /// The conversation ends with the last handle on its `Codex`: a host that drops its `Codex` but keeps
    /// this conversation keeps it running.
    _codex: codex_sdk::Codex,
}

impl Conversation {
    pub(crate) fn new(
        conversation: codex_sdk::Conversation,
        loops: Arc<HostLoops>,
        codex: codex_sdk::Codex,
    ) -> Result<Self, BindingError> {
        Ok(Self {
            id: conversation.id(),
            handle: conversation.handle(),
            configured: to_json(conversation.session_configured())?,
            inner: conversation.into_shared(),
            loops,
            _codex: codex,
        })
    }

    /// Remembers the running event loop as the one this conversation's async tools run on.
    fn note_loop(&self, py: Python<'_>) {
        if let Ok(host_loop) = HostLoop::running(py) {
            self.loops.register(self.id, host_loop);
        }
    }

    /// A blocking call drives the conversation: its host coroutines run with `asyncio.run`, never on an
    /// event loop (one running on the calling thread is blocked by the call).
    fn note_blocking(&self) {
        self.loops.forget(self.id);
        self.loops.drive_without_loop();
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
            let result = inner.lock_owned().await.run(input).await?;
            to_json(&result)
        })
    }

    /// The stream of the events of a turn with `input` (JSON list of `UserInput`); the turn starts when
    /// the stream is first read.
    fn stream(&self, py: Python<'_>, input: &str) -> PyResult<TurnStream> {
        let input = parse_input(py, input)?;
        self.note_loop(py);
        Ok(TurnStream {
            turn: Arc::new(tokio::sync::Mutex::new(Turn::Pending(
                Arc::clone(&self.inner),
                input,
            ))),
            stop: CancellationToken::new(),
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

    /// Shuts the conversation down and waits for `ShutdownComplete` (the rollout is written out first).
    fn shutdown<'py>(&self, py: Python<'py>) -> PyResult<Awaitable<'py, Nothing>> {
        let inner = Arc::clone(&self.inner);
        future_into_py(py, async move {
            inner.lock_owned().await.shutdown().await?;
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
        future_into_py(py, next_batch(inner, max))
    }

    /// As `run`, blocking (the GIL released; Ctrl-C interrupts the turn); `input` is a list of `UserInput`
    /// (dicts or JSON text); the `TurnResult` as plain Python values.
    fn run_blocking(&self, py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<JsonValue> {
        let input = parse_input_value(py, input)?;
        self.note_blocking();
        let inner = Arc::clone(&self.inner);
        wait(py, async move {
            let result = inner.lock_owned().await.run(input).await?;
            Ok(JsonValue(serde_json::to_value(&result)?))
        })
    }

    /// As `submit`, blocking; `op` is an `Op` (a dict, a protocol dataclass or JSON text).
    fn submit_blocking(&self, py: Python<'_>, op: &Bound<'_, PyAny>) -> PyResult<String> {
        let op: Op = from_py("op", op).map_err(|e| e.into_pyerr(py))?;
        self.note_blocking();
        let handle = self.handle.clone();
        wait(py, async move { Ok(handle.submit(op).await?.0) })
    }

    /// As `interrupt`, blocking.
    fn interrupt_blocking(&self, py: Python<'_>) -> PyResult<()> {
        let handle = self.handle.clone();
        wait(py, async move { Ok(handle.interrupt().await?) })
    }

    /// As `shutdown`, blocking.
    fn shutdown_blocking(&self, py: Python<'_>) -> PyResult<()> {
        let inner = Arc::clone(&self.inner);
        wait(
            py,
            async move { Ok(inner.lock_owned().await.shutdown().await?) },
        )
    }

    /// As `next_events`, blocking.
    fn next_events_blocking(&self, py: Python<'_>, max: usize) -> PyResult<Option<String>> {
        self.note_blocking();
        let inner = Arc::clone(&self.inner);
        wait(py, next_batch(inner, max))
    }

    /// As `stream`, for blocking reads (`next_batch_blocking`); `input` as for `run_blocking`.
    fn stream_blocking(&self, py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<TurnStream> {
        let input = parse_input_value(py, input)?;
        self.note_blocking();
        Ok(TurnStream {
            turn: Arc::new(tokio::sync::Mutex::new(Turn::Pending(
                Arc::clone(&self.inner),
                input,
            ))),
            stop: CancellationToken::new(),
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

fn parse_input_value(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<TurnInput> {
    from_py::<Vec<UserInput>>("input", input)
        .map(TurnInput)
        .map_err(|e| e.into_pyerr(py))
}

fn parse_input(py: Python<'_>, input: &str) -> PyResult<TurnInput> {
    from_json::<Vec<UserInput>>("input", input)
        .map(TurnInput)
        .map_err(|e| e.into_pyerr(py))
}

/// Where a turn stream is.
enum Turn {
    /// Not read yet: the turn starts on the first read.
    Pending(SharedConversation, TurnInput),
    Running(OwnedTurnEvents),
    Ended,
}

/// The events of one turn, read in batches. Dropping or closing it before the turn's end interrupts the
/// turn.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct TurnStream {
    turn: Arc<tokio::sync::Mutex<Turn>>,
    stop: CancellationToken,
}

/// A batch: the events' messages as a JSON list, and whether the turn's stream has ended.
type Batch = (String, bool);

#[pymethods]
impl TurnStream {
    /// The buffered events (at most `max`) without waiting, or `None` when none is buffered.
    fn try_next_batch(&self, py: Python<'_>, max: usize) -> PyResult<Option<Batch>> {
        let Ok(mut turn) = self.turn.try_lock() else {
            return Ok(None);
        };
        let Turn::Running(events) = &mut *turn else {
            return Ok(None);
        };
        let mut msgs = Vec::new();
        let done = drain(events, &mut msgs, max);
        if msgs.is_empty() && !done {
            return Ok(None);
        }
        if done {
            *turn = Turn::Ended;
        }
        let text = to_json(&msgs).map_err(|e| e.into_pyerr(py))?;
        Ok(Some((text, done)))
    }

    /// Waits for at least one event and returns it with what else is buffered (at most `max`).
    fn next_batch<'py>(&self, py: Python<'py>, max: usize) -> PyResult<Awaitable<'py, Batch>> {
        future_into_py(py, self.next_batch_future(max))
    }

    /// As `next_batch`, blocking (the GIL released; Ctrl-C raises `KeyboardInterrupt`).
    fn next_batch_blocking(&self, py: Python<'_>, max: usize) -> PyResult<Batch> {
        wait(py, self.next_batch_future(max))
    }

    /// Stops reading: the turn is interrupted unless it has already ended.
    fn close(&self) {
        self.close_stream();
    }
}

impl TurnStream {
    fn next_batch_future(
        &self,
        max: usize,
    ) -> impl Future<Output = Result<Batch, BindingError>> + Send + 'static {
        let turn = Arc::clone(&self.turn);
        let stop = self.stop.clone();
        async move {
            let mut turn = turn.lock_owned().await;
            if matches!(*turn, Turn::Pending(..))
                && let Turn::Pending(conversation, input) =
                    std::mem::replace(&mut *turn, Turn::Ended)
            {
                let started = tokio::select! {
                    biased;
                    () = stop.cancelled() => None,
                    started = codex_sdk::Conversation::stream_shared(&conversation, input) => Some(started?),
                };
                if let Some(events) = started {
                    *turn = Turn::Running(events);
                }
            }
            let Turn::Running(events) = &mut *turn else {
                return Ok((to_json::<[EventMsg]>(&[])?, true));
            };
            let first = tokio::select! {
                biased;
                () = stop.cancelled() => None,
                event = events.next_event() => event,
            };
            let mut msgs: Vec<EventMsg> = first.into_iter().map(|e| e.msg).collect();
            let done = msgs.is_empty() || drain(events, &mut msgs, max);
            if done {
                *turn = Turn::Ended;
            }
            Ok((to_json(&msgs)?, done))
        }
    }

    fn close_stream(&self) {
        self.stop.cancel();
        // A read in progress holds the lock; it sees `stop` and ends the stream itself.
        if let Ok(mut turn) = self.turn.try_lock() {
            let ended = std::mem::replace(&mut *turn, Turn::Ended);
            // Dropped inside the runtime, so the core sends the interrupt right away.
            match handle() {
                Ok(runtime) => {
                    let _entered = runtime.enter();
                    drop(ended);
                }
                Err(_) => drop(ended),
            }
        }
    }
}

impl Drop for TurnStream {
    fn drop(&mut self) {
        self.close_stream();
    }
}

/// Moves buffered events into `msgs` (up to `max`); returns whether the turn's stream has ended.
fn drain(events: &mut OwnedTurnEvents, msgs: &mut Vec<EventMsg>, max: usize) -> bool {
    while msgs.len() < max {
        match events.try_next_event() {
            Some(event) => msgs.push(event.msg),
            None => break,
        }
    }
    events.is_done()
}

/// Waits for the conversation's next event, then takes up to `max` in all without waiting again: the batch
/// `next_events` (and its blocking twin) hand to Python as one JSON list; `None` once the conversation ended.
async fn next_batch(inner: SharedConversation, max: usize) -> Result<Option<String>, BindingError> {
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
}
