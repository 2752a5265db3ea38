//! The conversations a [`Codex`](super::Codex) started and that may still run (for archive and shutdown).

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
#[derive(Default)]
pub(crate) struct LiveConversations {
    map: Mutex<HashMap<ConversationId, LiveEntry>>,
}

impl LiveConversations {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConversationId, LiveEntry>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn prune(map: &mut HashMap<ConversationId, LiveEntry>) {
        map.retain(|_, e| !e.task.is_finished() && e.backend.strong_count() > 0);
    }
}
