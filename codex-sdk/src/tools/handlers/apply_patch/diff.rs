//! Unified diffs: per file for `FileChange`, and for the whole turn (`TurnDiff`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::applier::MAX_PATCH_FILE_BYTES;
use crate::tools::handlers::regular_file::read_regular;

/// The hunks (no file headers) turning `before` into `after`.
pub(crate) fn hunks(before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .to_string()
}

/// A git-style diff of one file (`None` = the file does not exist on that side). Empty when equal.
pub(crate) fn file_diff(display: &str, before: Option<&str>, after: Option<&str>) -> String {
    if before == after {
        return String::new();
    }
    let old_label = if before.is_some() {
        format!("a/{display}")
    } else {
        "/dev/null".to_owned()
    };
    let new_label = if after.is_some() {
        format!("b/{display}")
    } else {
        "/dev/null".to_owned()
    };
    let mut out = format!("diff --git a/{display} b/{display}\n");
    match (before, after) {
        (None, _) => out.push_str("new file mode 100644\n"),
        (_, None) => out.push_str("deleted file mode 100644\n"),
        _ => {}
    }
    let diff = TextDiff::from_lines(before.unwrap_or(""), after.unwrap_or(""));
    out.push_str(
        &diff
            .unified_diff()
            .context_radius(3)
            .header(&old_label, &new_label)
            .to_string(),
    );
    out
}

/// The files a turn changed through `apply_patch`, with their content from before the turn touched them.
#[derive(Debug, Default)]
pub(crate) struct TurnDiffTracker {
    baselines: BTreeMap<PathBuf, Option<String>>,
}

impl TurnDiffTracker {
    /// Records `before` as the baseline of `path` unless the turn already touched it.
    pub(crate) fn record(&mut self, path: &Path, before: Option<&str>) {
        self.baselines
            .entry(path.to_path_buf())
            .or_insert_with(|| before.map(str::to_owned));
    }

    /// The unified diff of every tracked file, baseline against what is on disk now. Paths under `cwd`
    /// are shown relative to it. Blocking: reads the files.
    pub(crate) fn unified_diff(&self, cwd: &Path) -> String {
        let mut out = String::new();
        for (path, before) in &self.baselines {
            // The path may have been swapped for a FIFO or a device since the patch: read it like any
            // model-named file (regular only, capped); an unreadable file shows as absent.
            let now = read_regular(path, MAX_PATCH_FILE_BYTES)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let display = path.strip_prefix(cwd).unwrap_or(path).display().to_string();
            out.push_str(&file_diff(&display, before.as_deref(), now.as_deref()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_diff_has_headers_and_hunks() {
        let d = file_diff("a.txt", Some("x\ny\n"), Some("x\nz\n"));
        assert!(
            d.starts_with("diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@"),
            "{d}"
        );
        assert!(d.contains("-y\n+z\n"));
        let added = file_diff("n", None, Some("hi\n"));
        assert!(added.contains("--- /dev/null") && added.contains("+hi"));
        assert_eq!(file_diff("same", Some("a"), Some("a")), "");
    }
}
