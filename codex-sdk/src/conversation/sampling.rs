//! Sampling one model response: streaming its events to the client, replaying the request when the stream
//! breaks mid-way (announced as `StreamError`), and collecting the finished items.

use futures::StreamExt;

use super::shared::{SessionShared, TurnContext};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::model::{Prompt, RequestRetry, ResponseEvent, ResponseStream, observe_request_retries};
use crate::protocol::{
    AgentMessageDeltaEvent, AgentMessageEvent, AgentReasoningDeltaEvent, AgentReasoningEvent,
    EventMsg, ReasoningContent, ReasoningSummaryPart, ResponseItem, RetryInfo, RetryPhase,
    StreamErrorEvent, TokenUsage,
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
    let idle = shared.model.provider().stream_idle_timeout();
    let mut stream: ResponseStream = start_stream(shared, sink, prompt)
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
        let msg = match event? {
            ResponseEvent::OutputTextDelta(delta) => {
                EventMsg::AgentMessageDelta(AgentMessageDeltaEvent { delta })
            }
            ResponseEvent::ReasoningSummaryDelta(delta) => {
                EventMsg::AgentReasoningDelta(AgentReasoningDeltaEvent { delta })
            }
            ResponseEvent::ReasoningContentDelta(delta) => {
                EventMsg::AgentReasoningRawContentDelta(AgentReasoningDeltaEvent { delta })
            }
            ResponseEvent::OutputItemDone(item) => {
                if !quiet {
                    emit_item_events(sink, &item).await;
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
        if !quiet {
            sink.send(msg).await;
        }
    }
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
        shared.model.stream(prompt),
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
