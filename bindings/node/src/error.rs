//! Errors: the one place that maps a [`codex_sdk::Error`] onto what JavaScript receives.
//!
//! A core error becomes a JS `Error` whose message is a JSON object `{"code", "message", "chain"}`: the
//! stable [`ErrorCode`](codex_sdk::ErrorCode), the Rust error's `Display`, and its source chain. The
//! TypeScript layer (`lib/errors.ts`) turns it into the `CodexError` subclass of that code, with the Rust
//! chain as its `cause`. Errors that are not the core's (a bad argument type) pass through unchanged.

use std::error::Error as _;

use serde_json::json;

/// The result type of every fallible export.
pub type Result<T> = std::result::Result<T, napi::Error>;

/// Converts a core error for JavaScript, keeping its code and source chain.
pub fn to_js(err: &codex_sdk::Error) -> napi::Error {
    let mut chain = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let payload = json!({
        "code": err.code().as_str(),
        "message": err.to_string(),
        "chain": chain,
    });
    napi::Error::new(napi::Status::GenericFailure, payload.to_string())
}

/// Converts a core result for JavaScript.
pub fn core<T>(result: codex_sdk::Result<T>) -> Result<T> {
    result.map_err(|e| to_js(&e))
}

/// An `invalid_input` error (a value from JS that does not parse).
pub fn invalid_input(message: impl Into<String>) -> napi::Error {
    to_js(&codex_sdk::Error::InvalidInput(message.into()))
}

/// An `internal` error (a bug or an unexpected state in the binding).
pub fn internal(message: impl Into<String>) -> napi::Error {
    to_js(&codex_sdk::Error::Internal(message.into()))
}
