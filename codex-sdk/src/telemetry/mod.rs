//! Telemetry: Codex's event catalog (`codex.api_request`, `codex.sse_event`, `codex.user_prompt`,
//! `codex.tool_decision`, `codex.tool_result`) as typed [`TelemetryEvent`]s, redacted before anything sees
//! them, delivered to a host [`TelemetrySink`] and — with feature `otel` — exported over OTLP (HTTP binary
//! or JSON, gRPC) as configured by `[otel]`.
//!
//! The events come from the places that already do the work: the model client's request loop
//! (`model/http.rs`, one `codex.api_request` per attempt), the turn's stream loop
//! (`conversation/sampling.rs`), the tool dispatch (`tools/registry.rs`) and the approval path
//! (`tools/context.rs`, `tools/handlers/exec_policy.rs`). Nothing is built when nobody listens.
//!
//! Rust hosts that use `tracing` also see spans: `codex.turn`, `codex.model_request` and `codex.tool_call`.

mod event;
mod forward;
#[cfg(feature = "otel")]
mod otlp;
mod sink;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use event::{
    ApiRequest, REDACTED, SseEvent, SseTokenCounts, TelemetryEvent, TelemetryEventKind,
    TelemetryMetadata, TelemetryValue, ToolDecision, ToolDecisionKind, ToolDecisionSource,
    ToolResult, UserPrompt,
};
pub use forward::{DEFAULT_FORWARD_QUEUE, ForwardPump, ForwardingSink};
#[cfg(feature = "otel")]
pub(crate) use otlp::{OtlpExporter, OtlpSettings};
pub(crate) use sink::TelemetryHub;
pub use sink::{TelemetrySink, TelemetryStats};

use crate::protocol::{ConversationId, ReviewDecision, TokenUsage, UserInput};

/// A conversation's telemetry: its hub, metadata and secrets. Off (`None`) when nothing listens, so every
/// hook is one branch.
#[derive(Clone, Default)]
pub(crate) struct Telemetry(Option<Arc<Context>>);

struct Context {
    hub: Arc<TelemetryHub>,
    metadata: Arc<TelemetryMetadata>,
    /// Texts never exported (the conversation's API key).
    secrets: Arc<[String]>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Telemetry(on)"
        } else {
            "Telemetry(off)"
        })
    }
}

impl Telemetry {
    /// The telemetry of one conversation (off when the hub has no sink).
    pub(crate) fn new(
        hub: &Arc<TelemetryHub>,
        conversation_id: ConversationId,
        model: &str,
        auth_mode: Option<String>,
        secrets: Vec<String>,
    ) -> Self {
        if !hub.is_active() {
            return Self(None);
        }
        hub.start();
        Self(Some(Arc::new(Context {
            hub: Arc::clone(hub),
            metadata: Arc::new(TelemetryMetadata {
                conversation_id,
                app_version: env!("CARGO_PKG_VERSION"),
                auth_mode,
                account_id: None,
                terminal_type: hub.terminal_type.clone(),
                model: model.to_owned(),
                slug: model.to_owned(),
            }),
            secrets: secrets.into(),
        })))
    }

    /// The same telemetry for a turn running `model`.
    pub(crate) fn for_model(&self, model: &str) -> Self {
        match &self.0 {
            Some(ctx) if ctx.metadata.model != model => {
                let mut metadata = (*ctx.metadata).clone();
                metadata.model = model.to_owned();
                metadata.slug = model.to_owned();
                Self(Some(Arc::new(Context {
                    hub: Arc::clone(&ctx.hub),
                    metadata: Arc::new(metadata),
                    secrets: Arc::clone(&ctx.secrets),
                })))
            }
            _ => self.clone(),
        }
    }

    /// Whether events are recorded (callers skip building them otherwise).
    pub(crate) fn is_on(&self) -> bool {
        self.0.is_some()
    }

    fn emit(&self, kind: impl FnOnce() -> TelemetryEventKind) {
        let Some(ctx) = &self.0 else {
            return;
        };
        let mut kind = kind();
        kind.for_each_text(|text| sink::redact(text, &ctx.secrets));
        let event = TelemetryEvent {
            timestamp: chrono::Utc::now(),
            metadata: Arc::clone(&ctx.metadata),
            kind,
        };
        ctx.hub.emit(&event);
    }

    /// `codex.api_request`.
    pub(crate) fn api_request(
        &self,
        attempt: u32,
        duration: Duration,
        status_code: Option<u16>,
        error: Option<&dyn std::fmt::Display>,
        cf_ray: Option<&str>,
    ) {
        self.emit(|| {
            TelemetryEventKind::ApiRequest(ApiRequest {
                attempt,
                duration_ms: millis(duration),
                status_code,
                error_message: error.map(ToString::to_string),
                cf_ray: cf_ray.map(str::to_owned),
            })
        });
    }

    /// `codex.sse_event` for one stream event (`kind`) or failure (`error`).
    pub(crate) fn sse_event(
        &self,
        kind: Option<&str>,
        duration: Duration,
        error: Option<&dyn std::fmt::Display>,
    ) {
        self.emit(|| {
            TelemetryEventKind::SseEvent(SseEvent {
                kind: kind.map(str::to_owned),
                duration_ms: millis(duration),
                error_message: error.map(ToString::to_string),
                token_counts: None,
            })
        });
    }

    /// `codex.sse_event` for `response.completed`, with the response's token counts.
    pub(crate) fn sse_completed(&self, duration: Duration, usage: Option<&TokenUsage>) {
        self.emit(|| {
            TelemetryEventKind::SseEvent(SseEvent {
                kind: Some("response.completed".to_owned()),
                duration_ms: millis(duration),
                error_message: None,
                token_counts: usage.map(|u| SseTokenCounts {
                    input: u.input_tokens,
                    output: u.output_tokens,
                    cached: Some(u.cached_input_tokens),
                    reasoning: Some(u.reasoning_output_tokens),
                    tool: u.tokens_in_context_window(),
                }),
            })
        });
    }

    /// `codex.user_prompt`: the text of the input (kept only when prompts are logged).
    pub(crate) fn user_prompt(&self, input: &[UserInput]) {
        let Some(ctx) = &self.0 else {
            return;
        };
        let log = ctx.hub.log_user_prompt;
        self.emit(|| {
            let text: String = input
                .iter()
                .filter_map(|item| match item {
                    UserInput::Text { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            TelemetryEventKind::UserPrompt(UserPrompt {
                prompt_length: u64::try_from(text.chars().count()).unwrap_or(u64::MAX),
                prompt: log.then_some(text),
            })
        });
    }

    /// `codex.tool_decision`.
    pub(crate) fn tool_decision(
        &self,
        tool_name: &str,
        call_id: &str,
        decision: ReviewDecision,
        source: ToolDecisionSource,
    ) {
        self.emit(|| {
            TelemetryEventKind::ToolDecision(ToolDecision {
                tool_name: tool_name.to_owned(),
                call_id: call_id.to_owned(),
                decision: decision.into(),
                source,
            })
        });
    }

    /// `codex.tool_result`.
    pub(crate) fn tool_result(
        &self,
        tool_name: &str,
        call_id: &str,
        arguments: &str,
        duration: Duration,
        success: bool,
        output: &str,
    ) {
        self.emit(|| {
            TelemetryEventKind::ToolResult(ToolResult {
                tool_name: tool_name.to_owned(),
                call_id: call_id.to_owned(),
                arguments: arguments.to_owned(),
                duration_ms: millis(duration),
                success,
                output: output.to_owned(),
            })
        });
    }
}

tokio::task_local! {
    static REQUEST_TELEMETRY: Telemetry;
}

/// Runs a model request with `telemetry` reachable from the client's request loop (the model client is
/// shared by conversations, so it learns whose request it runs this way).
pub(crate) async fn scope<F: Future>(telemetry: Telemetry, future: F) -> F::Output {
    REQUEST_TELEMETRY.scope(telemetry, future).await
}

/// The telemetry of the request running on this task (off outside [`scope`]).
pub(crate) fn current() -> Telemetry {
    REQUEST_TELEMETRY
        .try_with(Telemetry::clone)
        .unwrap_or_default()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
