//! `[projects."<path>"] trust_level`: Codex's defaults for trusted (and explicitly untrusted) projects.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Config, ConfigToml};
use crate::protocol::{AskForApproval, SandboxPolicy};

/// How far a project is trusted (`trust_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TrustLevel {
    /// The agent may edit the workspace: `on-request` approvals, `workspace-write` sandbox.
    Trusted,
    /// Every command not known to be safe asks first: `untrusted` approvals, `read-only` sandbox.
    Untrusted,
}

impl TrustLevel {
    /// The defaults Codex applies in a project of this level.
    #[must_use]
    pub fn defaults(self) -> (AskForApproval, SandboxPolicy) {
        match self {
            Self::Trusted => (AskForApproval::OnRequest, SandboxPolicy::default()),
            Self::Untrusted => (AskForApproval::UnlessTrusted, SandboxPolicy::ReadOnly),
        }
    }
}

/// The trust level of the project holding `cwd`: the `[projects]` entry for `cwd` or its nearest
/// ancestor.
#[must_use]
pub(crate) fn project_trust(parsed: &ConfigToml, cwd: &Path) -> Option<TrustLevel> {
    let projects = parsed.projects.as_ref()?;
    cwd.ancestors().find_map(|dir| {
        projects
            .iter()
            .find(|(path, _)| Path::new(path.as_str()) == dir)
            .and_then(|(_, p)| p.trust_level)
    })
}

/// Applies the project's trust defaults to the settings `config.toml` (and its profile and overrides) left
/// unset: an explicit `approval_policy` or `sandbox_mode` always wins.
pub(crate) fn apply_project_trust(parsed: &ConfigToml, config: &mut Config) {
    let Some(level) = project_trust(parsed, &config.cwd) else {
        return;
    };
    let (approval, sandbox) = level.defaults();
    if parsed.approval_policy.is_none() {
        config.approval_policy = approval;
    }
    if parsed.sandbox_mode.is_none() {
        config.sandbox_policy = match (sandbox, &parsed.sandbox_workspace_write) {
            (SandboxPolicy::WorkspaceWrite { .. }, Some(ww)) => SandboxPolicy::WorkspaceWrite {
                writable_roots: ww.writable_roots.clone(),
                network_access: ww.network_access,
                exclude_tmpdir_env_var: ww.exclude_tmpdir_env_var,
                exclude_slash_tmp: ww.exclude_slash_tmp,
            },
            (sandbox, _) => sandbox,
        };
    }
}
