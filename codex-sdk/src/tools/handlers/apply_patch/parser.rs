//! Parser for the patch format:
//!
//! ```text
//! *** Begin Patch
//! *** Add File: path        then `+line` for every line of the new file
//! *** Delete File: path
//! *** Update File: path
//! *** Move to: new/path     (optional)
//! @@ optional context line  then ` context`, `-removed`, `+added` lines; `*** End of File` anchors at the end
//! *** End Patch
//! ```

/// A parsed patch: file operations in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Patch {
    pub(crate) ops: Vec<FileOp>,
}

/// One file operation. `line` is the 1-based line of its header in the patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileOp {
    Add {
        path: String,
        content: String,
        line: usize,
    },
    Delete {
        path: String,
        line: usize,
    },
    Update {
        path: String,
        move_to: Option<String>,
        chunks: Vec<Chunk>,
        line: usize,
    },
}

/// One `@@` hunk of an update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Chunk {
    /// The text after `@@ `: a line to find before the hunk's old lines.
    pub(crate) context: Option<String>,
    /// Lines that must be present (context and removed lines).
    pub(crate) old: Vec<String>,
    /// What replaces them (context and added lines).
    pub(crate) new: Vec<String>,
    /// The old lines must be at the end of the file.
    pub(crate) end_of_file: bool,
    /// 1-based line of the hunk in the patch.
    pub(crate) line: usize,
}

/// A syntax error, with the 1-based patch line it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid patch, line {line}: {message}")]
pub(crate) struct ParseError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";
const ADD: &str = "*** Add File: ";
const DELETE: &str = "*** Delete File: ";
const UPDATE: &str = "*** Update File: ";
const MOVE: &str = "*** Move to: ";
const EOF_MARK: &str = "*** End of File";

/// Parses patch text. Leading/trailing blank lines and a shell heredoc wrapper (`<<'EOF'` … `EOF`) are
/// tolerated, and so is whitespace around marker and header lines (`*** Begin Patch`, `*** Add File: …`,
/// `*** Update File: …`, `*** Move to: …`, `@@`, `*** End of File`, `*** End Patch`), as Codex's parser
/// allows. One exception keeps hunks unambiguous: a line of one space then `@@` is a context line whose
/// text starts with `@@`.
pub(crate) fn parse(text: &str) -> Result<Patch, ParseError> {
    let mut lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    while lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let first = lines
        .iter()
        .position(|(_, l)| !l.trim().is_empty())
        .unwrap_or(0);
    lines.drain(..first);
    if lines
        .first()
        .is_some_and(|(_, l)| l.trim_start().starts_with("<<"))
        && lines
            .last()
            .is_some_and(|(_, l)| !l.trim().starts_with("***"))
    {
        lines.remove(0);
        lines.pop();
    }
    let err = |line: usize, message: String| ParseError { line, message };
    match lines.first() {
        Some((_, l)) if l.trim() == BEGIN => {}
        Some((n, _)) => return Err(err(*n, format!("the first line must be `{BEGIN}`"))),
        None => return Err(err(1, "the patch is empty".into())),
    }
    match lines.last() {
        Some((_, l)) if l.trim() == END && lines.len() >= 2 => {}
        Some((n, _)) => return Err(err(*n, format!("the last line must be `{END}`"))),
        None => return Err(err(1, "the patch is empty".into())),
    }
    let body = &lines[1..lines.len() - 1];
    let mut ops = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let (n, line) = (body[i].0, body[i].1.trim());
        if let Some(path) = line.strip_prefix(ADD) {
            let path = non_empty_path(path, n)?;
            let mut content = String::new();
            i += 1;
            while i < body.len() && !is_header(body[i].1) {
                let (ln, l) = body[i];
                let Some(rest) = l.strip_prefix('+') else {
                    return Err(err(
                        ln,
                        format!("lines of an added file must start with `+`, got {l:?}"),
                    ));
                };
                content.push_str(rest);
                content.push('\n');
                i += 1;
            }
            ops.push(FileOp::Add {
                path,
                content,
                line: n,
            });
        } else if let Some(path) = line.strip_prefix(DELETE) {
            ops.push(FileOp::Delete {
                path: non_empty_path(path, n)?,
                line: n,
            });
            i += 1;
        } else if let Some(path) = line.strip_prefix(UPDATE) {
            let path = non_empty_path(path, n)?;
            i += 1;
            let mut move_to = None;
            if let Some(dest) = body.get(i).and_then(|(_, l)| l.trim().strip_prefix(MOVE)) {
                move_to = Some(non_empty_path(dest, body[i].0)?);
                i += 1;
            }
            let (chunks, next) = parse_chunks(body, i)?;
            if chunks.is_empty() && move_to.is_none() {
                return Err(err(n, format!("the update of {path} has no hunks")));
            }
            i = next;
            ops.push(FileOp::Update {
                path,
                move_to,
                chunks,
                line: n,
            });
        } else {
            return Err(err(
                n,
                format!(
                    "expected `{ADD}<path>`, `{DELETE}<path>` or `{UPDATE}<path>`, got {line:?}"
                ),
            ));
        }
    }
    if ops.is_empty() {
        return Err(err(1, "the patch changes no file".into()));
    }
    Ok(Patch { ops })
}

fn is_header(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with(ADD) || line.starts_with(DELETE) || line.starts_with(UPDATE)
}

/// The text after `@@` when `line` is a hunk marker (`Some("")` for a bare one). Whitespace around the
/// marker is allowed, except a single leading space (that is a context line).
fn hunk_marker(line: &str) -> Option<&str> {
    if line.starts_with(' ') && !line.starts_with("  ") {
        return None;
    }
    let line = line.trim();
    if line == "@@" {
        return Some("");
    }
    line.strip_prefix("@@ ").map(str::trim)
}

fn non_empty_path(path: &str, line: usize) -> Result<String, ParseError> {
    let path = path.trim();
    if path.is_empty() {
        Err(ParseError {
            line,
            message: "missing file path".into(),
        })
    } else {
        Ok(path.to_owned())
    }
}

/// Parses the hunks of one update starting at `body[i]`; returns them and the index after them.
fn parse_chunks(body: &[(usize, &str)], mut i: usize) -> Result<(Vec<Chunk>, usize), ParseError> {
    let mut chunks: Vec<Chunk> = Vec::new();
    while i < body.len() && !is_header(body[i].1) {
        let (n, line) = body[i];
        if let Some(context) = hunk_marker(line) {
            chunks.push(Chunk {
                context: (!context.is_empty()).then(|| context.to_owned()),
                line: n,
                ..Chunk::default()
            });
        } else if line.trim() == EOF_MARK {
            match chunks.last_mut() {
                Some(c) => c.end_of_file = true,
                None => {
                    return Err(ParseError {
                        line: n,
                        message: format!("`{EOF_MARK}` before any hunk"),
                    });
                }
            }
        } else {
            if chunks.is_empty() || chunks.last().is_some_and(|c| c.end_of_file) {
                // The first hunk may omit its `@@` line.
                chunks.push(Chunk {
                    line: n,
                    ..Chunk::default()
                });
            }
            let last = chunks.len() - 1;
            let chunk = &mut chunks[last];
            match line.chars().next() {
                Some('+') => chunk.new.push(line[1..].to_owned()),
                Some('-') => chunk.old.push(line[1..].to_owned()),
                Some(' ') => {
                    chunk.old.push(line[1..].to_owned());
                    chunk.new.push(line[1..].to_owned());
                }
                // A bare empty line is an empty context line (models often drop the space).
                None => {
                    chunk.old.push(String::new());
                    chunk.new.push(String::new());
                }
                Some(_) => {
                    return Err(ParseError {
                        line: n,
                        message: format!(
                            "hunk lines must start with ' ', '+' or '-', got {line:?}"
                        ),
                    });
                }
            }
        }
        i += 1;
    }
    if let Some(c) = chunks.iter().find(|c| c.old.is_empty() && c.new.is_empty()) {
        return Err(ParseError {
            line: c.line,
            message: "empty hunk".into(),
        });
    }
    Ok((chunks, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_operations() {
        let patch = parse(
            "*** Begin Patch\n*** Add File: new.txt\n+hello\n+world\n*** Delete File: old.txt\n\
             *** Update File: src.rs\n*** Move to: dst.rs\n@@ fn main\n ctx\n-old\n+new\n\n\
             *** End of File\n*** End Patch\n",
        )
        .unwrap();
        assert_eq!(patch.ops.len(), 3);
        assert_eq!(
            patch.ops[0],
            FileOp::Add {
                path: "new.txt".into(),
                content: "hello\nworld\n".into(),
                line: 2
            }
        );
        match &patch.ops[2] {
            FileOp::Update {
                move_to, chunks, ..
            } => {
                assert_eq!(move_to.as_deref(), Some("dst.rs"));
                assert_eq!(chunks[0].context.as_deref(), Some("fn main"));
                assert_eq!(chunks[0].old, ["ctx", "old", ""]);
                assert_eq!(chunks[0].new, ["ctx", "new", ""]);
                assert!(chunks[0].end_of_file);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn first_hunk_may_omit_header_and_heredoc_is_tolerated() {
        let patch =
            parse("<<'EOF'\n*** Begin Patch\n*** Update File: a\n-x\n+y\n*** End Patch\nEOF\n")
                .unwrap();
        assert_eq!(patch.ops.len(), 1);
    }

    #[test]
    fn whitespace_around_markers_and_headers_is_tolerated() {
        let patch = parse(
            "  *** Begin Patch  \n  *** Update File: a.txt \n\t*** Move to: b.txt\n  @@ fn main  \n ctx\n-old\n+new\n\
             @@   \n-x\n+y\n  *** End of File \n\t*** Add File: c.txt\n+c\n *** Delete File: d.txt\n\
             *** End Patch   \n",
        )
        .unwrap();
        match &patch.ops[0] {
            FileOp::Update {
                path,
                move_to,
                chunks,
                ..
            } => {
                assert_eq!(
                    (path.as_str(), move_to.as_deref()),
                    ("a.txt", Some("b.txt"))
                );
                assert_eq!(chunks.len(), 2);
                assert_eq!(chunks[0].context.as_deref(), Some("fn main"));
                assert_eq!(chunks[0].old, ["ctx", "old"]);
                assert_eq!(chunks[1].context, None);
                assert!(chunks[1].end_of_file);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(patch.ops.len(), 3);
        // One space then `@@` is a context line, not a marker.
        let patch =
            parse("*** Begin Patch\n*** Update File: a.diff\n @@ -1 +1 @@\n-x\n+y\n*** End Patch")
                .unwrap();
        match &patch.ops[0] {
            FileOp::Update { chunks, .. } => assert_eq!(chunks[0].old, ["@@ -1 +1 @@", "x"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("*** Begin Patch\n*** Frobnicate: a\n*** End Patch").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("*** Begin Patch\n*** Add File: a\nno plus\n*** End Patch").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse("*** Begin Patch\n*** Update File: a\n@@\n?x\n*** End Patch").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(parse("*** Begin Patch\n*** Add File: a\n+x\n").is_err());
        assert!(parse("").is_err());
        assert!(parse("*** Begin Patch\n*** End Patch").is_err());
        assert!(parse("*** Begin Patch\n*** Update File: a\n*** End Patch").is_err());
    }
}
