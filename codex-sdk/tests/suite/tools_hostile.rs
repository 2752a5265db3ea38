//! Hostile files: FIFOs, sockets, devices and symlinks to them, handed to the file tools. Each call runs on
//! a current-thread runtime under a guard, so a call that blocks its thread fails the test instead of
//! hanging it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use codex_sdk::protocol::{AskForApproval, EventMsg, ReviewDecision, SandboxPolicy};
use codex_sdk::tools::ToolError;
use codex_sdk::tools::handlers::{
    ApplyPatchTool, ListDirTool, MAX_LIST_SCAN_ENTRIES, MAX_READ_OUTPUT_BYTES, MAX_READ_SCAN_BYTES,
    ReadFileTool, ViewImageTool,
};
use serde_json::json;

use super::tools_common::{Recorder, harness, text, workspace};

/// How long a call may take before the guard declares its runtime frozen (a correct call takes
/// milliseconds; this only turns a hang into a failure).
const FREEZE_GUARD: Duration = Duration::from_secs(60);

/// Runs the future made by `make` on a fresh current-thread runtime in its own thread, and fails if it
/// does not finish: a blocking read on the runtime's only thread would otherwise hang the test forever.
fn on_current_thread<T, F>(make: impl FnOnce() -> F + Send + 'static) -> T
where
    T: Send + 'static,
    F: Future<Output = T>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = tx.send(runtime.block_on(make()));
    });
    rx.recv_timeout(FREEZE_GUARD)
        .expect("the call never returned: it blocked its runtime thread")
}

/// A directory holding a FIFO, a unix socket and a symlink to `/dev/zero`.
struct Hostile {
    dir: tempfile::TempDir,
    _listener: UnixListener,
}

impl Hostile {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join("fifo"))
            .status()
            .unwrap();
        assert!(status.success());
        let listener = UnixListener::bind(dir.path().join("socket")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero_link")).unwrap();
        Self {
            dir,
            _listener: listener,
        }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Each hostile path with how the tools must name it.
    fn cases(&self) -> Vec<(PathBuf, &'static str)> {
        vec![
            (self.dir.path().join("fifo"), "is a FIFO (named pipe)"),
            (PathBuf::from("/dev/zero"), "is a character device"),
            (self.dir.path().join("socket"), "is a socket"),
            (
                self.dir.path().join("zero_link"),
                "is a symlink to a character device",
            ),
        ]
    }
}

fn patch(body: &str) -> serde_json::Value {
    json!({"input": format!("*** Begin Patch\n{body}*** End Patch\n")})
}

fn is_fifo(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_fifo())
        .unwrap_or(false)
}

#[test]
fn read_file_refuses_fifos_sockets_and_devices_by_type() {
    let hostile = Hostile::new();
    let root = hostile.root();
    let cases = hostile.cases();
    let answers = on_current_thread(move || async move {
        let h = harness(&root, AskForApproval::Never, SandboxPolicy::ReadOnly, None);
        let mut answers = Vec::new();
        for (path, _) in &cases {
            answers.push(h.call(&ReadFileTool, json!({"file_path": path})).await);
        }
        answers
    });
    for ((path, kind), answer) in hostile.cases().iter().zip(answers) {
        assert!(
            matches!(answer, Err(ToolError::RespondToModel(_))),
            "{path:?}: {answer:?}"
        );
        assert_eq!(
            text(&answer),
            format!("{} {kind}, not a regular file", path.display())
        );
    }
}

#[test]
fn view_image_refuses_fifos_sockets_and_devices_by_type() {
    let hostile = Hostile::new();
    let root = hostile.root();
    let cases = hostile.cases();
    let answers = on_current_thread(move || async move {
        let h = harness(&root, AskForApproval::Never, SandboxPolicy::ReadOnly, None);
        let mut answers = Vec::new();
        for (path, _) in &cases {
            answers.push(h.call(&ViewImageTool, json!({"path": path})).await);
        }
        answers
    });
    for ((path, kind), answer) in hostile.cases().iter().zip(answers) {
        assert!(answer.is_err(), "{path:?}: {answer:?}");
        assert!(
            text(&answer).contains(&format!("{} {kind}, not a regular file", path.display())),
            "{path:?}: {}",
            text(&answer)
        );
    }
}

#[test]
fn list_dir_lists_special_entries_and_names_a_special_dir_path() {
    let hostile = Hostile::new();
    std::fs::write(hostile.dir.path().join("plain.txt"), "x").unwrap();
    let root = hostile.root();
    let (listing, on_fifo) = on_current_thread(move || async move {
        let h = harness(&root, AskForApproval::Never, SandboxPolicy::ReadOnly, None);
        let listing = h.call(&ListDirTool, json!({"dir_path": root})).await;
        let on_fifo = h
            .call(&ListDirTool, json!({"dir_path": root.join("fifo")}))
            .await;
        (listing, on_fifo)
    });
    assert_eq!(
        listing.unwrap().content,
        format!(
            "Absolute path: {}\nfifo?\nplain.txt\nsocket?\nzero_link@",
            hostile.dir.path().display()
        )
    );
    assert_eq!(
        text(&on_fifo),
        format!(
            "{} is a FIFO (named pipe), not a directory",
            hostile.dir.path().join("fifo").display()
        )
    );
}

#[test]
fn apply_patch_refuses_to_update_delete_or_overwrite_special_files() {
    let hostile = Hostile::new();
    let root = hostile.root();
    let cases = hostile.cases();
    let (answers, events) = on_current_thread(move || async move {
        // Full access and no approvals: nothing but the file type stands in the way.
        let mut h = harness(
            &root,
            AskForApproval::Never,
            SandboxPolicy::DangerFullAccess,
            None,
        );
        let mut answers = Vec::new();
        for (path, _) in &cases {
            let path = path.display();
            for body in [
                format!("*** Update File: {path}\n@@\n-a\n+b\n"),
                format!("*** Delete File: {path}\n"),
                format!("*** Add File: {path}\n+new\n"),
                format!(
                    "*** Add File: {root}/ok.txt\n+ok\n*** Update File: {path}\n@@\n-a\n+b\n",
                    root = root.display()
                ),
            ] {
                answers.push(h.call(&ApplyPatchTool::default(), patch(&body)).await);
            }
        }
        (answers, h.drain())
    });
    let expected = hostile
        .cases()
        .into_iter()
        .flat_map(|case| std::iter::repeat_n(case, 4));
    for ((path, kind), answer) in expected.zip(answers) {
        assert!(
            matches!(answer, Err(ToolError::RespondToModel(_))),
            "{path:?}: {answer:?}"
        );
        assert_eq!(
            text(&answer),
            format!(
                "{} {kind}, not a regular file; apply_patch only edits regular files",
                path.display()
            )
        );
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, EventMsg::PatchApplyBegin(_))),
        "{events:?}"
    );
    assert!(is_fifo(&hostile.dir.path().join("fifo")));
    assert!(
        !hostile.dir.path().join("ok.txt").exists(),
        "all or nothing"
    );
}

#[test]
fn apply_patch_decides_the_policy_before_reading() {
    let hostile = Hostile::new();
    let root = hostile.root();
    let (refused, fifo_refused, asked) = on_current_thread(move || async move {
        // read-only, never ask: refused from the paths alone; `/dev/zero` and the FIFO are not opened.
        let h = harness(&root, AskForApproval::Never, SandboxPolicy::ReadOnly, None);
        let tool = ApplyPatchTool::default();
        let refused = h
            .call(&tool, patch("*** Update File: /dev/zero\n@@\n-a\n+b\n"))
            .await;
        let fifo_refused = h
            .call(&tool, patch("*** Update File: fifo\n@@\n-a\n+b\n"))
            .await;
        // read-only, asking allowed: the type check refuses before anything is shown to the user.
        let recorder = Recorder::answering(ReviewDecision::Approved);
        let h = harness(
            &root,
            AskForApproval::OnRequest,
            SandboxPolicy::ReadOnly,
            Some(Arc::clone(&recorder)),
        );
        let asked = h
            .call(&tool, patch("*** Update File: /dev/zero\n@@\n-a\n+b\n"))
            .await;
        (refused, fifo_refused, (asked, recorder.count()))
    });
    assert_eq!(
        text(&refused),
        "patch not applied: it writes outside the writable roots (/dev/zero) and the approval policy \
         forbids asking"
    );
    assert_eq!(
        text(&fifo_refused),
        format!(
            "patch not applied: it writes outside the writable roots ({}) and the approval policy \
             forbids asking",
            hostile.dir.path().join("fifo").display()
        )
    );
    let (asked, approvals) = asked;
    assert!(
        text(&asked).contains("/dev/zero is a character device"),
        "{}",
        text(&asked)
    );
    assert_eq!(approvals, 0);
}

#[test]
fn apply_patch_on_a_special_file_inside_the_workspace_never_freezes_the_runtime() {
    // The reported attack: the model makes a FIFO in its workspace and patches it.
    let hostile = Hostile::new();
    let root = hostile.root();
    let answer = on_current_thread(move || async move {
        let h = harness(&root, AskForApproval::OnRequest, workspace(), None);
        h.call(
            &ApplyPatchTool::default(),
            patch("*** Update File: fifo\n@@\n-a\n+b\n"),
        )
        .await
    });
    assert!(
        text(&answer).contains("is a FIFO (named pipe), not a regular file"),
        "{}",
        text(&answer)
    );
}

#[test]
fn read_file_bounds_long_lines_and_the_bytes_it_scans() {
    // Ten short lines, then a line that never ends: text, then a sparse run of NUL bytes past the scan cap.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.txt");
    let file = std::fs::File::create(&path).unwrap();
    let start = format!("{}{}", "a\n".repeat(10), "b".repeat(9000));
    std::io::Write::write_all(&mut &file, start.as_bytes()).unwrap();
    file.set_len(MAX_READ_SCAN_BYTES + (1 << 20)).unwrap();
    let root = dir.path().to_path_buf();
    let answer = on_current_thread(move || async move {
        let h = harness(&root, AskForApproval::Never, SandboxPolicy::ReadOnly, None);
        h.call(&ReadFileTool, json!({"file_path": path})).await
    });
    let out = answer.unwrap().content;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 12, "{:?}", &lines[..lines.len().min(13)]);
    assert_eq!(lines[9], "L10: a");
    assert_eq!(lines[10], format!("L11: {}", "b".repeat(500)));
    assert_eq!(
        lines[11],
        format!(
            "[read_file stopped after scanning {MAX_READ_SCAN_BYTES} bytes of the file; use a command \
             for the rest]"
        )
    );
}

#[tokio::test]
async fn read_file_output_is_capped_and_names_the_next_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.txt");
    let line = "x".repeat(99);
    let text_in: String = (0..60_000).map(|_| format!("{line}\n")).collect();
    std::fs::write(&path, text_in).unwrap();
    let h = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::ReadOnly,
        None,
    );
    let out = h
        .call(
            &ReadFileTool,
            json!({"file_path": path, "limit": 1_000_000}),
        )
        .await
        .unwrap()
        .content;
    assert!(out.len() < MAX_READ_OUTPUT_BYTES + 200, "{}", out.len());
    let note = out.lines().last().unwrap();
    let next: usize = note
        .strip_prefix(&format!(
            "[read_file returns at most {MAX_READ_OUTPUT_BYTES} bytes per call; continue with offset "
        ))
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or_else(|| panic!("{note}"))
        .parse()
        .unwrap();
    let previous = out.lines().rev().nth(1).unwrap();
    assert_eq!(previous, format!("L{}: {line}", next - 1));
    let rest = h
        .call(
            &ReadFileTool,
            json!({"file_path": path, "offset": next, "limit": 1}),
        )
        .await
        .unwrap();
    assert_eq!(rest.content, format!("L{next}: {line}"));
}

#[tokio::test]
async fn list_dir_reads_a_bounded_number_of_entries() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..=MAX_LIST_SCAN_ENTRIES {
        std::fs::File::create(dir.path().join(format!("f{i:06}"))).unwrap();
    }
    let h = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::ReadOnly,
        None,
    );
    let out = h
        .call(
            &ListDirTool,
            json!({"dir_path": dir.path(), "limit": 10_000_000}),
        )
        .await
        .unwrap()
        .content;
    let lines: Vec<&str> = out.lines().collect();
    // The header, the entries read, and the note.
    assert_eq!(lines.len(), MAX_LIST_SCAN_ENTRIES + 2);
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "[stopped after reading {MAX_LIST_SCAN_ENTRIES} directory entries; the listing is \
                 incomplete and the last directory read may be only partly listed]"
            )
            .as_str()
        )
    );
}
