//! The `exec` example as a real process: a rollout it cannot write (a file size limit, as a full disk)
//! makes it fail loudly and leaves a file that resumes; a reader that closes stdout ends it quietly.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use codex_sdk::rollout::RolloutContents;
use codex_sdk::testing::{MockResponse, sse};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use super::support::{exec_binary, walk};

/// `exec` (through `bash -c`, so `shell_setup` can set limits first) in `cwd`, recording under `home`,
/// with the offline demo model unless `env` names a key.
fn exec_command(shell_setup: &str, home: &Path, cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!("{shell_setup} exec \"$0\" \"$@\""))
        .arg(exec_binary())
        .args(args)
        .current_dir(cwd)
        .env("CODEX_HOME", home)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

async fn finish(cmd: &mut Command) -> Output {
    tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .expect("exec did not finish")
        .expect("exec did not start")
}

fn rollouts(home: &Path) -> Vec<PathBuf> {
    walk(&home.join("sessions"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect()
}

/// The file holds whole, valid lines only, starting with its session meta.
fn assert_whole_lines(path: &Path) -> RolloutContents {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.ends_with(b"\n"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let contents = RolloutContents::parse(&bytes);
    assert!(!contents.report.torn_tail);
    assert_eq!(contents.report.invalid_lines, 0);
    assert!(contents.meta.is_some());
    contents
}

fn no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[tokio::test]
async fn exec_over_a_file_size_limit_fails_loudly_and_its_rollout_resumes() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // 1 KiB: room for the session meta, not for the turn. With SIGXFSZ ignored, a write past the limit
    // fails with EFBIG (after writing what fits), as on a full disk.
    let out = finish(&mut exec_command(
        "trap '' XFSZ; ulimit -f 1;",
        home.path(),
        work.path(),
        &["list the files"],
    ))
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("exec: I/O error: the rollout") && stderr.contains("could not be written"),
        "{stderr}"
    );
    no_panic(&stderr);
    let [path] = rollouts(home.path()).try_into().unwrap();
    let before = assert_whole_lines(&path);
    assert!(std::fs::metadata(&path).unwrap().len() <= 1024);

    // Without the limit, the same file resumes and records the new turn.
    let out = finish(&mut exec_command(
        "",
        home.path(),
        work.path(),
        &["resume", path.to_str().unwrap(), "and again"],
    ))
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let after = assert_whole_lines(&path);
    assert_eq!(after.meta, before.meta);
    let texts: Vec<String> = after
        .history()
        .iter()
        .filter_map(|i| i.message_text())
        .collect();
    assert!(texts.contains(&"and again".to_owned()), "{texts:?}");
}

/// Reads one HTTP request (head and `Content-Length` body) from `stream`; `false` when the client went
/// away first.
async fn read_request(stream: &mut tokio::net::TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap_or(0));
        if data.len() >= end + 4 + length {
            return true;
        }
    }
}

/// Answers one Responses request on `listener` with a text answer. The client may be gone already (it
/// stops as soon as a print fails), so failures are ignored.
async fn answer_once(listener: tokio::net::TcpListener) {
    let Ok((mut conn, _)) = listener.accept().await else {
        return;
    };
    if !read_request(&mut conn).await {
        return;
    }
    let body =
        MockResponse::sse(sse::text_response("r1", "a long answer nobody reads")).body_bytes();
    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
    let _ = conn.write_all(head.as_bytes()).await;
    let _ = conn.write_all(&body).await;
    let _ = conn.shutdown().await;
}

#[tokio::test]
async fn exec_json_ends_quietly_when_its_reader_closes_stdout() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // A one-shot model server started by the test once stdout is closed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let mut child = exec_command("", home.path(), work.path(), &["--json", "hello"])
        .env("OPENAI_API_KEY", "sk-exec-test")
        .env("OPENAI_BASE_URL", &base_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // `| head -1`: read one line, then close the pipe.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).await.unwrap();
    let event: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(event["msg"]["type"], "session_configured", "{first}");
    drop(stdout);

    // Only now can the model answer, so the turn's terminal event at least is printed into the closed
    // pipe (earlier events may be too: exec stops at the first failed print).
    let server = tokio::spawn(answer_once(listener));

    let out = finish_child(child).await;
    server.abort();
    let stderr = String::from_utf8_lossy(&out.stderr);
    no_panic(&stderr);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The run was cut short cleanly: the rollout is whole and resumable.
    let [path] = rollouts(home.path()).try_into().unwrap();
    assert_whole_lines(&path);
}

async fn finish_child(child: tokio::process::Child) -> Output {
    tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("exec did not finish")
        .unwrap()
}

#[tokio::test]
async fn without_home_or_codex_home_exec_names_codex_home_and_writes_nothing_here() {
    let cwd = tempfile::tempdir().unwrap();
    let out = finish(
        Command::new(exec_binary())
            .arg("hello")
            .current_dir(cwd.path())
            .env_remove("HOME")
            .env_remove("CODEX_HOME")
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .stdin(Stdio::null())
            .kill_on_drop(true),
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("CODEX_HOME"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(cwd.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
