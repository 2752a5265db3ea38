//! The command sandbox: what processes started by the agent (the `shell` and `unified_exec` tools) may
//! touch, see and leave behind, enforced by the kernel.
//!
//! On Linux the policy is enforced with [Landlock](https://docs.kernel.org/userspace-api/landlock.html)
//! and a seccomp filter:
//!
//! - [`SandboxPolicy::ReadOnly`]: the whole filesystem is readable and executable; nothing is writable
//!   except a few character devices (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/tty`).
//! - [`SandboxPolicy::WorkspaceWrite`]: as read-only, plus full access beneath the working directory, the
//!   policy's `writable_roots`, `/tmp` (unless `exclude_slash_tmp`) and the `$TMPDIR` the command sees
//!   (unless `exclude_tmpdir_env_var`).
//! - Without `network_access` (and always under read-only), no network socket can be created: `socket` and
//!   `socketpair` fail with `EPERM` for every family but `AF_UNIX`, as does `io_uring_setup` (seccomp), and
//!   TCP `bind`/`connect` are denied by Landlock too where the kernel supports it (ABI ≥ 4).
//! - [`SandboxPolicy::DangerFullAccess`]: no sandbox.
//!
//! The restriction is applied to a helper thread that then spawns the command, so the child inherits it and
//! the rest of the process is untouched (Landlock domains and seccomp filters are per thread and inherited
//! across `fork`/`exec`). Every command, sandboxed or not, is spawned from such a thread, which lives as long
//! as the command: the command gets `PR_SET_PDEATHSIG(SIGKILL)`, which fires when that thread ends.
//!
//! Whatever the policy, a command's environment is computed by the [`ShellEnvironmentPolicy`] (by default
//! without variables that look like secrets), and every process it starts is tracked and killed when the
//! command ends, times out or is interrupted, and when its conversation ends (see [`EXEC_ID_VAR`] and the
//! limits listed there).
//!
//! When the kernel lacks Landlock (or the host chose [`SandboxSupport::Unavailable`]), nothing is ever run
//! "silently unsandboxed" under a restricting policy: the tools ask for explicit approval and emit a
//! [`Warning`](crate::protocol::EventMsg::Warning); under [`AskForApproval::Never`](crate::protocol::AskForApproval)
//! they refuse.

pub(crate) mod command_safety;
mod env;
#[cfg(target_os = "linux")]
mod landlock;
#[cfg(unix)]
mod process_tree;
#[cfg(target_os = "linux")]
mod seccomp;

pub use env::{
    CORE_VARIABLES, DEFAULT_EXCLUDES, EnvironmentInherit, ShellEnvironmentPolicy, glob_matches,
};
#[cfg(unix)]
pub use process_tree::EXEC_ID_VAR;
#[cfg(unix)]
pub(crate) use process_tree::ProcessTree;

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
    /// Whether network sockets may be used.
    pub(crate) network: bool,
}

impl SandboxRules {
    /// The rules for `policy`; `None` when the policy does not restrict anything. `tmpdir` is the `TMPDIR`
    /// the command will see (after the environment policy): under workspace-write it is writable, as is
    /// `/tmp`, unless the policy excludes them.
    pub(crate) fn for_policy(
        policy: &SandboxPolicy,
        cwd: &Path,
        tmpdir: Option<&std::ffi::OsStr>,
    ) -> Option<Self> {
        match policy {
            SandboxPolicy::DangerFullAccess => None,
            SandboxPolicy::ReadOnly => Some(Self {
                writable_roots: Vec::new(),
                network: false,
            }),
            SandboxPolicy::WorkspaceWrite {
                network_access,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
                ..
            } => {
                let mut roots = writable_roots_of(policy, cwd).unwrap_or_default();
                if !exclude_slash_tmp {
                    roots.push(PathBuf::from("/tmp"));
                }
                if !exclude_tmpdir_env_var && let Some(dir) = tmpdir.filter(|d| !d.is_empty()) {
                    roots.push(cwd.join(dir));
                }
                Some(Self {
                    writable_roots: roots,
                    network: *network_access,
                })
            }
            // Unknown future policies: restrict as much as possible.
            #[allow(unreachable_patterns)]
            _ => Some(Self {
                writable_roots: Vec::new(),
                network: false,
            }),
        }
    }
}

/// The writable roots a workspace-write policy names: the working directory and the listed roots (relative
/// roots resolved against `cwd`); `/tmp` and `$TMPDIR`, which commands may also write unless excluded, are
/// not listed. `None` for other policies.
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

/// Keeps the thread that started a command alive: on Linux the command is killed (`PR_SET_PDEATHSIG`) when
/// the thread that forked it ends, so this guard must live as long as the command. Dropping it lets the
/// thread end.
#[derive(Debug)]
pub(crate) struct SpawnThread {
    _keep: Option<std::sync::mpsc::Sender<()>>,
}

/// Runs `spawn` on a fresh thread, restricted by `rules` when given, and returns what it returns with the
/// guard that keeps the thread alive (see [`SpawnThread`]). Processes `spawn` starts inherit the
/// restriction; the calling thread does not. `spawn` runs inside the current tokio runtime's context, so it
/// may spawn `tokio::process` children.
pub(crate) async fn spawn_on_thread<T, F>(
    rules: Option<SandboxRules>,
    spawn: F,
) -> Result<(T, SpawnThread), SandboxError>
where
    T: Send + 'static,
    F: FnOnce() -> std::io::Result<T> + Send + 'static,
{
    #[cfg(target_os = "linux")]
    {
        landlock::spawn_on_thread(rules, spawn).await
    }
    #[cfg(not(target_os = "linux"))]
    {
        if rules.is_some() {
            return Err(SandboxError::Unavailable);
        }
        let value = spawn().map_err(SandboxError::Spawn)?;
        Ok((value, SpawnThread { _keep: None }))
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
