//! Integration test modules.

mod conversation;
mod rollout;
mod support;
mod testing_server;
