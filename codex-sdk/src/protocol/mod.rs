//! Wire and event types: what goes into a conversation ([`Op`]), what comes out ([`Event`]), and the
//! model-visible items in between ([`ResponseItem`]).
//!
//! Everything here is plain data with a stable serde form — no I/O, no async. The same JSON is what the
//! rollout stores and what the bindings hand to their hosts.

mod error_code;
mod event;
mod format;
mod ids;
mod items;
mod listing;
mod mcp;
mod op;
mod review;
#[cfg(feature = "schema")]
pub mod schema;
mod usage;

pub use error_code::ErrorCode;
pub use event::*;
pub use format::{format_tokens_compact, format_tokens_exact};
pub use ids::{ConversationId, InvalidIdError, SubmissionId};
pub use items::*;
pub(crate) use listing::valid_file_ts;
pub use listing::{
    ConversationSummary, ConversationsPage, Cursor, InvalidCursorError, SessionSource,
};
pub use mcp::*;
pub use op::*;
pub use review::*;
pub use usage::*;
