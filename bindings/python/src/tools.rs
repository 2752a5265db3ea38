//! Host tools: a Python callable as a core [`FunctionTool`], and the `ToolContext` it may ask for.
//!
//! The package's `@codex.tool` builds the JSON schema and wraps the user's function into a callable
//! `(arguments, context) -> str | coroutine` (`arguments`: the call's JSON object as a dict). A sync tool
//! runs in place, on the runtime worker running the turn, holding the GIL (no thread hop); a `parallel`
//! one on a blocking-pool thread, so calls can overlap; an `async def` one on the event loop the
//! conversation is driven from. A Python exception becomes the tool's failed output
//! (`"ValueError: message"`), which the model sees; the turn goes on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use codex_sdk::protocol::ConversationId;
use codex_sdk::tools::{FunctionTool, ToolError};
use pyo3::prelude::*;
use serde_json::Value;

use crate::event_loop::{Awaitable, HostLoop, future_into_py};
use crate::events::{JsonValue, from_py};
use crate::host::{Placement, call_host};
use crate::runtime::wait;

/// The event loops conversations are driven from, so host coroutines (async tools, approval callbacks)
/// run on the loop of the code that is waiting for them.
#[derive(Default)]
pub(crate) struct HostLoops {
    by_conversation: Mutex<HashMap<ConversationId, Arc<HostLoop>>>,
    latest: Mutex<Option<Arc<HostLoop>>>,
}

impl HostLoops {
    /// Records the loop `conversation` is being driven from.
    pub(crate) fn register(&self, conversation: ConversationId, host_loop: Arc<HostLoop>) {
        lock(&self.by_conversation).insert(conversation, Arc::clone(&host_loop));
        *lock(&self.latest) = Some(host_loop);
    }

    /// Forgets a conversation.
    pub(crate) fn forget(&self, conversation: ConversationId) {
        lock(&self.by_conversation).remove(&conversation);
    }

    /// The loop of `conversation`.
    pub(crate) fn of(&self, conversation: ConversationId) -> Option<Arc<HostLoop>> {
        lock(&self.by_conversation).get(&conversation).cloned()
    }

    /// The loop most recently used to drive any conversation of this `Codex`.
    pub(crate) fn latest(&self) -> Option<Arc<HostLoop>> {
        lock(&self.latest).clone()
    }

    /// Blocking calls (no event loop) drive this `Codex` now: host coroutines run with `asyncio.run`.
    pub(crate) fn drive_without_loop(&self) {
        *lock(&self.latest) = None;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A host tool: a name, a description, a JSON schema (JSON text or a dict) and a callable
/// `(arguments: dict, context: ToolContext) -> str | Awaitable[str]`. An `is_async` callable is called on
/// the event loop (it must return quickly, with a coroutine); others in place on the runtime worker
/// running the turn, or on a blocking-pool thread when `parallel`.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct Tool {
    name: String,
    description: String,
    parameters: Value,
    parallel: bool,
    is_async: bool,
    callback: Arc<Py<PyAny>>,
}

#[pymethods]
impl Tool {
    #[new]
    #[pyo3(signature = (
        name,
        description,
        parameters,
        callback,
        parallel = false,
        is_async = false,
    ))]
    fn new(
        py: Python<'_>,
        name: String,
        description: String,
        parameters: &Bound<'_, PyAny>,
        callback: Py<PyAny>,
        parallel: bool,
        is_async: bool,
    ) -> PyResult<Self> {
        let parameters: Value =
            from_py("tool parameters schema", parameters).map_err(|e| e.into_pyerr(py))?;
        Ok(Self {
            name,
            description,
            parameters,
            parallel,
            is_async,
            callback: Arc::new(callback),
        })
    }

    /// The tool's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }
}

impl Tool {
    /// The core tool calling this host tool; coroutines run on the loops recorded in `loops`.
    pub(crate) fn function_tool(&self, loops: Arc<HostLoops>) -> FunctionTool {
        let callback = Arc::clone(&self.callback);
        let placement = match (self.is_async, self.parallel) {
            (true, _) => Placement::Loop,
            (false, true) => Placement::Blocking,
            (false, false) => Placement::InPlace,
        };
        FunctionTool::new(
            self.name.clone(),
            self.description.clone(),
            self.parameters.clone(),
            move |arguments: Value, ctx: codex_sdk::tools::ToolContext| {
                let callback = Arc::clone(&callback);
                let host_loop = loops.of(ctx.conversation_id());
                async move {
                    let context = ToolContext { inner: ctx };
                    call_host(
                        Box::new(move |py| {
                            callback.bind(py).call1((JsonValue(arguments), context))
                        }),
                        extract_string,
                        placement,
                        host_loop,
                    )
                    .await
                    .map_err(ToolError::RespondToModel)
                }
            },
        )
        .parallel(self.parallel)
    }
}

/// Extracts a `str` result.
pub(crate) fn extract_string(value: &Bound<'_, PyAny>) -> PyResult<String> {
    value.extract()
}

/// What a host tool may know and do besides its arguments.
#[pyclass(frozen, module = "codex_sdk._native")]
pub(crate) struct ToolContext {
    inner: codex_sdk::tools::ToolContext,
}

#[pymethods]
impl ToolContext {
    /// The conversation's id.
    #[getter]
    fn conversation_id(&self) -> String {
        self.inner.conversation_id().to_string()
    }

    /// The submission (turn) the call belongs to.
    #[getter]
    fn submission_id(&self) -> &str {
        self.inner.submission_id().as_str()
    }

    /// The turn's working directory.
    #[getter]
    fn cwd(&self) -> String {
        self.inner.cwd().display().to_string()
    }

    /// Whether the turn was interrupted (a long tool should stop).
    #[getter]
    fn cancelled(&self) -> bool {
        self.inner.cancellation().is_cancelled()
    }

    /// The id of the tool call being handled (the model's `call_id`).
    #[getter]
    fn call_id(&self) -> Option<&str> {
        self.inner.call_id()
    }

    /// Asks the host to approve running `command`; resolves to the decision (`ReviewDecision`). Keyed by
    /// the call id; a command approved for the session is not asked again; `"abort"` ends the turn.
    #[pyo3(signature = (command, reason = None))]
    fn request_approval<'py>(
        &self,
        py: Python<'py>,
        command: Vec<String>,
        reason: Option<String>,
    ) -> PyResult<Awaitable<'py, String>> {
        let ctx = self.inner.clone();
        future_into_py(py, async move {
            Ok(ctx
                .request_command_approval(command, reason)
                .await
                .as_str()
                .to_owned())
        })
    }

    /// As `request_approval`, blocking the calling thread with the GIL released (for sync tools).
    #[pyo3(signature = (command, reason = None))]
    fn request_approval_blocking(
        &self,
        py: Python<'_>,
        command: Vec<String>,
        reason: Option<String>,
    ) -> PyResult<String> {
        let ctx = self.inner.clone();
        wait(py, async move {
            Ok(ctx
                .request_command_approval(command, reason)
                .await
                .as_str()
                .to_owned())
        })
    }
}
