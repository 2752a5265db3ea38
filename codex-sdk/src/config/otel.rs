//! `[otel]`: where telemetry would go. Parsed and validated here; nothing exports yet.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `[otel]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OtelConfig {
    /// The deployment environment attached to every record (`dev` by default).
    pub environment: String,
    /// Where records go (nowhere by default).
    pub exporter: OtelExporter,
    /// Whether user prompts are included in logs (redacted by default).
    pub log_user_prompt: bool,
}

impl Default for OtelConfig {
    fn default() -> Self {
        Self {
            environment: "dev".to_owned(),
            exporter: OtelExporter::None,
            log_user_prompt: false,
        }
    }
}

/// `exporter = "none"`, `exporter = { otlp-http = { … } }` or `exporter = { otlp-grpc = { … } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OtelExporter {
    /// No export.
    None,
    /// OTLP over HTTP.
    OtlpHttp {
        /// The collector's URL.
        endpoint: String,
        /// Extra request headers.
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// Body encoding.
        #[serde(default)]
        protocol: OtelHttpProtocol,
    },
    /// OTLP over gRPC.
    OtlpGrpc {
        /// The collector's URL.
        endpoint: String,
        /// Extra request metadata.
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
}

/// The body encoding of OTLP over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OtelHttpProtocol {
    /// Protobuf.
    #[default]
    Binary,
    /// JSON.
    Json,
}
