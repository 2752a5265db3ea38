//! The conversations a [`Codex`](super::Codex) started and that may still run (for lookup, archive and
//! shutdown).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, Weak};

use tokio::task::JoinHandle;

use super::backend::LocalBackend;
use crate::protocol::ConversationId;
use crate::rollout::RolloutRecorder;

pub(super) struct LiveEntry {
    pub(super) backend: Weak<LocalBackend>,
    pub(super) rollout: Option<RolloutRecorder>,
    pub(super) task: JoinHandle<()>,
}

/// The conversations a [`Codex`] started. Holds no strong reference: a conversation whose handles are all
/// dropped ends as before, and its entry is pruned.
///
/// Pruning walks the whole map, so it runs only when the map has doubled since the last prune: starting a
/// conversation stays amortised O(1) however many were started, and ended entries are at most as many as
/// live ones.
#[derive(Default)]
pub(crate) struct LiveConversations {
    map: Mutex<LiveMap>,
}

#[derive(Default)]
pub(crate) struct LiveMap {
    pub(super) entries: HashMap<ConversationId, LiveEntry>,
    /// The size at which the next insert prunes first.
    prune_at: usize,
    /// How many times the map was pruned (for tests of the amortisation).
    pub(super) prunes: usize,
}

/// The smallest map that is pruned on insert.
const MIN_PRUNE_AT: usize = 64;

impl LiveMap {
    pub(super) fn prune(&mut self) {
        self.entries
            .retain(|_, e| !e.task.is_finished() && e.backend.strong_count() > 0);
        self.prune_at = (self.entries.len() * 2).max(MIN_PRUNE_AT);
        self.prunes += 1;
    }

    pub(super) fn insert(&mut self, id: ConversationId, entry: LiveEntry) {
        if self.entries.len() >= self.prune_at {
            self.prune();
        }
        self.entries.insert(id, entry);
    }
}

impl LiveConversations {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, LiveMap> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
