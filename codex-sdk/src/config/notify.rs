//! `notify = ["prog", "arg"]`: a program run after each turn with Codex's JSON payload as its last argument.
//!
//! The program runs in the background: the turn's terminal event is sent first and nothing waits for the
//! program. It gets the environment policy's environment (so no `*KEY*`/`*SECRET*`/`*TOKEN*` variables by
//! default), no stdin, and its output is discarded. Like a command it is tracked as a process tree: it dies
//! with the host (`PR_SET_PDEATHSIG`), and it and its descendants are killed after [`NOTIFY_TIMEOUT`].
//! Shutting the conversation down waits for its running notifiers (within that timeout), so a host that
//! exits right after the last turn, such as `exec`, still delivers the notification.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;

use crate::sandbox::{ProcessTree, ShellEnvironmentPolicy, spawn_on_thread};

/// How long a notification program may run before it is killed.
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(60);

/// Codex's `agent-turn-complete` notification (kebab-case keys, as Codex writes them).
#[derive(Debug, Serialize)]
#[serde(
    tag = "type",
    rename = "agent-turn-complete",
    rename_all = "kebab-case"
)]
pub(crate) struct TurnCompleteNotification<'a> {
    pub(crate) thread_id: String,
    pub(crate) turn_id: &'a str,
    pub(crate) cwd: &'a Path,
    pub(crate) input_messages: Vec<String>,
    pub(crate) last_assistant_message: Option<&'a str>,
}

/// Starts `argv` with `payload` appended, in the background; the task ends when the program does (or is
/// killed after [`NOTIFY_TIMEOUT`]). Failures are logged, never raised: a broken notifier must not fail
/// the conversation.
pub(crate) fn spawn_notify(
    argv: &[String],
    payload: &TurnCompleteNotification<'_>,
    policy: &ShellEnvironmentPolicy,
) -> Option<JoinHandle<()>> {
    let (program, args) = argv.split_first()?;
    let payload = match serde_json::to_string(payload) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "notify payload could not be built");
            return None;
        }
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .arg(payload)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env_clear()
        .envs(policy.apply_to_current())
        .process_group(0)
        .kill_on_drop(true);
    let program = program.clone();
    Some(tokio::spawn(async move {
        let mut tree = ProcessTree::new();
        tree.prepare(&mut cmd);
        let (mut child, _thread) = match spawn_on_thread(None, move || cmd.spawn()).await {
            Ok(spawned) => spawned,
            Err(e) => {
                tracing::warn!(program = %program, error = %e, "notify program could not start");
                return;
            }
        };
        tree.started(child.id());
        if tokio::time::timeout(NOTIFY_TIMEOUT, child.wait())
            .await
            .is_err()
        {
            tracing::warn!(program = %program, "notify program timed out; killed");
        }
        tree.kill();
        let _ = child.start_kill();
    }))
}
