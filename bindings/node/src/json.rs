//! Protocol values cross the boundary in their serde form, as JSON text: JS parses it with `JSON.parse`
//! into the generated TypeScript types (`lib/generated/protocol.ts`). The `bench/` folder measured this
//! against building JS objects from `serde_json::Value` in Rust; JSON text was faster (see the README).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, internal, invalid_input};

/// Serializes a value as JSON text for JavaScript.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| internal(format!("cannot serialize for JS: {e}")))
}

/// Parses a value of the protocol from JSON text sent by JavaScript; `what` names it in the error.
pub fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| invalid_input(format!("cannot parse {what}: {e}")))
}
