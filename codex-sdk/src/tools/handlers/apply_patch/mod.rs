//! `apply_patch`: add, update (with context hunks), move and delete files in one all-or-nothing step.

mod applier;
mod diff;
mod parser;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

pub(crate) use diff::TurnDiffTracker;

use crate::approval::ApprovalRequest;
use crate::error::Error;
use crate::protocol::{
    ApplyPatchApprovalRequestEvent, AskForApproval, EventMsg, FileChange, PatchApplyBeginEvent,
    PatchApplyEndEvent, ReviewDecision, SandboxPolicy, TurnDiffEvent,
};
use crate::sandbox::writable_roots_of;
use crate::telemetry::ToolDecisionSource;
use crate::tools::{
    ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolPayload, ToolSpec,
};

/// The tool's name.
pub const APPLY_PATCH_TOOL_NAME: &str = "apply_patch";

/// How the tool is declared to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ApplyPatchFlavor {
    /// A function tool with one argument, `{input: string}` (works with every API).
    #[default]
    Function,
    /// A freeform (custom) tool whose raw input is the patch, constrained by a grammar (Responses API only).
    Freeform,
}

/// The `apply_patch` tool. Arguments: `{input: "<patch>"}` (function flavor) or the raw patch (freeform).
///
/// Every change is computed before anything is written; files are written to temporary files and renamed
/// into place, so a patch applies completely or not at all. Parse errors and hunks that do not match are
/// answered to the model naming the line or hunk. Approval: under workspace-write, patches that only touch
/// the writable roots (cwd and `writable_roots`) apply without asking (unless the policy is `untrusted`);
/// other paths — or any path under read-only — need approval, and are refused under `never`. Emits
/// `ApplyPatchApprovalRequest` (when asking), `PatchApplyBegin`/`PatchApplyEnd` and `TurnDiff`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyPatchTool {
    flavor: ApplyPatchFlavor,
}

impl ApplyPatchTool {
    /// The tool declared as `flavor`. Both flavors accept both payload kinds.
    #[must_use]
    pub fn new(flavor: ApplyPatchFlavor) -> Self {
        Self { flavor }
    }
}

#[derive(Debug, Deserialize)]
struct ApplyPatchArgs {
    input: String,
}

const DESCRIPTION: &str = "Edits files with a patch. Format:\n\
*** Begin Patch\n\
*** Add File: <path>        (each line of the new file prefixed with +)\n\
*** Delete File: <path>\n\
*** Update File: <path>\n\
*** Move to: <new path>     (optional, right after Update File)\n\
@@ <a line near the change, optional>\n\
 <unchanged line, prefixed with a space>\n\
-<removed line>\n\
+<added line>\n\
*** End of File             (optional: the hunk ends at the end of the file)\n\
*** End Patch\n\
Paths are relative to the working directory (or absolute). Give about three lines of unchanged context \
around each change. The patch applies completely or not at all.";

/// A Lark grammar for the freeform flavor.
const GRAMMAR: &str = r#"start: "*** Begin Patch" LF op+ "*** End Patch" LF?
op: add | delete | update
add: "*** Add File: " PATH LF ("+" TEXT? LF)+
delete: "*** Delete File: " PATH LF
update: "*** Update File: " PATH LF ("*** Move to: " PATH LF)? hunk*
hunk: ("@@" (" " TEXT)? LF)? (HUNK_LINE LF)+ ("*** End of File" LF)?
HUNK_LINE: /[ +-][^\n]*/
PATH: /[^\n]+/
TEXT: /[^\n]+/
LF: "\n"
"#;

#[async_trait]
impl ToolHandler for ApplyPatchTool {
    fn spec(&self) -> ToolSpec {
        match self.flavor {
            ApplyPatchFlavor::Function => ToolSpec::Function {
                name: APPLY_PATCH_TOOL_NAME.to_owned(),
                description: DESCRIPTION.to_owned(),
                strict: false,
                parameters: json!({
                    "type": "object",
                    "properties": {"input": {"type": "string", "description": "The whole patch."}},
                    "required": ["input"],
                    "additionalProperties": false
                }),
            },
            ApplyPatchFlavor::Freeform => ToolSpec::Custom {
                name: APPLY_PATCH_TOOL_NAME.to_owned(),
                description: DESCRIPTION.to_owned(),
                format: json!({"type": "grammar", "syntax": "lark", "definition": GRAMMAR}),
            },
        }
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let input = match &call.payload {
            ToolPayload::Custom { input } => input.clone(),
            _ => call.parse_arguments::<ApplyPatchArgs>()?.input,
        };
        apply(&input, &call.call_id, &ctx).await
    }
}

/// Parses, checks, asks when needed, and applies `input`.
///
/// The order matters with hostile paths: the policy is decided from the paths alone, before any file is
/// read; files are then read (regular files only, size-capped) and written on blocking threads, never on
/// the runtime's.
pub(crate) async fn apply(
    input: &str,
    call_id: &str,
    ctx: &ToolContext,
) -> Result<ToolOutput, ToolError> {
    let patch = parser::parse(input).map_err(|e| ToolError::RespondToModel(e.to_string()))?;
    let cwd = ctx.cwd().to_path_buf();
    let paths = applier::touched_paths(&patch, &cwd);
    let outside = {
        let (sandbox, cwd) = (ctx.sandbox_policy().clone(), cwd.clone());
        blocking(move || outside_writable_roots(&paths, &sandbox, &cwd)).await?
    };
    let policy = ctx.approval_policy();
    let needs_approval = policy == AskForApproval::UnlessTrusted || !outside.is_empty();
    if needs_approval && policy == AskForApproval::Never {
        ctx.record_decision(call_id, ReviewDecision::Denied, ToolDecisionSource::Config);
        return Err(ToolError::RespondToModel(format!(
            "patch not applied: it writes outside the writable roots ({}) and the approval policy \
             forbids asking",
            list_paths(&outside)
        )));
    }
    let plan = {
        let cwd = cwd.clone();
        blocking(move || applier::plan(&patch, &cwd))
            .await?
            .map_err(ToolError::RespondToModel)?
    };
    let changes = file_changes(&plan);
    if !needs_approval {
        ctx.record_decision(
            call_id,
            ReviewDecision::Approved,
            ToolDecisionSource::Config,
        );
    }
    if needs_approval {
        let reason = (!outside.is_empty()).then(|| {
            format!(
                "writes outside the writable roots: {}",
                list_paths(&outside)
            )
        });
        let decision = ctx
            .request_approval(ApprovalRequest::ApplyPatch(
                ApplyPatchApprovalRequestEvent {
                    call_id: call_id.to_owned(),
                    changes: changes.clone(),
                    reason,
                },
            ))
            .await;
        match decision {
            ReviewDecision::Approved | ReviewDecision::ApprovedForSession => {}
            ReviewDecision::Abort => return Err(ToolError::Fatal(Error::Interrupted)),
            _ => return Ok(ToolOutput::failure("patch rejected by user")),
        }
    }
    ctx.emit(EventMsg::PatchApplyBegin(PatchApplyBeginEvent {
        call_id: call_id.to_owned(),
        auto_approved: !needs_approval,
        changes,
    }))
    .await;
    {
        let mut tracker = ctx.turn_diff();
        for (path, change) in &plan.changes {
            tracker.record(path, change.before.as_deref());
        }
    }
    let (plan, result) = blocking(move || {
        let result = plan.commit();
        (plan, result)
    })
    .await?;
    let (success, output) = match &result {
        Ok(()) => (true, summary(&plan, &cwd)),
        Err(e) => (false, e.clone()),
    };
    ctx.emit(EventMsg::PatchApplyEnd(PatchApplyEndEvent {
        call_id: call_id.to_owned(),
        success,
        output: output.clone(),
    }))
    .await;
    if !success {
        return Ok(ToolOutput::failure(output));
    }
    let unified_diff = {
        let ctx = ctx.clone();
        blocking(move || ctx.turn_diff().unified_diff(&cwd)).await?
    };
    ctx.emit(EventMsg::TurnDiff(TurnDiffEvent { unified_diff }))
        .await;
    Ok(ToolOutput::success(output))
}

/// Runs blocking file work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ToolError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ToolError::RespondToModel(format!("apply_patch failed: {e}")))
}

fn file_changes(plan: &applier::PatchPlan) -> BTreeMap<PathBuf, FileChange> {
    let mut out = BTreeMap::new();
    for (path, change) in &plan.changes {
        if change.moved_from.is_some() {
            continue; // reported on the source as an update with a move path
        }
        let entry = match (&change.before, &change.after, &change.moved_to) {
            (Some(before), None, Some(dest)) => {
                let after = plan
                    .changes
                    .get(dest)
                    .and_then(|c| c.after.as_deref())
                    .unwrap_or("");
                FileChange::Update {
                    unified_diff: diff::hunks(before, after),
                    move_path: Some(dest.clone()),
                }
            }
            (Some(before), None, None) => FileChange::Delete {
                content: before.clone(),
            },
            (None, Some(after), _) => FileChange::Add {
                content: after.clone(),
            },
            (Some(before), Some(after), _) => FileChange::Update {
                unified_diff: diff::hunks(before, after),
                move_path: None,
            },
            (None, None, _) => continue,
        };
        out.insert(path.clone(), entry);
    }
    out
}

fn summary(plan: &applier::PatchPlan, cwd: &Path) -> String {
    let mut out = String::from("Success. Updated the following files:");
    for (path, change) in &plan.changes {
        let mark = match (&change.before, &change.after) {
            (None, Some(_)) => "A",
            (Some(_), None) => "D",
            (Some(_), Some(_)) => "M",
            (None, None) => continue,
        };
        let shown = path.strip_prefix(cwd).unwrap_or(path);
        out.push_str(&format!("\n{mark} {}", shown.display()));
    }
    out
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The touched paths that the sandbox policy does not let the agent write without asking. Blocking
/// (resolves symlinks), but reads no file.
fn outside_writable_roots(paths: &[PathBuf], policy: &SandboxPolicy, cwd: &Path) -> Vec<PathBuf> {
    let roots: Vec<PathBuf> = match policy {
        SandboxPolicy::DangerFullAccess => return Vec::new(),
        _ => writable_roots_of(policy, cwd)
            .unwrap_or_default()
            .iter()
            .map(|r| resolve_existing(r))
            .collect(),
    };
    paths
        .iter()
        .filter(|path| {
            let p = resolve_existing(path);
            !roots.iter().any(|r| p.starts_with(r))
        })
        .cloned()
        .collect()
}

/// `path` with `.`/`..` resolved lexically and its longest existing ancestor canonicalized (so symlinks
/// out of a root are seen).
pub(crate) fn resolve_existing(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut existing = normal.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return normal,
        }
    }
}
