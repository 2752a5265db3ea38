//! Deciding whether (and how) a command may run: the approval policy, the sandbox policy, what the host
//! already approved for the session, and whether the kernel sandbox is available.

use std::path::Path;

use crate::approval::ApprovalRequest;
use crate::error::Error;
use crate::protocol::{
    AskForApproval, EventMsg, ExecApprovalRequestEvent, ReviewDecision, SandboxPolicy, WarningEvent,
};
use crate::sandbox::SandboxSupport;
use crate::sandbox::command_safety::is_known_safe;
use crate::telemetry::ToolDecisionSource;
use crate::tools::{ToolContext, ToolError};

/// What to do with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExecPlan {
    /// Run it; `sandboxed` says whether under the kernel sandbox. `retry_on_denial`: when it fails in a way
    /// that looks like a sandbox denial, ask to rerun it unsandboxed.
    Run {
        sandboxed: bool,
        retry_on_denial: bool,
    },
    /// Do not run it; tell the model this.
    Refuse(String),
}

/// The message the model gets when the host denies a command.
pub(crate) const REJECTED: &str = "exec command rejected by user";

/// What the model asked for besides the command itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct EscalationRequest {
    /// The model asks to run outside the sandbox (honoured under `on-request`, after approval).
    pub(crate) escalate: bool,
    /// Why, shown to the host.
    pub(crate) justification: Option<String>,
}

/// Decides how `argv` runs. Asks the host when the policies say so.
///
/// # Errors
/// [`ToolError::Fatal`] with [`Error::Interrupted`] when the host answers abort.
pub(crate) async fn plan_exec(
    ctx: &ToolContext,
    call_id: &str,
    argv: &[String],
    cwd: &Path,
    request: &EscalationRequest,
    support: SandboxSupport,
) -> Result<ExecPlan, ToolError> {
    let restricting = !matches!(ctx.sandbox_policy(), SandboxPolicy::DangerFullAccess);
    let policy = ctx.approval_policy();
    // Decisions the policies take on their own are reported here; the host's answers by the approval path.
    let by_config = |decision| ctx.record_decision(call_id, decision, ToolDecisionSource::Config);
    if ctx.is_command_approved_for_session(argv) {
        by_config(ReviewDecision::ApprovedForSession);
        return Ok(ExecPlan::Run {
            sandboxed: false,
            retry_on_denial: false,
        });
    }
    if restricting && !support.is_available() {
        ctx.emit(EventMsg::Warning(WarningEvent {
            message:
                "the command sandbox (Landlock) is unavailable on this system; commands run only \
                      with explicit approval"
                    .to_owned(),
        }))
        .await;
        if policy == AskForApproval::Never {
            by_config(ReviewDecision::Denied);
            return Ok(ExecPlan::Refuse(
                "command not run: the sandbox is unavailable on this system and the approval policy \
                 forbids asking to run it unsandboxed"
                    .to_owned(),
            ));
        }
        let reason = "the sandbox is unavailable on this system; the command would run without \
                      restrictions";
        return approve_then(ctx, call_id, argv, cwd, Some(reason.to_owned())).await;
    }
    let sandboxed = restricting;
    match policy {
        AskForApproval::UnlessTrusted if !is_known_safe(argv) => {
            approve_then(ctx, call_id, argv, cwd, request.justification.clone()).await
        }
        AskForApproval::OnRequest if request.escalate && restricting => {
            let reason = request.justification.clone().unwrap_or_else(|| {
                "the model asked to run this command without the sandbox".into()
            });
            approve_then(ctx, call_id, argv, cwd, Some(reason)).await
        }
        AskForApproval::OnFailure => {
            by_config(ReviewDecision::Approved);
            Ok(ExecPlan::Run {
                sandboxed,
                retry_on_denial: sandboxed,
            })
        }
        _ => {
            by_config(ReviewDecision::Approved);
            Ok(ExecPlan::Run {
                sandboxed,
                retry_on_denial: false,
            })
        }
    }
}

/// Asks; approval means running unsandboxed (the host saw the command), denial a refusal.
async fn approve_then(
    ctx: &ToolContext,
    call_id: &str,
    argv: &[String],
    cwd: &Path,
    reason: Option<String>,
) -> Result<ExecPlan, ToolError> {
    Ok(if ask(ctx, call_id, argv, cwd, reason).await? {
        ExecPlan::Run {
            sandboxed: false,
            retry_on_denial: false,
        }
    } else {
        ExecPlan::Refuse(REJECTED.to_owned())
    })
}

/// Emits an `ExecApprovalRequest` and waits. `Ok(true)` to run; `Ok(false)` when denied.
///
/// # Errors
/// [`ToolError::Fatal`] with [`Error::Interrupted`] when the host answers abort.
pub(crate) async fn ask(
    ctx: &ToolContext,
    call_id: &str,
    argv: &[String],
    cwd: &Path,
    reason: Option<String>,
) -> Result<bool, ToolError> {
    let decision = ctx
        .request_approval(ApprovalRequest::Exec(ExecApprovalRequestEvent {
            call_id: call_id.to_owned(),
            command: argv.to_vec(),
            cwd: cwd.to_path_buf(),
            reason,
        }))
        .await;
    decision_to_run(ctx, argv, decision)
}

/// Maps a decision: approved → run, approved for session → remember and run, denied → don't, abort → end
/// the turn as interrupted.
pub(crate) fn decision_to_run(
    ctx: &ToolContext,
    argv: &[String],
    decision: ReviewDecision,
) -> Result<bool, ToolError> {
    match decision {
        ReviewDecision::Approved => Ok(true),
        ReviewDecision::ApprovedForSession => {
            ctx.approve_command_for_session(argv);
            Ok(true)
        }
        ReviewDecision::Abort => Err(ToolError::Fatal(Error::Interrupted)),
        _ => Ok(false),
    }
}
