//! `list_dir`: a depth-bounded, sorted listing of a directory.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::regular_file::FileKind;
use super::truncate::truncate_chars;
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The tool's name.
pub const LIST_DIR_TOOL_NAME: &str = "list_dir";
/// Entries returned when the model gives no limit.
pub const DEFAULT_LIST_LIMIT: usize = 25;
/// Levels listed when the model gives no depth (1 = only the directory's own entries).
pub const DEFAULT_LIST_DEPTH: usize = 2;
/// Characters of an entry name kept.
const MAX_NAME_CHARS: usize = 500;
/// Directory entries one call reads at most, over all levels; past it the listing ends with a note.
pub const MAX_LIST_SCAN_ENTRIES: usize = 50_000;

/// The `list_dir` tool. Arguments: `{dir_path: absolute path, offset?: 1-indexed entry (default 1),
/// limit?: entries (default 25), depth?: levels (default 2)}`. Output: `Absolute path: <dir>` and then one
/// entry per line, depth-first in name order, indented two spaces per level; directories end in `/`,
/// symlinks in `@` (never followed), other non-regular files (FIFOs, sockets, devices) in `?`; entries are
/// never opened. At most [`MAX_LIST_SCAN_ENTRIES`] entries are read per call. Parallel-safe.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListDirTool;

#[derive(Debug, Deserialize)]
struct ListDirArgs {
    dir_path: String,
    #[serde(default = "one")]
    offset: usize,
    #[serde(default = "default_limit")]
    limit: usize,
    #[serde(default = "default_depth")]
    depth: usize,
}

fn one() -> usize {
    1
}
fn default_limit() -> usize {
    DEFAULT_LIST_LIMIT
}
fn default_depth() -> usize {
    DEFAULT_LIST_DEPTH
}

#[async_trait]
impl ToolHandler for ListDirTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: LIST_DIR_TOOL_NAME.to_owned(),
            description:
                "Lists a directory's entries (depth-first, sorted by name, indented by level; \
                          `/` marks directories, `@` symlinks)."
                    .to_owned(),
            strict: false,
            parameters: json!({
                "type": "object",
                "properties": {
                    "dir_path": {"type": "string", "description": "Absolute path of the directory."},
                    "offset": {"type": "integer", "description": "First entry to return, 1-indexed (default 1)."},
                    "limit": {"type": "integer", "description": "How many entries to return (default 25)."},
                    "depth": {"type": "integer", "description": "How many levels to descend (default 2)."}
                },
                "required": ["dir_path"],
                "additionalProperties": false
            }),
        }
    }

    fn supports_parallel(&self) -> bool {
        true
    }

    async fn handle(&self, call: ToolCall, _ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: ListDirArgs = call.parse_arguments()?;
        if args.offset == 0 || args.limit == 0 || args.depth == 0 {
            return Err(ToolError::RespondToModel(
                "offset, limit and depth must be 1 or greater".into(),
            ));
        }
        let dir = PathBuf::from(&args.dir_path);
        if !dir.is_absolute() {
            return Err(ToolError::RespondToModel(format!(
                "dir_path must be an absolute path, got {:?}",
                args.dir_path
            )));
        }
        let text = tokio::task::spawn_blocking(move || list(&dir, &args))
            .await
            .map_err(|e| ToolError::RespondToModel(format!("list_dir failed: {e}")))??;
        Ok(ToolOutput::success(text))
    }
}

fn list(dir: &Path, args: &ListDirArgs) -> Result<String, ToolError> {
    match std::fs::metadata(dir).map(|m| FileKind::of(m.file_type())) {
        Ok(FileKind::Directory) => {}
        Ok(kind) => {
            return Err(ToolError::RespondToModel(format!(
                "{} is a {kind}, not a directory",
                dir.display()
            )));
        }
        Err(e) => {
            return Err(ToolError::RespondToModel(format!(
                "{} does not exist or is not a directory: {e}",
                dir.display()
            )));
        }
    }
    // Collect one entry past the page to know whether more exist.
    let mut walk = Walk {
        wanted: args.offset.saturating_add(args.limit),
        depth: args.depth,
        budget: MAX_LIST_SCAN_ENTRIES,
        incomplete: false,
        entries: Vec::new(),
    };
    walk.dir(dir, 0)
        .map_err(|e| ToolError::RespondToModel(format!("cannot read {}: {e}", dir.display())))?;
    let entries = walk.entries;
    if entries.len() < args.offset && args.offset > 1 {
        return Err(ToolError::RespondToModel(format!(
            "offset {} exceeds the number of entries ({})",
            args.offset,
            entries.len()
        )));
    }
    let more = entries.len() >= walk.wanted;
    let mut out = format!("Absolute path: {}", dir.display());
    for entry in entries.iter().skip(args.offset - 1).take(args.limit) {
        out.push('\n');
        out.push_str(entry);
    }
    if more {
        out.push_str(&format!("\nMore than {} entries found", args.limit));
    }
    if walk.incomplete {
        out.push_str(&format!(
            "\n[stopped after reading {MAX_LIST_SCAN_ENTRIES} directory entries; the listing is \
             incomplete and the last directory read may be only partly listed]"
        ));
    }
    Ok(out)
}

/// A depth-first walk that stops once it holds `wanted` entries or has read `budget` directory entries.
struct Walk {
    wanted: usize,
    depth: usize,
    budget: usize,
    incomplete: bool,
    entries: Vec<String>,
}

impl Walk {
    fn dir(&mut self, dir: &Path, level: usize) -> std::io::Result<()> {
        let mut children: Vec<(String, std::fs::FileType, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            if self.budget == 0 {
                self.incomplete = true;
                break;
            }
            self.budget -= 1;
            // The type comes from the directory entry itself (or lstat): nothing is opened or followed.
            let Ok(entry) = entry else { continue };
            let Ok(ty) = entry.file_type() else { continue };
            children.push((
                entry.file_name().to_string_lossy().into_owned(),
                ty,
                entry.path(),
            ));
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ty, path) in children {
            if self.entries.len() >= self.wanted {
                return Ok(());
            }
            let suffix = match FileKind::of(ty) {
                FileKind::Symlink => "@",
                FileKind::Directory => "/",
                FileKind::Regular => "",
                _ => "?",
            };
            self.entries.push(format!(
                "{}{}{suffix}",
                "  ".repeat(level),
                truncate_chars(&name, MAX_NAME_CHARS)
            ));
            if ty.is_dir() && level + 1 < self.depth {
                // An unreadable subdirectory is listed but not descended into.
                let _ = self.dir(&path, level + 1);
            }
        }
        Ok(())
    }
}
