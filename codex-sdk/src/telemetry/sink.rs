//! Where events go: the host's [`TelemetrySink`] and, with feature `otel`, an OTLP exporter. The hub is
//! shared by every conversation of a [`Codex`](crate::Codex).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;

use super::event::{REDACTED, TelemetryEvent};

/// Receives every telemetry event as a typed value, already redacted (API keys, bearer tokens, and the
/// prompt unless `[otel] log_user_prompt = true`). Install one with
/// [`CodexBuilder::telemetry`](crate::CodexBuilder::telemetry).
///
/// `record` is called on the conversation's task, in event order: keep it quick (push the event to a
/// channel, a buffer or a counter) — a slow sink slows the turn.
pub trait TelemetrySink: Send + Sync {
    /// One event.
    fn record(&self, event: &TelemetryEvent);

    /// Events this sink dropped instead of delivering (a host that fell behind), reported as
    /// [`TelemetryStats::host_dropped`]. None by default.
    fn dropped(&self) -> u64 {
        0
    }

    /// Waits until every event recorded so far was delivered; [`Codex::shutdown`](crate::Codex::shutdown)
    /// calls it. Ready at once by default.
    fn flush(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::ready(()))
    }
}

impl std::fmt::Debug for dyn TelemetrySink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TelemetrySink")
    }
}

impl<F: Fn(&TelemetryEvent) + Send + Sync> TelemetrySink for F {
    fn record(&self, event: &TelemetryEvent) {
        self(event);
    }
}

/// What telemetry delivery did so far: the exporter's records (all zero without one) and the events the
/// host's sink dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct TelemetryStats {
    /// Records the collector accepted.
    pub exported: u64,
    /// Records dropped because the export queue was full (a slow or unreachable collector).
    pub dropped: u64,
    /// Records whose export failed (the collector refused them or could not be reached).
    pub failed: u64,
    /// Events the host's sink dropped because it fell behind ([`TelemetrySink::dropped`]).
    pub host_dropped: u64,
}

/// The sinks of one `Codex`.
pub(crate) struct TelemetryHub {
    host: Option<Arc<dyn TelemetrySink>>,
    #[cfg(feature = "otel")]
    exporter: Option<super::otlp::OtlpExporter>,
    pub(crate) log_user_prompt: bool,
    pub(crate) terminal_type: String,
}

impl std::fmt::Debug for TelemetryHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelemetryHub")
            .field("host_sink", &self.host.is_some())
            .field("exporter", &self.has_exporter())
            .finish_non_exhaustive()
    }
}

impl TelemetryHub {
    pub(crate) fn new(
        host: Option<Arc<dyn TelemetrySink>>,
        #[cfg(feature = "otel")] exporter: Option<super::otlp::OtlpExporter>,
        log_user_prompt: bool,
    ) -> Self {
        Self {
            host,
            #[cfg(feature = "otel")]
            exporter,
            log_user_prompt,
            terminal_type: terminal_type(),
        }
    }

    fn has_exporter(&self) -> bool {
        #[cfg(feature = "otel")]
        {
            self.exporter.is_some()
        }
        #[cfg(not(feature = "otel"))]
        {
            false
        }
    }

    /// Whether anything listens (otherwise no event is even built).
    pub(crate) fn is_active(&self) -> bool {
        self.host.is_some() || self.has_exporter()
    }

    /// Starts the exporter's background task if it is not running yet (needs the tokio runtime).
    pub(crate) fn start(&self) {
        #[cfg(feature = "otel")]
        if let Some(exporter) = &self.exporter {
            exporter.start();
        }
    }

    pub(crate) fn emit(&self, event: &TelemetryEvent) {
        if let Some(host) = &self.host {
            host.record(event);
        }
        #[cfg(feature = "otel")]
        if let Some(exporter) = &self.exporter {
            exporter.record(event);
        }
    }

    pub(crate) fn stats(&self) -> TelemetryStats {
        #[cfg(feature = "otel")]
        let mut stats = self
            .exporter
            .as_ref()
            .map(super::otlp::OtlpExporter::stats)
            .unwrap_or_default();
        #[cfg(not(feature = "otel"))]
        let mut stats = TelemetryStats::default();
        stats.host_dropped = self.host.as_ref().map_or(0, |host| host.dropped());
        stats
    }

    /// Waits until the host's sink has every event recorded so far, then exports what is queued and stops
    /// the exporter.
    pub(crate) async fn shutdown(&self) -> crate::Result<()> {
        if let Some(host) = &self.host {
            host.flush().await;
        }
        #[cfg(feature = "otel")]
        if let Some(exporter) = &self.exporter {
            return exporter.shutdown().await;
        }
        Ok(())
    }
}

/// Replaces secrets in free text: the given keys anywhere, and whatever follows `Bearer `.
pub(crate) fn redact(text: &mut String, secrets: &[String]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret.as_str()) {
            *text = text.replace(secret.as_str(), REDACTED);
        }
    }
    redact_bearer(text);
}

fn redact_bearer(text: &mut String) {
    const WORD: &str = "bearer ";
    let mut from = 0;
    while let Some(at) = text[from..].to_ascii_lowercase().find(WORD) {
        let start = from + at + WORD.len();
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';'))
            .unwrap_or(text.len() - start);
        from = if len > 0 && &text[start..start + len] != REDACTED {
            text.replace_range(start..start + len, REDACTED);
            start + REDACTED.len()
        } else {
            start + len
        };
    }
}

/// `TERM_PROGRAM` (with its version), else `TERM`, else `unknown`.
fn terminal_type() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match (var("TERM_PROGRAM"), var("TERM_PROGRAM_VERSION")) {
        (Some(program), Some(version)) => format!("{program}/{version}"),
        (Some(program), None) => program,
        _ => var("TERM").unwrap_or_else(|| "unknown".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_bearer_tokens_are_redacted() {
        let mut text = "key sk-abc in Authorization: Bearer tok123, and bearer xyz".to_owned();
        redact(&mut text, &["sk-abc".to_owned()]);
        assert_eq!(
            text,
            "key [REDACTED] in Authorization: Bearer [REDACTED], and bearer [REDACTED]"
        );
        let mut tail = "Bearer".to_owned();
        redact(&mut tail, &[]);
        assert_eq!(tail, "Bearer");
    }
}
