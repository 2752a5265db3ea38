//! Project docs: the `AGENTS.md` files Codex sends with every new conversation.
//!
//! The files are found from the project root (the nearest folder upwards from the working directory that
//! holds a `.git` entry, or another of [`ProjectDocOptions::root_markers`]; the working directory itself
//! when there is none) down to the working directory,
//! one per folder (`AGENTS.override.md`, else `AGENTS.md`, else the configured fallback names), root first.
//! Their text is cut at [`ProjectDocOptions::max_bytes`] in total. `CODEX_HOME/AGENTS.md` (or
//! `AGENTS.override.md`) and [`Config::user_instructions`](super::Config::user_instructions) come first as
//! the user's own instructions. Everything is read as the `read_file` tool reads: regular files only, opened
//! without blocking, bounded — a FIFO or a device named `AGENTS.md` is skipped, never waited on.

use std::path::{Path, PathBuf};

use crate::tools::handlers::regular_file::read_regular_prefix;

/// The default cap on the project docs' bytes (Codex's `project_doc_max_bytes`).
pub const DEFAULT_PROJECT_DOC_MAX_BYTES: usize = 32 * 1024;

/// The cap on `CODEX_HOME/AGENTS.md`, read separately from the project docs.
pub const GLOBAL_DOC_MAX_BYTES: u64 = 256 * 1024;

/// The file names tried in each folder before the fallbacks.
const DOC_NAMES: [&str; 2] = ["AGENTS.override.md", "AGENTS.md"];

/// Separates the user's own instructions from the project docs in the message.
const PROJECT_DOC_SEPARATOR: &str = "\n\n--- project-doc ---\n\n";

/// Which instruction files a new conversation reads (`project_doc_max_bytes`,
/// `project_doc_fallback_filenames`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProjectDocOptions {
    /// The total bytes read from project docs; `0` turns project docs off (the user's own instructions
    /// are still sent).
    pub max_bytes: usize,
    /// Names tried in each folder after `AGENTS.override.md` and `AGENTS.md` (e.g. `CLAUDE.md`).
    pub fallback_filenames: Vec<String>,
    /// Entries marking the project root: the nearest folder upwards holding one (default `.git`). Empty:
    /// only the working directory is searched.
    pub root_markers: Vec<String>,
    /// Read these files, in order, instead of discovering `AGENTS.md` files (still capped by
    /// `max_bytes`).
    pub files: Option<Vec<PathBuf>>,
    /// Read `CODEX_HOME/AGENTS.md` as the user's global instructions.
    pub global: bool,
}

impl Default for ProjectDocOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_PROJECT_DOC_MAX_BYTES,
            fallback_filenames: Vec::new(),
            root_markers: vec![".git".to_owned()],
            files: None,
            global: true,
        }
    }
}

impl ProjectDocOptions {
    /// No instruction files at all: neither project docs nor `CODEX_HOME/AGENTS.md`.
    #[must_use]
    pub fn disabled() -> Self {
        Self {
            max_bytes: 0,
            fallback_filenames: Vec::new(),
            root_markers: Vec::new(),
            files: None,
            global: false,
        }
    }
}

/// The user-instructions message for a conversation in `cwd`, or `None` when there is nothing to send.
/// Blocking: call it from `spawn_blocking`. Unreadable files are skipped (logged).
pub(crate) fn user_instructions_message(
    options: &ProjectDocOptions,
    codex_home: &Path,
    cwd: &Path,
    extra: Option<&str>,
) -> Option<String> {
    let mut own = Vec::new();
    if options.global
        && let Some(text) = read_first(codex_home, &DOC_NAMES, GLOBAL_DOC_MAX_BYTES)
    {
        own.push(text.trim().to_owned());
    }
    if let Some(extra) = extra.map(str::trim).filter(|t| !t.is_empty()) {
        own.push(extra.to_owned());
    }
    own.retain(|t| !t.is_empty());
    let own = (!own.is_empty()).then(|| own.join("\n\n"));
    let docs = project_docs(options, cwd);
    match (own, docs) {
        (None, None) => None,
        (Some(own), None) => Some(format!(
            "# AGENTS.md instructions\n\n<INSTRUCTIONS>\n{own}\n</INSTRUCTIONS>"
        )),
        (own, Some(docs)) => {
            let body = match own {
                Some(own) => format!("{own}{PROJECT_DOC_SEPARATOR}{docs}"),
                None => docs,
            };
            Some(format!(
                "# AGENTS.md instructions for {}\n\n<INSTRUCTIONS>\n{body}\n</INSTRUCTIONS>",
                cwd.display()
            ))
        }
    }
}

/// The project docs' text, joined by blank lines and cut at `max_bytes` in total.
fn project_docs(options: &ProjectDocOptions, cwd: &Path) -> Option<String> {
    if options.max_bytes == 0 {
        return None;
    }
    let paths = match &options.files {
        Some(files) => files
            .iter()
            .map(|f| {
                if f.is_absolute() {
                    f.clone()
                } else {
                    cwd.join(f)
                }
            })
            .collect(),
        None => discover(cwd, &options.fallback_filenames, &options.root_markers),
    };
    let mut budget = u64::try_from(options.max_bytes).unwrap_or(u64::MAX);
    let mut parts = Vec::new();
    for path in paths {
        if budget == 0 {
            break;
        }
        let Some(bytes) = read_doc(&path, budget) else {
            continue;
        };
        budget = budget.saturating_sub(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if !text.trim().is_empty() {
            parts.push(text);
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// One doc per folder from the project root down to `cwd`.
fn discover(cwd: &Path, fallbacks: &[String], markers: &[String]) -> Vec<PathBuf> {
    let ancestors: Vec<&Path> = cwd.ancestors().collect();
    let root_index = ancestors
        .iter()
        .position(|dir| {
            markers
                .iter()
                .any(|m| std::fs::symlink_metadata(dir.join(m)).is_ok())
        })
        .unwrap_or(0);
    let names: Vec<&str> = DOC_NAMES
        .iter()
        .copied()
        .chain(fallbacks.iter().map(String::as_str))
        .collect();
    ancestors[..=root_index]
        .iter()
        .rev()
        .filter_map(|dir| {
            names
                .iter()
                .map(|name| dir.join(name))
                .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        })
        .collect()
}

/// The first of `names` in `dir` that reads as a regular file.
fn read_first(dir: &Path, names: &[&str], cap: u64) -> Option<String> {
    names
        .iter()
        .find_map(|name| read_doc(&dir.join(name), cap))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn read_doc(path: &Path, cap: u64) -> Option<Vec<u8>> {
    match read_regular_prefix(path, cap) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            tracing::warn!(error = %e, "instruction file skipped");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(options: &ProjectDocOptions, home: &Path, cwd: &Path) -> Option<String> {
        user_instructions_message(options, home, cwd, None)
    }

    #[test]
    fn root_to_cwd_with_global_first_and_the_cap_on_project_bytes() {
        let home = tempfile::tempdir().unwrap();
        let repo = tempfile::tempdir().unwrap();
        let sub = repo.path().join("sub");
        std::fs::create_dir_all(repo.path().join(".git")).unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(home.path().join("AGENTS.md"), "GLOBAL DOC\n").unwrap();
        std::fs::write(repo.path().join("AGENTS.md"), "ROOT DOC\n").unwrap();
        std::fs::write(sub.join("AGENTS.md"), "SUB DOC\n").unwrap();
        let full = message(&ProjectDocOptions::default(), home.path(), &sub).unwrap();
        assert_eq!(
            full,
            format!(
                "# AGENTS.md instructions for {}\n\n<INSTRUCTIONS>\nGLOBAL DOC\n\n--- project-doc ---\n\n\
                 ROOT DOC\n\n\nSUB DOC\n\n</INSTRUCTIONS>",
                sub.display()
            )
        );
        let capped = ProjectDocOptions {
            max_bytes: 10,
            ..ProjectDocOptions::default()
        };
        assert!(
            message(&capped, home.path(), &sub)
                .unwrap()
                .ends_with("ROOT DOC\n\n\nS\n</INSTRUCTIONS>")
        );
        let off = ProjectDocOptions {
            max_bytes: 0,
            ..ProjectDocOptions::default()
        };
        assert_eq!(
            message(&off, home.path(), &sub).unwrap(),
            "# AGENTS.md instructions\n\n<INSTRUCTIONS>\nGLOBAL DOC\n</INSTRUCTIONS>"
        );
        assert_eq!(
            message(&ProjectDocOptions::disabled(), home.path(), &sub),
            None
        );
    }

    #[test]
    fn without_a_repository_only_the_cwd_counts_and_override_wins() {
        let home = tempfile::tempdir().unwrap();
        let top = tempfile::tempdir().unwrap();
        let cwd = top.path().join("a");
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::write(top.path().join("AGENTS.md"), "PARENT").unwrap();
        assert_eq!(
            message(&ProjectDocOptions::default(), home.path(), &cwd),
            None
        );
        std::fs::write(cwd.join("AGENTS.md"), "PLAIN").unwrap();
        std::fs::write(cwd.join("AGENTS.override.md"), "OVERRIDE").unwrap();
        let text = message(&ProjectDocOptions::default(), home.path(), &cwd).unwrap();
        assert!(
            text.contains("<INSTRUCTIONS>\nOVERRIDE\n</INSTRUCTIONS>"),
            "{text}"
        );
    }

    #[test]
    fn a_fifo_named_agents_md_is_skipped_not_waited_on() {
        let home = tempfile::tempdir().unwrap();
        let cwd = tempfile::tempdir().unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            cwd.path().join("AGENTS.md"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        std::os::unix::fs::symlink("/dev/zero", home.path().join("AGENTS.md")).unwrap();
        assert_eq!(
            message(&ProjectDocOptions::default(), home.path(), cwd.path()),
            None
        );
    }
}
