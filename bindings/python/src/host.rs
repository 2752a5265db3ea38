//! Python callables (host tools, the approval callback) as Rust futures.
//!
//! An `async def` callable is called on its event loop's thread and its coroutine runs there as a task. A
//! sync callable runs where its [`Placement`] says: in place on the runtime worker awaiting it (a sync
//! tool: no thread hop, the worker holds the GIL for the call), or on a blocking-pool thread (callbacks
//! that may wait long, parallel tools). If it returns an awaitable anyway, that runs on the loop. With no
//! loop known (a conversation driven by blocking calls), coroutines run with `asyncio.run` on a
//! blocking-pool thread. Dropping the returned future cancels a task still running.

use std::cell::Cell;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;
use tokio::sync::oneshot;

use crate::event_loop::HostLoop;

/// Extracts a host callback's value (while attached).
pub(crate) type Extract<R> = fn(&Bound<'_, PyAny>) -> PyResult<R>;

/// A host call's outcome; the error is the exception rendered as `"Type: message"`.
pub(crate) type Outcome<R> = Result<R, String>;

/// Calls a host callable.
pub(crate) type Call = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>;

/// Where a host callable is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// An `async def` callable: on the event loop's thread (on a blocking-pool thread without a loop).
    Loop,
    /// A sync callable that may block for long: on a blocking-pool thread.
    Blocking,
    /// A sync callable expected to return soon: on the calling runtime worker, attached to Python.
    InPlace,
}

impl Placement {
    /// A host callback (approvals, telemetry): `async def` ones on the loop, sync ones on the blocking
    /// pool (an approval may wait for a person).
    pub(crate) fn callback(is_async: bool) -> Self {
        if is_async { Self::Loop } else { Self::Blocking }
    }
}

/// Calls `call` where `placement` says and awaits its value, extracted with `extract`.
pub(crate) async fn call_host<R: Send + 'static>(
    call: Call,
    extract: Extract<R>,
    placement: Placement,
    host_loop: Option<Arc<HostLoop>>,
) -> Outcome<R> {
    let (tx, rx) = oneshot::channel();
    let task = Arc::new(Mutex::new(None));
    let _cancel = CancelOnDrop {
        task: Arc::clone(&task),
        host_loop: host_loop.clone(),
    };
    let deliver = Deliver { tx, extract, task };
    match host_loop {
        Some(host_loop) if placement == Placement::Loop => {
            host_loop.run_soon(Box::new(move |py| match call(py) {
                Ok(value) => deliver.value_on_loop(py, value),
                Err(err) => deliver.fail(err),
            }));
        }
        host_loop if placement == Placement::InPlace => {
            let _site = CallSite::enter("worker");
            Python::try_attach(|py| match call(py) {
                Ok(value) => deliver.value(py, value, host_loop.as_ref()),
                Err(err) => deliver.fail(err),
            });
        }
        host_loop => {
            tokio::task::spawn_blocking(move || {
                let _site = CallSite::enter("blocking pool");
                Python::try_attach(|py| match call(py) {
                    Ok(value) => deliver.value(py, value, host_loop.as_ref()),
                    Err(err) => deliver.fail(err),
                })
            });
        }
    }
    rx.await
        .unwrap_or_else(|_| Err("the host call was dropped (is Python shutting down?)".to_owned()))
}

thread_local! {
    static CALL_SITE: Cell<&'static str> = const { Cell::new("") };
}

/// Notes, for the duration of a sync host call, where it runs (see [`call_site`]).
struct CallSite(&'static str);

impl CallSite {
    fn enter(site: &'static str) -> Self {
        Self(CALL_SITE.replace(site))
    }
}

impl Drop for CallSite {
    fn drop(&mut self) {
        CALL_SITE.set(self.0);
    }
}

/// Where the sync host call running on this thread was placed: `"worker"` (in place, on the runtime
/// worker awaiting it), `"blocking pool"`, or `""` outside one (for tests of the placement).
#[cfg(feature = "testing")]
pub(crate) fn call_site() -> &'static str {
    CALL_SITE.get()
}

/// Where a host call's outcome goes.
struct Deliver<R> {
    tx: oneshot::Sender<Outcome<R>>,
    extract: Extract<R>,
    /// The asyncio task running the call's coroutine, if any (for cancellation).
    task: Arc<Mutex<Option<Py<PyAny>>>>,
}

impl<R: Send + 'static> Deliver<R> {
    fn fail(self, err: PyErr) {
        let _ = self.tx.send(Err(err.to_string()));
    }

    /// A plain value is extracted now; an awaitable runs on the loop (when on its thread, or handed to it),
    /// or with `asyncio.run` on a blocking-pool thread when there is no loop.
    fn value(self, _py: Python<'_>, value: Bound<'_, PyAny>, host_loop: Option<&Arc<HostLoop>>) {
        if value.is_instance_of::<PyString>() || !is_awaitable(&value) {
            let _ = self
                .tx
                .send((self.extract)(&value).map_err(|e| e.to_string()));
            return;
        }
        let Some(host_loop) = host_loop else {
            let awaitable = value.unbind();
            tokio::task::spawn_blocking(move || {
                Python::try_attach(|py| {
                    let outcome = asyncio_run(py)
                        .and_then(|run| run.call1((awaitable,)))
                        .and_then(|v| (self.extract)(&v));
                    let _ = self.tx.send(outcome.map_err(|e| e.to_string()));
                })
            });
            return;
        };
        let awaitable = value.unbind();
        host_loop.run_soon(Box::new(move |py| {
            self.start_task(py, awaitable.into_bound(py))
        }));
    }

    /// On the loop's thread: a plain value is extracted now, an awaitable starts as a task right here (no
    /// second trip through the loop's queue).
    fn value_on_loop(self, py: Python<'_>, value: Bound<'_, PyAny>) {
        if value.is_instance_of::<PyString>() || !is_awaitable(&value) {
            let _ = self
                .tx
                .send((self.extract)(&value).map_err(|e| e.to_string()));
            return;
        }
        self.start_task(py, value);
    }

    /// On the loop's thread: runs the awaitable as a task and delivers its result when it finishes.
    fn start_task(self, py: Python<'_>, awaitable: Bound<'_, PyAny>) {
        let started = ensure_future(py).and_then(|f| f.call1((awaitable,)));
        let task = match started {
            Ok(task) => task,
            Err(err) => return self.fail(err),
        };
        *self.task.lock().unwrap_or_else(PoisonError::into_inner) = Some(task.clone().unbind());
        let extract = self.extract;
        let tx = self.tx;
        let done = TaskDone {
            deliver: Mutex::new(Some(Box::new(
                move |outcome: PyResult<Bound<'_, PyAny>>| {
                    let _ = tx.send(outcome.and_then(|v| extract(&v)).map_err(|e| e.to_string()));
                },
            ))),
        };
        if let Err(err) = task.call_method1(intern!(py, "add_done_callback"), (done,)) {
            report_unraisable(py, &err);
        }
    }
}

/// Reports an unexpected failure of the glue itself on Python's `sys.unraisablehook` path.
fn report_unraisable(py: Python<'_>, err: &PyErr) {
    err.clone_ref(py).write_unraisable(py, None);
}

/// Cancels the call's asyncio task (on its loop) when the Rust side stops waiting.
struct CancelOnDrop {
    task: Arc<Mutex<Option<Py<PyAny>>>>,
    host_loop: Option<Arc<HostLoop>>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let (Some(task), Some(host_loop)) = (task, &self.host_loop) {
            host_loop.run_soon(Box::new(move |py| {
                // Cancelling a finished task does nothing.
                let _ = task.bind(py).call_method0(intern!(py, "cancel"));
            }));
        }
    }
}

type DeliverFn = Box<dyn for<'py> FnOnce(PyResult<Bound<'py, PyAny>>) + Send>;

/// Done-callback of the task running a host coroutine.
#[pyclass(frozen)]
struct TaskDone {
    deliver: Mutex<Option<DeliverFn>>,
}

#[pymethods]
impl TaskDone {
    fn __call__(&self, task: &Bound<'_, PyAny>) {
        let deliver = self
            .deliver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(deliver) = deliver {
            deliver(task.call_method0(intern!(task.py(), "result")));
        }
    }
}

fn is_awaitable(value: &Bound<'_, PyAny>) -> bool {
    value
        .hasattr(intern!(value.py(), "__await__"))
        .unwrap_or(false)
}

fn ensure_future(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static F: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    F.import(py, "asyncio", "ensure_future")
}

fn asyncio_run(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static F: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    F.import(py, "asyncio", "run")
}
