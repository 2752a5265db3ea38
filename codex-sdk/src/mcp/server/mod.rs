//! codex-sdk as an MCP server (Codex CLI's `codex mcp-server`): a shell over [`Codex`] speaking MCP on
//! stdio, with two tools.
//!
//! - `codex` starts a conversation (`prompt`, optional `model`, `cwd`, `approval-policy`, `sandbox`,
//!   `base-instructions`) and runs its first turn; `codex-reply` (`conversationId`, `prompt`) runs the
//!   next turn of one. Both answer with the final message as text and
//!   `structuredContent: {conversationId, content}`; a failed or aborted turn is an `isError` result.
//! - While a call runs, every event of the turn is sent to the client as a `codex/event` notification
//!   (`{"_meta": {"requestId": …}, "id": …, "msg": {…}}`, `msg` being the [`EventMsg`] JSON).
//! - Approvals become MCP elicitation requests (an empty form: accept approves, decline or cancel
//!   denies); a client without the elicitation capability gets every approval denied.
//! - Cancelling a call (`notifications/cancelled`) interrupts its turn; conversations end with the
//!   connection.
//!
//! ```no_run
//! # async fn demo() -> codex_sdk::Result<()> {
//! let codex = codex_sdk::Codex::builder().build()?;
//! codex_sdk::mcp::server::run_stdio(codex).await
//! # }
//! ```

mod params;

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CustomNotification,
    ElicitRequestParams, ElicitationAction, Implementation, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ServerCapabilities, ServerConfig, ServerNotification,
    Tool,
};
use rmcp::service::{Peer, RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::conversation::{Codex, Conversation};
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, EventMsg, Op, ReviewDecision};

use params::{CodexArgs, ReplyArgs, codex_schema, reply_schema};

/// Serves MCP on this process's stdin and stdout until the client disconnects.
///
/// # Errors
/// [`Error::Io`] when the connection cannot be set up (e.g. the client did not initialize).
pub async fn run_stdio(codex: Codex) -> Result<()> {
    serve(codex, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves MCP over `read`/`write` (newline-delimited JSON-RPC) until the client disconnects.
///
/// # Errors
/// [`Error::Io`] when the connection cannot be set up.
pub async fn serve<R, W>(codex: Codex, read: R, write: W) -> Result<()>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let server = CodexMcpServer {
        codex,
        conversations: Arc::default(),
    };
    let running = server
        .serve((read, write))
        .await
        .map_err(|e| Error::Io(std::io::Error::other(format!("MCP server: {e}"))))?;
    running
        .waiting()
        .await
        .map_err(|e| Error::Internal(format!("MCP server task: {e}")))?;
    Ok(())
}

type Shared<T> = Arc<Mutex<T>>;

/// The server: the `Codex` it starts conversations with and the conversations it started.
#[derive(Clone)]
struct CodexMcpServer {
    codex: Codex,
    conversations: Shared<HashMap<ConversationId, Shared<Conversation>>>,
}

fn tool(name: &str, description: &str, schema: Value) -> Option<Tool> {
    serde_json::from_value(json!({"name": name, "description": description, "inputSchema": schema}))
        .ok()
}

fn invalid(message: impl Into<String>) -> ErrorData {
    ErrorData::invalid_params(message.into(), None)
}

fn arguments<T: serde::de::DeserializeOwned>(
    request: &CallToolRequestParams,
) -> std::result::Result<T, ErrorData> {
    let args = Value::Object(request.arguments.clone().unwrap_or_default());
    serde_json::from_value(args)
        .map_err(|e| invalid(format!("invalid arguments for `{}`: {e}", request.name)))
}

/// The protocol versions served. Not `2026-07-28`: it forbids server-to-client requests, and approvals are
/// elicitation requests.
const PROTOCOL_VERSIONS: &[ProtocolVersion] = &[
    ProtocolVersion::V_2025_11_25,
    ProtocolVersion::V_2025_06_18,
    ProtocolVersion::V_2025_03_26,
    ProtocolVersion::V_2024_11_05,
];

impl ServerHandler for CodexMcpServer {
    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(PROTOCOL_VERSIONS)
    }

    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info = Implementation::new("codex-sdk-mcp-server", env!("CARGO_PKG_VERSION"));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ListToolsResult, ErrorData> {
        let tools = [
            tool(
                "codex",
                "Starts a Codex conversation with `prompt` and runs its first turn; returns the final \
                 message and the conversation id.",
                codex_schema(),
            ),
            tool(
                "codex-reply",
                "Continues a Codex conversation started by `codex` with the next prompt.",
                reply_schema(),
            ),
        ];
        Ok(ListToolsResult::with_all_items(
            tools.into_iter().flatten().collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResponse, ErrorData> {
        let (id, conversation, prompt) = match request.name.as_ref() {
            "codex" => {
                let args: CodexArgs = arguments(&request)?;
                let config = args.apply(self.codex.config());
                let started = self
                    .codex
                    .new_conversation_with(config)
                    .await
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                let conversation = Arc::new(Mutex::new(started.conversation));
                self.conversations
                    .lock()
                    .await
                    .insert(started.conversation_id, Arc::clone(&conversation));
                (started.conversation_id, conversation, args.prompt)
            }
            "codex-reply" => {
                let args: ReplyArgs = arguments(&request)?;
                let id: ConversationId = args
                    .conversation_id
                    .parse()
                    .map_err(|e| invalid(format!("invalid conversationId: {e}")))?;
                let conversation = self
                    .conversations
                    .lock()
                    .await
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| invalid(format!("no conversation {id}")))?;
                (id, conversation, args.prompt)
            }
            other => return Err(invalid(format!("no tool named `{other}`"))),
        };
        let mut conversation = conversation.lock().await;
        let outcome = run_turn(&mut conversation, prompt, &context).await;
        let (text, is_error) = match outcome {
            Ok(TurnEnd::Completed(message)) => (message.unwrap_or_default(), false),
            Ok(TurnEnd::Failed(message)) => (message, true),
            Err(e) => (e.to_string(), true),
        };
        let result = json!({
            "content": [{"type": "text", "text": text}],
            "structuredContent": {"conversationId": id.to_string(), "content": text},
            "isError": is_error,
        });
        serde_json::from_value::<CallToolResult>(result)
            .map(CallToolResponse::Complete)
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }
}

enum TurnEnd {
    Completed(Option<String>),
    Failed(String),
}

/// Runs one turn, forwarding its events as notifications and its approvals as elicitations.
async fn run_turn(
    conversation: &mut Conversation,
    prompt: String,
    context: &RequestContext<RoleServer>,
) -> Result<TurnEnd> {
    let submission = conversation.send(prompt).await?;
    let request_id = serde_json::to_value(&context.id).unwrap_or(Value::Null);
    let mut interrupted = false;
    loop {
        let event = tokio::select! {
            event = conversation.next_event() => event.ok_or(Error::Closed)?,
            () = context.ct.cancelled(), if !interrupted => {
                // The client cancelled the call: the turn ends (aborted) and its terminal event ends this.
                interrupted = true;
                conversation.interrupt().await?;
                continue;
            }
        };
        // Events of other submissions (e.g. MCP startup) go out too; only this turn's terminal ends it.
        let params = json!({
            "_meta": {"requestId": request_id},
            "id": event.id,
            "msg": event.msg,
        });
        let _ = context
            .peer
            .send_notification(ServerNotification::CustomNotification(
                CustomNotification::new("codex/event", Some(params)),
            ))
            .await;
        if let Some((call_id, message)) = approval_request(&event.msg) {
            let decision = elicit(&context.peer, message).await;
            let op = match &event.msg {
                EventMsg::ApplyPatchApprovalRequest(_) => Op::PatchApproval {
                    id: call_id,
                    decision,
                },
                EventMsg::McpToolCallApprovalRequest(_) => Op::McpToolApproval {
                    id: call_id,
                    decision,
                },
                _ => Op::ExecApproval {
                    id: call_id,
                    decision,
                },
            };
            conversation.submit(op).await?;
            continue;
        }
        if event.id != submission || !event.msg.is_turn_terminal() {
            continue;
        }
        return Ok(match event.msg {
            EventMsg::TaskComplete(done) => TurnEnd::Completed(done.last_agent_message),
            EventMsg::Error(e) => TurnEnd::Failed(e.message),
            EventMsg::TurnAborted(a) => {
                TurnEnd::Failed(format!("the turn was aborted ({:?})", a.reason))
            }
            other => TurnEnd::Failed(format!("the turn ended with {other:?}")),
        });
    }
}

/// The call id and a question for the user, when `msg` asks for approval.
fn approval_request(msg: &EventMsg) -> Option<(String, String)> {
    match msg {
        EventMsg::ExecApprovalRequest(r) => Some((
            r.call_id.clone(),
            format!(
                "Allow Codex to run `{}` in {}?{}",
                r.command.join(" "),
                r.cwd.display(),
                r.reason
                    .as_ref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            ),
        )),
        EventMsg::ApplyPatchApprovalRequest(r) => Some((
            r.call_id.clone(),
            format!(
                "Allow Codex to change {}?",
                r.changes
                    .keys()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        EventMsg::McpToolCallApprovalRequest(r) => Some((
            r.call_id.clone(),
            format!(
                "Allow Codex to call the tool `{}` of the MCP server `{}`?",
                r.invocation.tool, r.invocation.server
            ),
        )),
        _ => None,
    }
}

/// Asks the client; anything but an accept (no elicitation capability, decline, cancel, an error) is a
/// denial.
async fn elicit(peer: &Peer<RoleServer>, message: String) -> ReviewDecision {
    let supported = peer
        .peer_info()
        .is_some_and(|info| info.capabilities.elicitation.is_some());
    if !supported {
        return ReviewDecision::Denied;
    }
    let params: Option<ElicitRequestParams> = serde_json::from_value(json!({
        "mode": "form",
        "message": message,
        "requestedSchema": {"type": "object", "properties": {}}
    }))
    .ok();
    let Some(params) = params else {
        return ReviewDecision::Denied;
    };
    match peer.create_elicitation(params).await {
        Ok(result) if result.action == ElicitationAction::Accept => ReviewDecision::Approved,
        _ => ReviewDecision::Denied,
    }
}
