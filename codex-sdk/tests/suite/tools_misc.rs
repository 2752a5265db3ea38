//! update_plan, view_image and built-in registration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use codex_sdk::model::WireApi;
use codex_sdk::protocol::{AskForApproval, EventMsg, SandboxPolicy, StepStatus};
use codex_sdk::tools::handlers::{UpdatePlanTool, ViewImageTool};
use codex_sdk::tools::{BuiltinToolsConfig, ToolError, ToolRegistry, register_builtin_tools};
use serde_json::json;

use super::tools_common::{harness, text};

#[tokio::test]
async fn update_plan_emits_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::ReadOnly,
        None,
    );
    let out = h
        .call(
            &UpdatePlanTool,
            json!({"explanation": "start", "plan": [
                {"step": "read", "status": "completed"},
                {"step": "edit", "status": "in_progress"},
                {"step": "test", "status": "pending"}]}),
        )
        .await
        .unwrap();
    assert_eq!(out.content, "Plan updated");
    let plan = h
        .drain()
        .into_iter()
        .find_map(|e| match e {
            EventMsg::PlanUpdate(p) => Some(p),
            _ => None,
        })
        .unwrap();
    assert_eq!(plan.explanation.as_deref(), Some("start"));
    assert_eq!(plan.plan[1].status, StepStatus::InProgress);

    for args in [
        json!({"plan": [{"step": "a", "status": "in_progress"}, {"step": "b", "status": "in_progress"}]}),
        json!({"plan": [{"step": "a", "status": "done"}]}),
        json!({"plan": "nope"}),
    ] {
        let r = h.call(&UpdatePlanTool, args.clone()).await;
        assert!(matches!(r, Err(ToolError::RespondToModel(_))), "{args}");
    }
    assert!(h.drain().is_empty(), "no event for rejected plans");
}

#[tokio::test]
async fn view_image_attaches_images_and_refuses_others() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("pixel.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let h = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::ReadOnly,
        None,
    );
    let out = h
        .call(&ViewImageTool, json!({"path": "pixel.png"}))
        .await
        .unwrap();
    assert!(out.content.starts_with("attached image"), "{}", out.content);
    for (args, needle) in [
        (json!({"path": "notes.txt"}), "not a PNG"),
        (json!({"path": "missing.png"}), "cannot open"),
        (json!({"path": "."}), "is a directory, not a regular file"),
        (json!({}), "failed to parse"),
    ] {
        let r = h.call(&ViewImageTool, args.clone()).await;
        assert!(text(&r).contains(needle), "{args}: {}", text(&r));
    }
}

#[test]
fn builtin_registration_respects_the_wire_api() {
    let responses = ToolRegistry::new();
    register_builtin_tools(
        &responses,
        &BuiltinToolsConfig::default().with_unified_exec(true),
    )
    .unwrap();
    assert_eq!(
        responses.names(),
        [
            "shell",
            "read_file",
            "list_dir",
            "apply_patch",
            "update_plan",
            "view_image",
            "unified_exec"
        ]
    );
    let chat = ToolRegistry::new();
    register_builtin_tools(
        &chat,
        &BuiltinToolsConfig::for_wire_api(WireApi::Chat).with_unified_exec(true),
    )
    .unwrap();
    assert!(!chat.names().iter().any(|n| n == "unified_exec"));
    assert!(
        chat.specs()
            .iter()
            .all(|s| matches!(s, codex_sdk::tools::ToolSpec::Function { .. }))
    );
}
