//! JS functions as host tools: each becomes a core [`FunctionTool`] whose callback calls the JS function
//! through a threadsafe function and awaits its result.

use std::sync::Arc;

use codex_sdk::tools::{FunctionTool, ToolError};
use napi::Status;
use napi::bindgen_prelude::{Either, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use serde_json::Value;

use crate::error::Result;
use crate::json::from_json;

/// The JS side of a tool: the arguments (JSON text) in, the output text out, sync or as a Promise. A throw
/// or a rejection becomes a failed tool output the model sees (the TypeScript layer rejects with the
/// message text). Weak, so that a conversation holding it never keeps the process alive; not "callee
/// handled", so JS receives the arguments as its only parameter.
pub type JsToolFn =
    ThreadsafeFunction<String, Either<String, Promise<String>>, String, Status, false, true>;

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
    #[napi(ts_type = "(args: string) => string | Promise<string>")]
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
    let tool = FunctionTool::new(def.name, def.description, parameters, move |args, _ctx| {
        let handler = Arc::clone(&handler);
        async move { call(&handler, args.to_string()).await }
    });
    Ok(tool.parallel(def.parallel.unwrap_or(false)))
}

async fn call(handler: &JsToolFn, args: String) -> std::result::Result<String, ToolError> {
    let returned = handler
        .call_async_catch(args)
        .await
        .map_err(|e| ToolError::RespondToModel(e.reason.clone()))?;
    match returned {
        Either::A(output) => Ok(output),
        Either::B(promise) => promise
            .await
            .map_err(|e| ToolError::RespondToModel(e.reason.clone())),
    }
}
