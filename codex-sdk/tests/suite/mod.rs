//! Integration test modules.

mod conversation;
mod model_chat;
mod model_responses;
mod schema;
mod support;
mod testing_server;
mod turn_http;
