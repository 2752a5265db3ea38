//! An in-memory [`RolloutStore`] for tests and hosts that persist elsewhere.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Local};

use super::list::parse_file_name;
use super::reader::RolloutContents;
use super::rebuild::is_real_user_message;
use super::store::{FileRolloutStore, RolloutAppender, RolloutStore};
use super::{RolloutItem, SessionMeta};
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, EventMsg};
use crate::protocol::{ConversationSummary, ConversationsPage, Cursor};

type Files = Arc<Mutex<BTreeMap<PathBuf, Vec<u8>>>>;

/// Keeps rollouts in memory, under the same paths the file store would use below a virtual root
/// (`/in-memory` unless given). Clones share the same files.
#[derive(Debug, Clone)]
pub struct InMemoryRolloutStore {
    layout: FileRolloutStore,
    files: Files,
}

impl Default for InMemoryRolloutStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryRolloutStore {
    /// An empty store rooted at `/in-memory`.
    #[must_use]
    pub fn new() -> Self {
        Self::with_root("/in-memory")
    }

    /// An empty store whose paths start with `root`.
    #[must_use]
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        Self {
            layout: FileRolloutStore::new(root),
            files: Arc::default(),
        }
    }

    /// A copy of one rollout's bytes.
    #[must_use]
    pub fn get(&self, path: &Path) -> Option<Vec<u8>> {
        lock(&self.files).get(path).cloned()
    }

    /// Puts a rollout at `path` (replacing any), e.g. to simulate a crash with a torn file.
    pub fn insert(&self, path: impl Into<PathBuf>, bytes: Vec<u8>) {
        lock(&self.files).insert(path.into(), bytes);
    }

    /// Every stored path.
    #[must_use]
    pub fn paths(&self) -> Vec<PathBuf> {
        lock(&self.files).keys().cloned().collect()
    }

    fn take(&self, path: &Path) -> Result<Vec<u8>> {
        lock(&self.files)
            .remove(path)
            .ok_or_else(|| not_found(path))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn not_found(path: &Path) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} is not in the store", path.display()),
    ))
}

struct MemoryAppender {
    files: Files,
    path: PathBuf,
}

#[async_trait]
impl RolloutAppender for MemoryAppender {
    async fn append(&mut self, lines: &[u8]) -> io::Result<()> {
        lock(&self.files)
            .entry(self.path.clone())
            .or_default()
            .extend_from_slice(lines);
        Ok(())
    }

    async fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[async_trait]
impl RolloutStore for InMemoryRolloutStore {
    async fn create(
        &self,
        id: ConversationId,
        started: DateTime<Local>,
    ) -> Result<(PathBuf, Box<dyn RolloutAppender>)> {
        let path = self.layout.path_for(id, started);
        let mut files = lock(&self.files);
        if files.contains_key(&path) {
            return Err(Error::InvalidInput(format!(
                "{} already exists",
                path.display()
            )));
        }
        files.insert(path.clone(), Vec::new());
        drop(files);
        Ok((
            path.clone(),
            Box::new(MemoryAppender {
                files: Arc::clone(&self.files),
                path,
            }),
        ))
    }

    async fn open_append(&self, path: &Path) -> Result<Box<dyn RolloutAppender>> {
        let mut files = lock(&self.files);
        let bytes = files.get_mut(path).ok_or_else(|| not_found(path))?;
        let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        bytes.truncate(keep);
        drop(files);
        Ok(Box::new(MemoryAppender {
            files: Arc::clone(&self.files),
            path: path.to_owned(),
        }))
    }

    async fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.get(path).ok_or_else(|| not_found(path))
    }

    async fn list(&self, page_size: usize, cursor: Option<&Cursor>) -> Result<ConversationsPage> {
        let sessions = self.layout.sessions_dir();
        let mut files: Vec<(Cursor, PathBuf, Vec<u8>)> = lock(&self.files)
            .iter()
            .filter(|(p, _)| p.starts_with(&sessions))
            .filter_map(|(p, bytes)| {
                let (ts, id) = parse_file_name(p.file_name()?.to_str()?)?;
                let c = Cursor::new(ts, ConversationId::from_uuid(id));
                cursor
                    .is_none_or(|cur| &c < cur)
                    .then(|| (c, p.clone(), bytes.clone()))
            })
            .collect();
        files.sort_by_key(|(c, _, _)| Reverse(c.clone()));
        let mut page = ConversationsPage::default();
        for (c, path, bytes) in files {
            if page.items.len() == page_size {
                break;
            }
            page.scanned_files += 1;
            if let Some(summary) = summarize(&path, c, &bytes) {
                page.items.push(summary);
            }
            if page.items.len() == page_size {
                page.next_cursor = page.items.last().map(|s| s.cursor.clone());
            }
        }
        Ok(page)
    }

    async fn archive(&self, path: &Path) -> Result<PathBuf> {
        if !path.starts_with(self.layout.sessions_dir()) {
            return Err(Error::InvalidInput(format!(
                "{} is not a live session",
                path.display()
            )));
        }
        let name = path
            .file_name()
            .ok_or_else(|| Error::InvalidInput(format!("{} has no file name", path.display())))?;
        let target = self.layout.archived_dir().join(name);
        let bytes = self.take(path)?;
        self.insert(target.clone(), bytes);
        Ok(target)
    }

    async fn unarchive(&self, path: &Path) -> Result<PathBuf> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|_| path.starts_with(self.layout.archived_dir()))
            .ok_or_else(|| {
                Error::InvalidInput(format!("{} is not an archived session", path.display()))
            })?;
        let (ts, id) = parse_file_name(name)
            .ok_or_else(|| Error::InvalidInput(format!("{name} is not a rollout file name")))?;
        let started = chrono::NaiveDateTime::parse_from_str(&ts, "%Y-%m-%dT%H-%M-%S")
            .ok()
            .and_then(|t| t.and_local_timezone(Local).earliest())
            .ok_or_else(|| Error::InvalidInput(format!("{name} has a bad timestamp")))?;
        let target = self.layout.path_for(ConversationId::from_uuid(id), started);
        let bytes = self.take(path)?;
        self.insert(target.clone(), bytes);
        Ok(target)
    }
}

fn summarize(path: &Path, cursor: Cursor, bytes: &[u8]) -> Option<ConversationSummary> {
    let contents = RolloutContents::parse(bytes);
    let meta: SessionMeta = contents.meta.clone()?;
    let preview = contents.entries.iter().find_map(|e| match &e.item {
        RolloutItem::EventMsg(EventMsg::UserMessage(u)) => Some(u.message.clone()),
        RolloutItem::ResponseItem(item) if is_real_user_message(item) => item.message_text(),
        _ => None,
    })?;
    let model = contents.entries.iter().rev().find_map(|e| match &e.item {
        RolloutItem::TurnContext(tc) => Some(tc.model.clone()),
        _ => None,
    });
    Some(ConversationSummary {
        conversation_id: meta.id,
        path: path.to_owned(),
        created_at: meta.timestamp,
        updated_at: contents.entries.last().map(|e| e.timestamp.clone()),
        preview,
        model,
        model_provider: meta.model_provider,
        cwd: meta.cwd,
        source: meta.source,
        cursor,
    })
}
