//! The OpenAI Responses API client (`POST {base_url}/responses`, streamed).

use std::collections::VecDeque;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::http::{EventMapper, HttpCore, stream_error, stream_failure};
use super::sse::SseEvent;
use super::{ApiKey, ModelClient, ModelProviderInfo, Prompt, ResponseEvent, ResponseStream};
use crate::error::Result;
use crate::protocol::{ResponseItem, TokenUsage};

/// A [`ModelClient`] for the Responses API.
///
/// Every request carries the whole history (`store: false`, no `previous_response_id`). Requests that fail
/// before streaming (429, 5xx, transport errors) are retried up to the provider's `request_max_retries`;
/// a stream that breaks later ends with an error the turn loop may retry.
///
/// # Errors before the stream starts (shared with [`ChatClient`](super::ChatClient))
/// - no API key: [`Error::Unauthorized`] `{status: 0}`, nothing is sent;
/// - 401 / 403: [`Error::Unauthorized`], not retried;
/// - 429 whose error code or type is `usage_limit_reached`, `usage_not_included` or `insufficient_quota`:
///   [`Error::UsageLimitReached`], not retried; any other 429: retried, then [`Error::RateLimited`];
/// - 400 with code `context_length_exceeded`: [`Error::ContextWindowExceeded`]; other 4xx: [`Error::Http`];
/// - 5xx: retried, then [`Error::Http`]; transport failures: retried, then [`Error::Transport`]; no response
///   headers within the idle timeout: retried, then [`Error::IdleTimeout`].
///
/// Retries wait for `retry-after-ms` / `Retry-After` (seconds or an HTTP date, at most 60 s) when the server
/// sends one, else [`RetryPolicy::backoff`](super::RetryPolicy::backoff). Error bodies are cut to 16 KiB and
/// never contain the API key.
///
/// # Errors in the stream
/// [`ResponseEvent::RateLimits`] comes first when the response carries `x-codex-*` rate-limit headers.
/// `response.failed` maps `context_length_exceeded` to [`Error::ContextWindowExceeded`],
/// `insufficient_quota` / `usage_limit_reached` to [`Error::UsageLimitReached`], `rate_limit_exceeded` to
/// [`Error::Stream`] with the delay from the message, anything else to [`Error::Stream`]; so do
/// `response.incomplete` and `error` events. Unknown event types and items are skipped; data that is not JSON,
/// a body that ends before `response.completed`, or bad SSE framing is [`Error::Stream`]; silence longer
/// than the provider's idle timeout is [`Error::IdleTimeout`].
///
/// [`Error::Unauthorized`]: crate::Error::Unauthorized
/// [`Error::UsageLimitReached`]: crate::Error::UsageLimitReached
/// [`Error::RateLimited`]: crate::Error::RateLimited
/// [`Error::ContextWindowExceeded`]: crate::Error::ContextWindowExceeded
/// [`Error::Http`]: crate::Error::Http
/// [`Error::Transport`]: crate::Error::Transport
/// [`Error::IdleTimeout`]: crate::Error::IdleTimeout
/// [`Error::Stream`]: crate::Error::Stream
#[derive(Debug, Clone)]
pub struct ResponsesClient {
    core: HttpCore,
}

impl ResponsesClient {
    /// A client for `provider`, authenticating with `api_key` (requests fail with
    /// [`Error::Unauthorized`](crate::Error::Unauthorized) `{status: 0}` when it is `None`). `originator`
    /// names the host application (the `originator` header and the `User-Agent` prefix).
    #[must_use]
    pub fn new(
        provider: ModelProviderInfo,
        api_key: Option<ApiKey>,
        originator: impl Into<String>,
    ) -> Self {
        Self {
            core: HttpCore::new(provider, api_key, originator.into()),
        }
    }

    /// Appends `suffix` to the `User-Agent` header (e.g. the host application's name and version).
    #[must_use]
    pub fn with_user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.core.set_user_agent_suffix(suffix.into());
        self
    }

    /// Uses `client` instead of the one built for this provider (for custom TLS roots, proxies, timeouts).
    #[must_use]
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.core.set_http_client(client);
        self
    }

    /// The `User-Agent` header this client sends.
    #[must_use]
    pub fn user_agent(&self) -> String {
        self.core.user_agent()
    }

    /// The JSON body sent for `prompt`.
    #[must_use]
    pub fn request_body(prompt: &Prompt) -> Value {
        let input: Vec<Value> = prompt
            .input
            .iter()
            .filter_map(|item| serde_json::to_value(item).ok())
            .collect();
        let tools: Vec<Value> = prompt
            .tools
            .iter()
            .filter_map(|tool| serde_json::to_value(tool).ok())
            .collect();
        // Only models that reason accept a reasoning block: a leftover effort must not get a request to
        // another model rejected.
        let send_reasoning = prompt.reasoning;
        let mut body = Map::new();
        body.insert("model".into(), json!(prompt.model));
        body.insert("instructions".into(), json!(prompt.instructions));
        body.insert("input".into(), Value::Array(input));
        body.insert("tools".into(), Value::Array(tools));
        body.insert("tool_choice".into(), json!("auto"));
        body.insert(
            "parallel_tool_calls".into(),
            json!(prompt.parallel_tool_calls),
        );
        if send_reasoning {
            let mut reasoning = Map::new();
            if let Some(effort) = prompt.effort {
                reasoning.insert("effort".into(), json!(effort));
            }
            reasoning.insert("summary".into(), json!(prompt.summary));
            body.insert("reasoning".into(), Value::Object(reasoning));
        }
        body.insert("store".into(), json!(false));
        body.insert("stream".into(), json!(true));
        let include: &[&str] = if send_reasoning {
            &["reasoning.encrypted_content"]
        } else {
            &[]
        };
        body.insert("include".into(), json!(include));
        body.insert(
            "prompt_cache_key".into(),
            json!(prompt.conversation_id.to_string()),
        );
        let mut text = Map::new();
        if let Some(verbosity) = prompt.verbosity {
            text.insert("verbosity".into(), json!(verbosity));
        }
        if let Some(schema) = &prompt.output_schema {
            text.insert(
                "format".into(),
                json!({
                    "type": "json_schema",
                    "name": "codex_output_schema",
                    "strict": true,
                    "schema": schema,
                }),
            );
        }
        if !text.is_empty() {
            body.insert("text".into(), Value::Object(text));
        }
        if let Some(limit) = prompt.max_output_tokens {
            body.insert("max_output_tokens".into(), json!(limit));
        }
        Value::Object(body)
    }
}

#[async_trait]
impl ModelClient for ResponsesClient {
    async fn stream(&self, prompt: &Prompt) -> Result<ResponseStream> {
        let body = Self::request_body(prompt);
        let response = self
            .core
            .post("responses", &body, &prompt.conversation_id)
            .await?;
        Ok(self.core.drive(response, ResponsesMapper))
    }

    fn provider(&self) -> &ModelProviderInfo {
        self.core.provider()
    }
}

/// One Responses API stream event (only the fields read here).
#[derive(Debug, Deserialize)]
struct WireEvent {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    delta: Option<String>,
    #[serde(default)]
    item: Option<Value>,
    #[serde(default)]
    response: Option<WireResponse>,
}

#[derive(Debug, Default, Deserialize)]
struct WireResponse {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    incomplete_details: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    input_tokens_details: Option<WireInputDetails>,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    output_tokens_details: Option<WireOutputDetails>,
    #[serde(default)]
    total_tokens: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
struct WireInputDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
struct WireOutputDetails {
    #[serde(default)]
    reasoning_tokens: Option<u64>,
}

impl From<WireUsage> for TokenUsage {
    fn from(u: WireUsage) -> Self {
        TokenUsage {
            input_tokens: u.input_tokens,
            cached_input_tokens: u
                .input_tokens_details
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
            output_tokens: u.output_tokens,
            reasoning_output_tokens: u
                .output_tokens_details
                .and_then(|d| d.reasoning_tokens)
                .unwrap_or(0),
            total_tokens: u
                .total_tokens
                .unwrap_or(u.input_tokens.saturating_add(u.output_tokens)),
        }
    }
}

/// Event types this client understands (an SSE `event:` name outside this list is skipped unparsed).
const KNOWN_EVENTS: [&str; 11] = [
    "response.created",
    "response.output_item.added",
    "response.output_text.delta",
    "response.reasoning_summary_text.delta",
    "response.reasoning_text.delta",
    "response.reasoning_summary_part.added",
    "response.output_item.done",
    "response.completed",
    "response.failed",
    "response.incomplete",
    "error",
];

/// Maps Responses API events to [`ResponseEvent`]s.
struct ResponsesMapper;

impl ResponsesMapper {
    fn delta(event: &WireEvent, kind: &str) -> Result<String> {
        event
            .delta
            .clone()
            .ok_or_else(|| stream_error(format!("{kind} event without a delta")))
    }
}

impl EventMapper for ResponsesMapper {
    fn on_event(&mut self, sse: SseEvent, out: &mut VecDeque<ResponseEvent>) -> Result<bool> {
        if let Some(name) = sse.event.as_deref()
            && !KNOWN_EVENTS.contains(&name)
        {
            return Ok(false);
        }
        let event: WireEvent = serde_json::from_str(&sse.data).map_err(|e| {
            stream_error(format!(
                "malformed {} event: {e}",
                sse.event.as_deref().unwrap_or("server-sent")
            ))
        })?;
        let kind = event.kind.clone().or(sse.event).unwrap_or_default();
        match kind.as_str() {
            "response.created" => out.push_back(ResponseEvent::Created),
            "response.output_text.delta" => {
                out.push_back(ResponseEvent::OutputTextDelta(Self::delta(&event, &kind)?));
            }
            "response.reasoning_summary_text.delta" => {
                out.push_back(ResponseEvent::ReasoningSummaryDelta(Self::delta(
                    &event, &kind,
                )?));
            }
            "response.reasoning_text.delta" => {
                out.push_back(ResponseEvent::ReasoningContentDelta(Self::delta(
                    &event, &kind,
                )?));
            }
            "response.reasoning_summary_part.added" => {
                out.push_back(ResponseEvent::ReasoningSummaryPartAdded);
            }
            "response.output_item.added" => {
                // Announcements are informational: an item this SDK cannot read is skipped.
                match event.item.map(serde_json::from_value::<ResponseItem>) {
                    Some(Ok(ResponseItem::Other(_))) => {}
                    Some(Ok(item)) => out.push_back(ResponseEvent::OutputItemAdded(item)),
                    Some(Err(e)) => tracing::debug!("skipping unreadable output_item.added: {e}"),
                    None => {}
                }
            }
            "response.output_item.done" => {
                let item = event
                    .item
                    .ok_or_else(|| stream_error("response.output_item.done without an item"))?;
                let item: ResponseItem = serde_json::from_value(item)
                    .map_err(|e| stream_error(format!("malformed output item: {e}")))?;
                out.push_back(ResponseEvent::OutputItemDone(item));
            }
            "response.completed" => {
                let response = event
                    .response
                    .ok_or_else(|| stream_error("response.completed without a response"))?;
                out.push_back(ResponseEvent::Completed {
                    response_id: response.id.unwrap_or_default(),
                    token_usage: response.usage.map(TokenUsage::from),
                });
                return Ok(true);
            }
            "response.failed" => {
                let error = event.response.and_then(|r| r.error).unwrap_or(Value::Null);
                return Err(failure(&error));
            }
            "error" => {
                let value: Value = serde_json::from_str(&sse.data).unwrap_or(Value::Null);
                return Err(failure(&value));
            }
            "response.incomplete" => {
                let reason = event
                    .response
                    .and_then(|r| r.incomplete_details)
                    .and_then(|d| d.get("reason").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_else(|| "unknown".to_owned());
                return Err(stream_error(format!(
                    "incomplete response returned, reason: {reason}"
                )));
            }
            _ => {}
        }
        Ok(false)
    }

    fn on_eof(&mut self, _out: &mut VecDeque<ResponseEvent>) -> Result<()> {
        Err(stream_error("stream closed before response.completed"))
    }
}

fn failure(error: &Value) -> crate::Error {
    let detail = super::http::ErrorDetail::from_value(error);
    stream_failure(
        detail.code.as_deref().or(detail.kind.as_deref()),
        detail.message.as_deref(),
    )
}

#[cfg(test)]
#[path = "responses_tests.rs"]
mod tests;
