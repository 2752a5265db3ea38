//! An MCP server's tool in the [`ToolRegistry`](crate::tools::ToolRegistry), as `<server>__<tool>`.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use rmcp::model::{CallToolResult, Tool};
use serde_json::Value;

use super::client::McpServer;
use super::names::{qualified_tool_name, sanitize_input_schema};
use crate::conversation::approval::ApprovalRequest;
use crate::error::Error;
use crate::protocol::{
    AskForApproval, ContentItem, EventMsg, McpInvocation, McpToolCallApprovalRequestEvent,
    McpToolCallBeginEvent, McpToolCallEndEvent, McpToolCallResult, ResponseItem, ReviewDecision,
};
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// One tool of one server.
pub(crate) struct McpTool {
    server: Arc<McpServer>,
    /// The tool's name on the server.
    tool: String,
    /// The name the model calls.
    qualified: String,
    description: String,
    parameters: Value,
    read_only: bool,
}

impl McpTool {
    pub(crate) fn new(server: Arc<McpServer>, tool: &Tool) -> Self {
        let description = tool
            .description
            .as_deref()
            .or(tool.title.as_deref())
            .unwrap_or_default()
            .to_owned();
        let read_only = tool
            .annotations
            .as_ref()
            .and_then(|a| a.read_only_hint)
            .unwrap_or(false);
        Self {
            qualified: qualified_tool_name(&server.name, &tool.name),
            tool: tool.name.to_string(),
            description,
            parameters: sanitize_input_schema(&Value::Object((*tool.input_schema).clone())),
            read_only,
            server,
        }
    }

    pub(crate) fn qualified_name(&self) -> &str {
        &self.qualified
    }

    /// Whether the call may run without asking: never asking, or a tool the server marks read-only under
    /// `on-request`. Everything else asks (the SDK cannot sandbox what a server does).
    fn runs_without_asking(&self, policy: AskForApproval) -> bool {
        match policy {
            AskForApproval::Never => true,
            AskForApproval::OnRequest => self.read_only,
            _ => false,
        }
    }

    fn session_key(&self) -> Vec<String> {
        vec![
            "mcp".to_owned(),
            self.server.name.clone(),
            self.tool.clone(),
        ]
    }
}

#[async_trait]
impl ToolHandler for McpTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: self.qualified.clone(),
            description: self.description.clone(),
            strict: false,
            parameters: self.parameters.clone(),
        }
    }

    fn supports_parallel(&self) -> bool {
        true
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let text = call.payload.as_str().trim();
        let arguments = if text.is_empty() {
            None
        } else {
            match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Some(map),
                Ok(_) => {
                    return Err(ToolError::RespondToModel(format!(
                        "the arguments of `{}` must be a JSON object",
                        self.qualified
                    )));
                }
                Err(e) => {
                    return Err(ToolError::RespondToModel(format!(
                        "failed to parse arguments for `{}`: {e}",
                        self.qualified
                    )));
                }
            }
        };
        let invocation = McpInvocation {
            server: self.server.name.clone(),
            tool: self.tool.clone(),
            arguments: arguments.clone().map(Value::Object),
        };
        if !self.runs_without_asking(ctx.approval_policy())
            && !ctx.is_command_approved_for_session(&self.session_key())
        {
            let decision = ctx
                .request_approval(ApprovalRequest::McpToolCall(
                    McpToolCallApprovalRequestEvent {
                        call_id: call.call_id.clone(),
                        invocation: invocation.clone(),
                        reason: None,
                    },
                ))
                .await;
            match decision {
                ReviewDecision::Approved => {}
                ReviewDecision::ApprovedForSession => {
                    ctx.approve_command_for_session(&self.session_key());
                }
                ReviewDecision::Abort => return Err(ToolError::Fatal(Error::Interrupted)),
                _ => {
                    return Err(ToolError::RespondToModel(format!(
                        "the user denied the call to `{}`",
                        self.qualified
                    )));
                }
            }
        }
        ctx.emit(EventMsg::McpToolCallBegin(McpToolCallBeginEvent {
            call_id: call.call_id.clone(),
            invocation: invocation.clone(),
        }))
        .await;
        let started = Instant::now();
        // Elicitation requests the server sends during the call are asked in this conversation.
        let _asking = self.server.elicitation.enter(ctx.clone());
        let outcome = self
            .server
            .call_tool(&self.tool, arguments, ctx.cancellation())
            .await;
        let (result, output) = match outcome {
            Ok(result) => {
                let output = model_output(&result, &ctx);
                (response_event(&result), output)
            }
            Err(e) => {
                let message = format!("MCP server `{}`: {e}", self.server.name);
                (
                    McpToolCallResult::Failed {
                        message: message.clone(),
                    },
                    ToolOutput::failure(message),
                )
            }
        };
        ctx.emit(EventMsg::McpToolCallEnd(McpToolCallEndEvent {
            call_id: call.call_id,
            invocation,
            result,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }))
        .await;
        Ok(output)
    }
}

fn response_event(result: &CallToolResult) -> McpToolCallResult {
    McpToolCallResult::Response {
        content: result
            .content
            .iter()
            .filter_map(|c| serde_json::to_value(c).ok())
            .collect(),
        structured_content: result.structured_content.clone(),
        is_error: result.is_error.unwrap_or(false),
    }
}

/// What the model sees: the text blocks (embedded text resources included), or the structured result when
/// the tool has one; images join the history as an input image after the output.
fn model_output(result: &CallToolResult, ctx: &ToolContext) -> ToolOutput {
    let mut parts: Vec<String> = Vec::new();
    let mut images = Vec::new();
    for block in &result.content {
        let Ok(value) = serde_json::to_value(block) else {
            continue;
        };
        match value.get("type").and_then(Value::as_str) {
            Some("text") => parts.push(str_field(&value, "text")),
            Some("image") => {
                let mime = str_field(&value, "mimeType");
                images.push(format!("data:{mime};base64,{}", str_field(&value, "data")));
                parts.push(format!("[image: {mime}, shown to you below]"));
            }
            Some("resource") => match value.get("resource").and_then(|r| r.get("text")) {
                Some(Value::String(text)) => parts.push(text.clone()),
                _ => parts.push(value.to_string()),
            },
            _ => parts.push(value.to_string()),
        }
    }
    let content = match &result.structured_content {
        Some(structured) => structured.to_string(),
        None => parts.join("\n"),
    };
    if !images.is_empty() {
        ctx.inject_input(ResponseItem::Message {
            id: None,
            role: "user".to_owned(),
            content: images
                .into_iter()
                .map(|image_url| ContentItem::InputImage { image_url })
                .collect(),
        });
    }
    if result.is_error.unwrap_or(false) {
        ToolOutput::failure(content)
    } else {
        ToolOutput::success(content)
    }
}

fn str_field(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
