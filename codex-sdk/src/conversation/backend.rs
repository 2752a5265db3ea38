//! The in-process [`ConversationBackend`]: what a conversation started by [`Codex`](super::Codex) submits to.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::handle::ConversationBackend;
use super::history::resolve_local_images;
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, Op, Submission, SubmissionId};
use crate::tools::ToolRegistry;

/// The in-process conversation: submissions go to its session task.
#[derive(Debug)]
pub(crate) struct LocalBackend {
    id: ConversationId,
    /// Submissions travel boxed (pointer-sized channel slots keep an idle conversation small).
    pub(crate) tx: mpsc::Sender<Box<Submission>>,
    next_id: AtomicU64,
    tools: ToolRegistry,
}

impl LocalBackend {
    pub(super) fn new(
        id: ConversationId,
        tx: mpsc::Sender<Box<Submission>>,
        tools: ToolRegistry,
    ) -> Self {
        Self {
            id,
            tx,
            next_id: AtomicU64::new(1),
            tools,
        }
    }
}

#[async_trait]
impl ConversationBackend for LocalBackend {
    fn id(&self) -> ConversationId {
        self.id
    }

    async fn submit(&self, mut op: Op) -> Result<SubmissionId> {
        if let Op::UserInput { items } | Op::UserTurn { items, .. } = &mut op {
            *items = resolve_local_images(std::mem::take(items)).await?;
        }
        let id = SubmissionId(self.next_id.fetch_add(1, Ordering::Relaxed).to_string());
        self.tx
            .send(Box::new(Submission { id: id.clone(), op }))
            .await
            .map_err(|_| Error::Closed)?;
        Ok(id)
    }

    fn tools(&self) -> &ToolRegistry {
        &self.tools
    }
}
