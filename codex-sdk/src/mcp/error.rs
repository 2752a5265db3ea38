//! Why an MCP server could not be started or a request to it failed.

use std::time::Duration;

/// An MCP failure. Reaches the client as a startup failure or as a failed tool output; never ends a turn.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// The process could not be spawned, or the connection could not be set up.
    #[error("could not start the server: {0}")]
    Start(String),
    /// The `initialize` handshake failed (the server exited, sent garbage or refused).
    #[error("the server did not initialize: {0}")]
    Initialize(String),
    /// Startup did not finish in time.
    #[error("the server did not start within {} s", .0.as_secs_f64())]
    StartupTimeout(Duration),
    /// A request failed after the server started (protocol error, garbage, closed transport).
    #[error("{0}")]
    Protocol(String),
    /// The server is gone (exited or closed the connection); the next call restarts it.
    #[error("the server exited or closed the connection{0}")]
    Closed(String),
    /// The server refused its credentials (none stored, revoked, or a refresh that failed): log in
    /// again with the command named in the message ([`login`](super::login)).
    #[error("authentication required: run `{login} {0}` to log in", login = super::oauth::LOGIN_COMMAND)]
    AuthRequired(String),
    /// A request got no answer in time.
    #[error("no answer within {} s (tool_timeout_sec)", .0.as_secs_f64())]
    Timeout(Duration),
}

impl McpError {
    /// Adds what the server last wrote to stderr, which usually says why it failed.
    pub(crate) fn with_stderr(self, tail: &str) -> Self {
        let tail = tail.trim();
        if tail.is_empty() {
            return self;
        }
        let note = format!("; its stderr ends with:\n{tail}");
        match self {
            Self::Start(m) => Self::Start(m + &note),
            Self::Initialize(m) => Self::Initialize(m + &note),
            Self::Protocol(m) => Self::Protocol(m + &note),
            Self::Closed(m) => Self::Closed(m + &note),
            other => other,
        }
    }
}
