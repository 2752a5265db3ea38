//! `read_file`: numbered lines of a text file.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::truncate::truncate_chars;
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The tool's name.
pub const READ_FILE_TOOL_NAME: &str = "read_file";
/// Lines returned when the model gives no limit.
pub const DEFAULT_READ_LIMIT: usize = 2000;
/// Characters of one line kept; the rest is cut (at a char boundary).
pub const MAX_LINE_CHARS: usize = 500;
/// Bytes inspected for NUL bytes to decide that a file is binary.
const BINARY_SNIFF: usize = 8192;

/// The `read_file` tool. Arguments: `{file_path: absolute path, offset?: 1-indexed line (default 1),
/// limit?: lines (default 2000)}`. Output: one `L<n>: <text>` line per line read. Relative paths, missing
/// files, directories and binary files (a NUL byte in the first 8 KiB) are answered as errors. Invalid
/// UTF-8 is decoded lossily. Parallel-safe.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadFileTool;

#[derive(Debug, Deserialize)]
struct ReadFileArgs {
    file_path: String,
    #[serde(default = "one")]
    offset: usize,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn one() -> usize {
    1
}

fn default_limit() -> usize {
    DEFAULT_READ_LIMIT
}

#[async_trait]
impl ToolHandler for ReadFileTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: READ_FILE_TOOL_NAME.to_owned(),
            description:
                "Reads lines of a text file. Each line comes back prefixed with `L<number>: `."
                    .to_owned(),
            strict: false,
            parameters: json!({
                "type": "object",
                "properties": {
                    "file_path": {"type": "string", "description": "Absolute path of the file."},
                    "offset": {"type": "integer", "description": "First line to read, 1-indexed (default 1)."},
                    "limit": {"type": "integer", "description": "How many lines to read (default 2000)."}
                },
                "required": ["file_path"],
                "additionalProperties": false
            }),
        }
    }

    fn supports_parallel(&self) -> bool {
        true
    }

    async fn handle(&self, call: ToolCall, _ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: ReadFileArgs = call.parse_arguments()?;
        if args.offset == 0 {
            return Err(ToolError::RespondToModel(
                "offset must be 1 or greater".into(),
            ));
        }
        if args.limit == 0 {
            return Err(ToolError::RespondToModel(
                "limit must be 1 or greater".into(),
            ));
        }
        let path = PathBuf::from(&args.file_path);
        if !path.is_absolute() {
            return Err(ToolError::RespondToModel(format!(
                "file_path must be an absolute path, got {:?}",
                args.file_path
            )));
        }
        let text = tokio::task::spawn_blocking(move || read_lines(&path, args.offset, args.limit))
            .await
            .map_err(|e| ToolError::RespondToModel(format!("read_file failed: {e}")))??;
        Ok(ToolOutput::success(text))
    }
}

fn read_lines(path: &std::path::Path, offset: usize, limit: usize) -> Result<String, ToolError> {
    let fail = |what: &str, e: std::io::Error| {
        ToolError::RespondToModel(format!("cannot {what} {}: {e}", path.display()))
    };
    if path.is_dir() {
        return Err(ToolError::RespondToModel(format!(
            "{} is a directory; use list_dir",
            path.display()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| fail("open", e))?;
    let mut reader = BufReader::new(file);
    let mut sniff = Vec::with_capacity(BINARY_SNIFF);
    (&mut reader)
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut sniff)
        .map_err(|e| fail("read", e))?;
    if sniff.contains(&0) {
        return Err(ToolError::RespondToModel(format!(
            "{} looks like a binary file; read_file only reads text",
            path.display()
        )));
    }
    let mut reader = std::io::Cursor::new(sniff).chain(reader);
    let mut out = String::new();
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| fail("read", e))?;
        if n == 0 {
            break;
        }
        number += 1;
        if number < offset {
            continue;
        }
        if number >= offset.saturating_add(limit) {
            break;
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        let text = String::from_utf8_lossy(&line);
        out.push_str(&format!(
            "L{number}: {}\n",
            truncate_chars(&text, MAX_LINE_CHARS)
        ));
    }
    if number < offset {
        return Err(ToolError::RespondToModel(format!(
            "offset {offset} exceeds the file length ({number} lines)"
        )));
    }
    if out.ends_with('\n') {
        out.pop();
    }
    Ok(out)
}
