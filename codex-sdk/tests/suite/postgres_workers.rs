//! Two worker processes (the `codex-sdk` command) share one PostgreSQL database: worker A is killed with
//! SIGKILL in the middle of a turn, worker B is refused while A's lease lasts, then resumes the
//! conversation with its whole history.

use std::process::Stdio;
use std::time::Duration;

use codex_sdk::rollout::{PostgresRolloutStore, RolloutStore};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::json;
use tokio::process::Command;

use super::postgres_store::fresh_database;
use super::support::exec_binary;

/// The workers' lease: long enough that a worker started right after a kill still finds it held on a
/// loaded machine, short enough to wait out.
const LEASE_MS: u64 = 5_000;

/// `codex-sdk exec` recording into `url`, talking to `server`, leases of `ttl_ms`.
fn worker(home: &std::path::Path, server: &MockServer, url: &str, ttl_ms: u64) -> Command {
    let mut cmd = Command::new(exec_binary());
    cmd.env("CODEX_HOME", home)
        .env("OPENAI_API_KEY", "sk-worker")
        .env("OPENAI_BASE_URL", server.base_url())
        .env("CODEX_TEST_PG", url)
        .args([
            "exec",
            "--json",
            "-s",
            "danger-full-access",
            "-a",
            "never",
            "-C",
        ])
        .arg(home)
        .args(["-c", "rollout.store=\"postgres\""])
        .args(["-c", "rollout.url_env=\"CODEX_TEST_PG\""])
        .args(["-c", &format!("rollout.lease_ttl_ms={ttl_ms}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn run(cmd: &mut Command) -> std::process::Output {
    tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("the worker did not finish")
        .unwrap()
}

#[tokio::test]
async fn a_worker_killed_mid_turn_is_taken_over_by_another_with_the_whole_history() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let pg = PostgresRolloutStore::new(url.clone()).unwrap();

    // Worker A, first run: one turn.
    server.enqueue(MockResponse::sse(sse::text_response("r1", "first answer")));
    let out = run(worker(home.path(), &server, &url, LEASE_MS).arg("first prompt")).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = pg.list(10, None).await.unwrap();
    let [listed] = page.items.as_slice() else {
        panic!("{page:?}")
    };
    assert_eq!(listed.preview, "first prompt");
    let id = listed.conversation_id.to_string();

    // Worker A again: it resumes and is killed while its tool call runs.
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r2",
        "call_sleep",
        "shell",
        &json!({"command": ["sleep", "30"]}).to_string(),
    )));
    let mut a = worker(home.path(), &server, &url, LEASE_MS)
        .args(["resume", &id, "second prompt"])
        .spawn()
        .unwrap();
    let path = PostgresRolloutStore::path_of(listed.conversation_id);
    let mut stored = false;
    for _ in 0..400 {
        let text = String::from_utf8(pg.read(&path).await.unwrap()).unwrap();
        if text.contains("call_sleep") {
            stored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    if !stored {
        a.start_kill().unwrap();
        let out = a.wait_with_output().await.unwrap();
        panic!(
            "worker A never recorded its tool call: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    a.start_kill().unwrap();
    a.wait().await.unwrap();

    // Worker B at once: A's lease has not expired yet.
    let out =
        run(worker(home.path(), &server, &url, LEASE_MS).args(["resume", &id, "third prompt"]))
            .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("live in another worker"), "{stderr}");

    // Once it has, B resumes and continues with everything A recorded.
    server.enqueue(MockResponse::sse(sse::text_response("r3", "third answer")));
    let requests_before = server.requests().len();
    let mut taken_over = false;
    for _ in 0..120 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let out =
            run(worker(home.path(), &server, &url, LEASE_MS).args(["resume", &id, "third prompt"]))
                .await;
        if out.status.success() {
            taken_over = true;
            break;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("live in another worker"), "{stderr}");
    }
    assert!(taken_over, "worker B never took over");
    let requests = server.requests();
    assert_eq!(requests.len(), requests_before + 1);
    let input = requests.last().unwrap().json()["input"].to_string();
    for part in [
        "first prompt",
        "first answer",
        "second prompt",
        "call_sleep",
        "function_call_output",
        "third prompt",
    ] {
        assert!(input.contains(part), "{part} missing from {input}");
    }
    let text = String::from_utf8(pg.read(&path).await.unwrap()).unwrap();
    assert!(text.contains("third answer"));
}

#[tokio::test]
async fn the_command_imports_a_rollout_file_into_postgres_and_exports_it_back() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let id = "0199a0b1-0000-7000-8000-0000000000bb";
    let file = home
        .path()
        .join(format!("rollout-2025-10-01T14-00-00-{id}.jsonl"));
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n",
            json!({"timestamp": "2025-10-01T12:00:00.000Z", "type": "session_meta", "payload": {
                "id": id, "timestamp": "2025-10-01T12:00:00.000Z", "cwd": "/tmp",
                "originator": "codex_cli_rs", "cli_version": "0.169.0", "source": "cli"}}),
            json!({"timestamp": "2025-10-01T12:00:01.000Z", "type": "event_msg", "payload": {
                "type": "user_message", "message": "imported question", "images": null}}),
        ),
    )
    .unwrap();
    let out = run(worker(home.path(), &server, &url, LEASE_MS)
        .args(["rollout", "import"])
        .arg(&file))
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("pg:sessions/{id}")
    );
    let page = PostgresRolloutStore::new(url.clone())
        .unwrap()
        .list(10, None)
        .await
        .unwrap();
    assert_eq!(page.items[0].preview, "imported question");

    let export = tempfile::tempdir().unwrap();
    let out = run(worker(home.path(), &server, &url, LEASE_MS)
        .args(["rollout", "export", id])
        .arg(export.path()))
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Named from the recorded start time, in Codex CLI's layout.
    let exported = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        exported.starts_with(export.path().join("sessions/2025/10/01")),
        "{}",
        exported.display()
    );
    assert!(
        exported
            .to_string_lossy()
            .ends_with(&format!("-{id}.jsonl"))
    );
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(&file).unwrap()
    );
}
