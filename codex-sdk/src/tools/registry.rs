use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::{ToolCall, ToolContext, ToolError, ToolHandler, ToolPayload, ToolSpec};
use crate::error::{Error, Result};
use crate::protocol::{
    EventMsg, FunctionCallOutputPayload, LocalShellAction, ResponseItem, ToolCallBeginEvent,
    ToolCallEndEvent,
};
use crate::tools::handlers::SHELL_TOOL_NAME;

/// The tools of a conversation: the model-visible specs and their handlers, in one place.
///
/// Cheap to clone (clones share the same set). Tools can be registered and unregistered at any time; each
/// model request sees the set as it was when the request was built.
#[derive(Clone, Default)]
pub struct ToolRegistry {
    inner: Arc<RwLock<Vec<Entry>>>,
}

/// A handler with its name cached (a handler's `spec()` builds a whole schema; lookups must not).
#[derive(Clone)]
struct Entry {
    name: String,
    handler: Arc<dyn ToolHandler>,
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// The result of one dispatched call: the history item for the model, or a fatal error.
pub(crate) type DispatchResult = Result<ResponseItem>;

impl ToolRegistry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tool, replacing any tool with the same name (the replaced one keeps its position).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the name is empty, longer than 64 characters, or has characters other
    /// than ASCII letters, digits, `_` and `-` (the API would reject the request).
    pub fn register(&self, handler: impl ToolHandler + 'static) -> Result<()> {
        self.register_arc(Arc::new(handler))
    }

    /// [`ToolRegistry::register`] for a handler that is already shared.
    ///
    /// # Errors
    /// As [`ToolRegistry::register`].
    pub fn register_arc(&self, handler: Arc<dyn ToolHandler>) -> Result<()> {
        let name = handler.spec().name().to_owned();
        validate_name(&name)?;
        let mut tools = self.write();
        if let Some(slot) = tools.iter_mut().find(|t| t.name == name) {
            slot.handler = handler;
        } else {
            tools.push(Entry { name, handler });
        }
        Ok(())
    }

    /// Removes a tool; returns whether one was removed.
    pub fn unregister(&self, name: &str) -> bool {
        let mut tools = self.write();
        let before = tools.len();
        tools.retain(|t| t.name != name);
        tools.len() != before
    }

    /// Drops every tool (a conversation's tools when it ends: terminal sessions die with their tool).
    pub(crate) fn clear(&self) {
        let removed = std::mem::take(&mut *self.write());
        drop(removed);
    }

    /// The names of the registered tools, in registration order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.read().iter().map(|t| t.name.clone()).collect()
    }

    /// The model-visible specs, in registration order.
    #[must_use]
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.read().iter().map(|t| t.handler.spec()).collect()
    }

    /// A new registry holding the same handlers except `names` (for a child context such as a review).
    #[must_use]
    pub fn without(&self, names: &[&str]) -> ToolRegistry {
        let entries: Vec<Entry> = self
            .read()
            .iter()
            .filter(|e| !names.contains(&e.name.as_str()))
            .cloned()
            .collect();
        ToolRegistry {
            inner: Arc::new(RwLock::new(entries)),
        }
    }

    /// The handler registered under `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Arc<dyn ToolHandler>> {
        self.read()
            .iter()
            .find(|t| t.name == name)
            .map(|t| Arc::clone(&t.handler))
    }

    /// Whether calls to `name` may run in parallel (unknown tools: yes, they only produce an error output).
    pub(crate) fn supports_parallel(&self, name: &str) -> bool {
        self.get(name).is_none_or(|t| t.supports_parallel())
    }

    /// Runs one call through its handler with begin/end events, timing and error routing.
    /// Runs one call through its handler, with `ToolCallBegin`/`ToolCallEnd` events, timing and error routing:
    /// an unknown tool or a `RespondToModel` error becomes a failed output for the model.
    ///
    /// # Errors
    /// The handler's [`ToolError::Fatal`] error.
    pub async fn dispatch(&self, call: ToolCall, ctx: ToolContext) -> DispatchResult {
        let span = tracing::info_span!(
            "codex.tool_call",
            tool = %call.name,
            call_id = %call.call_id,
        );
        tracing::Instrument::instrument(self.dispatch_inner(call, ctx), span).await
    }

    async fn dispatch_inner(&self, call: ToolCall, ctx: ToolContext) -> DispatchResult {
        let started = Instant::now();
        ctx.emit(EventMsg::ToolCallBegin(ToolCallBeginEvent {
            call_id: call.call_id.clone(),
            tool: call.name.clone(),
            arguments: call.payload.as_str().to_owned(),
        }))
        .await;
        let call_id = call.call_id.clone();
        let name = call.name.clone();
        let custom = matches!(call.payload, ToolPayload::Custom { .. });
        let telemetry = ctx.events.telemetry().clone();
        let arguments = telemetry.is_on().then(|| call.payload.as_str().to_owned());
        let mut call_ctx = ctx.clone();
        call_ctx.call_id = Some(call.call_id.clone());
        call_ctx.tool_name = Some(call.name.clone());
        let outcome = match self.get(&call.name) {
            Some(handler) => handler.handle(call, call_ctx).await,
            None => Err(ToolError::RespondToModel(format!(
                "unsupported call: no tool named `{}`",
                call.name
            ))),
        };
        let (content, success) = match outcome {
            Ok(out) => (out.content, out.success),
            Err(ToolError::RespondToModel(message)) => (message, false),
            Err(ToolError::Fatal(err)) => {
                tracing::warn!(tool = %name, error = %err, "tool failed fatally");
                telemetry.tool_result(
                    &name,
                    &call_id,
                    arguments.as_deref().unwrap_or_default(),
                    started.elapsed(),
                    false,
                    &err.to_string(),
                );
                ctx.emit(EventMsg::ToolCallEnd(ToolCallEndEvent {
                    call_id,
                    tool: name,
                    output: err.to_string(),
                    success: false,
                    duration_ms: elapsed_ms(started),
                }))
                .await;
                return Err(err);
            }
        };
        telemetry.tool_result(
            &name,
            &call_id,
            arguments.as_deref().unwrap_or_default(),
            started.elapsed(),
            success,
            &content,
        );
        ctx.emit(EventMsg::ToolCallEnd(ToolCallEndEvent {
            call_id: call_id.clone(),
            tool: name,
            output: content.clone(),
            success,
            duration_ms: elapsed_ms(started),
        }))
        .await;
        Ok(if custom {
            ResponseItem::CustomToolCallOutput {
                call_id,
                output: content,
            }
        } else {
            ResponseItem::FunctionCallOutput {
                call_id,
                output: FunctionCallOutputPayload {
                    content,
                    success: Some(success),
                },
            }
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Entry>> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Entry>> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "tool name {name:?} must be 1-64 characters of ASCII letters, digits, '_' or '-'"
        )))
    }
}

/// The tool a legacy name stands for: `container.exec` is `shell`.
fn legacy_alias(name: &str) -> &str {
    match name {
        "container.exec" => SHELL_TOOL_NAME,
        other => other,
    }
}

/// Turns a model output item into a tool call, when it is one: function and custom tool calls, and
/// `local_shell_call` items (run by the `shell` handler).
pub(crate) fn tool_call_from_item(item: &ResponseItem) -> Option<ToolCall> {
    match item {
        ResponseItem::FunctionCall {
            name,
            arguments,
            call_id,
            ..
        } => Some(ToolCall {
            call_id: call_id.clone(),
            name: legacy_alias(name).to_owned(),
            payload: ToolPayload::Function {
                arguments: arguments.clone(),
            },
        }),
        ResponseItem::LocalShellCall {
            action: LocalShellAction::Exec(exec),
            ..
        } => {
            let arguments = serde_json::json!({
                "command": exec.command,
                "workdir": exec.working_directory,
                "timeout_ms": exec.timeout_ms,
            });
            Some(ToolCall {
                call_id: item.call_id()?.to_owned(),
                name: SHELL_TOOL_NAME.to_owned(),
                payload: ToolPayload::Function {
                    arguments: arguments.to_string(),
                },
            })
        }
        ResponseItem::CustomToolCall {
            call_id,
            name,
            input,
            ..
        } => Some(ToolCall {
            call_id: call_id.clone(),
            name: name.clone(),
            payload: ToolPayload::Custom {
                input: input.clone(),
            },
        }),
        _ => None,
    }
}
