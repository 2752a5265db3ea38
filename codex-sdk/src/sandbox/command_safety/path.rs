//! Which program a bare name runs: only names found through absolute `PATH` entries are trusted.

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// Answers "does this bare program name run a program the user installed?".
pub(super) trait ProgramLookup {
    /// Whether `name` (no `/`) resolves to an installed program.
    fn trusts(&self, name: &str) -> bool;
}

/// The lookup the tools use: the process's `PATH`, as `execvp` searches it.
///
/// A name is trusted when it is found in an absolute entry and no relative (or empty) entry comes before
/// that one. Commands run in a working directory the model can write to, and a relative entry (`.`,
/// `bin`, an empty entry) is searched relative to it — and to every directory a script `cd`s into — so
/// the program behind the name could be one the model just wrote.
#[derive(Debug, Clone)]
pub(super) struct SearchPath {
    entries: OsString,
}

impl SearchPath {
    /// The search path of this process (`/bin:/usr/bin` when `PATH` is unset, as `execvp` does).
    pub(super) fn of_process() -> Self {
        Self::new(std::env::var_os("PATH").as_deref())
    }

    /// A search path from a `PATH` value.
    pub(super) fn new(path: Option<&OsStr>) -> Self {
        Self {
            entries: path.map_or_else(|| OsString::from("/bin:/usr/bin"), OsStr::to_os_string),
        }
    }
}

impl ProgramLookup for SearchPath {
    fn trusts(&self, name: &str) -> bool {
        for dir in std::env::split_paths(&self.entries) {
            if !dir.is_absolute() {
                return false;
            }
            if is_executable_file(&dir.join(name)) {
                return true;
            }
        }
        false
    }
}

fn is_executable_file(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).is_ok_and(|m| m.is_file())
    }
}
