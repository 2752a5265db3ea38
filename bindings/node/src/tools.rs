//! JS functions as host tools: each becomes a core [`FunctionTool`] whose callback calls the JS function
//! through a threadsafe function with a [`NativeToolCall`] (the arguments and the core's `ToolContext`)
//! and awaits its result.

use std::sync::Arc;

use codex_sdk::tools::{FunctionTool, ToolContext, ToolError};
use napi::Status;
use napi::bindgen_prelude::{Either, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::error::Result;
use crate::json::from_json;

/// The JS side of a tool: the call (arguments as JSON text, and its context) in, the output text out, sync
/// or as a Promise. A throw
/// or a rejection becomes a failed tool output the model sees (the TypeScript layer rejects with the
/// message text). Weak, so that a conversation holding it never keeps the process alive; not "callee
/// handled", so JS receives the arguments as its only parameter.
pub type JsToolFn = ThreadsafeFunction<
    NativeToolCall,
    Either<String, Promise<String>>,
    NativeToolCall,
    Status,
    false,
    true,
>;

/// A host tool as the TypeScript layer hands it over.
#[napi(object, object_to_js = false)]
pub struct NativeToolDef {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// The JSON schema of its arguments, as JSON text.
    pub parameters: String,
    /// Runs one call.
    #[napi(ts_type = "(call: NativeToolCall) => string | Promise<string>")]
    pub handler: JsToolFn,
    /// Whether calls may run concurrently with other parallel-safe calls.
    pub parallel: Option<bool>,
}

/// Builds the core tool for a JS tool definition.
///
/// # Errors
/// `invalid_input` when the parameters are not JSON.
pub fn js_tool(def: NativeToolDef) -> Result<FunctionTool> {
    let parameters: Value = from_json("tool parameters", &def.parameters)?;
    let handler = Arc::new(def.handler);
    let tool = FunctionTool::new(def.name, def.description, parameters, move |args, ctx| {
        let handler = Arc::clone(&handler);
        async move {
            let finished = CancellationToken::new();
            let call = NativeToolCall {
                args: args.to_string(),
                ctx,
                finished: finished.clone(),
            };
            let output = run(&handler, call).await;
            finished.cancel();
            output
        }
    });
    Ok(tool.parallel(def.parallel.unwrap_or(false)))
}

async fn run(handler: &JsToolFn, call: NativeToolCall) -> std::result::Result<String, ToolError> {
    let returned = handler
        .call_async_catch(call)
        .await
        .map_err(|e| ToolError::RespondToModel(e.reason.clone()))?;
    match returned {
        Either::A(output) => Ok(output),
        Either::B(promise) => promise
            .await
            .map_err(|e| ToolError::RespondToModel(e.reason.clone())),
    }
}

/// One call of a host tool: its arguments and what it may know and do (the core's `ToolContext`).
#[napi]
pub struct NativeToolCall {
    args: String,
    ctx: ToolContext,
    /// Cancelled when the JS handler has returned (ends `whenCancelled`).
    finished: CancellationToken,
}

#[napi]
impl NativeToolCall {
    /// The arguments, as JSON text.
    #[napi(getter)]
    pub fn args(&self) -> String {
        self.args.clone()
    }

    /// The conversation's id.
    #[napi(getter)]
    pub fn conversation_id(&self) -> String {
        self.ctx.conversation_id().to_string()
    }

    /// The id of this call (the model's `call_id`).
    #[napi(getter)]
    pub fn call_id(&self) -> Option<String> {
        self.ctx.call_id().map(str::to_owned)
    }

    /// The turn's working directory.
    #[napi(getter)]
    pub fn cwd(&self) -> String {
        self.ctx.cwd().display().to_string()
    }

    /// Whether the turn was interrupted.
    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.ctx.cancellation().is_cancelled()
    }

    /// Resolves `true` when the turn is interrupted, `false` once the call has returned first (the
    /// TypeScript layer turns it into the handler's `AbortSignal`).
    #[napi]
    pub async fn when_cancelled(&self) -> bool {
        tokio::select! {
            () = self.ctx.cancellation().cancelled() => true,
            () = self.finished.cancelled() => false,
        }
    }

    /// Asks the host to approve running `command`; resolves to the decision (a `ReviewDecision` name).
    /// Keyed by the call id; a command approved for the session is not asked again; `abort` ends the turn.
    #[napi]
    pub async fn request_approval(&self, command: Vec<String>, reason: Option<String>) -> String {
        let decision = self.ctx.request_command_approval(command, reason).await;
        decision.as_str().to_owned()
    }
}
