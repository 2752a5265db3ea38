//! Deterministic replay: a [`ModelClient`] that answers from a recorded rollout instead of a server.
//!
//! A rollout records, for every model response, a `token_count` event (the response's usage and the rate
//! limits in force) followed by the items the model produced. [`ReplayModel`] cuts the file into those
//! responses and serves them in order. Before it answers request *n* it checks that the SDK sent what the
//! recording says it sent then — the same model and the same history (item kinds, roles, texts, tool calls
//! and the call ids of tool outputs; the outputs' text is not compared, since shell output carries
//! durations). The first difference ends the request with [`Error::ReplayDiverged`], and
//! [`ReplayModel::divergence`] keeps it for the test to inspect.
//!
//! Not replayed: compaction requests (their summary is recorded as a `compacted` line, not as a response),
//! which diverge.

use std::path::Path;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::Value;

use super::scripted::ScriptedResponse;
use super::{ModelClient, ModelProviderInfo, Prompt, ResponseEvent, ResponseStream, WireApi};
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, EventMsg, RateLimitSnapshot, ResponseItem, TokenUsage};
use crate::rollout::{RolloutContents, RolloutItem, RolloutStore, history_from};

/// Where a replay first differed from its recording.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayDivergence {
    /// The model request (1-based) that differed.
    pub request: usize,
    /// The position in the request's input of the first differing item (`None` when the difference is not
    /// an input item: the model, or a request the recording does not have).
    pub item_index: Option<usize>,
    /// What the recording has there.
    pub expected: String,
    /// What the SDK sent.
    pub found: String,
}

impl std::fmt::Display for ReplayDivergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request {}", self.request)?;
        if let Some(i) = self.item_index {
            write!(f, ", input item {i}")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)
    }
}

/// One recorded model response and what preceded it.
#[derive(Debug)]
struct Step {
    /// The model of the turn it belongs to.
    model: Option<String>,
    /// The history the request sent (the recorded history just before the response).
    input: Vec<ResponseItem>,
    /// What the model produced.
    output: Vec<ResponseItem>,
    usage: Option<TokenUsage>,
    rate_limits: Option<RateLimitSnapshot>,
}

#[derive(Debug, Default)]
struct State {
    next: usize,
    divergence: Option<ReplayDivergence>,
}

/// A [`ModelClient`] serving the model outputs recorded in a rollout, in order, so a recorded conversation
/// re-runs offline with the same tool calls. Each request must carry the model and the history the recording
/// had (item kinds, roles, texts, tool calls and call ids; tool outputs' text is not compared), or it ends with
/// [`Error::ReplayDiverged`]; compaction requests are not replayed.
///
/// ```no_run
/// # async fn demo(path: &std::path::Path) -> codex_sdk::Result<()> {
/// use std::sync::Arc;
/// use codex_sdk::model::ReplayModel;
///
/// let model = Arc::new(ReplayModel::from_rollout(path).await?);
/// let codex = codex_sdk::Codex::builder().model_client(model.clone()).ephemeral().build()?;
/// // … submit the recorded user messages again; then:
/// assert!(model.divergence().is_none() && model.remaining() == 0);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReplayModel {
    provider: ModelProviderInfo,
    steps: Vec<Step>,
    state: Mutex<State>,
}

impl ReplayModel {
    /// Reads the rollout file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read; [`Error::InvalidInput`] when it holds no model response.
    pub async fn from_rollout(path: impl AsRef<Path>) -> Result<Self> {
        let bytes = tokio::fs::read(path.as_ref()).await?;
        Self::from_rollout_bytes(&bytes)
    }

    /// Finds the conversation `id` in `store` (not archived) and reads its rollout.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the store has no such conversation or it holds no model response;
    /// the store's errors otherwise.
    pub async fn from_store(store: &dyn RolloutStore, id: ConversationId) -> Result<Self> {
        let path = store
            .find(id)
            .await?
            .ok_or_else(|| Error::InvalidInput(format!("no recorded conversation {id}")))?;
        Self::from_rollout_bytes(&store.read(&path).await?)
    }

    /// Reads the rollout of conversation `id` from `codex`'s rollout store (its `CODEX_HOME` sessions by
    /// default).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `codex` is ephemeral, has no such conversation, or its rollout holds no
    /// model response; the store's errors otherwise.
    pub async fn from_conversation(codex: &crate::Codex, id: ConversationId) -> Result<Self> {
        let store = codex.inner.store.clone().ok_or_else(|| {
            Error::InvalidInput("this Codex is ephemeral: it recorded nothing to replay".to_owned())
        })?;
        Self::from_store(store.as_ref(), id).await
    }

    /// Parses a rollout's bytes (what a store's `read` returns).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when it holds no model response.
    pub fn from_rollout_bytes(bytes: &[u8]) -> Result<Self> {
        let contents = RolloutContents::parse(bytes);
        let items: Vec<&RolloutItem> = contents.entries.iter().map(|e| &e.item).collect();
        let mut steps: Vec<Step> = Vec::new();
        let mut model = None;
        // Whether the latest step still takes model output (no other item came after its token count).
        let mut open = false;
        for (i, item) in items.iter().enumerate() {
            match item {
                RolloutItem::TurnContext(tc) => {
                    model = Some(tc.model.clone());
                    open = false;
                }
                RolloutItem::EventMsg(EventMsg::TokenCount(count)) => {
                    steps.push(Step {
                        model: model.clone(),
                        input: history_from(items[..i].iter().copied()),
                        output: Vec::new(),
                        usage: count.info.map(|info| info.last_token_usage),
                        rate_limits: count.rate_limits,
                    });
                    open = true;
                }
                RolloutItem::ResponseItem(ri) if open && is_model_output(ri) => {
                    if let Some(step) = steps.last_mut() {
                        step.output.push(ri.clone());
                    }
                }
                RolloutItem::ResponseItem(_) | RolloutItem::Compacted(_) => open = false,
                _ => {}
            }
        }
        if steps.is_empty() {
            return Err(Error::InvalidInput(
                "the rollout records no model response to replay".to_owned(),
            ));
        }
        Ok(Self {
            provider: ModelProviderInfo::custom("replay", "replay://", WireApi::Responses)
                .with_retries(0, 0),
            steps,
            state: Mutex::new(State::default()),
        })
    }

    /// Reports this provider instead (e.g. a Chat Completions one, to replay a Chat recording with the
    /// Chat tool set).
    #[must_use]
    pub fn with_provider(mut self, provider: ModelProviderInfo) -> Self {
        self.provider = provider;
        self
    }

    /// The recorded responses.
    #[must_use]
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there is nothing to replay (never true for a model built from a rollout).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Recorded responses not yet served.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.steps.len().saturating_sub(self.lock().next)
    }

    /// The first divergence, if the replay has diverged.
    #[must_use]
    pub fn divergence(&self) -> Option<ReplayDivergence> {
        self.lock().divergence.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Compares a request with the recorded one; returns the difference.
    fn compare(request: usize, step: &Step, prompt: &Prompt) -> Option<ReplayDivergence> {
        let diverged = |item_index, expected: String, found: String| ReplayDivergence {
            request,
            item_index,
            expected,
            found,
        };
        if let Some(model) = &step.model
            && *model != prompt.model
        {
            return Some(diverged(
                None,
                format!("model {model}"),
                format!("model {}", prompt.model),
            ));
        }
        let expected: Vec<Value> = step.input.iter().filter_map(shape).collect();
        let found: Vec<Value> = prompt.input.iter().filter_map(shape).collect();
        for i in 0..expected.len().max(found.len()) {
            let (e, f) = (expected.get(i), found.get(i));
            if e != f {
                return Some(diverged(Some(i), describe(e), describe(f)));
            }
        }
        None
    }
}

/// Whether the model produced this item (rather than the user or a tool).
fn is_model_output(item: &ResponseItem) -> bool {
    match item {
        ResponseItem::Message { role, .. } => role == "assistant",
        ResponseItem::FunctionCallOutput { .. } | ResponseItem::CustomToolCallOutput { .. } => {
            false
        }
        _ => true,
    }
}

/// What is compared of an input item: its JSON without tool outputs' text (`None`: not sent at all).
fn shape(item: &ResponseItem) -> Option<Value> {
    if matches!(item, ResponseItem::WebSearchCall { .. }) {
        return None;
    }
    let mut value = serde_json::to_value(item).ok()?;
    if matches!(
        item,
        ResponseItem::FunctionCallOutput { .. } | ResponseItem::CustomToolCallOutput { .. }
    ) && let Some(map) = value.as_object_mut()
    {
        map.remove("output");
    }
    Some(value)
}

/// A short description of an input item for a divergence message.
fn describe(value: Option<&Value>) -> String {
    const MAX: usize = 300;
    let Some(value) = value else {
        return "no item".to_owned();
    };
    let text = value.to_string();
    if text.len() <= MAX {
        return text;
    }
    let mut cut = MAX;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

#[async_trait]
impl ModelClient for ReplayModel {
    async fn stream(&self, prompt: &Prompt) -> Result<ResponseStream> {
        let mut state = self.lock();
        if let Some(first) = &state.divergence {
            return Err(Error::ReplayDiverged(Box::new(first.clone())));
        }
        let request = state.next + 1;
        let Some(step) = self.steps.get(state.next) else {
            let divergence = ReplayDivergence {
                request,
                item_index: None,
                expected: format!("no request (the recording has {})", self.steps.len()),
                found: format!("a request with {} input items", prompt.input.len()),
            };
            state.divergence = Some(divergence.clone());
            return Err(Error::ReplayDiverged(Box::new(divergence)));
        };
        if let Some(divergence) = Self::compare(request, step, prompt) {
            state.divergence = Some(divergence.clone());
            return Err(Error::ReplayDiverged(Box::new(divergence)));
        }
        state.next += 1;
        drop(state);
        let mut response = ScriptedResponse::new();
        for item in &step.output {
            response = response.item(item.clone());
        }
        if let Some(usage) = step.usage {
            response = response.usage(usage);
        }
        let (mut events, fail) = response.into_events(prompt);
        if let Some(err) = fail {
            return Err(err);
        }
        if let Some(limits) = &step.rate_limits {
            events.insert(0, Ok(ResponseEvent::RateLimits(*limits)));
        }
        Ok(Box::pin(futures::stream::iter(events)))
    }

    fn provider(&self) -> &ModelProviderInfo {
        &self.provider
    }
}
