//! The PostgreSQL rollout store against a real server: `CODEX_SDK_TEST_PG_URL` (scripts/with-postgres.sh
//! starts one). Each test gets a database of its own.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, TimeZone};
use codex_sdk::config::RolloutStoreConfig;
use codex_sdk::model::ScriptedResponse;
use codex_sdk::protocol::{ConversationId, EventMsg};
use codex_sdk::rollout::{Cursor, POSTGRES_SCHEMA_VERSION, PostgresRolloutStore, RolloutStore};
use codex_sdk::{Codex, CodexBuilder, Error, ErrorCode};
use serde_json::json;

use super::support::{events_until, scripted};

/// A URL naming a new, empty database on the test server; `None` (with a loud message) when no server is
/// configured. In CI a missing server fails the test.
pub(super) async fn fresh_database() -> Option<String> {
    let Ok(url) = std::env::var("CODEX_SDK_TEST_PG_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but CODEX_SDK_TEST_PG_URL is unset: scripts/test.sh starts PostgreSQL for these tests"
        );
        eprintln!(
            "SKIPPED: no PostgreSQL (set CODEX_SDK_TEST_PG_URL or run scripts/with-postgres.sh CMD...)"
        );
        return None;
    };
    let name = format!("codex_test_{}", uuid::Uuid::new_v4().simple());
    admin(&url)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// A plain client on `url`.
pub(super) async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

fn store(url: &str, lease_ttl_ms: u64) -> Arc<PostgresRolloutStore> {
    let config =
        RolloutStoreConfig::postgres(url).with_lease_ttl(Duration::from_millis(lease_ttl_ms));
    Arc::new(PostgresRolloutStore::from_config(&config).unwrap())
}

fn on(builder: CodexBuilder, store: &Arc<PostgresRolloutStore>) -> Codex {
    builder.rollout_store(store.clone()).build().unwrap()
}

fn prompt_text(model: &codex_sdk::model::ScriptedModel, i: usize) -> String {
    serde_json::to_string(&model.prompts()[i].input).unwrap()
}

#[tokio::test]
async fn migrations_run_once_even_when_workers_start_together_and_again() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let stores: Vec<_> = (0..4).map(|_| store(&url, 30_000)).collect();
    let results = futures::future::join_all(stores.iter().map(|s| s.migrate())).await;
    for r in results {
        r.unwrap();
    }
    store(&url, 30_000).migrate().await.unwrap();
    let rows = admin(&url)
        .await
        .query(
            "SELECT version FROM codex_schema_version ORDER BY version",
            &[],
        )
        .await
        .unwrap();
    let versions: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        versions,
        (1..=POSTGRES_SCHEMA_VERSION).collect::<Vec<_>>(),
        "each migration exactly once"
    );
}

#[tokio::test]
async fn conversations_resume_fork_archive_and_unarchive_from_postgres() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let pg = store(&url, 30_000);
    let (builder, model) = scripted([
        ScriptedResponse::text("first answer"),
        ScriptedResponse::text("second answer"),
        ScriptedResponse::text("forked answer"),
    ]);
    let codex = on(builder, &pg);
    let new = codex.new_conversation().await.unwrap();
    let id = new.conversation_id;
    let path = new.rollout_path.clone().unwrap();
    assert_eq!(path, PostgresRolloutStore::path_of(id));
    let mut conv = new.conversation;
    conv.run("first question").await.unwrap();
    conv.shutdown().await.unwrap();

    assert_eq!(
        codex.find_conversation_path(id).await.unwrap(),
        Some(path.clone())
    );
    let page = codex.list_conversations(10, None).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let listed = &page.items[0];
    assert_eq!(
        (
            listed.conversation_id,
            listed.preview.as_str(),
            listed.model.as_deref()
        ),
        (id, "first question", Some("gpt-5-codex"))
    );
    assert_eq!(listed.cwd, PathBuf::from("/tmp"));

    let mut resumed = codex.resume_conversation(&path).await.unwrap().conversation;
    assert_eq!(resumed.id(), id);
    resumed.run("second question").await.unwrap();
    resumed.shutdown().await.unwrap();
    let sent = prompt_text(&model, 1);
    assert!(
        sent.contains("first question") && sent.contains("first answer"),
        "{sent}"
    );

    // Fork before the second question: a new id whose history holds only the first exchange.
    let mut fork = codex
        .fork_conversation(&path, 1)
        .await
        .unwrap()
        .conversation;
    assert_ne!(fork.id(), id);
    fork.run("forked question").await.unwrap();
    fork.shutdown().await.unwrap();
    let sent = prompt_text(&model, 2);
    assert!(
        sent.contains("first answer") && !sent.contains("second question"),
        "{sent}"
    );
    assert_eq!(
        codex
            .list_conversations(10, None)
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    let archived = codex.archive_conversation(id, &path).await.unwrap();
    assert_ne!(archived, path);
    assert_eq!(codex.find_conversation_path(id).await.unwrap(), None);
    let ids: Vec<_> = codex
        .list_conversations(10, None)
        .await
        .unwrap()
        .items
        .iter()
        .map(|s| s.conversation_id)
        .collect();
    assert_eq!(ids, vec![fork.id()]);
    // The wrong id changes nothing; the right one brings it back.
    let err = codex
        .unarchive_conversation(fork.id(), &archived)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RolloutMismatch { .. }), "{err}");
    let back = codex.unarchive_conversation(id, &archived).await.unwrap();
    assert_eq!(back, path);
    assert_eq!(codex.find_conversation_path(id).await.unwrap(), Some(path));
}

/// Creates a listed conversation started at `started` directly through the store.
async fn seed(store: &dyn RolloutStore, id: ConversationId, started: chrono::DateTime<Local>) {
    let (_, mut appender) = store.create(id, started).await.unwrap();
    let lines = format!(
        "{}\n{}\n",
        json!({"timestamp": "2025-01-01T00:00:00.000Z", "type": "session_meta", "payload": {
            "id": id, "timestamp": "2025-01-01T00:00:00.000Z", "cwd": "/tmp", "originator": "t",
            "cli_version": "0", "instructions": null, "source": "exec"}}),
        json!({"timestamp": "2025-01-01T00:00:01.000Z", "type": "event_msg", "payload": {
            "type": "user_message", "message": format!("hello {id}"), "images": null}}),
    );
    appender.append(lines.as_bytes()).await.unwrap();
}

#[tokio::test]
async fn the_listing_cursor_is_stable_under_concurrent_inserts() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let pg = store(&url, 30_000);
    let day = |h: u32, m: u32| Local.with_ymd_and_hms(2025, 3, 1, h, m, 0).unwrap();
    let mut ids = Vec::new();
    for i in 0..10 {
        let id = ConversationId::new();
        // Two conversations share each start second: the id breaks the tie.
        seed(pg.as_ref(), id, day(10, i / 2)).await;
        ids.push(id);
    }
    let first = pg.list(4, None).await.unwrap();
    assert_eq!(first.items.len(), 4);
    let cursor: Cursor = first.next_cursor.clone().unwrap();
    // Newer conversations arrive (one in the cursor's own second) while a client pages.
    let writer = pg.clone();
    let inserts = tokio::spawn(async move {
        for i in 0..5 {
            seed(writer.as_ref(), ConversationId::new(), day(11, i)).await;
        }
        seed(writer.as_ref(), ConversationId::new(), day(10, 4)).await;
    });
    let mut seen: Vec<ConversationId> = first.items.iter().map(|s| s.conversation_id).collect();
    let mut next = Some(cursor);
    while let Some(c) = next {
        let page = pg.list(3, Some(&c)).await.unwrap();
        seen.extend(page.items.iter().map(|s| s.conversation_id));
        next = page.next_cursor;
    }
    inserts.await.unwrap();
    // Every original conversation exactly once, in (start, id) order newest first; newer ones are on
    // earlier pages, not this walk, except those sorting after the cursor.
    let mut expected: Vec<_> = ids
        .iter()
        .zip(0..)
        .map(|(id, i)| (day(10, i / 2), *id))
        .collect();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.as_uuid().cmp(a.1.as_uuid())));
    let originals: Vec<_> = seen.iter().filter(|id| ids.contains(id)).copied().collect();
    assert_eq!(originals, expected.iter().map(|e| e.1).collect::<Vec<_>>());
    let mut unique = seen.clone();
    unique.sort_by_key(|id| *id.as_uuid());
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no conversation twice");
}

#[tokio::test]
async fn one_worker_owns_a_conversation_and_a_second_resume_is_busy() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let (worker_a, store_a) = {
        let (builder, _) = scripted([
            ScriptedResponse::text("a1"),
            ScriptedResponse::text("a-after-takeover"),
        ]);
        let s = store(&url, 60_000);
        (on(builder, &s), s)
    };
    let new = worker_a.new_conversation().await.unwrap();
    let (id, path) = (new.conversation_id, new.rollout_path.clone().unwrap());
    let mut conv_a = new.conversation;
    conv_a.run("hello").await.unwrap();

    // Two other workers race to resume it while A runs it: both are refused.
    let workers: Vec<Codex> = (0..2)
        .map(|_| {
            let (builder, _) = scripted([
                ScriptedResponse::text("b"),
                ScriptedResponse::text("b again"),
            ]);
            on(builder, &store(&url, 60_000))
        })
        .collect();
    for w in &workers {
        let err = w.resume_conversation(&path).await.unwrap_err();
        assert!(
            matches!(err, Error::ConversationBusy { id: busy } if busy == id),
            "{err}"
        );
        assert_eq!(err.code(), ErrorCode::ConversationBusy);
    }
    // Archiving it from elsewhere is refused too.
    let err = workers[0]
        .archive_conversation(id, &path)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConversationBusy { .. }), "{err}");

    // A ends it: now exactly one of two concurrent resumes wins.
    conv_a.shutdown().await.unwrap();
    drop(conv_a);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let (winner, loser) = loop {
        let (r0, r1) = tokio::join!(
            workers[0].resume_conversation(&path),
            workers[1].resume_conversation(&path)
        );
        match (r0, r1) {
            (Ok(w), Err(e)) | (Err(e), Ok(w)) => break (w, e),
            (Err(Error::ConversationBusy { .. }), Err(Error::ConversationBusy { .. }))
                if tokio::time::Instant::now() < deadline =>
            {
                // A's lease is given back asynchronously after its shutdown.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (r0, r1) => panic!("exactly one resume must win: {:?} {:?}", r0.err(), r1.err()),
        }
    };
    assert!(matches!(loser, Error::ConversationBusy { .. }), "{loser}");
    let mut winner = winner.conversation;
    winner.run("from b").await.unwrap();

    // A worker whose lease was taken over writes nothing more: fence by lease, not by trust.
    // Pretend B crashed long ago: its lease expired, so A may take the conversation back. (B's last
    // lines may still be on their way, renewing the lease: expire it again until A gets it.)
    let admin = admin(&url).await;
    let mut conv_a = None;
    for _ in 0..100 {
        admin
            .execute(
                "UPDATE codex_conversations SET lease_expires = now() - interval '1 second'",
                &[],
            )
            .await
            .unwrap();
        match worker_a.resume_conversation(&path).await {
            Ok(new) => {
                conv_a = Some(new.conversation);
                break;
            }
            Err(Error::ConversationBusy { .. }) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    let mut conv_a = conv_a.expect("A never took the conversation back");
    let _ = winner.send("b writes again").await;
    let warning = events_until(&mut winner, |m| matches!(m, EventMsg::Warning(_))).await;
    let EventMsg::Warning(w) = &warning.last().unwrap().msg else {
        unreachable!()
    };
    assert!(w.message.contains("taken over"), "{}", w.message);
    conv_a.run("a is back").await.unwrap();
    conv_a.shutdown().await.unwrap();
    let bytes = store_a.read(&path).await.unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("a is back") && !text.contains("b writes again"));
}
