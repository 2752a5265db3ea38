//! codex-sdk.
pub mod conversation;
pub mod error;
pub mod model;
pub mod protocol;
pub mod sandbox;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tools;

pub use error::{Error, ErrorCode, Result};
