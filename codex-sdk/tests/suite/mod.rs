//! Integration test modules.

mod conversation;
mod conversation_cancel;
mod schema;
mod support;
mod testing_server;
