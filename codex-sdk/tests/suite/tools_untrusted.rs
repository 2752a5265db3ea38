//! The `untrusted` approval policy end to end, through conversations with the scripted model: what the
//! classifier cannot prove read-only asks first — for `shell` and `unified_exec` alike — and runs only if
//! approved. Each bypass below once ran without approval (and, under danger-full-access, unsandboxed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use codex_sdk::model::ScriptedResponse;
use codex_sdk::protocol::{AskForApproval, EventMsg, Op, ReviewDecision, SandboxPolicy};
use codex_sdk::tools::{BuiltinToolsConfig, register_builtin_tools};
use serde_json::{Value, json};

use super::support::{events_until, scripted};

const TOOLS: [&str; 2] = ["shell", "unified_exec"];

/// The arguments that make `tool` run `command`.
fn run_args(tool: &str, command: &[String]) -> Value {
    match tool {
        "shell" => json!({ "command": command }),
        _ => json!({ "input": command, "timeout_ms": 5000 }),
    }
}

/// What one turn did: the commands the host was asked to approve (all denied) and the tool outputs.
#[derive(Debug, Default)]
struct Turn {
    asked: Vec<Vec<String>>,
    outputs: Vec<String>,
}

/// Runs one turn in `dir` under `untrusted` + danger-full-access in which the model makes `calls` (one
/// tool call per model response), denying every approval request.
async fn run_denying(dir: &Path, calls: Vec<(&str, Value)>) -> Turn {
    let mut responses: Vec<ScriptedResponse> = calls
        .into_iter()
        .map(|(tool, args)| ScriptedResponse::tool_call(tool, args))
        .collect();
    responses.push(ScriptedResponse::text("done"));
    let (builder, _model) = scripted(responses);
    let codex = builder
        .cwd(dir)
        .approval_policy(AskForApproval::UnlessTrusted)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(
        conv.tools(),
        &BuiltinToolsConfig::default().with_unified_exec(true),
    )
    .unwrap();
    conv.send("go").await.unwrap();
    let mut turn = Turn::default();
    loop {
        let events = events_until(&mut conv, |e| {
            matches!(e, EventMsg::ExecApprovalRequest(_)) || e.is_turn_terminal()
        })
        .await;
        for event in &events {
            if let EventMsg::ToolCallEnd(end) = &event.msg {
                turn.outputs.push(end.output.clone());
            }
        }
        match events.last().map(|e| &e.msg) {
            Some(EventMsg::ExecApprovalRequest(request)) => {
                turn.asked.push(request.command.clone());
                conv.submit(Op::ExecApproval {
                    id: request.call_id.clone(),
                    decision: ReviewDecision::Denied,
                })
                .await
                .unwrap();
            }
            Some(EventMsg::TaskComplete(_)) => return turn,
            other => panic!("turn ended with {other:?}"),
        }
    }
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Runs `command` with each tool, denying approval; asserts it was asked about and `marker` never appeared.
async fn assert_asks_and_does_not_run(dir: &Path, command: &[String], marker: &Path) {
    for tool in TOOLS {
        let turn = run_denying(dir, vec![(tool, run_args(tool, command))]).await;
        assert_eq!(turn.asked, [command.to_vec()], "{tool}: {turn:?}");
        assert!(
            turn.outputs.iter().any(|o| o.contains("rejected by user")),
            "{tool}: {turn:?}"
        );
        assert!(!marker.exists(), "{tool} ran {command:?} without approval");
    }
}

/// An executable shell script at `path` that creates `marker`.
fn write_marker_script(path: &Path, marker: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A git repository with one commit in `dir`.
fn git_repo(dir: &Path) {
    for args in [
        &["init", "-q"][..],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "first",
        ],
    ] {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }
}

#[tokio::test]
async fn a_newline_in_a_script_separates_commands() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    for script in ["ls\ntouch marker", "echo ok\n\ntouch marker"] {
        let command = strings(&["bash", "-lc", script]);
        assert_asks_and_does_not_run(dir.path(), &command, &marker).await;
    }
}

#[tokio::test]
async fn a_program_named_by_path_is_not_the_safe_program() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    write_marker_script(&dir.path().join("cat"), &marker);
    write_marker_script(&dir.path().join("bash"), &marker);
    let nested = dir.path().join("x").join("cat");
    write_marker_script(&nested, &marker);
    for command in [
        strings(&["./cat", "Cargo.toml"]),
        vec![nested.display().to_string()],
        strings(&["./bash", "-lc", "ls"]),
        strings(&["bash", "-lc", "ls && ./cat"]),
    ] {
        assert_asks_and_does_not_run(dir.path(), &command, &marker).await;
    }
}

#[tokio::test]
async fn git_branch_with_a_name_creates_a_branch_so_it_asks() {
    let dir = tempfile::tempdir().unwrap();
    git_repo(dir.path());
    let branch = dir.path().join(".git/refs/heads/evil");
    assert_asks_and_does_not_run(dir.path(), &strings(&["git", "branch", "evil"]), &branch).await;
    let script = strings(&["bash", "-lc", "git status && git branch evil"]);
    assert_asks_and_does_not_run(dir.path(), &script, &branch).await;
}

#[tokio::test]
async fn read_only_commands_still_run_without_asking() {
    let dir = tempfile::tempdir().unwrap();
    git_repo(dir.path());
    std::fs::write(dir.path().join("notes.txt"), "alpha\nbeta\n").unwrap();
    let script = "git status --short && git branch\ngrep -n beta notes.txt | wc -l";
    for tool in TOOLS {
        let command = strings(&["bash", "-lc", script]);
        let turn = run_denying(dir.path(), vec![(tool, run_args(tool, &command))]).await;
        assert!(turn.asked.is_empty(), "{tool}: {turn:?}");
        assert!(
            turn.outputs.iter().any(|o| o.contains("notes.txt")),
            "{tool}: {turn:?}"
        );
    }
}

#[tokio::test]
async fn a_safe_git_command_on_a_terminal_does_not_open_a_pager() {
    // A pager on the session's terminal would take commands from later writes (`!cmd` in less), which
    // need no approval: safe commands must finish on their own.
    let dir = tempfile::tempdir().unwrap();
    git_repo(dir.path());
    // More than a screen of log, so a pager would stay open.
    let long_message: String = (0..200).map(|i| format!("line {i}\n")).collect();
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["commit", "-q", "--allow-empty", "-m", &long_message])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let marker = dir.path().join("marker");
    let turn = run_denying(
        dir.path(),
        vec![
            (
                "unified_exec",
                json!({"input": ["git", "log"], "timeout_ms": 5000}),
            ),
            (
                "unified_exec",
                json!({"input": ["\n!touch marker\n", "q"], "session_id": "1", "timeout_ms": 500}),
            ),
        ],
    )
    .await;
    assert!(
        !marker.exists(),
        "a pager ran a command written to the session"
    );
    assert!(turn.asked.is_empty(), "{turn:?}");
    let started: Value = serde_json::from_str(&turn.outputs[0]).unwrap();
    assert_eq!(started["exit_code"], 0, "{turn:?}");
    assert!(started["output"].as_str().unwrap().contains("first"));
    assert!(turn.outputs[1].contains("no session"), "{turn:?}");
    assert!(!marker.exists());
}
