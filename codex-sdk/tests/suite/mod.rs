//! Integration test modules.

mod conversation;
mod rollout;
mod rollout_list;
mod support;
mod testing_server;
