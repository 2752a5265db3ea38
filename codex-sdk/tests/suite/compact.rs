//! Compaction: automatic at the threshold, manual, still-too-large, interrupted — with the exact requests.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::*;
use codex_sdk::{Codex, ErrorCode};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::support::{events_until, scripted, turn_events};

fn usage(total: u64) -> TokenUsage {
    TokenUsage {
        input_tokens: total - 10,
        cached_input_tokens: 0,
        output_tokens: 10,
        reasoning_output_tokens: 0,
        total_tokens: total,
    }
}

fn bridge(user_messages: &str, summary: &str) -> ResponseItem {
    ResponseItem::user_text(format!(
        "<compacted_history>\n{}",
        codex_sdk::conversation::compact::COMPACT_BRIDGE_TEMPLATE
            .replace("{user_messages}", user_messages)
            .replace("{summary}", summary)
    ))
}

#[tokio::test]
async fn auto_compaction_at_the_threshold_sends_the_bridged_history() {
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("echo", json!({})).usage(usage(800)),
        ScriptedResponse::text("SUMMARY: echoed once").usage(usage(900)),
        ScriptedResponse::text("all done").usage(usage(120)),
    ]);
    let echo = codex_sdk::tools::FunctionTool::new(
        "echo",
        "echo",
        json!({"type": "object"}),
        |_a, _c| async { Ok("echoed".into()) },
    );
    let codex = builder
        .tool(echo)
        .model_context_window(1000)
        .configure(|c| c.model_auto_compact_token_limit = Some(700))
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("please echo").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(msgs.contains(&EventMsg::ContextCompactionBegin(
        ContextCompactionBeginEvent {
            trigger: CompactionTrigger::Auto
        }
    )));
    let end = msgs
        .iter()
        .find_map(|m| match m {
            EventMsg::ContextCompactionEnd(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(end.summary, "SUMMARY: echoed once");
    assert!(
        !msgs
            .iter()
            .any(|m| matches!(m, EventMsg::AgentMessage(a) if a.message.starts_with("SUMMARY")))
    );
    assert_eq!(
        msgs.last().unwrap(),
        &EventMsg::TaskComplete(TaskCompleteEvent {
            last_agent_message: Some("all done".into())
        })
    );
    let prompts = model.prompts();
    assert_eq!(prompts.len(), 3);
    // The summary request: the whole history plus the compaction prompt, no tools.
    let summary_req = &prompts[1];
    assert!(summary_req.tools.is_empty());
    assert_eq!(
        summary_req.input.last().unwrap(),
        &ResponseItem::user_text(codex_sdk::conversation::compact::COMPACT_PROMPT)
    );
    assert_eq!(
        summary_req.input.len(),
        5,
        "env, user, call, output, prompt"
    );
    // The next request: initial context + bridge, nothing else.
    let env_context = prompts[0].input[0].clone();
    assert_eq!(
        prompts[2].input,
        vec![env_context, bridge("please echo", "SUMMARY: echoed once")]
    );
    assert_eq!(end.replacement_history, prompts[2].input);
}

#[tokio::test]
async fn manual_compaction_replaces_the_history_for_the_next_turn() {
    let (builder, model) = scripted([
        ScriptedResponse::text("first answer"),
        ScriptedResponse::text("the summary"),
        ScriptedResponse::text("second answer"),
    ]);
    let keep_codex = builder.build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.run("first question").await.unwrap();
    conv.submit(Op::Compact).await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let kinds: Vec<&str> = msgs
        .iter()
        .map(|m| match m {
            EventMsg::TaskStarted(_) => "started",
            EventMsg::ContextCompactionBegin(_) => "begin",
            EventMsg::TokenCount(_) => "tokens",
            EventMsg::ContextCompactionEnd(_) => "end",
            EventMsg::TaskComplete(_) => "complete",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["started", "begin", "tokens", "end", "complete"]);
    conv.run("second question").await.unwrap();
    let prompts = model.prompts();
    assert_eq!(
        prompts[2].input[1..],
        [
            bridge("first question", "the summary"),
            ResponseItem::user_text("second question")
        ]
    );
}

#[tokio::test]
async fn still_too_large_after_compaction_ends_the_turn_instead_of_looping() {
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("nothing", json!({})).usage(usage(900)),
        ScriptedResponse::text("x".repeat(4000)).usage(usage(950)),
    ]);
    let codex = builder
        .model_context_window(1000)
        .configure(|c| c.model_auto_compact_token_limit = Some(500))
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send(UserInput::text("y".repeat(3000))).await.unwrap();
    let msgs = turn_events(&mut conv).await;
    match msgs.last().unwrap() {
        EventMsg::Error(e) => {
            assert_eq!(e.code, ErrorCode::ContextWindowExceeded);
            assert!(e.message.contains("after compaction"), "{}", e.message);
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(model.prompts().len(), 2);
}

#[tokio::test]
async fn an_interrupt_during_compaction_leaves_the_history_intact() {
    let model = Arc::new(
        ScriptedModel::new([
            ScriptedResponse::text("answer one"),
            ScriptedResponse::text("a summary that streams slowly word by word"),
            ScriptedResponse::text("answer two"),
        ])
        .with_event_delay(Duration::from_millis(15)),
    );
    let codex = Codex::builder()
        .model_client(model.clone())
        .no_builtin_tools()
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.run("question one").await.unwrap();
    conv.submit(Op::Compact).await.unwrap();
    events_until(&mut conv, |m| {
        matches!(m, EventMsg::ContextCompactionBegin(_))
    })
    .await;
    conv.interrupt().await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(matches!(msgs.last(), Some(EventMsg::TurnAborted(_))));
    assert!(
        !msgs
            .iter()
            .any(|m| matches!(m, EventMsg::ContextCompactionEnd(_)))
    );
    conv.run("question two").await.unwrap();
    let last = model.prompts().pop().unwrap();
    assert_eq!(
        last.input[1..],
        [
            ResponseItem::user_text("question one"),
            ResponseItem::assistant_text("answer one"),
            ResponseItem::user_text("question two"),
        ]
    );
}

#[tokio::test]
async fn a_limit_above_the_window_is_rejected_when_building() {
    let err = Codex::builder()
        .model_context_window(1000)
        .configure(|c| c.model_auto_compact_token_limit = Some(5000))
        .build()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.to_string().contains("model_auto_compact_token_limit"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_model_warns_once_about_its_assumed_window() {
    let (builder, _model) = scripted([ScriptedResponse::text("a"), ScriptedResponse::text("b")]);
    let keep_codex = builder.model("my-local-model").build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("one").await.unwrap();
    let first = turn_events(&mut conv).await;
    conv.send("two").await.unwrap();
    let second = turn_events(&mut conv).await;
    let warnings = |msgs: &[EventMsg]| {
        msgs.iter()
            .filter(|m| matches!(m, EventMsg::Warning(_)))
            .count()
    };
    assert_eq!((warnings(&first), warnings(&second)), (1, 0));
    assert!(first.contains(&EventMsg::TaskStarted(TaskStartedEvent {
        model_context_window: Some(codex_sdk::config::DEFAULT_CONTEXT_WINDOW)
    })));
}

#[tokio::test]
async fn resuming_after_compaction_sends_exactly_the_live_request() {
    let home = tempfile::tempdir().unwrap();
    let model = Arc::new(ScriptedModel::new([
        ScriptedResponse::text("answer one"),
        ScriptedResponse::text("the hand-off summary"),
        ScriptedResponse::text("live answer"),
        ScriptedResponse::text("resumed answer"),
    ]));
    let codex = Codex::builder()
        .model_client(model.clone())
        .codex_home(home.path())
        .cwd("/tmp")
        .build()
        .unwrap();
    let started = codex.new_conversation().await.unwrap();
    let path = started.rollout_path.clone().unwrap();
    let mut live = started.conversation;
    live.run("question one").await.unwrap();
    live.submit(Op::Compact).await.unwrap();
    turn_events(&mut live).await;
    live.submit(Op::GetPath).await.unwrap();
    events_until(&mut live, |m| matches!(m, EventMsg::ConversationPath(_))).await;
    let snapshot = home.path().join("snapshot.jsonl");
    std::fs::copy(&path, &snapshot).unwrap();

    live.run("question two").await.unwrap();
    live.shutdown().await.unwrap();
    let mut resumed = codex
        .resume_conversation(&snapshot)
        .await
        .unwrap()
        .conversation;
    resumed.run("question two").await.unwrap();
    let prompts = model.prompts();
    let (live_req, resumed_req) = (&prompts[2], &prompts[3]);
    assert_eq!(live_req.input, resumed_req.input);
    assert_eq!(
        live_req.input[1..],
        [
            bridge("question one", "the hand-off summary"),
            ResponseItem::user_text("question two")
        ]
    );
}
