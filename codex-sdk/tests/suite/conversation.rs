//! Conversation tests.
