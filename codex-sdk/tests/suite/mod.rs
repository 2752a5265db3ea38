//! Integration test modules.

mod auth;
mod compact;
mod config_load;
mod conversation;
mod conversation_cancel;
mod exec_cli;
mod model_chat;
mod model_responses;
mod review;
mod rollout;
mod rollout_durability;
mod rollout_interop;
mod rollout_list;
mod schema;
mod support;
mod testing_server;
mod tools_apply_patch;
mod tools_common;
mod tools_e2e;
mod tools_files;
mod tools_http;
mod tools_misc;
mod tools_shell;
mod tools_unified_exec;
mod turn_http;
