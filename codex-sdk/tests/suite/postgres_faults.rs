//! The PostgreSQL store when things go wrong: the connection drops mid-turn, passwords in URLs, moving
//! conversations between the file store and PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::config::{CodexOptions, RolloutStoreConfig};
use codex_sdk::model::ScriptedResponse;
use codex_sdk::protocol::EventMsg;
use codex_sdk::rollout::{
    FileRolloutStore, PostgresRolloutStore, RolloutContents, RolloutStore, copy_rollout,
};
use codex_sdk::tools::FunctionTool;
use codex_sdk::{Error, ErrorCode};
use serde_json::json;

use super::postgres_store::{admin, fresh_database};
use super::support::{events_until, scripted};

/// `url` with its user replaced by `user` (no password: the test server trusts loopback).
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (_, host) = rest.split_once('@').unwrap();
    format!("{scheme}://{user}@{host}")
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn the_connection_dropping_mid_turn_is_a_typed_error_and_leaves_only_whole_batches() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let db = url.rsplit_once('/').unwrap().1.to_owned();
    let role = format!("worker_{}", uuid::Uuid::new_v4().simple());
    let admin = admin(&url).await;
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; GRANT ALL ON DATABASE {db} TO {role}; \
             GRANT ALL ON SCHEMA public TO {role};"
        ))
        .await
        .unwrap();
    let config = RolloutStoreConfig::postgres(as_user(&url, &role))
        .with_lease_ttl(Duration::from_millis(1_000));
    let pg = Arc::new(PostgresRolloutStore::from_config(&config).unwrap());

    // A host tool that blocks until the test lets it go.
    let (entered_tx, mut entered) = tokio::sync::mpsc::unbounded_channel();
    let release = Arc::new(tokio::sync::Notify::new());
    let gate = release.clone();
    let block = FunctionTool::new("block", "Waits.", json!({"type": "object"}), move |_, _| {
        let (entered_tx, gate) = (entered_tx.clone(), gate.clone());
        async move {
            let _ = entered_tx.send(());
            gate.notified().await;
            Ok("released".to_owned())
        }
    });
    let (builder, _) = scripted([
        ScriptedResponse::text("answer one"),
        ScriptedResponse::tool_call("block", json!({})),
        ScriptedResponse::text("answer after the drop"),
    ]);
    let codex = builder
        .tool(block)
        .rollout_store(pg.clone())
        .build()
        .unwrap();
    let new = codex.new_conversation().await.unwrap();
    let path = new.rollout_path.clone().unwrap();
    let mut conv = new.conversation;
    conv.run("turn one").await.unwrap();
    conv.send("turn two").await.unwrap();
    entered.recv().await.unwrap();
    // The tool call is stored before the database goes away.
    wait_until("the tool call to be stored", async || {
        let n: i64 = admin
            .query_one(
                "SELECT count(*) FROM codex_rollout_lines WHERE line LIKE '%\"function_call\"%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        n > 0
    })
    .await;

    // The worker's connections are cut and it cannot reconnect.
    admin
        .batch_execute(&format!(
            "ALTER ROLE {role} NOLOGIN; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}';"
        ))
        .await
        .unwrap();
    release.notify_one();
    let events = events_until(&mut conv, |m| matches!(m, EventMsg::Warning(_))).await;
    let EventMsg::Warning(warning) = &events.last().unwrap().msg else {
        unreachable!()
    };
    assert!(
        warning.message.contains("PostgreSQL"),
        "{}",
        warning.message
    );
    let err = conv.shutdown().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Io, "{err}");

    // Recovery: what is stored is whole lines, whole batches, and resumes on another worker.
    admin
        .batch_execute(&format!("ALTER ROLE {role} LOGIN"))
        .await
        .unwrap();
    let other = Arc::new(PostgresRolloutStore::new(url.clone()).unwrap());
    let bytes = other.read(&path).await.unwrap();
    let stored: i64 = admin
        .query_one("SELECT line_count FROM codex_conversations", &[])
        .await
        .unwrap()
        .get(0);
    let contents = RolloutContents::parse(&bytes);
    assert_eq!(contents.report.invalid_lines, 0);
    assert!(!contents.report.torn_tail);
    assert_eq!(contents.entries.len() as i64, stored);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("turn two") && !text.contains("answer after the drop"));

    let (builder, model) = scripted([ScriptedResponse::text("b continues")]);
    let worker_b = builder.rollout_store(other).build().unwrap();
    let mut resumed = None;
    wait_until("the dead worker's lease to expire", async || match worker_b
        .resume_conversation(&path)
        .await
    {
        Ok(r) => {
            resumed = Some(r.conversation);
            true
        }
        Err(Error::ConversationBusy { .. }) => false,
        Err(e) => panic!("{e}"),
    })
    .await;
    let mut resumed = resumed.unwrap();
    resumed.run("turn three").await.unwrap();
    let sent = serde_json::to_string(&model.prompts()[0].input).unwrap();
    for part in [
        "turn one",
        "answer one",
        "turn two",
        "\"block\"",
        "turn three",
    ] {
        assert!(sent.contains(part), "{part} missing from {sent}");
    }
    resumed.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_database_password_never_shows_in_debug_output_or_errors() {
    let secret = "pg-Secret-4711";
    // Nothing listens on port 1: connecting fails.
    let url = format!("postgres://codex:{secret}@127.0.0.1:1/codex");
    let options: CodexOptions = serde_json::from_value(json!({
        "rollout": {"store": "postgres", "url": url},
        "model": "gpt-5-codex",
        "api_key": "sk-test",
    }))
    .unwrap();
    assert!(!format!("{options:?}").contains(secret));
    let codex = codex_sdk::CodexBuilder::from_options(options)
        .unwrap()
        .model_client(Arc::new(codex_sdk::model::ScriptedModel::new([])))
        .build()
        .unwrap();
    assert!(!format!("{codex:?}").contains(secret));
    let err = codex.new_conversation().await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains(secret), "{text}");
    assert_eq!(err.code(), ErrorCode::Io);

    let store = PostgresRolloutStore::new(format!(
        "postgres://codex:{secret}@127.0.0.1:1/x?connect_timeout=5"
    ))
    .unwrap();
    assert!(!format!("{store:?}").contains(secret));
    let err = store.list(10, None).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(secret));

    // A real server's errors (here: no such database) do not carry it either.
    if let Some(url) = fresh_database().await {
        let (base, _) = url.rsplit_once('/').unwrap();
        let (scheme, rest) = base.split_once("://").unwrap();
        let (_, host) = rest.split_once('@').unwrap();
        let bad = format!("{scheme}://postgres:{secret}@{host}/no_such_db_{secret}");
        let err = PostgresRolloutStore::new(bad)
            .unwrap()
            .migrate()
            .await
            .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains(secret), "{text}");
    }
}

const CLI_ROLLOUT: &str = concat!(
    r#"{"timestamp":"2025-10-01T12:00:00.000Z","type":"session_meta","payload":{"id":"0199a0b1-0000-7000-8000-0000000000aa","timestamp":"2025-10-01T12:00:00.000Z","cwd":"/tmp","originator":"codex_cli_rs","cli_version":"0.169.0","instructions":null,"source":"cli"}}"#,
    "\n",
    r#"{"timestamp":"2025-10-01T12:00:01.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"question from codex cli"}]}}"#,
    "\n",
    r#"{"timestamp":"2025-10-01T12:00:01.000Z","type":"event_msg","payload":{"type":"user_message","message":"question from codex cli","images":null}}"#,
    "\n",
    r#"{"timestamp":"2025-10-01T12:00:02.000Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"answer from codex cli"}]}}"#,
    "\n",
);

#[tokio::test]
async fn a_codex_cli_rollout_imports_into_postgres_and_exports_back_to_a_resumable_file() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("sessions/2025/10/01");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rollout-2025-10-01T14-00-00-0199a0b1-0000-7000-8000-0000000000aa.jsonl");
    std::fs::write(&file, CLI_ROLLOUT).unwrap();
    let files = FileRolloutStore::new(home.path());
    let pg = Arc::new(PostgresRolloutStore::new(url).unwrap());

    let imported = copy_rollout(&files, &file, pg.as_ref()).await.unwrap();
    let page = pg.list(10, None).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].preview, "question from codex cli");
    assert_eq!(
        page.items[0].cursor.to_string().split('|').next(),
        Some("2025-10-01T14-00-00")
    );

    let (builder, model) = scripted([ScriptedResponse::text("answer from postgres")]);
    let codex = builder.rollout_store(pg.clone()).build().unwrap();
    let mut conv = codex
        .resume_conversation(&imported)
        .await
        .unwrap()
        .conversation;
    conv.run("question in postgres").await.unwrap();
    conv.shutdown().await.unwrap();
    assert!(
        serde_json::to_string(&model.prompts()[0].input)
            .unwrap()
            .contains("answer from codex cli")
    );

    // Export: a rollout file under a CODEX_HOME, which the file store (so Codex CLI's layout) resumes.
    let out = tempfile::tempdir().unwrap();
    let out_store = FileRolloutStore::new(out.path());
    let exported = copy_rollout(pg.as_ref(), &imported, &out_store)
        .await
        .unwrap();
    assert!(exported.starts_with(out.path().join("sessions/2025/10/01")));
    assert_eq!(
        out_store.find(conv.id()).await.unwrap().as_deref(),
        Some(exported.as_path())
    );
    let (builder, model) = scripted([ScriptedResponse::text("answer from a file")]);
    let codex = builder.rollout_store(Arc::new(out_store)).build().unwrap();
    let mut conv = codex
        .resume_conversation(&exported)
        .await
        .unwrap()
        .conversation;
    conv.run("question in a file").await.unwrap();
    let sent = serde_json::to_string(&model.prompts()[0].input).unwrap();
    for part in [
        "question from codex cli",
        "answer from postgres",
        "question in a file",
    ] {
        assert!(sent.contains(part), "{part} missing from {sent}");
    }
}
