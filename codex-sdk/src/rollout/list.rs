//! Listing recorded conversations, newest first, a page at a time, reading only the head and tail of each
//! file.

use std::cmp::Reverse;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::line::{Parsed, parse_line};
use super::rebuild::is_real_user_message;
use super::{RolloutItem, SessionMeta};
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, ConversationSummary, ConversationsPage, Cursor, EventMsg};

/// Lines read from the start of a file looking for the session meta and the first user message.
const HEAD_MAX_LINES: usize = 64;
/// Bytes read from the end of a file looking for the last line.
const TAIL_BYTES: u64 = 64 * 1024;
/// Files looked at per page at most, so a tree full of empty sessions cannot make one call scan forever.
const MAX_SCAN_PER_PAGE: usize = 10_000;

/// Splits `rollout-<ts>-<uuid>.jsonl` into its timestamp and id.
pub(crate) fn parse_file_name(name: &str) -> Option<(String, Uuid)> {
    let core = name.strip_prefix("rollout-")?.strip_suffix(".jsonl")?;
    if core.len() != 19 + 1 + 36 || !core.is_char_boundary(19) {
        return None;
    }
    let (ts, rest) = core.split_at(19);
    if !crate::protocol::valid_file_ts(ts) {
        return None;
    }
    let id = Uuid::parse_str(rest.strip_prefix('-')?).ok()?;
    Some((ts.to_owned(), id))
}

/// Sub-directories whose names are `width` digits, in descending order.
fn numbered_dirs_desc(dir: &Path, width: usize) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            (name.len() == width && name.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (name, e.path()))
        })
        .filter(|(_, p)| p.is_dir())
        .collect();
    dirs.sort_by(|a, b| b.0.cmp(&a.0));
    dirs
}

/// Lists `sessions_dir` (the `YYYY/MM/DD` tree), newest first, after `cursor`.
pub(crate) fn list_file_sessions(
    sessions_dir: &Path,
    page_size: usize,
    cursor: Option<&Cursor>,
) -> Result<ConversationsPage> {
    let mut page = ConversationsPage::default();
    if page_size == 0 {
        page.next_cursor = cursor.cloned();
        return Ok(page);
    }
    let cursor_day = cursor.map(|c| c.file_ts()[..10].to_owned());
    for (year, year_dir) in numbered_dirs_desc(sessions_dir, 4) {
        if cursor_day
            .as_deref()
            .is_some_and(|d| year.as_str() > &d[..4])
        {
            continue;
        }
        for (month, month_dir) in numbered_dirs_desc(&year_dir, 2) {
            for (day, day_dir) in numbered_dirs_desc(&month_dir, 2) {
                let date = format!("{year}-{month}-{day}");
                if cursor_day.as_deref().is_some_and(|d| date.as_str() > d) {
                    continue;
                }
                let mut files: Vec<(Cursor, PathBuf)> = std::fs::read_dir(&day_dir)?
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        let (ts, id) = parse_file_name(&name)?;
                        Some((Cursor::from_parts(ts, id), e.path()))
                    })
                    .filter(|(c, _)| cursor.is_none_or(|cur| c < cur))
                    .collect();
                files.sort_by_key(|(c, _)| Reverse(c.clone()));
                for (file_cursor, path) in files {
                    if page.scanned_files >= MAX_SCAN_PER_PAGE {
                        page.next_cursor = Some(file_cursor);
                        return Ok(page);
                    }
                    page.scanned_files += 1;
                    match summarize(&path, file_cursor.clone()) {
                        Ok(Some(summary)) => page.items.push(summary),
                        Ok(None) => {}
                        Err(e) => {
                            tracing::debug!(path = %path.display(), error = %e, "skipping unreadable rollout");
                        }
                    }
                    if page.items.len() == page_size {
                        page.next_cursor = Some(file_cursor);
                        return Ok(page);
                    }
                }
            }
        }
    }
    Ok(page)
}

/// The newest rollout in `sessions_dir` whose file name carries `id` (no file is opened).
pub(crate) fn find_file_session(
    sessions_dir: &Path,
    id: ConversationId,
) -> Result<Option<PathBuf>> {
    let suffix = format!("-{id}.jsonl");
    for (_, year_dir) in numbered_dirs_desc(sessions_dir, 4) {
        for (_, month_dir) in numbered_dirs_desc(&year_dir, 2) {
            for (_, day_dir) in numbered_dirs_desc(&month_dir, 2) {
                for entry in std::fs::read_dir(&day_dir)?.filter_map(|e| e.ok()) {
                    let name = entry.file_name();
                    if name
                        .to_str()
                        .is_some_and(|n| n.starts_with("rollout-") && n.ends_with(&suffix))
                    {
                        return Ok(Some(entry.path()));
                    }
                }
            }
        }
    }
    Ok(None)
}

/// The session meta on the first line of the file at `path`.
pub(crate) fn read_head_meta(path: &Path) -> Result<Option<SessionMeta>> {
    // Regular files only (a FIFO or device named by a client must not block or stream forever), and the
    // first line read under a cap.
    let (file, _) = crate::tools::handlers::regular_file::open_regular(path).map_err(file_error)?;
    let mut reader = BufReader::new(file.take(MAX_HEAD_LINE_BYTES));
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 || !line.ends_with('\n') {
        return Ok(None);
    }
    Ok(match parse_line(line.trim_end()) {
        Parsed::Item(_, RolloutItem::SessionMeta(meta)) => Some(meta),
        _ => None,
    })
}

/// The longest first line (the session meta) read looking for a rollout's owner.
const MAX_HEAD_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// A refused or unreadable file as the SDK's error: I/O failures stay `Io` (with their kind), a path that
/// is not a regular file is invalid input.
pub(crate) fn file_error(e: crate::tools::handlers::regular_file::FileError) -> Error {
    use crate::tools::handlers::regular_file::FileError;
    match e {
        FileError::Open { ref source, .. } | FileError::Read { ref source, .. } => {
            Error::Io(std::io::Error::new(source.kind(), e.to_string()))
        }
        other => Error::InvalidInput(other.to_string()),
    }
}

/// Summarizes one file from its head and tail; `None` when it has no session meta or no user message.
fn summarize(path: &Path, cursor: Cursor) -> Result<Option<ConversationSummary>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut meta = None;
    let mut preview = None;
    let mut model = None;
    let mut last_ts = None;
    {
        let mut reader = BufReader::new(&mut file);
        let mut buf = Vec::new();
        for _ in 0..HEAD_MAX_LINES {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 || buf.last() != Some(&b'\n') {
                break;
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                continue;
            };
            let Parsed::Item(ts, item) = parse_line(text.trim_end()) else {
                continue;
            };
            last_ts = Some(ts);
            match item {
                RolloutItem::SessionMeta(m) if meta.is_none() => meta = Some(m),
                RolloutItem::TurnContext(tc) if model.is_none() => model = Some(tc.model),
                RolloutItem::EventMsg(EventMsg::UserMessage(e)) if preview.is_none() => {
                    preview = Some(e.message);
                }
                RolloutItem::ResponseItem(item)
                    if preview.is_none() && is_real_user_message(&item) =>
                {
                    preview = item.message_text();
                }
                _ => {}
            }
            if meta.is_some() && preview.is_some() && model.is_some() {
                break;
            }
        }
    }
    let (Some(meta), Some(preview)) = (meta, preview) else {
        return Ok(None);
    };
    let (tail_ts, tail_model) = read_tail(&mut file, len)?;
    Ok(Some(ConversationSummary {
        conversation_id: meta.id,
        path: path.to_owned(),
        created_at: meta.timestamp,
        updated_at: tail_ts.or(last_ts),
        preview,
        model: tail_model.or(model),
        model_provider: meta.model_provider,
        cwd: meta.cwd,
        source: meta.source,
        cursor,
    }))
}

/// The timestamp of the last complete line and the model of the last turn context, from the file's tail.
fn read_tail(file: &mut File, len: u64) -> Result<(Option<String>, Option<String>)> {
    let start = len.saturating_sub(TAIL_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity(usize::try_from(len - start).unwrap_or(0));
    file.take(TAIL_BYTES).read_to_end(&mut buf)?;
    let mut lines: Vec<&[u8]> = buf.split(|b| *b == b'\n').collect();
    // The last piece follows the final newline (empty) or is torn; the first may be cut by the window.
    lines.pop();
    if start > 0 && !lines.is_empty() {
        lines.remove(0);
    }
    let mut ts = None;
    for raw in lines.iter().rev() {
        let Ok(text) = std::str::from_utf8(raw) else {
            continue;
        };
        if let Parsed::Item(line_ts, item) = parse_line(text) {
            if ts.is_none() {
                ts = Some(line_ts);
            }
            if let RolloutItem::TurnContext(tc) = item {
                return Ok((ts, Some(tc.model)));
            }
        }
    }
    Ok((ts, None))
}
