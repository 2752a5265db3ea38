//! Review mode: isolated child context, parsed output, interrupt, and a parent history that only gains a
//! summary.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::Codex;
use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::*;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::support::{events_until, turn_events};

const VALID: &str = r#"{"findings":[{"title":"Unchecked index","body":"`v[i]` can panic","confidence_score":0.7,
  "priority":1,"code_location":{"absolute_file_path":"/repo/src/lib.rs","line_range":{"start":10,"end":12}}}],
  "overall_correctness":"patch is incorrect","overall_explanation":"One panic path.","overall_confidence_score":0.6}"#;

fn request() -> ReviewRequest {
    ReviewRequest {
        prompt: "Review the diff in /repo".into(),
        user_facing_hint: "current changes".into(),
    }
}

async fn review(
    responses: Vec<ScriptedResponse>,
) -> (Vec<EventMsg>, Arc<ScriptedModel>, codex_sdk::Conversation) {
    let model = Arc::new(ScriptedModel::new(responses));
    let codex = super::support::keep(
        Codex::builder()
            .model_client(model.clone())
            .cwd("/tmp")
            .configure(|c| c.review_model = Some("o3".into()))
            .build()
            .unwrap(),
    );
    let mut conv = codex.start_conversation().await.unwrap();
    conv.submit(Op::Review {
        review_request: request(),
    })
    .await
    .unwrap();
    let msgs = turn_events(&mut conv).await;
    (msgs, model, conv)
}

fn exited(msgs: &[EventMsg]) -> Option<ReviewOutputEvent> {
    msgs.iter()
        .find_map(|m| match m {
            EventMsg::ExitedReviewMode(e) => Some(e.review_output.clone()),
            _ => None,
        })
        .unwrap()
}

#[tokio::test]
async fn a_review_runs_isolated_and_reports_its_findings() {
    let (msgs, model, mut conv) = review(vec![
        ScriptedResponse::tool_call("read_file", json!({"file_path": "/definitely/missing.rs"})),
        ScriptedResponse::text(VALID),
        ScriptedResponse::text("parent continues"),
    ])
    .await;
    assert!(msgs.contains(&EventMsg::EnteredReviewMode(request())));
    let output = exited(&msgs).unwrap();
    assert_eq!(output.findings[0].title, "Unchecked index");
    assert_eq!(output.overall_correctness, "patch is incorrect");
    let prompts = model.prompts();
    let child = &prompts[0];
    assert_eq!(child.model, "o3");
    assert_eq!(
        child.instructions,
        codex_sdk::conversation::review::REVIEW_INSTRUCTIONS
    );
    assert_eq!(
        child.input,
        vec![ResponseItem::user_text("Review the diff in /repo")]
    );
    let tool_names: Vec<&str> = child.tools.iter().map(|t| t.name()).collect();
    assert!(tool_names.contains(&"read_file"));
    assert!(!tool_names.contains(&"update_plan") && !tool_names.contains(&"view_image"));
    // The parent continues, seeing one summary message and nothing of the review's internals.
    let result = conv.run("thanks").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("parent continues"));
    let parent = model.prompts().pop().unwrap();
    assert_eq!(parent.model, "gpt-5-codex");
    assert_eq!(
        parent.input.len(),
        3,
        "env context, review summary, new message: {:#?}",
        parent.input
    );
    let summary = parent.input[1].message_text().unwrap();
    assert!(
        summary.starts_with("Review of current changes: patch is incorrect."),
        "{summary}"
    );
    assert!(
        summary.contains("[P1] Unchecked index — /repo/src/lib.rs:10-12"),
        "{summary}"
    );
}

#[tokio::test]
async fn embedded_json_and_plain_text_outputs_are_never_lost() {
    let (msgs, _, _) = review(vec![ScriptedResponse::text(format!(
        "Here it is:\n```json\n{VALID}\n```"
    ))])
    .await;
    assert_eq!(exited(&msgs).unwrap().findings.len(), 1);
    let (msgs, _, _) = review(vec![ScriptedResponse::text(
        "I could not produce JSON, but the patch looks fine.",
    )])
    .await;
    let out = exited(&msgs).unwrap();
    assert_eq!(
        out.overall_explanation,
        "I could not produce JSON, but the patch looks fine."
    );
    assert!(out.findings.is_empty());
    assert!(msgs.iter().any(|m| matches!(m, EventMsg::Warning(_))));
    assert!(matches!(msgs.last(), Some(EventMsg::TaskComplete(_))));
}

#[tokio::test]
async fn an_interrupted_review_exits_without_output() {
    let model = Arc::new(
        ScriptedModel::new([ScriptedResponse::text(
            "a slow review that takes its time to stream",
        )])
        .with_event_delay(Duration::from_millis(20)),
    );
    let codex = Codex::builder().model_client(model).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.submit(Op::Review {
        review_request: request(),
    })
    .await
    .unwrap();
    events_until(&mut conv, |m| matches!(m, EventMsg::EnteredReviewMode(_))).await;
    conv.interrupt().await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let n = msgs.len();
    assert_eq!(
        msgs[n - 2],
        EventMsg::ExitedReviewMode(ExitedReviewModeEvent {
            review_output: None
        })
    );
    assert_eq!(
        msgs[n - 1],
        EventMsg::TurnAborted(TurnAbortedEvent {
            reason: TurnAbortReason::Interrupted
        })
    );
}

#[tokio::test]
async fn a_review_cannot_write_even_when_the_parent_may() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("written-by-review");
    let model = Arc::new(ScriptedModel::new([
        ScriptedResponse::tool_call("shell", json!({"command": ["touch", target]})),
        ScriptedResponse::text(VALID),
    ]));
    let codex = Codex::builder()
        .model_client(model.clone())
        .cwd(dir.path())
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .approval_policy(AskForApproval::Never)
        .ephemeral()
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.submit(Op::Review {
        review_request: request(),
    })
    .await
    .unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(
        matches!(msgs.last(), Some(EventMsg::TaskComplete(_))),
        "{msgs:#?}"
    );
    assert!(!target.exists(), "the review wrote a file");
    let output = model.prompts()[1]
        .input
        .iter()
        .find_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.content.clone()),
            _ => None,
        })
        .unwrap();
    assert!(!output.starts_with("Exit code: 0"), "{output}");
}
