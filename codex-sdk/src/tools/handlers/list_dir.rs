//! `list_dir`: a depth-bounded, sorted listing of a directory.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

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

/// The `list_dir` tool. Arguments: `{dir_path: absolute path, offset?: 1-indexed entry (default 1),
/// limit?: entries (default 25), depth?: levels (default 2)}`. Output: `Absolute path: <dir>` and then one
/// entry per line, depth-first in name order, indented two spaces per level; directories end in `/`,
/// symlinks in `@` (never followed), other non-regular files in `?`. Parallel-safe.
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
    if !dir.is_dir() {
        return Err(ToolError::RespondToModel(format!(
            "{} does not exist or is not a directory",
            dir.display()
        )));
    }
    // Collect one entry past the page to know whether more exist.
    let wanted = args.offset.saturating_add(args.limit);
    let mut entries = Vec::new();
    walk(dir, 0, args.depth, wanted, &mut entries)
        .map_err(|e| ToolError::RespondToModel(format!("cannot read {}: {e}", dir.display())))?;
    if entries.len() < args.offset && args.offset > 1 {
        return Err(ToolError::RespondToModel(format!(
            "offset {} exceeds the number of entries ({})",
            args.offset,
            entries.len()
        )));
    }
    let more = entries.len() >= wanted;
    let mut out = format!("Absolute path: {}", dir.display());
    for entry in entries.iter().skip(args.offset - 1).take(args.limit) {
        out.push('\n');
        out.push_str(entry);
    }
    if more {
        out.push_str(&format!("\nMore than {} entries found", args.limit));
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    level: usize,
    depth: usize,
    wanted: usize,
    out: &mut Vec<String>,
) -> std::io::Result<()> {
    let mut children: Vec<(String, std::fs::FileType, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let ty = e.file_type().ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), ty, e.path()))
        })
        .collect();
    children.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, ty, path) in children {
        if out.len() >= wanted {
            return Ok(());
        }
        let suffix = if ty.is_symlink() {
            "@"
        } else if ty.is_dir() {
            "/"
        } else if ty.is_file() {
            ""
        } else {
            "?"
        };
        out.push(format!(
            "{}{}{suffix}",
            "  ".repeat(level),
            truncate_chars(&name, MAX_NAME_CHARS)
        ));
        if ty.is_dir() && level + 1 < depth {
            // An unreadable subdirectory is listed but not descended into.
            let _ = walk(&path, level + 1, depth, wanted, out);
        }
    }
    Ok(())
}
