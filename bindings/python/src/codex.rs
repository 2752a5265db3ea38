//! `Codex`: the core builder's settings as keyword arguments, and `start_conversation`.
//!
//! Only the settings a caller passes are set; everything else keeps the core's default. Structured values
//! (policies, the provider) arrive as the JSON of their protocol type.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use codex_sdk::tools::BuiltinToolsConfig;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::approval::HostApprovals;
use crate::conversation::Conversation;
use crate::error::{BindingError, to_py};
use crate::event_loop::{Awaitable, future_into_py};
use crate::events::from_json;
use crate::model::ScriptedModel;
use crate::tools::{HostLoops, Tool};

/// Holds the configuration, the model client and the host's tools; starts conversations.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct Codex {
    inner: codex_sdk::Codex,
    loops: Arc<HostLoops>,
}

#[pymethods]
impl Codex {
    #[new]
    #[pyo3(signature = (
        *,
        model = None,
        api_key = None,
        base_url = None,
        provider = None,
        cwd = None,
        codex_home = None,
        instructions = None,
        approval_policy = None,
        sandbox_policy = None,
        reasoning_effort = None,
        reasoning_summary = None,
        model_context_window = None,
        event_buffer = None,
        approval_timeout = None,
        model_client = None,
        builtin_tools = None,
        tools = Vec::new(),
        on_approval = None,
        on_approval_is_async = false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        model: Option<String>,
        api_key: Option<String>,
        base_url: Option<String>,
        provider: Option<&str>,
        cwd: Option<std::path::PathBuf>,
        codex_home: Option<std::path::PathBuf>,
        instructions: Option<String>,
        approval_policy: Option<&str>,
        sandbox_policy: Option<&str>,
        reasoning_effort: Option<&str>,
        reasoning_summary: Option<&str>,
        model_context_window: Option<u64>,
        event_buffer: Option<usize>,
        approval_timeout: Option<f64>,
        model_client: Option<PyRef<'_, ScriptedModel>>,
        builtin_tools: Option<bool>,
        tools: Vec<PyRef<'_, Tool>>,
        on_approval: Option<Py<PyAny>>,
        on_approval_is_async: bool,
    ) -> PyResult<Self> {
        let json = |e: BindingError| e.into_pyerr(py);
        let loops = Arc::new(HostLoops::default());
        let mut b = codex_sdk::Codex::builder();
        if let Some(v) = model {
            b = b.model(v);
        }
        if let Some(v) = provider {
            b = b.provider(from_json("provider", v).map_err(json)?);
        }
        if let Some(v) = base_url {
            b = b.base_url(v);
        }
        if let Some(v) = api_key {
            b = b.api_key(v);
        }
        if let Some(v) = cwd {
            b = b.cwd(v);
        }
        if let Some(v) = codex_home {
            b = b.codex_home(v);
        }
        if let Some(v) = instructions {
            b = b.instructions(v);
        }
        if let Some(v) = approval_policy {
            b = b.approval_policy(from_json::<AskForApproval>("approval_policy", v).map_err(json)?);
        }
        if let Some(v) = sandbox_policy {
            b = b.sandbox_policy(from_json::<SandboxPolicy>("sandbox_policy", v).map_err(json)?);
        }
        if let Some(v) = reasoning_effort {
            b = b.reasoning_effort(
                from_json::<Option<ReasoningEffort>>("reasoning_effort", v).map_err(json)?,
            );
        }
        if let Some(v) = reasoning_summary {
            b = b.reasoning_summary(
                from_json::<ReasoningSummary>("reasoning_summary", v).map_err(json)?,
            );
        }
        if let Some(v) = model_context_window {
            b = b.model_context_window(v);
        }
        if let Some(v) = event_buffer {
            b = b.event_buffer(v);
        }
        if let Some(v) = approval_timeout {
            let timeout = Duration::try_from_secs_f64(v)
                .map_err(|e| PyValueError::new_err(format!("approval_timeout: {e}")))?;
            b = b.approval_timeout(timeout);
        }
        if let Some(v) = model_client {
            b = b.model_client(v.client());
        }
        match builtin_tools {
            Some(false) => b = b.no_builtin_tools(),
            Some(true) => b = b.builtin_tools(BuiltinToolsConfig::default()),
            None => {}
        }
        for tool in tools {
            b = b.tool(tool.function_tool(Arc::clone(&loops)));
        }
        if let Some(callback) = on_approval {
            b = b.approval_handler(Arc::new(HostApprovals::new(
                callback,
                on_approval_is_async,
                Arc::clone(&loops),
            )));
        }
        let inner = to_py(py, b.build())?;
        Ok(Self { inner, loops })
    }

    /// The model conversations use.
    #[getter]
    fn model(&self) -> &str {
        &self.inner.config().model
    }

    /// Starts a conversation; resolves to a `Conversation`.
    fn start_conversation<'py>(&self, py: Python<'py>) -> PyResult<Awaitable<'py, Conversation>> {
        let codex = self.inner.clone();
        let loops = Arc::clone(&self.loops);
        future_into_py(py, async move {
            let conversation = codex.start_conversation().await?;
            Conversation::new(conversation, loops)
        })
    }
}
