//! The turn loop: sample the model, run the tool calls it made, feed the outputs back, repeat until the model
//! answers without calling a tool. The same loop drives review mode over an isolated [`TurnEnv`].

use std::sync::{Arc, PoisonError};

use tokio_util::sync::CancellationToken;

use super::compact;
use super::history::user_message;
use super::sampling::{Sample, sample_with_retries};
use super::shared::{
    PendingInput, SessionShared, TurnContext, TurnEnv, build_prompt, report_usage,
};
use crate::config::{TurnCompleteNotification, spawn_notify};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::protocol::{
    CompactionTrigger, ErrorEvent, EventMsg, RawResponseItemEvent, ResponseItem, TaskCompleteEvent,
    TaskStartedEvent, TokenCountEvent, TurnAbortReason, TurnAbortedEvent, UserInput, WarningEvent,
};
use crate::tools::context::TurnScratch;
use crate::tools::registry::tool_call_from_item;
use crate::tools::{ToolCall, ToolContext};

/// How the loop ended.
pub(crate) enum Outcome {
    Completed(Option<String>),
    Failed(Error),
    Interrupted,
}

/// Runs one regular turn to its terminal event (which it emits itself).
pub(crate) async fn run_turn(
    shared: Arc<SessionShared>,
    tc: TurnContext,
    sink: EventSink,
    input: Vec<UserInput>,
    pending: PendingInput,
    cancel: CancellationToken,
) {
    let span = tracing::info_span!(
        "codex.turn",
        conversation.id = %shared.id,
        submission.id = %sink.submission_id(),
        model = %tc.model,
    );
    tracing::Instrument::instrument(
        run_turn_inner(shared, tc, sink, input, pending, cancel),
        span,
    )
    .await;
}

async fn run_turn_inner(
    shared: Arc<SessionShared>,
    tc: TurnContext,
    sink: EventSink,
    input: Vec<UserInput>,
    pending: PendingInput,
    cancel: CancellationToken,
) {
    sink.send(EventMsg::TaskStarted(TaskStartedEvent {
        model_context_window: tc.context_window,
    }))
    .await;
    if shared.take_unknown_window_warning() {
        sink.send(EventMsg::Warning(WarningEvent {
            message: format!(
                "the context window of `{}` is unknown; assuming {} tokens (set model_context_window)",
                tc.model,
                tc.context_window.unwrap_or_default()
            ),
        }))
        .await;
    }
    if let Some(mcp) = &shared.mcp {
        // The model sees the MCP tools from the first request on (each server bounded by its timeout).
        mcp.wait_ready().await;
    }
    let env = shared.primary_env();
    record_user_input(&env, &sink, &input).await;
    let outcome = drive(&shared, &env, &tc, &sink, Some(&pending), &cancel).await;
    let completed = match &outcome {
        Outcome::Completed(last) => Some(last.clone()),
        _ => None,
    };
    finish(&shared, &tc, &sink, outcome).await;
    if let (Some(last), Some(argv)) = (completed, &shared.notify) {
        let notification = TurnCompleteNotification {
            thread_id: shared.id.to_string(),
            turn_id: sink.submission_id().as_str(),
            cwd: &tc.cwd,
            input_messages: input
                .iter()
                .filter_map(|item| match item {
                    UserInput::Text { text } => Some(text.clone()),
                    _ => None,
                })
                .collect(),
            last_assistant_message: last.as_deref(),
        };
        if let Some(task) = spawn_notify(argv, &notification, &shared.environment_policy) {
            shared.track_notification(task);
        }
    }
}

/// Emits the terminal event for an outcome.
pub(crate) async fn finish(
    shared: &SessionShared,
    tc: &TurnContext,
    sink: &EventSink,
    outcome: Outcome,
) {
    match outcome {
        Outcome::Completed(last_agent_message) => {
            sink.send(EventMsg::TaskComplete(TaskCompleteEvent {
                last_agent_message,
            }))
            .await;
        }
        Outcome::Interrupted => {
            sink.send(EventMsg::TurnAborted(TurnAbortedEvent {
                reason: TurnAbortReason::Interrupted,
            }))
            .await;
        }
        Outcome::Failed(err) => fail_turn(shared, tc, sink, err).await,
    }
}

/// The loop itself: sample, record, run tools, until the model stops calling tools.
pub(crate) async fn drive(
    shared: &SessionShared,
    env: &TurnEnv,
    tc: &TurnContext,
    sink: &EventSink,
    pending: Option<&PendingInput>,
    cancel: &CancellationToken,
) -> Outcome {
    let mut last_agent_message = None;
    let scratch = Arc::new(TurnScratch::default());
    loop {
        for queued in pending.map(take_pending).unwrap_or_default() {
            record_user_input(env, sink, &queued).await;
        }
        let injected: Vec<ResponseItem> = std::mem::take(
            &mut *scratch
                .injected_input
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for item in injected {
            record_item(env, sink, item).await;
        }
        if env.primary
            && shared.context_tokens() >= tc.auto_compact_limit
            && let Err(err) = compact::compact(shared, env, tc, sink, CompactionTrigger::Auto).await
        {
            return Outcome::Failed(err);
        }
        let prompt = build_prompt(shared, env, tc);
        let sample: Sample = match sample_with_retries(shared, tc, sink, &prompt, false).await {
            Ok(sample) => sample,
            Err(err) => return Outcome::Failed(err),
        };
        report_usage(shared, tc, sink, sample.usage.as_ref()).await;
        let mut calls: Vec<ToolCall> = Vec::new();
        for item in sample.items {
            if let Some(text) = assistant_text(&item) {
                last_agent_message = Some(text);
            }
            if let Some(call) = tool_call_from_item(&item) {
                calls.push(call);
            }
            record_item(env, sink, item).await;
        }
        if calls.is_empty() {
            if pending.is_some_and(has_pending) {
                continue;
            }
            return Outcome::Completed(last_agent_message);
        }
        let ctx = ToolContext {
            conversation_id: shared.id,
            cwd: tc.cwd.clone(),
            approval_policy: tc.approval_policy,
            sandbox_policy: tc.sandbox_policy.clone(),
            events: sink.clone(),
            approvals: Arc::clone(&shared.approvals),
            cancel: cancel.clone(),
            turn: Arc::clone(&scratch),
            call_id: None,
            tool_name: None,
            environment_policy: Arc::clone(&shared.environment_policy),
        };
        if let Err(err) = run_tool_calls(env, tc, sink, calls, ctx).await {
            let note = format!("not run: {err}");
            let repaired = env.lock_history().answer_unanswered_calls(&note);
            for item in repaired {
                announce(env, sink, item).await;
            }
            return if matches!(err, Error::Interrupted) {
                Outcome::Interrupted
            } else {
                Outcome::Failed(err)
            };
        }
    }
}

fn take_pending(pending: &PendingInput) -> Vec<Vec<UserInput>> {
    std::mem::take(&mut *pending.lock().unwrap_or_else(PoisonError::into_inner))
}

fn has_pending(pending: &PendingInput) -> bool {
    !pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .is_empty()
}

pub(crate) async fn record_user_input(env: &TurnEnv, sink: &EventSink, input: &[UserInput]) {
    let (item, event) = user_message(input);
    if env.primary {
        sink.telemetry().user_prompt(input);
        sink.send(EventMsg::UserMessage(event)).await;
    }
    record_item(env, sink, item).await;
}

/// Adds an item to the env's history and, for the conversation's own history, announces it.
pub(crate) async fn record_item(env: &TurnEnv, sink: &EventSink, item: ResponseItem) {
    env.lock_history().push(item.clone());
    announce(env, sink, item).await;
}

async fn announce(env: &TurnEnv, sink: &EventSink, item: ResponseItem) {
    if env.primary {
        sink.send(EventMsg::RawResponseItem(RawResponseItemEvent { item }))
            .await;
    }
}

fn assistant_text(item: &ResponseItem) -> Option<String> {
    match item {
        ResponseItem::Message { role, .. } if role == "assistant" => item.message_text(),
        _ => None,
    }
}

/// Ends the turn with an error event. A full context window is first reported as a token count filled to
/// the whole window, so a client shows 100 %.
async fn fail_turn(shared: &SessionShared, tc: &TurnContext, sink: &EventSink, err: Error) {
    if matches!(err, Error::ContextWindowExceeded { .. })
        && let Some(window) = tc.context_window
    {
        let info = {
            let mut info = shared.lock_token_info();
            let entry = info.get_or_insert_with(Default::default);
            entry.fill_to_window(window);
            *entry
        };
        sink.send(EventMsg::TokenCount(TokenCountEvent {
            info: Some(info),
            rate_limits: shared.rate_limits(),
        }))
        .await;
    }
    tracing::warn!(error = %err, code = %err.code(), "turn failed");
    sink.send(EventMsg::Error(ErrorEvent {
        message: err.to_string(),
        code: err.code(),
    }))
    .await;
}

/// Runs the calls of one response: consecutive parallel-safe calls together, others alone; outputs enter
/// the history in call order. Stops at the first fatal error.
async fn run_tool_calls(
    env: &TurnEnv,
    tc: &TurnContext,
    sink: &EventSink,
    calls: Vec<ToolCall>,
    ctx: ToolContext,
) -> Result<()> {
    let mut rest = calls.as_slice();
    while let Some(first) = rest.first() {
        let parallel = tc.parallel_tool_calls && env.tools.supports_parallel(&first.name);
        let batch_len = if parallel {
            rest.iter()
                .take_while(|c| env.tools.supports_parallel(&c.name))
                .count()
        } else {
            1
        };
        let (batch, tail) = rest.split_at(batch_len);
        rest = tail;
        let results = futures::future::join_all(
            batch
                .iter()
                .map(|call| env.tools.dispatch(call.clone(), ctx.clone())),
        )
        .await;
        let mut fatal = None;
        for result in results {
            match result {
                Ok(item) => record_item(env, sink, item).await,
                Err(err) => {
                    fatal.get_or_insert(err);
                }
            }
        }
        if let Some(err) = fatal {
            return Err(err);
        }
    }
    Ok(())
}
