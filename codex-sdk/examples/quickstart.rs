//! The shortest real program: a conversation, a host tool, streamed events.
//! Runs offline with a scripted model; drop the `.model_client(...)` line to use OPENAI_API_KEY.
use std::sync::Arc;

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::EventMsg;
use codex_sdk::tools::FunctionTool;
use serde_json::json;

#[tokio::main]
async fn main() -> codex_sdk::Result<()> {
    let script = ScriptedModel::new([
        ScriptedResponse::tool_call("add", json!({"a": 2, "b": 40})),
        ScriptedResponse::text("2 + 40 = 42"),
    ]);
    let add = FunctionTool::new(
        "add",
        "Adds two integers.",
        json!({"type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}),
        |args, _ctx| async move {
            Ok((args["a"].as_i64().unwrap_or(0) + args["b"].as_i64().unwrap_or(0)).to_string())
        },
    );
    let codex = codex_sdk::Codex::builder()
        .model_client(Arc::new(script))
        .tool(add)
        .build()?;
    let mut conversation = codex.start_conversation().await?;
    let mut turn = conversation.stream("What is 2 + 40?").await?;
    while let Some(event) = turn.next_event().await {
        match event.msg {
            EventMsg::AgentMessageDelta(d) => print!("{}", d.delta),
            EventMsg::ToolCallEnd(t) => println!("[{} → {}]", t.tool, t.output),
            EventMsg::TaskComplete(_) => println!(),
            _ => {}
        }
    }
    Ok(())
}
