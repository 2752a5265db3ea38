//! Tools: what the model can call. One [`ToolRegistry`] builds the model-visible tool list *and* binds the
//! handlers, so a spec and its handler cannot drift apart.
//!
//! A tool is a [`ToolHandler`]. Host tools written as async closures use [`FunctionTool`]. A handler's error
//! says where it goes: [`ToolError::RespondToModel`] becomes the tool's output (the model sees it and the turn
//! goes on); [`ToolError::Fatal`] ends the turn with a typed error.

mod builtin;
pub(crate) mod context;
mod function;
pub mod handlers;
pub(crate) mod registry;

use async_trait::async_trait;

pub use builtin::{BuiltinToolsConfig, register_builtin_tools};
pub use context::ToolContext;
pub use function::FunctionTool;
pub use registry::ToolRegistry;

use crate::error::Error;
pub use crate::model::ToolSpec;

/// What the model sent: the call's id, the tool's name and its raw arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// Pairs the call with its output.
    pub call_id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments.
    pub payload: ToolPayload,
}

/// The raw arguments of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolPayload {
    /// A function call's arguments: a JSON string exactly as the model wrote it (it may be malformed).
    Function {
        /// The JSON text.
        arguments: String,
    },
    /// A freeform tool's raw input.
    Custom {
        /// The text.
        input: String,
    },
}

impl ToolPayload {
    /// The raw text of the arguments.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Function { arguments } => arguments,
            Self::Custom { input } => input,
        }
    }
}

impl ToolCall {
    /// Parses the function arguments into `T`; a parse failure is an error the model is told about.
    ///
    /// # Errors
    /// [`ToolError::RespondToModel`] naming what is wrong with the arguments.
    pub fn parse_arguments<T: serde::de::DeserializeOwned>(&self) -> Result<T, ToolError> {
        let text = self.payload.as_str();
        let text = if text.trim().is_empty() { "{}" } else { text };
        serde_json::from_str(text).map_err(|e| {
            ToolError::RespondToModel(format!(
                "failed to parse arguments for `{}`: {e}",
                self.name
            ))
        })
    }
}

/// A tool's successful result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    /// What the model sees.
    pub content: String,
    /// Whether the tool considers the call a success (a command that exits non-zero is output, not an error,
    /// but not a success either).
    pub success: bool,
}

impl ToolOutput {
    /// A successful output.
    #[must_use]
    pub fn success(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            success: true,
        }
    }

    /// An unsuccessful output that is still an answer (e.g. a non-zero exit code).
    #[must_use]
    pub fn failure(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            success: false,
        }
    }
}

/// How a tool failed, and where the failure goes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// Tell the model (as the tool's failed output); the turn goes on.
    #[error("{0}")]
    RespondToModel(String),
    /// End the turn with this error.
    #[error(transparent)]
    Fatal(Error),
}

/// A tool the model can call.
///
/// Object-safe; the registry stores handlers as `Arc<dyn ToolHandler>`.
#[async_trait]
pub trait ToolHandler: Send + Sync {
    /// The model-visible declaration. Its name is the name the registry dispatches on.
    fn spec(&self) -> ToolSpec;

    /// Whether calls may run concurrently with other parallel-safe calls. Calls that are not wait for all
    /// running calls and run alone. Default: `false`.
    fn supports_parallel(&self) -> bool {
        false
    }

    /// Runs one call.
    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError>;
}
