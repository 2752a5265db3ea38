//! The turn loop: sample the model, run the tool calls it made, feed the outputs back, repeat until the model
//! answers without calling a tool.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::events::EventSink;
use super::history::user_message;
use super::session::SessionShared;
use crate::error::{Error, Result};
use crate::model::{Prompt, ResponseEvent, ResponseStream, WireApi};
use crate::protocol::{
    AgentMessageDeltaEvent, AgentMessageEvent, AgentReasoningDeltaEvent, AgentReasoningEvent,
    AskForApproval, ErrorEvent, EventMsg, RawResponseItemEvent, ReasoningEffort, ReasoningSummary,
    ReasoningSummaryPart, ResponseItem, SandboxPolicy, StreamErrorEvent, TaskCompleteEvent,
    TaskStartedEvent, TokenCountEvent, TokenUsage, TurnAbortReason, TurnAbortedEvent, UserInput,
};
use crate::tools::registry::tool_call_from_item;
use crate::tools::{ToolCall, ToolContext, ToolSpec};

/// The settings a turn runs with (persisting across turns until overridden).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TurnContext {
    pub(crate) model: String,
    pub(crate) cwd: std::path::PathBuf,
    pub(crate) effort: Option<ReasoningEffort>,
    pub(crate) summary: ReasoningSummary,
    pub(crate) approval_policy: AskForApproval,
    pub(crate) sandbox_policy: SandboxPolicy,
    pub(crate) output_schema: Option<serde_json::Value>,
    pub(crate) context_window: Option<u64>,
    pub(crate) reasoning: bool,
    pub(crate) parallel_tool_calls: bool,
}

/// User input queued while a turn runs; drained before each model request.
pub(crate) type PendingInput = Arc<Mutex<Vec<Vec<UserInput>>>>;

/// Runs one turn to its terminal event (which it emits itself).
pub(crate) async fn run_turn(
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
    record_user_input(&shared, &sink, &input).await;
    let mut last_agent_message = None;
    let scratch = Arc::new(crate::tools::context::TurnScratch::default());
    loop {
        for queued in take_pending(&pending) {
            record_user_input(&shared, &sink, &queued).await;
        }
        let injected: Vec<ResponseItem> = std::mem::take(
            &mut *scratch
                .injected_input
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for item in injected {
            record_item(&shared, &sink, item).await;
        }
        let prompt = build_prompt(&shared, &tc);
        let sample = match sample_with_retries(&shared, &tc, &sink, &prompt).await {
            Ok(sample) => sample,
            Err(err) => {
                fail_turn(&shared, &tc, &sink, err).await;
                return;
            }
        };
        report_usage(&shared, &tc, &sink, sample.usage.as_ref()).await;
        let mut calls: Vec<ToolCall> = Vec::new();
        for item in sample.items {
            if let Some(text) = assistant_text(&item) {
                last_agent_message = Some(text);
            }
            if let Some(call) = tool_call_from_item(&item) {
                calls.push(call);
            }
            record_item(&shared, &sink, item).await;
        }
        if calls.is_empty() {
            if has_pending(&pending) {
                continue;
            }
            sink.send(EventMsg::TaskComplete(TaskCompleteEvent {
                last_agent_message,
            }))
            .await;
            return;
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
        };
        if let Err(err) = run_tool_calls(&shared, &tc, &sink, calls, ctx).await {
            let note = format!("not run: {err}");
            let repaired = shared.lock_history().answer_unanswered_calls(&note);
            for item in repaired {
                sink.send(EventMsg::RawResponseItem(RawResponseItemEvent { item }))
                    .await;
            }
            if matches!(err, Error::Interrupted) {
                sink.send(EventMsg::TurnAborted(TurnAbortedEvent {
                    reason: TurnAbortReason::Interrupted,
                }))
                .await;
            } else {
                fail_turn(&shared, &tc, &sink, err).await;
            }
            return;
        }
    }
}

fn take_pending(pending: &PendingInput) -> Vec<Vec<UserInput>> {
    std::mem::take(
        &mut *pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
}

fn has_pending(pending: &PendingInput) -> bool {
    !pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .is_empty()
}

async fn record_user_input(shared: &SessionShared, sink: &EventSink, input: &[UserInput]) {
    let (item, event) = user_message(input);
    sink.send(EventMsg::UserMessage(event)).await;
    record_item(shared, sink, item).await;
}

async fn record_item(shared: &SessionShared, sink: &EventSink, item: ResponseItem) {
    shared.lock_history().push(item.clone());
    sink.send(EventMsg::RawResponseItem(RawResponseItemEvent { item }))
        .await;
}

fn assistant_text(item: &ResponseItem) -> Option<String> {
    match item {
        ResponseItem::Message { role, .. } if role == "assistant" => item.message_text(),
        _ => None,
    }
}

fn build_prompt(shared: &SessionShared, tc: &TurnContext) -> Prompt {
    let wire = shared.model.provider().wire_api;
    let tools: Vec<ToolSpec> = shared
        .tools
        .specs()
        .into_iter()
        .filter(|spec| wire != WireApi::Chat || matches!(spec, ToolSpec::Function { .. }))
        .collect();
    Prompt {
        model: tc.model.clone(),
        instructions: shared.instructions.clone(),
        input: shared.lock_history().for_prompt(),
        tools,
        parallel_tool_calls: tc.parallel_tool_calls,
        effort: tc.effort,
        summary: tc.summary,
        reasoning: tc.reasoning,
        output_schema: tc.output_schema.clone(),
        conversation_id: shared.id,
    }
}

/// The complete output of one model response.
struct Sample {
    items: Vec<ResponseItem>,
    usage: Option<TokenUsage>,
}

/// Streams one response, replaying the request when the stream breaks (up to the provider's limit), and
/// telling the client about each retry.
async fn sample_with_retries(
    shared: &SessionShared,
    tc: &TurnContext,
    sink: &EventSink,
    prompt: &Prompt,
) -> Result<Sample> {
    let policy = shared.model.provider().retry_policy();
    let max = policy.stream_max_retries;
    let mut attempt = 0;
    loop {
        match sample_once(shared, sink, prompt).await {
            Ok(sample) => return Ok(sample),
            // Failures to start a request already went through the client's own request retries.
            Err(SampleError::Start(err)) => return Err(err),
            Err(SampleError::Stream(err)) if err.is_retryable() && attempt < max => {
                attempt += 1;
                let delay = err.retry_after().unwrap_or_else(|| policy.backoff(attempt));
                tracing::debug!(error = %err, attempt, model = %tc.model, "retrying model stream");
                sink.send(EventMsg::StreamError(StreamErrorEvent {
                    message: format!("{err}; retrying {attempt}/{max} in {}ms", delay.as_millis()),
                }))
                .await;
                tokio::time::sleep(delay).await;
            }
            Err(SampleError::Stream(err)) => return Err(err),
        }
    }
}

/// Where sampling failed: starting the request (final), or mid-stream (may be replayed).
enum SampleError {
    Start(Error),
    Stream(Error),
}

impl From<Error> for SampleError {
    fn from(err: Error) -> Self {
        Self::Stream(err)
    }
}

async fn sample_once(
    shared: &SessionShared,
    sink: &EventSink,
    prompt: &Prompt,
) -> Result<Sample, SampleError> {
    let idle = shared.model.provider().stream_idle_timeout();
    let mut stream: ResponseStream = shared
        .model
        .stream(prompt)
        .await
        .map_err(SampleError::Start)?;
    let mut items = Vec::new();
    loop {
        let next = tokio::time::timeout(idle, stream.next())
            .await
            .map_err(|_| Error::IdleTimeout(idle))?;
        let Some(event) = next else {
            return Err(SampleError::Stream(Error::Stream {
                message: "stream closed before response.completed".to_owned(),
                retry_after: None,
            }));
        };
        match event? {
            ResponseEvent::OutputTextDelta(delta) => {
                sink.send(EventMsg::AgentMessageDelta(AgentMessageDeltaEvent {
                    delta,
                }))
                .await;
            }
            ResponseEvent::ReasoningSummaryDelta(delta) => {
                sink.send(EventMsg::AgentReasoningDelta(AgentReasoningDeltaEvent {
                    delta,
                }))
                .await;
            }
            ResponseEvent::ReasoningContentDelta(delta) => {
                sink.send(EventMsg::AgentReasoningRawContentDelta(
                    AgentReasoningDeltaEvent { delta },
                ))
                .await;
            }
            ResponseEvent::OutputItemDone(item) => {
                emit_item_events(sink, &item).await;
                items.push(item);
            }
            ResponseEvent::RateLimits(snapshot) => {
                *shared
                    .rate_limits
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(snapshot);
            }
            ResponseEvent::Completed { token_usage, .. } => {
                return Ok(Sample {
                    items,
                    usage: token_usage,
                });
            }
            _ => {}
        }
    }
}

async fn emit_item_events(sink: &EventSink, item: &ResponseItem) {
    match item {
        ResponseItem::Message { role, .. } if role == "assistant" => {
            let message = item.message_text().unwrap_or_default();
            sink.send(EventMsg::AgentMessage(AgentMessageEvent { message }))
                .await;
        }
        ResponseItem::Reasoning {
            summary, content, ..
        } => {
            for part in summary {
                let ReasoningSummaryPart::SummaryText { text } = part;
                sink.send(EventMsg::AgentReasoning(AgentReasoningEvent {
                    text: text.clone(),
                }))
                .await;
            }
            for part in content.iter().flatten() {
                let text = match part {
                    crate::protocol::ReasoningContent::ReasoningText { text }
                    | crate::protocol::ReasoningContent::Text { text } => text.clone(),
                };
                sink.send(EventMsg::AgentReasoningRawContent(AgentReasoningEvent {
                    text,
                }))
                .await;
            }
        }
        _ => {}
    }
}

async fn report_usage(
    shared: &SessionShared,
    tc: &TurnContext,
    sink: &EventSink,
    usage: Option<&TokenUsage>,
) {
    let info = {
        let mut info = shared.lock_token_info();
        let entry = info.get_or_insert_with(Default::default);
        if let Some(usage) = usage {
            entry.append(usage);
        }
        entry.model_context_window = tc.context_window;
        *entry
    };
    let rate_limits = *shared
        .rate_limits
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    sink.send(EventMsg::TokenCount(TokenCountEvent {
        info: Some(info),
        rate_limits,
    }))
    .await;
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
        let rate_limits = *shared
            .rate_limits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        sink.send(EventMsg::TokenCount(TokenCountEvent {
            info: Some(info),
            rate_limits,
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
    shared: &SessionShared,
    tc: &TurnContext,
    sink: &EventSink,
    calls: Vec<ToolCall>,
    ctx: ToolContext,
) -> Result<()> {
    let mut rest = calls.as_slice();
    while let Some(first) = rest.first() {
        let parallel = tc.parallel_tool_calls && shared.tools.supports_parallel(&first.name);
        let batch_len = if parallel {
            rest.iter()
                .take_while(|c| shared.tools.supports_parallel(&c.name))
                .count()
        } else {
            1
        };
        let (batch, tail) = rest.split_at(batch_len);
        rest = tail;
        let results = futures::future::join_all(
            batch
                .iter()
                .map(|call| shared.tools.dispatch(call.clone(), ctx.clone())),
        )
        .await;
        let mut fatal = None;
        for result in results {
            match result {
                Ok(item) => record_item(shared, sink, item).await,
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
