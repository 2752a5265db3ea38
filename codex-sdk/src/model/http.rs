//! HTTP plumbing shared by [`ResponsesClient`](super::ResponsesClient) and [`ChatClient`](super::ChatClient):
//! the `reqwest` client, request headers, the request retry loop with its error classification, and the
//! driver that turns a server-sent-event body into [`ResponseEvent`]s.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::sse::{SseEvent, sse_events};
use super::{ApiKey, ModelProviderInfo, ResponseEvent, ResponseStream, parse_rate_limit_headers};
use crate::error::{Error, Result, TransportError};
use crate::model::{RequestRetry, announce_request_retry, parse_retry_after_text};
use crate::protocol::ConversationId;

/// Longest server-requested delay (`Retry-After`) honoured before a retry; longer requests are clamped.
const MAX_SERVER_DELAY: Duration = Duration::from_secs(60);
/// Error bodies are cut to this many bytes.
const MAX_ERROR_BODY: usize = 16 * 1024;
/// Connect timeout of the clients built here.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// 429 error codes that mean "out of quota", not "slow down": never retried.
const USAGE_LIMIT_CODES: [&str; 3] = [
    "usage_limit_reached",
    "usage_not_included",
    "insufficient_quota",
];

/// Connection settings and credentials of one model client.
#[derive(Debug, Clone)]
pub(crate) struct HttpCore {
    provider: ModelProviderInfo,
    api_key: Option<ApiKey>,
    originator: String,
    user_agent_suffix: Option<String>,
    /// The client, or why it could not be built (reported on the first request instead of panicking). Built
    /// on the first request, not with the model client: building one loads the system's CA certificates
    /// (~4 ms), which a host that creates a `Codex` and never sends a request should not pay. Clones share it,
    /// and with it the connection pool.
    client: Arc<OnceLock<std::result::Result<reqwest::Client, String>>>,
}

impl HttpCore {
    pub(crate) fn new(
        provider: ModelProviderInfo,
        api_key: Option<ApiKey>,
        originator: String,
    ) -> Self {
        Self {
            provider,
            api_key: api_key.filter(|k| !k.expose().trim().is_empty()),
            originator,
            user_agent_suffix: None,
            client: Arc::default(),
        }
    }

    pub(crate) fn set_user_agent_suffix(&mut self, suffix: String) {
        let suffix = suffix.trim().to_owned();
        self.user_agent_suffix = (!suffix.is_empty()).then_some(suffix);
    }

    pub(crate) fn set_http_client(&mut self, client: reqwest::Client) {
        self.client = Arc::new(OnceLock::from(Ok(client)));
    }

    /// The HTTP client, built on first use.
    fn http_client(&self) -> &std::result::Result<reqwest::Client, String> {
        self.client
            .get_or_init(|| build_client(&self.provider.base_url))
    }

    /// Whether the HTTP client has been built (by a request, or given with `set_http_client`).
    #[cfg(test)]
    pub(crate) fn http_client_built(&self) -> bool {
        self.client.get().is_some()
    }

    pub(crate) fn provider(&self) -> &ModelProviderInfo {
        &self.provider
    }

    /// `<originator>/<version> (<os>; <arch>)`, plus the suffix.
    pub(crate) fn user_agent(&self) -> String {
        let mut ua = format!(
            "{}/{} ({}; {})",
            self.originator,
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        if let Some(suffix) = &self.user_agent_suffix {
            ua.push(' ');
            ua.push_str(suffix);
        }
        ua
    }

    fn url(&self, path: &str) -> Result<reqwest::Url> {
        let base = self.provider.base_url.trim_end_matches('/');
        let mut url =
            reqwest::Url::parse(&format!("{base}/{path}")).map_err(|e| Error::Config {
                key: format!("model_providers.{}.base_url", self.provider.name),
                message: format!("invalid base URL {base:?}: {e}"),
            })?;
        if !self.provider.query_params.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.provider.query_params {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    fn headers(&self, key: &ApiKey, conversation_id: &ConversationId) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("originator", sanitized_value(&self.originator));
        headers.insert(
            reqwest::header::USER_AGENT,
            sanitized_value(&self.user_agent()),
        );
        headers.insert("session_id", sanitized_value(&conversation_id.to_string()));
        for (name, value) in &self.provider.http_headers {
            let config_error = |message: String| Error::Config {
                key: format!("model_providers.{}.http_headers", self.provider.name),
                message,
            };
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| config_error(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| config_error(format!("invalid value for header {name}")))?;
            headers.insert(name, value);
        }
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                Error::Unauthorized {
                    status: 0,
                    body: "the API key contains characters not allowed in an HTTP header"
                        .to_owned(),
                }
            })?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        Ok(headers)
    }

    /// POSTs `body` to `{base_url}/{path}` and returns the first successful response, retrying 429, 5xx and
    /// transport failures as the provider allows (error mapping: see [`ResponsesClient`](super::ResponsesClient)).
    /// Every error is redacted (the API key never appears in it).
    pub(crate) async fn post(
        &self,
        path: &str,
        body: &Value,
        conversation_id: &ConversationId,
    ) -> Result<reqwest::Response> {
        self.post_unredacted(path, body, conversation_id)
            .await
            .map_err(|e| self.redact_error(e))
    }

    /// The response's events (see [`drive`]); errors reported inside the stream are redacted like
    /// [`post`](Self::post)'s.
    pub(crate) fn drive<M: EventMapper>(
        &self,
        response: reqwest::Response,
        mapper: M,
    ) -> ResponseStream {
        let stream = drive(response, self.provider.stream_idle_timeout(), mapper);
        let Some(key) = self.api_key.clone() else {
            return stream;
        };
        Box::pin(stream.map(move |event| event.map_err(|e| e.redacted(key.expose()))))
    }

    fn redact_error(&self, error: Error) -> Error {
        match &self.api_key {
            Some(key) => error.redacted(key.expose()),
            None => error,
        }
    }

    async fn post_unredacted(
        &self,
        path: &str,
        body: &Value,
        conversation_id: &ConversationId,
    ) -> Result<reqwest::Response> {
        let Some(key) = &self.api_key else {
            let hint = self
                .provider
                .env_key
                .as_deref()
                .map(|var| format!(" (set {var})"))
                .unwrap_or_default();
            return Err(Error::Unauthorized {
                status: 0,
                body: format!(
                    "no API key configured for provider {}{hint}",
                    self.provider.name
                ),
            });
        };
        let client = self
            .http_client()
            .as_ref()
            .map_err(|message| Error::Config {
                key: format!("model_providers.{}.base_url", self.provider.name),
                message: message.clone(),
            })?;
        let url = self.url(path)?;
        let headers = self.headers(key, conversation_id)?;
        let body = Bytes::from(serde_json::to_vec(body)?);
        let policy = self.provider.retry_policy();
        let idle = self.provider.stream_idle_timeout();

        // Each attempt is one `codex.api_request` for the conversation whose request this is.
        let telemetry = crate::telemetry::current();
        let mut retries = 0u32;
        loop {
            let started = Instant::now();
            let send = client
                .post(url.clone())
                .headers(headers.clone())
                .body(body.clone())
                .send();
            let sent = tokio::time::timeout(idle, send).await;
            let elapsed = started.elapsed();
            let (mut status, mut cf_ray) = (None, None);
            let outcome = match sent {
                Err(_) => Outcome::Retry {
                    error: Error::IdleTimeout(idle),
                    server_delay: None,
                },
                Ok(Err(e)) => Outcome::Retry {
                    error: Error::Transport(TransportError::new(e, &url)),
                    server_delay: None,
                },
                Ok(Ok(resp)) if resp.status().is_success() => {
                    let ray = header_text(resp.headers(), "cf-ray");
                    let code = Some(resp.status().as_u16());
                    telemetry.api_request(retries + 1, elapsed, code, None, ray.as_deref());
                    return Ok(resp);
                }
                Ok(Ok(resp)) => {
                    status = Some(resp.status().as_u16());
                    cf_ray = header_text(resp.headers(), "cf-ray");
                    self.classify_failure(resp, retries + 1, idle).await
                }
            };
            if telemetry.is_on() {
                let (Outcome::Fatal(error) | Outcome::Retry { error, .. }) = &outcome;
                telemetry.api_request(retries + 1, elapsed, status, Some(error), cf_ray.as_deref());
            }
            match outcome {
                Outcome::Fatal(error) => return Err(error),
                Outcome::Retry { error, .. } if retries >= policy.request_max_retries => {
                    return Err(error);
                }
                Outcome::Retry {
                    error,
                    server_delay,
                } => {
                    retries += 1;
                    let delay = server_delay
                        .map(|d| d.min(MAX_SERVER_DELAY))
                        .unwrap_or_else(|| policy.backoff(retries));
                    let error = self.redact_error(error);
                    announce_request_retry(RequestRetry::new(
                        retries,
                        policy.request_max_retries,
                        delay,
                        &error,
                    ));
                    tracing::warn!(
                        provider = %self.provider.name,
                        retry = retries,
                        max_retries = policy.request_max_retries,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "model request failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Classifies a non-success response. `attempts` is the number of requests made so far.
    async fn classify_failure(
        &self,
        resp: reqwest::Response,
        attempts: u32,
        idle: Duration,
    ) -> Outcome {
        let status = resp.status().as_u16();
        let server_delay = retry_after_header(resp.headers());
        let raw = match tokio::time::timeout(idle, resp.bytes()).await {
            Ok(Ok(bytes)) => bytes,
            _ => Bytes::new(),
        };
        let body = truncate_body(&raw);
        let detail = ErrorDetail::parse(&raw);
        let is_code = |wanted: &str| {
            detail.code.as_deref() == Some(wanted) || detail.kind.as_deref() == Some(wanted)
        };
        let message = || detail.message.clone().unwrap_or_else(|| body.clone());
        match status {
            401 | 403 => Outcome::Fatal(Error::Unauthorized { status, body }),
            429 if USAGE_LIMIT_CODES.iter().any(|c| is_code(c)) => {
                Outcome::Fatal(Error::UsageLimitReached { message: message() })
            }
            429 => Outcome::Retry {
                error: Error::RateLimited { attempts, body },
                server_delay,
            },
            400 if is_code("context_length_exceeded") => {
                Outcome::Fatal(Error::ContextWindowExceeded { message: message() })
            }
            500..=599 => Outcome::Retry {
                error: Error::Http { status, body },
                server_delay,
            },
            _ => Outcome::Fatal(Error::Http { status, body }),
        }
    }
}

enum Outcome {
    /// Give up with this error.
    Fatal(Error),
    /// Retry if allowed; `error` is the result when retries are exhausted.
    Retry {
        error: Error,
        server_delay: Option<Duration>,
    },
}

/// The client for `base_url`, or why none could be built (reported on the first request).
///
/// The default client verifies HTTPS with the platform's trust store, and building it fails when the system
/// has no CA certificates at all (a minimal container). That must not stop a plain-HTTP provider (a local
/// model, a test server): such a system gets a client that trusts no certificate authority — plain HTTP works,
/// and an HTTPS provider gets an error naming the fix instead of an "internal" failure.
fn build_client(base_url: &str) -> std::result::Result<reqwest::Client, String> {
    let builder = || {
        let builder = reqwest::Client::builder().connect_timeout(CONNECT_TIMEOUT);
        // A loopback server (a local model, a test server) is never reached through a proxy from the environment.
        if is_loopback(base_url) {
            builder.no_proxy()
        } else {
            builder
        }
    };
    let error = match builder().build() {
        Ok(client) => return Ok(client),
        Err(e) => e,
    };
    let cause = std::error::Error::source(&error)
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string());
    let is_https = reqwest::Url::parse(base_url).is_ok_and(|u| u.scheme() == "https");
    if is_https {
        return Err(format!(
            "cannot verify HTTPS servers: no usable CA certificates on this system ({cause}); install the \
             system's CA certificates (e.g. the ca-certificates package) or point SSL_CERT_FILE or SSL_CERT_DIR \
             at a CA bundle"
        ));
    }
    builder()
        .tls_certs_only(Vec::new())
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e} ({cause})"))
}

fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A header's value as text, when present and printable.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A header value with bytes that HTTP forbids replaced by `_`.
fn sanitized_value(text: &str) -> HeaderValue {
    let clean: String = text
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '_'
            }
        })
        .collect();
    HeaderValue::from_str(&clean).unwrap_or_else(|_| HeaderValue::from_static("_"))
}

/// The server-requested delay: `retry-after-ms` (milliseconds), else `Retry-After` (seconds or an HTTP date).
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let non_negative = |v: f64| (v.is_finite() && v >= 0.0).then_some(v);
    if let Some(ms) = text("retry-after-ms")
        .and_then(|t| t.parse::<f64>().ok())
        .and_then(non_negative)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0).min(MAX_SERVER_DELAY));
    }
    let value = text("retry-after")?;
    if let Some(secs) = value.parse::<f64>().ok().and_then(non_negative) {
        return Some(Duration::from_secs_f64(
            secs.min(MAX_SERVER_DELAY.as_secs_f64()),
        ));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(
        wait.to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_SERVER_DELAY),
    )
}

/// The body as text, cut at [`MAX_ERROR_BODY`] bytes on a character boundary.
fn truncate_body(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if text.len() <= MAX_ERROR_BODY {
        return text.into_owned();
    }
    let mut end = MAX_ERROR_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// The `error` object of an API error body (`{"error": {"code", "type", "message"}}`), or its top level.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ErrorDetail {
    pub(crate) code: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) message: Option<String>,
}

impl ErrorDetail {
    pub(crate) fn parse(raw: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<Value>(raw) else {
            return Self::default();
        };
        Self::from_value(&value)
    }

    pub(crate) fn from_value(value: &Value) -> Self {
        let obj = value
            .get("error")
            .filter(|e| e.is_object())
            .unwrap_or(value);
        let field = |name: &str| obj.get(name).and_then(Value::as_str).map(str::to_owned);
        Self {
            code: field("code"),
            kind: field("type"),
            message: field("message"),
        }
    }
}

/// The error for a failure reported inside a stream (`response.failed`, a chat `error` chunk).
pub(crate) fn stream_failure(code: Option<&str>, message: Option<&str>) -> Error {
    let message = message.unwrap_or("the model reported a failure").to_owned();
    match code {
        Some("context_length_exceeded") => Error::ContextWindowExceeded { message },
        Some(c) if USAGE_LIMIT_CODES.contains(&c) => Error::UsageLimitReached { message },
        Some("rate_limit_exceeded") => Error::Stream {
            retry_after: parse_retry_after_text(&message),
            message,
        },
        Some(code) => Error::Stream {
            message: format!("{code}: {message}"),
            retry_after: None,
        },
        None => Error::Stream {
            message,
            retry_after: None,
        },
    }
}

/// A [`Error::Stream`] without a server delay.
pub(crate) fn stream_error(message: impl Into<String>) -> Error {
    Error::Stream {
        message: message.into(),
        retry_after: None,
    }
}

/// Turns the server-sent events of one wire API into [`ResponseEvent`]s.
pub(crate) trait EventMapper: Send + 'static {
    /// Events to emit before the body's (after the rate-limit snapshot).
    fn start(&mut self, _out: &mut VecDeque<ResponseEvent>) {}

    /// Handles one event; `Ok(true)` ends the stream after the queued events.
    fn on_event(&mut self, event: SseEvent, out: &mut VecDeque<ResponseEvent>) -> Result<bool>;

    /// The body ended before `on_event` returned `true`.
    fn on_eof(&mut self, out: &mut VecDeque<ResponseEvent>) -> Result<()>;
}

/// The response's events: the rate-limit snapshot from the headers (if any), then the mapper's events.
pub(crate) fn drive<M: EventMapper>(
    response: reqwest::Response,
    idle_timeout: Duration,
    mut mapper: M,
) -> ResponseStream {
    let mut queue = VecDeque::new();
    if let Some(snapshot) = parse_rate_limit_headers(response.headers()) {
        queue.push_back(ResponseEvent::RateLimits(snapshot));
    }
    mapper.start(&mut queue);
    struct State<M> {
        events: std::pin::Pin<Box<dyn futures::Stream<Item = Result<SseEvent>> + Send>>,
        mapper: M,
        queue: VecDeque<ResponseEvent>,
        error: Option<Error>,
        finished: bool,
    }
    let state = State {
        events: Box::pin(sse_events(response.bytes_stream(), idle_timeout)),
        mapper,
        queue,
        error: None,
        finished: false,
    };
    Box::pin(futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(event) = st.queue.pop_front() {
                return Some((Ok(event), st));
            }
            if let Some(error) = st.error.take() {
                return Some((Err(error), st));
            }
            if st.finished {
                return None;
            }
            let step = match st.events.next().await {
                Some(Ok(event)) => st.mapper.on_event(event, &mut st.queue),
                Some(Err(e)) => Err(e),
                None => st.mapper.on_eof(&mut st.queue).map(|()| true),
            };
            match step {
                Ok(done) => st.finished = done,
                Err(e) => {
                    st.finished = true;
                    st.error = Some(e);
                }
            }
        }
    }))
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
