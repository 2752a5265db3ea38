//! Built-in tools driven through full turns with the scripted model: the model calls the tool, the test
//! asserts the events and the tool output in the next request's input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use codex_sdk::Conversation;
use codex_sdk::model::{ScriptedResponse, WireApi};
use codex_sdk::protocol::{
    AskForApproval, EventMsg, Op, ResponseItem, ReviewDecision, SandboxPolicy, TurnAbortReason,
};
use codex_sdk::tools::{BuiltinToolsConfig, register_builtin_tools};
use serde_json::{Value, json};

use super::support::{events_until, scripted, turn_events};
use super::tools_common::workspace;

/// A model that calls `calls` (id, tool, raw JSON arguments) in one response, then answers "done".
fn call_then_answer(calls: &[(&str, &str, String)]) -> ScriptedResponse {
    let mut response = ScriptedResponse::new();
    for (id, name, args) in calls {
        response = response.item(ResponseItem::FunctionCall {
            id: None,
            name: (*name).to_owned(),
            arguments: args.clone(),
            call_id: (*id).to_owned(),
        });
    }
    response
}

async fn conversation(
    first: ScriptedResponse,
    cwd: &std::path::Path,
    approval: AskForApproval,
    sandbox: SandboxPolicy,
) -> (
    Conversation,
    std::sync::Arc<codex_sdk::model::ScriptedModel>,
) {
    let (builder, model) = scripted([first, ScriptedResponse::text("done")]);
    let codex = super::support::keep(
        builder
            .cwd(cwd)
            .approval_policy(approval)
            .sandbox_policy(sandbox)
            .build()
            .unwrap(),
    );
    let conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(
        conv.tools(),
        &BuiltinToolsConfig::default().with_unified_exec(true),
    )
    .unwrap();
    (conv, model)
}

/// The request body's `input` (as the wire JSON) of the `n`th model request.
fn request_input(model: &codex_sdk::model::ScriptedModel, n: usize) -> Value {
    json!({"input": serde_json::to_value(&model.prompts()[n].input).unwrap()})
}

/// The `output` of each `function_call_output` in a recorded request body, by call id.
fn outputs(body: &Value) -> Vec<(String, String)> {
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "function_call_output")
        .map(|i| {
            (
                i["call_id"].as_str().unwrap().to_owned(),
                i["output"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn shell_over_http_streams_events_and_answers_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let first = call_then_answer(&[(
        "c1",
        "shell",
        json!({"command": ["bash", "-c", "echo hello-from-shell"]}).to_string(),
    )]);
    let (mut conv, model) =
        conversation(first, dir.path(), AskForApproval::Never, workspace()).await;
    conv.send("run it").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TaskComplete(_))),
        "{events:#?}"
    );
    let begin = events
        .iter()
        .position(|e| matches!(e, EventMsg::ExecCommandBegin(b) if b.call_id == "c1"));
    let end = events
        .iter()
        .position(|e| matches!(e, EventMsg::ExecCommandEnd(e) if e.exit_code == 0));
    assert!(begin.unwrap() < end.unwrap());

    let names: Vec<String> = model.prompts()[0]
        .tools
        .iter()
        .map(|t| t.name().to_owned())
        .collect();
    for name in [
        "shell",
        "unified_exec",
        "apply_patch",
        "read_file",
        "list_dir",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    let outs = outputs(&request_input(&model, 1));
    assert_eq!(outs.len(), 1);
    assert_eq!(outs[0].0, "c1");
    assert!(
        outs[0].1.contains("Exit code: 0") && outs[0].1.contains("hello-from-shell"),
        "{}",
        outs[0].1
    );
}

#[tokio::test]
async fn parallel_reads_and_a_patch_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "alpha\n").unwrap();
    std::fs::write(&b, "beta\n").unwrap();
    let first = call_then_answer(&[
        ("r_a", "read_file", json!({"file_path": a}).to_string()),
        ("r_b", "read_file", json!({"file_path": b}).to_string()),
        ("ls", "list_dir", json!({"dir_path": dir.path()}).to_string()),
        (
            "p",
            "apply_patch",
            json!({"input": "*** Begin Patch\n*** Update File: a.txt\n-alpha\n+ALPHA\n*** End Patch"})
                .to_string(),
        ),
    ]);
    let (mut conv, model) =
        conversation(first, dir.path(), AskForApproval::OnRequest, workspace()).await;
    conv.send("edit").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TaskComplete(_))),
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventMsg::PatchApplyEnd(p) if p.success))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventMsg::TurnDiff(d) if d.unified_diff.contains("+ALPHA")))
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "ALPHA\n");

    let outs = outputs(&request_input(&model, 1));
    let ids: Vec<&str> = outs.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["r_a", "r_b", "ls", "p"], "outputs in call order");
    assert_eq!(outs[0].1, "L1: alpha");
    assert_eq!(outs[1].1, "L1: beta");
    assert!(outs[2].1.contains("a.txt\nb.txt"));
    assert!(outs[3].1.starts_with("Success."));
}

#[tokio::test]
async fn bad_inputs_over_http_are_answered_and_the_turn_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let calls: Vec<(&str, &str, String)> = [
        ("bad_json", "shell", "{not json"),
        ("wrong_type", "read_file", r#"{"file_path": 7}"#),
        ("missing", "list_dir", "{}"),
        (
            "nope",
            "read_file",
            r#"{"file_path": "/definitely/not/here"}"#,
        ),
        ("patch", "apply_patch", r#"{"input": "garbage"}"#),
        (
            "plan",
            "update_plan",
            r#"{"plan": [{"step": "x", "status": "bogus"}]}"#,
        ),
        ("img", "view_image", r#"{"path": "nothing.png"}"#),
        (
            "ux",
            "unified_exec",
            r#"{"input": ["x"], "session_id": "999"}"#,
        ),
    ]
    .into_iter()
    .map(|(id, name, args)| (id, name, args.to_owned()))
    .collect();
    let (mut conv, model) = conversation(
        call_then_answer(&calls),
        dir.path(),
        AskForApproval::Never,
        workspace(),
    )
    .await;
    conv.send("break things").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TaskComplete(_))),
        "{events:#?}"
    );
    let outs = outputs(&request_input(&model, 1));
    assert_eq!(outs.len(), 8);
    for (id, out) in &outs {
        assert!(!out.is_empty(), "{id}");
    }
}

#[tokio::test]
async fn view_image_reaches_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("i.png"), b"\x89PNG\r\n\x1a\nrest").unwrap();
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("view_image", json!({"path": "i.png"})),
        ScriptedResponse::text("a picture"),
    ]);
    let codex = builder.cwd(dir.path()).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(conv.tools(), &BuiltinToolsConfig::default()).unwrap();
    conv.run("look").await.unwrap();
    let second = &model.prompts()[1];
    let has_image = second.input.iter().any(|item| {
        matches!(item, ResponseItem::Message { role, content, .. } if role == "user"
            && content.iter().any(|c| matches!(c,
                codex_sdk::protocol::ContentItem::InputImage { image_url } if image_url.starts_with("data:image/png;base64,"))))
    });
    assert!(has_image, "{:#?}", second.input);
}

async fn approval_turn(
    decision: ReviewDecision,
) -> (Vec<EventMsg>, tempfile::TempDir, Conversation) {
    let dir = tempfile::tempdir().unwrap();
    let (builder, _model) = scripted([
        ScriptedResponse::tool_call("shell", json!({"command": ["touch", "approved.txt"]})),
        ScriptedResponse::text("finished"),
    ]);
    let codex = builder
        .cwd(dir.path())
        .approval_policy(AskForApproval::UnlessTrusted)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(conv.tools(), &BuiltinToolsConfig::default()).unwrap();
    conv.send("touch it").await.unwrap();
    let asked = events_until(&mut conv, |e| matches!(e, EventMsg::ExecApprovalRequest(_))).await;
    let Some(EventMsg::ExecApprovalRequest(req)) = asked.last().map(|e| e.msg.clone()) else {
        panic!("no approval request");
    };
    assert_eq!(req.command, ["touch", "approved.txt"]);
    conv.submit(Op::ExecApproval {
        id: req.call_id.clone(),
        decision,
    })
    .await
    .unwrap();
    let events = turn_events(&mut conv).await;
    (events, dir, conv)
}

#[tokio::test]
async fn exec_approval_op_approves() {
    let (events, dir, _conv) = approval_turn(ReviewDecision::Approved).await;
    assert!(matches!(events.last(), Some(EventMsg::TaskComplete(_))));
    assert!(dir.path().join("approved.txt").exists());
}

#[tokio::test]
async fn exec_approval_op_denies_and_the_turn_goes_on() {
    let (events, dir, _conv) = approval_turn(ReviewDecision::Denied).await;
    assert!(matches!(events.last(), Some(EventMsg::TaskComplete(_))));
    assert!(
        events.iter().any(
            |e| matches!(e, EventMsg::ToolCallEnd(t) if t.output.contains("rejected by user"))
        )
    );
    assert!(!dir.path().join("approved.txt").exists());
}

#[tokio::test]
async fn exec_approval_abort_ends_the_turn_as_interrupted() {
    let (events, dir, _conv) = approval_turn(ReviewDecision::Abort).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TurnAborted(a)) if a.reason == TurnAbortReason::Interrupted),
        "{events:#?}"
    );
    assert!(!dir.path().join("approved.txt").exists());
}

#[tokio::test]
async fn denied_sandbox_write_is_reported_to_the_model() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("nope.txt");
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("shell", json!({"command": ["touch", target]})),
        ScriptedResponse::text("blocked"),
    ]);
    let codex = builder
        .cwd(dir.path())
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(workspace())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(conv.tools(), &BuiltinToolsConfig::default()).unwrap();
    conv.run("escape").await.unwrap();
    let out = model.prompts()[1]
        .input
        .iter()
        .find_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.content.clone()),
            _ => None,
        })
        .unwrap();
    assert!(out.contains("Permission denied"), "{out}");
    assert!(!target.exists());
}

#[tokio::test]
async fn unified_exec_sessions_live_across_turns_of_one_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("unified_exec", json!({"input": ["cat"], "timeout_ms": 100})),
        ScriptedResponse::text("started"),
    ]);
    let codex = builder
        .cwd(dir.path())
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(
        conv.tools(),
        &BuiltinToolsConfig::default().with_unified_exec(true),
    )
    .unwrap();
    conv.run("start cat").await.unwrap();
    let first = model.prompts()[1]
        .input
        .iter()
        .find_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.content.clone()),
            _ => None,
        })
        .unwrap();
    let session: Value = serde_json::from_str(&first).unwrap();
    let id = session["session_id"].as_str().unwrap().to_owned();
    model.push(ScriptedResponse::tool_call(
        "unified_exec",
        json!({"input": ["echo-me\n"], "session_id": id, "timeout_ms": 500}),
    ));
    model.push(ScriptedResponse::text("echoed"));
    conv.run("write to it").await.unwrap();
    let prompts = model.prompts();
    let last = prompts.last().unwrap();
    let out = last
        .input
        .iter()
        .rev()
        .find_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.content.clone()),
            _ => None,
        })
        .unwrap();
    assert!(out.contains("echo-me"), "{out}");
}

#[test]
fn chat_tool_list_has_no_unified_exec() {
    let registry = codex_sdk::tools::ToolRegistry::new();
    register_builtin_tools(
        &registry,
        &BuiltinToolsConfig::for_wire_api(WireApi::Chat).with_unified_exec(true),
    )
    .unwrap();
    assert!(registry.get("unified_exec").is_none());
}
