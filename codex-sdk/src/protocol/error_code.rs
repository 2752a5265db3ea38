use serde::{Deserialize, Serialize};

/// A small, stable classification of every failure, for hosts to branch on.
///
/// [`crate::Error::code`] projects the rich error onto this enum; the terminal
/// [`ErrorEvent`](super::ErrorEvent) carries it; each binding maps it to one host exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input no longer fits the model's context window.
    ContextWindowExceeded,
    /// The account's usage limit or quota is used up; retrying will not help.
    UsageLimitReached,
    /// The credentials were missing or rejected (HTTP 401/403).
    Unauthorized,
    /// Still rate limited after every retry.
    RateLimited,
    /// A request or an idle stream timed out.
    Timeout,
    /// The response stream broke: dropped connection, malformed SSE, `response.failed`.
    Stream,
    /// The server answered with another HTTP error.
    Http,
    /// Bad input from the caller (an unreadable image, an invalid id, a bad config value).
    InvalidInput,
    /// A tool failed fatally.
    Tool,
    /// A filesystem or process error.
    Io,
    /// The turn or request was interrupted.
    Interrupted,
    /// The conversation is closed.
    Closed,
    /// A bug or an unexpected state inside the SDK.
    Internal,
    /// A replayed conversation (`ReplayModel`) sent the model something its recording does not have; the
    /// message names the first difference.
    ReplayDiverged,
    /// The conversation is live in another worker, which holds its lease (a shared rollout store such as
    /// PostgreSQL); retry once that worker is done or its lease has expired.
    ConversationBusy,
}

impl ErrorCode {
    /// The snake_case name used on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ContextWindowExceeded => "context_window_exceeded",
            Self::UsageLimitReached => "usage_limit_reached",
            Self::Unauthorized => "unauthorized",
            Self::RateLimited => "rate_limited",
            Self::Timeout => "timeout",
            Self::Stream => "stream",
            Self::Http => "http",
            Self::InvalidInput => "invalid_input",
            Self::Tool => "tool",
            Self::Io => "io",
            Self::Interrupted => "interrupted",
            Self::Closed => "closed",
            Self::Internal => "internal",
            Self::ReplayDiverged => "replay_diverged",
            Self::ConversationBusy => "conversation_busy",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
