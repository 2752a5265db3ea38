use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::protocol::ErrorCode;

/// A request retry that is about to happen (after `delay`), announced by a model client while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRetry {
    /// This retry's number (1-based).
    pub attempt: u32,
    /// The most retries the provider allows.
    pub max_retries: u32,
    /// How long the client waits before sending again.
    pub delay: Duration,
    /// The classification of the failure.
    pub code: ErrorCode,
    /// The failure, as text (already redacted).
    pub reason: String,
}

impl RequestRetry {
    /// Describes retry number `attempt` of `max_retries`, after `delay`, of a request that failed with `error`.
    #[must_use]
    pub fn new(attempt: u32, max_retries: u32, delay: Duration, error: &Error) -> Self {
        Self {
            attempt,
            max_retries,
            delay,
            code: error.code(),
            reason: error.to_string(),
        }
    }
}

type Observer = Arc<dyn Fn(RequestRetry) + Send + Sync>;

tokio::task_local! {
    static RETRY_OBSERVER: Observer;
}

/// Runs `future` with `observer` receiving every [`RequestRetry`] announced inside it (through
/// [`announce_request_retry`]). The turn loop wraps each model request in this, which is how a host sees a
/// request waiting out a 429 or a 5xx as `StreamError` events instead of silence.
pub async fn observe_request_retries<F: Future>(
    observer: impl Fn(RequestRetry) + Send + Sync + 'static,
    future: F,
) -> F::Output {
    RETRY_OBSERVER.scope(Arc::new(observer), future).await
}

/// Announces a request retry to whoever observes the current task (see [`observe_request_retries`]); does
/// nothing outside an observed request. The built-in clients call this before each back-off; a custom
/// [`ModelClient`](super::ModelClient) with its own retry loop can too.
pub fn announce_request_retry(retry: RequestRetry) {
    let _ = RETRY_OBSERVER.try_with(|observer| observer(retry));
}

/// How often and how long to retry, from a provider's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries of a request that failed before streaming.
    pub request_max_retries: u32,
    /// Replays of a request whose stream broke.
    pub stream_max_retries: u32,
    /// Base delay of the exponential backoff.
    pub base_delay: Duration,
}

impl RetryPolicy {
    /// The delay before retry number `attempt` (1-based): `base × 2^(attempt−1)`, ±10 % jitter.
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(16);
        let base = self.base_delay.as_secs_f64() * f64::from(1u32 << exp);
        Duration::from_secs_f64((base * jitter_factor()).max(0.0))
    }
}

/// A factor in [0.9, 1.1), from the clock's nanoseconds (good enough to spread retries; no RNG dependency).
fn jitter_factor() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // xorshift the nanoseconds so that close timestamps do not give close factors.
    let mut x = u64::from(nanos) | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    #[allow(clippy::cast_precision_loss)]
    let unit = (x % 10_000) as f64 / 10_000.0;
    0.9 + unit * 0.2
}

/// Parses the delay out of a rate-limit message such as "Please try again in 1.5s" or "…in 250ms".
#[must_use]
pub fn parse_retry_after_text(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in")? + "try again in".len();
    let rest = lower[start..].trim_start();
    let number_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let value: f64 = rest[..number_len].parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let unit = rest[number_len..].trim_start();
    let secs = if unit.starts_with("ms") {
        value / 1000.0
    } else if unit.starts_with('s') {
        value
    } else if unit.starts_with('m') {
        value * 60.0
    } else {
        return None;
    };
    Some(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_milliseconds() {
        assert_eq!(
            parse_retry_after_text("Rate limit reached. Please try again in 1.5s. Visit …"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after_text("Please try again in 250ms."),
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse_retry_after_text("try again later"), None);
        assert_eq!(parse_retry_after_text("Please try again in soon"), None);
    }

    #[test]
    fn backoff_doubles_within_jitter() {
        let p = RetryPolicy {
            request_max_retries: 4,
            stream_max_retries: 5,
            base_delay: Duration::from_millis(200),
        };
        for (attempt, nominal) in [(1u32, 200.0f64), (2, 400.0), (3, 800.0)] {
            let ms = p.backoff(attempt).as_secs_f64() * 1000.0;
            assert!(
                ms >= nominal * 0.9 - 1e-6 && ms <= nominal * 1.1 + 1e-6,
                "{attempt}: {ms}"
            );
        }
    }
}
