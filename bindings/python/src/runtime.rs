//! The async glue, in one place: the binding's tokio runtime, Rust futures as asyncio futures, and Python
//! callables (sync or `async def`) as Rust futures.
//!
//! Rules kept here:
//! - One multi-thread runtime per process, created on first use and re-created in a forked child (the
//!   parent's worker threads do not exist after `fork()`).
//! - A runtime worker thread never attaches to Python (it could wait for the GIL behind a busy event
//!   loop). Everything that touches Python objects runs on a blocking-pool thread (`spawn_blocking`) or on
//!   the event loop's own thread (through `call_soon_threadsafe`).
//! - Python code awaiting a Rust future only waits on its event loop; the GIL is free while Rust works.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;
use pyo3::{IntoPyObjectExt, intern, wrap_pyfunction};
use tokio::runtime::{Handle, Runtime};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;

use crate::error::BindingError;

/// The runtime and the process that created it.
struct Owned {
    pid: u32,
    runtime: Runtime,
}

static RUNTIME: Mutex<Option<Owned>> = Mutex::new(None);

/// The binding's runtime, created on first use (and again in a forked child).
pub(crate) fn handle() -> PyResult<Handle> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(owned) = slot.as_ref().filter(|owned| owned.pid == pid) {
        return Ok(owned.runtime.handle().clone());
    }
    if let Some(stale) = slot.take() {
        // Inherited through fork(): its threads are gone, so dropping it would wait forever.
        std::mem::forget(stale.runtime);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("codex-sdk")
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    let handle = runtime.handle().clone();
    *slot = Some(Owned { pid, runtime });
    Ok(handle)
}

/// Runs `f` attached to Python on a blocking-pool thread. Does nothing when Python is shutting down.
pub(crate) fn with_python_later(f: impl FnOnce(Python<'_>) + Send + 'static) {
    tokio::task::spawn_blocking(move || Python::try_attach(f));
}

/// Runs `future` on the runtime and returns an asyncio future of the running loop for its output.
/// Cancelling the asyncio future drops the Rust future (which is how a cancelled task interrupts a turn).
pub(crate) fn future_into_py<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, BindingError>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let event_loop = running_loop(py)?;
    let py_future = event_loop.call_method0(intern!(py, "create_future"))?;
    let target = Target {
        event_loop: event_loop.unbind(),
        future: py_future.clone().unbind(),
    };
    let task = handle()?.spawn(async move {
        let output = future.await;
        with_python_later(move |py| target.resolve(py, output));
    });
    py_future.call_method1(
        intern!(py, "add_done_callback"),
        (AbortOnCancel {
            task: task.abort_handle(),
        },),
    )?;
    Ok(py_future)
}

/// `asyncio.get_running_loop()`.
pub(crate) fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()
}

/// Where a Rust future's output goes.
struct Target {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
}

impl Target {
    fn resolve<T>(self, py: Python<'_>, output: Result<T, BindingError>)
    where
        T: for<'a> IntoPyObject<'a>,
    {
        let (ok, value) = match output
            .map_err(|e| e.into_pyerr(py))
            .and_then(|v| v.into_bound_py_any(py))
        {
            Ok(value) => (true, value),
            Err(err) => (false, err.into_value(py).into_bound(py).into_any()),
        };
        let Ok(setter) = wrap_pyfunction!(set_future_outcome, py) else {
            return;
        };
        // A closed loop has nobody left to tell.
        let _ = self.event_loop.bind(py).call_method1(
            intern!(py, "call_soon_threadsafe"),
            (setter, self.future.bind(py), ok, value),
        );
    }
}

/// Sets an asyncio future's result or exception, unless it was cancelled meanwhile.
#[pyfunction]
fn set_future_outcome(
    future: &Bound<'_, PyAny>,
    ok: bool,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let py = future.py();
    if future.call_method0(intern!(py, "done"))?.is_truthy()? {
        return Ok(());
    }
    if ok {
        future.call_method1(intern!(py, "set_result"), (value,))?;
    } else {
        future.call_method1(intern!(py, "set_exception"), (value,))?;
    }
    Ok(())
}

/// Done-callback of an asyncio future: aborts the Rust task when the future was cancelled.
#[pyclass(frozen)]
struct AbortOnCancel {
    task: AbortHandle,
}

#[pymethods]
impl AbortOnCancel {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future
            .call_method0(intern!(future.py(), "cancelled"))?
            .is_truthy()?
        {
            self.task.abort();
        }
        Ok(())
    }
}

/// Calls a host callable on a blocking-pool thread and extracts its value. When it returns an awaitable,
/// that is awaited on `event_loop` (the loop the host drives the conversation from), or with
/// `asyncio.run` on the blocking thread when there is none. Dropping the returned future cancels a
/// coroutine still running on the loop.
///
/// # Errors
/// The exception the callable raised, rendered as `"Type: message"` (rendered while attached, so no
/// runtime thread ever attaches to Python).
pub(crate) async fn call_host<R, F>(
    call: F,
    extract: Extract<R>,
    event_loop: Option<Arc<Py<PyAny>>>,
) -> Result<R, String>
where
    R: Send + 'static,
    F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let started = tokio::task::spawn_blocking(move || {
        Python::try_attach(|py| start_host_call(py, call, extract, event_loop, tx))
    })
    .await
    .map_err(|e| format!("the host callback panicked: {e}"))?
    .ok_or_else(|| "Python is shutting down".to_owned())?;
    match started {
        Started::Ready(outcome) => outcome,
        Started::Pending(mut guard) => {
            let outcome = rx.await;
            guard.0 = None;
            outcome.map_err(|_| "the host's event loop dropped the call".to_owned())?
        }
    }
}

/// Extracts a host callback's value while attached.
pub(crate) type Extract<R> = fn(&Bound<'_, PyAny>) -> PyResult<R>;

type Outcome<R> = Result<R, String>;

fn start_host_call<R, F>(
    py: Python<'_>,
    call: F,
    extract: Extract<R>,
    event_loop: Option<Arc<Py<PyAny>>>,
    tx: oneshot::Sender<Outcome<R>>,
) -> Started<R>
where
    R: Send + 'static,
    F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>>,
{
    let render = |err: PyErr| err.to_string();
    let value = match call(py) {
        Ok(value) => value,
        Err(err) => return Started::Ready(Err(render(err))),
    };
    if value.is_instance_of::<PyString>() || !is_awaitable(&value) {
        return Started::Ready(extract(&value).map_err(render));
    }
    let Some(event_loop) = event_loop else {
        let outcome = asyncio_run(py)
            .and_then(|run| run.call1((value,)))
            .and_then(|v| extract(&v));
        return Started::Ready(outcome.map_err(render));
    };
    let send = SendOutcome {
        deliver: Mutex::new(Some(Box::new(
            move |outcome: PyResult<Bound<'_, PyAny>>| {
                let _ = tx.send(outcome.and_then(|v| extract(&v)).map_err(render));
            },
        ))),
    };
    let submitted = run_coroutine_threadsafe(py)
        .and_then(|f| f.call1((value, event_loop.bind(py))))
        .and_then(|future| {
            future.call_method1(intern!(py, "add_done_callback"), (send,))?;
            Ok(future)
        });
    match submitted {
        Ok(future) => Started::Pending(CancelOnDrop(Some(future.unbind()))),
        Err(err) => Started::Ready(Err(render(err))),
    }
}

enum Started<R> {
    Ready(Outcome<R>),
    Pending(CancelOnDrop),
}

/// Cancels a `concurrent.futures.Future` (and so the coroutine behind it) unless disarmed.
struct CancelOnDrop(Option<Py<PyAny>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(future) = self.0.take() {
            with_python_later(move |py| {
                let _ = future.bind(py).call_method0(intern!(py, "cancel"));
            });
        }
    }
}

type Deliver = Box<dyn for<'py> FnOnce(PyResult<Bound<'py, PyAny>>) + Send>;

/// Done-callback of a `concurrent.futures.Future`: hands its outcome to the waiting Rust future.
#[pyclass(frozen)]
struct SendOutcome {
    deliver: Mutex<Option<Deliver>>,
}

#[pymethods]
impl SendOutcome {
    fn __call__(&self, future: &Bound<'_, PyAny>) {
        let deliver = self
            .deliver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(deliver) = deliver {
            deliver(future.call_method0(intern!(future.py(), "result")));
        }
    }
}

fn is_awaitable(value: &Bound<'_, PyAny>) -> bool {
    value
        .hasattr(intern!(value.py(), "__await__"))
        .unwrap_or(false)
}

fn run_coroutine_threadsafe(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static F: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    F.import(py, "asyncio", "run_coroutine_threadsafe")
}

fn asyncio_run(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static F: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    F.import(py, "asyncio", "run")
}
