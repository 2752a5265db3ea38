#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! Sessions that last: resuming a rollout of 100,000 items (target ≤ 0.5 s) and the first page of a listing
//! over 10,000 recorded sessions (target ≤ 0.3 s).

use std::path::Path;
use std::sync::Arc;

use codex_sdk::Codex;
use codex_sdk::model::ScriptedModel;
use criterion::{Criterion, criterion_group, criterion_main};

fn codex(home: &Path) -> Codex {
    Codex::builder()
        .codex_home(home)
        .model_client(Arc::new(ScriptedModel::new([])))
        .build()
        .unwrap()
}

fn meta_line(id: &str, ts: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}.000Z","type":"session_meta","payload":{{"id":"{id}","timestamp":"{ts}.000Z","cwd":"/w","originator":"bench","cli_version":"1","source":"exec"}}}}"#
    )
}

/// Writes a rollout of `items` response items (user/assistant pairs, with their events) and returns its path.
fn write_big_rollout(home: &Path, items: usize) -> std::path::PathBuf {
    let dir = home.join("sessions/2025/01/01");
    std::fs::create_dir_all(&dir).unwrap();
    let id = "00000000-0000-7000-8000-000000000001";
    let path = dir.join(format!("rollout-2025-01-01T00-00-00-{id}.jsonl"));
    let mut text = meta_line(id, "2025-01-01T00-00-00");
    text.push('\n');
    for i in 0..items {
        let (role, kind, event) = if i % 2 == 0 {
            ("user", "input_text", "user_message")
        } else {
            ("assistant", "output_text", "agent_message")
        };
        let body = format!("message number {i} with a little text to make it realistic");
        text.push_str(&format!(
            r#"{{"timestamp":"2025-01-01T00:00:00.000Z","type":"event_msg","payload":{{"type":"{event}","message":"{body}"}}}}"#
        ));
        text.push('\n');
        text.push_str(&format!(
            r#"{{"timestamp":"2025-01-01T00:00:00.000Z","type":"response_item","payload":{{"type":"message","role":"{role}","content":[{{"type":"{kind}","text":"{body}"}}]}}}}"#
        ));
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Writes `n` small sessions spread over day folders (100 per day).
fn write_many_sessions(home: &Path, n: usize) {
    for i in 0..n {
        let day = i / 100;
        let (month, dom) = (1 + day / 28, 1 + day % 28);
        let dir = home.join(format!("sessions/2025/{month:02}/{dom:02}"));
        if i % 100 == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let ts = format!(
            "2025-{month:02}-{dom:02}T00-{:02}-{:02}",
            (i % 100) / 60,
            i % 60
        );
        let id = format!("00000000-0000-7000-8000-{i:012}");
        let mut text = meta_line(&id, &ts);
        text.push('\n');
        text.push_str(r#"{"timestamp":"t","type":"event_msg","payload":{"type":"user_message","message":"hello"}}"#);
        text.push('\n');
        std::fs::write(dir.join(format!("rollout-{ts}-{id}.jsonl")), text).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let home = tempfile::tempdir().unwrap();
    let path = write_big_rollout(home.path(), 100_000);
    write_many_sessions(home.path(), 10_000);
    let codex = codex(home.path());
    let mut group = c.benchmark_group("rollout");
    group.sample_size(10);
    group.bench_function("resume_100k_items", |b| {
        b.to_async(&rt).iter(|| async {
            let mut resumed = codex.resume_conversation(&path).await.unwrap();
            // Shut it down so the next iteration can resume the same file again.
            resumed.conversation.shutdown().await.unwrap();
        });
    });
    group.bench_function("list_first_page_of_10k", |b| {
        b.to_async(&rt)
            .iter(|| async { codex.list_conversations(50, None).await.unwrap() });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
