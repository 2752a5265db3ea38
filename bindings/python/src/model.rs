//! The core's offline models: `ScriptedModel([ScriptedResponse.text("Hi")])`, and `ReplayModel`, which
//! replays a recorded conversation.
//!
//! `ScriptedResponse` is an immutable builder (each method returns a new one) that records the steps of the
//! core's builder and replays them when the model is created.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use codex_sdk::ErrorCode;
use codex_sdk::model::ScriptedResponse as CoreResponse;
use codex_sdk::protocol::{ResponseItem, TokenUsage};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::Value;

use crate::codex::{Codex, parse_id};
use crate::error::{BindingError, core_error_to_py, to_py};
use crate::event_loop::{Awaitable, future_into_py};
use crate::events::{JsonValue, from_json};

/// One step of the core's `ScriptedResponse` builder.
#[derive(Clone, Debug)]
enum Step {
    Message(String),
    Reasoning(String),
    FunctionCall(String, String),
    Item(ResponseItem),
    Usage(TokenUsage),
    Fail(ErrorCode, String),
    ThenFail(ErrorCode, String),
}

/// One scripted model response.
#[pyclass(frozen, module = "codex_sdk._native")]
#[derive(Clone, Debug, Default)]
pub(crate) struct ScriptedResponse {
    steps: Vec<Step>,
}

impl ScriptedResponse {
    fn with(&self, step: Step) -> Self {
        let mut next = self.clone();
        next.steps.push(step);
        next
    }

    fn build(&self) -> CoreResponse {
        self.steps
            .iter()
            .cloned()
            .fold(CoreResponse::new(), |response, step| match step {
                Step::Message(text) => response.message(text),
                Step::Reasoning(text) => response.reasoning(text),
                Step::FunctionCall(name, arguments) => response.raw_function_call(name, arguments),
                Step::Item(item) => response.item(item),
                Step::Usage(usage) => response.usage(usage),
                Step::Fail(code, message) => {
                    CoreResponse::fail(codex_sdk::Error::from_code(code, message))
                }
                Step::ThenFail(code, message) => {
                    response.then_fail(codex_sdk::Error::from_code(code, message))
                }
            })
    }
}

#[pymethods]
impl ScriptedResponse {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// A response holding one assistant message.
    #[staticmethod]
    fn text(text: String) -> Self {
        Self::default().with(Step::Message(text))
    }

    /// A response holding one function call; `arguments` is the JSON text the model sends.
    #[staticmethod]
    fn tool_call(name: String, arguments: String) -> Self {
        Self::default().with(Step::FunctionCall(name, arguments))
    }

    /// A response whose request fails before any event, with an error of this `ErrorCode`.
    #[staticmethod]
    fn failure(code: &str, message: String) -> PyResult<Self> {
        Ok(Self::default().with(Step::Fail(parse_code(code)?, message)))
    }

    /// Adds an assistant message (streamed as word-sized deltas).
    fn message(&self, text: String) -> Self {
        self.with(Step::Message(text))
    }

    /// Adds a reasoning summary.
    fn reasoning(&self, summary: String) -> Self {
        self.with(Step::Reasoning(summary))
    }

    /// Adds a function call; `arguments` is the JSON text the model sends (it may be malformed).
    fn function_call(&self, name: String, arguments: String) -> Self {
        self.with(Step::FunctionCall(name, arguments))
    }

    /// Adds any item (JSON `ResponseItem`).
    fn item(&self, py: Python<'_>, item: &str) -> PyResult<Self> {
        let item = from_json("item", item).map_err(|e: BindingError| e.into_pyerr(py))?;
        Ok(self.with(Step::Item(item)))
    }

    /// Reports this usage (JSON `TokenUsage`) on completion.
    fn usage(&self, py: Python<'_>, usage: &str) -> PyResult<Self> {
        let usage = from_json("usage", usage).map_err(|e: BindingError| e.into_pyerr(py))?;
        Ok(self.with(Step::Usage(usage)))
    }

    /// After the items, the stream fails with an error of this `ErrorCode`.
    fn then_fail(&self, code: &str, message: String) -> PyResult<Self> {
        Ok(self.with(Step::ThenFail(parse_code(code)?, message)))
    }
}

fn parse_code(code: &str) -> PyResult<ErrorCode> {
    serde_json::from_value(Value::String(code.to_owned()))
        .map_err(|_| PyValueError::new_err(format!("unknown error code {code:?}")))
}

/// An offline model playing a script of responses, one per model request.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct ScriptedModel {
    inner: Arc<codex_sdk::model::ScriptedModel>,
}

impl ScriptedModel {
    /// The core client.
    pub(crate) fn client(&self) -> Arc<dyn codex_sdk::model::ModelClient> {
        self.inner.clone()
    }
}

#[pymethods]
impl ScriptedModel {
    #[new]
    #[pyo3(signature = (responses = Vec::new(), event_delay = None))]
    fn new(
        responses: Vec<PyRef<'_, ScriptedResponse>>,
        event_delay: Option<f64>,
    ) -> PyResult<Self> {
        let mut model = codex_sdk::model::ScriptedModel::new(responses.iter().map(|r| r.build()));
        if let Some(delay) = event_delay {
            let delay = Duration::try_from_secs_f64(delay)
                .map_err(|e| PyValueError::new_err(format!("event_delay: {e}")))?;
            model = model.with_event_delay(delay);
        }
        Ok(Self {
            inner: Arc::new(model),
        })
    }

    /// Appends a response to the script.
    fn push(&self, response: &ScriptedResponse) {
        self.inner.push(response.build());
    }

    /// Responses not played yet.
    #[getter]
    fn remaining(&self) -> usize {
        self.inner.remaining()
    }

    /// The input items of every request received so far (a list per request).
    fn requests(&self) -> PyResult<Vec<JsonValue>> {
        self.inner
            .prompts()
            .iter()
            .map(|p| {
                serde_json::to_value(&p.input)
                    .map(JsonValue)
                    .map_err(|e| PyValueError::new_err(e.to_string()))
            })
            .collect()
    }
}

/// A model that replays the responses recorded in a rollout, in order, checking that each request is the
/// one recorded; the first difference fails the turn with a `replay_diverged` error naming it.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct ReplayModel {
    inner: Arc<codex_sdk::model::ReplayModel>,
}

#[pymethods]
impl ReplayModel {
    /// Reads the rollout file at `path`.
    #[staticmethod]
    fn from_rollout(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let bytes =
            std::fs::read(&path).map_err(|e| core_error_to_py(py, &codex_sdk::Error::Io(e)))?;
        let model = to_py(
            py,
            codex_sdk::model::ReplayModel::from_rollout_bytes(&bytes),
        )?;
        Ok(Self {
            inner: Arc::new(model),
        })
    }

    /// Reads the recorded conversation `conversation_id` from `codex`'s rollout store.
    #[staticmethod]
    fn from_conversation<'py>(
        py: Python<'py>,
        codex: PyRef<'_, Codex>,
        conversation_id: &str,
    ) -> PyResult<Awaitable<'py, ReplayModel>> {
        let id = parse_id(py, conversation_id)?;
        let codex = codex.core().clone();
        future_into_py(py, async move {
            let model = codex_sdk::model::ReplayModel::from_conversation(&codex, id).await?;
            Ok(ReplayModel {
                inner: Arc::new(model),
            })
        })
    }

    /// Recorded responses not served yet.
    #[getter]
    fn remaining(&self) -> usize {
        self.inner.remaining()
    }

    /// Where the replay first differed from its recording (`None` while it matches).
    #[getter]
    fn divergence(&self) -> Option<String> {
        self.inner.divergence().map(|d| d.to_string())
    }
}

/// A model a host `Codex` can use: scripted or replayed.
#[derive(FromPyObject)]
pub(crate) enum HostModel<'py> {
    /// `ScriptedModel`.
    Scripted(PyRef<'py, ScriptedModel>),
    /// `ReplayModel`.
    Replay(PyRef<'py, ReplayModel>),
}

impl HostModel<'_> {
    /// The core client.
    pub(crate) fn client(&self) -> Arc<dyn codex_sdk::model::ModelClient> {
        match self {
            Self::Scripted(model) => model.client(),
            Self::Replay(model) => model.inner.clone(),
        }
    }
}
