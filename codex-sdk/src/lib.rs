#![doc = include_str!("../README.md")]
//!
//! # The crate, module by module
//! - [`protocol`]: the data — ops in, events out, history items. No I/O.
//! - [`model`]: talking to the model ([`model::ModelClient`]; Responses API, Chat Completions, scripted).
//! - [`tools`]: what the model can call ([`tools::ToolRegistry`], [`tools::ToolHandler`], [`tools::FunctionTool`]).
//! - [`conversation`]: [`Codex`] and [`Conversation`] — the submission loop and the turn loop.
//! - [`app_server`]: the SDK over JSON-RPC lines (what `codex-sdk app-server` serves on stdio).
//! - [`approval`]: approval requests, the host's [`approval::ApprovalHandler`], fail-closed waiting (used by
//!   [`tools`] and [`conversation`] alike).
//! - [`auth`]: credentials in `CODEX_HOME/auth.json` (API key login, logout, status).
//! - [`config`]: [`config::Config`] and `-c key=value` overrides.
//! - [`telemetry`]: the telemetry event catalog, a host sink, and (feature `otel`) OTLP export.
//! - [`rollout`]: recorded conversations (Codex CLI's JSONL format): recorder, reader, listing, stores.
//! - `testing` (feature `testing`): a loopback mock model server for your own tests.
// docs.rs (nightly, `--cfg docsrs`, see Cargo.toml) marks what each cargo feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod app_server;
pub mod approval;
mod atomic_file;
pub mod auth;
pub mod config;
pub mod conversation;
pub mod error;
mod events;
pub mod mcp;
pub mod model;
mod open_calls;
pub mod protocol;
pub mod rollout;
pub mod sandbox;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tools;

pub use config::CodexOptions;
pub use conversation::{
    Codex, CodexBuilder, Conversation, ConversationHandle, EventStream, NewConversation,
    OwnedTurnEvents, SharedConversation, TurnInput, TurnResult,
};
pub use error::{Error, ErrorCode, Result, TransportError, TransportErrorKind};
