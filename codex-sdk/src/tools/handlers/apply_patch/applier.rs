//! Applying a parsed patch: match hunks against file contents (exact, then ignoring trailing whitespace,
//! then ignoring surrounding whitespace), compute every new content first, then write all-or-nothing
//! (temporary files renamed into place).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::parser::{Chunk, FileOp, Patch};
use crate::tools::handlers::regular_file::{FileError, read_regular};

/// The largest file `apply_patch` reads (to update, delete or overwrite it).
pub(crate) const MAX_PATCH_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a patch does to one path: its content before (on disk) and after (`None` = absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathChange {
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
    /// For the destination of a move: where the content came from.
    pub(crate) moved_from: Option<PathBuf>,
    /// For the source of a move: where it went.
    pub(crate) moved_to: Option<PathBuf>,
}

/// Every path the patch touches, with its final state. Computed without writing anything.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatchPlan {
    pub(crate) changes: BTreeMap<PathBuf, PathChange>,
}

/// Every path `patch` touches (sources, destinations of moves), resolved against `cwd`, without reading
/// anything.
pub(crate) fn touched_paths(patch: &Patch, cwd: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for op in &patch.ops {
        match op {
            FileOp::Add { path, .. } | FileOp::Delete { path, .. } => out.push(cwd.join(path)),
            FileOp::Update { path, move_to, .. } => {
                out.push(cwd.join(path));
                out.extend(move_to.iter().map(|dest| cwd.join(dest)));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Computes the effect of `patch` with paths resolved against `cwd`. Errors are messages for the model.
/// Blocking: reads the touched files.
pub(crate) fn plan(patch: &Patch, cwd: &Path) -> Result<PatchPlan, String> {
    let mut plan = PatchPlan::default();
    for op in &patch.ops {
        match op {
            FileOp::Add { path, content, .. } => {
                let path = cwd.join(path);
                plan.current(&path)?;
                plan.set(&path, Some(content.clone()));
            }
            FileOp::Delete { path, line } => {
                let path = cwd.join(path);
                if plan.current(&path)?.is_none() {
                    return Err(format!(
                        "patch line {line}: cannot delete {}: no such file",
                        path.display()
                    ));
                }
                plan.set(&path, None);
            }
            FileOp::Update {
                path,
                move_to,
                chunks,
                line,
            } => {
                let path = cwd.join(path);
                let Some(original) = plan.current(&path)? else {
                    return Err(format!(
                        "patch line {line}: cannot update {}: no such file",
                        path.display()
                    ));
                };
                let updated = apply_chunks(&original, chunks, &path)?;
                match move_to {
                    Some(dest) => {
                        let dest = cwd.join(dest);
                        plan.current(&dest)?;
                        plan.set(&path, None);
                        plan.set(&dest, Some(updated));
                        if let Some(c) = plan.changes.get_mut(&dest) {
                            c.moved_from = Some(path.clone());
                        }
                        if let Some(c) = plan.changes.get_mut(&path) {
                            c.moved_to = Some(dest);
                        }
                    }
                    None => plan.set(&path, Some(updated)),
                }
            }
        }
    }
    Ok(plan)
}

impl PatchPlan {
    /// The content of `path` as the patch has left it so far (reading the disk on first touch).
    fn current(&mut self, path: &Path) -> Result<Option<String>, String> {
        if let Some(change) = self.changes.get(path) {
            return Ok(change.after.clone());
        }
        let before = read_optional(path)?;
        self.changes.insert(
            path.to_path_buf(),
            PathChange {
                before: before.clone(),
                after: before.clone(),
                moved_from: None,
                moved_to: None,
            },
        );
        Ok(before)
    }

    fn set(&mut self, path: &Path, after: Option<String>) {
        if let Some(change) = self.changes.get_mut(path) {
            change.after = after;
        }
    }

    /// Writes the plan. First checks that no file changed since the plan was computed, then stages every
    /// new content in a temporary file next to its target, then renames them into place and removes
    /// deleted files. If staging fails nothing is changed; if a rename fails, the files already replaced
    /// are restored.
    pub(crate) fn commit(&self) -> Result<(), String> {
        for (path, change) in &self.changes {
            if read_optional(path)? != change.before {
                return Err(format!(
                    "{} changed on disk after the patch was checked; nothing was written",
                    path.display()
                ));
            }
        }
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let cleanup = |staged: &[(PathBuf, PathBuf)]| {
            for (tmp, _) in staged {
                let _ = std::fs::remove_file(tmp);
            }
        };
        for (path, change) in &self.changes {
            let Some(after) = &change.after else { continue };
            if change.before.as_ref() == Some(after) {
                continue;
            }
            match stage(path, after) {
                Ok(tmp) => staged.push((tmp, path.clone())),
                Err(e) => {
                    cleanup(&staged);
                    return Err(format!("cannot write {}: {e}", path.display()));
                }
            }
        }
        let mut done: Vec<&Path> = Vec::new();
        for (tmp, path) in &staged {
            if let Err(e) = std::fs::rename(tmp, path) {
                cleanup(&staged);
                self.restore(&done);
                return Err(format!("cannot write {}: {e}", path.display()));
            }
            done.push(path);
        }
        for (path, change) in &self.changes {
            if change.after.is_none()
                && change.before.is_some()
                && let Err(e) = std::fs::remove_file(path)
            {
                self.restore(&done);
                return Err(format!("cannot delete {}: {e}", path.display()));
            }
        }
        Ok(())
    }

    /// Best-effort rollback of already-replaced files.
    fn restore(&self, done: &[&Path]) {
        for path in done {
            match self.changes.get(*path).and_then(|c| c.before.as_ref()) {
                Some(before) => {
                    let _ = std::fs::write(path, before);
                }
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

/// Writes `content` to a fresh temporary file in `path`'s directory (created if needed), with `path`'s
/// permissions when it exists.
fn stage(path: &Path, content: &str) -> std::io::Result<PathBuf> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("path has no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.patch-{}.tmp",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::write(&tmp, content)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    Ok(tmp)
}

/// Reads a file that may not exist. Only regular UTF-8 files up to [`MAX_PATCH_FILE_BYTES`] are read;
/// anything else (a directory, FIFO, socket, device, or a symlink to one) is refused by type, unopened.
fn read_optional(path: &Path) -> Result<Option<String>, String> {
    match read_regular(path, MAX_PATCH_FILE_BYTES) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{} is not a UTF-8 text file", path.display())),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e @ FileError::NotRegular { .. }) => {
            Err(format!("{e}; apply_patch only edits regular files"))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Applies update hunks to `original`. The result always ends with a newline.
pub(crate) fn apply_chunks(
    original: &str,
    chunks: &[Chunk],
    path: &Path,
) -> Result<String, String> {
    let mut lines: Vec<String> = original.split('\n').map(str::to_owned).collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut replacements: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let mut cursor = 0usize;
    for (index, chunk) in chunks.iter().enumerate() {
        let name = format!("hunk {} (patch line {})", index + 1, chunk.line);
        if let Some(context) = &chunk.context {
            let found =
                seek(&lines, std::slice::from_ref(context), cursor, false).ok_or_else(|| {
                    format!(
                        "{name}: context line {context:?} not found in {}",
                        path.display()
                    )
                })?;
            cursor = found + 1;
        }
        if chunk.old.is_empty() {
            let at = if chunk.context.is_some() {
                cursor
            } else {
                lines.len()
            };
            replacements.push((at, 0, chunk.new.clone()));
            continue;
        }
        let mut old = chunk.old.as_slice();
        let mut new = chunk.new.as_slice();
        let mut found = seek(&lines, old, cursor, chunk.end_of_file);
        // A trailing empty line in the hunk often stands for the file's final newline.
        if found.is_none() && old.last().is_some_and(String::is_empty) {
            old = &old[..old.len() - 1];
            if new.last().is_some_and(String::is_empty) {
                new = &new[..new.len() - 1];
            }
            found = seek(&lines, old, cursor, chunk.end_of_file);
        }
        let Some(at) = found else {
            return Err(format!(
                "{name} does not match {}: these lines were not found{}:\n{}",
                path.display(),
                if cursor > 0 {
                    format!(" after line {cursor}")
                } else {
                    String::new()
                },
                chunk.old.join("\n")
            ));
        };
        replacements.push((at, old.len(), new.to_vec()));
        cursor = at + old.len();
    }
    replacements.sort_by_key(|r| r.0);
    for (at, len, new) in replacements.into_iter().rev() {
        lines.splice(at..at + len, new);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// Finds `pattern` in `lines` at or after `from`: exactly, then ignoring trailing whitespace, then ignoring
/// leading and trailing whitespace. With `at_end`, a match at the very end of the file is tried first.
fn seek(lines: &[String], pattern: &[String], from: usize, at_end: bool) -> Option<usize> {
    if pattern.len() > lines.len() {
        return None;
    }
    let last_start = lines.len() - pattern.len();
    let comparators: [fn(&str, &str) -> bool; 3] = [
        |a, b| a == b,
        |a, b| a.trim_end() == b.trim_end(),
        |a, b| a.trim() == b.trim(),
    ];
    for eq in comparators {
        let matches_at = |i: usize| {
            lines[i..i + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(a, b)| eq(a, b))
        };
        if at_end && last_start >= from && matches_at(last_start) {
            return Some(last_start);
        }
        if let Some(i) = (from..=last_start).find(|&i| matches_at(i)) {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(context: Option<&str>, old: &[&str], new: &[&str]) -> Chunk {
        Chunk {
            context: context.map(str::to_owned),
            old: old.iter().map(|s| (*s).to_owned()).collect(),
            new: new.iter().map(|s| (*s).to_owned()).collect(),
            end_of_file: false,
            line: 1,
        }
    }

    #[test]
    fn replaces_with_context_and_fuzz() {
        let original = "fn a() {\n    x();\n}\nfn b() {\n    x();   \n}\n";
        let out = apply_chunks(
            original,
            &[chunk(Some("fn b() {"), &["    x();"], &["    y();"])],
            Path::new("f"),
        )
        .unwrap();
        assert_eq!(out, "fn a() {\n    x();\n}\nfn b() {\n    y();\n}\n");
        let trimmed =
            apply_chunks("  a\n", &[chunk(None, &["a"], &["b"])], Path::new("f")).unwrap();
        assert_eq!(trimmed, "b\n");
    }

    #[test]
    fn pure_insertion_goes_after_context_or_at_end() {
        let out = apply_chunks("a\nb\n", &[chunk(Some("a"), &[], &["x"])], Path::new("f")).unwrap();
        assert_eq!(out, "a\nx\nb\n");
        let out = apply_chunks("a\nb", &[chunk(None, &[], &["x"])], Path::new("f")).unwrap();
        assert_eq!(out, "a\nb\nx\n");
    }

    #[test]
    fn mismatch_names_the_hunk() {
        let err =
            apply_chunks("a\n", &[chunk(None, &["zzz"], &["y"])], Path::new("f")).unwrap_err();
        assert!(err.contains("hunk 1") && err.contains("zzz"), "{err}");
    }
}
