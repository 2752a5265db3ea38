//! Rollouts: every conversation recorded as JSON lines, in the format and layout Codex CLI reads and writes,
//! so a session can move between the two.
//!
//! - Layout: `CODEX_HOME/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl` (local time);
//!   archived files move flat into `CODEX_HOME/archived_sessions/`. Files are `0600`, directories `0700`.
//! - Lines: `{"timestamp", "type", "payload"}` — see [`RolloutItem`] for the kinds. `session_meta` comes first.
//! - Writing: a [`RolloutRecorder`] per conversation, in front of one writer task that owns the file. The
//!   first storage failure stops the recording at the last whole line and is reported (see the recorder).
//! - Reading: [`RolloutContents::parse`] never fails: unknown kinds and unparsable lines are skipped and
//!   counted, and a torn last line (a crash mid-write) is ignored and reported.
//! - Storage sits behind [`RolloutStore`]: [`FileRolloutStore`] by default, [`InMemoryRolloutStore`] for
//!   tests.
//!
//! The conversation-level operations (resume, fork, archive, list) are methods of [`Codex`](crate::Codex).

mod line;
mod list;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod reader;
pub(crate) mod rebuild;
mod recorder;
mod store;
mod transfer;

pub use crate::protocol::{
    ConversationSummary, ConversationsPage, Cursor, InvalidCursorError, SessionSource,
};
pub use line::{
    CompactedItem, GitInfo, RolloutItem, RolloutLine, SessionMeta, TurnContextItem, now_timestamp,
};
pub use memory::InMemoryRolloutStore;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresRolloutStore, SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION};
pub use reader::{ReadReport, RolloutContents, RolloutEntry, history_from};
pub use rebuild::{is_compaction_summary, is_context_message, is_real_user_message};
pub use recorder::RolloutRecorder;
pub use store::{FileRolloutStore, RolloutAppender, RolloutStore};
pub use transfer::copy_rollout;

use crate::protocol::EventMsg;

/// `CODEX_HOME/<this>` holds the live sessions.
pub const SESSIONS_SUBDIR: &str = "sessions";
/// `CODEX_HOME/<this>` holds archived sessions.
pub const ARCHIVED_SESSIONS_SUBDIR: &str = "archived_sessions";

/// Whether an event is persisted as an `event_msg` line: user and agent messages, reasoning, token counts
/// and aborted turns — what a UI needs to redraw a transcript. Deltas, tool progress and approvals are not.
#[must_use]
pub fn is_persisted_event(msg: &EventMsg) -> bool {
    matches!(
        msg,
        EventMsg::UserMessage(_)
            | EventMsg::AgentMessage(_)
            | EventMsg::AgentReasoning(_)
            | EventMsg::AgentReasoningRawContent(_)
            | EventMsg::TokenCount(_)
            | EventMsg::TurnAborted(_)
            | EventMsg::EnteredReviewMode(_)
            | EventMsg::ExitedReviewMode(_)
    )
}

/// The store `[rollout] store = "postgres"` names.
#[cfg(feature = "postgres")]
pub(crate) fn postgres_store_from_config(
    config: &crate::config::RolloutStoreConfig,
) -> crate::Result<std::sync::Arc<dyn RolloutStore>> {
    Ok(std::sync::Arc::new(PostgresRolloutStore::from_config(
        config,
    )?))
}

/// The store `[rollout] store = "postgres"` names: not in this build.
#[cfg(not(feature = "postgres"))]
pub(crate) fn postgres_store_from_config(
    _config: &crate::config::RolloutStoreConfig,
) -> crate::Result<std::sync::Arc<dyn RolloutStore>> {
    Err(crate::Error::Config {
        key: "rollout.store".to_owned(),
        message: "this build of codex-sdk has no PostgreSQL support (cargo feature `postgres`)"
            .to_owned(),
    })
}
