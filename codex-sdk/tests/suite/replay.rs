//! Deterministic replay: a conversation recorded against the loopback server re-runs offline from its
//! rollout with the same events; a replay that drifts fails with a typed divergence.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use codex_sdk::model::{ModelClient, ModelProviderInfo, ReplayModel, WireApi};
use codex_sdk::protocol::{AskForApproval, ErrorCode, EventMsg, TokenUsage};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::tools::FunctionTool;
use codex_sdk::{Codex, CodexBuilder, Conversation};
use serde_json::{Value, json};

use super::support::turn_events;
use super::tools_common::workspace;

fn lookup_tool() -> FunctionTool {
    FunctionTool::new(
        "lookup",
        "Looks a word up.",
        json!({"type": "object", "properties": {"word": {"type": "string"}}}),
        |args, _ctx| async move { Ok(format!("definition of {}", args["word"])) },
    )
}

fn builder(cwd: &Path) -> CodexBuilder {
    Codex::builder()
        .model("gpt-5-codex")
        .cwd(cwd)
        .instructions("replay test")
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(workspace())
        .tool(lookup_tool())
}

/// Two turns: a shell call, a host-tool call and an answer; then reasoning and an answer.
fn script(server: &MockServer) {
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::function_call(
            "call_sh",
            "shell",
            &json!({"command": ["bash", "-c", "echo recorded"]}).to_string(),
        ),
        sse::completed("r1"),
    ]));
    server.enqueue(MockResponse::sse([
        sse::created("r2"),
        sse::function_call(
            "call_lookup",
            "lookup",
            &json!({"word": "replay"}).to_string(),
        ),
        sse::completed("r2"),
    ]));
    server.enqueue(MockResponse::sse(sse::text_response(
        "r3",
        "The shell said recorded.",
    )));
    server.enqueue(MockResponse::sse([
        sse::created("r4"),
        sse::reasoning("rs1", &["thinking about it"]),
        sse::assistant_message("m4", "Second answer."),
        sse::completed_with_usage(
            "r4",
            &TokenUsage {
                input_tokens: 1200,
                cached_input_tokens: 1000,
                output_tokens: 30,
                reasoning_output_tokens: 10,
                total_tokens: 1230,
            },
        ),
    ]));
}

const TURNS: [&str; 2] = ["run the tools", "and again"];

async fn run_turns(conv: &mut Conversation, turns: &[&str]) -> Vec<EventMsg> {
    let mut events = Vec::new();
    for text in turns {
        conv.send(*text).await.unwrap();
        events.extend(turn_events(conv).await);
    }
    events
}

/// Records the conversation over HTTP; returns its events and rollout path.
async fn record(home: &Path, cwd: &Path) -> (Vec<EventMsg>, std::path::PathBuf) {
    let server = MockServer::start().await.unwrap();
    script(&server);
    let provider = ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
        .with_retries(0, 0)
        .with_stream_idle_timeout(Duration::from_secs(5));
    let codex = builder(cwd)
        .provider(provider)
        .api_key("sk-replay")
        .codex_home(home)
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let path = conv.session_configured().rollout_path.clone().unwrap();
    let events = run_turns(&mut conv, &TURNS).await;
    conv.shutdown().await.unwrap();
    assert_eq!(server.pending(), 0);
    (events, path)
}

async fn replay(
    model: Arc<ReplayModel>,
    cwd: &Path,
    turns: &[&str],
) -> (Vec<EventMsg>, Conversation, Codex) {
    let codex = builder(cwd)
        .model_client(model as Arc<dyn ModelClient>)
        .ephemeral()
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let events = run_turns(&mut conv, turns).await;
    (events, conv, codex)
}

/// An event as compared: JSON without timestamps, durations and wall times. Deltas are left out: how a
/// stream was chunked is not recorded (the final texts are compared), and neither is the session's identity.
fn normalized(events: &[EventMsg]) -> Vec<Value> {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|k, _| !k.contains("duration") && !k.contains("timestamp"));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            Value::String(text) if text.contains("Wall time: ") => {
                *text = text
                    .lines()
                    .filter(|line| !line.starts_with("Wall time: "))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            _ => {}
        }
    }
    events
        .iter()
        .map(|event| serde_json::to_value(event).unwrap())
        .filter(|v| v.get("delta").is_none() && v["type"] != "session_configured")
        .map(|mut v| {
            strip(&mut v);
            v
        })
        .collect()
}

fn assert_same_events(replayed: &[EventMsg], recorded: &[EventMsg]) {
    let (replayed, recorded) = (normalized(replayed), normalized(recorded));
    for (i, (a, b)) in replayed.iter().zip(&recorded).enumerate() {
        assert_eq!(a, b, "event {i} differs");
    }
    assert_eq!(replayed.len(), recorded.len(), "{replayed:#?}");
}

#[tokio::test]
async fn a_recorded_conversation_replays_offline_with_the_same_events() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (recorded, path) = record(home.path(), cwd.path()).await;
    assert!(recorded.iter().any(
        |e| matches!(e, EventMsg::ExecCommandEnd(end) if end.aggregated_output.contains("recorded"))
    ));
    let reported = |events: &[EventMsg]| {
        events.iter().rev().find_map(|e| match e {
            EventMsg::TokenCount(count) => count.info.map(|i| i.total_token_usage.total_tokens),
            _ => None,
        })
    };
    assert_eq!(reported(&recorded), Some(1230));

    let model = Arc::new(ReplayModel::from_rollout(&path).await.unwrap());
    assert_eq!(model.len(), 4);
    let (replayed, mut conv, _codex) = replay(model.clone(), cwd.path(), &TURNS).await;
    assert_eq!(model.divergence(), None);
    assert_eq!(model.remaining(), 0);
    assert_same_events(&replayed, &recorded);
    assert_eq!(reported(&replayed), Some(1230));
    conv.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_replay_that_sends_something_else_fails_naming_the_first_difference() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (_, path) = record(home.path(), cwd.path()).await;
    let model = Arc::new(ReplayModel::from_rollout(&path).await.unwrap());
    let (events, mut conv, _codex) = replay(
        model.clone(),
        cwd.path(),
        &["run the tools", "something else"],
    )
    .await;

    let divergence = model.divergence().expect("the second turn diverges");
    assert_eq!(divergence.request, 4);
    let index = divergence.item_index.expect("an input item differs");
    assert!(divergence.expected.contains("and again"), "{divergence}");
    assert!(divergence.found.contains("something else"), "{divergence}");
    match events.last() {
        Some(EventMsg::Error(err)) => {
            assert_eq!(err.code, ErrorCode::ReplayDiverged);
            assert!(err.message.contains("replay diverged"), "{}", err.message);
            assert!(
                err.message.contains(&format!("input item {index}")),
                "{}",
                err.message
            );
        }
        other => panic!("expected an error event, got {other:?}"),
    }
    // Once diverged, every later request fails the same way.
    assert_eq!(model.remaining(), 1);
    conv.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_replay_asking_for_more_than_was_recorded_fails() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (_, path) = record(home.path(), cwd.path()).await;
    let model = Arc::new(ReplayModel::from_rollout(&path).await.unwrap());
    let (events, mut conv, _codex) = replay(
        model.clone(),
        cwd.path(),
        &["run the tools", "and again", "more"],
    )
    .await;
    let divergence = model.divergence().unwrap();
    assert_eq!((divergence.request, divergence.item_index), (5, None));
    assert!(matches!(events.last(), Some(EventMsg::Error(_))));
    conv.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_recorded_conversation_is_found_by_id_in_its_codex_store() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (_, path) = record(home.path(), cwd.path()).await;
    let codex = builder(cwd.path()).codex_home(home.path()).build().unwrap();
    let id = codex.list_conversations(10, None).await.unwrap().items[0].conversation_id;
    let by_id = ReplayModel::from_conversation(&codex, id).await.unwrap();
    let by_path = ReplayModel::from_rollout(&path).await.unwrap();
    assert_eq!((by_id.len(), by_id.remaining()), (by_path.len(), 4));
    let ephemeral = builder(cwd.path()).ephemeral().build().unwrap();
    let err = ReplayModel::from_conversation(&ephemeral, id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn a_rollout_without_model_responses_is_invalid_input() {
    let err = ReplayModel::from_rollout_bytes(b"").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let missing = ReplayModel::from_rollout("/nonexistent/rollout.jsonl")
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::Io);
}
