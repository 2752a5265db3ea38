//! The recorder: a cloneable handle in front of a single writer task that owns the rollout.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};

use super::line::{encode_line, now_timestamp};
use super::store::RolloutAppender;
use super::{CompactedItem, RolloutItem, SessionMeta, TurnContextItem};
use crate::error::{Error, Result};
use crate::protocol::{EventMsg, ResponseItem};

/// Largest batch the writer hands to the storage in one call.
const MAX_BATCH_BYTES: usize = 1 << 20;

enum Command {
    Line(String),
    Flush(oneshot::Sender<std::io::Result<()>>),
    Shutdown(oneshot::Sender<std::io::Result<()>>),
}

/// Records one conversation. Cheap to clone; every clone feeds the same writer task, which owns the rollout,
/// writes each line whole and hands it to the storage before taking the next batch.
///
/// Recording never blocks the conversation: lines queue in memory (the conversation's own event channel
/// already bounds how fast they are produced).
///
/// **Failures.** The first storage failure (disk full, file size limit, I/O error) stops the recording:
/// nothing more is written, so the rollout stays a valid prefix of the conversation — whole lines only (the
/// storage cuts a torn line off), and it resumes. Writing later lines after a gap would instead leave a
/// rollout that resumes into a history with holes (a tool output without its call, a missing user
/// message), silently. The failure is logged once, announced by [`failed`](Self::failed) (a conversation
/// turns it into one `Warning` event) and returned by [`flush`](Self::flush) and
/// [`shutdown`](Self::shutdown).
#[derive(Clone, Debug)]
pub struct RolloutRecorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tx: mpsc::UnboundedSender<Command>,
    path: PathBuf,
    encode_failed: AtomicBool,
    /// The writer's first storage failure (`None` while recording works).
    failure: watch::Receiver<Option<Failure>>,
}

/// A storage failure, shared by the writer and every recorder clone.
type Failure = Arc<std::io::Error>;

impl RolloutRecorder {
    /// Starts the writer task for `appender` (on the current tokio runtime).
    #[must_use]
    pub fn spawn(path: PathBuf, appender: Box<dyn RolloutAppender>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let (failure_tx, failure) = watch::channel(None);
        tokio::spawn(write_loop(appender, rx, path.clone(), failure_tx));
        Self {
            inner: Arc::new(Inner {
                tx,
                path,
                encode_failed: AtomicBool::new(false),
                failure,
            }),
        }
    }

    /// The storage failure that stopped the recording, if any.
    #[must_use]
    pub fn failure(&self) -> Option<std::io::Error> {
        self.inner.failure.borrow().as_deref().map(copy_error)
    }

    /// Resolves with the storage failure that stopped the recording: at once if there was one, else when
    /// it happens. Never resolves for a recording that does not fail.
    pub async fn failed(&self) -> std::io::Error {
        let mut failure = self.inner.failure.clone();
        let found = match failure.wait_for(Option::is_some).await {
            Ok(found) => found.as_deref().map(copy_error),
            // The writer ended without a failure.
            Err(_) => None,
        };
        match found {
            Some(e) => e,
            None => std::future::pending().await,
        }
    }

    /// Where the rollout lives.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Records any line.
    pub fn record(&self, item: &RolloutItem) {
        match item {
            RolloutItem::SessionMeta(m) => self.record_meta(m),
            RolloutItem::ResponseItem(i) => self.record_response_item(i),
            RolloutItem::Compacted(c) => self.record_compacted(c),
            RolloutItem::TurnContext(t) => self.record_turn_context(t),
            RolloutItem::EventMsg(e) => self.push("event_msg", e),
        }
    }

    /// Records the `session_meta` line (once, first).
    pub fn record_meta(&self, meta: &SessionMeta) {
        self.push("session_meta", meta);
    }

    /// Records a history item (items of unknown types too, as they came).
    pub fn record_response_item(&self, item: &ResponseItem) {
        self.push("response_item", item);
    }

    /// Records the settings of the turn that starts.
    pub fn record_turn_context(&self, context: &TurnContextItem) {
        self.push("turn_context", context);
    }

    /// Records a compaction.
    pub fn record_compacted(&self, compacted: &CompactedItem) {
        self.push("compacted", compacted);
    }

    /// Records what an event contributes: a history item for [`EventMsg::RawResponseItem`], the event itself
    /// when it is one of the persisted kinds, nothing otherwise.
    pub fn record_event(&self, msg: &EventMsg) {
        match msg {
            EventMsg::RawResponseItem(e) => self.record_response_item(&e.item),
            EventMsg::ContextCompactionEnd(e) => self.push(
                "compacted",
                &super::CompactedItem {
                    message: e.summary.clone(),
                    replacement_history: Some(e.replacement_history.clone()),
                },
            ),
            msg if super::is_persisted_event(msg) => self.push("event_msg", msg),
            _ => {}
        }
    }

    /// Queues an already encoded line (without its newline); used to copy lines verbatim into a fork.
    pub(crate) fn push_raw(&self, line: &str) {
        let mut line = line.trim_end().to_owned();
        line.push('\n');
        // A closed channel means the writer is gone (shut down); late lines are dropped.
        let _ = self.inner.tx.send(Command::Line(line));
    }

    fn push<T: Serialize + ?Sized>(&self, kind: &str, payload: &T) {
        match encode_line(&now_timestamp(), kind, payload) {
            Ok(mut line) => {
                line.push('\n');
                let _ = self.inner.tx.send(Command::Line(line));
            }
            Err(e) => {
                if !self.inner.encode_failed.swap(true, Ordering::Relaxed) {
                    tracing::error!(error = %e, kind, "could not encode a rollout line");
                }
            }
        }
    }

    /// Waits until every line recorded before this call is written and durable.
    ///
    /// # Errors
    /// [`Error::Io`] when the storage failed (now or on an earlier write); [`Error::Closed`] after shutdown.
    pub async fn flush(&self) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        self.inner
            .tx
            .send(Command::Flush(tx))
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?.map_err(Error::Io)
    }

    /// Writes what is queued, makes it durable and stops the writer. Lines recorded afterwards are dropped.
    /// Calling it again (from any clone) returns the same outcome.
    ///
    /// # Errors
    /// [`Error::Io`] when the storage failed (now or on an earlier write).
    pub async fn shutdown(&self) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        if self.inner.tx.send(Command::Shutdown(tx)).is_ok()
            && let Ok(result) = rx.await
        {
            return result.map_err(Error::Io);
        }
        // Already shut down (by this call's race partner or earlier).
        self.failure().map_or(Ok(()), |e| Err(Error::Io(e)))
    }
}

/// A copy of a storage error (its kind and message) for each party that reports it.
fn copy_error(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}

async fn write_loop(
    mut appender: Box<dyn RolloutAppender>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    path: PathBuf,
    failure_tx: watch::Sender<Option<Failure>>,
) {
    let mut failure = Failed {
        error: None,
        tx: failure_tx,
    };
    let mut batch = Vec::<u8>::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                Command::Line(line) => {
                    batch.extend_from_slice(line.as_bytes());
                    if batch.len() < MAX_BATCH_BYTES {
                        next = rx.try_recv().ok();
                    }
                }
                Command::Flush(ack) => {
                    write_batch(&mut *appender, &mut batch, &mut failure, &path).await;
                    let result = sync(&mut *appender, &mut failure, &path).await;
                    let _ = ack.send(result);
                    next = rx.try_recv().ok();
                }
                Command::Shutdown(ack) => {
                    write_batch(&mut *appender, &mut batch, &mut failure, &path).await;
                    let result = sync(&mut *appender, &mut failure, &path).await;
                    close(&mut *appender, &path).await;
                    rx.close();
                    let _ = ack.send(result);
                    // Answer flushes and shutdowns that raced with this one.
                    while let Some(command) = rx.recv().await {
                        if let Command::Flush(ack) | Command::Shutdown(ack) = command {
                            let _ = ack.send(
                                failure
                                    .error
                                    .as_ref()
                                    .map_or(Ok(()), |e| Err(copy_error(e))),
                            );
                        }
                    }
                    return;
                }
            }
        }
        write_batch(&mut *appender, &mut batch, &mut failure, &path).await;
    }
    write_batch(&mut *appender, &mut batch, &mut failure, &path).await;
    if failure.is_none()
        && let Err(e) = appender.sync().await
    {
        tracing::warn!(error = %e, path = %path.display(), "could not sync the rollout");
    }
    close(&mut *appender, &path).await;
}

/// Ends the appending (a shared store gives its claim on the conversation back).
async fn close(appender: &mut dyn RolloutAppender, path: &Path) {
    if let Err(e) = appender.close().await {
        tracing::debug!(error = %e, path = %path.display(), "could not close the rollout");
    }
}

/// The writer's failure state: the first error, kept for later flushes and announced to the recorders.
struct Failed {
    error: Option<std::io::Error>,
    tx: watch::Sender<Option<Failure>>,
}

impl Failed {
    fn is_none(&self) -> bool {
        self.error.is_none()
    }

    fn set(&mut self, error: std::io::Error, path: &Path) {
        tracing::error!(error = %error, path = %path.display(), "could not write the rollout; recording stops");
        self.tx.send_replace(Some(Arc::new(copy_error(&error))));
        self.error = Some(error);
    }
}

async fn write_batch(
    appender: &mut dyn RolloutAppender,
    batch: &mut Vec<u8>,
    failure: &mut Failed,
    path: &Path,
) {
    if batch.is_empty() {
        return;
    }
    if failure.is_none()
        && let Err(e) = appender.append(batch).await
    {
        failure.set(e, path);
    }
    batch.clear();
}

async fn sync(
    appender: &mut dyn RolloutAppender,
    failure: &mut Failed,
    path: &Path,
) -> std::io::Result<()> {
    if let Some(e) = &failure.error {
        return Err(copy_error(e));
    }
    let result = appender.sync().await;
    if let Err(e) = &result {
        failure.set(copy_error(e), path);
    }
    result
}
