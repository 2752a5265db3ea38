//! Helpers for the MCP tests: the test server (`examples/mcp_test_server.rs`), scripted calls, outputs.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::Conversation;
use codex_sdk::mcp::McpServerConfig;
use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::{AskForApproval, EventMsg, McpStartupCompleteEvent, ResponseItem};
use serde_json::Value;

use super::support::{events_until, example_binary, keep, scripted};

/// The test server over stdio, in `mode`.
pub(super) fn test_server(mode: &str) -> McpServerConfig {
    McpServerConfig::stdio(example_binary("mcp_test_server").to_string_lossy(), [mode])
}

/// One response calling `calls` (id, tool, JSON arguments).
pub(super) fn calls(calls: &[(&str, &str, &str)]) -> ScriptedResponse {
    let mut response = ScriptedResponse::new();
    for (id, name, args) in calls {
        response = response.item(ResponseItem::FunctionCall {
            id: None,
            name: (*name).to_owned(),
            arguments: (*args).to_owned(),
            call_id: (*id).to_owned(),
        });
    }
    response
}

/// A conversation with `servers`, playing `responses`, under `policy`.
pub(super) async fn conversation(
    servers: Vec<(&str, McpServerConfig)>,
    responses: Vec<ScriptedResponse>,
    policy: AskForApproval,
) -> (Conversation, Arc<ScriptedModel>) {
    let (mut builder, model) = scripted(responses);
    builder = builder.approval_policy(policy);
    for (name, config) in servers {
        builder = builder.mcp_server(name, config);
    }
    let conv = builder
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    (conv, model)
}

/// Reads events until `McpStartupComplete`.
pub(super) async fn startup(conv: &mut Conversation) -> (Vec<EventMsg>, McpStartupCompleteEvent) {
    let events: Vec<EventMsg> =
        events_until(conv, |m| matches!(m, EventMsg::McpStartupComplete(_)))
            .await
            .into_iter()
            .map(|e| e.msg)
            .collect();
    let Some(EventMsg::McpStartupComplete(done)) = events.last().cloned() else {
        unreachable!()
    };
    (events, done)
}

/// The `(output, success)` of the `function_call_output` for `call_id` in the `n`th request.
pub(super) fn output(model: &ScriptedModel, n: usize, call_id: &str) -> (String, Option<bool>) {
    model.prompts()[n]
        .input
        .iter()
        .find_map(|item| match item {
            ResponseItem::FunctionCallOutput {
                call_id: id,
                output,
            } if id == call_id => Some((output.content.clone(), output.success)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no output for {call_id} in request {n}"))
}

/// The tool names of the `n`th request.
pub(super) fn tool_names(model: &ScriptedModel, n: usize) -> Vec<String> {
    model.prompts()[n]
        .tools
        .iter()
        .map(|t| t.name().to_owned())
        .collect()
}

/// Waits (polling, at most 10 s) until `f` holds.
pub(super) async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

/// Whether a process is alive (and not a zombie).
pub(super) fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(')').next().map(|r| r.trim_start().to_owned()))
        .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
}

/// The JSON of a text output.
pub(super) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}
