//! Every process a command starts, tracked so that none outlives the command, its conversation or the host.
//!
//! A command can leave its process group and session (`setsid`, double forks), so killing the group is not
//! enough. Each command gets a [`ProcessTree`]:
//!
//! - **cgroup** — where a cgroup v2 directory can be created beside the host's own cgroup (root, or a
//!   delegated subtree, on a kernel with `cgroup.kill`, Linux ≥ 5.14), the command joins a fresh cgroup
//!   before it executes; every descendant stays in it whatever it does, and killing the tree writes
//!   `cgroup.kill`. The directory is removed once empty.
//! - **marker** — otherwise, the command's environment carries `CODEX_SDK_EXEC_ID=<unique id>` (inherited
//!   by its descendants), and killing the tree scans `/proc` for processes of the same user whose initial
//!   environment holds it. A process that clears its environment and re-executes escapes this fallback.
//!
//! Either way the command itself gets `PR_SET_PDEATHSIG(SIGKILL)`, so it dies with the host even when the
//! host is killed with `SIGKILL`. Its descendants cannot be reached at that moment; the next host on the
//! machine that starts a command kills what dead hosts left in their cgroups or marked with their pid.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustix::fs::{Mode, OFlags};
use rustix::process::{Pid, Signal};

/// The environment variable marking a command's processes (`codex-sdk-<host pid>-<unique id>`), set in every
/// command's environment whatever the environment policy.
///
/// How the processes of a command are found and killed (when it exits, times out or is interrupted, and when
/// its conversation or unified-exec session ends), and the limits:
///
/// - Where a cgroup v2 directory can be created beside the host's own cgroup (as root, or in a delegated
///   subtree, on Linux ≥ 5.14), each command runs in its own cgroup and `cgroup.kill` ends every descendant,
///   whatever it did (`setsid`, double forks, clearing its environment).
/// - Otherwise processes are found by this variable in `/proc/<pid>/environ` (same user only). A process
///   that re-executes with a cleared environment, or runs as another user, escapes.
/// - The command itself gets `PR_SET_PDEATHSIG(SIGKILL)`, so it dies with the host even on `SIGKILL`. Its
///   descendants cannot be killed at that moment: the next host on the machine that starts a command kills
///   what dead hosts left (by the pid in the cgroup name or in this variable).
pub const EXEC_ID_VAR: &str = "CODEX_SDK_EXEC_ID";
/// Prefix of the cgroups (and marker values) this SDK creates, followed by the host's pid.
const PREFIX: &str = "codex-sdk-";

/// Cleared when creating a cgroup failed once: later commands use the marker directly.
static CGROUPS_USABLE: AtomicBool = AtomicBool::new(true);

/// The processes of one command (see the [module docs](self)). Dropping it kills them all.
#[derive(Debug)]
pub(crate) struct ProcessTree {
    marker: String,
    cgroup: Option<Cgroup>,
    /// Set once killed: nothing can join a killed tree, so a second kill has nothing to do.
    killed: bool,
}

#[derive(Debug)]
struct Cgroup {
    dir: PathBuf,
    /// `cgroup.procs`, opened before the spawn so the child can join even under the sandbox.
    procs: OwnedFd,
}

impl ProcessTree {
    /// A new, empty tree (its cgroup created when possible).
    pub(crate) fn new() -> Self {
        sweep_dead_hosts_once();
        let marker = format!(
            "{PREFIX}{}-{}",
            std::process::id(),
            uuid::Uuid::now_v7().simple()
        );
        let cgroup = create_cgroup(&marker);
        Self {
            marker,
            cgroup,
            killed: false,
        }
    }

    /// The value of [`EXEC_ID_VAR`] in the command's environment.
    #[cfg(test)]
    pub(crate) fn marker(&self) -> &str {
        &self.marker
    }

    /// Makes `cmd` die with the thread that spawns it and join this tree's cgroup before it executes.
    /// Call [`ProcessTree::started`] with the child's pid after the spawn.
    #[allow(unsafe_code)]
    pub(crate) fn prepare(&self, cmd: &mut tokio::process::Command) {
        cmd.env(EXEC_ID_VAR, &self.marker);
        let parent = rustix::process::getpid();
        let procs = self.cgroup.as_ref().map(|c| c.procs.as_raw_fd());
        // SAFETY: the closure runs in the forked child before `exec`, where only async-signal-safe calls are
        // allowed. It makes three raw system calls through rustix (`prctl`, `getppid`, `write`), allocates
        // nothing, takes no lock and touches no shared state; errors become `io::Error`s from the raw errno.
        // `procs` is the descriptor of `cgroup.procs` owned by `self.cgroup`: `self` outlives the spawn (the
        // caller holds the tree while the command runs), so it is open in the child, and borrowing it for the
        // duration of the `write` is sound.
        unsafe {
            cmd.pre_exec(move || {
                #[cfg(target_os = "linux")]
                rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
                // The parent may have died between fork and prctl: then no signal would ever come.
                if rustix::process::getppid() != Some(parent) {
                    return Err(std::io::Error::from_raw_os_error(esrch()));
                }
                if let Some(fd) = procs {
                    // "0" moves the writing process. A failure leaves the child outside the cgroup; the
                    // parent notices (see `started`) and falls back to the marker.
                    let fd = std::os::fd::BorrowedFd::borrow_raw(fd);
                    let _ = rustix::io::write(fd, b"0");
                }
                Ok(())
            });
        }
    }

    /// Checks that the started child joined the cgroup; if it did not, the tree uses the marker instead.
    pub(crate) fn started(&mut self, pid: Option<u32>) {
        let (Some(cgroup), Some(pid)) = (&self.cgroup, pid) else {
            return;
        };
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
            return; // already gone: nothing to check
        };
        let name = cgroup
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let joined = text
            .lines()
            .filter_map(|l| l.strip_prefix("0::"))
            .any(|path| path.ends_with(&format!("/{name}")));
        if !joined {
            // Track this command by its marker (a fast-exiting child may only look outside: later commands
            // still try the cgroup).
            if let Some(cgroup) = self.cgroup.take() {
                let _ = std::fs::remove_dir(&cgroup.dir);
            }
        }
    }

    /// Kills every process of the tree (`SIGKILL`). Idempotent.
    pub(crate) fn kill(&mut self) {
        if std::mem::replace(&mut self.killed, true) {
            return;
        }
        match &self.cgroup {
            Some(cgroup) => {
                let _ = std::fs::write(cgroup.dir.join("cgroup.kill"), b"1");
            }
            None => kill_marked(|value| value == self.marker.as_bytes()),
        }
    }
}

impl Drop for ProcessTree {
    fn drop(&mut self) {
        self.kill();
        if let Some(cgroup) = self.cgroup.take() {
            remove_when_empty(cgroup.dir);
        }
    }
}

fn esrch() -> i32 {
    rustix::io::Errno::SRCH.raw_os_error()
}

/// The directory of this process's cgroup v2, when a cgroup2 hierarchy is mounted.
fn own_cgroup_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        let own = own.lines().find_map(|l| l.strip_prefix("0::"))?.to_owned();
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
        mounts.lines().find_map(|line| {
            // <id> <parent> <dev> <root> <mount point> <options…> - <fstype> <source> <super options>
            let (left, right) = line.split_once(" - ")?;
            if right.split(' ').next()? != "cgroup2" {
                return None;
            }
            let fields: Vec<&str> = left.split(' ').collect();
            let (root, mount_point) = (*fields.get(3)?, *fields.get(4)?);
            let rel = own
                .strip_prefix(root)
                .unwrap_or(&own)
                .trim_start_matches('/');
            Some(Path::new(mount_point).join(rel))
        })
    })
    .as_deref()
}

fn create_cgroup(name: &str) -> Option<Cgroup> {
    if !cfg!(target_os = "linux") || !CGROUPS_USABLE.load(Ordering::Relaxed) {
        return None;
    }
    let dir = own_cgroup_dir()?.join(name);
    let created = std::fs::create_dir(&dir).and_then(|()| {
        if !dir.join("cgroup.kill").exists() {
            return Err(std::io::Error::other(
                "no cgroup.kill (kernel older than 5.14)",
            ));
        }
        let procs = rustix::fs::open(
            dir.join("cgroup.procs"),
            OFlags::WRONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(procs)
    });
    match created {
        Ok(procs) => Some(Cgroup { dir, procs }),
        Err(e) => {
            tracing::debug!(error = %e, "no cgroup for commands; tracking them by environment marker");
            CGROUPS_USABLE.store(false, Ordering::Relaxed);
            let _ = std::fs::remove_dir(&dir);
            None
        }
    }
}

/// Removes an (emptying) cgroup directory: now when it is already empty, else from a short-lived thread
/// that retries for a few seconds while the killed processes finish exiting.
fn remove_when_empty(dir: PathBuf) {
    if std::fs::remove_dir(&dir).is_ok() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("codex-cgroup-cleanup".to_owned())
        .spawn(move || {
            for _ in 0..250 {
                std::thread::sleep(Duration::from_millis(20));
                match std::fs::remove_dir(&dir) {
                    Err(e) if e.raw_os_error() == Some(rustix::io::Errno::BUSY.raw_os_error()) => {
                        let _ = std::fs::write(dir.join("cgroup.kill"), b"1");
                    }
                    _ => return,
                }
            }
        });
}

/// Kills (`SIGKILL`) every process of this user whose environment has [`EXEC_ID_VAR`] with a value `pick`
/// accepts, scanning `/proc` until a pass finds none (processes may fork while we scan), at most 5 passes.
fn kill_marked(pick: impl Fn(&[u8]) -> bool) {
    let uid = rustix::process::geteuid().as_raw();
    let me = std::process::id();
    let key = format!("{EXEC_ID_VAR}=");
    for _ in 0..5 {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        let mut found = false;
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == me {
                continue;
            }
            use std::os::unix::fs::MetadataExt;
            if entry.metadata().ok().map(|m| m.uid()) != Some(uid) {
                continue;
            }
            let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
                continue;
            };
            let marked = environ
                .split(|b| *b == 0)
                .filter_map(|var| var.strip_prefix(key.as_bytes()))
                .any(&pick);
            if marked && let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
                found = true;
                let _ = rustix::process::kill_process(pid, Signal::KILL);
            }
        }
        if !found {
            return;
        }
    }
}

/// Once per process: kills what hosts that died left behind (their cgroups, or processes marked with their
/// pid), and removes their empty cgroups.
fn sweep_dead_hosts_once() {
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(|| {
        let dead = |value: &[u8]| {
            std::str::from_utf8(value)
                .ok()
                .and_then(host_pid)
                .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        };
        if CGROUPS_USABLE.load(Ordering::Relaxed)
            && let Some(parent) = own_cgroup_dir()
            && let Ok(entries) = std::fs::read_dir(parent)
        {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if name.to_str().is_some_and(|n| dead(n.as_bytes())) {
                    let _ = std::fs::write(entry.path().join("cgroup.kill"), b"1");
                    remove_when_empty(entry.path());
                }
            }
        }
        kill_marked(dead);
    });
}

/// The host pid in a marker (`codex-sdk-<pid>-<uuid>`).
fn host_pid(marker: &str) -> Option<u32> {
    marker.strip_prefix(PREFIX)?.split('-').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alive(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, r)| !r.starts_with('Z'))
        })
    }

    /// The fallback without cgroups: a daemon in its own session, found through the marker.
    #[tokio::test]
    async fn marker_fallback_kills_descendants_that_left_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let mut tree = ProcessTree::new();
        if let Some(cgroup) = tree.cgroup.take() {
            let _ = std::fs::remove_dir(&cgroup.dir);
        }
        let script = format!(
            "setsid sh -c 'echo $$ > {f}.tmp && mv {f}.tmp {f}; exec sleep 1000' </dev/null >/dev/null 2>&1 &",
            f = pid_file.display()
        );
        let mut cmd = tokio::process::Command::new("sh");
        cmd.arg("-c").arg(script);
        tree.prepare(&mut cmd);
        let status = cmd.status().await.unwrap();
        assert!(status.success());
        let mut pid = None;
        for _ in 0..400 {
            if let Some(p) = std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                pid = Some(p);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let pid: u32 = pid.unwrap();
        assert!(alive(pid), "the daemon should outlive its parent shell");
        tree.kill();
        let mut gone = false;
        for _ in 0..400 {
            if !alive(pid) {
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(gone, "daemon {pid} survived the kill");
    }

    #[test]
    fn markers_name_their_host() {
        let tree = ProcessTree::new();
        assert_eq!(host_pid(tree.marker()), Some(std::process::id()));
        assert_eq!(host_pid("codex-sdk-x-1"), None);
        assert_eq!(host_pid("other-12-1"), None);
    }
}
