//! Transport failures (no HTTP answer at all), named by cause and host.
//!
//! `reqwest` reports every such failure as "error sending request"; the cause sits somewhere down its source
//! chain (an `io::Error` from the socket, a DNS resolver message, a TLS alert). [`TransportError`] walks the
//! chain once, classifies it and keeps the host it was talking to, so a user reads "connection refused by
//! 127.0.0.1:9" instead of a generic message.

use std::error::Error as StdError;
use std::fmt;
use std::io::ErrorKind;

/// Why no HTTP response came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Nothing listens on the address (TCP RST on connect).
    ConnectionRefused,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol, a plain-HTTP server behind an `https` URL).
    Tls,
    /// Connecting or waiting for the response took too long.
    Timeout,
    /// The connection was reset or closed before the response.
    ConnectionReset,
    /// Anything else (the detail says what).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ConnectionRefused => "connection refused",
            Self::Dns => "DNS lookup failed",
            Self::Tls => "TLS handshake failed",
            Self::Timeout => "timed out",
            Self::ConnectionReset => "connection reset",
            Self::Other => "request failed",
        })
    }
}

/// A request that got no HTTP answer: its cause, the host it went to and the underlying error.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    host: String,
    detail: String,
    source: reqwest::Error,
}

impl TransportError {
    /// Classifies `error` (from a request to `url`). The URL itself is not kept — only its host and port —
    /// so credentials in a query string never reach a message.
    #[must_use]
    pub fn new(error: reqwest::Error, url: &reqwest::Url) -> Self {
        let host = match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => "<no host>".to_owned(),
        };
        let error = error.without_url();
        let (kind, detail) = classify(&error);
        Self {
            kind,
            host,
            detail,
            source: error,
        }
    }

    /// Why the request failed.
    #[must_use]
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// `host:port` of the server the request went to.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The lowest-level message of the cause chain (e.g. "Connection refused (os error 111)").
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The underlying `reqwest` error.
    #[must_use]
    pub fn reqwest_error(&self) -> &reqwest::Error {
        &self.source
    }

    pub(crate) fn redacted(mut self, secret: &str) -> Self {
        self.detail = self.detail.replace(secret, super::REDACTED);
        self.host = self.host.replace(secret, super::REDACTED);
        self
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let preposition = match self.kind {
            TransportErrorKind::ConnectionRefused => "by",
            TransportErrorKind::Dns => "for",
            _ => "talking to",
        };
        write!(f, "{} {preposition} {}", self.kind, self.host)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// The kind of failure and the innermost message of `error`'s chain.
fn classify(error: &reqwest::Error) -> (TransportErrorKind, String) {
    let mut chain: Vec<&(dyn StdError + 'static)> = Vec::new();
    let mut next = error.source();
    while let Some(e) = next {
        chain.push(e);
        next = e.source();
    }
    let detail = chain
        .last()
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string());
    let texts: Vec<String> = chain.iter().map(|e| e.to_string().to_lowercase()).collect();
    let mentions = |needles: &[&str]| {
        texts
            .iter()
            .any(|t| needles.iter().any(|needle| t.contains(needle)))
    };
    let io_kind = chain
        .iter()
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let kind = if error.is_timeout() || io_kind == Some(ErrorKind::TimedOut) {
        TransportErrorKind::Timeout
    } else if io_kind == Some(ErrorKind::ConnectionRefused) {
        TransportErrorKind::ConnectionRefused
    } else if mentions(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
    ]) {
        TransportErrorKind::Dns
    } else if mentions(&[
        "tls",
        "certificate",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
    ]) {
        TransportErrorKind::Tls
    } else if matches!(
        io_kind,
        Some(
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
        )
    ) || mentions(&["connection closed", "connection reset"])
    {
        TransportErrorKind::ConnectionReset
    } else {
        TransportErrorKind::Other
    };
    (kind, detail)
}
