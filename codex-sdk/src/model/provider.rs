use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::RetryPolicy;

/// Which HTTP API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum WireApi {
    /// `POST {base_url}/responses` (OpenAI Responses API).
    #[default]
    Responses,
    /// `POST {base_url}/chat/completions`.
    Chat,
}

/// An API key. Its `Debug` and `Display` never show the key; it deserializes from a string (host options)
/// and never serializes.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the `Authorization` header. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where and how to reach a model: endpoint, credentials, wire API, retry settings.
///
/// Serializable in the shape of config.toml's `[model_providers.<id>]` tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ModelProviderInfo {
    /// Display name.
    pub name: String,
    /// Base URL, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// Environment variable holding the API key (`OPENAI_API_KEY` for OpenAI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_key: Option<String>,
    /// The API.
    #[serde(default)]
    pub wire_api: WireApi,
    /// Extra headers on every request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub http_headers: BTreeMap<String, String>,
    /// Extra query parameters on every request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query_params: BTreeMap<String, String>,
    /// Retries of a request that failed before streaming (429, 5xx, transport).
    #[serde(default = "default_request_max_retries")]
    pub request_max_retries: u32,
    /// Replays of a request whose stream broke mid-way.
    #[serde(default = "default_stream_max_retries")]
    pub stream_max_retries: u32,
    /// Longest silence on a response stream before it counts as broken, in milliseconds.
    #[serde(default = "default_stream_idle_timeout_ms")]
    pub stream_idle_timeout_ms: u64,
    /// Base delay of the exponential backoff, in milliseconds.
    #[serde(default = "default_retry_base_delay_ms")]
    pub retry_base_delay_ms: u64,
}

fn default_request_max_retries() -> u32 {
    4
}
fn default_stream_max_retries() -> u32 {
    5
}
fn default_stream_idle_timeout_ms() -> u64 {
    300_000
}
fn default_retry_base_delay_ms() -> u64 {
    200
}

impl ModelProviderInfo {
    /// OpenAI's API. `OPENAI_BASE_URL` (read by [`ModelProviderInfo::openai_from_env`]) overrides the URL.
    #[must_use]
    pub fn openai() -> Self {
        Self {
            name: "OpenAI".to_owned(),
            base_url: "https://api.openai.com/v1".to_owned(),
            env_key: Some("OPENAI_API_KEY".to_owned()),
            wire_api: WireApi::Responses,
            http_headers: BTreeMap::new(),
            query_params: BTreeMap::new(),
            request_max_retries: default_request_max_retries(),
            stream_max_retries: default_stream_max_retries(),
            stream_idle_timeout_ms: default_stream_idle_timeout_ms(),
            retry_base_delay_ms: default_retry_base_delay_ms(),
        }
    }

    /// OpenAI's API with `OPENAI_BASE_URL` honoured when set.
    #[must_use]
    pub fn openai_from_env() -> Self {
        let mut p = Self::openai();
        if let Ok(url) = std::env::var("OPENAI_BASE_URL")
            && !url.trim().is_empty()
        {
            p.base_url = url.trim().trim_end_matches('/').to_owned();
        }
        p
    }

    /// A provider at `base_url` speaking `wire_api`, with OpenAI's defaults otherwise and no key variable.
    #[must_use]
    pub fn custom(name: impl Into<String>, base_url: impl Into<String>, wire_api: WireApi) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            env_key: None,
            wire_api,
            ..Self::openai()
        }
    }

    /// Sets the base URL.
    #[must_use]
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets the wire API.
    #[must_use]
    pub fn with_wire_api(mut self, wire_api: WireApi) -> Self {
        self.wire_api = wire_api;
        self
    }

    /// Sets both retry counts.
    #[must_use]
    pub fn with_retries(mut self, request_max_retries: u32, stream_max_retries: u32) -> Self {
        self.request_max_retries = request_max_retries;
        self.stream_max_retries = stream_max_retries;
        self
    }

    /// Sets the stream idle timeout.
    #[must_use]
    pub fn with_stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Sets the backoff base delay.
    #[must_use]
    pub fn with_retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Adds a header sent with every request.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.http_headers.insert(name.into(), value.into());
        self
    }

    /// The API key from `env_key`, if set and non-empty.
    #[must_use]
    pub fn api_key_from_env(&self) -> Option<ApiKey> {
        let var = self.env_key.as_deref()?;
        std::env::var(var)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(|k| ApiKey::new(k.trim()))
    }

    /// The idle timeout as a duration.
    #[must_use]
    pub fn stream_idle_timeout(&self) -> Duration {
        Duration::from_millis(self.stream_idle_timeout_ms)
    }

    /// The retry policy these settings describe.
    #[must_use]
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            request_max_retries: self.request_max_retries,
            stream_max_retries: self.stream_max_retries,
            base_delay: Duration::from_millis(self.retry_base_delay_ms),
        }
    }
}
