//! PTY sessions of one conversation: each keeps its process, a reader task filling a bounded buffer, and
//! is killed (with its whole process group) when dropped.

use std::collections::HashMap;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::unix::AsyncFd;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::pty::{PtyChild, read_master, write_master};
use crate::sandbox::{ProcessTree, SpawnThread};
use crate::tools::handlers::exec::{HeadTail, kill_group};
use crate::tools::handlers::truncate::CapturedOutput;

/// Bytes of unread output kept per session: the first and the last half; what comes between is dropped
/// (and counted, so the model is told how much).
pub const OUTPUT_BUFFER_CAP: usize = 128 * 1024;
/// Sessions one conversation may keep open at once.
pub(crate) const MAX_SESSIONS: usize = 64;

/// Unread output, capped at [`OUTPUT_BUFFER_CAP`].
type OutputBuffer = HeadTail;

/// One running process on a PTY.
pub(crate) struct Session {
    pub(crate) id: String,
    /// When the process started (for `ExecCommandEnd.duration_ms`).
    pub(crate) started: std::time::Instant,
    child: tokio::sync::Mutex<tokio::process::Child>,
    pgid: Option<i32>,
    master: Arc<AsyncFd<OwnedFd>>,
    buffer: Arc<Mutex<OutputBuffer>>,
    notify: Arc<Notify>,
    closed: Arc<AtomicBool>,
    /// Set once the process was reaped: its process group id may then belong to someone else.
    reaped: AtomicBool,
    reader: JoinHandle<()>,
    /// Serializes calls on the session (write + collect).
    pub(crate) busy: tokio::sync::Mutex<()>,
    /// Every process the session started (killed when the session is dropped, even those that left its
    /// process group).
    tree: ProcessTree,
    /// Keeps the spawning thread (the command's parent-death signal is tied to it); dropped after `tree`.
    _thread: SpawnThread,
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.reaped.load(Ordering::Acquire) {
            kill_group(self.pgid);
        }
        self.tree.kill();
        self.reader.abort();
    }
}

/// What a wait collected.
pub(crate) struct Collected {
    /// The unread output: its first and last bytes and what was dropped between them.
    pub(crate) output: CapturedOutput,
    /// `Some` when the process has exited.
    pub(crate) exit_code: Option<i32>,
}

impl Session {
    /// Wraps a PTY child spawned at `started` and starts reading its output.
    pub(crate) fn start(
        id: String,
        started: std::time::Instant,
        pty: PtyChild,
        tree: ProcessTree,
        thread: SpawnThread,
    ) -> std::io::Result<Self> {
        let PtyChild { child, master } = pty;
        let pgid = child.id().and_then(|id| i32::try_from(id).ok());
        let master = Arc::new(register(master)?);
        let buffer = Arc::new(Mutex::new(OutputBuffer::new(OUTPUT_BUFFER_CAP)));
        let notify = Arc::new(Notify::new());
        let closed = Arc::new(AtomicBool::new(false));
        let reader = tokio::spawn(read_loop(
            Arc::clone(&master),
            Arc::clone(&buffer),
            Arc::clone(&notify),
            Arc::clone(&closed),
        ));
        Ok(Self {
            id,
            started,
            child: tokio::sync::Mutex::new(child),
            pgid,
            master,
            buffer,
            notify,
            closed,
            reaped: AtomicBool::new(false),
            reader,
            busy: tokio::sync::Mutex::new(()),
            tree,
            _thread: thread,
        })
    }

    /// Writes `bytes` to the process's terminal.
    pub(crate) async fn write(&self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let mut guard = self.master.writable().await?;
            match guard.try_io(|fd| write_master(fd.get_ref().as_fd(), bytes)) {
                Ok(Ok(n)) => bytes = &bytes[n..],
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => {}
            }
        }
        Ok(())
    }

    /// Waits until `deadline`, the process exits, or `cancel` fires, and returns the output read so far.
    pub(crate) async fn collect(
        &self,
        deadline: tokio::time::Instant,
        cancel: &CancellationToken,
    ) -> Collected {
        let mut child = self.child.lock().await;
        let mut exit_code = None;
        loop {
            let notified = self.notify.notified();
            if self.closed.load(Ordering::Acquire) {
                // The terminal is closed: the process is gone or going; reap it (bounded by the deadline).
                if let Ok(Ok(status)) = tokio::time::timeout_at(deadline, child.wait()).await {
                    exit_code = Some(status.code().unwrap_or(-1));
                }
                break;
            }
            tokio::select! {
                () = notified => {}
                status = child.wait(), if exit_code.is_none() => {
                    exit_code = Some(status.map_or(-1, |s| s.code().unwrap_or(-1)));
                    // Read what is still in the terminal, briefly.
                    let grace = tokio::time::Instant::now() + std::time::Duration::from_millis(100);
                    while !self.closed.load(Ordering::Acquire) {
                        let notified = self.notify.notified();
                        if tokio::time::timeout_at(grace.min(deadline), notified).await.is_err() {
                            break;
                        }
                    }
                    break;
                }
                () = tokio::time::sleep_until(deadline) => break,
                () = cancel.cancelled() => break,
            }
        }
        if exit_code.is_some() {
            self.reaped.store(true, Ordering::Release);
        }
        let mut buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        let output = std::mem::replace(&mut *buffer, OutputBuffer::new(OUTPUT_BUFFER_CAP)).finish();
        Collected { output, exit_code }
    }
}

/// Registers the PTY master with the runtime's reactor.
#[allow(unsafe_code)]
fn register(master: OwnedFd) -> std::io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: `AsyncFd::register` requires that the descriptor stays open, refers to the same open file
    // description and is what `as_raw_fd` returns for as long as the `AsyncFd` lives. The `AsyncFd` takes
    // ownership of this `OwnedFd`, which closes its descriptor only when dropped (after the `AsyncFd`
    // deregisters it) and always returns the same raw fd; nothing else holds or closes that descriptor.
    unsafe { AsyncFd::register(master) }.map_err(std::io::Error::from)
}

async fn read_loop(
    master: Arc<AsyncFd<OwnedFd>>,
    buffer: Arc<Mutex<OutputBuffer>>,
    notify: Arc<Notify>,
    closed: Arc<AtomicBool>,
) {
    let mut chunk = vec![0u8; 8192];
    loop {
        let Ok(mut guard) = master.readable().await else {
            break;
        };
        match guard.try_io(|fd| read_master(fd.get_ref().as_fd(), &mut chunk)) {
            Ok(Ok(Some(n))) => {
                buffer
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(&chunk[..n]);
                notify.notify_waiters();
            }
            Ok(Ok(None) | Err(_)) => break,
            Err(_would_block) => {}
        }
    }
    closed.store(true, Ordering::Release);
    notify.notify_waiters();
}

/// The sessions of one conversation (owned by its `unified_exec` handler). Dropping the manager kills every
/// session's process group.
#[derive(Default)]
pub(crate) struct SessionManager {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    next_id: AtomicU64,
}

impl SessionManager {
    pub(crate) fn next_id(&self) -> String {
        (self.next_id.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(crate) fn insert(&self, session: Arc<Session>) {
        self.lock().insert(session.id.clone(), session);
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.lock().get(id).cloned()
    }

    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
