//! Conversations: [`Codex`] starts them, a [`Conversation`] is one of them — ops in, events out.
//!
//! Each conversation is a task on the caller's tokio runtime that runs one turn at a time. Its events go
//! through a bounded channel to exactly one consumer (see [`EventStream`] for the backpressure policy).

pub mod approval;
mod builder_settings;
mod codex;
pub mod compact;
pub(crate) mod events;
mod handle;
pub(crate) mod history;
mod manager;
pub mod review;
mod sampling;
mod session;
mod turn;

pub use codex::{Codex, CodexBuilder};
pub use events::{DEFAULT_EVENT_BUFFER, EventStream};
pub use handle::{
    Conversation, ConversationBackend, ConversationHandle, TurnEvents, TurnInput, TurnResult,
};
pub use manager::{ARCHIVE_SHUTDOWN_TIMEOUT, NewConversation};
