//! The asyncio side of the async glue: Rust futures as asyncio futures, and work handed to an event loop's
//! own thread from any thread.
//!
//! Each event loop the binding is used from gets a [`HostLoop`]: a queue of jobs and a socket pair whose
//! read end the loop watches (`loop.add_reader`). A Rust thread queues a job and writes one byte, without
//! the GIL; the loop runs the jobs on its thread. So runtime threads never attach to Python, results need
//! no extra thread hop, and nothing touches Python while the interpreter shuts down. (A loop that cannot
//! watch file descriptors, such as Windows' proactor loop, is reached with `call_soon_threadsafe` from a
//! blocking-pool thread instead.)

use std::convert::Infallible;
use std::future::Future;
#[cfg(unix)]
use std::io::{ErrorKind, Read, Write};
use std::marker::PhantomData;
#[cfg(unix)]
use std::os::unix::io::AsRawFd;
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use pyo3::inspect::PyStaticExpr;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyWeakrefReference;
use pyo3::{IntoPyObjectExt, intern, type_hint_identifier, type_hint_subscript};
use tokio::task::AbortHandle;

use crate::error::BindingError;
use crate::runtime::handle;

/// Work to run on an event loop's thread.
pub(crate) type Job = Box<dyn for<'py> FnOnce(Python<'py>) + Send>;

/// An asyncio event loop the binding hands work to.
pub(crate) struct HostLoop {
    event_loop: Arc<Py<PyWeakrefReference>>,
    waker: Option<Waker>,
}

/// The queue of jobs and the write end of the socket pair the loop watches.
struct Waker {
    jobs: Mutex<Vec<Job>>,
    #[cfg(unix)]
    tx: UnixStream,
}

impl HostLoop {
    /// The running loop's `HostLoop` (created, and its reader registered, on first use).
    pub(crate) fn running(py: Python<'_>) -> PyResult<Arc<HostLoop>> {
        let event_loop = running_loop(py)?;
        static REGISTRY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let registry = REGISTRY
            .get_or_try_init(py, || {
                py.import("weakref")?
                    .getattr("WeakKeyDictionary")?
                    .call0()
                    .map(Bound::unbind)
            })?
            .bind(py);
        if let Ok(entry) = registry.get_item(&event_loop)
            && let Ok(entry) = entry.cast::<Reader>()
        {
            return Ok(Arc::clone(&entry.get().host));
        }
        let (reader, host) = Self::attach(py, &event_loop)?;
        // Loops that cannot be weakly referenced are not cached (they get a HostLoop per call).
        let _ = registry.set_item(&event_loop, reader);
        Ok(host)
    }

    fn attach<'py>(
        py: Python<'py>,
        event_loop: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, Reader>, Arc<HostLoop>)> {
        let weak = Arc::new(PyWeakrefReference::new(event_loop)?.unbind());
        #[cfg(unix)]
        {
            let (rx, tx) = UnixStream::pair()?;
            rx.set_nonblocking(true)?;
            tx.set_nonblocking(true)?;
            let fd = rx.as_raw_fd();
            let host = Arc::new(HostLoop {
                event_loop: Arc::clone(&weak),
                waker: Some(Waker {
                    jobs: Mutex::new(Vec::new()),
                    tx,
                }),
            });
            let reader = Bound::new(
                py,
                Reader {
                    host: Arc::clone(&host),
                    rx: Some(rx),
                },
            )?;
            if event_loop
                .call_method1(intern!(py, "add_reader"), (fd, &reader))
                .is_ok()
            {
                return Ok((reader, host));
            }
        }
        // This loop cannot watch file descriptors: jobs go through call_soon_threadsafe.
        let host = Arc::new(HostLoop {
            event_loop: weak,
            waker: None,
        });
        let reader = Bound::new(
            py,
            Reader {
                host: Arc::clone(&host),
                #[cfg(unix)]
                rx: None,
            },
        )?;
        Ok((reader, host))
    }

    /// Runs `job` on the loop's thread, soon. Callable from any thread; never attaches to Python when the
    /// loop watches its socket. A job for a loop that has closed is dropped.
    pub(crate) fn run_soon(&self, job: Job) {
        match &self.waker {
            Some(waker) => {
                let mut jobs = lock(&waker.jobs);
                let wake = jobs.is_empty();
                jobs.push(job);
                drop(jobs);
                #[cfg(unix)]
                if wake {
                    // A full socket means a wake-up is already pending.
                    let _ = (&waker.tx).write(&[1]);
                }
            }
            None => {
                let event_loop = Arc::clone(&self.event_loop);
                tokio::task::spawn_blocking(move || {
                    Python::try_attach(|py| {
                        let Some(event_loop) = event_loop.bind(py).upgrade() else {
                            return;
                        };
                        if let Ok(job) = Bound::new(py, RunJob(Mutex::new(Some(job)))) {
                            let _ = event_loop
                                .call_method1(intern!(py, "call_soon_threadsafe"), (job,));
                        }
                    })
                });
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The loop's reader callback: drains the socket, then runs the queued jobs.
#[pyclass(frozen)]
struct Reader {
    host: Arc<HostLoop>,
    #[cfg(unix)]
    rx: Option<UnixStream>,
}

#[pymethods]
impl Reader {
    fn __call__(&self, py: Python<'_>) {
        #[cfg(unix)]
        if let Some(rx) = &self.rx {
            let mut buf = [0u8; 64];
            loop {
                match (&*rx).read(&mut buf) {
                    Ok(n) if n == buf.len() => {}
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    _ => break,
                }
            }
        }
        let Some(waker) = &self.host.waker else {
            return;
        };
        let jobs = std::mem::take(&mut *lock(&waker.jobs));
        for job in jobs {
            job(py);
        }
    }
}

/// A job handed over with `call_soon_threadsafe` (loops without fd watching).
#[pyclass(frozen)]
struct RunJob(Mutex<Option<Job>>);

#[pymethods]
impl RunJob {
    fn __call__(&self, py: Python<'_>) {
        if let Some(job) = lock(&self.0).take() {
            job(py);
        }
    }
}

/// `asyncio.get_running_loop()`.
pub(crate) fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()
}

/// An asyncio future resolving to a `T` (`typing.Awaitable[T]` in the generated stub).
pub(crate) struct Awaitable<'py, T>(Bound<'py, PyAny>, PhantomData<fn() -> T>);

impl<'py, T> IntoPyObject<'py> for Awaitable<'py, T>
where
    T: IntoPyObject<'py>,
{
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = Infallible;

    const OUTPUT_TYPE: PyStaticExpr = type_hint_subscript!(
        type_hint_identifier!("typing", "Awaitable"),
        <T as IntoPyObject<'py>>::OUTPUT_TYPE
    );

    fn into_pyobject(self, _py: Python<'py>) -> Result<Bound<'py, PyAny>, Infallible> {
        Ok(self.0)
    }
}

/// No value: `None` in Python (Rust's `()` would become an empty tuple).
pub(crate) struct Nothing;

impl<'py> IntoPyObject<'py> for Nothing {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = Infallible;

    const OUTPUT_TYPE: PyStaticExpr = type_hint_identifier!("builtins", "None");

    fn into_pyobject(self, py: Python<'py>) -> Result<Bound<'py, PyAny>, Infallible> {
        Ok(py.None().into_bound(py))
    }
}

/// Runs `future` on the runtime and returns an asyncio future of the running loop for its output.
/// Cancelling the asyncio future drops the Rust future (which is how a cancelled task interrupts a turn).
pub(crate) fn future_into_py<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Awaitable<'py, T>>
where
    F: Future<Output = Result<T, BindingError>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let host = HostLoop::running(py)?;
    let event_loop = running_loop(py)?;
    let py_future = event_loop.call_method0(intern!(py, "create_future"))?;
    let target = py_future.clone().unbind();
    let task = handle()?.spawn(async move {
        let output = future.await;
        host.run_soon(Box::new(move |py| settle(py, target.bind(py), output)));
    });
    py_future.call_method1(
        intern!(py, "add_done_callback"),
        (AbortOnCancel {
            task: task.abort_handle(),
        },),
    )?;
    Ok(Awaitable(py_future, PhantomData))
}

/// Sets an asyncio future's result or exception, unless it is already done (cancelled meanwhile).
fn settle<T>(py: Python<'_>, future: &Bound<'_, PyAny>, output: Result<T, BindingError>)
where
    T: for<'a> IntoPyObject<'a>,
{
    if future
        .call_method0(intern!(py, "done"))
        .and_then(|d| d.is_truthy())
        .unwrap_or(true)
    {
        return;
    }
    let outcome = output
        .map_err(|e| e.into_pyerr(py))
        .and_then(|v| v.into_bound_py_any(py));
    let _ = match outcome {
        Ok(value) => future.call_method1(intern!(py, "set_result"), (value,)),
        Err(err) => future.call_method1(intern!(py, "set_exception"), (err.into_value(py),)),
    };
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
