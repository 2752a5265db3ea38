//! The shell tool: real processes, events, timeouts, approvals, sandbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use codex_sdk::protocol::{AskForApproval, EventMsg, ReviewDecision, SandboxPolicy};
use codex_sdk::sandbox::SandboxSupport;
use codex_sdk::tools::ToolError;
use codex_sdk::tools::handlers::ShellTool;
use serde_json::json;

use super::tools_common::{Recorder, harness, text, workspace};

fn full() -> SandboxPolicy {
    SandboxPolicy::DangerFullAccess
}

#[tokio::test]
async fn runs_in_cwd_and_streams_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), AskForApproval::Never, full(), None);
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", "pwd; echo err >&2; exit 3"]}),
        )
        .await
        .unwrap();
    assert!(!out.success);
    assert!(
        out.content.starts_with("Exit code: 3\nWall time: "),
        "{}",
        out.content
    );
    let cwd = std::fs::canonicalize(dir.path()).unwrap();
    assert!(out.content.contains(&cwd.display().to_string()));
    assert!(out.content.contains("err"));
    let events = h.drain();
    assert!(matches!(events.first(), Some(EventMsg::ExecCommandBegin(b)) if b.call_id == "call-1"));
    let deltas: String = events
        .iter()
        .filter_map(|e| match e {
            EventMsg::ExecCommandOutputDelta(d) => Some(d.chunk.clone()),
            _ => None,
        })
        .collect();
    assert!(deltas.contains("err"));
    match events.last() {
        Some(EventMsg::ExecCommandEnd(end)) => {
            assert_eq!(end.exit_code, 3);
            assert!(!end.timed_out);
            assert!(end.aggregated_output.contains("err"));
        }
        other => panic!("expected ExecCommandEnd last, got {other:?}"),
    }
}

#[tokio::test]
async fn relative_workdir_is_resolved_against_cwd() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let h = harness(dir.path(), AskForApproval::Never, full(), None);
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["pwd"], "workdir": "sub"}),
        )
        .await
        .unwrap();
    assert!(out.success);
    assert!(out.content.trim_end().ends_with("/sub"), "{}", out.content);
    let missing = h
        .call(
            &ShellTool::default(),
            json!({"command": ["pwd"], "workdir": "nope"}),
        )
        .await;
    assert!(matches!(missing, Err(ToolError::RespondToModel(_))));
}

#[tokio::test]
async fn timeout_kills_the_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), AskForApproval::Never, full(), None);
    // The child sleeps in the background; the whole group must die, and the call must return.
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", "sleep 30 & echo started; sleep 30"], "timeout_ms": 300}),
        )
        .await
        .unwrap();
    assert!(!out.success);
    assert!(out.content.contains("Timed out"), "{}", out.content);
    assert!(out.content.contains("started"));
    let end = h.drain().into_iter().find_map(|e| match e {
        EventMsg::ExecCommandEnd(end) => Some(end),
        _ => None,
    });
    let end = end.unwrap();
    assert!(end.timed_out);
    assert_eq!(end.exit_code, -1);
}

#[tokio::test]
async fn huge_binary_output_is_truncated_for_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), AskForApproval::Never, full(), None);
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", "head -c 3000000 /dev/urandom; seq 1 100000"]}),
        )
        .await
        .unwrap();
    assert!(out.content.len() < 12 * 1024, "{}", out.content.len());
    assert!(out.content.contains("100000"), "tail kept");
    assert!(out.content.contains("truncated") || out.content.contains("omitted"));
}

/// What the model sees of a command's output (after the `Output:` header).
async fn model_output(h: &super::tools_common::Harness, script: &str) -> String {
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", script]}),
        )
        .await
        .unwrap();
    assert!(out.success, "{}", out.content);
    let (_, output) = out.content.split_once("Output:\n").unwrap();
    output.to_owned()
}

#[tokio::test]
async fn the_truncation_marker_states_exactly_what_the_original_output_lost() {
    // Outputs of about 5 MB: the capture keeps 1 MiB of them, the model 256 lines or 10 KiB; the one
    // marker must count the bytes and line breaks omitted from the original, capture losses included.
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), AskForApproval::Never, full(), None);
    let numbered = |range: std::ops::RangeInclusive<usize>| -> String {
        range.map(|i| format!("{i}\n")).collect()
    };

    let n = 750_000;
    let total: usize = (1..=n).map(|i| i.to_string().len() + 1).sum();
    let (head, tail) = (numbered(1..=128), numbered(n - 127..=n));
    let omitted = total - head.len() - tail.len();
    assert_eq!(
        model_output(&h, &format!("seq 1 {n}")).await,
        format!(
            "{head}[… {omitted} bytes ({} lines) omitted of {total} bytes ({n} lines) …]\n{tail}",
            n - 256
        )
    );

    let y = "y\n".repeat(128);
    assert_eq!(
        model_output(&h, "yes | head -c 5000000").await,
        format!(
            "{y}[… 4999488 bytes (2499744 lines) omitted of 5000000 bytes (2500000 lines) …]\n{y}"
        )
    );

    let a = "a".repeat(5 * 1024);
    assert_eq!(
        model_output(&h, "head -c 5000000 /dev/zero | tr '\\0' a").await,
        format!("{a}\n[… 4989760 bytes (0 lines) omitted of 5000000 bytes (1 line) …]\n{a}")
    );
}

#[tokio::test]
async fn missing_program_and_bad_args_answer_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), AskForApproval::Never, full(), None);
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["definitely-not-a-program-xyz"]}),
        )
        .await
        .unwrap();
    assert!(!out.success);
    assert!(out.content.contains("failed to start"), "{}", out.content);
    for args in ["{", "{}", r#"{"command": "ls"}"#, r#"{"command": []}"#] {
        let r = h.call_raw(&ShellTool::default(), args).await;
        assert!(matches!(r, Err(ToolError::RespondToModel(_))), "{args}");
    }
}

#[tokio::test]
async fn untrusted_asks_for_unsafe_commands_only() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::answering(ReviewDecision::Denied);
    let mut h = harness(
        dir.path(),
        AskForApproval::UnlessTrusted,
        full(),
        Some(rec.clone()),
    );
    let safe = h
        .call(&ShellTool::default(), json!({"command": ["ls"]}))
        .await
        .unwrap();
    assert!(safe.success);
    assert_eq!(rec.count(), 0);
    let out = h
        .call(&ShellTool::default(), json!({"command": ["touch", "x"]}))
        .await
        .unwrap();
    assert_eq!(rec.count(), 1);
    assert!(out.content.contains("rejected by user"));
    assert!(!dir.path().join("x").exists());
    let events = h.drain();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventMsg::ExecApprovalRequest(r) if r.command == ["touch", "x"]))
    );
}

#[tokio::test]
async fn approved_for_session_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::answering(ReviewDecision::ApprovedForSession);
    let h = harness(
        dir.path(),
        AskForApproval::UnlessTrusted,
        full(),
        Some(rec.clone()),
    );
    for _ in 0..2 {
        let out = h
            .call(&ShellTool::default(), json!({"command": ["touch", "x"]}))
            .await
            .unwrap();
        assert!(out.success, "{}", out.content);
    }
    assert_eq!(rec.count(), 1);
    assert!(dir.path().join("x").exists());
}

#[tokio::test]
async fn abort_is_fatal_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::answering(ReviewDecision::Abort);
    let h = harness(dir.path(), AskForApproval::UnlessTrusted, full(), Some(rec));
    let r = h
        .call(&ShellTool::default(), json!({"command": ["touch", "x"]}))
        .await;
    assert!(
        matches!(r, Err(ToolError::Fatal(codex_sdk::Error::Interrupted))),
        "{r:?}"
    );
}

#[tokio::test]
async fn no_answer_is_a_denial() {
    let dir = tempfile::tempdir().unwrap();
    // No handler: the request times out (200 ms in the harness) and is denied.
    let h = harness(dir.path(), AskForApproval::UnlessTrusted, full(), None);
    let out = h
        .call(&ShellTool::default(), json!({"command": ["touch", "x"]}))
        .await;
    assert!(text(&out).contains("rejected"));
    assert!(!dir.path().join("x").exists());
}

#[tokio::test]
async fn sandbox_unavailable_fallback_asks_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let tool = ShellTool::new(SandboxSupport::Unavailable);
    let mut never = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let out = never.call(&tool, json!({"command": ["ls"]})).await.unwrap();
    assert!(!out.success);
    assert!(
        out.content.contains("sandbox is unavailable"),
        "{}",
        out.content
    );
    assert!(
        never
            .drain()
            .iter()
            .any(|e| matches!(e, EventMsg::Warning(_)))
    );

    let rec = Recorder::answering(ReviewDecision::Approved);
    let asking = harness(
        dir.path(),
        AskForApproval::OnRequest,
        workspace(),
        Some(rec.clone()),
    );
    let out = asking
        .call(&tool, json!({"command": ["ls"]}))
        .await
        .unwrap();
    assert!(out.success);
    assert_eq!(rec.count(), 1);
}

#[tokio::test]
async fn sandbox_denies_writes_outside_writable_roots() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        eprintln!("skipping: no Landlock on this kernel");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("escaped");
    let h = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let inside = h
        .call(
            &ShellTool::default(),
            json!({"command": ["touch", "inside"]}),
        )
        .await
        .unwrap();
    assert!(inside.success, "{}", inside.content);
    assert!(dir.path().join("inside").exists());
    let denied = h
        .call(&ShellTool::default(), json!({"command": ["touch", target]}))
        .await
        .unwrap();
    assert!(!denied.success);
    assert!(
        denied.content.contains("Permission denied"),
        "{}",
        denied.content
    );
    assert!(!target.exists());

    let ro = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::ReadOnly,
        None,
    );
    let denied = ro
        .call(
            &ShellTool::default(),
            json!({"command": ["touch", "inside2"]}),
        )
        .await
        .unwrap();
    assert!(!denied.success);
    assert!(!dir.path().join("inside2").exists());
    let read = ro
        .call(
            &ShellTool::default(),
            json!({"command": ["cat", "/etc/hostname"]}),
        )
        .await
        .unwrap();
    assert!(read.success, "{}", read.content);
}

#[tokio::test]
async fn on_failure_offers_unsandboxed_retry() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("retried");
    let rec = Recorder::answering(ReviewDecision::Approved);
    let h = harness(
        dir.path(),
        AskForApproval::OnFailure,
        workspace(),
        Some(rec.clone()),
    );
    let out = h
        .call(&ShellTool::default(), json!({"command": ["touch", target]}))
        .await
        .unwrap();
    assert!(out.success, "{}", out.content);
    assert_eq!(rec.count(), 1);
    assert!(target.exists());
}

#[tokio::test]
async fn on_request_escalation_asks() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::answering(ReviewDecision::Denied);
    let h = harness(
        dir.path(),
        AskForApproval::OnRequest,
        workspace(),
        Some(rec.clone()),
    );
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["ls"], "with_escalated_permissions": true, "justification": "need it"}),
        )
        .await
        .unwrap();
    assert!(out.content.contains("rejected"));
    let reqs = rec.requests.lock().unwrap();
    match &reqs[0] {
        codex_sdk::conversation::approval::ApprovalRequest::Exec(e) => {
            assert_eq!(e.reason.as_deref(), Some("need it"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn apply_patch_through_the_shell_is_applied_as_a_patch() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let direct = h
        .call(
            &ShellTool::default(),
            json!({"command": ["apply_patch", "*** Begin Patch\n*** Add File: one.txt\n+1\n*** End Patch\n"]}),
        )
        .await
        .unwrap();
    assert!(direct.success, "{}", direct.content);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("one.txt")).unwrap(),
        "1\n"
    );
    let heredoc = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-lc",
                "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: one.txt\n-1\n+2\n*** End Patch\nEOF\n"]}),
        )
        .await
        .unwrap();
    assert!(heredoc.success, "{}", heredoc.content);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("one.txt")).unwrap(),
        "2\n"
    );
    assert!(
        h.drain()
            .iter()
            .any(|e| matches!(e, EventMsg::PatchApplyEnd(p) if p.success))
    );
}
