//! `shell`: runs a command (argv, no shell unless the model asks for one) and reports its exit code, wall
//! time and output.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::exec::{self, ExecOutcome, ExecParams};
use super::exec_policy::{EscalationRequest, ExecPlan, REJECTED, ask, plan_exec};
use super::truncate::head_tail;
use crate::error::Error;
use crate::sandbox::{SandboxError, SandboxRules, SandboxSupport, looks_like_sandbox_denial};
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The tool's name.
pub const SHELL_TOOL_NAME: &str = "shell";
/// Timeout when the model gives none.
pub const DEFAULT_SHELL_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest timeout the model may ask for.
pub const MAX_SHELL_TIMEOUT: Duration = Duration::from_secs(600);
/// Bytes of output the model sees (head and tail kept; a marker states what the original lost).
pub const MODEL_OUTPUT_MAX_BYTES: usize = 10 * 1024;
/// Lines of output the model sees (head and tail kept).
pub const MODEL_OUTPUT_MAX_LINES: usize = 256;

/// The `shell` tool. Arguments: `{command: [string], workdir?: string, timeout_ms?: integer,
/// with_escalated_permissions?: bool, justification?: string}`.
///
/// The command runs in its own process group in the turn's working directory (or `workdir`, resolved against
/// it), under the sandbox unless the policies say otherwise (see [`crate::sandbox`]). stdout and stderr stream
/// as `ExecCommandOutputDelta` events between `ExecCommandBegin` and `ExecCommandEnd`. Its environment is the
/// conversation's [`ShellEnvironmentPolicy`](crate::sandbox::ShellEnvironmentPolicy) applied to the host's. On
/// timeout (default [`DEFAULT_SHELL_TIMEOUT`], at most [`MAX_SHELL_TIMEOUT`]), interruption, or when the command
/// exits, every process it started is killed, including those that left its process group or session.
#[derive(Debug, Clone, Default)]
pub struct ShellTool {
    sandbox: SandboxSupport,
}

impl ShellTool {
    /// A shell tool using the kernel sandbox as `sandbox` says.
    #[must_use]
    pub fn new(sandbox: SandboxSupport) -> Self {
        Self { sandbox }
    }
}

#[derive(Debug, Deserialize)]
struct ShellArgs {
    command: Vec<String>,
    #[serde(default)]
    workdir: Option<String>,
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    with_escalated_permissions: Option<bool>,
    #[serde(default)]
    justification: Option<String>,
}

#[async_trait]
impl ToolHandler for ShellTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: SHELL_TOOL_NAME.to_owned(),
            description: "Runs a command and returns its exit code, wall time and output. `command` is an \
                          argv array (use [\"bash\", \"-lc\", \"...\"] for shell syntax). Runs in the \
                          working directory unless `workdir` is given. Commands run sandboxed; set \
                          `with_escalated_permissions` with a `justification` to ask the user to run one \
                          without the sandbox."
                .to_owned(),
            strict: false,
            parameters: json!({
                "type": "object",
                "properties": {
                    "command": {"type": "array", "items": {"type": "string"},
                                "description": "The program and its arguments."},
                    "workdir": {"type": "string", "description": "Directory to run in."},
                    "timeout_ms": {"type": "integer", "description": "Kill the command after this long."},
                    "with_escalated_permissions": {"type": "boolean",
                        "description": "Ask to run without the sandbox."},
                    "justification": {"type": "string",
                        "description": "Why escalated permissions are needed (shown to the user)."}
                },
                "required": ["command"],
                "additionalProperties": false
            }),
        }
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: ShellArgs = call.parse_arguments()?;
        if args.command.is_empty() || args.command[0].is_empty() {
            return Err(ToolError::RespondToModel(
                "`command` must name a program (a non-empty argv array)".to_owned(),
            ));
        }
        let cwd = resolve_workdir(&ctx, args.workdir.as_deref())?;
        if let Some(patch) = apply_patch_invocation(&args.command) {
            // Models often send patches through the shell; apply them with the same checks and events as
            // the apply_patch tool, relative to the requested directory.
            let mut patch_ctx = ctx.clone();
            patch_ctx.cwd = cwd;
            return super::apply_patch::apply(&patch, &call.call_id, &patch_ctx).await;
        }
        let timeout = args
            .timeout_ms
            .map_or(DEFAULT_SHELL_TIMEOUT, Duration::from_millis)
            .min(MAX_SHELL_TIMEOUT);
        let escalation = EscalationRequest {
            escalate: args.with_escalated_permissions.unwrap_or(false),
            justification: args.justification.clone(),
        };
        let plan = plan_exec(
            &ctx,
            &call.call_id,
            &args.command,
            &cwd,
            &escalation,
            self.sandbox,
        )
        .await?;
        let (sandboxed, retry_on_denial) = match plan {
            ExecPlan::Refuse(message) => return Ok(ToolOutput::failure(message)),
            ExecPlan::Run {
                sandboxed,
                retry_on_denial,
            } => (sandboxed, retry_on_denial),
        };
        let env = ctx.shell_environment_policy().apply_to_current();
        let tmpdir = env
            .get(std::ffi::OsStr::new("TMPDIR"))
            .map(OsString::as_os_str);
        let sandbox = sandboxed
            .then(|| SandboxRules::for_policy(ctx.sandbox_policy(), ctx.cwd(), tmpdir))
            .flatten();
        let mut params = ExecParams {
            argv: args.command.clone(),
            cwd: cwd.clone(),
            timeout,
            sandbox,
            env,
        };
        let mut outcome = run_once(&params, &ctx, &call.call_id).await?;
        if let Ok(done) = &outcome
            && retry_on_denial
            && !done.timed_out
            && looks_like_sandbox_denial(done.exit_code, &done.output)
        {
            let reason = format!(
                "the command failed in the sandbox (exit code {}); run it again without the sandbox?",
                done.exit_code
            );
            if !ask(&ctx, &call.call_id, &args.command, &cwd, Some(reason)).await? {
                return Ok(ToolOutput::failure(REJECTED));
            }
            params.sandbox = None;
            outcome = run_once(&params, &ctx, &call.call_id).await?;
        }
        match outcome {
            Ok(done) => Ok(format_outcome(&done, timeout)),
            Err(message) => Ok(ToolOutput::failure(message)),
        }
    }
}

/// Runs once. `Ok(Err(message))` when the command could not be started (answered to the model);
/// `Err` when the turn was interrupted while it ran.
async fn run_once(
    params: &ExecParams,
    ctx: &ToolContext,
    call_id: &str,
) -> Result<Result<ExecOutcome, String>, ToolError> {
    match exec::run(params, ctx, call_id).await {
        Ok(done) if done.cancelled => Err(ToolError::Fatal(Error::Interrupted)),
        Ok(done) => Ok(Ok(done)),
        Err(SandboxError::Spawn(e)) => Ok(Err(format!(
            "failed to start `{}`: {e}",
            params.argv.first().map_or("", String::as_str)
        ))),
        Err(e) => Ok(Err(format!("command not run: {e}"))),
    }
}

/// The patch text when `argv` invokes `apply_patch` (directly, or as `bash -lc "apply_patch <<'EOF' …"`).
fn apply_patch_invocation(argv: &[String]) -> Option<String> {
    let is_tool = |s: &str| s == "apply_patch" || s == "applypatch";
    match argv {
        [program, patch] if is_tool(program) => Some(patch.clone()),
        [shell, flag, script]
            if matches!(shell.as_str(), "bash" | "sh" | "zsh")
                && matches!(flag.as_str(), "-c" | "-lc") =>
        {
            let rest = script.trim_start();
            let word = rest.split_whitespace().next()?;
            if !is_tool(word) {
                return None;
            }
            let after = rest[word.len()..].trim_start();
            after.starts_with("<<").then(|| after.to_owned())
        }
        _ => None,
    }
}

/// Resolves the optional working directory against the turn's; it must be an existing directory.
pub(crate) fn resolve_workdir(
    ctx: &ToolContext,
    workdir: Option<&str>,
) -> Result<PathBuf, ToolError> {
    let dir = match workdir {
        Some(w) if !w.is_empty() => ctx.resolve_path(w),
        _ => ctx.cwd().to_path_buf(),
    };
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(ToolError::RespondToModel(format!(
            "working directory {} does not exist or is not a directory",
            dir.display()
        )))
    }
}

fn format_outcome(done: &ExecOutcome, timeout: Duration) -> ToolOutput {
    let mut text = format!(
        "Exit code: {}\nWall time: {:.1} seconds\n",
        done.exit_code,
        done.duration.as_secs_f64()
    );
    if done.timed_out {
        text.push_str(&format!(
            "Timed out: the command was killed after {} ms\n",
            timeout.as_millis()
        ));
    }
    text.push_str("Output:\n");
    text.push_str(&head_tail(
        &done.captured,
        MODEL_OUTPUT_MAX_BYTES,
        MODEL_OUTPUT_MAX_LINES,
    ));
    if done.exit_code == 0 && !done.timed_out {
        ToolOutput::success(text)
    } else {
        ToolOutput::failure(text)
    }
}
