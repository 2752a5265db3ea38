//! The Chat Completions client (`POST {base_url}/chat/completions`, streamed).

use std::collections::{BTreeMap, VecDeque};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::http::{ErrorDetail, EventMapper, HttpCore, stream_error, stream_failure};
use super::sse::SseEvent;
use super::{
    ApiKey, ModelClient, ModelProviderInfo, Prompt, ResponseEvent, ResponseStream, ToolSpec,
};
use crate::error::Result;
use crate::protocol::{ContentItem, ResponseItem, TokenUsage};

/// A [`ModelClient`] for Chat Completions providers (OpenAI-compatible servers, local models).
///
/// Chat Completions knows only function tools: [`ToolSpec::Custom`] and [`ToolSpec::WebSearch`] are left out
/// of requests, and reasoning, custom-tool and web-search items are left out of the history. Reasoning
/// settings are not sent. A `system` message carries the instructions; consecutive function calls become
/// one assistant message with `tool_calls`; function outputs become `tool` messages.
///
/// The stream emits [`ResponseEvent::Created`] first (after [`ResponseEvent::RateLimits`] if the response
/// has rate-limit headers), assistant text deltas as they come (`reasoning_content` deltas as
/// [`ResponseEvent::ReasoningContentDelta`]), then at `finish_reason` the complete assistant message (when
/// there was text) and one function call per tool call (by index), and at `[DONE]` (or the end of the body
/// after a `finish_reason`) [`ResponseEvent::Completed`] with the usage reported by the server. A body that
/// ends with neither is an [`Error::Stream`](crate::Error::Stream); so is a malformed chunk, an `error`
/// chunk, or a tool call without a name. Request errors and retries are those of
/// [`ResponsesClient`](super::ResponsesClient).
#[derive(Debug, Clone)]
pub struct ChatClient {
    core: HttpCore,
}

impl ChatClient {
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
        let mut body = Map::new();
        body.insert("model".into(), json!(prompt.model));
        body.insert("messages".into(), Value::Array(messages(prompt)));
        body.insert("stream".into(), json!(true));
        body.insert("stream_options".into(), json!({"include_usage": true}));
        let tools: Vec<Value> = prompt
            .tools
            .iter()
            .filter_map(|tool| match tool {
                ToolSpec::Function {
                    name,
                    description,
                    parameters,
                    ..
                } => Some(json!({
                    "type": "function",
                    "function": {"name": name, "description": description, "parameters": parameters},
                })),
                _ => None,
            })
            .collect();
        if !tools.is_empty() {
            body.insert("tools".into(), Value::Array(tools));
        }
        if let Some(limit) = prompt.max_output_tokens {
            body.insert("max_tokens".into(), json!(limit));
        }
        if let Some(schema) = &prompt.output_schema {
            body.insert(
                "response_format".into(),
                json!({"type": "json_schema", "json_schema": {
                    "name": "codex_output_schema",
                    "strict": true,
                    "schema": schema,
                }}),
            );
        }
        Value::Object(body)
    }
}

/// The `messages` array for `prompt`.
fn messages(prompt: &Prompt) -> Vec<Value> {
    let mut out = Vec::with_capacity(prompt.input.len() + 1);
    if !prompt.instructions.is_empty() {
        out.push(json!({"role": "system", "content": prompt.instructions}));
    }
    let mut pending_calls: Vec<Value> = Vec::new();
    for item in &prompt.input {
        if let ResponseItem::FunctionCall {
            name,
            arguments,
            call_id,
            ..
        } = item
        {
            pending_calls.push(json!({
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }));
            continue;
        }
        flush_calls(&mut pending_calls, &mut out);
        match item {
            ResponseItem::Message { role, content, .. } => out.push(message(role, content)),
            ResponseItem::FunctionCallOutput { call_id, output } => out.push(json!({
                "role": "tool",
                "tool_call_id": call_id,
                "content": output.content,
            })),
            _ => {}
        }
    }
    flush_calls(&mut pending_calls, &mut out);
    out
}

fn flush_calls(calls: &mut Vec<Value>, out: &mut Vec<Value>) {
    if !calls.is_empty() {
        out.push(json!({
            "role": "assistant",
            "content": null,
            "tool_calls": std::mem::take(calls),
        }));
    }
}

/// A message: text parts joined; a user message with images becomes an array of `text`/`image_url` parts.
fn message(role: &str, content: &[ContentItem]) -> Value {
    let has_image = content
        .iter()
        .any(|c| matches!(c, ContentItem::InputImage { .. }));
    if role == "user" && has_image {
        let parts: Vec<Value> = content
            .iter()
            .map(|c| match c {
                ContentItem::InputText { text } | ContentItem::OutputText { text } => {
                    json!({"type": "text", "text": text})
                }
                ContentItem::InputImage { image_url } => {
                    json!({"type": "image_url", "image_url": {"url": image_url}})
                }
            })
            .collect();
        return json!({"role": role, "content": parts});
    }
    let text: String = content
        .iter()
        .filter_map(|c| match c {
            ContentItem::InputText { text } | ContentItem::OutputText { text } => {
                Some(text.as_str())
            }
            ContentItem::InputImage { .. } => None,
        })
        .collect();
    json!({"role": role, "content": text})
}

#[async_trait]
impl ModelClient for ChatClient {
    async fn stream(&self, prompt: &Prompt) -> Result<ResponseStream> {
        let body = Self::request_body(prompt);
        let response = self
            .core
            .post("chat/completions", &body, &prompt.conversation_id)
            .await?;
        Ok(self.core.drive(response, ChatMapper::default()))
    }

    fn provider(&self) -> &ModelProviderInfo {
        self.core.provider()
    }
}

/// One `chat.completion.chunk` (only the fields read here).
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    total_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens_details: Option<Value>,
    #[serde(default)]
    completion_tokens_details: Option<Value>,
}

impl From<Usage> for TokenUsage {
    fn from(u: Usage) -> Self {
        let detail = |v: &Option<Value>, key: &str| {
            v.as_ref()
                .and_then(|d| d.get(key))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        TokenUsage {
            input_tokens: u.prompt_tokens,
            cached_input_tokens: detail(&u.prompt_tokens_details, "cached_tokens"),
            output_tokens: u.completion_tokens,
            reasoning_output_tokens: detail(&u.completion_tokens_details, "reasoning_tokens"),
            total_tokens: u
                .total_tokens
                .unwrap_or(u.prompt_tokens.saturating_add(u.completion_tokens)),
        }
    }
}

/// A tool call being assembled from its pieces.
#[derive(Debug, Default)]
struct PartialCall {
    id: Option<String>,
    name: String,
    arguments: String,
}

/// Maps chat chunks to [`ResponseEvent`]s, accumulating text and tool calls until the end.
#[derive(Debug, Default)]
struct ChatMapper {
    response_id: Option<String>,
    text: String,
    calls: BTreeMap<u64, PartialCall>,
    usage: Option<TokenUsage>,
    /// A `finish_reason` arrived and the items were emitted.
    finished: bool,
}

impl ChatMapper {
    fn apply_delta(&mut self, delta: Delta, out: &mut VecDeque<ResponseEvent>) {
        if let Some(text) = delta.reasoning_content.filter(|t| !t.is_empty()) {
            out.push_back(ResponseEvent::ReasoningContentDelta(text));
        }
        if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
            self.text.push_str(&text);
            out.push_back(ResponseEvent::OutputTextDelta(text));
        }
        for (position, piece) in delta.tool_calls.unwrap_or_default().into_iter().enumerate() {
            let index = piece.index.unwrap_or(position as u64);
            let call = self.calls.entry(index).or_default();
            if let Some(id) = piece.id.filter(|id| !id.is_empty()) {
                call.id.get_or_insert(id);
            }
            if let Some(function) = piece.function {
                if let Some(name) = function.name.filter(|n| !n.is_empty())
                    && call.name.is_empty()
                {
                    call.name = name;
                }
                if let Some(arguments) = function.arguments {
                    call.arguments.push_str(&arguments);
                }
            }
        }
    }

    /// Emits the assembled items (once).
    fn finish_items(&mut self, out: &mut VecDeque<ResponseEvent>) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        if !self.text.is_empty() {
            out.push_back(ResponseEvent::OutputItemDone(ResponseItem::assistant_text(
                std::mem::take(&mut self.text),
            )));
        }
        for (index, call) in std::mem::take(&mut self.calls) {
            if call.name.is_empty() {
                return Err(stream_error(format!(
                    "tool call {index} arrived without a function name"
                )));
            }
            let call_id = call
                .id
                .unwrap_or_else(|| format!("call_{}", uuid::Uuid::now_v7().simple()));
            out.push_back(ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
                id: None,
                name: call.name,
                arguments: call.arguments,
                call_id,
            }));
        }
        Ok(())
    }

    fn complete(&mut self, out: &mut VecDeque<ResponseEvent>) -> Result<bool> {
        self.finish_items(out)?;
        out.push_back(ResponseEvent::Completed {
            response_id: self.response_id.take().unwrap_or_default(),
            token_usage: self.usage.take(),
        });
        Ok(true)
    }
}

impl EventMapper for ChatMapper {
    fn start(&mut self, out: &mut VecDeque<ResponseEvent>) {
        out.push_back(ResponseEvent::Created);
    }

    fn on_event(&mut self, sse: SseEvent, out: &mut VecDeque<ResponseEvent>) -> Result<bool> {
        let data = sse.data.trim();
        if data == "[DONE]" {
            return self.complete(out);
        }
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| stream_error(format!("malformed chat completion chunk: {e}")))?;
        if let Some(error) = chunk.error {
            if let Some(message) = error.as_str() {
                return Err(stream_failure(None, Some(message)));
            }
            let detail = ErrorDetail::from_value(&json!({ "error": error }));
            return Err(stream_failure(
                detail.code.as_deref().or(detail.kind.as_deref()),
                detail.message.as_deref(),
            ));
        }
        if self.response_id.is_none() {
            self.response_id = chunk.id.filter(|id| !id.is_empty());
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.into());
        }
        if let Some(choice) = chunk.choices.and_then(|c| c.into_iter().next()) {
            if let Some(delta) = choice.delta {
                self.apply_delta(delta, out);
            }
            if choice.finish_reason.is_some_and(|r| !r.is_empty()) {
                self.finish_items(out)?;
            }
        }
        Ok(false)
    }

    fn on_eof(&mut self, out: &mut VecDeque<ResponseEvent>) -> Result<()> {
        if !self.finished {
            return Err(stream_error(
                "chat completion stream closed before finish_reason or [DONE]",
            ));
        }
        self.complete(out).map(|_| ())
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
