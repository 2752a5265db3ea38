//! Rollouts on real files: recording, resume, fork, torn files, Codex CLI's newer format, archive.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};
use std::sync::Arc;

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::*;
use codex_sdk::rollout::{
    InMemoryRolloutStore, RolloutContents, RolloutItem, SessionMeta, SessionSource,
    TurnContextItem, is_context_message,
};
use codex_sdk::{Codex, Error, ErrorCode};
use pretty_assertions::assert_eq;

use super::support::events_until;

pub(super) fn file_codex(
    home: &Path,
    responses: impl IntoIterator<Item = ScriptedResponse>,
) -> (Codex, Arc<ScriptedModel>) {
    let model = Arc::new(ScriptedModel::new(responses));
    let codex = Codex::builder()
        .model("gpt-5-codex")
        .cwd("/tmp")
        .instructions("test instructions")
        .codex_home(home)
        .model_client(model.clone())
        .build()
        .unwrap();
    (codex, model)
}

fn usage(total: u64) -> TokenUsage {
    TokenUsage {
        input_tokens: total - 1,
        cached_input_tokens: 0,
        output_tokens: 1,
        reasoning_output_tokens: 0,
        total_tokens: total,
    }
}

pub(super) fn read(path: &Path) -> RolloutContents {
    RolloutContents::parse(&std::fs::read(path).unwrap())
}

fn items(contents: &RolloutContents) -> Vec<RolloutItem> {
    contents.entries.iter().map(|e| e.item.clone()).collect()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Runs `prompts` as turns of a new conversation, shuts it down, returns its id and rollout path.
async fn record(home: &Path, prompts: &[&str]) -> (ConversationId, PathBuf) {
    let responses = prompts
        .iter()
        .map(|p| ScriptedResponse::text(format!("re: {p}")));
    let (codex, _) = file_codex(home, responses);
    let new = codex.new_conversation().await.unwrap();
    let mut conv = new.conversation;
    for p in prompts {
        conv.run(*p).await.unwrap();
    }
    conv.shutdown().await.unwrap();
    (new.conversation_id, new.rollout_path.unwrap())
}

#[tokio::test]
async fn a_turn_is_recorded_line_by_line_in_a_private_file() {
    let home = tempfile::tempdir().unwrap();
    let (codex, _) = file_codex(
        home.path(),
        [ScriptedResponse::text("Hello").usage(usage(7))],
    );
    let new = codex.new_conversation().await.unwrap();
    let path = new.rollout_path.clone().unwrap();
    assert_eq!(new.session_configured.rollout_path.as_ref(), Some(&path));
    let mut conv = new.conversation;
    conv.run("hi").await.unwrap();
    conv.submit(Op::GetPath).await.unwrap();
    let events = events_until(&mut conv, |m| matches!(m, EventMsg::ConversationPath(_))).await;
    assert_eq!(
        events.last().unwrap().msg,
        EventMsg::ConversationPath(ConversationPathEvent {
            conversation_id: new.conversation_id,
            path: Some(path.clone()),
        })
    );

    let day = path.parent().unwrap();
    let sessions = home.path().join("sessions");
    assert_eq!(
        day.parent().unwrap().parent().unwrap().parent().unwrap(),
        sessions
    );
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("rollout-") && name.ends_with(&format!("-{}.jsonl", new.conversation_id))
    );
    assert_eq!(mode(&path), 0o600);
    for dir in [
        day,
        day.parent().unwrap(),
        day.parent().unwrap().parent().unwrap(),
        &sessions,
    ] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }

    let contents = read(&path);
    assert_eq!(contents.report.lines, 8);
    assert!(!contents.report.torn_tail);
    let meta = contents.meta.clone().unwrap();
    let env = contents.history()[0].clone();
    assert!(is_context_message(&env));
    let info = TokenUsageInfo {
        total_token_usage: usage(7),
        last_token_usage: usage(7),
        model_context_window: Some(272_000),
    };
    assert_eq!(
        items(&contents),
        vec![
            RolloutItem::SessionMeta(SessionMeta {
                id: new.conversation_id,
                timestamp: meta.timestamp.clone(),
                cwd: "/tmp".into(),
                originator: "codex_sdk_rs".into(),
                cli_version: env!("CARGO_PKG_VERSION").into(),
                instructions: None,
                source: SessionSource::Exec,
                model_provider: Some("openai".into()),
                git: None,
            }),
            RolloutItem::ResponseItem(env),
            RolloutItem::TurnContext(TurnContextItem {
                cwd: "/tmp".into(),
                approval_policy: Some(AskForApproval::OnRequest),
                sandbox_policy: Some(SandboxPolicy::default()),
                model: "gpt-5-codex".into(),
                effort: None,
                summary: Some(ReasoningSummary::Auto),
                user_instructions: None,
            }),
            RolloutItem::EventMsg(EventMsg::UserMessage(UserMessageEvent {
                message: "hi".into(),
                images: None,
            })),
            RolloutItem::ResponseItem(ResponseItem::user_text("hi")),
            RolloutItem::EventMsg(EventMsg::AgentMessage(AgentMessageEvent {
                message: "Hello".into()
            })),
            RolloutItem::EventMsg(EventMsg::TokenCount(TokenCountEvent {
                info: Some(info),
                rate_limits: None,
            })),
            RolloutItem::ResponseItem(ResponseItem::assistant_text("Hello")),
        ]
    );
    // Timestamps are UTC with milliseconds.
    let ts = &contents.entries[3].timestamp;
    assert!(
        ts.ends_with('Z') && ts.len() == "2025-01-01T00:00:00.000Z".len(),
        "{ts}"
    );
}

#[tokio::test]
async fn resume_appends_to_the_same_file_with_history_and_transcript() {
    let home = tempfile::tempdir().unwrap();
    let (id, path) = record(home.path(), &["first"]).await;
    let before = read(&path);

    let (codex, model) = file_codex(home.path(), [ScriptedResponse::text("second answer")]);
    let resumed = codex.resume_conversation(&path).await.unwrap();
    assert_eq!(resumed.conversation_id, id);
    assert_eq!(resumed.rollout_path.as_ref(), Some(&path));
    let messages = resumed.session_configured.initial_messages.clone().unwrap();
    assert_eq!(
        messages
            .iter()
            .filter(|m| !matches!(m, EventMsg::TokenCount(_)))
            .cloned()
            .collect::<Vec<_>>(),
        vec![
            EventMsg::UserMessage(UserMessageEvent {
                message: "first".into(),
                images: None
            }),
            EventMsg::AgentMessage(AgentMessageEvent {
                message: "re: first".into()
            }),
        ]
    );
    let mut conv = resumed.conversation;
    assert!(codex.conversation(id).is_some());
    conv.run("second").await.unwrap();
    let input = &model.prompts()[0].input;
    assert_eq!(
        input[1..].to_vec(),
        vec![
            ResponseItem::user_text("first"),
            ResponseItem::assistant_text("re: first"),
            ResponseItem::user_text("second"),
        ]
    );
    assert!(is_context_message(&input[0]));
    conv.shutdown().await.unwrap();

    let after = read(&path);
    assert_eq!(after.entries[..before.entries.len()], before.entries[..]);
    let metas = after
        .entries
        .iter()
        .filter(|e| matches!(e.item, RolloutItem::SessionMeta(_)))
        .count();
    assert_eq!(metas, 1);
    assert_eq!(
        after.history()[1..].to_vec(),
        vec![
            ResponseItem::user_text("first"),
            ResponseItem::assistant_text("re: first"),
            ResponseItem::user_text("second"),
            ResponseItem::assistant_text("second answer"),
        ]
    );
    let files = codex.list_conversations(10, None).await.unwrap();
    assert_eq!(files.items.len(), 1);
}

#[tokio::test]
async fn fork_cuts_before_the_nth_real_user_message() {
    let home = tempfile::tempdir().unwrap();
    let (id, path) = record(home.path(), &["one", "two", "three"]).await;
    let (codex, _) = file_codex(home.path(), []);
    let turn = |n: &str| {
        vec![
            ResponseItem::user_text(n),
            ResponseItem::assistant_text(format!("re: {n}")),
        ]
    };
    let cases: [(usize, Vec<ResponseItem>); 4] = [
        (0, vec![]),
        (1, turn("one")),
        (2, [turn("one"), turn("two")].concat()),
        (99, [turn("one"), turn("two"), turn("three")].concat()),
    ];
    for (n, expected) in cases {
        let mut fork = codex.fork_conversation(&path, n).await.unwrap();
        assert_ne!(fork.conversation_id, id);
        let fork_path = fork.rollout_path.clone().unwrap();
        assert_ne!(fork_path, path);
        let history_len = expected.len();
        fork.conversation.shutdown().await.unwrap();
        let contents = read(&fork_path);
        assert_eq!(contents.meta.as_ref().unwrap().id, fork.conversation_id);
        let history = contents.history();
        assert!(is_context_message(&history[0]), "n = {n}");
        assert_eq!(history[1..].to_vec(), expected, "n = {n}");
        let users = fork
            .session_configured
            .initial_messages
            .unwrap()
            .into_iter()
            .filter(|m| matches!(m, EventMsg::UserMessage(_)))
            .count();
        assert_eq!(users, history_len / 2, "n = {n}");
        // The fork's turn contexts and user events stay with their turns.
        let last = contents.entries.last().unwrap();
        assert!(
            !matches!(
                last.item,
                RolloutItem::TurnContext(_) | RolloutItem::EventMsg(EventMsg::UserMessage(_))
            ),
            "n = {n}"
        );
    }
    // The source is untouched.
    assert_eq!(read(&path).history().len(), 7);
}

#[tokio::test]
async fn a_torn_last_line_is_ignored_reported_and_cut_on_resume() {
    let home = tempfile::tempdir().unwrap();
    let (_, path) = record(home.path(), &["first"]).await;
    let intact = read(&path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(
        br#"{"timestamp":"2025-01-01T00:00:00.000Z","type":"response_item","payl"#,
    );
    std::fs::write(&path, &bytes).unwrap();

    let torn = read(&path);
    assert!(torn.report.torn_tail);
    assert_eq!(torn.entries, intact.entries);
    assert_eq!(torn.report.invalid_lines, 0);

    let (codex, _) = file_codex(home.path(), [ScriptedResponse::text("ok")]);
    let mut conv = codex.resume_conversation(&path).await.unwrap().conversation;
    conv.run("again").await.unwrap();
    conv.shutdown().await.unwrap();
    let repaired = read(&path);
    assert!(!repaired.report.torn_tail);
    assert_eq!(repaired.report.invalid_lines, 0);
    assert_eq!(repaired.report.lines, repaired.entries.len());
    assert_eq!(
        repaired.history().last(),
        Some(&ResponseItem::assistant_text("ok"))
    );
}

/// A trimmed rollout as Codex CLI 0.169 writes it: `ordinal`, `metadata`, extra kinds and event types.
pub(super) const CODEX_0169_ROLLOUT: &str = r#"{"timestamp":"2026-11-25T07:39:10.708Z","ordinal":0,"type":"session_meta","payload":{"account_scoped":true,"session_id":"01a211a4-ebc6-78d3-aee9-d8c5b0b9d5af","id":"01a211a4-ebc6-78d3-aee9-d8c5b0b9d5af","timestamp":"2026-11-25T07:39:10.669Z","cwd":"/tmp","runtime_workspace_roots":["/tmp"],"originator":"codex_exec","cli_version":"0.169.0","source":"exec","thread_source":"user","model_provider":"mock","base_instructions":{"text":"You are a coding agent."},"history_mode":"paginated","context_window":{"window_id":"01a211a4-ebcb-7a30-8c63-c6a2c52b7bbf"}}}
{"timestamp":"2026-11-25T07:39:10.710Z","ordinal":1,"type":"event_msg","payload":{"type":"task_started","turn_id":"t1","started_at":1795592350,"model_context_window":258400,"collaboration_mode_kind":"default"}}
{"timestamp":"2026-11-25T07:39:10.773Z","ordinal":2,"type":"response_item","payload":{"type":"message","id":"msg_1","role":"developer","content":[{"type":"input_text","text":"<skills_instructions>none</skills_instructions>"}]}}
{"timestamp":"2026-11-25T07:39:10.773Z","ordinal":3,"type":"response_item","payload":{"type":"message","id":"msg_2","role":"user","content":[{"type":"input_text","text":"<environment_context>\n  <cwd>/tmp</cwd>\n</environment_context>"}],"internal_chat_message_metadata_passthrough":{"turn_id":"t1"}}}
{"timestamp":"2026-11-25T07:39:10.775Z","ordinal":4,"type":"world_state","payload":{"full":true,"state":{"agents_md":{}}}}
{"timestamp":"2026-11-25T07:39:10.776Z","ordinal":5,"type":"turn_context","payload":{"turn_id":"t1","cwd":"/tmp","approval_policy":"never","model":"gpt-5-codex","collaboration_mode":{"mode":"default"},"summary":"none","sandbox_policy":{"type":"read-only"}}}
{"timestamp":"2026-11-25T07:39:10.776Z","ordinal":6,"type":"event_msg","payload":{"type":"thread_settings_applied","thread_id":"01a211a4-ebc6-78d3-aee9-d8c5b0b9d5af"}}
{"timestamp":"2026-11-25T07:39:10.788Z","ordinal":7,"type":"response_item","payload":{"type":"message","id":"msg_3","role":"user","content":[{"type":"input_text","text":"hello there"}]},"metadata":{"history_sequence":3}}
{"timestamp":"2026-11-25T07:39:10.789Z","ordinal":8,"type":"event_msg","payload":{"type":"item_completed","item":{"type":"UserMessage","id":"u1","content":[{"type":"text","text":"hello there"}]}}}
{"timestamp":"2026-11-25T07:39:10.881Z","ordinal":10,"type":"response_item","payload":{"type":"message","id":"m1","role":"assistant","content":[{"type":"output_text","text":"answer 1"}]},"metadata":{"history_sequence":4}}
{"timestamp":"2026-11-25T07:39:10.882Z","ordinal":11,"type":"token_usage_record","payload":{"response_id":"resp_1"}}
{"timestamp":"2026-11-25T07:39:10.883Z","ordinal":12,"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":2,"reasoning_output_tokens":0,"total_tokens":12},"last_token_usage":{"input_tokens":10,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":2,"reasoning_output_tokens":0,"total_tokens":12},"last_usage_includes_reasoning":false,"model_context_window":258400},"rate_limits":{"limit_id":"codex","primary":null,"secondary":null}}}
{"timestamp":"2026-11-25T07:39:10.888Z","ordinal":13,"type":"event_msg","payload":{"type":"task_complete","turn_id":"t1","last_agent_message":"answer 1","duration_ms":182}}
"#;

#[tokio::test]
async fn a_codex_cli_0169_rollout_reads_and_resumes() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("sessions/2026/11/25");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rollout-2026-11-25T07-39-10-01a211a4-ebc6-78d3-aee9-d8c5b0b9d5af.jsonl");
    std::fs::write(&path, CODEX_0169_ROLLOUT).unwrap();

    let contents = read(&path);
    assert_eq!(contents.report.lines, 13);
    assert_eq!(contents.report.unknown_kinds, 2);
    assert_eq!(contents.report.invalid_lines, 2);
    assert_eq!(
        contents.meta.as_ref().unwrap().model_provider.as_deref(),
        Some("mock")
    );
    let turn_context = contents.entries.iter().find_map(|e| match &e.item {
        RolloutItem::TurnContext(tc) => Some(tc.clone()),
        _ => None,
    });
    assert_eq!(
        turn_context,
        Some(TurnContextItem {
            cwd: "/tmp".into(),
            approval_policy: Some(AskForApproval::Never),
            sandbox_policy: None,
            model: "gpt-5-codex".into(),
            effort: None,
            summary: Some(ReasoningSummary::None),
            user_instructions: None,
        })
    );

    let (codex, model) = file_codex(home.path(), [ScriptedResponse::text("answer 2")]);
    let resumed = codex.resume_conversation(&path).await.unwrap();
    assert_eq!(
        resumed.conversation_id.to_string(),
        "01a211a4-ebc6-78d3-aee9-d8c5b0b9d5af"
    );
    assert_eq!(
        resumed.session_configured.initial_messages.clone().unwrap(),
        vec![
            EventMsg::UserMessage(UserMessageEvent {
                message: "hello there".into(),
                images: None
            }),
            EventMsg::AgentMessage(AgentMessageEvent {
                message: "answer 1".into()
            }),
        ]
    );
    let mut conv = resumed.conversation;
    conv.run("second question").await.unwrap();
    conv.shutdown().await.unwrap();
    let input = &model.prompts()[0].input;
    // Item ids are read back but never sent: compare the wire form.
    let wire = |items: &[ResponseItem]| serde_json::to_value(items).unwrap();
    assert_eq!(
        wire(&input[2..]),
        wire(&[
            ResponseItem::user_text("hello there"),
            ResponseItem::assistant_text("answer 1"),
            ResponseItem::user_text("second question"),
        ])
    );
    assert_eq!(
        input[0].message_text().unwrap(),
        "<skills_instructions>none</skills_instructions>"
    );
    let listed = codex.list_conversations(5, None).await.unwrap();
    assert_eq!(listed.items[0].preview, "hello there");
    assert_eq!(listed.items[0].model.as_deref(), Some("gpt-5-codex"));
}

#[tokio::test]
async fn archive_checks_the_id_stops_the_live_conversation_and_moves_the_file() {
    let home = tempfile::tempdir().unwrap();
    let (other_id, other_path) = record(home.path(), &["other"]).await;
    let (codex, _) = file_codex(home.path(), [ScriptedResponse::text("hi")]);
    let new = codex.new_conversation().await.unwrap();
    let (id, path) = (new.conversation_id, new.rollout_path.clone().unwrap());
    let mut conv = new.conversation;
    conv.run("hello").await.unwrap();

    let err = codex
        .archive_conversation(id, &other_path)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    match err {
        Error::RolloutMismatch {
            expected,
            found,
            path: p,
        } => {
            assert_eq!(
                (expected, found, p),
                (id, Some(other_id), other_path.clone())
            );
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert!(other_path.exists());
    assert!(codex.conversation(id).is_some());

    let archived = codex.archive_conversation(id, &path).await.unwrap();
    assert_eq!(
        archived,
        home.path()
            .join("archived_sessions")
            .join(path.file_name().unwrap())
    );
    assert!(!path.exists() && archived.exists());
    assert_eq!(mode(archived.parent().unwrap()), 0o700);
    assert!(codex.conversation(id).is_none());
    let rest = events_until(&mut conv, |m| matches!(m, EventMsg::ShutdownComplete)).await;
    assert!(matches!(
        rest.last().unwrap().msg,
        EventMsg::ShutdownComplete
    ));
    let listed = codex.list_conversations(10, None).await.unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|s| s.conversation_id)
            .collect::<Vec<_>>(),
        vec![other_id]
    );
    assert_eq!(read(&archived).history().len(), 3);

    let restored = codex.unarchive_conversation(id, &archived).await.unwrap();
    assert_eq!(restored, path);
    assert_eq!(
        codex
            .list_conversations(10, None)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(codex.find_conversation_path(id).await.unwrap(), Some(path));
}

#[tokio::test]
async fn the_in_memory_store_records_and_resumes() {
    let store = InMemoryRolloutStore::new();
    let model = Arc::new(ScriptedModel::new([
        ScriptedResponse::text("one"),
        ScriptedResponse::text("two"),
    ]));
    let codex = Codex::builder()
        .cwd("/tmp")
        .rollout_store(Arc::new(store.clone()))
        .model_client(model.clone())
        .build()
        .unwrap();
    let new = codex.new_conversation().await.unwrap();
    let path = new.rollout_path.clone().unwrap();
    assert!(path.starts_with("/in-memory/sessions"));
    let mut conv = new.conversation;
    conv.run("a").await.unwrap();
    conv.shutdown().await.unwrap();
    let mut bytes = store.get(&path).unwrap();
    bytes.extend_from_slice(b"{\"torn");
    store.insert(&path, bytes);
    let mut conv = codex.resume_conversation(&path).await.unwrap().conversation;
    conv.run("b").await.unwrap();
    conv.shutdown().await.unwrap();
    let contents = RolloutContents::parse(&store.get(&path).unwrap());
    assert!(!contents.report.torn_tail);
    assert_eq!(contents.history().len(), 5);
    let page = codex.list_conversations(10, None).await.unwrap();
    assert_eq!(page.items[0].preview, "a");
}

#[tokio::test]
async fn an_ephemeral_codex_records_nothing() {
    let codex = Codex::builder()
        .model_client(Arc::new(ScriptedModel::new([])))
        .ephemeral()
        .build()
        .unwrap();
    let new = codex.new_conversation().await.unwrap();
    assert_eq!(new.rollout_path, None);
    let err = codex
        .resume_conversation("/nowhere.jsonl")
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}
