//! Integration test modules.

mod conversation;
mod schema;
mod support;
mod testing_server;
