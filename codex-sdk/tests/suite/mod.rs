//! Integration test modules.

mod auth;
mod config_load;
mod conversation;
mod rollout;
mod rollout_interop;
mod rollout_list;
mod support;
mod testing_server;
