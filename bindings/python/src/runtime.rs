//! The binding's tokio runtime: one multi-thread runtime per process, created on first use and re-created
//! in a forked child (the parent's worker threads do not exist after `fork()`).
//!
//! The async glue around it: [`crate::event_loop`] (Rust futures as asyncio futures, waking an event loop
//! from any thread without touching Python), [`wait`] (the blocking path of `CodexSync`: no asyncio at all)
//! and [`crate::host`] (Python callables as Rust futures). A runtime worker attaches to Python only to call
//! a sync host tool in place (see [`crate::host`]).

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::{Handle, Runtime};
use tokio::task::AbortHandle;

use crate::error::BindingError;

/// The name of the runtime's worker threads.
const WORKER_THREAD: &str = "codex-worker";
/// The name of the runtime's blocking-pool threads.
const BLOCKING_THREAD: &str = "codex-blocking";

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
    // Workers are started when the runtime is built, before any blocking-pool thread: the first
    // `workers` threads are the workers (their names tell where a host callback ran).
    let workers = std::thread::available_parallelism().map_or(2, NonZeroUsize::get);
    let started = AtomicUsize::new(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(workers)
        .thread_name_fn(move || {
            if started.fetch_add(1, Ordering::Relaxed) < workers {
                WORKER_THREAD.to_owned()
            } else {
                BLOCKING_THREAD.to_owned()
            }
        })
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    let handle = runtime.handle().clone();
    *slot = Some(Owned { pid, runtime });
    Ok(handle)
}

/// How long a blocking wait sleeps between checks for signals (Ctrl-C).
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Runs `future` on the runtime and blocks the calling thread until it is done, with the GIL released:
/// the blocking methods of the binding (`CodexSync`), which need no event loop. Signals are checked every
/// [`SIGNAL_CHECK`]; a raised one (`KeyboardInterrupt`) drops the future, which interrupts a running turn.
/// Callable from a runtime worker too (a sync tool that blocks on the API): the worker's other tasks move
/// to another thread meanwhile.
pub(crate) fn wait<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, BindingError>> + Send + 'static,
    T: Send + 'static,
{
    let (tx, mut rx) = sync_channel(1);
    let task = handle()?.spawn(async move {
        let _ = tx.send(future.await);
    });
    let _abort = AbortOnDrop(task.abort_handle());
    let on_worker = Handle::try_current().is_ok();
    loop {
        let rx = &mut rx;
        let received = py.detach(move || {
            if on_worker {
                tokio::task::block_in_place(|| rx.recv_timeout(SIGNAL_CHECK))
            } else {
                rx.recv_timeout(SIGNAL_CHECK)
            }
        });
        match received {
            Ok(output) => return output.map_err(|e| e.into_pyerr(py)),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "the operation ended without a result (is the runtime shutting down?)",
                ));
            }
        }
    }
}

/// Aborts a task when the wait for it ends early.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
