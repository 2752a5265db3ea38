//! Feature `otel`: the OTLP exporter. Events become OpenTelemetry log records (event name, timestamp, the
//! catalog's attributes) handed to the SDK's batch processor, which runs on a tokio task and exports over
//! OTLP/HTTP (protobuf or JSON, through the crate's own `reqwest` client) or OTLP/gRPC (tonic).
//!
//! A collector that is slow or unreachable never slows a turn: a record enters the processor only while
//! fewer than [`QUEUE_CAPACITY`] records are waiting; past that it is dropped and counted, and the first
//! drop and the first failed export are each reported once (a `tracing` warning).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::logs::{AnyValue, LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::log_processor_with_async_runtime::BatchLogProcessor;
use opentelemetry_sdk::logs::{
    BatchConfigBuilder, LogBatch, LogExporter, SdkLogger, SdkLoggerProvider,
};

use super::event::{TelemetryEvent, TelemetryValue};
use super::sink::TelemetryStats;
use crate::config::{OtelConfig, OtelExporter, OtelHttpProtocol};
use crate::error::{Error, Result};

/// Records waiting for export (queued or being sent) before new ones are dropped.
pub(crate) const QUEUE_CAPACITY: usize = 2048;
/// Records per export request.
const BATCH_SIZE: usize = 512;
/// How often queued records are exported.
const EXPORT_INTERVAL: Duration = Duration::from_secs(1);
/// The longest one export may take (connect included).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// How records are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    HttpBinary,
    HttpJson,
    Grpc,
}

/// A validated `[otel]` exporter: endpoint, transport, headers (with `${VAR}` expanded) and the resource.
#[derive(Debug, Clone)]
pub(crate) struct OtlpSettings {
    transport: Transport,
    endpoint: String,
    headers: HashMap<String, String>,
    service_name: String,
    environment: String,
}

impl OtlpSettings {
    /// `None` for `exporter = "none"`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the key: an endpoint that is not an `http(s)` URL, a header whose name or
    /// value HTTP forbids, a `${VAR}` that is not set.
    pub(crate) fn from_config(otel: &OtelConfig, service_name: &str) -> Result<Option<Self>> {
        let (transport, endpoint, headers) = match &otel.exporter {
            OtelExporter::OtlpHttp {
                endpoint,
                headers,
                protocol,
            } => {
                let transport = match protocol {
                    OtelHttpProtocol::Json => Transport::HttpJson,
                    _ => Transport::HttpBinary,
                };
                (transport, endpoint, headers)
            }
            OtelExporter::OtlpGrpc { endpoint, headers } => (Transport::Grpc, endpoint, headers),
            _ => return Ok(None),
        };
        let key = match transport {
            Transport::Grpc => "otel.exporter.otlp-grpc",
            _ => "otel.exporter.otlp-http",
        };
        let error = |message: String| Error::Config {
            key: key.to_owned(),
            message,
        };
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| error(format!("invalid endpoint {endpoint:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(error(format!(
                "endpoint {endpoint:?} must be an http:// or https:// URL"
            )));
        }
        let mut expanded = HashMap::new();
        for (name, value) in headers {
            let value = expand_env(value).map_err(|var| {
                error(format!(
                    "header {name}: environment variable {var} is not set"
                ))
            })?;
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| error(format!("invalid header name {name:?}")))?;
            reqwest::header::HeaderValue::from_str(&value)
                .map_err(|_| error(format!("invalid value for header {name}")))?;
            expanded.insert(name.to_ascii_lowercase(), value);
        }
        Ok(Some(Self {
            transport,
            endpoint: endpoint.clone(),
            headers: expanded,
            service_name: service_name.to_owned(),
            environment: otel.environment.clone(),
        }))
    }
}

/// `${NAME}` replaced by the variable's value; `Err(NAME)` when it is not set.
fn expand_env(text: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        let value = std::env::var(name).map_err(|_| name.to_owned())?;
        out.push_str(&rest[..start]);
        out.push_str(&value);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Counts shared by the exporter's front (records in) and the batch processor's exports (records out).
#[derive(Debug, Default)]
struct Gate {
    waiting: AtomicU64,
    exported: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
    warned_drop: AtomicBool,
    warned_failure: AtomicBool,
}

/// The OTLP exporter of one `Codex`: started on first use (it needs the tokio runtime).
pub(crate) struct OtlpExporter {
    settings: OtlpSettings,
    running: OnceLock<Option<Running>>,
    gate: Arc<Gate>,
}

struct Running {
    provider: SdkLoggerProvider,
    logger: SdkLogger,
}

impl OtlpExporter {
    pub(crate) fn new(settings: OtlpSettings) -> Self {
        Self {
            settings,
            running: OnceLock::new(),
            gate: Arc::default(),
        }
    }

    /// Builds the exporter and spawns the batch processor on the current tokio runtime (once).
    pub(crate) fn start(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        self.running.get_or_init(|| match self.launch() {
            Ok(running) => Some(running),
            Err(e) => {
                tracing::warn!(endpoint = %self.settings.endpoint, error = %e, "telemetry export disabled: the OTLP exporter could not be built");
                None
            }
        });
    }

    fn launch(&self) -> std::result::Result<Running, String> {
        let s = &self.settings;
        let exporter = match s.transport {
            Transport::HttpBinary | Transport::HttpJson => {
                let client = reqwest::Client::builder()
                    .connect_timeout(EXPORT_TIMEOUT)
                    .timeout(EXPORT_TIMEOUT)
                    .build()
                    .map_err(|e| e.to_string())?;
                opentelemetry_otlp::LogExporter::builder()
                    .with_http()
                    .with_http_client(client)
                    .with_endpoint(s.endpoint.clone())
                    .with_protocol(if s.transport == Transport::HttpJson {
                        Protocol::HttpJson
                    } else {
                        Protocol::HttpBinary
                    })
                    .with_timeout(EXPORT_TIMEOUT)
                    .with_headers(s.headers.clone())
                    .build()
            }
            Transport::Grpc => {
                let mut metadata = tonic::metadata::MetadataMap::new();
                for (name, value) in &s.headers {
                    let name = tonic::metadata::MetadataKey::from_bytes(name.as_bytes())
                        .map_err(|e| e.to_string())?;
                    let value = value
                        .parse()
                        .map_err(|_| format!("invalid value for {name}"))?;
                    metadata.insert(name, value);
                }
                let mut builder = opentelemetry_otlp::LogExporter::builder()
                    .with_tonic()
                    .with_endpoint(s.endpoint.clone())
                    .with_timeout(EXPORT_TIMEOUT)
                    .with_metadata(metadata);
                if s.endpoint.starts_with("https://") {
                    builder = builder.with_tls_config(
                        tonic::transport::ClientTlsConfig::new().with_native_roots(),
                    );
                }
                builder.build()
            }
        }
        .map_err(|e| e.to_string())?;
        let exporter = CountingExporter {
            inner: exporter,
            gate: Arc::clone(&self.gate),
            endpoint: s.endpoint.clone(),
        };
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(QUEUE_CAPACITY)
            .with_max_export_batch_size(BATCH_SIZE)
            .with_scheduled_delay(EXPORT_INTERVAL)
            .with_max_export_timeout(EXPORT_TIMEOUT)
            .build();
        let processor = BatchLogProcessor::builder(exporter, opentelemetry_sdk::runtime::Tokio)
            .with_batch_config(config)
            .build();
        let resource = Resource::builder_empty()
            .with_service_name(s.service_name.clone())
            .with_attributes([
                KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
                KeyValue::new("env", s.environment.clone()),
            ])
            .build();
        let provider = SdkLoggerProvider::builder()
            .with_resource(resource)
            .with_log_processor(processor)
            .build();
        let logger = provider.logger("codex_sdk");
        Ok(Running { provider, logger })
    }

    pub(crate) fn record(&self, event: &TelemetryEvent) {
        let Some(Some(running)) = self.running.get() else {
            return;
        };
        let gate = &self.gate;
        if gate.waiting.fetch_add(1, Ordering::AcqRel) >= QUEUE_CAPACITY as u64 {
            gate.waiting.fetch_sub(1, Ordering::AcqRel);
            gate.dropped.fetch_add(1, Ordering::Relaxed);
            if !gate.warned_drop.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    endpoint = %self.settings.endpoint,
                    capacity = QUEUE_CAPACITY,
                    "telemetry export queue is full; dropping events (the count is in Codex::telemetry_stats)"
                );
            }
            return;
        }
        let mut record = running.logger.create_log_record();
        record.set_event_name(event.name());
        record.set_timestamp(SystemTime::from(event.timestamp));
        record.set_observed_timestamp(SystemTime::now());
        record.set_severity_number(Severity::Info);
        record.set_severity_text("INFO");
        record.set_body(AnyValue::from(event.name()));
        for (key, value) in event.attributes() {
            let value = match value {
                TelemetryValue::Str(s) => AnyValue::from(s),
                TelemetryValue::Int(i) => AnyValue::Int(i),
            };
            record.add_attribute(key, value);
        }
        running.logger.emit(record);
    }

    pub(crate) fn stats(&self) -> TelemetryStats {
        TelemetryStats {
            exported: self.gate.exported.load(Ordering::Relaxed),
            dropped: self.gate.dropped.load(Ordering::Relaxed),
            failed: self.gate.failed.load(Ordering::Relaxed),
            host_dropped: 0,
        }
    }

    /// Exports everything queued and stops the processor. Waits off the runtime's threads (the SDK blocks
    /// while its task exports).
    pub(crate) async fn shutdown(&self) -> Result<()> {
        let Some(Some(running)) = self.running.get() else {
            return Ok(());
        };
        let provider = running.provider.clone();
        let result = tokio::task::spawn_blocking(move || provider.shutdown())
            .await
            .map_err(|e| Error::Internal(format!("telemetry shutdown: {e}")))?;
        match result {
            Ok(()) | Err(opentelemetry_sdk::error::OTelSdkError::AlreadyShutdown) => Ok(()),
            Err(e) => {
                tracing::warn!(endpoint = %self.settings.endpoint, error = %e, "telemetry export at shutdown failed");
                Ok(())
            }
        }
    }
}

impl Drop for OtlpExporter {
    fn drop(&mut self) {
        // The SDK's own shutdown-on-drop blocks until its task has exported; on a runtime thread that task
        // may never run. Shut down from a plain thread instead (a no-op when already shut down).
        if let Some(Some(running)) = self.running.get() {
            let provider = running.provider.clone();
            let _ = std::thread::Builder::new()
                .name("codex-telemetry-shutdown".to_owned())
                .spawn(move || {
                    let _ = provider.shutdown();
                });
        }
    }
}

/// The OTLP exporter, counting what leaves the queue.
#[derive(Debug)]
struct CountingExporter {
    inner: opentelemetry_otlp::LogExporter,
    gate: Arc<Gate>,
    endpoint: String,
}

impl LogExporter for CountingExporter {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let count = batch.iter().count() as u64;
        // Out of the queue: room for as many new records.
        self.gate.waiting.fetch_sub(count, Ordering::AcqRel);
        // Counted as failed unless the export finishes (the processor drops the future on its timeout).
        let mut outcome = Outcome {
            gate: &self.gate,
            endpoint: &self.endpoint,
            count,
            error: Some("timed out".to_owned()),
        };
        let result = self.inner.export(batch).await;
        outcome.error = result.as_ref().err().map(ToString::to_string);
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Counts one export when it ends (or is abandoned).
struct Outcome<'a> {
    gate: &'a Gate,
    endpoint: &'a str,
    count: u64,
    error: Option<String>,
}

impl Drop for Outcome<'_> {
    fn drop(&mut self) {
        let gate = self.gate;
        match &self.error {
            None => {
                gate.exported.fetch_add(self.count, Ordering::Relaxed);
            }
            Some(error) => {
                gate.failed.fetch_add(self.count, Ordering::Relaxed);
                if !gate.warned_failure.swap(true, Ordering::Relaxed) {
                    tracing::warn!(endpoint = %self.endpoint, error = %error, "telemetry export failed; events are lost until the collector answers");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_expand_environment_variables() {
        let path = std::env::var("PATH").unwrap();
        assert_eq!(expand_env("a ${PATH} b").unwrap(), format!("a {path} b"));
        assert_eq!(expand_env("no vars").unwrap(), "no vars");
        assert_eq!(
            expand_env("${CODEX_SDK_SURELY_UNSET_VAR}").unwrap_err(),
            "CODEX_SDK_SURELY_UNSET_VAR"
        );
    }
}
