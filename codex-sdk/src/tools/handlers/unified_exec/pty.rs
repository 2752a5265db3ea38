//! Starting a process on a fresh pseudo-terminal, as the leader of its own session.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use rustix::fs::{Mode, OFlags};
use rustix::pty::OpenptFlags;
use tokio::process::{Child, Command};

/// A process attached to a PTY: the child and the master side.
pub(crate) struct PtyChild {
    pub(crate) child: Child,
    pub(crate) master: OwnedFd,
}

/// Resolves a program name: paths containing `/` against `cwd`, bare names through `PATH`. Only
/// executable regular files qualify.
pub(crate) fn resolve_program(program: &str, cwd: &Path) -> Option<PathBuf> {
    let is_executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let path = cwd.join(program);
        return is_executable(&path).then_some(path);
    }
    let search = std::env::var_os("PATH")?;
    std::env::split_paths(&search)
        .map(|dir| cwd.join(dir).join(program))
        .find(|p| is_executable(p))
}

/// Opens a PTY pair and prepares `cmd` to run on its slave side. Call [`spawn`] afterwards (possibly on a
/// sandboxed thread).
pub(crate) fn prepare(
    program: &Path,
    args: &[String],
    cwd: &Path,
    env: &BTreeMap<OsString, OsString>,
) -> io::Result<(Command, OwnedFd)> {
    let master = rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
    rustix::pty::grantpt(&master)?;
    rustix::pty::unlockpt(&master)?;
    let name = rustix::pty::ptsname(&master, Vec::new())?;
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    rustix::termios::tcsetwinsize(
        &master,
        rustix::termios::Winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )?;
    rustix::io::ioctl_fionbio(&master, true)?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(env)
        .env("TERM", "dumb")
        // No pager on the session's terminal: commands judged safe to start without approval (`git log`)
        // would otherwise open one, and a pager runs commands typed into it (`!cmd` in less) — from later
        // writes, which need no approval. LESSSECURE also disables those escapes in a `less` started anyway.
        .env("PAGER", "cat")
        .env("GIT_PAGER", "cat")
        .env("LESSSECURE", "1")
        .stdin(Stdio::from(slave.try_clone()?))
        .stdout(Stdio::from(slave.try_clone()?))
        .stderr(Stdio::from(slave))
        .kill_on_drop(true);
    attach_controlling_terminal(&mut cmd);
    Ok((cmd, master))
}

/// Makes the child a session leader with the PTY (its stdin) as controlling terminal, so job control and
/// `/dev/tty` work and the whole session can be killed through its process group.
#[allow(unsafe_code)]
fn attach_controlling_terminal(cmd: &mut Command) {
    // SAFETY: `pre_exec` closures run in the forked child before `exec`, where only async-signal-safe
    // operations are allowed. This one performs two raw system calls through rustix (`setsid` and the
    // `TIOCSCTTY` ioctl), converts a failure into an `io::Error` from the raw errno (no allocation), takes no
    // locks and touches no shared state. fd 0 is the PTY slave: std sets up stdio before running the hooks,
    // and it stays open for the closure's whole run, so borrowing it is sound.
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::setsid()?;
            let stdin = BorrowedFd::borrow_raw(0);
            rustix::process::ioctl_tiocsctty(stdin)?;
            Ok(())
        });
    }
}

/// Spawns a prepared command (dropping the parent's copies of the slave side).
pub(crate) fn spawn(mut cmd: Command, master: OwnedFd) -> io::Result<PtyChild> {
    let child = cmd.spawn()?;
    drop(cmd);
    Ok(PtyChild { child, master })
}

/// Reads what is available from a non-blocking master fd. `Ok(None)` at end (the slave side is closed:
/// `EIO`); `Err(WouldBlock)` when nothing is available yet.
pub(crate) fn read_master(master: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<Option<usize>> {
    match rustix::io::read(master, buf) {
        Ok(0) | Err(rustix::io::Errno::IO) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(e) => Err(e.into()),
    }
}

/// Writes to a non-blocking master fd; `Err(WouldBlock)` when the PTY is full.
pub(crate) fn write_master(master: impl AsFd, bytes: &[u8]) -> io::Result<usize> {
    Ok(rustix::io::write(master, bytes)?)
}
