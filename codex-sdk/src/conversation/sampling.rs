//! Sampling one model response: streaming its events to the client, replaying the request when the stream
//! breaks mid-way (announced as `StreamError`), and collecting the finished items.

use std::time::Instant;

use futures::StreamExt;

use super::shared::{ReasoningEvents, SessionShared, TurnContext};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::model::{Prompt, RequestRetry, ResponseEvent, ResponseStream, observe_request_retries};
use crate::protocol::{
    AgentMessageDeltaEvent, AgentMessageEvent, AgentReasoningDeltaEvent, AgentReasoningEvent,
    EventMsg, ReasoningContent, ReasoningSummaryPart, ResponseItem, RetryInfo, RetryPhase,
    StreamErrorEvent, TokenUsage, WebSearchAction, WebSearchBeginEvent, WebSearchEndEvent,
};

/// The complete output of one model response.
pub(crate) struct Sample {
    pub(crate) items: Vec<ResponseItem>,
    pub(crate) usage: Option<TokenUsage>,
}

/// Streams one response, replaying the request when the stream breaks (up to the provider's limit).
/// `quiet` keeps the response's text out of the event stream (compaction summaries).
pub(crate) async fn sample_with_retries(
    shared: &SessionShared,
    tc: &TurnContext,
    sink: &EventSink,
    prompt: &Prompt,
    quiet: bool,
) -> Result<Sample> {
    let policy = shared.model.provider().retry_policy();
    let max = policy.stream_max_retries;
    let mut attempt = 0;
    loop {
        match sample_once(shared, sink, prompt, quiet).await {
            Ok(sample) => return Ok(sample),
            // Failures to start a request already went through the client's own request retries.
            Err(SampleError::Start(err)) => return Err(err),
            Err(SampleError::Stream(err)) if err.is_retryable() && attempt < max => {
                attempt += 1;
                let delay = err.retry_after().unwrap_or_else(|| policy.backoff(attempt));
                tracing::debug!(error = %err, attempt, model = %tc.model, "retrying model stream");
                sink.send(EventMsg::StreamError(StreamErrorEvent {
                    message: format!("{err}; retrying {attempt}/{max} in {}ms", delay.as_millis()),
                    retry: Some(RetryInfo {
                        phase: RetryPhase::Stream,
                        attempt,
                        max_retries: max,
                        delay_ms: millis(delay),
                        code: err.code(),
                    }),
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
    quiet: bool,
) -> Result<Sample, SampleError> {
    let span = tracing::info_span!("codex.model_request", model = %prompt.model);
    tracing::Instrument::instrument(sample_once_inner(shared, sink, prompt, quiet), span).await
}

async fn sample_once_inner(
    shared: &SessionShared,
    sink: &EventSink,
    prompt: &Prompt,
    quiet: bool,
) -> Result<Sample, SampleError> {
    let idle = shared.model.provider().stream_idle_timeout();
    let mut stream: ResponseStream = start_stream(shared, sink, prompt)
        .await
        .map_err(SampleError::Start)?;
    let telemetry = sink.telemetry();
    let mut items = Vec::new();
    let mut waiting_since = Instant::now();
    loop {
        let next = tokio::time::timeout(idle, stream.next()).await;
        let waited = std::mem::replace(&mut waiting_since, Instant::now()).elapsed();
        let event = match next {
            Ok(Some(Ok(event))) => event,
            Ok(Some(Err(err))) => {
                telemetry.sse_event(None, waited, Some(&err));
                return Err(SampleError::Stream(err));
            }
            Ok(None) => {
                let err = Error::Stream {
                    message: "stream closed before response.completed".to_owned(),
                    retry_after: None,
                };
                telemetry.sse_event(None, waited, Some(&err));
                return Err(SampleError::Stream(err));
            }
            Err(_) => {
                let err = Error::IdleTimeout(idle);
                telemetry.sse_event(None, waited, Some(&err));
                return Err(SampleError::Stream(err));
            }
        };
        if telemetry.is_on() {
            match &event {
                ResponseEvent::Completed { token_usage, .. } => {
                    telemetry.sse_completed(waited, token_usage.as_ref());
                }
                other => {
                    if let Some(kind) = sse_kind(other) {
                        telemetry.sse_event(Some(kind), waited, None);
                    }
                }
            }
        }
        let msg = match event {
            ResponseEvent::OutputTextDelta(delta) => {
                EventMsg::AgentMessageDelta(AgentMessageDeltaEvent { delta })
            }
            ResponseEvent::ReasoningSummaryDelta(delta) => {
                EventMsg::AgentReasoningDelta(AgentReasoningDeltaEvent { delta })
            }
            ResponseEvent::ReasoningContentDelta(delta) => {
                EventMsg::AgentReasoningRawContentDelta(AgentReasoningDeltaEvent { delta })
            }
            ResponseEvent::OutputItemAdded(ResponseItem::WebSearchCall { id, .. }) => {
                EventMsg::WebSearchBegin(WebSearchBeginEvent {
                    call_id: id.unwrap_or_default(),
                })
            }
            ResponseEvent::OutputItemDone(item) => {
                if !quiet {
                    emit_item_events(sink, &item, shared.reasoning_events).await;
                }
                items.push(item);
                continue;
            }
            ResponseEvent::RateLimits(snapshot) => {
                shared.set_rate_limits(snapshot);
                continue;
            }
            ResponseEvent::Completed { token_usage, .. } => {
                return Ok(Sample {
                    items,
                    usage: token_usage,
                });
            }
            _ => continue,
        };
        if !quiet && shared.reasoning_events.allows(&msg) {
            sink.send(msg).await;
        }
    }
}

/// The Responses API event type a stream event came from (`None` for what is not a stream event).
fn sse_kind(event: &ResponseEvent) -> Option<&'static str> {
    Some(match event {
        ResponseEvent::Created => "response.created",
        ResponseEvent::OutputItemAdded(_) => "response.output_item.added",
        ResponseEvent::OutputTextDelta(_) => "response.output_text.delta",
        ResponseEvent::ReasoningSummaryDelta(_) => "response.reasoning_summary_text.delta",
        ResponseEvent::ReasoningContentDelta(_) => "response.reasoning_text.delta",
        ResponseEvent::ReasoningSummaryPartAdded => "response.reasoning_summary_part.added",
        ResponseEvent::OutputItemDone(_) => "response.output_item.done",
        ResponseEvent::Completed { .. } => "response.completed",
        _ => return None,
    })
}

/// Starts the request, announcing each of the client's request retries (429, 5xx, transport) as a
/// `StreamError` event while it waits, so a host never sits through a back-off in silence.
async fn start_stream(
    shared: &SessionShared,
    sink: &EventSink,
    prompt: &Prompt,
) -> Result<ResponseStream> {
    let (tx, mut retries) = tokio::sync::mpsc::unbounded_channel::<RequestRetry>();
    let start = observe_request_retries(
        move |retry| {
            let _ = tx.send(retry);
        },
        crate::telemetry::scope(sink.telemetry().clone(), shared.model.stream(prompt)),
    );
    tokio::pin!(start);
    let result = loop {
        tokio::select! {
            biased;
            Some(retry) = retries.recv() => announce(sink, retry).await,
            result = &mut start => break result,
        }
    };
    while let Ok(retry) = retries.try_recv() {
        announce(sink, retry).await;
    }
    result
}

async fn announce(sink: &EventSink, retry: RequestRetry) {
    sink.send(EventMsg::StreamError(StreamErrorEvent {
        message: format!(
            "{}; retrying request {}/{} in {}ms",
            retry.reason,
            retry.attempt,
            retry.max_retries,
            retry.delay.as_millis()
        ),
        retry: Some(RetryInfo {
            phase: RetryPhase::Request,
            attempt: retry.attempt,
            max_retries: retry.max_retries,
            delay_ms: millis(retry.delay),
            code: retry.code,
        }),
    }))
    .await;
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

async fn emit_item_events(sink: &EventSink, item: &ResponseItem, reasoning: ReasoningEvents) {
    match item {
        ResponseItem::WebSearchCall { id, action, .. } => {
            let query = match action {
                Some(WebSearchAction::Search { query }) => query.clone().unwrap_or_default(),
                _ => String::new(),
            };
            sink.send(EventMsg::WebSearchEnd(WebSearchEndEvent {
                call_id: id.clone().unwrap_or_default(),
                query,
                action: action.clone(),
            }))
            .await;
        }
        ResponseItem::Message { role, .. } if role == "assistant" => {
            let message = item.message_text().unwrap_or_default();
            sink.send(EventMsg::AgentMessage(AgentMessageEvent { message }))
                .await;
        }
        ResponseItem::Reasoning {
            summary, content, ..
        } => {
            for part in summary.iter().filter(|_| reasoning.summaries) {
                let ReasoningSummaryPart::SummaryText { text } = part;
                sink.send(EventMsg::AgentReasoning(AgentReasoningEvent {
                    text: text.clone(),
                }))
                .await;
            }
            for part in content.iter().flatten().filter(|_| reasoning.raw) {
                let (ReasoningContent::ReasoningText { text } | ReasoningContent::Text { text }) =
                    part;
                sink.send(EventMsg::AgentReasoningRawContent(AgentReasoningEvent {
                    text: text.clone(),
                }))
                .await;
            }
        }
        _ => {}
    }
}
