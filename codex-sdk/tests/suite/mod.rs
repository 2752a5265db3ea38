//! Integration test modules.

mod auth;
mod config_load;
mod conversation;
mod model_chat;
mod model_responses;
mod rollout;
mod rollout_bench;
mod rollout_interop;
mod rollout_list;
mod schema;
mod support;
mod testing_server;
mod turn_http;
