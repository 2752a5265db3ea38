//! Errors: the one place that maps [`codex_sdk::Error`] onto the host's error type.
//!
//! [`CodexError`] has one case per [`ErrorCode`], each carrying the message (the error's text followed by its
//! source chain, so the cause is kept). Swift sees an `enum CodexError: Error` to `switch` over.

use std::error::Error as _;

use codex_sdk::{Error, ErrorCode};

/// Every failure of the SDK, one case per stable error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CodexError {
    /// The input no longer fits the model's context window.
    #[error("{message}")]
    ContextWindowExceeded {
        /// What happened, with its causes.
        message: String,
    },
    /// The account's usage limit or quota is used up; retrying will not help.
    #[error("{message}")]
    UsageLimitReached {
        /// What happened, with its causes.
        message: String,
    },
    /// The credentials were missing or rejected.
    #[error("{message}")]
    Unauthorized {
        /// What happened, with its causes.
        message: String,
    },
    /// Still rate limited after every retry.
    #[error("{message}")]
    RateLimited {
        /// What happened, with its causes.
        message: String,
    },
    /// A request or an idle stream timed out.
    #[error("{message}")]
    Timeout {
        /// What happened, with its causes.
        message: String,
    },
    /// The response stream broke.
    #[error("{message}")]
    Stream {
        /// What happened, with its causes.
        message: String,
    },
    /// The server answered with another HTTP error.
    #[error("{message}")]
    Http {
        /// What happened, with its causes.
        message: String,
    },
    /// Bad input from the caller.
    #[error("{message}")]
    InvalidInput {
        /// What happened, with its causes.
        message: String,
    },
    /// A tool failed fatally.
    #[error("{message}")]
    Tool {
        /// What happened, with its causes.
        message: String,
    },
    /// A filesystem or process error.
    #[error("{message}")]
    Io {
        /// What happened, with its causes.
        message: String,
    },
    /// The turn or request was interrupted.
    #[error("{message}")]
    Interrupted {
        /// What happened, with its causes.
        message: String,
    },
    /// The conversation is closed.
    #[error("{message}")]
    Closed {
        /// What happened, with its causes.
        message: String,
    },
    /// A bug or an unexpected state inside the SDK (or a host callback that failed unexpectedly).
    #[error("{message}")]
    Internal {
        /// What happened, with its causes.
        message: String,
    },
    /// A replayed conversation sent the model something its recording does not have (the message names
    /// the first difference).
    #[error("{message}")]
    ReplayDiverged {
        /// What happened, with its causes.
        message: String,
    },
    /// The conversation is live in another worker (a shared rollout store holds its lease); retry later.
    #[error("{message}")]
    ConversationBusy {
        /// What happened, with its causes.
        message: String,
    },
}

impl CodexError {
    /// The error for `code` with `message`.
    pub(crate) fn new(code: ErrorCode, message: String) -> Self {
        match code {
            ErrorCode::ContextWindowExceeded => Self::ContextWindowExceeded { message },
            ErrorCode::UsageLimitReached => Self::UsageLimitReached { message },
            ErrorCode::Unauthorized => Self::Unauthorized { message },
            ErrorCode::RateLimited => Self::RateLimited { message },
            ErrorCode::Timeout => Self::Timeout { message },
            ErrorCode::Stream => Self::Stream { message },
            ErrorCode::Http => Self::Http { message },
            ErrorCode::InvalidInput => Self::InvalidInput { message },
            ErrorCode::Tool => Self::Tool { message },
            ErrorCode::Io => Self::Io { message },
            ErrorCode::Interrupted => Self::Interrupted { message },
            ErrorCode::Closed => Self::Closed { message },
            ErrorCode::ReplayDiverged => Self::ReplayDiverged { message },
            ErrorCode::ConversationBusy => Self::ConversationBusy { message },
            // `ErrorCode` is non-exhaustive; the proof suite checks that every code has its own case.
            _ => Self::Internal { message },
        }
    }

    /// A bug or an unexpected state in the binding.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal {
            message: message.into(),
        }
    }

    /// Bad input from the host (a value that does not parse).
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput {
            message: message.into(),
        }
    }
}

impl From<Error> for CodexError {
    fn from(err: Error) -> Self {
        let mut message = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::new(err.code(), message)
    }
}

/// A host callback (tool, approval handler, listener) failed in a way its signature does not declare: in
/// Swift, it threw an error of another type.
impl From<uniffi::UnexpectedUniFFICallbackError> for CodexError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::internal(format!("host callback failed: {}", err.reason))
    }
}
