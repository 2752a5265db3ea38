//! Nothing a command starts outlives it: daemons that left the process group and session die on the tool
//! timeout, with their conversation, with their unified-exec session, and a tool's child dies with the host
//! process (killed with SIGKILL or SIGTERM).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use codex_sdk::model::ScriptedResponse;
use codex_sdk::protocol::{AskForApproval, EventMsg, SandboxPolicy};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::tools::handlers::{ShellTool, UnifiedExecTool};
use codex_sdk::tools::{BuiltinToolsConfig, register_builtin_tools};
use serde_json::json;

use super::support::{events_until, scripted};
use super::tools_common::{harness, text, workspace};

/// Whether `pid` is a live process (a zombie waiting for its reaper counts as dead).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits (at most 20 s) for `pid` to die; `true` when it did.
async fn dies(pid: i32) -> bool {
    for _ in 0..400 {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Waits (at most 20 s) for a pid file to be written, and returns the pid.
async fn pid_from(file: &Path) -> i32 {
    for _ in 0..400 {
        if let Ok(text) = std::fs::read_to_string(file)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} was never written", file.display());
}

/// A script that starts a daemon in its own session (it writes its pid to `pid_file`, complete, then
/// sleeps) and then sleeps itself.
fn daemon_script(pid_file: &Path) -> String {
    let f = pid_file.display();
    format!(
        "setsid sh -c 'echo $$ > {f}.tmp && mv {f}.tmp {f}; exec sleep 1000' </dev/null >/dev/null 2>&1 & \
         while [ ! -s {f} ]; do sleep 0.05; done; sleep 1000"
    )
}

/// Kills `pid` if a failed assertion left it running.
struct Reap(i32);

impl Drop for Reap {
    fn drop(&mut self) {
        if alive(self.0) {
            let _ = std::process::Command::new("kill")
                .args(["-9", &self.0.to_string()])
                .status();
        }
    }
}

#[tokio::test]
async fn a_setsid_daemon_dies_on_the_tool_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("daemon.pid");
    for policy in [SandboxPolicy::DangerFullAccess, workspace()] {
        if policy != SandboxPolicy::DangerFullAccess
            && !codex_sdk::sandbox::kernel_sandbox_available()
        {
            continue;
        }
        let _ = std::fs::remove_file(&pid_file);
        let h = harness(dir.path(), AskForApproval::Never, policy, None);
        let out = h
            .call(
                &ShellTool::default(),
                json!({"command": ["bash", "-c", daemon_script(&pid_file)], "timeout_ms": 3000}),
            )
            .await
            .unwrap();
        assert!(out.content.contains("Timed out"), "{}", out.content);
        let pid = pid_from(&pid_file).await;
        let _reap = Reap(pid);
        assert!(dies(pid).await, "daemon {pid} outlived the timeout");
    }
}

#[tokio::test]
async fn a_setsid_daemon_dies_with_its_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("daemon.pid");
    let (builder, _model) = scripted([
        ScriptedResponse::tool_call(
            "shell",
            json!({"command": ["bash", "-c", daemon_script(&pid_file)], "timeout_ms": 600_000}),
        ),
        ScriptedResponse::text("done"),
    ]);
    let codex = builder
        .cwd(dir.path())
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(conv.tools(), &BuiltinToolsConfig::default()).unwrap();
    conv.send("start a daemon").await.unwrap();
    events_until(&mut conv, |e| matches!(e, EventMsg::ExecCommandBegin(_))).await;
    let pid = pid_from(&pid_file).await;
    let _reap = Reap(pid);
    assert!(alive(pid));
    conv.shutdown().await.unwrap();
    assert!(dies(pid).await, "daemon {pid} outlived its conversation");
}

#[tokio::test]
async fn a_setsid_daemon_dies_with_its_unified_exec_session() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("daemon.pid");
    let h = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::DangerFullAccess,
        None,
    );
    let tool = UnifiedExecTool::default();
    let result = h
        .call(
            &tool,
            json!({"input": ["bash", "-c", daemon_script(&pid_file)], "timeout_ms": 200}),
        )
        .await;
    let answer: serde_json::Value = serde_json::from_str(&text(&result)).unwrap();
    assert!(answer["session_id"].is_string(), "{answer}");
    let pid = pid_from(&pid_file).await;
    let _reap = Reap(pid);
    assert!(alive(pid));
    drop(tool);
    assert!(dies(pid).await, "daemon {pid} outlived its session");
}

/// Runs the `exec` example against the mock server on a turn whose shell call records its environment and
/// pid and then sleeps, kills the host with `signal`, and checks that the command died with it.
/// Runs a host (`codex-sdk exec`) whose tool blocks, sends it `signal`, and checks the tool dies with it.
/// With `sigint_ignored` the host starts with SIGINT ignored, as a shell's background job does. Returns
/// the host's exit status.
async fn host_death_kills_the_tool(signal: &str, sigint_ignored: bool) -> std::process::ExitStatus {
    let exec = super::support::exec_binary();
    let server = MockServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (pid_file, env_file) = (dir.path().join("tool.pid"), dir.path().join("env.txt"));
    let script = format!(
        "env > {env}; echo $$ > {pid}.tmp && mv {pid}.tmp {pid}; exec sleep 1000",
        env = env_file.display(),
        pid = pid_file.display()
    );
    let args = json!({"command": ["bash", "-c", script], "timeout_ms": 600_000}).to_string();
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r1", "c1", "shell", &args,
    )));
    let secret = "sk-test-never-visible-to-tools";
    let mut host = if sigint_ignored {
        let mut wrapper = tokio::process::Command::new("bash");
        wrapper
            .args(["-c", "trap '' INT; exec \"$0\" \"$@\""])
            .arg(exec);
        wrapper
    } else {
        tokio::process::Command::new(exec)
    };
    let mut host = host
        .args([
            "-c",
            "approval_policy=never",
            "-c",
            "sandbox_mode=workspace-write",
        ])
        .arg("--cd")
        .arg(dir.path())
        .arg("record your pid")
        .env("OPENAI_API_KEY", secret)
        .env("OPENAI_BASE_URL", server.base_url())
        .env("CODEX_HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = pid_from(&pid_file).await;
    let _reap = Reap(pid);
    assert!(alive(pid));

    let env = std::fs::read_to_string(&env_file).unwrap();
    assert!(!env.contains(secret), "the API key reached a tool:\n{env}");
    assert!(env.contains("PATH="), "{env}");

    let status = std::process::Command::new("kill")
        .args([signal, &host.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = host.wait().await.unwrap();
    assert!(
        dies(pid).await,
        "the tool's process {pid} outlived its host (killed with {signal})"
    );
    exit
}

#[tokio::test]
async fn a_tools_child_dies_when_the_host_is_killed() {
    host_death_kills_the_tool("-KILL", false).await;
}

#[tokio::test]
async fn a_tools_child_dies_when_the_host_is_terminated() {
    let exit = host_death_kills_the_tool("-TERM", false).await;
    assert_eq!(exit.code(), Some(143), "{exit:?}");
}

#[tokio::test]
async fn a_tools_child_dies_when_the_host_is_interrupted() {
    let exit = host_death_kills_the_tool("-INT", false).await;
    assert_eq!(exit.code(), Some(130), "{exit:?}");
}

#[tokio::test]
async fn ctrl_c_interrupts_a_host_started_with_sigint_ignored() {
    // A shell's background job inherits SIGINT ignored; exec still answers Ctrl-C by interrupting the turn.
    let exit = host_death_kills_the_tool("-INT", true).await;
    assert_eq!(exit.code(), Some(130), "{exit:?}");
}
