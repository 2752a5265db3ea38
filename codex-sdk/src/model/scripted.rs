//! An offline model that plays a script: for tests, examples and the demo that runs without an API key.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use super::{ModelClient, ModelProviderInfo, Prompt, ResponseEvent, ResponseStream, WireApi};
use crate::error::{Error, Result};
use crate::protocol::{ReasoningSummaryPart, ResponseItem, TokenUsage};

/// One scripted model response: a sequence of output items (streamed as deltas where the real API would),
/// optionally ending in a failure instead of completing.
///
/// ```
/// use codex_sdk::model::ScriptedResponse;
/// use serde_json::json;
///
/// let first = ScriptedResponse::tool_call("read_file", json!({"file_path": "/etc/hostname"}));
/// let second = ScriptedResponse::text("The host is called example.");
/// # let _ = (first, second);
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct ScriptedResponse {
    items: Vec<ResponseItem>,
    usage: Option<TokenUsage>,
    fail_before_start: Option<Error>,
    fail_after_items: Option<Error>,
}

impl ScriptedResponse {
    /// An empty response (add items with the builder methods).
    pub fn new() -> Self {
        Self::default()
    }

    /// A response holding one assistant message.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new().message(text)
    }

    /// A response holding one function call (the call id is generated).
    pub fn tool_call(name: impl Into<String>, arguments: Value) -> Self {
        Self::new().function_call(name, arguments)
    }

    /// A response whose request fails before any event (as an HTTP error would).
    pub fn fail(error: Error) -> Self {
        Self {
            fail_before_start: Some(error),
            ..Self::default()
        }
    }

    /// Adds an assistant message (streamed as word-sized deltas).
    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.items.push(ResponseItem::assistant_text(text));
        self
    }

    /// Adds a reasoning item with one summary part (streamed as deltas).
    pub fn reasoning(mut self, summary: impl Into<String>) -> Self {
        self.items.push(ResponseItem::Reasoning {
            id: None,
            summary: vec![ReasoningSummaryPart::SummaryText {
                text: summary.into(),
            }],
            content: None,
            encrypted_content: None,
        });
        self
    }

    /// Adds a function call with a generated call id.
    pub fn function_call(self, name: impl Into<String>, arguments: Value) -> Self {
        self.raw_function_call(name, arguments.to_string())
    }

    /// Adds a function call whose arguments are sent verbatim (they may be malformed JSON).
    pub fn raw_function_call(
        mut self,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.items.push(ResponseItem::FunctionCall {
            id: None,
            name: name.into(),
            arguments: arguments.into(),
            call_id: format!("call_scripted_{n}"),
        });
        self
    }

    /// Adds any item (emitted as one `OutputItemDone`).
    pub fn item(mut self, item: ResponseItem) -> Self {
        self.items.push(item);
        self
    }

    /// Reports this usage on completion (default: an estimate from the text lengths).
    pub fn usage(mut self, usage: TokenUsage) -> Self {
        self.usage = Some(usage);
        self
    }

    /// After the items, the stream fails with `error` instead of completing.
    pub fn then_fail(mut self, error: Error) -> Self {
        self.fail_after_items = Some(error);
        self
    }

    pub(super) fn into_events(
        self,
        prompt: &Prompt,
    ) -> (Vec<Result<ResponseEvent>>, Option<Error>) {
        if let Some(err) = self.fail_before_start {
            return (Vec::new(), Some(err));
        }
        let mut events = vec![Ok(ResponseEvent::Created)];
        let mut output_chars = 0usize;
        for item in self.items {
            events.push(Ok(ResponseEvent::OutputItemAdded(item.clone())));
            match &item {
                ResponseItem::Message { .. } => {
                    let text = item.message_text().unwrap_or_default();
                    output_chars += text.len();
                    events
                        .extend(split_deltas(&text).map(|d| Ok(ResponseEvent::OutputTextDelta(d))));
                }
                ResponseItem::Reasoning { summary, .. } => {
                    for part in summary {
                        let ReasoningSummaryPart::SummaryText { text } = part;
                        output_chars += text.len();
                        events.push(Ok(ResponseEvent::ReasoningSummaryPartAdded));
                        events.extend(
                            split_deltas(text).map(|d| Ok(ResponseEvent::ReasoningSummaryDelta(d))),
                        );
                    }
                }
                ResponseItem::FunctionCall { arguments, .. } => output_chars += arguments.len(),
                _ => {}
            }
            events.push(Ok(ResponseEvent::OutputItemDone(item)));
        }
        if let Some(err) = self.fail_after_items {
            events.push(Err(err));
            return (events, None);
        }
        let usage = self
            .usage
            .unwrap_or_else(|| estimate_usage(prompt, output_chars));
        events.push(Ok(ResponseEvent::Completed {
            response_id: format!("resp_scripted_{}", prompt.input.len()),
            token_usage: Some(usage),
        }));
        (events, None)
    }
}

/// Splits text into word-sized pieces whose concatenation is the text.
fn split_deltas(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_inclusive(' ').map(str::to_owned)
}

/// Roughly four characters a token, as the demo needs plausible numbers rather than exact ones.
fn estimate_usage(prompt: &Prompt, output_chars: usize) -> TokenUsage {
    let input_chars: usize = prompt.instructions.len()
        + prompt
            .input
            .iter()
            .map(|i| serde_json::to_string(i).map_or(0, |s| s.len()))
            .sum::<usize>();
    let input_tokens = (input_chars / 4) as u64;
    let output_tokens = (output_chars / 4).max(1) as u64;
    TokenUsage {
        input_tokens,
        cached_input_tokens: 0,
        output_tokens,
        reasoning_output_tokens: 0,
        total_tokens: input_tokens + output_tokens,
    }
}

/// A [`ModelClient`] that answers each request with the next [`ScriptedResponse`] and records every prompt.
/// When the script runs out, requests fail with [`Error::Internal`].
#[derive(Debug)]
pub struct ScriptedModel {
    provider: ModelProviderInfo,
    script: Mutex<VecDeque<ScriptedResponse>>,
    prompts: Mutex<Vec<Prompt>>,
    event_delay: Duration,
}

impl ScriptedModel {
    /// A model that will play `responses` in order.
    #[must_use]
    pub fn new(responses: impl IntoIterator<Item = ScriptedResponse>) -> Self {
        Self {
            provider: ModelProviderInfo::custom("scripted", "scripted://", WireApi::Responses)
                .with_retries(0, 0),
            script: Mutex::new(responses.into_iter().collect()),
            prompts: Mutex::new(Vec::new()),
            event_delay: Duration::ZERO,
        }
    }

    /// Waits this long before each event (to make interrupts and backpressure observable).
    #[must_use]
    pub fn with_event_delay(mut self, delay: Duration) -> Self {
        self.event_delay = delay;
        self
    }

    /// Reports this provider (its retry settings drive stream retries in the turn loop).
    #[must_use]
    pub fn with_provider(mut self, provider: ModelProviderInfo) -> Self {
        self.provider = provider;
        self
    }

    /// Appends responses to the script.
    pub fn push(&self, response: ScriptedResponse) {
        lock(&self.script).push_back(response);
    }

    /// Every prompt received so far.
    #[must_use]
    pub fn prompts(&self) -> Vec<Prompt> {
        lock(&self.prompts).clone()
    }

    /// Responses not yet played.
    #[must_use]
    pub fn remaining(&self) -> usize {
        lock(&self.script).len()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait]
impl ModelClient for ScriptedModel {
    async fn stream(&self, prompt: &Prompt) -> Result<ResponseStream> {
        lock(&self.prompts).push(prompt.clone());
        let next = lock(&self.script).pop_front();
        let response = next.ok_or_else(|| {
            Error::Internal("the scripted model has no response left for this request".to_owned())
        })?;
        let (events, fail) = response.into_events(prompt);
        if let Some(err) = fail {
            return Err(err);
        }
        let delay = self.event_delay;
        let stream = futures::stream::iter(events);
        if delay.is_zero() {
            Ok(Box::pin(stream))
        } else {
            use futures::StreamExt;
            Ok(Box::pin(stream.then(move |e| async move {
                tokio::time::sleep(delay).await;
                e
            })))
        }
    }

    fn provider(&self) -> &ModelProviderInfo {
        &self.provider
    }
}
