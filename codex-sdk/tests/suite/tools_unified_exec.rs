//! unified_exec: real PTY sessions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use codex_sdk::protocol::{AskForApproval, SandboxPolicy};
use codex_sdk::tools::ToolError;
use codex_sdk::tools::handlers::{UnifiedExecTool, truncate_middle};
use serde_json::{Value, json};

use super::tools_common::{Harness, harness, text, workspace};

async fn call(h: &Harness, tool: &UnifiedExecTool, args: Value) -> Value {
    let out = h.call(tool, args).await.unwrap();
    serde_json::from_str(&out.content).unwrap()
}

fn full(dir: &std::path::Path) -> Harness {
    harness(
        dir,
        AskForApproval::Never,
        SandboxPolicy::DangerFullAccess,
        None,
    )
}

/// Reads from a session until `needle` shows up (bounded number of calls).
async fn read_until(
    h: &Harness,
    tool: &UnifiedExecTool,
    id: &str,
    mut seen: String,
    needle: &str,
) -> String {
    for _ in 0..50 {
        let v = call(
            h,
            tool,
            json!({"input": [], "session_id": id, "timeout_ms": 100}),
        )
        .await;
        seen.push_str(v["output"].as_str().unwrap_or_default());
        if seen.contains(needle) {
            return seen;
        }
    }
    panic!("{needle:?} never appeared; got {seen:?}");
}

#[tokio::test]
async fn sessions_are_reused_and_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let h = full(dir.path());
    let tool = UnifiedExecTool::default();
    let a = call(&h, &tool, json!({"input": ["cat"], "timeout_ms": 50})).await;
    let b = call(&h, &tool, json!({"input": ["cat"], "timeout_ms": 50})).await;
    let (a, b) = (
        a["session_id"].as_str().unwrap().to_owned(),
        b["session_id"].as_str().unwrap().to_owned(),
    );
    assert_ne!(a, b);
    assert_eq!(tool.session_count(), 2);
    let first_a = call(
        &h,
        &tool,
        json!({"input": ["ping-a\n"], "session_id": a, "timeout_ms": 50}),
    )
    .await;
    let first_b = call(
        &h,
        &tool,
        json!({"input": ["ping-b\n"], "session_id": b, "timeout_ms": 50}),
    )
    .await;
    let out_a = read_until(
        &h,
        &tool,
        &a,
        first_a["output"].as_str().unwrap().to_owned(),
        "ping-a",
    )
    .await;
    let out_b = read_until(
        &h,
        &tool,
        &b,
        first_b["output"].as_str().unwrap().to_owned(),
        "ping-b",
    )
    .await;
    assert!(!out_a.contains("ping-b") && !out_b.contains("ping-a"));
    // A terminal: cat sees a tty.
    let tty = call(
        &h,
        &tool,
        json!({"input": ["bash", "-c", "test -t 0 && echo is-a-tty"], "timeout_ms": 5000}),
    )
    .await;
    assert!(
        tty["output"].as_str().unwrap().contains("is-a-tty"),
        "{tty}"
    );
}

#[tokio::test]
async fn exited_sessions_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let h = full(dir.path());
    let tool = UnifiedExecTool::default();
    let v = call(
        &h,
        &tool,
        json!({"input": ["bash", "-c", "echo done; exit 7"], "timeout_ms": 10000}),
    )
    .await;
    assert_eq!(v["exit_code"], 7, "{v}");
    assert!(v["output"].as_str().unwrap().contains("done"));
    assert!(v.get("session_id").is_none());
    assert_eq!(tool.session_count(), 0);
    // Exiting while interacted with.
    let s = call(
        &h,
        &tool,
        json!({"input": ["bash", "--noprofile", "--norc"], "timeout_ms": 100}),
    )
    .await;
    let id = s["session_id"].as_str().unwrap().to_owned();
    let v = call(
        &h,
        &tool,
        json!({"input": ["exit 3\n"], "session_id": id, "timeout_ms": 10000}),
    )
    .await;
    assert_eq!(v["exit_code"], 3, "{v}");
    let gone = h
        .call(&tool, json!({"input": ["x"], "session_id": id}))
        .await;
    assert!(matches!(gone, Err(ToolError::RespondToModel(_))));
    assert!(text(&gone).contains("no session"));
}

#[tokio::test]
async fn dropping_the_tool_kills_its_processes() {
    let dir = tempfile::tempdir().unwrap();
    let h = full(dir.path());
    let tool = UnifiedExecTool::default();
    let v = call(
        &h,
        &tool,
        json!({"input": ["bash", "-c", "echo $$; exec sleep 1000"], "timeout_ms": 300}),
    )
    .await;
    let pid: i32 = v["output"]
        .as_str()
        .unwrap()
        .trim()
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    drop(tool);
    // SIGKILL is delivered at once; wait (bounded) for the reaper.
    for _ in 0..100 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if state.is_empty() || state.contains(") Z ") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("process {pid} survived the tool");
}

#[tokio::test]
async fn long_waits_are_clamped_with_a_note_and_bad_input_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let h = full(dir.path());
    let tool = UnifiedExecTool::default();
    let v = call(
        &h,
        &tool,
        json!({"input": ["true"], "timeout_ms": 3_600_000}),
    )
    .await;
    assert!(v["note"].as_str().unwrap().contains("clamped"), "{v}");
    assert_eq!(v["exit_code"], 0);
    let missing = h
        .call(&tool, json!({"input": ["no-such-program-xyz"]}))
        .await
        .unwrap();
    assert!(!missing.success && missing.content.contains("command not found"));
    for args in [
        json!({"input": []}),
        json!({"input": "ls"}),
        json!({"session_id": "1"}),
    ] {
        let r = h.call(&tool, args.clone()).await;
        assert!(matches!(r, Err(ToolError::RespondToModel(_))), "{args}");
    }
}

#[tokio::test]
async fn huge_output_is_bounded_at_128_kib_and_says_what_was_omitted() {
    let dir = tempfile::tempdir().unwrap();
    let h = full(dir.path());
    let tool = UnifiedExecTool::default();
    let v = call(
        &h,
        &tool,
        json!({"input": ["seq", "1", "200000"], "timeout_ms": 20000}),
    )
    .await;
    assert_eq!(v["exit_code"], 0);
    let out = v["output"].as_str().unwrap();
    assert!(out.len() <= 128 * 1024 + 100, "{}", out.len());
    assert!(out.len() > 120 * 1024, "{}", out.len());
    assert!(out.starts_with("1\r\n2\r\n3\r\n"), "{}", &out[..20]);
    assert!(out.ends_with("199999\r\n200000\r\n"));
    // The terminal writes each line as digits + CR LF.
    let total: usize = (1..=200_000usize).map(|i| i.to_string().len() + 2).sum();
    let marker = out
        .lines()
        .find(|l| l.starts_with("[… "))
        .expect("a marker");
    assert!(
        marker.ends_with(&format!("omitted of {total} bytes (200000 lines) …]")),
        "{marker}"
    );
    let omitted: usize = marker
        .strip_prefix("[… ")
        .and_then(|m| m.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    // What is shown plus what is omitted is the whole output (the head may have gained a line break
    // before the marker).
    let shown = out.len() - marker.len() - 1;
    assert!([total, total + 1].contains(&(omitted + shown)), "{marker}");
}

#[tokio::test]
async fn the_end_event_measures_how_long_the_command_ran() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = full(dir.path());
    let tool = UnifiedExecTool::default();
    let v = call(
        &h,
        &tool,
        json!({"input": ["bash", "-c", "sleep 0.3"], "timeout_ms": 10000}),
    )
    .await;
    assert_eq!(v["exit_code"], 0, "{v}");
    let end = h
        .drain()
        .into_iter()
        .find_map(|m| match m {
            codex_sdk::protocol::EventMsg::ExecCommandEnd(e) => Some(e),
            _ => None,
        })
        .unwrap();
    assert!(end.duration_ms >= 300, "{end:?}");
}

#[tokio::test]
async fn pty_commands_are_sandboxed() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("escaped");
    let h = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let tool = UnifiedExecTool::default();
    let v = call(
        &h,
        &tool,
        json!({"input": ["touch", target], "timeout_ms": 10000}),
    )
    .await;
    assert_ne!(v["exit_code"], 0, "{v}");
    assert!(!target.exists());
    let v = call(
        &h,
        &tool,
        json!({"input": ["touch", "inside"], "timeout_ms": 10000}),
    )
    .await;
    assert_eq!(v["exit_code"], 0, "{v}");
}

#[test]
fn truncate_middle_is_utf8_safe_and_bounded() {
    let text = "é".repeat(10_000) + "\nend\n";
    let out = truncate_middle(&text, 1000);
    assert!(out.len() < 1100);
    assert!(out.ends_with("end\n"));
}
