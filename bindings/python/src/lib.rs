//! `codex_sdk._native`: the Python binding of codex-sdk.
//!
//! A thin adapter: it converts types (protocol values cross as their serde JSON), maps errors
//! ([`error`]), and bridges async ([`runtime`], [`event_loop`], [`host`]). The Pythonic API — `Codex`, `Conversation`, typed events,
//! tools from type hints, the sync facade — is the `codex_sdk` package around this module.

mod approval;
mod codex;
mod conversation;
mod error;
mod event_loop;
mod events;
mod home;
mod host;
mod model;
mod runtime;
mod telemetry;
#[cfg(feature = "testing")]
mod testing;
mod tools;

/// The native core of the `codex_sdk` package (use the package, not this module).
#[pyo3::pymodule]
mod _native {
    #[pymodule_export]
    const VERSION: &str = env!("CARGO_PKG_VERSION");

    #[pymodule_export]
    use super::codex::Codex;
    #[pymodule_export]
    use super::conversation::{Conversation, TurnStream};
    #[pymodule_export]
    use super::home::{
        auth_status, format_tokens_compact, format_tokens_exact, login_api_key, logout,
        set_default_model,
    };
    #[pymodule_export]
    use super::model::{ReplayModel, ScriptedModel};
    #[cfg(feature = "testing")]
    #[pymodule_export]
    use super::testing::{
        MockResponse, MockServer, host_call_site, sse_assistant_message, sse_completed,
        sse_created, sse_failed, sse_function_call, sse_output_text_delta, sse_text_response,
        sse_tool_call_response,
    };
    #[pymodule_export]
    use super::tools::{Tool, ToolContext};
}
