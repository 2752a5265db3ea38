//! The recorder: a cloneable handle in front of a single writer task that owns the rollout.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

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
/// already bounds how fast they are produced). A storage failure is logged once, and returned by
/// [`flush`](Self::flush) and [`shutdown`](Self::shutdown).
#[derive(Clone, Debug)]
pub struct RolloutRecorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tx: mpsc::UnboundedSender<Command>,
    path: PathBuf,
    encode_failed: AtomicBool,
}

impl RolloutRecorder {
    /// Starts the writer task for `appender` (on the current tokio runtime).
    #[must_use]
    pub fn spawn(path: PathBuf, appender: Box<dyn RolloutAppender>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(appender, rx, path.clone()));
        Self {
            inner: Arc::new(Inner {
                tx,
                path,
                encode_failed: AtomicBool::new(false),
            }),
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

    /// Records a history item (items the SDK does not know are not recorded).
    pub fn record_response_item(&self, item: &ResponseItem) {
        if !matches!(item, ResponseItem::Other) {
            self.push("response_item", item);
        }
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
    /// Calling it again (from any clone) returns `Ok`.
    ///
    /// # Errors
    /// [`Error::Io`] when the storage failed.
    pub async fn shutdown(&self) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        if self.inner.tx.send(Command::Shutdown(tx)).is_err() {
            return Ok(());
        }
        match rx.await {
            Ok(result) => result.map_err(Error::Io),
            Err(_) => Ok(()),
        }
    }
}

async fn write_loop(
    mut appender: Box<dyn RolloutAppender>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    path: PathBuf,
) {
    let mut failure: Option<std::io::Error> = None;
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
                    let result = sync(&mut *appender, &failure).await;
                    let _ = ack.send(result);
                    next = rx.try_recv().ok();
                }
                Command::Shutdown(ack) => {
                    write_batch(&mut *appender, &mut batch, &mut failure, &path).await;
                    let result = sync(&mut *appender, &failure).await;
                    rx.close();
                    let _ = ack.send(result);
                    // Answer flushes and shutdowns that raced with this one.
                    while let Some(command) = rx.recv().await {
                        if let Command::Flush(ack) | Command::Shutdown(ack) = command {
                            let _ = ack.send(Ok(()));
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
}

async fn write_batch(
    appender: &mut dyn RolloutAppender,
    batch: &mut Vec<u8>,
    failure: &mut Option<std::io::Error>,
    path: &Path,
) {
    if batch.is_empty() {
        return;
    }
    if failure.is_none()
        && let Err(e) = appender.append(batch).await
    {
        tracing::error!(error = %e, path = %path.display(), "could not write the rollout; recording stops");
        *failure = Some(e);
    }
    batch.clear();
}

async fn sync(
    appender: &mut dyn RolloutAppender,
    failure: &Option<std::io::Error>,
) -> std::io::Result<()> {
    if let Some(e) = failure {
        return Err(std::io::Error::new(e.kind(), e.to_string()));
    }
    appender.sync().await
}
