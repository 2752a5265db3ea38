//! Where rollouts live: the [`RolloutStore`] trait and its default, [`FileRolloutStore`] (the Codex CLI
//! layout under `CODEX_HOME`).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Local};

use super::list::{list_file_sessions, parse_file_name};
use super::{ARCHIVED_SESSIONS_SUBDIR, SESSIONS_SUBDIR, SessionMeta};
use crate::error::{Error, Result};
use crate::protocol::ConversationId;
use crate::protocol::{ConversationsPage, Cursor};

/// Appends whole lines to one rollout. Owned by the recorder's writer task.
#[async_trait]
pub trait RolloutAppender: Send {
    /// Appends `lines`: one or more complete lines, each ending in `\n`. Must hand the bytes to the
    /// storage before returning (a crash after this returns loses nothing).
    ///
    /// On error the rollout must still hold whole lines only: an implementation that may have stored part
    /// of `lines` removes the torn rest (the file store truncates back to the last newline it wrote). The
    /// recorder writes nothing more after an error.
    async fn append(&mut self, lines: &[u8]) -> io::Result<()>;

    /// Makes everything appended so far durable.
    async fn sync(&mut self) -> io::Result<()>;

    /// Called once when the recording ends (after the last append and sync), before the recorder's
    /// shutdown is acknowledged: a shared store gives up the claim it holds on the conversation here.
    /// Does nothing by default.
    async fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Storage for rollouts, addressed by path. The file store uses real paths; other stores may use paths as
/// plain keys. Object-safe: hosts can bring their own.
#[async_trait]
pub trait RolloutStore: Send + Sync + std::fmt::Debug {
    /// Creates the rollout of a new conversation started at `started` and returns its path and an appender.
    async fn create(
        &self,
        id: ConversationId,
        started: DateTime<Local>,
    ) -> Result<(PathBuf, Box<dyn RolloutAppender>)>;

    /// Opens an existing rollout for appending. A torn last line (no final newline) is cut off first, so
    /// the next line starts on a line of its own.
    async fn open_append(&self, path: &Path) -> Result<Box<dyn RolloutAppender>>;

    /// The whole rollout.
    async fn read(&self, path: &Path) -> Result<Vec<u8>>;

    /// The rollout's session meta, reading as little as possible (`None` when the first line is not one).
    async fn read_meta(&self, path: &Path) -> Result<Option<SessionMeta>> {
        let bytes = self.read(path).await?;
        Ok(super::reader::meta_from_head(&bytes))
    }

    /// One page of conversations, newest first, starting after `cursor`.
    async fn list(&self, page_size: usize, cursor: Option<&Cursor>) -> Result<ConversationsPage>;

    /// The rollout of a (not archived) conversation, by id. The default pages through [`list`](Self::list).
    async fn find(&self, id: ConversationId) -> Result<Option<PathBuf>> {
        let mut cursor = None;
        loop {
            let page = self.list(256, cursor.as_ref()).await?;
            if let Some(found) = page.items.iter().find(|s| s.conversation_id == id) {
                return Ok(Some(found.path.clone()));
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
    }

    /// Moves a rollout out of the listing into the archive; returns the new path.
    async fn archive(&self, path: &Path) -> Result<PathBuf>;

    /// Moves an archived rollout back; returns the new path.
    async fn unarchive(&self, path: &Path) -> Result<PathBuf>;
}

/// The Codex CLI layout: `<root>/sessions/YYYY/MM/DD/rollout-<local ts>-<id>.jsonl`, archived files flat in
/// `<root>/archived_sessions/`. Files are created `0600` inside `0700` directories.
#[derive(Debug, Clone)]
pub struct FileRolloutStore {
    root: PathBuf,
}

impl FileRolloutStore {
    /// A store under `codex_home`.
    #[must_use]
    pub fn new(codex_home: impl Into<PathBuf>) -> Self {
        Self {
            root: codex_home.into(),
        }
    }

    /// `CODEX_HOME/sessions`.
    #[must_use]
    pub fn sessions_dir(&self) -> PathBuf {
        self.root.join(SESSIONS_SUBDIR)
    }

    /// `CODEX_HOME/archived_sessions`.
    #[must_use]
    pub fn archived_dir(&self) -> PathBuf {
        self.root.join(ARCHIVED_SESSIONS_SUBDIR)
    }

    /// The path a conversation started at `started` gets.
    #[must_use]
    pub fn path_for(&self, id: ConversationId, started: DateTime<Local>) -> PathBuf {
        self.sessions_dir()
            .join(started.format("%Y").to_string())
            .join(started.format("%m").to_string())
            .join(started.format("%d").to_string())
            .join(format!(
                "rollout-{}-{id}.jsonl",
                started.format("%Y-%m-%dT%H-%M-%S")
            ))
    }

    fn check_inside(&self, path: &Path, dir: &Path) -> Result<()> {
        let inside = match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
            (Ok(p), Ok(d)) => p.starts_with(d),
            (Err(e), _) => return Err(Error::Io(e)),
            (_, Err(_)) => false,
        };
        if inside {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "{} is not inside {}",
                path.display(),
                dir.display()
            )))
        }
    }
}

/// Creates `dir` and its missing parents with mode `0700`.
pub(crate) async fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir).await
}

fn private_open_options() -> tokio::fs::OpenOptions {
    let mut options = tokio::fs::OpenOptions::new();
    #[cfg(unix)]
    options.mode(0o600);
    options
}

/// Appends to a rollout file with blocking writes on the blocking pool, so it knows exactly how many bytes
/// reached the file and can cut a torn line off when a write fails midway (disk full, file size limit).
struct FileAppender {
    file: Arc<std::fs::File>,
    /// The file's length: always the end of a whole line.
    len: u64,
}

impl FileAppender {
    async fn new(file: tokio::fs::File) -> io::Result<Self> {
        let file = file.into_std().await;
        let len = file.metadata()?.len();
        Ok(Self {
            file: Arc::new(file),
            len,
        })
    }
}

#[async_trait]
impl RolloutAppender for FileAppender {
    async fn append(&mut self, lines: &[u8]) -> io::Result<()> {
        let file = Arc::clone(&self.file);
        let (start, bytes) = (self.len, lines.to_vec());
        self.len = tokio::task::spawn_blocking(move || append_whole_lines(&file, start, &bytes))
            .await
            .map_err(io::Error::other)??;
        Ok(())
    }

    async fn sync(&mut self) -> io::Result<()> {
        let file = Arc::clone(&self.file);
        tokio::task::spawn_blocking(move || file.sync_data())
            .await
            .map_err(io::Error::other)?
    }
}

/// Writes `bytes` (whole lines) at the end of `file`, which is `start` bytes long; returns the new length.
/// When a write fails midway, the file is cut back to the last whole line written, then the error returned.
fn append_whole_lines(file: &std::fs::File, start: u64, bytes: &[u8]) -> io::Result<u64> {
    use std::io::Write;
    let mut written = 0;
    let mut out = file;
    while written < bytes.len() {
        match out.write(&bytes[written..]) {
            Ok(0) => {
                return Err(cut_back(
                    file,
                    start,
                    &bytes[..written],
                    io::ErrorKind::WriteZero.into(),
                ));
            }
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cut_back(file, start, &bytes[..written], e)),
        }
    }
    Ok(start + bytes.len() as u64)
}

/// After a failed write of which `written` reached the file: truncates the file to its last whole line and
/// returns `error` (with the outcome of the cut in its message when the cut failed too).
fn cut_back(file: &std::fs::File, start: u64, written: &[u8], error: io::Error) -> io::Error {
    let keep = start
        + written
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1) as u64;
    if keep == start + written.len() as u64 {
        return error;
    }
    match file.set_len(keep) {
        Ok(()) => {
            tracing::warn!(
                cut = start + written.len() as u64 - keep,
                "a rollout write failed midway; cut the torn line off"
            );
            error
        }
        Err(cut) => io::Error::new(
            error.kind(),
            format!("{error} (and the torn line could not be cut off: {cut})"),
        ),
    }
}

#[async_trait]
impl RolloutStore for FileRolloutStore {
    async fn create(
        &self,
        id: ConversationId,
        started: DateTime<Local>,
    ) -> Result<(PathBuf, Box<dyn RolloutAppender>)> {
        let path = self.path_for(id, started);
        if let Some(dir) = path.parent() {
            create_private_dir(dir).await?;
        }
        let file = private_open_options()
            .append(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok((path, Box::new(FileAppender::new(file).await?)))
    }

    async fn open_append(&self, path: &Path) -> Result<Box<dyn RolloutAppender>> {
        let file = private_open_options()
            .read(true)
            .append(true)
            .open(path)
            .await?;
        cut_torn_tail(&file).await?;
        Ok(Box::new(FileAppender::new(file).await?))
    }

    async fn read(&self, path: &Path) -> Result<Vec<u8>> {
        // A path a client names may be a FIFO or a device: regular files only, never blocking.
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            crate::tools::handlers::regular_file::read_regular(&path, u64::MAX)
                .map_err(super::list::file_error)
        })
        .await
        .map_err(|e| Error::Internal(format!("reading a rollout: {e}")))?
    }

    async fn read_meta(&self, path: &Path) -> Result<Option<SessionMeta>> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || super::list::read_head_meta(&path))
            .await
            .map_err(|e| Error::Internal(format!("reading a rollout head: {e}")))?
    }

    async fn list(&self, page_size: usize, cursor: Option<&Cursor>) -> Result<ConversationsPage> {
        let dir = self.sessions_dir();
        let cursor = cursor.cloned();
        tokio::task::spawn_blocking(move || list_file_sessions(&dir, page_size, cursor.as_ref()))
            .await
            .map_err(|e| Error::Internal(format!("listing rollouts: {e}")))?
    }

    async fn find(&self, id: ConversationId) -> Result<Option<PathBuf>> {
        let dir = self.sessions_dir();
        tokio::task::spawn_blocking(move || super::list::find_file_session(&dir, id))
            .await
            .map_err(|e| Error::Internal(format!("searching rollouts: {e}")))?
    }

    async fn archive(&self, path: &Path) -> Result<PathBuf> {
        self.check_inside(path, &self.sessions_dir())?;
        let name = path
            .file_name()
            .ok_or_else(|| Error::InvalidInput(format!("{} has no file name", path.display())))?;
        let dir = self.archived_dir();
        create_private_dir(&dir).await?;
        let target = dir.join(name);
        move_new(path, &target).await?;
        Ok(target)
    }

    async fn unarchive(&self, path: &Path) -> Result<PathBuf> {
        self.check_inside(path, &self.archived_dir())?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::InvalidInput(format!("{} has no file name", path.display())))?;
        let (ts, _) = parse_file_name(name).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{name} is not named rollout-<timestamp>-<id>.jsonl"
            ))
        })?;
        // `ts` is `YYYY-MM-DDThh-mm-ss`.
        let dir = self
            .sessions_dir()
            .join(&ts[0..4])
            .join(&ts[5..7])
            .join(&ts[8..10]);
        create_private_dir(&dir).await?;
        let target = dir.join(name);
        move_new(path, &target).await?;
        Ok(target)
    }
}

/// Renames `from` to `to`, refusing to replace an existing file.
async fn move_new(from: &Path, to: &Path) -> Result<()> {
    if tokio::fs::try_exists(to).await? {
        return Err(Error::InvalidInput(format!(
            "{} already exists",
            to.display()
        )));
    }
    tokio::fs::rename(from, to).await?;
    Ok(())
}

/// Truncates a file after its last newline (a line torn by a crash is never completed by a later append).
async fn cut_torn_tail(file: &tokio::fs::File) -> io::Result<()> {
    let std_file = file.try_clone().await?.into_std().await;
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std_file;
        let len = f.metadata()?.len();
        if len == 0 {
            return Ok(());
        }
        let mut end = len;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let start = end.saturating_sub(buf.len() as u64);
            let n = usize::try_from(end - start).unwrap_or(buf.len());
            f.seek(SeekFrom::Start(start))?;
            f.read_exact(&mut buf[..n])?;
            if let Some(pos) = buf[..n].iter().rposition(|b| *b == b'\n') {
                let keep = start + pos as u64 + 1;
                if keep != len {
                    tracing::warn!(cut = len - keep, "rollout had a torn last line; cut it off");
                    f.set_len(keep)?;
                }
                return Ok(());
            }
            if start == 0 {
                tracing::warn!("rollout had no complete line; emptied it");
                return f.set_len(0);
            }
            end = start;
        }
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// Appends bytes as a write cut short by a full disk would have left them.
    fn append_raw(path: &Path, bytes: &[u8]) {
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(bytes).unwrap();
    }

    #[test]
    fn a_write_failing_midway_is_cut_back_to_the_last_whole_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, b"{\"a\":1}\n").unwrap();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        // The batch reached the file up to the middle of its second line, then the disk was full.
        let batch = b"{\"b\":2}\n{\"c\":3}\n";
        append_raw(&path, &batch[..11]);
        let full = io::Error::new(io::ErrorKind::StorageFull, "no space left on device");
        let err = cut_back(&file, 8, &batch[..11], full);
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}\n{\"b\":2}\n");

        // Nothing whole reached the file: back to where the batch started.
        append_raw(&path, b"{\"d\"");
        let err = cut_back(&file, 16, b"{\"d\"", io::ErrorKind::WriteZero.into());
        assert_eq!(err.kind(), io::ErrorKind::WriteZero);
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}\n{\"b\":2}\n");
    }

    #[test]
    fn whole_batches_are_appended_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let file = std::fs::File::create(&path).unwrap();
        assert_eq!(append_whole_lines(&file, 0, b"one\ntwo\n").unwrap(), 8);
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\n");
    }
}
