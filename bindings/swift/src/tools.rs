//! Host tools: the [`CodexTool`] foreign trait (a Swift protocol) as a core [`FunctionTool`].
//!
//! The model's arguments reach the host as JSON text; the host answers with the output text. A
//! [`ToolError::Failed`] — or any other error a Swift implementation throws — becomes the tool's failed
//! output, which the model sees, and the turn goes on; [`ToolError::Fatal`] ends the turn with
//! [`CodexError::Tool`](crate::CodexError::Tool).

use std::sync::Arc;

use codex_sdk::tools::{FunctionTool, ToolError as CoreToolError};
use tokio_util::sync::CancellationToken;

use crate::error::CodexError;
use crate::json::{ReviewDecision, from_json};
use crate::runtime;

/// How a host tool failed, and where the failure goes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ToolError {
    /// Tell the model (as the tool's failed output); the turn goes on.
    #[error("{message}")]
    Failed {
        /// What the model sees.
        message: String,
    },
    /// End the turn with a `tool` error.
    #[error("{message}")]
    Fatal {
        /// Why.
        message: String,
    },
}

/// An error of another type thrown by the host's implementation: told to the model, like [`ToolError::Failed`].
impl From<uniffi::UnexpectedUniFFICallbackError> for ToolError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed {
            message: err.reason,
        }
    }
}

/// A tool the model can call, implemented by the host.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait CodexTool: Send + Sync {
    /// The name the model calls it by (letters, digits, `_` and `-`).
    fn name(&self) -> String;

    /// What it does, for the model.
    fn description(&self) -> String;

    /// The JSON Schema of its arguments (a JSON object schema, as text).
    fn parameters(&self) -> String;

    /// Runs one call with the model's arguments (a JSON object, as text) and returns what the model sees.
    /// `context` tells where it runs, asks for approvals, and tells when the turn is interrupted.
    async fn call(&self, arguments: String, context: Arc<ToolContext>)
    -> Result<String, ToolError>;
}

/// What a tool call may know and do besides its arguments (the core's `ToolContext`).
#[derive(Debug, uniffi::Object)]
pub struct ToolContext {
    inner: codex_sdk::tools::ToolContext,
    /// Cancelled once the host's `call` has returned (ends `waitCancelled`).
    finished: CancellationToken,
}

#[uniffi::export]
impl ToolContext {
    /// The conversation's id.
    pub fn conversation_id(&self) -> String {
        self.inner.conversation_id().to_string()
    }

    /// This call's id (the model's `call_id`).
    pub fn call_id(&self) -> Option<String> {
        self.inner.call_id().map(str::to_owned)
    }

    /// The turn's working directory.
    pub fn cwd(&self) -> String {
        self.inner.cwd().display().to_string()
    }

    /// Whether the turn was interrupted.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancellation().is_cancelled()
    }

    /// Waits until the turn is interrupted (`true`) or the call has returned (`false`); the Swift layer
    /// cancels the tool's `Task` on `true`.
    pub async fn wait_cancelled(&self) -> bool {
        let cancel = self.inner.cancellation().clone();
        let finished = self.finished.clone();
        runtime::run(async move {
            Ok(tokio::select! {
                () = cancel.cancelled() => true,
                () = finished.cancelled() => false,
            })
        })
        .await
        .unwrap_or(false)
    }

    /// Asks the host to approve running `command`. Keyed by the call id; a command approved for the
    /// session is not asked again; `abort` ends the turn; no answer in time is `denied`.
    #[uniffi::method(default(reason = None))]
    pub async fn request_approval(
        &self,
        command: Vec<String>,
        reason: Option<String>,
    ) -> Result<ReviewDecision, CodexError> {
        let ctx = self.inner.clone();
        runtime::run(async move {
            ReviewDecision::encode(&ctx.request_command_approval(command, reason).await)
        })
        .await
    }
}

/// The core tool that calls `tool`.
pub(crate) fn function_tool(tool: Arc<dyn CodexTool>) -> Result<FunctionTool, CodexError> {
    let name = tool.name();
    let parameters = from_json(
        &format!("parameters schema of tool `{name}`"),
        &tool.parameters(),
    )?;
    let description = tool.description();
    Ok(FunctionTool::new(
        name.clone(),
        description,
        parameters,
        move |arguments, ctx| {
            let tool = Arc::clone(&tool);
            let name = name.clone();
            async move {
                let finished = CancellationToken::new();
                let context = Arc::new(ToolContext {
                    inner: ctx,
                    finished: finished.clone(),
                });
                let output = tool.call(arguments.to_string(), context).await;
                finished.cancel();
                output.map_err(|err| match err {
                    ToolError::Failed { message } => CoreToolError::RespondToModel(message),
                    ToolError::Fatal { message } => CoreToolError::Fatal(codex_sdk::Error::Tool {
                        tool: name,
                        message,
                    }),
                })
            }
        },
    ))
}
