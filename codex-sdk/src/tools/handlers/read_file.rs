//! `read_file`: numbered lines of a text file.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::regular_file::{FileError, FileKind, open_regular};
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
/// Bytes of one line held in memory; the rest of a longer line is skipped (it would be cut anyway).
const MAX_LINE_BYTES: usize = MAX_LINE_CHARS * 4;
/// Bytes of a file one call scans at most (so a huge or endlessly growing file cannot stall a call).
pub const MAX_READ_SCAN_BYTES: u64 = 256 * 1024 * 1024;
/// Bytes of output one call returns at most; past it the output ends with a note naming the next offset.
pub const MAX_READ_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

/// The `read_file` tool. Arguments: `{file_path: absolute path, offset?: 1-indexed line (default 1),
/// limit?: lines (default 2000)}`. Output: one `L<n>: <text>` line per line read. Relative paths, missing
/// files, directories, anything but a regular file (FIFOs, sockets, devices, symlinks to them) and binary
/// files (a NUL byte in the first 8 KiB) are answered as errors naming what the path is. Invalid UTF-8 is
/// decoded lossily. At most [`MAX_READ_SCAN_BYTES`] of the file are scanned and
/// [`MAX_READ_OUTPUT_BYTES`] returned per call; hitting either ends the output with a note. Parallel-safe.
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

fn read_lines(path: &Path, offset: usize, limit: usize) -> Result<String, ToolError> {
    let (file, _) = open_regular(path).map_err(|e| match e {
        FileError::NotRegular {
            kind: FileKind::Directory,
            ..
        } => ToolError::RespondToModel(format!("{} is a directory; use list_dir", path.display())),
        other => ToolError::RespondToModel(other.to_string()),
    })?;
    let fail = |e: std::io::Error| {
        ToolError::RespondToModel(format!("cannot read {}: {e}", path.display()))
    };
    let mut reader = BufReader::new(file.take(MAX_READ_SCAN_BYTES));
    let mut sniff = Vec::with_capacity(BINARY_SNIFF);
    (&mut reader)
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut sniff)
        .map_err(fail)?;
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
    let mut scanned = 0u64;
    let end = offset.saturating_add(limit);
    loop {
        let n = read_line_bounded(&mut reader, &mut line).map_err(fail)?;
        if n == 0 {
            break;
        }
        scanned += n as u64;
        number += 1;
        if number < offset {
            continue;
        }
        if number >= end {
            break;
        }
        if out.len() >= MAX_READ_OUTPUT_BYTES {
            out.push_str(&format!(
                "[read_file returns at most {MAX_READ_OUTPUT_BYTES} bytes per call; continue with offset {number}]\n"
            ));
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
    let stopped_by_scan_cap = scanned >= MAX_READ_SCAN_BYTES && number < end;
    if number < offset {
        let within = if stopped_by_scan_cap {
            format!(" within the first {MAX_READ_SCAN_BYTES} bytes, the most read_file scans")
        } else {
            String::new()
        };
        return Err(ToolError::RespondToModel(format!(
            "offset {offset} exceeds the file length ({number} lines{within})"
        )));
    }
    if stopped_by_scan_cap {
        out.push_str(&format!(
            "[read_file stopped after scanning {MAX_READ_SCAN_BYTES} bytes of the file; use a command for \
             the rest]\n"
        ));
    }
    if out.ends_with('\n') {
        out.pop();
    }
    Ok(out)
}

/// Reads one line (through its `\n`, or to the end of input) into `line`, keeping at most
/// [`MAX_LINE_BYTES`] of it. Returns the bytes consumed, 0 at the end of input.
fn read_line_bounded(reader: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    line.clear();
    let mut consumed = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(consumed);
        }
        let (take, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        line.extend_from_slice(&available[..take.min(room)]);
        reader.consume(take);
        consumed += take;
        if done {
            return Ok(consumed);
        }
    }
}
