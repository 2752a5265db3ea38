//! apply_patch: parsing, matching, all-or-nothing writes, approvals, events and the turn diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use async_trait::async_trait;
use codex_sdk::conversation::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::protocol::{AskForApproval, EventMsg, FileChange, ReviewDecision, SandboxPolicy};
use codex_sdk::tools::handlers::{ApplyPatchFlavor, ApplyPatchTool};
use codex_sdk::tools::{ToolCall, ToolError, ToolHandler, ToolPayload};
use serde_json::json;

use super::tools_common::{Recorder, harness, text, workspace};

fn patch(body: &str) -> serde_json::Value {
    json!({"input": format!("*** Begin Patch\n{body}*** End Patch\n")})
}

#[tokio::test]
async fn adds_updates_moves_and_deletes_with_events_and_turn_diff() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("edit.txt"), "one\ntwo\nthree\n").unwrap();
    std::fs::write(root.join("gone.txt"), "bye\n").unwrap();
    std::fs::write(root.join("old_name.txt"), "keep\nchange me\n").unwrap();
    let mut h = harness(root, AskForApproval::OnRequest, workspace(), None);
    let out = h
        .call(
            &ApplyPatchTool::default(),
            patch(
                "*** Add File: sub/new.txt\n+hello\n*** Update File: edit.txt\n@@\n one\n-two\n+TWO\n\
                 *** Delete File: gone.txt\n*** Update File: old_name.txt\n*** Move to: new_name.txt\n\
                 @@\n keep\n-change me\n+changed\n",
            ),
        )
        .await
        .unwrap();
    assert!(out.success, "{}", out.content);
    assert!(out.content.contains("A sub/new.txt") && out.content.contains("D gone.txt"));
    assert_eq!(
        std::fs::read_to_string(root.join("sub/new.txt")).unwrap(),
        "hello\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("edit.txt")).unwrap(),
        "one\nTWO\nthree\n"
    );
    assert!(!root.join("gone.txt").exists());
    assert!(!root.join("old_name.txt").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("new_name.txt")).unwrap(),
        "keep\nchanged\n"
    );

    let events = h.drain();
    let begin = events
        .iter()
        .find_map(|e| match e {
            EventMsg::PatchApplyBegin(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert!(begin.auto_approved);
    assert!(matches!(
        begin.changes.get(&root.join("sub/new.txt")),
        Some(FileChange::Add { .. })
    ));
    assert!(matches!(
        begin.changes.get(&root.join("old_name.txt")),
        Some(FileChange::Update { move_path: Some(p), .. }) if p == &root.join("new_name.txt")
    ));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventMsg::PatchApplyEnd(end) if end.success))
    );
    let diff = events
        .iter()
        .find_map(|e| match e {
            EventMsg::TurnDiff(d) => Some(d.unified_diff.clone()),
            _ => None,
        })
        .unwrap();
    assert!(diff.contains("--- a/edit.txt\n+++ b/edit.txt"), "{diff}");
    assert!(diff.contains("-two\n+TWO"));
    assert!(diff.contains("+++ /dev/null") || diff.contains("deleted file"));

    // A second patch in the same turn: the diff is still against the turn's baseline.
    h.call(
        &ApplyPatchTool::default(),
        patch("*** Update File: edit.txt\n-three\n+THREE\n"),
    )
    .await
    .unwrap();
    let diff = h
        .drain()
        .into_iter()
        .find_map(|e| match e {
            EventMsg::TurnDiff(d) => Some(d.unified_diff),
            _ => None,
        })
        .unwrap();
    assert!(diff.contains("-two\n-three\n+TWO\n+THREE"), "{diff}");
}

#[tokio::test]
async fn a_failing_hunk_writes_nothing_and_names_the_hunk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.txt"), "alpha\n").unwrap();
    let h = harness(root, AskForApproval::OnRequest, workspace(), None);
    let r = h
        .call(
            &ApplyPatchTool::default(),
            patch("*** Add File: created.txt\n+x\n*** Update File: a.txt\n@@\n-not there\n+y\n"),
        )
        .await;
    assert!(matches!(r, Err(ToolError::RespondToModel(_))));
    let msg = text(&r);
    assert!(msg.contains("hunk 1") && msg.contains("not there"), "{msg}");
    assert!(!root.join("created.txt").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "alpha\n"
    );
}

#[tokio::test]
async fn bad_patches_answer_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), AskForApproval::OnRequest, workspace(), None);
    let cases = [
        (json!({"input": "hello"}), "line 1"),
        (patch("*** Bogus: x\n"), "line 2"),
        (
            patch("*** Update File: missing.txt\n-a\n+b\n"),
            "no such file",
        ),
        (patch("*** Delete File: missing.txt\n"), "no such file"),
        (json!({"patch": "x"}), "failed to parse"),
    ];
    for (args, needle) in cases {
        let r = h.call(&ApplyPatchTool::default(), args.clone()).await;
        assert!(matches!(r, Err(ToolError::RespondToModel(_))), "{args}");
        assert!(text(&r).contains(needle), "{args}: {}", text(&r));
    }
}

#[tokio::test]
async fn paths_outside_writable_roots_need_approval() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("x.txt");
    let body = format!("*** Add File: {}\n+x\n", target.display());

    let never = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let r = never.call(&ApplyPatchTool::default(), patch(&body)).await;
    assert!(
        text(&r).contains("outside the writable roots"),
        "{}",
        text(&r)
    );
    assert!(!target.exists());

    let rec = Recorder::answering(ReviewDecision::Denied);
    let mut denied = harness(
        dir.path(),
        AskForApproval::OnRequest,
        workspace(),
        Some(rec.clone()),
    );
    let r = denied
        .call(&ApplyPatchTool::default(), patch(&body))
        .await
        .unwrap();
    assert!(r.content.contains("rejected"));
    assert!(!target.exists());
    assert!(denied.drain().iter().any(
        |e| matches!(e, EventMsg::ApplyPatchApprovalRequest(r) if r.changes.contains_key(&target))
    ));

    // `..` escapes are seen through.
    let sneaky = format!(
        "*** Add File: ../{}/y.txt\n+x\n",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let r = never.call(&ApplyPatchTool::default(), patch(&sneaky)).await;
    assert!(
        text(&r).contains("outside the writable roots"),
        "{}",
        text(&r)
    );

    let rec = Recorder::answering(ReviewDecision::Approved);
    let approved = harness(
        dir.path(),
        AskForApproval::OnRequest,
        workspace(),
        Some(rec),
    );
    let r = approved
        .call(&ApplyPatchTool::default(), patch(&body))
        .await
        .unwrap();
    assert!(r.success);
    assert!(target.exists());

    let rec = Recorder::answering(ReviewDecision::Abort);
    let abort = harness(
        dir.path(),
        AskForApproval::UnlessTrusted,
        SandboxPolicy::DangerFullAccess,
        Some(rec),
    );
    let r = abort
        .call(&ApplyPatchTool::default(), patch("*** Add File: z\n+z\n"))
        .await;
    assert!(matches!(
        r,
        Err(ToolError::Fatal(codex_sdk::Error::Interrupted))
    ));
}

#[tokio::test]
async fn read_only_asks_even_inside_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::answering(ReviewDecision::Denied);
    let h = harness(
        dir.path(),
        AskForApproval::OnRequest,
        SandboxPolicy::ReadOnly,
        Some(rec.clone()),
    );
    let r = h
        .call(&ApplyPatchTool::default(), patch("*** Add File: a\n+a\n"))
        .await
        .unwrap();
    assert!(!r.success);
    assert_eq!(rec.count(), 1);
    assert!(!dir.path().join("a").exists());
}

/// Changes the file while the approval is pending, then approves.
struct Meddler(std::path::PathBuf);

#[async_trait]
impl ApprovalHandler for Meddler {
    async fn decide(&self, _request: ApprovalRequest) -> ReviewDecision {
        std::fs::write(&self.0, "changed behind our back\n").unwrap();
        ReviewDecision::Approved
    }
}

#[tokio::test]
async fn a_file_changed_during_approval_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "v1\n").unwrap();
    let (ctx, _rx) = codex_sdk::tools::ToolContext::detached(
        dir.path(),
        AskForApproval::UnlessTrusted,
        workspace(),
        Some(Arc::new(Meddler(file.clone()))),
        std::time::Duration::from_secs(5),
    );
    let call = ToolCall {
        call_id: "c".into(),
        name: "apply_patch".into(),
        payload: ToolPayload::Custom {
            input: "*** Begin Patch\n*** Update File: a.txt\n-v1\n+v2\n*** End Patch".into(),
        },
    };
    let out = ApplyPatchTool::new(ApplyPatchFlavor::Freeform)
        .handle(call, ctx)
        .await
        .unwrap();
    assert!(!out.success);
    assert!(out.content.contains("changed on disk"), "{}", out.content);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "changed behind our back\n"
    );
}

#[test]
fn freeform_flavor_declares_a_custom_tool() {
    let spec = ApplyPatchTool::new(ApplyPatchFlavor::Freeform).spec();
    let json = serde_json::to_value(&spec).unwrap();
    assert_eq!(json["type"], "custom");
    assert_eq!(json["format"]["syntax"], "lark");
}
