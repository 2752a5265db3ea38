//! Landlock enforcement (Linux).

use std::sync::OnceLock;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, path_beneath_rules,
};

use super::{SandboxError, SandboxRules, SpawnThread};

/// The filesystem rights handled (denied unless granted). ABI 3 covers reads, writes, renames across
/// directories (`Refer`) and truncation; device ioctls (ABI 5) are left alone so terminals keep working.
const FS_ABI: ABI = ABI::V3;
/// The ABI that introduced TCP restrictions.
const NET_ABI: ABI = ABI::V4;
/// Devices every sandboxed command may write.
const WRITABLE_DEVICES: [&str; 4] = ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"];

/// Whether the kernel enforces Landlock, probed once by restricting a throwaway thread.
pub(super) fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        std::thread::spawn(|| {
            let rules = SandboxRules {
                writable_roots: Vec::new(),
                network: true,
            };
            matches!(restrict_current_thread(&rules), Ok(()))
        })
        .join()
        .unwrap_or(false)
    })
}

/// See [`super::spawn_on_thread`]. The thread waits, after spawning, until the returned guard is dropped.
pub(super) async fn spawn_on_thread<T, F>(
    rules: Option<SandboxRules>,
    spawn: F,
) -> Result<(T, SpawnThread), SandboxError>
where
    T: Send + 'static,
    F: FnOnce() -> std::io::Result<T> + Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (keep_tx, keep_rx) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("codex-spawn".to_owned())
        .spawn(move || {
            let restricted = match &rules {
                Some(rules) => restrict_current_thread(rules),
                None => Ok(()),
            };
            let result = restricted.and_then(|()| {
                let _guard = handle.enter();
                spawn().map_err(SandboxError::Spawn)
            });
            let started = result.is_ok();
            let _ = tx.send(result);
            if started {
                // The command's parent-death signal is tied to this thread: stay until the guard is dropped.
                let _ = keep_rx.recv();
            }
        })
        .map_err(|e| SandboxError::Setup(format!("cannot start the spawning thread: {e}")))?;
    let value = rx.await.map_err(|_| {
        SandboxError::Setup("the spawning thread ended without an answer".to_owned())
    })??;
    Ok((
        value,
        SpawnThread {
            _keep: Some(keep_tx),
        },
    ))
}

/// The paths that exist (a missing `$TMPDIR` or root must not make the whole sandbox fail).
fn existing(paths: &[std::path::PathBuf]) -> Vec<&std::path::Path> {
    paths
        .iter()
        .map(std::path::PathBuf::as_path)
        .filter(|p| p.exists())
        .collect()
}

/// Restricts the calling thread (and every process it starts afterwards) to `rules`.
fn restrict_current_thread(rules: &SandboxRules) -> Result<(), SandboxError> {
    let setup = |e: &dyn std::fmt::Display| SandboxError::Setup(e.to_string());
    let read = AccessFs::from_read(FS_ABI);
    let all = AccessFs::from_all(FS_ABI);
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all)
        .map_err(|e| setup(&e))?;
    if !rules.network {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(NET_ABI))
            .map_err(|e| setup(&e))?;
    }
    let created = ruleset
        .create()
        .map_err(|e| setup(&e))?
        .add_rules(path_beneath_rules(["/"], read))
        .map_err(|e| setup(&e))?
        .add_rules(path_beneath_rules(WRITABLE_DEVICES, all))
        .map_err(|e| setup(&e))?
        .add_rules(path_beneath_rules(existing(&rules.writable_roots), all))
        .map_err(|e| setup(&e))?;
    let status = created.restrict_self().map_err(|e| setup(&e))?;
    match status.ruleset {
        RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => {}
        RulesetStatus::NotEnforced => return Err(SandboxError::Unavailable),
    }
    if !rules.network {
        super::seccomp::deny_network_sockets()?;
    }
    Ok(())
}
