//! The one error type of the SDK, and its projection onto a stable [`ErrorCode`].

use std::time::Duration;

mod transport;

pub use crate::protocol::ErrorCode;
pub use transport::{TransportError, TransportErrorKind};

/// What a secret is replaced with in messages that echo it.
pub(crate) const REDACTED: &str = "<redacted>";

/// Shorthand for `Result<T, codex_sdk::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong. Match on [`Error::code`] for a stable classification; the variants carry the
/// detail and may grow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input no longer fits the model's context window. Never retried.
    #[error("the conversation no longer fits the model's context window: {message}")]
    ContextWindowExceeded {
        /// The server's message.
        message: String,
    },
    /// The account's usage limit or quota is used up. Never retried.
    #[error("usage limit reached: {message}")]
    UsageLimitReached {
        /// The server's message.
        message: String,
    },
    /// No credentials, or the server rejected them.
    #[error("unauthorized (HTTP {status}): {body}")]
    Unauthorized {
        /// HTTP status (0 when no key was configured at all).
        status: u16,
        /// The response body, or why no request was made.
        body: String,
    },
    /// Still rate limited after every retry.
    #[error("rate limited after {attempts} attempts: {body}")]
    RateLimited {
        /// Requests made.
        attempts: u32,
        /// The last response body.
        body: String,
    },
    /// The server answered with an HTTP error that is not retried (or still failed after every retry).
    #[error("HTTP {status}: {body}")]
    Http {
        /// HTTP status.
        status: u16,
        /// The response body.
        body: String,
    },
    /// The response stream went quiet for longer than the idle timeout.
    #[error("no data on the response stream for {0:?}")]
    IdleTimeout(Duration),
    /// The response stream broke. `retry_after` is the delay the server asked for, if any.
    #[error("stream error: {message}")]
    Stream {
        /// What broke.
        message: String,
        /// Server-requested delay before retrying.
        retry_after: Option<Duration>,
    },
    /// No HTTP answer came back (refused, DNS, TLS, timeout, reset): the cause and the host are named.
    #[error("transport error: {0}")]
    Transport(#[source] TransportError),
    /// Bad input from the caller.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A configuration key has a bad value.
    #[error("invalid config value for `{key}`: {message}")]
    Config {
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A rollout does not belong to the conversation named with it; nothing was changed.
    #[error("{path} belongs to conversation {found:?}, not {expected}")]
    RolloutMismatch {
        /// The id the caller named.
        expected: crate::protocol::ConversationId,
        /// The id in the file's session meta (`None` when it has none).
        found: Option<crate::protocol::ConversationId>,
        /// The file.
        path: std::path::PathBuf,
    },
    /// Another worker holds the conversation's lease in a shared rollout store (PostgreSQL): it is live
    /// there, and only one worker may append to it. Retry once that worker is done, or after its lease
    /// expired (a crashed worker's lease does). Its [`code`](Error::code) is `ConversationBusy`.
    #[error("conversation {id} is live in another worker (it holds the conversation's lease)")]
    ConversationBusy {
        /// The conversation.
        id: crate::protocol::ConversationId,
    },
    /// A tool failed fatally (ending the turn).
    #[error("tool `{tool}` failed: {message}")]
    Tool {
        /// The tool's name.
        tool: String,
        /// What went wrong.
        message: String,
    },
    /// A filesystem or process error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// JSON that should have parsed did not.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// The turn or request was interrupted.
    #[error("interrupted")]
    Interrupted,
    /// A turn ended with an error event (what [`Conversation::run`](crate::Conversation::run) returns).
    #[error("{message}")]
    Turn {
        /// The event's code.
        code: ErrorCode,
        /// The event's message.
        message: String,
    },
    /// The conversation is closed: it was shut down, or its task ended.
    #[error("the conversation is closed")]
    Closed,
    /// A [`ReplayModel`](crate::model::ReplayModel) was asked for something its recording does not have.
    /// Never retried.
    #[error("replay diverged from the recording at {0}")]
    ReplayDiverged(Box<crate::model::ReplayDivergence>),
    /// A bug or an unexpected state inside the SDK.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// An error of the kind `code` names, carrying `message` — the variant the SDK itself would produce
    /// for that kind, so retries, token accounting and [`Error::code`] behave as for a real failure. For
    /// scripted failures in tests and for bindings that rebuild an error from its code.
    #[must_use]
    pub fn from_code(code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        match code {
            ErrorCode::ContextWindowExceeded => Self::ContextWindowExceeded { message },
            ErrorCode::UsageLimitReached => Self::UsageLimitReached { message },
            ErrorCode::Unauthorized => Self::Unauthorized {
                status: 401,
                body: message,
            },
            ErrorCode::RateLimited => Self::RateLimited {
                attempts: 1,
                body: message,
            },
            ErrorCode::Stream => Self::Stream {
                message,
                retry_after: None,
            },
            ErrorCode::Http => Self::Http {
                status: 500,
                body: message,
            },
            ErrorCode::InvalidInput => Self::InvalidInput(message),
            ErrorCode::Tool => Self::Tool {
                tool: String::new(),
                message,
            },
            ErrorCode::Io => Self::Io(std::io::Error::other(message)),
            ErrorCode::Interrupted => Self::Interrupted,
            ErrorCode::Closed => Self::Closed,
            ErrorCode::Timeout
            | ErrorCode::Internal
            | ErrorCode::ReplayDiverged
            | ErrorCode::ConversationBusy => Self::Turn { code, message },
        }
    }

    /// The stable classification of this error.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::ContextWindowExceeded { .. } => ErrorCode::ContextWindowExceeded,
            Self::UsageLimitReached { .. } => ErrorCode::UsageLimitReached,
            Self::Unauthorized { .. } => ErrorCode::Unauthorized,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Http { .. } => ErrorCode::Http,
            Self::IdleTimeout(_) => ErrorCode::Timeout,
            Self::Transport(e) if e.kind() == TransportErrorKind::Timeout => ErrorCode::Timeout,
            Self::Stream { .. } | Self::Transport(_) => ErrorCode::Stream,
            Self::InvalidInput(_) | Self::Config { .. } | Self::RolloutMismatch { .. } => {
                ErrorCode::InvalidInput
            }
            Self::ConversationBusy { .. } => ErrorCode::ConversationBusy,
            Self::Tool { .. } => ErrorCode::Tool,
            Self::Io(_) => ErrorCode::Io,
            Self::Json(_) | Self::Internal(_) => ErrorCode::Internal,
            Self::ReplayDiverged(_) => ErrorCode::ReplayDiverged,
            Self::Interrupted => ErrorCode::Interrupted,
            Self::Turn { code, .. } => *code,
            Self::Closed => ErrorCode::Closed,
        }
    }

    /// Whether replaying the request may succeed: broken or idle streams and transport failures are; fatal
    /// answers (context window, usage limits, 4xx, bad input) are not.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Stream { .. } | Self::Transport(_) | Self::IdleTimeout(_)
        )
    }

    /// The same error with every occurrence of `secret` in its text replaced by `<redacted>`. Every error that
    /// may carry text from a server (bodies, in-stream failures, transport details) passes through this before
    /// it leaves the model client, so a server echoing the request's `Authorization` header cannot leak the
    /// key into events, logs or rollouts. Empty secrets change nothing.
    #[must_use]
    pub fn redacted(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let clean = |text: String| {
            if text.contains(secret) {
                text.replace(secret, REDACTED)
            } else {
                text
            }
        };
        match self {
            Self::ContextWindowExceeded { message } => Self::ContextWindowExceeded {
                message: clean(message),
            },
            Self::UsageLimitReached { message } => Self::UsageLimitReached {
                message: clean(message),
            },
            Self::Unauthorized { status, body } => Self::Unauthorized {
                status,
                body: clean(body),
            },
            Self::RateLimited { attempts, body } => Self::RateLimited {
                attempts,
                body: clean(body),
            },
            Self::Http { status, body } => Self::Http {
                status,
                body: clean(body),
            },
            Self::Stream {
                message,
                retry_after,
            } => Self::Stream {
                message: clean(message),
                retry_after,
            },
            Self::Transport(e) => Self::Transport(e.redacted(secret)),
            Self::InvalidInput(message) => Self::InvalidInput(clean(message)),
            Self::Turn { code, message } => Self::Turn {
                code,
                message: clean(message),
            },
            Self::Internal(message) => Self::Internal(clean(message)),
            Self::Tool { tool, message } => Self::Tool {
                tool,
                message: clean(message),
            },
            Self::Io(e) if e.to_string().contains(secret) => {
                Self::Io(std::io::Error::new(e.kind(), clean(e.to_string())))
            }
            other => other,
        }
    }

    /// The delay the server asked for before a retry, if any.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Stream { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<crate::protocol::InvalidCursorError> for Error {
    fn from(e: crate::protocol::InvalidCursorError) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_code_round_trips_every_code() {
        for code in [
            ErrorCode::ContextWindowExceeded,
            ErrorCode::UsageLimitReached,
            ErrorCode::Unauthorized,
            ErrorCode::RateLimited,
            ErrorCode::Timeout,
            ErrorCode::Stream,
            ErrorCode::Http,
            ErrorCode::InvalidInput,
            ErrorCode::Tool,
            ErrorCode::Io,
            ErrorCode::Interrupted,
            ErrorCode::Closed,
            ErrorCode::Internal,
            ErrorCode::ReplayDiverged,
            ErrorCode::ConversationBusy,
        ] {
            assert_eq!(Error::from_code(code, "m").code(), code);
        }
        assert!(Error::from_code(ErrorCode::Stream, "cut").is_retryable());
        assert!(!Error::from_code(ErrorCode::ContextWindowExceeded, "full").is_retryable());
    }
}
