//! Host tools: the [`CodexTool`] foreign trait (a Swift protocol) as a core [`FunctionTool`].
//!
//! The model's arguments reach the host as JSON text; the host answers with the output text. A
//! [`ToolError::Failed`] — or any other error a Swift implementation throws — becomes the tool's failed
//! output, which the model sees, and the turn goes on; [`ToolError::Fatal`] ends the turn with
//! [`CodexError::Tool`](crate::CodexError::Tool).

use std::sync::Arc;

use codex_sdk::tools::{FunctionTool, ToolError as CoreToolError};

use crate::error::CodexError;
use crate::json::from_json;

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
    async fn call(&self, arguments: String) -> Result<String, ToolError>;
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
        move |arguments, _ctx| {
            let tool = Arc::clone(&tool);
            let name = name.clone();
            async move {
                tool.call(arguments.to_string())
                    .await
                    .map_err(|err| match err {
                        ToolError::Failed { message } => CoreToolError::RespondToModel(message),
                        ToolError::Fatal { message } => {
                            CoreToolError::Fatal(codex_sdk::Error::Tool {
                                tool: name,
                                message,
                            })
                        }
                    })
            }
        },
    ))
}
