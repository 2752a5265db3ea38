//! The conversation manager: [`Codex`]'s operations on recorded conversations — new, resume, fork,
//! archive, unarchive, list — and the registry of live conversations.
//!
//! Resume and fork share one path ([`Codex::start_from_rollout`]): read the rollout, rebuild the history
//! (compactions included; tool calls cut off by a crash get an "aborted" output right after them, stray
//! outputs are dropped), recover the user messages compactions folded away and the last token usage and
//! rate limits (so automatic compaction counts from where the conversation was), replay the persisted
//! events as `initial_messages`, start the session with a recorder. Resume appends to the same file under the same id; fork writes a new file under a new id.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::backend::LocalBackend;
use super::codex::{Codex, Resumed};
use super::handle::{Conversation, ConversationHandle};
use super::history::History;
use super::live::LiveEntry;
use crate::config::{Config, user_instructions_message};
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, Op, SessionConfiguredEvent, Submission, SubmissionId};
use crate::rollout::{
    ConversationsPage, Cursor, FileRolloutStore, RolloutContents, RolloutItem, RolloutRecorder,
    RolloutStore, SessionMeta, copy_rollout, now_timestamp,
};

/// How long archiving waits for a live conversation to shut down before stopping it by force.
pub const ARCHIVE_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// A started conversation and what a client needs to show it.
#[derive(Debug)]
#[non_exhaustive]
pub struct NewConversation {
    /// Its id.
    pub conversation_id: ConversationId,
    /// The conversation itself (ops in, events out).
    pub conversation: Conversation,
    /// Its `SessionConfigured` event (also the first event on its stream).
    pub session_configured: SessionConfiguredEvent,
    /// Where it is recorded (`None` when the `Codex` is ephemeral).
    pub rollout_path: Option<PathBuf>,
}

impl NewConversation {
    fn from_conversation(conversation: Conversation) -> Self {
        let session_configured = conversation.session_configured().clone();
        Self {
            conversation_id: conversation.id(),
            rollout_path: session_configured.rollout_path.clone(),
            session_configured,
            conversation,
        }
    }
}

impl Codex {
    pub(crate) fn register_live(
        &self,
        id: ConversationId,
        backend: &Arc<LocalBackend>,
        rollout: Option<RolloutRecorder>,
        task: JoinHandle<()>,
    ) {
        self.inner.live.lock().insert(
            id,
            LiveEntry {
                backend: Arc::downgrade(backend),
                rollout,
                task,
            },
        );
    }

    /// A handle to a live conversation this `Codex` started (or resumed), by id.
    #[must_use]
    pub fn conversation(&self, id: ConversationId) -> Option<ConversationHandle> {
        let map = self.inner.live.lock();
        let entry = map.entries.get(&id).filter(|e| !e.task.is_finished())?;
        let backend: Arc<LocalBackend> = entry.backend.upgrade()?;
        Some(ConversationHandle::new(backend))
    }

    /// The ids of the live conversations.
    #[must_use]
    pub fn live_conversations(&self) -> Vec<ConversationId> {
        let mut map = self.inner.live.lock();
        map.prune();
        map.entries.keys().copied().collect()
    }

    fn store(&self) -> Result<Arc<dyn RolloutStore>> {
        self.inner.store.clone().ok_or_else(|| {
            Error::InvalidInput("this Codex is ephemeral: conversations are not recorded".into())
        })
    }

    /// Starts a new conversation with the builder's configuration, recorded in a new rollout.
    ///
    /// # Errors
    /// [`Error::Io`] when the rollout cannot be created.
    pub async fn new_conversation(&self) -> Result<NewConversation> {
        self.new_conversation_with(self.inner.config.clone()).await
    }

    /// Starts a new conversation with its own configuration (model, cwd, policies, instructions…; a
    /// different provider or key gets its own model client). Host tools and the approval handler are the
    /// builder's.
    ///
    /// # Errors
    /// [`Error::Io`] when the rollout cannot be created.
    pub async fn new_conversation_with(&self, config: Config) -> Result<NewConversation> {
        let id = ConversationId::new();
        let user_instructions = read_user_instructions(&config).await?;
        let rollout = match &self.inner.store {
            Some(store) => {
                Some(create_rollout(store.as_ref(), id, &config, user_instructions.clone()).await?)
            }
            None => None,
        };
        let conversation = self
            .start_with_history(
                &config,
                id,
                History::default(),
                rollout,
                None,
                user_instructions,
            )
            .await?;
        Ok(NewConversation::from_conversation(conversation))
    }

    /// Resumes a recorded conversation: same id, history rebuilt from the rollout, persisted events
    /// replayed as `initial_messages`, new lines appended to the same file.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the file has no session meta, when the conversation is already live
    /// in this `Codex`, or when it is ephemeral; [`Error::Io`] when the file cannot be read.
    pub async fn resume_conversation(&self, path: impl AsRef<Path>) -> Result<NewConversation> {
        self.resume_conversation_with(path, self.inner.config.clone())
            .await
    }

    /// [`resume_conversation`](Self::resume_conversation) with its own configuration.
    ///
    /// # Errors
    /// As [`resume_conversation`](Self::resume_conversation).
    pub async fn resume_conversation_with(
        &self,
        path: impl AsRef<Path>,
        config: Config,
    ) -> Result<NewConversation> {
        let path = path.as_ref();
        let store = self.store()?;
        let already_running = |id: ConversationId| {
            Error::InvalidInput(format!(
                "conversation {id} is already running; use its handle"
            ))
        };
        match store.read_meta(path).await? {
            Some(meta) if self.conversation(meta.id).is_some() => {
                return Err(already_running(meta.id));
            }
            Some(_) => {}
            // Not a rollout: fail before opening it (opening cuts a torn last line off).
            None => {
                return Err(Error::InvalidInput(format!(
                    "{} is not a rollout: it has no session_meta line",
                    path.display()
                )));
            }
        }
        // Open for appending before reading: a shared store (PostgreSQL) hands out the conversation's
        // lease here, so what is read next cannot change under this worker.
        let appender = store.open_append(path).await?;
        let (contents, _) = read_rollout(store.as_ref(), path).await?;
        let id = contents
            .meta
            .as_ref()
            .map_or_else(ConversationId::new, |m| m.id);
        if self.conversation(id).is_some() {
            return Err(already_running(id));
        }
        let recorder = RolloutRecorder::spawn(path.to_owned(), appender);
        self.start_from_rollout(&config, id, contents, recorder)
            .await
    }

    /// Forks a recorded conversation: a new id and a new rollout holding everything before the
    /// `nth_user_message`-th (0-based) real user message — environment context and instructions do not
    /// count. `n` past the end copies the whole conversation.
    ///
    /// # Errors
    /// As [`resume_conversation`](Self::resume_conversation), plus [`Error::Io`] when the new rollout
    /// cannot be created.
    pub async fn fork_conversation(
        &self,
        path: impl AsRef<Path>,
        nth_user_message: usize,
    ) -> Result<NewConversation> {
        self.fork_conversation_with(path, nth_user_message, self.inner.config.clone())
            .await
    }

    /// [`fork_conversation`](Self::fork_conversation) with its own configuration.
    ///
    /// # Errors
    /// As [`fork_conversation`](Self::fork_conversation).
    pub async fn fork_conversation_with(
        &self,
        path: impl AsRef<Path>,
        nth_user_message: usize,
        config: Config,
    ) -> Result<NewConversation> {
        let store = self.store()?;
        let (contents, bytes) = read_rollout(store.as_ref(), path.as_ref()).await?;
        let cut = contents.fork_cut(nth_user_message);
        let kept = RolloutContents {
            meta: None,
            entries: contents.entries[..cut]
                .iter()
                .filter(|e| !matches!(e.item, RolloutItem::SessionMeta(_)))
                .cloned()
                .collect(),
            report: contents.report,
        };
        let id = ConversationId::new();
        let instructions = recorded_user_instructions(&kept)
            .or_else(|| contents.meta.as_ref().and_then(|m| m.instructions.clone()));
        let recorder = create_rollout(store.as_ref(), id, &config, instructions).await?;
        for entry in &kept.entries {
            match std::str::from_utf8(&bytes[entry.span.clone()]) {
                Ok(line) => recorder.push_raw(line),
                Err(_) => recorder.record(&entry.item),
            }
        }
        self.start_from_rollout(&config, id, kept, recorder).await
    }

    /// The path shared by resume and fork: the recorder already holds the earlier lines.
    async fn start_from_rollout(
        &self,
        config: &Config,
        id: ConversationId,
        contents: RolloutContents,
        recorder: RolloutRecorder,
    ) -> Result<NewConversation> {
        let user_instructions = recorded_user_instructions(&contents)
            .or_else(|| contents.meta.as_ref().and_then(|m| m.instructions.clone()));
        let (rebuilt, initial_messages) = contents.into_rebuilt();
        // A conversation killed mid-tool-call left calls without outputs: pair them so requests are valid.
        let history = History::from_rollout(rebuilt.items)
            .with_folded_user_messages(rebuilt.folded_user_messages);
        let resumed = Resumed {
            initial_messages,
            token_info: rebuilt.token_info,
            rate_limits: rebuilt.rate_limits,
            context_tokens: rebuilt.context_tokens,
        };
        let conversation = self
            .start_with_history(
                config,
                id,
                history,
                Some(recorder),
                Some(resumed),
                user_instructions,
            )
            .await?;
        Ok(NewConversation::from_conversation(conversation))
    }

    /// Archives a conversation: checks that the rollout's session meta names `id` (else
    /// [`Error::RolloutMismatch`] and nothing changes), shuts the live conversation down (waiting at most
    /// [`ARCHIVE_SHUTDOWN_TIMEOUT`], then stopping it), forgets it, and moves the rollout into
    /// `CODEX_HOME/archived_sessions/`. Returns the new path.
    ///
    /// # Errors
    /// [`Error::RolloutMismatch`]; [`Error::InvalidInput`] for a path outside the sessions tree;
    /// [`Error::Io`] when the file cannot be read or moved.
    pub async fn archive_conversation(
        &self,
        id: ConversationId,
        path: impl AsRef<Path>,
    ) -> Result<PathBuf> {
        let path = path.as_ref();
        let store = self.store()?;
        check_owner(store.as_ref(), id, path).await?;
        self.shut_down_live(id, ARCHIVE_SHUTDOWN_TIMEOUT).await;
        store.archive(path).await
    }

    /// Moves an archived rollout back into the sessions tree (its date folder); returns the new path.
    ///
    /// # Errors
    /// As [`archive_conversation`](Self::archive_conversation).
    pub async fn unarchive_conversation(
        &self,
        id: ConversationId,
        path: impl AsRef<Path>,
    ) -> Result<PathBuf> {
        let path = path.as_ref();
        let store = self.store()?;
        check_owner(store.as_ref(), id, path).await?;
        store.unarchive(path).await
    }

    /// One page of recorded conversations, newest first. Pass the page's `next_cursor` to get the next one.
    /// Files without a session meta or a user message are skipped. Only heads and tails of files are read.
    ///
    /// # Errors
    /// [`Error::Io`] when the sessions tree cannot be read.
    pub async fn list_conversations(
        &self,
        page_size: usize,
        cursor: Option<&Cursor>,
    ) -> Result<ConversationsPage> {
        self.store()?.list(page_size, cursor).await
    }

    /// Copies a rollout file (a Codex CLI session, or one exported earlier) into this `Codex`'s store,
    /// under the same id and start time; returns its path there. See [`copy_rollout`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the file has no session meta or the store already holds the
    /// conversation; the stores' errors otherwise.
    pub async fn import_rollout(&self, file: impl AsRef<Path>) -> Result<PathBuf> {
        // The file store reads any path it is given; its root only matters for writing.
        let files = FileRolloutStore::new(file.as_ref().parent().unwrap_or(Path::new("/")));
        copy_rollout(&files, file.as_ref(), self.store()?.as_ref()).await
    }

    /// Writes a recorded conversation as a rollout file in Codex CLI's layout under `codex_home`
    /// (`sessions/YYYY/MM/DD/rollout-….jsonl`), which Codex CLI and the file store resume; returns the file.
    ///
    /// # Errors
    /// As [`import_rollout`](Self::import_rollout).
    pub async fn export_rollout(
        &self,
        path: impl AsRef<Path>,
        codex_home: impl AsRef<Path>,
    ) -> Result<PathBuf> {
        let files = FileRolloutStore::new(codex_home.as_ref());
        copy_rollout(self.store()?.as_ref(), path.as_ref(), &files).await
    }

    /// The rollout of a recorded (not archived) conversation, by id.
    ///
    /// # Errors
    /// [`Error::Io`] when the sessions tree cannot be read.
    pub async fn find_conversation_path(&self, id: ConversationId) -> Result<Option<PathBuf>> {
        self.store()?.find(id).await
    }

    /// Shuts a live conversation down, waiting at most `timeout` before stopping it by force, closes its
    /// rollout and forgets it. Does nothing for an unknown id.
    pub(crate) async fn shut_down_live(&self, id: ConversationId, timeout: Duration) {
        let Some(mut entry) = self.inner.live.lock().entries.remove(&id) else {
            return;
        };
        if let Some(backend) = entry.backend.upgrade() {
            let op = Box::new(Submission {
                id: SubmissionId::from("archive"),
                op: Op::Shutdown,
            });
            let _ = tokio::time::timeout(timeout, backend.tx.send(op)).await;
        }
        if tokio::time::timeout(timeout, &mut entry.task)
            .await
            .is_err()
        {
            tracing::warn!(conversation = %id, "conversation did not shut down in time; stopping it");
            entry.task.abort();
        }
        if let Some(rollout) = entry.rollout
            && let Ok(Err(e)) = tokio::time::timeout(timeout, rollout.shutdown()).await
        {
            tracing::warn!(conversation = %id, error = %e, "the rollout could not be written");
        }
    }
}

/// Reads and parses a rollout; fails when it has no session meta.
async fn read_rollout(store: &dyn RolloutStore, path: &Path) -> Result<(RolloutContents, Vec<u8>)> {
    let bytes = store.read(path).await?;
    // Parsing a long rollout takes a while: keep it off the async workers.
    let (contents, bytes) =
        tokio::task::spawn_blocking(move || (RolloutContents::parse(&bytes), bytes))
            .await
            .map_err(|e| Error::Internal(format!("rollout parsing failed: {e}")))?;
    if contents.meta.is_none() {
        return Err(Error::InvalidInput(format!(
            "{} is not a rollout: it has no session_meta line",
            path.display()
        )));
    }
    let r = contents.report;
    if r.torn_tail || r.invalid_lines > 0 || r.unknown_kinds > 0 {
        tracing::info!(
            path = %path.display(),
            torn_tail = r.torn_tail,
            invalid = r.invalid_lines,
            unknown = r.unknown_kinds,
            "skipped rollout lines"
        );
    }
    Ok((contents, bytes))
}

async fn check_owner(store: &dyn RolloutStore, id: ConversationId, path: &Path) -> Result<()> {
    let found = store.read_meta(path).await?.map(|m| m.id);
    if found == Some(id) {
        Ok(())
    } else {
        Err(Error::RolloutMismatch {
            expected: id,
            found,
            path: path.to_owned(),
        })
    }
}

/// The user-instructions message of a new conversation in `config.cwd` (`AGENTS.md` files and the user's
/// own instructions), read off the async workers.
async fn read_user_instructions(config: &Config) -> Result<Option<String>> {
    let options = config.project_doc.clone();
    let home = config.codex_home.clone();
    let cwd = config.cwd.clone();
    let extra = config.user_instructions.clone();
    tokio::task::spawn_blocking(move || {
        user_instructions_message(&options, &home, &cwd, extra.as_deref())
    })
    .await
    .map_err(|e| Error::Internal(format!("reading AGENTS.md failed: {e}")))
}

/// The user instructions a recorded conversation ran with: its last turn context's.
fn recorded_user_instructions(contents: &RolloutContents) -> Option<String> {
    contents.entries.iter().rev().find_map(|e| match &e.item {
        RolloutItem::TurnContext(tc) => tc.user_instructions.clone(),
        _ => None,
    })
}

/// Creates the rollout of a new conversation and records its session meta.
async fn create_rollout(
    store: &dyn RolloutStore,
    id: ConversationId,
    config: &Config,
    instructions: Option<String>,
) -> Result<RolloutRecorder> {
    let started = chrono::Local::now();
    let (path, appender) = store.create(id, started).await?;
    let recorder = RolloutRecorder::spawn(path, appender);
    recorder.record_meta(&SessionMeta {
        id,
        timestamp: now_timestamp(),
        cwd: config.cwd.clone(),
        originator: config.originator.clone(),
        cli_version: env!("CARGO_PKG_VERSION").to_owned(),
        instructions,
        source: config.session_source,
        model_provider: Some(config.model_provider_id.clone()),
        git: None,
    });
    Ok(recorder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ScriptedModel;

    #[tokio::test]
    async fn starting_many_conversations_prunes_the_live_map_rarely_and_forgets_ended_ones() {
        let codex = Codex::builder()
            .ephemeral()
            .model_client(Arc::new(ScriptedModel::new([])))
            .no_builtin_tools()
            .build()
            .unwrap();
        let mut kept = Vec::new();
        for _ in 0..2000 {
            kept.push(codex.start_conversation().await.unwrap());
        }
        {
            let map = codex.inner.live.lock();
            assert_eq!(map.entries.len(), 2000);
            // Geometric growth: a handful of prunes, not one per start.
            assert!(map.prunes <= 8, "{} prunes", map.prunes);
        }
        kept.truncate(10);
        let mut later = Vec::new();
        for _ in 0..5000 {
            later.push(codex.start_conversation().await.unwrap());
        }
        later.clear();
        // Dropped conversations end; entries of ended ones never outnumber the map's last pruned size.
        for _ in 0..100 {
            if codex.live_conversations().len() == 10 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(codex.live_conversations().len(), 10);
        assert_eq!(codex.inner.live.lock().entries.len(), 10);
    }
}
