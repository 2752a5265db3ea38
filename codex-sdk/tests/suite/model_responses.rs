//! `ResponsesClient` against the loopback mock server: request shape, event mapping, every failure path.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use codex_sdk::Error;
use codex_sdk::model::{
    ApiKey, ModelClient, ModelProviderInfo, Prompt, ResponseEvent, ResponsesClient, ToolSpec,
    WireApi,
};
use codex_sdk::protocol::{
    ConversationId, RateLimitSnapshot, RateLimitWindow, ReasoningSummary, ResponseItem, TokenUsage,
};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use futures::StreamExt;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

const KEY: &str = "sk-test-secret-key";

async fn server() -> MockServer {
    MockServer::start().await.unwrap()
}

fn provider(server: &MockServer) -> ModelProviderInfo {
    ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
        .with_retries(2, 0)
        .with_retry_base_delay(Duration::from_millis(1))
        .with_stream_idle_timeout(Duration::from_secs(5))
}

fn client(server: &MockServer) -> ResponsesClient {
    ResponsesClient::new(provider(server), Some(ApiKey::new(KEY)), "codex_sdk_tests")
}

fn prompt() -> Prompt {
    Prompt {
        model: "gpt-test".into(),
        instructions: "You are a test.".into(),
        input: vec![ResponseItem::user_text("hello")],
        tools: vec![ToolSpec::Function {
            name: "shell".into(),
            description: "Runs a command.".into(),
            strict: false,
            parameters: json!({"type": "object", "properties": {"command": {"type": "array"}}}),
        }],
        parallel_tool_calls: false,
        effort: None,
        summary: ReasoningSummary::Auto,
        reasoning: false,
        output_schema: None,
        conversation_id: ConversationId::new(),
        verbosity: None,
        max_output_tokens: None,
    }
}

/// Streams `prompt` and collects every event; the error, if the stream ended with one.
async fn run(
    client: &ResponsesClient,
    prompt: &Prompt,
) -> Result<(Vec<ResponseEvent>, Option<Error>), Error> {
    let mut stream = client.stream(prompt).await?;
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(e) => {
                assert!(stream.next().await.is_none(), "events after an error");
                return Ok((events, Some(e)));
            }
        }
    }
    Ok((events, None))
}

/// The error `stream()` itself returned.
async fn start_error(client: &ResponsesClient) -> Error {
    match client.stream(&prompt()).await {
        Ok(_) => panic!("stream() succeeded"),
        Err(e) => e,
    }
}

fn assistant(id: &str, text: &str) -> ResponseItem {
    let mut item = ResponseItem::assistant_text(text);
    if let ResponseItem::Message { id: slot, .. } = &mut item {
        *slot = Some(id.to_owned());
    }
    item
}

#[tokio::test]
async fn text_response_request_and_events() {
    let server = server().await;
    server.enqueue(MockResponse::sse(sse::text_response("r1", "Hello there")));
    let client = client(&server).with_user_agent_suffix("host/2.0");
    let prompt = prompt();

    let (events, error) = run(&client, &prompt).await.unwrap();
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("Hell".into()),
            ResponseEvent::OutputTextDelta("o th".into()),
            ResponseEvent::OutputTextDelta("ere".into()),
            ResponseEvent::OutputItemDone(assistant("msg_r1", "Hello there")),
            ResponseEvent::Completed {
                response_id: "r1".into(),
                token_usage: Some(TokenUsage::default()),
            },
        ]
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/responses")
    );
    assert_eq!(
        req.json(),
        json!({
            "model": "gpt-test",
            "instructions": "You are a test.",
            "input": [{"type": "message", "role": "user",
                       "content": [{"type": "input_text", "text": "hello"}]}],
            "tools": [{"type": "function", "name": "shell", "description": "Runs a command.",
                       "strict": false,
                       "parameters": {"type": "object", "properties": {"command": {"type": "array"}}}}],
            "tool_choice": "auto",
            "parallel_tool_calls": false,
            "store": false,
            "stream": true,
            "include": [],
            "prompt_cache_key": prompt.conversation_id.to_string(),
        })
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(req.header("accept"), Some("text/event-stream"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("originator"), Some("codex_sdk_tests"));
    assert_eq!(
        req.header("session_id"),
        Some(prompt.conversation_id.to_string().as_str())
    );
    let ua = req.header("user-agent").unwrap();
    assert!(
        ua.starts_with(&format!("codex_sdk_tests/{} (", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    assert!(ua.ends_with(") host/2.0"), "{ua}");
    assert_eq!(ua, client.user_agent());
}

#[tokio::test]
async fn tool_call_reasoning_and_usage() {
    let server = server().await;
    let usage = TokenUsage {
        input_tokens: 100,
        cached_input_tokens: 40,
        output_tokens: 20,
        reasoning_output_tokens: 5,
        total_tokens: 120,
    };
    server.enqueue(MockResponse::sse([
        sse::created("r2"),
        sse::reasoning_summary_delta("Plan"),
        sse::reasoning_text_delta("raw"),
        sse::function_call("call_9", "shell", "{\"command\":[\"ls\"]}"),
        sse::completed_with_usage("r2", &usage),
    ]));
    let (events, error) = run(&client(&server), &prompt()).await.unwrap();
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::ReasoningSummaryDelta("Plan".into()),
            ResponseEvent::ReasoningContentDelta("raw".into()),
            ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
                id: Some("fc_call_9".into()),
                name: "shell".into(),
                arguments: "{\"command\":[\"ls\"]}".into(),
                call_id: "call_9".into(),
            }),
            ResponseEvent::Completed {
                response_id: "r2".into(),
                token_usage: Some(usage),
            },
        ]
    );
}

#[tokio::test]
async fn rate_limit_headers_come_first() {
    let server = server().await;
    server.enqueue(
        MockResponse::sse(sse::text_response("r", "x"))
            .header("x-codex-primary-used-percent", "25.5")
            .header("x-codex-primary-window-minutes", "300")
            .header("x-codex-primary-reset-after-seconds", "60")
            .header("x-codex-secondary-used-percent", "3"),
    );
    let (events, _) = run(&client(&server), &prompt()).await.unwrap();
    assert_eq!(
        events[..2],
        [
            ResponseEvent::RateLimits(RateLimitSnapshot {
                primary: Some(RateLimitWindow {
                    used_percent: 25.5,
                    window_minutes: Some(300),
                    resets_in_seconds: Some(60),
                }),
                secondary: Some(RateLimitWindow {
                    used_percent: 3.0,
                    window_minutes: None,
                    resets_in_seconds: None,
                }),
            }),
            ResponseEvent::Created,
        ]
    );
}

#[tokio::test]
async fn retries_429_after_retry_after_then_succeeds() {
    let server = server().await;
    server.enqueue(
        MockResponse::status(429)
            .json_body(json!({"error": {"code": "rate_limit_exceeded", "message": "slow down"}}))
            .retry_after("1"),
    );
    server.enqueue(MockResponse::sse(sse::text_response("r", "ok")));
    let started = Instant::now();
    let (events, error) = run(&client(&server), &prompt()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert!(error.is_none());
    assert_eq!(
        events.last(),
        Some(&ResponseEvent::Completed {
            response_id: "r".into(),
            token_usage: Some(TokenUsage::default()),
        })
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let server = server().await;
    server.enqueue(MockResponse::status(503).header("retry-after-ms", "150"));
    server.enqueue(MockResponse::sse(sse::text_response("r", "ok")));
    let started = Instant::now();
    let (_, error) = run(&client(&server), &prompt()).await.unwrap();
    assert!(error.is_none());
    assert!(started.elapsed() >= Duration::from_millis(140));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_exhaust_retries() {
    let server = server().await;
    for _ in 0..3 {
        server.enqueue(MockResponse::status(502).body("bad gateway"));
    }
    let err = start_error(&client(&server)).await;
    assert!(
        matches!(&err, Error::Http { status: 502, body } if body == "bad gateway"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn rate_limited_after_every_retry() {
    let server = server().await;
    for _ in 0..3 {
        server.enqueue(MockResponse::status(429).body("busy"));
    }
    let err = start_error(&client(&server)).await;
    assert!(
        matches!(&err, Error::RateLimited { attempts: 3, body } if body == "busy"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn unauthorized_is_not_retried_and_hides_the_key() {
    let server = server().await;
    server
        .enqueue(MockResponse::status(401).json_body(
            json!({"error": {"message": format!("Incorrect API key provided: {KEY}")}}),
        ));
    let err = start_error(&client(&server)).await;
    match &err {
        Error::Unauthorized { status: 401, body } => assert!(body.contains("Incorrect API key")),
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains(KEY));
    assert!(!format!("{err:?}").contains(KEY));
    assert!(!format!("{:?}", client(&server)).contains(KEY));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn forbidden_is_unauthorized() {
    let server = server().await;
    server.enqueue(MockResponse::status(403).body("nope"));
    let err = start_error(&client(&server)).await;
    assert!(
        matches!(err, Error::Unauthorized { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn context_length_exceeded_400() {
    let server = server().await;
    server.enqueue(MockResponse::status(400).json_body(json!({"error": {
        "message": "Your input exceeds the context window of this model.",
        "type": "invalid_request_error",
        "code": "context_length_exceeded",
    }})));
    let err = start_error(&client(&server)).await;
    assert!(
        matches!(&err, Error::ContextWindowExceeded { message }
            if message == "Your input exceeds the context window of this model."),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn usage_limit_429_is_not_retried() {
    for code in [
        "usage_limit_reached",
        "usage_not_included",
        "insufficient_quota",
    ] {
        let server = server().await;
        server.enqueue(MockResponse::status(429).json_body(json!({"error": {
            "type": code, "message": "You've hit your usage limit.",
        }})));
        let err = start_error(&client(&server)).await;
        assert!(
            matches!(&err, Error::UsageLimitReached { message } if message == "You've hit your usage limit."),
            "{code}: {err:?}"
        );
        assert_eq!(server.requests().len(), 1, "{code}");
    }
}

#[tokio::test]
async fn other_4xx_is_fatal() {
    let server = server().await;
    server.enqueue(MockResponse::status(404).body("no such model"));
    let err = start_error(&client(&server)).await;
    assert!(
        matches!(&err, Error::Http { status: 404, body } if body == "no such model"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_api_key_sends_nothing() {
    let server = server().await;
    let client = ResponsesClient::new(provider(&server), None, "codex_sdk_tests");
    let err = start_error(&client).await;
    assert!(
        matches!(err, Error::Unauthorized { status: 0, .. }),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn transport_errors_exhaust_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let provider = ModelProviderInfo::custom(
        "dead",
        format!("http://127.0.0.1:{port}/v1"),
        WireApi::Responses,
    )
    .with_retries(1, 0)
    .with_retry_base_delay(Duration::from_millis(1));
    let client = ResponsesClient::new(provider, Some(ApiKey::new(KEY)), "t");
    let err = start_error(&client).await;
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test]
async fn stream_cut_mid_event_is_a_stream_error() {
    let server = server().await;
    let response = MockResponse::sse(sse::text_response("r", "Hello there"));
    let cut = response.body_bytes().len() - 20;
    server.enqueue(response.cut_after_bytes(cut));
    let (events, error) = run(&client(&server), &prompt()).await.unwrap();
    assert_eq!(events.first(), Some(&ResponseEvent::Created));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ResponseEvent::Completed { .. }))
    );
    match error {
        Some(Error::Stream { message, .. }) => {
            assert_eq!(message, "stream closed before response.completed");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn stalled_stream_times_out() {
    let server = server().await;
    let response = MockResponse::sse(sse::text_response("r", "Hello there"));
    let first_event = response
        .body_bytes()
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap()
        + 2;
    server.enqueue(response.stall_after_bytes(first_event));
    let idle = Duration::from_millis(200);
    let client = ResponsesClient::new(
        provider(&server).with_stream_idle_timeout(idle),
        Some(ApiKey::new(KEY)),
        "t",
    );
    let (events, error) = run(&client, &prompt()).await.unwrap();
    assert_eq!(events, vec![ResponseEvent::Created]);
    assert!(
        matches!(error, Some(Error::IdleTimeout(d)) if d == idle),
        "{error:?}"
    );
}

#[tokio::test]
async fn garbage_lines_are_ignored_but_malformed_data_fails() {
    let server = server().await;
    server.enqueue(MockResponse::raw_sse(
        ": comment\nthis is garbage\nevent: response.created\ndata: {\"type\":\"response.created\"}\n\n\
         event: response.output_text.delta\ndata: {oops\n\n",
    ));
    let (events, error) = run(&client(&server), &prompt()).await.unwrap();
    assert_eq!(events, vec![ResponseEvent::Created]);
    assert!(matches!(error, Some(Error::Stream { .. })), "{error:?}");
}

#[tokio::test]
async fn response_failed_codes() {
    let server = server().await;
    type Check = fn(&Error) -> bool;
    let cases: Vec<(&str, &str, Check)> = vec![
        (
            "context_length_exceeded",
            "too long",
            |e| matches!(e, Error::ContextWindowExceeded { message } if message == "too long"),
        ),
        ("insufficient_quota", "quota", |e| {
            matches!(e, Error::UsageLimitReached { .. })
        }),
        ("usage_limit_reached", "limit", |e| {
            matches!(e, Error::UsageLimitReached { .. })
        }),
        (
            "rate_limit_exceeded",
            "Rate limit reached. Please try again in 250ms.",
            |e| matches!(e, Error::Stream { retry_after: Some(d), .. } if *d == Duration::from_millis(250)),
        ),
        (
            "server_error",
            "oops",
            |e| matches!(e, Error::Stream { retry_after: None, message } if message.contains("oops")),
        ),
    ];
    for (code, message, check) in cases {
        server.enqueue(MockResponse::sse([
            sse::created("r"),
            sse::failed(code, message),
        ]));
        let (events, error) = run(&client(&server), &prompt()).await.unwrap();
        assert_eq!(events, vec![ResponseEvent::Created], "{code}");
        let error = error.unwrap_or_else(|| panic!("{code}: no error"));
        assert!(check(&error), "{code}: {error:?}");
    }
}

#[tokio::test]
async fn query_params_and_provider_headers_are_sent() {
    let server = server().await;
    server.enqueue(MockResponse::sse(sse::text_response("r", "x")));
    let mut provider = provider(&server).with_header("x-tenant", "acme");
    provider
        .query_params
        .insert("api-version".into(), "2025-04-01".into());
    let client = ResponsesClient::new(provider, Some(ApiKey::new(KEY)), "t");
    run(&client, &prompt()).await.unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.path, "/v1/responses?api-version=2025-04-01");
    assert_eq!(req.header("x-tenant"), Some("acme"));
    assert_eq!(req.json()["model"], Value::from("gpt-test"));
}
