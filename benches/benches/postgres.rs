#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code
//! The PostgreSQL rollout store (needs `CODEX_SDK_TEST_PG_URL`; `scripts/with-postgres.sh cargo bench -p
//! codex-sdk-benches --bench postgres` starts a server): append throughput, resume of a conversation of
//! 100,000 items, and the newest page among 100,000 conversations.

use std::sync::Arc;
use std::time::{Duration, Instant};

use codex_sdk::Codex;
use codex_sdk::model::ScriptedModel;
use codex_sdk::protocol::ConversationId;
use codex_sdk::rollout::{PostgresRolloutStore, RolloutStore};

fn meta_line(id: ConversationId) -> String {
    format!(
        r#"{{"timestamp":"2025-01-01T00:00:00.000Z","type":"session_meta","payload":{{"id":"{id}","timestamp":"2025-01-01T00:00:00.000Z","cwd":"/w","originator":"bench","cli_version":"1","source":"exec"}}}}"#
    )
}

/// One item as the file bench writes it: its event and its response item (two lines).
fn item_lines(i: usize) -> String {
    let (role, kind, event) = if i.is_multiple_of(2) {
        ("user", "input_text", "user_message")
    } else {
        ("assistant", "output_text", "agent_message")
    };
    let body = format!("message number {i} with a little text to make it realistic");
    format!(
        "{}\n{}\n",
        format_args!(
            r#"{{"timestamp":"2025-01-01T00:00:00.000Z","type":"event_msg","payload":{{"type":"{event}","message":"{body}"}}}}"#
        ),
        format_args!(
            r#"{{"timestamp":"2025-01-01T00:00:00.000Z","type":"response_item","payload":{{"type":"message","role":"{role}","content":[{{"type":"{kind}","text":"{body}"}}]}}}}"#
        )
    )
}

async fn fresh_database(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let name = format!("codex_bench_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&sql).await.unwrap();
    }
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Appends `items` items in batches of `per_batch`, one transaction each; returns items per second.
async fn append_rate(store: &PostgresRolloutStore, items: usize, per_batch: usize) -> f64 {
    let id = ConversationId::new();
    let (_, mut appender) = store.create(id, chrono::Local::now()).await.unwrap();
    appender
        .append(format!("{}\n", meta_line(id)).as_bytes())
        .await
        .unwrap();
    let start = Instant::now();
    let mut i = 0;
    while i < items {
        let mut batch = String::new();
        for j in i..(i + per_batch).min(items) {
            batch.push_str(&item_lines(j));
        }
        appender.append(batch.as_bytes()).await.unwrap();
        i += per_batch;
    }
    items as f64 / start.elapsed().as_secs_f64()
}

async fn run(url: &str) {
    let url = fresh_database(url).await;
    let store = Arc::new(PostgresRolloutStore::new(url.clone()).unwrap());
    store.migrate().await.unwrap();

    for (items, per_batch) in [(2_000, 1), (20_000, 10), (100_000, 500)] {
        let rate = append_rate(&store, items, per_batch).await;
        println!("append: {items} items, {per_batch} per transaction: {rate:.0} items/s");
    }

    // A conversation of 100,000 items (200,000 lines), resumed by a whole `Codex` (read, parse, rebuild).
    let id = ConversationId::new();
    let (path, mut appender) = store.create(id, chrono::Local::now()).await.unwrap();
    let mut first = format!("{}\n", meta_line(id));
    first.push_str(&item_lines(0));
    appender.append(first.as_bytes()).await.unwrap();
    for chunk in (1..100_000).collect::<Vec<_>>().chunks(1_000) {
        let batch: String = chunk.iter().map(|i| item_lines(*i)).collect();
        appender.append(batch.as_bytes()).await.unwrap();
    }
    appender.close().await.unwrap();
    drop(appender);
    let codex = Codex::builder()
        .model_client(Arc::new(ScriptedModel::new([])))
        .rollout_store(store.clone())
        .build()
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut conv = codex.resume_conversation(&path).await.unwrap().conversation;
        times.push(start.elapsed());
        conv.shutdown().await.unwrap();
    }
    println!(
        "resume of a 100,000-item conversation: {:.3} s (median of 5)",
        median(times).as_secs_f64()
    );

    // 100,000 conversations, seeded in SQL with the columns the appender keeps.
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "INSERT INTO codex_conversations (id, started_ts, line_count, meta_line, preview, model, updated_at)
             SELECT md5(i::text)::uuid,
                    to_char(timestamp '2025-01-01' + i * interval '7 seconds', 'YYYY-MM-DD\"T\"HH24-MI-SS'),
                    2,
                    '{\"timestamp\":\"2025-01-01T00:00:00.000Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"'
                      || md5(i::text)::uuid || '\",\"timestamp\":\"2025-01-01T00:00:00.000Z\",\"cwd\":\"/w\",'
                      || '\"originator\":\"bench\",\"cli_version\":\"1\",\"source\":\"exec\"}}',
                    'hello ' || i, 'gpt-5-codex', '2025-01-01T00:00:00.000Z'
             FROM generate_series(1, 100000) AS i;
             ANALYZE codex_conversations;",
        )
        .await
        .unwrap();
    let mut first_page = Vec::new();
    let mut deep_page = Vec::new();
    let mut cursor = None;
    for _ in 0..20 {
        let start = Instant::now();
        let page = store.list(50, None).await.unwrap();
        first_page.push(start.elapsed());
        assert_eq!(page.items.len(), 50);
        cursor = page.next_cursor;
    }
    for _ in 0..200 {
        let start = Instant::now();
        let page = store.list(50, cursor.as_ref()).await.unwrap();
        deep_page.push(start.elapsed());
        cursor = page.next_cursor;
    }
    println!(
        "list among 100,000 conversations: newest page of 50 {:.2} ms, following pages {:.2} ms (medians)",
        median(first_page).as_secs_f64() * 1e3,
        median(deep_page).as_secs_f64() * 1e3
    );
}

fn main() {
    let Ok(url) = std::env::var("CODEX_SDK_TEST_PG_URL") else {
        println!(
            "SKIPPED: set CODEX_SDK_TEST_PG_URL, or run scripts/with-postgres.sh cargo bench -p codex-sdk-benches --bench postgres"
        );
        return;
    };
    tokio::runtime::Runtime::new().unwrap().block_on(run(&url));
}
