//! `Codex`: the core's `CodexOptions` (as JSON) plus the host's tools, approval and telemetry callbacks;
//! starts, resumes, forks, lists and archives conversations; shuts everything down.

use std::path::PathBuf;
use std::sync::Arc;

use codex_sdk::protocol::ConversationId;
use codex_sdk::rollout::Cursor;
use codex_sdk::{CodexBuilder, CodexOptions};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::approval::HostApprovals;
use crate::conversation::Conversation;
use crate::error::{core_error_to_py, to_py};
use crate::event_loop::{Awaitable, Nothing, future_into_py};
use crate::events::{JsonValue, py_to_value, to_json};
use crate::model::HostModel;
use crate::runtime::wait;
use crate::tools::{HostLoops, Tool};

/// Holds the configuration, the model client and the host's tools; starts conversations.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct Codex {
    inner: codex_sdk::Codex,
    loops: Arc<HostLoops>,
}

impl Codex {
    /// The core `Codex`.
    pub(crate) fn core(&self) -> &codex_sdk::Codex {
        &self.inner
    }
}

#[pymethods]
impl Codex {
    /// `options` is the core's `CodexOptions`, as JSON text or as a dict (the package builds it from keyword
    /// arguments);
    /// what cannot be data — a scripted model, host tools, the approval callback, the telemetry callback
    /// (`on_telemetry(event_json)`, called off the turn's task, in order) — comes separately.
    #[new]
    #[pyo3(signature = (
        options,
        *,
        model_client = None,
        tools = Vec::new(),
        on_approval = None,
        on_approval_is_async = false,
        on_telemetry = None,
        on_telemetry_is_async = false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        options: &Bound<'_, PyAny>,
        model_client: Option<HostModel<'_>>,
        tools: Vec<PyRef<'_, Tool>>,
        on_approval: Option<Py<PyAny>>,
        on_approval_is_async: bool,
        on_telemetry: Option<Py<PyAny>>,
        on_telemetry_is_async: bool,
    ) -> PyResult<Self> {
        let loops = Arc::new(HostLoops::default());
        let options = match options.cast::<PyString>() {
            Ok(text) => CodexOptions::from_json(&text.to_cow()?),
            Err(_) => CodexOptions::from_json(&py_to_value(options)?.to_string()),
        };
        let options = to_py(py, options)?;
        let mut b = to_py(py, CodexBuilder::from_options(options))?;
        if let Some(v) = model_client {
            b = b.model_client(v.client());
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
        if let Some(callback) = on_telemetry {
            let sink =
                crate::telemetry::start(callback, on_telemetry_is_async, Arc::clone(&loops))?;
            b = b.telemetry(sink);
        }
        let inner = to_py(py, b.build())?;
        Ok(Self { inner, loops })
    }

    /// Ends every conversation this Codex started and waits for them, waits until the telemetry callback
    /// has had every event recorded so far and exports what the OTLP exporter still queues.
    fn shutdown<'py>(&self, py: Python<'py>) -> PyResult<Awaitable<'py, Nothing>> {
        let codex = self.inner.clone();
        future_into_py(py, async move {
            codex.shutdown().await?;
            Ok(Nothing)
        })
    }

    /// What telemetry delivery did so far, as JSON: `exported`, `dropped` and `failed` (the OTLP
    /// exporter's records) and `host_dropped` (events the telemetry callback fell too far behind for).
    fn telemetry_stats(&self, py: Python<'_>) -> PyResult<String> {
        to_json(&self.inner.telemetry_stats()).map_err(|e| e.into_pyerr(py))
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
            Conversation::new(conversation, loops, codex)
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
            Conversation::new(started.conversation, loops, codex)
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
            Conversation::new(started.conversation, loops, codex)
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
        let cursor: Option<Cursor> = cursor.map(str::parse).transpose().map_err(
            |e: codex_sdk::protocol::InvalidCursorError| {
                core_error_to_py(py, &codex_sdk::Error::from(e))
            },
        )?;
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

    /// As `shutdown`, blocking (the GIL released) instead of returning an awaitable.
    fn shutdown_blocking(&self, py: Python<'_>) -> PyResult<()> {
        let codex = self.inner.clone();
        wait(py, async move { Ok(codex.shutdown().await?) })
    }

    /// As `start_conversation`, blocking. Host coroutines (async tools, callbacks) of a conversation driven
    /// by blocking calls run with `asyncio.run` on a worker thread.
    fn start_conversation_blocking(&self, py: Python<'_>) -> PyResult<Conversation> {
        let codex = self.inner.clone();
        let loops = Arc::clone(&self.loops);
        loops.drive_without_loop();
        wait(py, async move {
            let conversation = codex.start_conversation().await?;
            Conversation::new(conversation, loops, codex)
        })
    }

    /// As `resume_conversation`, blocking.
    fn resume_conversation_blocking(
        &self,
        py: Python<'_>,
        path: PathBuf,
    ) -> PyResult<Conversation> {
        let codex = self.inner.clone();
        let loops = Arc::clone(&self.loops);
        loops.drive_without_loop();
        wait(py, async move {
            let started = codex.resume_conversation(path).await?;
            Conversation::new(started.conversation, loops, codex)
        })
    }

    /// As `fork_conversation`, blocking.
    fn fork_conversation_blocking(
        &self,
        py: Python<'_>,
        path: PathBuf,
        nth_user_message: usize,
    ) -> PyResult<Conversation> {
        let codex = self.inner.clone();
        let loops = Arc::clone(&self.loops);
        loops.drive_without_loop();
        wait(py, async move {
            let started = codex.fork_conversation(path, nth_user_message).await?;
            Conversation::new(started.conversation, loops, codex)
        })
    }

    /// As `list_conversations`, blocking; the page as plain Python values (dicts and lists).
    #[pyo3(signature = (page_size, cursor = None))]
    fn list_conversations_blocking(
        &self,
        py: Python<'_>,
        page_size: usize,
        cursor: Option<&str>,
    ) -> PyResult<JsonValue> {
        let cursor: Option<Cursor> = cursor.map(str::parse).transpose().map_err(
            |e: codex_sdk::protocol::InvalidCursorError| {
                core_error_to_py(py, &codex_sdk::Error::from(e))
            },
        )?;
        let codex = self.inner.clone();
        wait(py, async move {
            let page = codex.list_conversations(page_size, cursor.as_ref()).await?;
            Ok(JsonValue(serde_json::to_value(&page)?))
        })
    }
}

pub(crate) fn parse_id(py: Python<'_>, id: &str) -> PyResult<ConversationId> {
    id.parse()
        .map_err(|e: codex_sdk::protocol::InvalidIdError| {
            core_error_to_py(py, &codex_sdk::Error::InvalidInput(e.to_string()))
        })
}
