//! The network half of the sandbox (Linux): a seccomp filter, installed on the spawning thread and inherited
//! by the command, that refuses to create network sockets.
//!
//! Landlock only restricts TCP `bind`/`connect`; UDP, raw, netlink and every other family would still get
//! out. With this filter `socket`/`socketpair` fail with `EPERM` for any domain but `AF_UNIX` (local IPC keeps
//! working), and so does `io_uring_setup` (io_uring can create sockets without the `socket` system call).
//! Sockets inherited from the host are not affected (the host's own are close-on-exec).
//!
//! On x86-64 the x32 numbers of the same calls are refused too; any other ABI (e.g. 32-bit `int 0x80`
//! calls) kills the process, since its system call numbers differ.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use super::SandboxError;

#[cfg(target_arch = "x86_64")]
const ARCH: TargetArch = TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: TargetArch = TargetArch::aarch64;

/// The x32 ABI marks its system call numbers with this bit (same audit architecture as x86-64).
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: i64 = 0x4000_0000;

/// Installs the filter on the calling thread (and so on the processes it starts from now on).
pub(super) fn deny_network_sockets() -> Result<(), SandboxError> {
    let program = network_filter()?;
    seccompiler::apply_filter(&program)
        .map_err(|e| SandboxError::Setup(format!("cannot install the seccomp filter: {e}")))
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn network_filter() -> Result<BpfProgram, SandboxError> {
    let setup = |e: seccompiler::BackendError| SandboxError::Setup(format!("seccomp filter: {e}"));
    // Matches when the first argument (the domain) is anything but AF_UNIX.
    let not_unix = || -> Result<Vec<SeccompRule>, SandboxError> {
        let cond = SeccompCondition::new(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Ne,
            libc::AF_UNIX as u64,
        )
        .map_err(setup)?;
        Ok(vec![SeccompRule::new(vec![cond]).map_err(setup)?])
    };
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    rules.insert(libc::SYS_socket, not_unix()?);
    rules.insert(libc::SYS_socketpair, not_unix()?);
    // An empty rule list matches the call whatever its arguments.
    rules.insert(libc::SYS_io_uring_setup, Vec::new());
    #[cfg(target_arch = "x86_64")]
    {
        rules.insert(X32_SYSCALL_BIT | libc::SYS_socket, not_unix()?);
        rules.insert(X32_SYSCALL_BIT | libc::SYS_socketpair, not_unix()?);
        rules.insert(X32_SYSCALL_BIT | libc::SYS_io_uring_setup, Vec::new());
    }
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        ARCH,
    )
    .map_err(setup)?;
    BpfProgram::try_from(filter).map_err(setup)
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn network_filter() -> Result<BpfProgram, SandboxError> {
    Err(SandboxError::Setup(
        "the network filter supports x86-64 and aarch64 only".to_owned(),
    ))
}
