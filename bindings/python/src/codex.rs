//! `Codex`: the core builder's settings as keyword arguments, and `start_conversation`.
//!
//! Only the settings a caller passes are set; everything else keeps the core's default. Structured values
//! (policies, the provider) arrive as the JSON of their protocol type.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use codex_sdk::protocol::ConversationId;
use codex_sdk::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use codex_sdk::rollout::Cursor;
use codex_sdk::tools::BuiltinToolsConfig;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::approval::HostApprovals;
use crate::conversation::Conversation;
use crate::error::{BindingError, core_error_to_py, to_py};
use crate::event_loop::{Awaitable, future_into_py};
use crate::events::{from_json, to_json};
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
        ephemeral = None,
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
        ephemeral: Option<bool>,
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
        if ephemeral == Some(true) {
            b = b.ephemeral();
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

    /// Resumes the conversation recorded at `path` (same id, appending to the same file).
    fn resume_conversation<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
    ) -> PyResult<Awaitable<'py, Conversation>> {
        let codex = self.inner.clone();
        let loops = Arc::clone(&self.loops);
        future_into_py(py, async move {
            let started = codex.resume_conversation(path).await?;
            Conversation::new(started.conversation, loops)
        })
    }

    /// Forks the conversation recorded at `path` before its `nth_user_message`-th (0-based) user message.
    fn fork_conversation<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        nth_user_message: usize,
    ) -> PyResult<Awaitable<'py, Conversation>> {
        let codex = self.inner.clone();
        let loops = Arc::clone(&self.loops);
        future_into_py(py, async move {
            let started = codex.fork_conversation(path, nth_user_message).await?;
            Conversation::new(started.conversation, loops)
        })
    }

    /// One page of recorded conversations, newest first, as JSON (`ConversationsPage`); pass its
    /// `next_cursor` for the next page.
    #[pyo3(signature = (page_size, cursor = None))]
    fn list_conversations<'py>(
        &self,
        py: Python<'py>,
        page_size: usize,
        cursor: Option<&str>,
    ) -> PyResult<Awaitable<'py, String>> {
        let cursor: Option<Cursor> = cursor
            .map(str::parse)
            .transpose()
            .map_err(|e| core_error_to_py(py, &e))?;
        let codex = self.inner.clone();
        future_into_py(py, async move {
            let page = codex.list_conversations(page_size, cursor.as_ref()).await?;
            to_json(&page)
        })
    }

    /// The rollout path of a recorded (not archived) conversation, by id.
    fn find_conversation_path<'py>(
        &self,
        py: Python<'py>,
        conversation_id: &str,
    ) -> PyResult<Awaitable<'py, Option<PathBuf>>> {
        let id = parse_id(py, conversation_id)?;
        let codex = self.inner.clone();
        future_into_py(
            py,
            async move { Ok(codex.find_conversation_path(id).await?) },
        )
    }

    /// Archives a conversation (shutting it down if live); resolves to the archived file's path.
    fn archive_conversation<'py>(
        &self,
        py: Python<'py>,
        conversation_id: &str,
        path: PathBuf,
    ) -> PyResult<Awaitable<'py, PathBuf>> {
        let id = parse_id(py, conversation_id)?;
        let codex = self.inner.clone();
        future_into_py(py, async move {
            Ok(codex.archive_conversation(id, path).await?)
        })
    }

    /// Moves an archived conversation back; resolves to its new path.
    fn unarchive_conversation<'py>(
        &self,
        py: Python<'py>,
        conversation_id: &str,
        path: PathBuf,
    ) -> PyResult<Awaitable<'py, PathBuf>> {
        let id = parse_id(py, conversation_id)?;
        let codex = self.inner.clone();
        future_into_py(py, async move {
            Ok(codex.unarchive_conversation(id, path).await?)
        })
    }
}

fn parse_id(py: Python<'_>, id: &str) -> PyResult<ConversationId> {
    id.parse()
        .map_err(|e: codex_sdk::protocol::InvalidIdError| {
            core_error_to_py(py, &codex_sdk::Error::InvalidInput(e.to_string()))
        })
}
