//! Compaction across compactions and resumes: every user message stays in the bridge, usage and rate limits
//! survive a resume (so automatic compaction still runs), and a rollout compacted by Codex CLI resumes into
//! the history Codex CLI itself would send.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::Codex;
use codex_sdk::model::{ModelProviderInfo, ScriptedModel, ScriptedResponse, WireApi};
use codex_sdk::protocol::*;
use codex_sdk::testing::{MockResponse, MockServer, sse};
use pretty_assertions::assert_eq;

use super::support::turn_events;

fn bridge(user_messages: &str, summary: &str) -> ResponseItem {
    ResponseItem::user_text(format!(
        "<compacted_history>\n{}",
        codex_sdk::conversation::compact::COMPACT_BRIDGE_TEMPLATE
            .replace("{user_messages}", user_messages)
            .replace("{summary}", summary)
    ))
}

async fn compact_now(conv: &mut codex_sdk::Conversation) {
    conv.submit(Op::Compact).await.unwrap();
    let msgs = turn_events(conv).await;
    assert!(
        matches!(msgs.last(), Some(EventMsg::TaskComplete(_))),
        "{msgs:#?}"
    );
}

#[tokio::test]
async fn every_user_message_stays_in_the_bridge_across_compactions_and_resume() {
    let home = tempfile::tempdir().unwrap();
    let model = Arc::new(ScriptedModel::new([
        ScriptedResponse::text("a1"),
        ScriptedResponse::text("s1"),
        ScriptedResponse::text("a2"),
        ScriptedResponse::text("s2"),
        ScriptedResponse::text("a3"),
        ScriptedResponse::text("s3"),
        ScriptedResponse::text("a4"),
    ]));
    let codex = Codex::builder()
        .model_client(model.clone())
        .codex_home(home.path())
        .cwd("/tmp")
        .no_builtin_tools()
        .build()
        .unwrap();
    let started = codex.new_conversation().await.unwrap();
    let path = started.rollout_path.clone().unwrap();
    let mut live = started.conversation;
    live.run("q1").await.unwrap();
    compact_now(&mut live).await;
    live.run("q2").await.unwrap();
    compact_now(&mut live).await;
    live.run("q3").await.unwrap();
    let prompts = model.prompts();
    // The second bridge holds q1 (from the first bridge) and q2, and no bridge inside it.
    assert_eq!(
        prompts[4].input[1..],
        [bridge("q1\n\nq2", "s2"), ResponseItem::user_text("q3")]
    );
    live.shutdown().await.unwrap();

    // Resumed, the folded messages are recovered from the rollout: the third bridge still has them all.
    let mut resumed = codex.resume_conversation(&path).await.unwrap().conversation;
    compact_now(&mut resumed).await;
    resumed.run("q4").await.unwrap();
    let last = model.prompts().pop().unwrap();
    assert_eq!(
        last.input[1..],
        [
            bridge("q1\n\nq2\n\nq3", "s3"),
            ResponseItem::user_text("q4")
        ]
    );
}

fn usage(input: u64) -> TokenUsage {
    TokenUsage {
        input_tokens: input,
        cached_input_tokens: 0,
        output_tokens: 10,
        reasoning_output_tokens: 0,
        total_tokens: input + 10,
    }
}

fn answer(id: &str, text: &str, input_tokens: u64) -> MockResponse {
    MockResponse::sse([
        sse::created(id),
        sse::assistant_message(&format!("m_{id}"), text),
        sse::completed_with_usage(id, &usage(input_tokens)),
    ])
}

/// One process per turn, as `exec resume` and the official SDKs drive a conversation.
#[tokio::test]
async fn a_resumed_conversation_over_its_limit_compacts_before_its_next_request() {
    let server = MockServer::start().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let codex = || {
        super::support::keep(
            Codex::builder()
                .provider(
                    ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
                        .with_retries(0, 0)
                        .with_stream_idle_timeout(Duration::from_secs(5)),
                )
                .api_key("sk-resume")
                .model("gpt-5-codex")
                .codex_home(home.path())
                .cwd("/tmp")
                .no_builtin_tools()
                .model_context_window(1000)
                .configure(|c| c.model_auto_compact_token_limit = Some(700))
                .build()
                .unwrap(),
        )
    };
    server.enqueue(
        answer("r1", "first answer", 790)
            .header("x-codex-primary-used-percent", "42.5")
            .header("x-codex-primary-window-minutes", "300"),
    );
    let started = codex().new_conversation().await.unwrap();
    let path = started.rollout_path.clone().unwrap();
    let mut first = started.conversation;
    first.run("first question").await.unwrap();
    first.shutdown().await.unwrap();

    // A new process: the window is still 800 tokens full, so the history is compacted first.
    server.enqueue(answer("r2", "the summary", 820));
    server.enqueue(answer("r3", "second answer", 120));
    let mut second = codex()
        .resume_conversation(&path)
        .await
        .unwrap()
        .conversation;
    second.send("second question").await.unwrap();
    let msgs = turn_events(&mut second).await;
    assert!(
        msgs.contains(&EventMsg::ContextCompactionBegin(
            ContextCompactionBeginEvent {
                trigger: CompactionTrigger::Auto
            }
        )),
        "{msgs:#?}"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let last_input = requests[2].json()["input"].clone();
    let texts: Vec<String> = last_input
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    // The environment context, then the bridge holding both questions.
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(texts[1].starts_with("<compacted_history>"), "{texts:#?}");
    assert!(
        texts[1].contains("first question\n\nsecond question"),
        "{texts:#?}"
    );
    // Usage goes on from the restored total; the rate limits from the first process are still known.
    let count = msgs
        .iter()
        .rev()
        .find_map(|m| match m {
            EventMsg::TokenCount(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap();
    let info = count.info.unwrap();
    assert_eq!(info.total_token_usage.input_tokens, 790 + 820 + 120);
    assert_eq!(
        count
            .rate_limits
            .and_then(|r| r.primary)
            .map(|p| p.used_percent),
        Some(42.5)
    );
}

const CODEX_SUMMARY: &str = "Another language model started to solve this problem and produced a summary of its thinking process. You also have access to the state of the tools that were used by that language model. Use this to build on the work that has already been done and avoid duplicating work. Here is the summary produced by the other language model, use the information in this summary to  assist with your own analysis:\nWe fixed the parser.";

/// A rollout in Codex CLI's format whose `compacted` line carries only the summary message (with Codex's
/// prefix) and no replacement history, as Codex CLI versions of the seed's era wrote it (0.169 adds the
/// replacement history; see `rollout_interop`).
fn codex_compacted_rollout(id: &str) -> String {
    let lines = [
        format!(
            r#"{{"timestamp":"2026-11-25T07:39:00.000Z","ordinal":0,"type":"session_meta","payload":{{"id":"{id}","session_id":"{id}","timestamp":"2026-11-25T07:39:00.000Z","cwd":"/tmp","originator":"codex_exec","cli_version":"0.169.0","source":"exec","model_provider":"openai","base_instructions":{{"text":"x"}}}}}}"#
        ),
        r#"{"timestamp":"2026-11-25T07:39:00.100Z","ordinal":1,"type":"response_item","payload":{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions instructions>sandboxed</permissions instructions>"}]}}"#.to_owned(),
        r#"{"timestamp":"2026-11-25T07:39:00.200Z","ordinal":2,"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>\n  <cwd>/tmp</cwd>\n</environment_context>"}]}}"#.to_owned(),
        r#"{"timestamp":"2026-11-25T07:39:01.000Z","ordinal":3,"type":"event_msg","payload":{"type":"user_message","message":"fix the parser","images":[]}}"#.to_owned(),
        r#"{"timestamp":"2026-11-25T07:39:01.000Z","ordinal":4,"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"fix the parser"}]}}"#.to_owned(),
        r#"{"timestamp":"2026-11-25T07:39:02.000Z","ordinal":5,"type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"done"}]}}"#.to_owned(),
        r#"{"timestamp":"2026-11-25T07:39:03.000Z","ordinal":6,"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"and the tests"}]}}"#.to_owned(),
        r#"{"timestamp":"2026-11-25T07:39:04.000Z","ordinal":7,"type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"tests too"}]}}"#.to_owned(),
        format!(
            r#"{{"timestamp":"2026-11-25T07:39:05.000Z","ordinal":8,"type":"compacted","payload":{{"message":{}}}}}"#,
            serde_json::to_string(CODEX_SUMMARY).unwrap()
        ),
        r#"{"timestamp":"2026-11-25T07:39:05.100Z","ordinal":9,"type":"event_msg","payload":{"type":"context_compacted"}}"#.to_owned(),
    ];
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[tokio::test]
async fn a_rollout_compacted_by_codex_cli_resumes_into_codex_s_history() {
    let home = tempfile::tempdir().unwrap();
    let id = "0199f000-0000-7000-8000-00000000c0de";
    let path = home.path().join("codex-compacted.jsonl");
    std::fs::write(&path, codex_compacted_rollout(id)).unwrap();
    let model = Arc::new(ScriptedModel::new([ScriptedResponse::text("ok")]));
    let codex = Codex::builder()
        .model_client(model.clone())
        .codex_home(home.path())
        .cwd("/tmp")
        .no_builtin_tools()
        .build()
        .unwrap();
    let mut conv = codex.resume_conversation(&path).await.unwrap().conversation;
    conv.run("next step").await.unwrap();
    let input = model.prompts().pop().unwrap().input;
    let (developer, env) = (input[0].clone(), input[1].clone());
    assert!(matches!(&developer, ResponseItem::Message { role, .. } if role == "developer"));
    assert!(
        env.message_text()
            .unwrap()
            .starts_with("<environment_context>")
    );
    // Initial context, the user messages before the compaction, Codex's summary, then the new message.
    assert_eq!(
        input[2..],
        [
            ResponseItem::user_text("fix the parser"),
            ResponseItem::user_text("and the tests"),
            ResponseItem::user_text(CODEX_SUMMARY),
            ResponseItem::user_text("next step"),
        ]
    );
}
