//! Integration test modules.

mod conversation;
mod support;
mod testing_server;
