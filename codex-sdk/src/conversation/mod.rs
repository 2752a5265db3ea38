//! Conversations.
pub mod approval;
pub(crate) mod events;
