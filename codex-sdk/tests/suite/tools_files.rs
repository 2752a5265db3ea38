//! read_file and list_dir.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use codex_sdk::protocol::{AskForApproval, SandboxPolicy};
use codex_sdk::tools::ToolError;
use codex_sdk::tools::handlers::{ListDirTool, ReadFileTool};
use serde_json::json;

use super::tools_common::{harness, text};

fn h(dir: &std::path::Path) -> super::tools_common::Harness {
    harness(dir, AskForApproval::Never, SandboxPolicy::ReadOnly, None)
}

#[tokio::test]
async fn read_file_numbers_lines_with_offset_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    std::fs::write(&path, "one\ntwo\r\nthree\nfour\n").unwrap();
    let h = h(dir.path());
    let out = h
        .call(
            &ReadFileTool,
            json!({"file_path": path, "offset": 2, "limit": 2}),
        )
        .await
        .unwrap();
    assert_eq!(out.content, "L2: two\nL3: three");
    let all = h
        .call(&ReadFileTool, json!({"file_path": path}))
        .await
        .unwrap();
    assert_eq!(all.content, "L1: one\nL2: two\nL3: three\nL4: four");
}

#[tokio::test]
async fn read_file_cuts_long_lines_at_char_boundary_and_decodes_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    let mut bytes = "é".repeat(600).into_bytes();
    bytes.extend_from_slice(b"\nbad \xff byte\n");
    std::fs::write(&path, bytes).unwrap();
    let out = h(dir.path())
        .call(&ReadFileTool, json!({"file_path": path}))
        .await
        .unwrap();
    let first = out.content.lines().next().unwrap();
    assert_eq!(first, format!("L1: {}", "é".repeat(500)));
    assert!(out.content.contains("L2: bad \u{fffd} byte"));
}

#[tokio::test]
async fn read_file_bad_inputs_answer_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::write(&bin, b"\x7fELF\0\0\x01").unwrap();
    let small = dir.path().join("small");
    std::fs::write(&small, "x\n").unwrap();
    let h = h(dir.path());
    let cases = [
        (json!({"file_path": "relative.txt"}), "absolute"),
        (
            json!({"file_path": dir.path().join("missing")}),
            "cannot open",
        ),
        (json!({"file_path": bin}), "binary"),
        (json!({"file_path": dir.path()}), "directory"),
        (json!({"file_path": small, "offset": 5}), "exceeds"),
        (json!({"file_path": small, "offset": 0}), "offset"),
        (json!({"file_path": 42}), "failed to parse"),
        (json!({}), "failed to parse"),
    ];
    for (args, needle) in cases {
        let result = h.call(&ReadFileTool, args.clone()).await;
        assert!(
            matches!(result, Err(ToolError::RespondToModel(_))),
            "{args}: {result:?}"
        );
        assert!(text(&result).contains(needle), "{args}: {}", text(&result));
    }
    let result = h.call_raw(&ReadFileTool, "{not json").await;
    assert!(matches!(result, Err(ToolError::RespondToModel(_))));
}

#[tokio::test]
async fn list_dir_is_sorted_typed_and_depth_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("b/deeper/deepest")).unwrap();
    std::fs::write(root.join("b/inner.txt"), "").unwrap();
    std::fs::write(root.join("b/deeper/x.txt"), "").unwrap();
    std::fs::write(root.join("a.txt"), "").unwrap();
    std::os::unix::fs::symlink(root.join("a.txt"), root.join("c_link")).unwrap();
    let h = h(root);
    let out = h
        .call(&ListDirTool, json!({"dir_path": root, "depth": 2}))
        .await
        .unwrap();
    let expected = format!(
        "Absolute path: {}\na.txt\nb/\n  deeper/\n  inner.txt\nc_link@",
        root.display()
    );
    assert_eq!(out.content, expected);

    let page = h
        .call(
            &ListDirTool,
            json!({"dir_path": root, "depth": 3, "offset": 2, "limit": 2}),
        )
        .await
        .unwrap();
    assert_eq!(
        page.content,
        format!(
            "Absolute path: {}\nb/\n  deeper/\nMore than 2 entries found",
            root.display()
        )
    );
}

#[tokio::test]
async fn list_dir_bad_inputs_answer_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let h = h(dir.path());
    for args in [
        json!({"dir_path": "relative"}),
        json!({"dir_path": dir.path().join("nope")}),
        json!({"dir_path": dir.path(), "depth": 0}),
        json!({"dir_path": ["x"]}),
    ] {
        let result = h.call(&ListDirTool, args.clone()).await;
        assert!(
            matches!(result, Err(ToolError::RespondToModel(_))),
            "{args}"
        );
    }
}
