//! The command sandbox: what processes started by the agent (the `shell` and `unified_exec` tools) may
//! touch, enforced by the kernel.
//!
//! On Linux the policy is enforced with [Landlock](https://docs.kernel.org/userspace-api/landlock.html):
//!
//! - [`SandboxPolicy::ReadOnly`]: the whole filesystem is readable and executable; nothing is writable
//!   except a few character devices (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/tty`).
//! - [`SandboxPolicy::WorkspaceWrite`]: as read-only, plus full access beneath the working directory and the
//!   policy's `writable_roots`. Without `network_access`, TCP `bind`/`connect` are denied too when the kernel
//!   supports it (Landlock ABI ≥ 4; other socket families are not restricted).
//! - [`SandboxPolicy::DangerFullAccess`]: no sandbox.
//!
//! The restriction is applied to a short-lived helper thread that then spawns the command, so the child
//! inherits it and the rest of the process is untouched (Landlock domains are per thread and inherited across
//! `fork`/`exec`).
//!
//! When the kernel lacks Landlock (or the host chose [`SandboxSupport::Unavailable`]), nothing is ever run
//! "silently unsandboxed" under a restricting policy: the tools ask for explicit approval and emit a
//! [`Warning`](crate::protocol::EventMsg::Warning); under [`AskForApproval::Never`](crate::protocol::AskForApproval)
//! they refuse.

pub(crate) mod command_safety;
#[cfg(target_os = "linux")]
mod landlock;

use std::path::{Path, PathBuf};

use crate::protocol::SandboxPolicy;

/// Whether the tools may use the kernel sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SandboxSupport {
    /// Use Landlock when the kernel has it (probed once), the fallback otherwise.
    #[default]
    Auto,
    /// Behave as if the kernel had no sandbox: restricted commands run only after explicit approval.
    Unavailable,
}

impl SandboxSupport {
    /// Whether commands can be sandboxed on this machine under this setting.
    #[must_use]
    pub fn is_available(self) -> bool {
        match self {
            Self::Auto => kernel_sandbox_available(),
            Self::Unavailable => false,
        }
    }
}

/// Whether the running kernel supports the sandbox (Landlock on Linux; never elsewhere). Probed once.
#[must_use]
pub fn kernel_sandbox_available() -> bool {
    #[cfg(target_os = "linux")]
    {
        landlock::available()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Why a sandboxed command could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The kernel cannot enforce the policy.
    #[error("the kernel sandbox (Landlock) is not available on this system")]
    Unavailable,
    /// Building or applying the restriction failed.
    #[error("could not set up the sandbox: {0}")]
    Setup(String),
    /// The command itself could not be started.
    #[error(transparent)]
    Spawn(std::io::Error),
}

/// What a sandboxed process may write (derived from a [`SandboxPolicy`] and the working directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SandboxRules {
    /// Directories (and everything beneath) that stay writable.
    pub(crate) writable_roots: Vec<PathBuf>,
    /// Whether TCP may be used.
    pub(crate) network: bool,
}

impl SandboxRules {
    /// The rules for `policy`; `None` when the policy does not restrict anything.
    pub(crate) fn for_policy(policy: &SandboxPolicy, cwd: &Path) -> Option<Self> {
        match policy {
            SandboxPolicy::DangerFullAccess => None,
            SandboxPolicy::ReadOnly => Some(Self {
                writable_roots: Vec::new(),
                network: false,
            }),
            SandboxPolicy::WorkspaceWrite {
                writable_roots,
                network_access,
            } => Some(Self {
                writable_roots: writable_roots_of(policy, cwd).unwrap_or_else(|| {
                    let mut roots = vec![cwd.to_path_buf()];
                    roots.extend(writable_roots.iter().cloned());
                    roots
                }),
                network: *network_access,
            }),
            // Unknown future policies: restrict as much as possible.
            #[allow(unreachable_patterns)]
            _ => Some(Self {
                writable_roots: Vec::new(),
                network: false,
            }),
        }
    }
}

/// The writable roots of a workspace-write policy: the working directory and the listed roots (relative roots
/// resolved against `cwd`). `None` for other policies.
#[must_use]
pub fn writable_roots_of(policy: &SandboxPolicy, cwd: &Path) -> Option<Vec<PathBuf>> {
    match policy {
        SandboxPolicy::WorkspaceWrite { writable_roots, .. } => {
            let mut roots = vec![cwd.to_path_buf()];
            roots.extend(writable_roots.iter().map(|r| cwd.join(r)));
            Some(roots)
        }
        _ => None,
    }
}

/// Runs `spawn` on a fresh thread restricted by `rules` and returns what it returns. Processes `spawn` starts
/// inherit the restriction; the calling thread does not. `spawn` runs inside the current tokio runtime's
/// context, so it may spawn `tokio::process` children.
pub(crate) async fn spawn_restricted<T, F>(rules: SandboxRules, spawn: F) -> Result<T, SandboxError>
where
    T: Send + 'static,
    F: FnOnce() -> std::io::Result<T> + Send + 'static,
{
    #[cfg(target_os = "linux")]
    {
        landlock::spawn_restricted(rules, spawn).await
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (rules, spawn);
        Err(SandboxError::Unavailable)
    }
}

/// Whether a failed command's output looks like the sandbox stopped it (used to offer an unsandboxed retry
/// under [`AskForApproval::OnFailure`](crate::protocol::AskForApproval::OnFailure)). A heuristic: Landlock
/// denials surface as `EACCES`/`EPERM`/`EROFS` in the program's own error message.
#[must_use]
pub(crate) fn looks_like_sandbox_denial(exit_code: i32, output: &str) -> bool {
    exit_code != 0
        && [
            "Permission denied",
            "Operation not permitted",
            "Read-only file system",
        ]
        .iter()
        .any(|needle| output.contains(needle))
}
