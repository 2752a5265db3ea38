//! The Swift binding of codex-sdk: a uniffi library that the `CodexSDK` Swift package wraps.
//!
//! A thin adapter (it converts types, maps errors and bridges async; the SDK decides everything):
//! - [`codex`]: `Codex` over the core's `CodexOptions`; [`conversation`]: `Conversation`;
//! - [`home`]: `auth.json` and the default model in `CODEX_HOME`; token formatting;
//! - [`stream`]: a turn's events as a pull iterator (`TurnStream`) or to a listener (`EventListener`);
//! - [`tools`], [`approval`]: the host's tools and approval handler, as foreign traits (Swift protocols);
//! - [`json`]: protocol values, carried as their JSON and decoded by Swift's generated `Codable` types;
//! - [`error`]: `CodexError`, one case per error code; [`runtime`]: the tokio runtime and async glue;
//! - [`model`]: the offline scripted model; `testing` (feature `testing`): the mock model server.
//!
//! `bindings/swift/scripts/generate.sh` generates the Swift sources from the compiled library.

pub mod approval;
pub mod codex;
pub mod conversation;
pub mod error;
pub mod home;
pub mod json;
pub mod model;
pub mod runtime;
pub mod stream;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tools;

pub use error::CodexError;

uniffi::setup_scaffolding!();
