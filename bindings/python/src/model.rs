//! The core's offline models: `ScriptedModel`, whose script the package hands over whole as the JSON of
//! the core's `ScriptedModelSpec`, and `ReplayModel`, which replays a recorded conversation.

use std::path::PathBuf;
use std::sync::Arc;

use codex_sdk::model::{ScriptedModelSpec, ScriptedResponse, ScriptedStep};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::codex::{Codex, parse_id};
use crate::error::{core_error_to_py, to_py};
use crate::event_loop::{Awaitable, future_into_py};
use crate::events::JsonValue;

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
    /// `spec` is the JSON of the core's `ScriptedModelSpec`.
    #[new]
    fn new(py: Python<'_>, spec: &str) -> PyResult<Self> {
        let spec = to_py(py, ScriptedModelSpec::from_json(spec))?;
        Ok(Self {
            inner: Arc::new(spec.build()),
        })
    }

    /// Appends a response to the script: `steps` is the JSON list of its `ScriptedStep`s.
    fn push(&self, py: Python<'_>, steps: &str) -> PyResult<()> {
        let steps: Vec<ScriptedStep> = serde_json::from_str(steps).map_err(|e| {
            core_error_to_py(
                py,
                &codex_sdk::Error::InvalidInput(format!("scripted response: {e}")),
            )
        })?;
        self.inner
            .push(steps.into_iter().collect::<ScriptedResponse>());
        Ok(())
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
