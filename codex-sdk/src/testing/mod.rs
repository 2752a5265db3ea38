//! Test support (feature `testing`): a loopback mock model server and SSE builders.
//!
//! [`MockServer`] is a real HTTP/1.1 server on `127.0.0.1` that records every request and answers each with
//! the next queued [`MockResponse`] — or, when nothing is queued, with what a responder computes from the
//! request ([`MockServer::respond_with`]; [`responders`] has ready-made ones). The [`sse`] and [`chat`]
//! modules build the events of Responses API and Chat Completions streams.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use codex_sdk::testing::{MockResponse, MockServer, sse};
//!
//! let server = MockServer::start().await?;
//! server.enqueue(MockResponse::sse(sse::text_response("resp_1", "Hello!")));
//! // … point a client at `server.base_url()` and run a turn …
//! let requests = server.requests();
//! assert_eq!(requests[0].path, "/v1/responses");
//! # Ok(())
//! # }
//! ```

pub mod chat;
mod request;
pub mod responders;
mod response;
mod server;
pub mod sse;

/// A scripted model's script as data (defined next to [`ScriptedModel`](crate::model::ScriptedModel), so
/// builds without this feature have it too).
pub use crate::model::{ScriptedModelSpec, ScriptedStep};
pub use request::RecordedRequest;
pub use response::MockResponse;
pub use server::MockServer;
