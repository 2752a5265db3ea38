//! Review mode: a child task with an isolated context — its own instructions, a clean history, the review
//! model, no plan or image tools — whose only trace in the parent history is one message summarizing the
//! findings.

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::history::History;
use super::shared::{SessionShared, TurnContext, TurnEnv};
use super::turn::{Outcome, drive, finish, record_item};
use crate::events::EventSink;
use crate::protocol::{
    EventMsg, ExitedReviewModeEvent, ResponseItem, ReviewOutputEvent, ReviewRequest, SandboxPolicy,
    TaskCompleteEvent, TaskStartedEvent, WarningEvent,
};
use crate::tools::handlers::{UPDATE_PLAN_TOOL_NAME, VIEW_IMAGE_TOOL_NAME};

/// The reviewer's instructions.
pub const REVIEW_INSTRUCTIONS: &str = include_str!("prompts/review.md");

/// Runs one review to its terminal event.
pub(crate) async fn run_review(
    shared: Arc<SessionShared>,
    tc: TurnContext,
    sink: EventSink,
    request: ReviewRequest,
    cancel: CancellationToken,
) {
    sink.send(EventMsg::TaskStarted(TaskStartedEvent {
        model_context_window: tc.context_window,
    }))
    .await;
    sink.send(EventMsg::EnteredReviewMode(request.clone()))
        .await;
    let mut history = History::default();
    history.push(ResponseItem::user_text(request.prompt.clone()));
    let env = TurnEnv {
        history: Arc::new(Mutex::new(history)),
        instructions: REVIEW_INSTRUCTIONS.to_owned(),
        tools: shared
            .tools
            .without(&[UPDATE_PLAN_TOOL_NAME, VIEW_IMAGE_TOOL_NAME]),
        primary: false,
    };
    let mut review_tc = tc.clone();
    if let Some(model) = &shared.review_model {
        let info = crate::config::model_info(model);
        review_tc.model.clone_from(model);
        review_tc.reasoning = info.reasoning;
    }
    review_tc.output_schema = None;
    // A review inspects; it never changes the workspace, whatever the parent may do.
    review_tc.sandbox_policy = SandboxPolicy::ReadOnly;
    let outcome = drive(&shared, &env, &review_tc, &sink, None, &cancel).await;
    let Outcome::Completed(last) = outcome else {
        sink.send(EventMsg::ExitedReviewMode(ExitedReviewModeEvent {
            review_output: None,
        }))
        .await;
        finish(&shared, &tc, &sink, outcome).await;
        return;
    };
    let (output, problems) = parse_review_output(last.as_deref().unwrap_or_default());
    for problem in problems {
        sink.send(EventMsg::Warning(WarningEvent {
            message: format!("review output: {problem}"),
        }))
        .await;
    }
    sink.send(EventMsg::ExitedReviewMode(ExitedReviewModeEvent {
        review_output: Some(output.clone()),
    }))
    .await;
    let summary = render_review(&request, &output);
    record_item(
        &shared.primary_env(),
        &sink,
        ResponseItem::assistant_text(summary.clone()),
    )
    .await;
    sink.send(EventMsg::TaskComplete(TaskCompleteEvent {
        last_agent_message: Some(summary),
    }))
    .await;
}

/// Parses a reviewer's answer: strict JSON, else the outermost `{…}` in the text, else the whole text as the
/// overall explanation. Values out of range are clamped and reported (never passed on silently).
#[must_use]
pub fn parse_review_output(text: &str) -> (ReviewOutputEvent, Vec<String>) {
    let parsed = serde_json::from_str::<ReviewOutputEvent>(text.trim())
        .ok()
        .or_else(|| {
            let start = text.find('{')?;
            let end = text.rfind('}')?;
            (start < end)
                .then(|| serde_json::from_str::<ReviewOutputEvent>(&text[start..=end]).ok())
                .flatten()
        });
    let Some(mut output) = parsed else {
        return (
            ReviewOutputEvent {
                overall_explanation: text.trim().to_owned(),
                ..ReviewOutputEvent::default()
            },
            vec![
                "the reviewer did not answer with JSON; its text is kept as the explanation"
                    .to_owned(),
            ],
        );
    };
    let mut problems = Vec::new();
    if !(0.0..=1.0).contains(&output.overall_confidence_score)
        || output.overall_confidence_score.is_nan()
    {
        problems.push(format!(
            "overall_confidence_score {} is outside 0–1",
            output.overall_confidence_score
        ));
        output.overall_confidence_score = clamp_unit(output.overall_confidence_score);
    }
    for (i, f) in output.findings.iter_mut().enumerate() {
        if !(0.0..=1.0).contains(&f.confidence_score) || f.confidence_score.is_nan() {
            problems.push(format!(
                "finding {i}: confidence_score {} is outside 0–1",
                f.confidence_score
            ));
            f.confidence_score = clamp_unit(f.confidence_score);
        }
        if !(0..=3).contains(&f.priority) {
            problems.push(format!(
                "finding {i}: priority {} is outside 0–3",
                f.priority
            ));
            f.priority = f.priority.clamp(0, 3);
        }
        let range = &mut f.code_location.line_range;
        if range.start == 0 || range.end < range.start {
            problems.push(format!(
                "finding {i}: line range {}–{} is not a valid 1-based range",
                range.start, range.end
            ));
            range.start = range.start.max(1);
            range.end = range.end.max(range.start);
        }
        if f.title.chars().count() > 80 {
            problems.push(format!("finding {i}: title is longer than 80 characters"));
            f.title = f.title.chars().take(80).collect();
        }
    }
    (output, problems)
}

fn clamp_unit(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// The message the parent history keeps: the verdict and one line per finding.
fn render_review(request: &ReviewRequest, output: &ReviewOutputEvent) -> String {
    let mut text = format!("Review of {}", request.user_facing_hint);
    if !output.overall_correctness.is_empty() {
        text.push_str(&format!(": {}", output.overall_correctness));
    }
    text.push('.');
    if !output.overall_explanation.is_empty() {
        text.push_str(&format!("\n{}", output.overall_explanation));
    }
    for f in &output.findings {
        let loc = &f.code_location;
        text.push_str(&format!(
            "\n- [P{}] {} — {}:{}-{}",
            f.priority,
            f.title,
            loc.absolute_file_path.display(),
            loc.line_range.start,
            loc.line_range.end
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{"findings":[{"title":"Off by one","body":"`<=` overruns","confidence_score":0.9,
        "priority":1,"code_location":{"absolute_file_path":"/r/a.rs","line_range":{"start":3,"end":4}}}],
        "overall_correctness":"patch is incorrect","overall_explanation":"One bug.","overall_confidence_score":0.8}"#;

    #[test]
    fn strict_embedded_and_garbage_outputs() {
        let (strict, problems) = parse_review_output(VALID);
        assert!(problems.is_empty());
        assert_eq!(strict.findings.len(), 1);
        let (embedded, problems) =
            parse_review_output(&format!("Here you go:\n```json\n{VALID}\n```\nBye"));
        assert!(problems.is_empty());
        assert_eq!(embedded, strict);
        let (raw, problems) = parse_review_output("Looks fine to me {but no json");
        assert_eq!(raw.overall_explanation, "Looks fine to me {but no json");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn out_of_range_values_are_clamped_and_reported() {
        let bad = VALID
            .replace("\"confidence_score\":0.9", "\"confidence_score\":7")
            .replace("\"priority\":1", "\"priority\":9")
            .replace("\"start\":3,\"end\":4", "\"start\":5,\"end\":2");
        let (out, problems) = parse_review_output(&bad);
        assert_eq!(problems.len(), 3, "{problems:?}");
        let f = &out.findings[0];
        assert_eq!((f.confidence_score, f.priority), (1.0, 3));
        assert_eq!(
            (
                f.code_location.line_range.start,
                f.code_location.line_range.end
            ),
            (5, 5)
        );
    }
}
