//! Telemetry to the host: the whole event catalog from a real turn over loopback HTTP, delivered to a
//! `TelemetrySink` as typed values, redacted (API key, bearer tokens, the prompt unless logged), and the
//! `tracing` spans a Rust host sees.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use codex_sdk::conversation::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::protocol::{AskForApproval, ReviewDecision, SandboxPolicy, TokenUsage};
use codex_sdk::telemetry::{
    TelemetryEvent, TelemetryEventKind, TelemetrySink, TelemetryValue, ToolDecisionKind,
    ToolDecisionSource,
};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::{Codex, CodexBuilder};
use pretty_assertions::assert_eq;
use serde_json::json;

pub(super) const KEY: &str = "sk-telemetry-secret-0123456789";

/// Collects what the host sink receives.
#[derive(Default)]
pub(super) struct Collector(Mutex<Vec<TelemetryEvent>>);

impl TelemetrySink for Collector {
    fn record(&self, event: &TelemetryEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Collector {
    pub(super) fn events(&self) -> Vec<TelemetryEvent> {
        self.0.lock().unwrap().clone()
    }
}

struct Approve;

#[async_trait::async_trait]
impl ApprovalHandler for Approve {
    async fn decide(&self, _request: ApprovalRequest) -> ReviewDecision {
        ReviewDecision::Approved
    }
}

/// A builder against the mock server with the built-in tools, commands asking unless trusted (answered
/// "approved" by a handler).
pub(super) fn builder(server: &MockServer) -> CodexBuilder {
    Codex::builder()
        .ephemeral()
        .provider(
            ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
                .with_retries(2, 0)
                .with_retry_base_delay(Duration::from_millis(1)),
        )
        .api_key(KEY)
        .model("gpt-5-codex")
        .cwd(std::env::temp_dir())
        .instructions("be brief")
        .approval_policy(AskForApproval::UnlessTrusted)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .approval_handler(Arc::new(Approve))
}

pub(super) fn usage() -> TokenUsage {
    TokenUsage {
        input_tokens: 120,
        cached_input_tokens: 20,
        output_tokens: 30,
        reasoning_output_tokens: 5,
        total_tokens: 150,
    }
}

/// A turn with one `shell` call that needs approval: the first response calls the tool (with a `cf-ray`
/// header), the second answers.
pub(super) fn enqueue_tool_turn(server: &MockServer) {
    // Not known safe (a redirection), so it needs approval under `unless-trusted`.
    let args = json!({"command": ["sh", "-c", "printf tool-output 2>/dev/null"]}).to_string();
    server.enqueue(
        MockResponse::sse(vec![
            sse::created("r1"),
            sse::function_call("call_1", "shell", &args),
            sse::completed_with_usage("r1", &usage()),
        ])
        .header("cf-ray", "ray-123"),
    );
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
}

fn attr(event: &TelemetryEvent, key: &str) -> Option<TelemetryValue> {
    event
        .attributes()
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn text(s: &str) -> TelemetryValue {
    TelemetryValue::Str(s.to_owned())
}

#[tokio::test]
async fn a_tool_call_turn_reports_the_whole_catalog_to_the_host_sink() {
    let server = MockServer::start().await.unwrap();
    enqueue_tool_turn(&server);
    let sink = Arc::new(Collector::default());
    let codex = builder(&server).telemetry(sink.clone()).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let result = conv.run("run the tool").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("done"));
    let events = sink.events();
    let names: Vec<&str> = events.iter().map(TelemetryEvent::name).collect();
    assert_eq!(
        names,
        [
            "codex.user_prompt",
            "codex.api_request",
            "codex.sse_event",
            "codex.sse_event",
            "codex.sse_event",
            "codex.tool_decision",
            "codex.tool_result",
            "codex.api_request",
            // created, two text deltas, the message, completed
            "codex.sse_event",
            "codex.sse_event",
            "codex.sse_event",
            "codex.sse_event",
            "codex.sse_event",
        ],
        "{events:#?}"
    );
    // Common metadata on every event.
    for event in &events {
        assert_eq!(event.metadata.conversation_id, conv.id());
        assert_eq!(event.metadata.model, "gpt-5-codex");
        assert_eq!(event.metadata.slug, "gpt-5-codex");
        assert_eq!(event.metadata.app_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(event.metadata.auth_mode.as_deref(), Some("ApiKey"));
        assert!(!event.metadata.terminal_type.is_empty());
        let keys: Vec<&str> = event.attributes().iter().map(|(k, _)| *k).collect();
        for common in [
            "event.name",
            "event.timestamp",
            "conversation.id",
            "app.version",
            "auth_mode",
            "terminal.type",
            "model",
            "slug",
        ] {
            assert!(keys.contains(&common), "{common} missing from {keys:?}");
        }
    }
    let TelemetryEventKind::UserPrompt(prompt) = &events[0].kind else {
        panic!("{:?}", events[0]);
    };
    assert_eq!((prompt.prompt_length, prompt.prompt.as_deref()), (12, None));
    assert_eq!(attr(&events[0], "prompt"), Some(text("[REDACTED]")));

    let TelemetryEventKind::ApiRequest(request) = &events[1].kind else {
        panic!("{:?}", events[1]);
    };
    assert_eq!(
        (
            request.attempt,
            request.status_code,
            request.error_message.as_deref()
        ),
        (1, Some(200), None)
    );
    assert_eq!(request.cf_ray.as_deref(), Some("ray-123"));

    let kinds: Vec<Option<&str>> = events
        .iter()
        .filter_map(|e| match &e.kind {
            TelemetryEventKind::SseEvent(s) => Some(s.kind.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(
        &kinds[..3],
        [
            Some("response.created"),
            Some("response.output_item.done"),
            Some("response.completed")
        ]
    );
    let TelemetryEventKind::SseEvent(completed) = &events[4].kind else {
        panic!("{:?}", events[4]);
    };
    let counts = completed.token_counts.unwrap();
    assert_eq!(
        (
            counts.input,
            counts.output,
            counts.cached,
            counts.reasoning,
            counts.tool
        ),
        (120, 30, Some(20), Some(5), 145)
    );
    assert_eq!(
        attr(&events[4], "input_token_count"),
        Some(TelemetryValue::Int(120))
    );

    let TelemetryEventKind::ToolDecision(decision) = &events[5].kind else {
        panic!("{:?}", events[5]);
    };
    assert_eq!(
        (decision.tool_name.as_str(), decision.call_id.as_str()),
        ("shell", "call_1")
    );
    assert_eq!(
        (decision.decision, decision.source),
        (ToolDecisionKind::Approved, ToolDecisionSource::User)
    );
    assert_eq!(attr(&events[5], "decision"), Some(text("approved")));
    assert_eq!(attr(&events[5], "source"), Some(text("user")));

    let TelemetryEventKind::ToolResult(tool) = &events[6].kind else {
        panic!("{:?}", events[6]);
    };
    assert_eq!(
        (tool.tool_name.as_str(), tool.call_id.as_str()),
        ("shell", "call_1")
    );
    assert!(tool.arguments.contains("tool-output"), "{tool:?}");
    assert!(
        tool.success && tool.output.contains("tool-output"),
        "{tool:?}"
    );
    assert_eq!(attr(&events[6], "success"), Some(text("true")));
}

#[tokio::test]
async fn commands_the_policy_allows_are_reported_as_decided_by_config() {
    let server = MockServer::start().await.unwrap();
    enqueue_tool_turn(&server);
    let sink = Arc::new(Collector::default());
    let codex = builder(&server)
        .approval_policy(AskForApproval::Never)
        .telemetry(sink.clone())
        .build()
        .unwrap();
    codex
        .start_conversation()
        .await
        .unwrap()
        .run("go")
        .await
        .unwrap();
    let decisions: Vec<_> = sink
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TelemetryEventKind::ToolDecision(d) => Some((d.decision, d.source)),
            _ => None,
        })
        .collect();
    assert_eq!(
        decisions,
        [(ToolDecisionKind::Approved, ToolDecisionSource::Config)]
    );
}

#[tokio::test]
async fn the_key_and_bearer_tokens_never_reach_the_sink_and_prompts_only_when_logged() {
    let server = MockServer::start().await.unwrap();
    // The server echoes the key in a failure that is retried, then the model echoes it into a tool call.
    server.enqueue(
        MockResponse::status(500).body(format!("bad header Authorization: Bearer {KEY} ({KEY})")),
    );
    let args = json!({"command": ["printf", "%s", format!("{KEY} Bearer tok-other")]}).to_string();
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r1", "call_1", "shell", &args,
    )));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
    let sink = Arc::new(Collector::default());
    let codex = builder(&server)
        .configure(|c| c.otel.log_user_prompt = true)
        .telemetry(sink.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.run(format!("my prompt with {KEY}")).await.unwrap();
    let events = sink.events();
    let serialized = serde_json::to_string(&events).unwrap();
    assert!(!serialized.contains(KEY), "{serialized}");
    assert!(!serialized.contains("tok-other"), "{serialized}");
    for event in &events {
        for (key, value) in event.attributes() {
            assert!(
                !matches!(&value, TelemetryValue::Str(s) if s.contains(KEY)),
                "{key} holds the key"
            );
        }
    }
    let failed = events
        .iter()
        .find_map(|e| match &e.kind {
            TelemetryEventKind::ApiRequest(r) if r.status_code == Some(500) => Some(r.clone()),
            _ => None,
        })
        .expect("the failed attempt is reported");
    assert_eq!(failed.attempt, 1);
    assert!(
        failed
            .error_message
            .as_deref()
            .unwrap()
            .contains("Bearer [REDACTED]"),
        "{failed:?}"
    );
    let prompt = events
        .iter()
        .find_map(|e| match &e.kind {
            TelemetryEventKind::UserPrompt(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(prompt.prompt.as_deref(), Some("my prompt with [REDACTED]"));
}

#[tokio::test]
async fn without_a_sink_or_exporter_no_event_is_built() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "hi")));
    let codex = builder(&server).build().unwrap();
    codex
        .start_conversation()
        .await
        .unwrap()
        .run("hi")
        .await
        .unwrap();
    assert_eq!(codex.telemetry_stats(), Default::default());
    codex.shutdown().await.unwrap();
}

/// A process-wide `tracing` subscriber (a scoped one races with callsites registered by tests running on
/// other threads) recording every span with the conversation of its `codex.turn` ancestor.
#[derive(Default)]
struct SpanLog {
    /// Span id (index + 1) → (name, conversation id).
    spans: Mutex<Vec<(String, Option<String>)>>,
}

thread_local! {
    static ENTERED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct ConversationField(Option<String>);

impl tracing::field::Visit for ConversationField {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "conversation.id" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl tracing::Subscriber for &'static SpanLog {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut field = ConversationField(None);
        span.record(&mut field);
        let parent = span
            .parent()
            .map(tracing::span::Id::into_u64)
            .or_else(|| ENTERED.with(|e| e.borrow().last().copied()));
        let mut spans = self.spans.lock().unwrap();
        let inherited = parent.and_then(|p| spans[usize::try_from(p).unwrap() - 1].1.clone());
        spans.push((span.metadata().name().to_owned(), field.0.or(inherited)));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, span: &tracing::span::Id) {
        ENTERED.with(|e| e.borrow_mut().push(span.into_u64()));
    }
    fn exit(&self, span: &tracing::span::Id) {
        ENTERED.with(|e| {
            let mut entered = e.borrow_mut();
            if let Some(at) = entered.iter().rposition(|id| *id == span.into_u64()) {
                entered.remove(at);
            }
        });
    }
}

#[tokio::test]
async fn turns_model_requests_and_tool_calls_are_tracing_spans() {
    static LOG: std::sync::OnceLock<&'static SpanLog> = std::sync::OnceLock::new();
    let log: &'static SpanLog = LOG.get_or_init(|| {
        let log: &'static SpanLog = Box::leak(Box::default());
        tracing::subscriber::set_global_default(log).unwrap();
        log
    });
    let server = MockServer::start().await.unwrap();
    enqueue_tool_turn(&server);
    let codex = builder(&server).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.run("go").await.unwrap();
    let id = conv.id().to_string();
    let names: Vec<String> = log
        .spans
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, conversation)| conversation.as_deref() == Some(id.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "codex.turn",
            "codex.model_request",
            "codex.tool_call",
            "codex.model_request"
        ]
    );
}

#[tokio::test]
async fn a_failed_stream_is_an_sse_event_with_its_error() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(vec![
        sse::created("r1"),
        sse::failed("server_error", "the model broke"),
    ]));
    let sink = Arc::new(Collector::default());
    let codex = builder(&server).telemetry(sink.clone()).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    assert!(conv.run("go").await.is_err());
    let sse: Vec<_> = sink
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TelemetryEventKind::SseEvent(s) => Some((s.kind, s.error_message)),
            _ => None,
        })
        .collect();
    assert_eq!(sse[0], (Some("response.created".to_owned()), None));
    let (kind, error) = &sse[1];
    assert_eq!(kind, &None);
    assert!(
        error.as_deref().unwrap().contains("the model broke"),
        "{sse:?}"
    );
}
