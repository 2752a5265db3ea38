//! The binding's tokio runtime: one multi-thread runtime per process, created on first use and re-created
//! in a forked child (the parent's worker threads do not exist after `fork()`).
//!
//! The async glue around it: [`crate::event_loop`] (Rust futures as asyncio futures, waking an event loop
//! from any thread without touching Python) and [`crate::host`] (Python callables as Rust futures). A
//! runtime worker thread never attaches to Python: it could wait for the GIL behind a busy event loop.

use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::{Handle, Runtime};

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
