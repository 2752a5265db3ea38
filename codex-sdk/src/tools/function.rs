use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Callback = dyn Fn(Value, ToolContext) -> BoxFuture<Result<String, ToolError>> + Send + Sync;

/// A host tool from an async closure: a name, a description, a JSON schema for its arguments and a function
/// from the parsed arguments to the output text.
///
/// ```
/// use codex_sdk::tools::{FunctionTool, ToolError};
/// use serde_json::json;
///
/// let tool = FunctionTool::new(
///     "add",
///     "Adds two integers.",
///     json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
///            "required": ["a", "b"]}),
///     |args, _ctx| async move {
///         let a = args["a"].as_i64().ok_or_else(|| ToolError::RespondToModel("a must be an integer".into()))?;
///         let b = args["b"].as_i64().ok_or_else(|| ToolError::RespondToModel("b must be an integer".into()))?;
///         Ok((a + b).to_string())
///     },
/// );
/// # let _ = tool;
/// ```
#[derive(Clone)]
pub struct FunctionTool {
    name: String,
    description: String,
    parameters: Value,
    parallel: bool,
    callback: Arc<Callback>,
}

impl FunctionTool {
    /// A tool calling `f` with the parsed JSON arguments. Arguments that are not valid JSON never reach `f`:
    /// the model is told instead.
    pub fn new<F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
        f: F,
    ) -> Self
    where
        F: Fn(Value, ToolContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, ToolError>> + Send + 'static,
    {
        Self {
            name: name.into(),
            description: description.into(),
            parameters,
            parallel: false,
            callback: Arc::new(move |args, ctx| Box::pin(f(args, ctx))),
        }
    }

    /// Marks the tool safe to run concurrently with other parallel-safe calls.
    #[must_use]
    pub fn parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }
}

impl fmt::Debug for FunctionTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionTool")
            .field("name", &self.name)
            .field("parallel", &self.parallel)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ToolHandler for FunctionTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: self.name.clone(),
            description: self.description.clone(),
            strict: false,
            parameters: self.parameters.clone(),
        }
    }

    fn supports_parallel(&self) -> bool {
        self.parallel
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Value = call.parse_arguments()?;
        if !args.is_object() {
            return Err(ToolError::RespondToModel(format!(
                "arguments for `{}` must be a JSON object, got {args}",
                self.name
            )));
        }
        let output = (self.callback)(args, ctx.clone()).await;
        if ctx.approval_aborted() {
            return Err(ToolError::Fatal(crate::Error::Interrupted));
        }
        output.map(ToolOutput::success)
    }
}
