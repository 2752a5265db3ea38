//! The async glue, in one place: the binding's tokio runtime, and how exported async functions run on it.
//!
//! Every exported `async fn` hands its work to [`run`], which spawns it on the binding's multi-thread
//! runtime and awaits the task. The host's executor (Swift's cooperative pool, Python's event loop) only
//! polls the join handle, so the core never depends on who polls, and no host thread blocks. Dropping the
//! host future (uniffi frees it when the host stops waiting) aborts the task, which drops the core future:
//! the core's futures are cancel-safe, so a dropped `run` interrupts its turn.
//!
//! Swift does not drop a Rust future when its `Task` is cancelled; cancellation arrives instead through a
//! [`CancelToken`] the Swift layer cancels from `withTaskCancellationHandler`.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::CodexError;

static RUNTIME: OnceLock<std::io::Result<Runtime>> = OnceLock::new();

/// The binding's runtime, created on first use.
pub(crate) fn handle() -> Result<Handle, CodexError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name("codex-sdk")
                .build()
        })
        .as_ref()
        .map(|runtime| runtime.handle().clone())
        .map_err(|e| CodexError::internal(format!("cannot start the tokio runtime: {e}")))
}

/// Runs `future` on the binding's runtime and waits for it. Dropping the returned future aborts the task.
pub(crate) async fn run<T, F>(future: F) -> Result<T, CodexError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, CodexError>> + Send + 'static,
{
    let task = AbortOnDrop(handle()?.spawn(future));
    task.join().await
}

/// As [`run`], and stops early with [`CodexError::Interrupted`] when `cancel` is cancelled (dropping the
/// work, which interrupts a running turn).
pub(crate) async fn run_cancellable<T, F>(
    future: F,
    cancel: Option<Arc<CancelToken>>,
) -> Result<T, CodexError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, CodexError>> + Send + 'static,
{
    let Some(cancel) = cancel else {
        return run(future).await;
    };
    let token = cancel.token.clone();
    run(async move {
        tokio::select! {
            biased;
            () = token.cancelled() => Err(cancelled()),
            output = future => output,
        }
    })
    .await
}

/// The error of cancelled work.
pub(crate) fn cancelled() -> CodexError {
    CodexError::Interrupted {
        message: "cancelled".to_owned(),
    }
}

struct AbortOnDrop<T>(JoinHandle<Result<T, CodexError>>);

impl<T> AbortOnDrop<T> {
    async fn join(mut self) -> Result<T, CodexError> {
        match (&mut self.0).await {
            Ok(output) => output,
            Err(e) if e.is_cancelled() => Err(cancelled()),
            Err(e) => Err(CodexError::internal(format!(
                "a binding task panicked: {e}"
            ))),
        }
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Cancels async calls that take it: pass one to `runTurn`/`nextEvent` and cancel it to stop the call (a
/// running turn is interrupted). The Swift layer cancels it when the calling `Task` is cancelled.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelToken {
    token: CancellationToken,
}

#[uniffi::export]
impl CancelToken {
    /// A token that is not cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Cancels the calls that were given this token, now and later.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}
