//! Talking to the model: the [`ModelClient`] trait and its implementations — the Responses API
//! ([`ResponsesClient`]), Chat Completions ([`ChatClient`]), an offline [`ScriptedModel`] and [`ReplayModel`], which
//! re-serves a recorded conversation.
//!
//! Everything that speaks HTTP lives behind [`ModelClient`], so the turn loop is testable without sockets.
//! Request-level retries (429, 5xx, transport errors) happen inside the HTTP clients; replaying a stream that
//! broke mid-way is the turn loop's job, because it must tell the user.

mod chat;
mod http;
mod prompt;
mod provider;
mod rate_limits;
mod replay;
mod responses;
mod retry;
mod scripted;
mod scripted_spec;
pub mod sse;

use std::pin::Pin;

use async_trait::async_trait;
use futures::Stream;

pub use chat::ChatClient;
pub use prompt::{Prompt, ToolSpec, Verbosity};
pub use provider::{ApiKey, ModelProviderInfo, WireApi};
pub use rate_limits::parse_rate_limit_headers;
pub use replay::{ReplayDivergence, ReplayModel};
pub use responses::ResponsesClient;
pub use retry::{
    RequestRetry, RetryPolicy, announce_request_retry, observe_request_retries,
    parse_retry_after_text,
};
pub use scripted::{ScriptedModel, ScriptedResponse};
pub use scripted_spec::{ScriptedModelSpec, ScriptedStep};

use crate::error::Result;
use crate::protocol::{RateLimitSnapshot, ResponseItem, TokenUsage};

/// One event of a model response, independent of the wire API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResponseEvent {
    /// The server accepted the request.
    Created,
    /// An output item began (message, reasoning, tool call…).
    OutputItemAdded(ResponseItem),
    /// Assistant text.
    OutputTextDelta(String),
    /// Reasoning summary text.
    ReasoningSummaryDelta(String),
    /// Raw reasoning text.
    ReasoningContentDelta(String),
    /// A new reasoning summary part started.
    ReasoningSummaryPartAdded,
    /// An output item is complete.
    OutputItemDone(ResponseItem),
    /// Rate-limit state from the response headers (sent before the body's events).
    RateLimits(RateLimitSnapshot),
    /// The response finished. Always the last event of a successful stream.
    Completed {
        /// The server's response id.
        response_id: String,
        /// Token usage, when reported.
        token_usage: Option<TokenUsage>,
    },
}

/// The events of one model response. Ends after [`ResponseEvent::Completed`] or with an error; a stream that
/// ends without `Completed` yields [`Error::Stream`](crate::Error::Stream) first.
pub type ResponseStream = Pin<Box<dyn Stream<Item = Result<ResponseEvent>> + Send>>;

/// A model behind some API. Object-safe; shared as `Arc<dyn ModelClient>`.
#[async_trait]
pub trait ModelClient: Send + Sync + std::fmt::Debug {
    /// Sends the prompt and returns the response's event stream. Errors before the stream starts (after the
    /// client's own request retries) come back here; errors after come through the stream.
    async fn stream(&self, prompt: &Prompt) -> Result<ResponseStream>;

    /// The provider this client talks to (used for retry settings and tool filtering).
    fn provider(&self) -> &ModelProviderInfo;
}
