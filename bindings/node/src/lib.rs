//! Node.js binding of codex-sdk (napi-rs): the native half of the `codex-sdk` npm package.
//!
//! This crate only converts types, maps errors and bridges async; the TypeScript layer in `lib/` gives it
//! the idiomatic shape (`for await`, `AbortSignal`, error classes). Its pieces:
//! - [`codex`]: `NativeCodex` — the core's `CodexOptions`, host tools, the approval callback; starts
//!   conversations.
//! - [`conversation`]: `NativeConversation` — run, stream, submit, interrupt, tools.
//! - [`stream`]: `NativeEventStream` — the core's turn stream (or the conversation's events), drained by JS in batches.
//! - [`tools`], [`approval`] and [`telemetry`]: JS functions as host tools, as the approval handler and
//!   as the telemetry sink.
//! - [`home`]: `auth.json` and the default model in `CODEX_HOME`; token formatting.
//! - [`error`]: the one mapping from [`codex_sdk::Error`] to what JS receives.
//! - [`json`]: protocol values cross the boundary in their serde form.
//! - [`replay`] and [`testing`]: the replaying model and the loopback mock server, for tests (a scripted
//!   model crosses as the JSON of the core's `ScriptedModelSpec`).

pub mod approval;
pub mod codex;
pub mod conversation;
pub mod error;
pub mod home;
pub mod json;
pub mod replay;
pub mod stream;
pub mod telemetry;
pub mod testing;
pub mod tools;

use napi_derive::napi;

/// The version of the native addon (the crate's version).
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
