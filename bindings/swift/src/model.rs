//! The core's offline models, for tests and demos without an API key: a scripted one, and one replaying
//! a recorded conversation.

use std::sync::Arc;

use codex_sdk::model::{ModelClient, ScriptedModelSpec, ScriptedStep};

use crate::error::CodexError;

/// One step of a scripted model response.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScriptedItem {
    /// An assistant message (streamed as word-sized deltas).
    Message {
        /// The text.
        text: String,
    },
    /// A reasoning summary (streamed as deltas).
    Reasoning {
        /// The summary.
        summary: String,
    },
    /// A function call; `arguments` is the JSON text the model sends (it may be malformed).
    FunctionCall {
        /// The tool's name.
        name: String,
        /// The arguments.
        arguments: String,
    },
}

/// One scripted model response: its items, in order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScriptedResponse {
    /// What the model outputs.
    pub items: Vec<ScriptedItem>,
}

impl ScriptedResponse {
    /// Its steps in the core's script (`ScriptedModelSpec`), which builds the model.
    fn steps(self) -> Vec<ScriptedStep> {
        let step = |item: ScriptedItem| match item {
            ScriptedItem::Message { text } => ScriptedStep::Message { text },
            ScriptedItem::Reasoning { summary } => ScriptedStep::Reasoning { text: summary },
            ScriptedItem::FunctionCall { name, arguments } => {
                ScriptedStep::RawFunctionCall { name, arguments }
            }
        };
        self.items.into_iter().map(step).collect()
    }
}

/// An offline model that answers each request with the next scripted response (and fails with an
/// `internal` error when the script has run out).
#[derive(Debug, uniffi::Object)]
pub struct ScriptedModel {
    inner: Arc<codex_sdk::model::ScriptedModel>,
}

impl ScriptedModel {
    /// The core client.
    pub(crate) fn client(&self) -> Arc<dyn ModelClient> {
        self.inner.clone()
    }
}

#[uniffi::export]
impl ScriptedModel {
    /// A model that plays `responses` in order, waiting `event_delay_ms` before each stream event.
    #[uniffi::constructor(default(event_delay_ms = None))]
    pub fn new(responses: Vec<ScriptedResponse>, event_delay_ms: Option<u64>) -> Arc<Self> {
        let responses = responses.into_iter().map(ScriptedResponse::steps).collect();
        let spec = ScriptedModelSpec {
            responses,
            event_delay_ms,
        };
        Arc::new(Self {
            inner: Arc::new(spec.build()),
        })
    }

    /// Appends a response to the script.
    pub fn push(&self, response: ScriptedResponse) {
        self.inner.push(response.steps().into_iter().collect());
    }

    /// Responses not played yet.
    pub fn remaining(&self) -> u64 {
        self.inner.remaining() as u64
    }

    /// How many requests the model has received.
    pub fn request_count(&self) -> u64 {
        self.inner.prompts().len() as u64
    }
}

/// A model replaying the responses recorded in a rollout, in order, so a recorded conversation re-runs
/// offline with the same tool calls. The first request that differs from the recording fails its turn with
/// `replayDiverged`, naming the difference.
#[derive(Debug, uniffi::Object)]
pub struct ReplayModel {
    inner: Arc<codex_sdk::model::ReplayModel>,
}

impl ReplayModel {
    pub(crate) fn new(model: codex_sdk::model::ReplayModel) -> Arc<Self> {
        Arc::new(Self {
            inner: Arc::new(model),
        })
    }

    /// The core client.
    pub(crate) fn client(&self) -> Arc<dyn ModelClient> {
        self.inner.clone()
    }
}

#[uniffi::export]
impl ReplayModel {
    /// Replays the rollout file at `path` (the recorded conversation's `rollout_path`). Fails with `io`
    /// when it cannot be read, `invalidInput` when it holds no model response.
    #[uniffi::constructor]
    pub fn from_rollout(path: String) -> Result<Arc<Self>, CodexError> {
        let bytes = std::fs::read(path).map_err(codex_sdk::Error::Io)?;
        Ok(Self::new(
            codex_sdk::model::ReplayModel::from_rollout_bytes(&bytes)?,
        ))
    }

    /// Recorded responses not served yet.
    pub fn remaining(&self) -> u64 {
        self.inner.remaining() as u64
    }

    /// Where the replay first differed from its recording (`nil` while it matches).
    pub fn divergence(&self) -> Option<String> {
        self.inner.divergence().map(|d| d.to_string())
    }
}
