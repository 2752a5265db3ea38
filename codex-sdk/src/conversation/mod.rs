//! Conversations: [`Codex`] starts them, a [`Conversation`] is one of them — ops in, events out.
//!
//! Each conversation is a task on the caller's tokio runtime that runs one turn at a time. Its events go
//! through a bounded channel to exactly one consumer (see [`EventStream`] for the backpressure policy).

mod backend;
mod builder;
mod builder_settings;
mod codex;
pub mod compact;
mod handle;
pub(crate) mod history;
mod live;
mod manager;
pub mod review;
mod sampling;
mod session;
mod shared;
mod turn;
mod turn_stream;

pub use crate::approval;
pub use crate::events::{DEFAULT_EVENT_BUFFER, EventStream};
pub use builder::CodexBuilder;
pub use codex::Codex;
pub use handle::{Conversation, ConversationBackend, ConversationHandle, TurnInput, TurnResult};
pub use manager::{ARCHIVE_SHUTDOWN_TIMEOUT, NewConversation};
pub use turn_stream::{OwnedTurnEvents, SharedConversation, TurnEvents};
