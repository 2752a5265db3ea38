//! Cancel-safety: a turn whose reader goes away (a dropped `stream`, a cancelled `run`) is interrupted, and
//! the next turn's reader sees only its own events.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::EventMsg;
use pretty_assertions::assert_eq;

const FIRST_ANSWER: &str = "one two three four five six seven eight nine ten";

/// Whether the model ever saw the first answer complete (it must not: the turn was cut off mid-stream).
fn first_answer_completed(model: &ScriptedModel) -> bool {
    model.prompts().iter().any(|p| {
        p.input
            .iter()
            .any(|item| item.message_text().as_deref() == Some(FIRST_ANSWER))
    })
}

fn slow_model() -> Arc<ScriptedModel> {
    Arc::new(
        ScriptedModel::new([ScriptedResponse::text(FIRST_ANSWER)])
            .with_event_delay(Duration::from_millis(20)),
    )
}

#[tokio::test]
async fn dropping_a_turn_stream_interrupts_the_turn_and_the_next_run_sees_only_its_own() {
    let model = slow_model();
    let codex = codex_sdk::Codex::builder()
        .model_client(model.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    {
        let mut turn = conv.stream("count").await.unwrap();
        loop {
            let event = turn.next_event().await.unwrap();
            if matches!(event.msg, EventMsg::AgentMessageDelta(_)) {
                break;
            }
        }
    }
    model.push(ScriptedResponse::text("back"));
    let result = tokio::time::timeout(Duration::from_secs(5), conv.run("again"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.final_message.as_deref(), Some("back"));
    assert_eq!(model.remaining(), 0);
    assert!(
        !first_answer_completed(&model),
        "the first turn was not interrupted"
    );
}

#[tokio::test]
async fn a_cancelled_run_interrupts_the_turn() {
    let model = slow_model();
    let codex = codex_sdk::Codex::builder()
        .model_client(model.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let cancelled = tokio::time::timeout(Duration::from_millis(60), conv.run("count")).await;
    assert!(cancelled.is_err(), "the run should still be going");
    model.push(ScriptedResponse::text("back"));
    let mut turn = conv.stream("again").await.unwrap();
    let mut msgs = Vec::new();
    while let Some(event) = turn.next_event().await {
        msgs.push(event.msg);
    }
    assert!(
        !msgs.iter().any(|m| matches!(m, EventMsg::TurnAborted(_))),
        "leftovers of the cancelled turn leaked: {msgs:#?}"
    );
    assert!(
        !first_answer_completed(&model),
        "the first turn was not interrupted"
    );
    assert_eq!(
        msgs.last(),
        Some(&EventMsg::TaskComplete(
            codex_sdk::protocol::TaskCompleteEvent {
                last_agent_message: Some("back".to_owned())
            }
        ))
    );
}
