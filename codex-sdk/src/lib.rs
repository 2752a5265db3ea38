//! codex-sdk.
pub mod conversation;
pub mod error;
pub mod model;
pub mod protocol;
pub mod tools;

pub use error::{Error, ErrorCode, Result};
