//! Built-in tools over real HTTP: the loopback mock server plays the model, the test checks the events
//! and the tool outputs in the next request body.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::protocol::{AskForApproval, EventMsg};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::tools::{BuiltinToolsConfig, register_builtin_tools};
use codex_sdk::{Codex, Conversation};
use serde_json::{Value, json};

use super::support::turn_events;
use super::tools_common::workspace;

async fn conversation(server: &MockServer, cwd: &std::path::Path, wire: WireApi) -> Conversation {
    let provider = ModelProviderInfo::custom("mock", server.base_url(), wire)
        .with_retries(0, 0)
        .with_stream_idle_timeout(Duration::from_secs(5));
    let keep_codex = super::support::keep(
        Codex::builder()
            .provider(provider)
            .api_key("sk-tools")
            .model("gpt-5-codex")
            .cwd(cwd)
            .approval_policy(AskForApproval::Never)
            .sandbox_policy(workspace())
            .build()
            .unwrap(),
    );
    let conv = keep_codex.start_conversation().await.unwrap();
    register_builtin_tools(
        conv.tools(),
        &BuiltinToolsConfig::for_wire_api(wire).with_unified_exec(true),
    )
    .unwrap();
    conv
}

fn tool_outputs(body: &Value) -> Vec<(String, String)> {
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
async fn shell_and_apply_patch_over_http() {
    let server = MockServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.txt"), "old\n").unwrap();
    let patch =
        json!({"input": "*** Begin Patch\n*** Update File: f.txt\n-old\n+new\n*** End Patch"});
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::function_call(
            "sh",
            "shell",
            &json!({"command": ["bash", "-c", "echo from-http"]}).to_string(),
        ),
        sse::function_call("ap", "apply_patch", &patch.to_string()),
        sse::completed("r1"),
    ]));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
    let mut conv = conversation(&server, dir.path(), WireApi::Responses).await;
    conv.send("go").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TaskComplete(_))),
        "{events:#?}"
    );
    assert!(events.iter().any(|e| matches!(e, EventMsg::ExecCommandEnd(end) if end.aggregated_output.contains("from-http"))));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventMsg::TurnDiff(d) if d.unified_diff.contains("+new")))
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("f.txt")).unwrap(),
        "new\n"
    );

    let requests = server.wait_for_requests(2, Duration::from_secs(10)).await;
    let tools: Vec<String> = requests[0].json()["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    assert!(tools.contains(&"unified_exec".to_owned()));
    let outs = tool_outputs(&requests[1].json());
    assert_eq!(outs[0].0, "sh");
    assert!(
        outs[0].1.starts_with("Exit code: 0") && outs[0].1.contains("from-http"),
        "{}",
        outs[0].1
    );
    assert_eq!(outs[1].0, "ap");
    assert!(outs[1].1.starts_with("Success."), "{}", outs[1].1);
}

#[tokio::test]
async fn chat_requests_carry_no_unified_exec() {
    let server = MockServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    server.enqueue(MockResponse::chat([
        codex_sdk::testing::chat::content("c1", "hi"),
        codex_sdk::testing::chat::finish("c1", "stop"),
    ]));
    let mut conv = conversation(&server, dir.path(), WireApi::Chat).await;
    conv.send("hello").await.unwrap();
    turn_events(&mut conv).await;
    let requests = server.wait_for_requests(1, Duration::from_secs(10)).await;
    let body = requests[0].json();
    let names: Vec<&str> = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().or(t["name"].as_str()))
        .collect();
    assert!(names.contains(&"shell"), "{body}");
    assert!(!names.contains(&"unified_exec"), "{names:?}");
}

fn tool_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().or(t["name"].as_str()))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_config_key_offers_unified_exec_and_tools_follow_the_conversation_s_provider() {
    let server = MockServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let provider = |wire| {
        ModelProviderInfo::custom("mock", server.base_url(), wire)
            .with_retries(0, 0)
            .with_stream_idle_timeout(Duration::from_secs(5))
    };
    let overrides =
        [codex_sdk::config::parse_override("use_experimental_unified_exec_tool=true").unwrap()];
    let loaded = codex_sdk::config::Config::load(dir.path(), &overrides).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.config.use_experimental_unified_exec_tool);
    let codex = codex_sdk::CodexBuilder::new(loaded.config)
        .ephemeral()
        .provider(provider(WireApi::Responses))
        .api_key("sk-tools")
        .model("gpt-5-codex")
        .cwd(dir.path())
        .build()
        .unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "hi")));
    let mut conv = codex.start_conversation().await.unwrap();
    conv.run("hello").await.unwrap();
    assert!(tool_names(&server.requests()[0].json()).contains(&"unified_exec".to_owned()));

    // The same Codex, one conversation switched to a Chat Completions provider: no unified_exec for it.
    let mut chat_config = codex.config().clone();
    chat_config.model_provider = provider(WireApi::Chat);
    server.enqueue(MockResponse::chat([
        codex_sdk::testing::chat::content("c1", "hi"),
        codex_sdk::testing::chat::finish("c1", "stop"),
    ]));
    let mut chat = codex
        .new_conversation_with(chat_config)
        .await
        .unwrap()
        .conversation;
    chat.run("hello").await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let names = tool_names(&requests[1].json());
    assert!(names.contains(&"shell".to_owned()), "{names:?}");
    assert!(!names.contains(&"unified_exec".to_owned()), "{names:?}");
}

#[tokio::test]
async fn local_shell_calls_and_container_exec_run_through_shell_and_survive_resume() {
    let server = MockServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let codex = Codex::builder()
        .provider(
            ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
                .with_retries(0, 0)
                .with_stream_idle_timeout(Duration::from_secs(5)),
        )
        .api_key("sk-tools")
        .model("gpt-5-codex")
        .codex_home(home.path())
        .cwd(dir.path())
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(workspace())
        .build()
        .unwrap();
    let done = |item: Value| json!({"type": "response.output_item.done", "item": item});
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        done(json!({"type": "local_shell_call", "id": "lsh_1", "call_id": "ls1",
                    "status": "completed",
                    "action": {"type": "exec", "command": ["bash", "-c", "echo from-local-shell"]}})),
        sse::function_call(
            "ce1",
            "container.exec",
            &json!({"command": ["bash", "-c", "echo from-container-exec"]}).to_string(),
        ),
        done(json!({"type": "mystery_call", "id": "m1", "payload": {"x": 1}})),
        sse::completed("r1"),
    ]));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
    let started = codex.new_conversation().await.unwrap();
    let path = started.rollout_path.clone().unwrap();
    let mut conv = started.conversation;
    conv.send("go").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TaskComplete(_))),
        "{events:#?}"
    );
    let second = server.requests()[1].json();
    let outs = tool_outputs(&second);
    assert_eq!(outs.len(), 2, "{second}");
    assert_eq!(outs[0].0, "ls1");
    assert!(outs[0].1.contains("from-local-shell"), "{}", outs[0].1);
    assert_eq!(outs[1].0, "ce1");
    assert!(outs[1].1.contains("from-container-exec"), "{}", outs[1].1);
    let call = second["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "local_shell_call")
        .cloned()
        .unwrap();
    assert_eq!(
        call,
        json!({"type": "local_shell_call", "call_id": "ls1", "status": "completed",
               "action": {"type": "exec", "command": ["bash", "-c", "echo from-local-shell"]}})
    );
    conv.shutdown().await.unwrap();

    // Resumed: the call and its output are sent again, in the same places.
    server.enqueue(MockResponse::sse(sse::text_response("r3", "again")));
    let mut resumed = codex.resume_conversation(&path).await.unwrap().conversation;
    resumed.run("more").await.unwrap();
    let third = server.requests()[2].json();
    let before = second["input"].as_array().unwrap();
    assert_eq!(
        third["input"].as_array().unwrap()[..before.len()],
        before[..]
    );
}
