//! `unified_exec`: interactive processes on pseudo-terminals, kept across calls.

mod pty;
mod session;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

pub use session::OUTPUT_BUFFER_CAP;
use session::{MAX_SESSIONS, Session, SessionManager};

use super::exec_policy::{EscalationRequest, ExecPlan, plan_exec};
use super::truncate::head_tail;
use crate::protocol::{EventMsg, ExecCommandBeginEvent, ExecCommandEndEvent};
use crate::sandbox::{ProcessTree, SandboxError, SandboxRules, SandboxSupport, spawn_on_thread};
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The tool's name.
pub const UNIFIED_EXEC_TOOL_NAME: &str = "unified_exec";
/// How long a call waits for output when the model gives no `timeout_ms`.
pub const DEFAULT_UNIFIED_EXEC_WAIT: Duration = Duration::from_millis(1000);
/// The longest wait; longer requests are clamped (and the model is told).
pub const MAX_UNIFIED_EXEC_WAIT: Duration = Duration::from_secs(60);
/// Bytes of output returned to the model per call (the seed's figure). Longer output keeps its first and
/// last half, cut at line or character boundaries, with one marker stating the bytes and lines omitted of
/// the original output.
pub const UNIFIED_EXEC_OUTPUT_MAX_BYTES: usize = 128 * 1024;

/// The `unified_exec` tool. Arguments: `{input: [string], session_id?: string, timeout_ms?: integer}`.
///
/// Without `session_id`, `input` is a command (argv; the program is resolved through `PATH`, or as a path
/// when it contains `/`) started on a new pseudo-terminal in the working directory, under the same
/// approval and sandbox rules as `shell`. With `session_id`, the strings of `input` are written, joined, to
/// that session's terminal. Either way the call then collects output until `timeout_ms` (default 1 s,
/// clamped to 60 s) passes or the process exits, and answers with JSON
/// `{session_id?, exit_code?, output, note?}`: `session_id` while the process runs, `exit_code` once it
/// exited (the session is then gone).
///
/// Sessions belong to this handler instance — register one per conversation — and are killed (every process
/// they started, even those that left the session) when they exit or when the handler is dropped. The
/// environment is the conversation's [`ShellEnvironmentPolicy`](crate::sandbox::ShellEnvironmentPolicy)'s,
/// plus `TERM=dumb` and no pager (`PAGER=cat`, `GIT_PAGER=cat`, `LESSSECURE=1`): a command that started
/// without approval must not hand the session to a program that runs what is written to it. Each keeps at most
/// [`OUTPUT_BUFFER_CAP`] bytes of unread output. Not available over Chat Completions.
#[derive(Clone, Default)]
pub struct UnifiedExecTool {
    sessions: Arc<SessionManager>,
    sandbox: SandboxSupport,
}

impl std::fmt::Debug for UnifiedExecTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnifiedExecTool")
            .field("sessions", &self.sessions.len())
            .field("sandbox", &self.sandbox)
            .finish()
    }
}

impl UnifiedExecTool {
    /// A tool with no sessions, sandboxing as `sandbox` says.
    #[must_use]
    pub fn new(sandbox: SandboxSupport) -> Self {
        Self {
            sessions: Arc::default(),
            sandbox,
        }
    }

    /// How many sessions are open.
    #[must_use]
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}

#[derive(Debug, Deserialize)]
struct UnifiedExecArgs {
    input: Vec<String>,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

#[async_trait]
impl ToolHandler for UnifiedExecTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: UNIFIED_EXEC_TOOL_NAME.to_owned(),
            description: "Runs interactive commands on a terminal. Without session_id, `input` is the \
                          command (argv) to start; the answer carries a session_id while it runs. With \
                          session_id, `input` is text written to that session (include \"\\n\" to press \
                          Enter). Each call returns the output produced within timeout_ms (default 1000, \
                          at most 60000)."
                .to_owned(),
            strict: false,
            parameters: json!({
                "type": "object",
                "properties": {
                    "input": {"type": "array", "items": {"type": "string"}},
                    "session_id": {"type": "string"},
                    "timeout_ms": {"type": "integer"}
                },
                "required": ["input"],
                "additionalProperties": false
            }),
        }
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: UnifiedExecArgs = call.parse_arguments()?;
        let requested = args
            .timeout_ms
            .map_or(DEFAULT_UNIFIED_EXEC_WAIT, Duration::from_millis);
        let wait = requested.min(MAX_UNIFIED_EXEC_WAIT);
        let note = (requested > MAX_UNIFIED_EXEC_WAIT).then(|| {
            format!(
                "timeout_ms clamped to {} (the maximum)",
                MAX_UNIFIED_EXEC_WAIT.as_millis()
            )
        });
        let session = match &args.session_id {
            Some(id) => {
                let session = self.sessions.get(id).ok_or_else(|| {
                    ToolError::RespondToModel(format!(
                        "no session {id:?}: it exited or never existed"
                    ))
                })?;
                let _busy = session.busy.lock().await;
                session
                    .write(args.input.concat().as_bytes())
                    .await
                    .map_err(|e| {
                        ToolError::RespondToModel(format!("cannot write to session {id}: {e}"))
                    })?;
                drop(_busy);
                session
            }
            None => match self.start(&args.input, &call.call_id, &ctx).await? {
                Ok(session) => session,
                Err(message) => return Ok(ToolOutput::failure(message)),
            },
        };
        let _busy = session.busy.lock().await;
        let collected = session
            .collect(tokio::time::Instant::now() + wait, ctx.cancellation())
            .await;
        let output = head_tail(&collected.output, UNIFIED_EXEC_OUTPUT_MAX_BYTES, usize::MAX);
        if let Some(code) = collected.exit_code {
            self.sessions.remove(&session.id);
            let elapsed = session.started.elapsed().as_millis();
            ctx.emit(EventMsg::ExecCommandEnd(ExecCommandEndEvent {
                call_id: call.call_id.clone(),
                exit_code: code,
                duration_ms: u64::try_from(elapsed).unwrap_or(u64::MAX),
                aggregated_output: output.clone(),
                timed_out: false,
            }))
            .await;
        }
        let mut answer = json!({ "output": output });
        match collected.exit_code {
            Some(code) => answer["exit_code"] = json!(code),
            None => answer["session_id"] = json!(session.id),
        }
        if let Some(note) = note {
            answer["note"] = json!(note);
        }
        Ok(ToolOutput::success(answer.to_string()))
    }
}

impl UnifiedExecTool {
    /// Starts a session. `Ok(Err(message))` when it could not start (answered to the model).
    async fn start(
        &self,
        argv: &[String],
        call_id: &str,
        ctx: &ToolContext,
    ) -> Result<Result<Arc<Session>, String>, ToolError> {
        let Some((program, args)) = argv.split_first().filter(|(p, _)| !p.is_empty()) else {
            return Err(ToolError::RespondToModel(
                "`input` must hold the command to start (argv)".into(),
            ));
        };
        if self.sessions.len() >= MAX_SESSIONS {
            return Err(ToolError::RespondToModel(format!(
                "too many open sessions ({MAX_SESSIONS}); finish one first"
            )));
        }
        let cwd = ctx.cwd().to_path_buf();
        let Some(resolved) = pty::resolve_program(program, &cwd) else {
            return Ok(Err(format!("command not found: {program}")));
        };
        let plan = plan_exec(
            ctx,
            call_id,
            argv,
            &cwd,
            &EscalationRequest::default(),
            self.sandbox,
        )
        .await?;
        let sandboxed = match plan {
            ExecPlan::Refuse(message) => return Ok(Err(message)),
            ExecPlan::Run { sandboxed, .. } => sandboxed,
        };
        let env = ctx.shell_environment_policy().apply_to_current();
        let rules = sandboxed
            .then(|| {
                let tmpdir = env.get(std::ffi::OsStr::new("TMPDIR"));
                SandboxRules::for_policy(ctx.sandbox_policy(), &cwd, tmpdir.map(|d| d.as_os_str()))
            })
            .flatten();
        let (mut cmd, master) = pty::prepare(&resolved, args, &cwd, &env)
            .map_err(|e| ToolError::RespondToModel(format!("cannot open a terminal: {e}")))?;
        let mut tree = ProcessTree::new();
        tree.prepare(&mut cmd);
        let started = std::time::Instant::now();
        let spawned = spawn_on_thread(rules, move || pty::spawn(cmd, master)).await;
        let (child, thread) = match spawned {
            Ok(spawned) => spawned,
            Err(SandboxError::Spawn(e)) => {
                return Ok(Err(format!("failed to start `{program}`: {e}")));
            }
            Err(e) => return Ok(Err(format!("command not run: {e}"))),
        };
        tree.started(child.child.id());
        let session = Session::start(self.sessions.next_id(), started, child, tree, thread)
            .map(Arc::new)
            .map_err(|e| ToolError::RespondToModel(format!("cannot watch the terminal: {e}")))?;
        self.sessions.insert(Arc::clone(&session));
        ctx.emit(EventMsg::ExecCommandBegin(ExecCommandBeginEvent {
            call_id: call_id.to_owned(),
            command: argv.to_vec(),
            cwd,
        }))
        .await;
        Ok(Ok(session))
    }
}
