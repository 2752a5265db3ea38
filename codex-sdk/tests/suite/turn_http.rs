//! Whole turns over real HTTP: a `Conversation` talking to the loopback mock server, with every fault the
//! model side can produce.

use std::time::Duration;

use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::protocol::*;
use codex_sdk::testing::{MockResponse, MockServer, chat, sse};
use codex_sdk::tools::FunctionTool;
use codex_sdk::{Codex, CodexBuilder, ErrorCode};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::support::{turn_events, walk};

const KEY: &str = "sk-turn-test-key";

fn provider(server: &MockServer, wire: WireApi) -> ModelProviderInfo {
    ModelProviderInfo::custom("mock", server.base_url(), wire)
        .with_retries(2, 2)
        .with_retry_base_delay(Duration::from_millis(1))
        .with_stream_idle_timeout(Duration::from_millis(300))
}

fn builder(server: &MockServer, wire: WireApi) -> CodexBuilder {
    Codex::builder()
        .ephemeral()
        .provider(provider(server, wire))
        .api_key(KEY)
        .model("gpt-5-codex")
        .cwd("/tmp")
        .instructions("be brief")
        .no_builtin_tools()
        .tool(echo_tool())
}

fn echo_tool() -> FunctionTool {
    FunctionTool::new(
        "echo",
        "Echoes its text.",
        json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}),
        |args, _ctx| async move { Ok(args["text"].as_str().unwrap_or_default().to_owned()) },
    )
}

fn terminal(msgs: &[EventMsg]) -> &EventMsg {
    msgs.last().unwrap()
}

#[tokio::test]
async fn a_tool_call_turn_sends_the_exact_requests() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r1",
        "call_1",
        "echo",
        r#"{"text":"ping"}"#,
    )));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "pong")));
    let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    let result = conv.run("say ping").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("pong"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = requests[0].json();
    let env = first["input"][0].clone();
    assert_eq!(
        first,
        json!({
            "model": "gpt-5-codex",
            "instructions": "be brief",
            "input": [env, {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "say ping"}]}],
            "tools": [{"type": "function", "name": "echo", "description": "Echoes its text.", "strict": false,
                       "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}}],
            "tool_choice": "auto",
            "parallel_tool_calls": true,
            "reasoning": {"summary": "auto"},
            "store": false,
            "stream": true,
            "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": conv.id().to_string(),
        })
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        requests[0].header("session_id"),
        Some(conv.id().to_string().as_str())
    );
    let second = requests[1].json();
    let input = second["input"].as_array().unwrap();
    assert_eq!(
        input[2..],
        [
            json!({"type": "function_call", "name": "echo", "arguments": "{\"text\":\"ping\"}", "call_id": "call_1"}),
            json!({"type": "function_call_output", "call_id": "call_1", "output": "ping"}),
        ]
    );
}

#[tokio::test]
async fn rate_limited_requests_are_retried_and_limits_reach_the_client() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::status(429).retry_after("0").body("slow down"));
    server.enqueue(
        MockResponse::sse(sse::text_response("r1", "ok"))
            .header("x-codex-primary-used-percent", "42.5")
            .header("x-codex-primary-window-minutes", "300")
            .header("x-codex-secondary-used-percent", "7"),
    );
    let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(matches!(terminal(&msgs), EventMsg::TaskComplete(_)));
    let limits = msgs.iter().find_map(|m| match m {
        EventMsg::TokenCount(t) => t.rate_limits,
        _ => None,
    });
    assert_eq!(
        limits,
        Some(RateLimitSnapshot {
            primary: Some(RateLimitWindow {
                used_percent: 42.5,
                window_minutes: Some(300),
                resets_in_seconds: None
            }),
            secondary: Some(RateLimitWindow {
                used_percent: 7.0,
                window_minutes: None,
                resets_in_seconds: None
            }),
        })
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_stream_cut_mid_event_is_replayed_with_a_stream_error() {
    let server = MockServer::start().await.unwrap();
    let full = MockResponse::sse(sse::text_response("r1", "complete answer"));
    let cut_at = full.body_bytes().len() - 40;
    server.enqueue(
        MockResponse::sse(sse::text_response("r1", "complete answer")).cut_after_bytes(cut_at),
    );
    server.enqueue(full);
    let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let retries: Vec<&str> = msgs
        .iter()
        .filter_map(|m| match m {
            EventMsg::StreamError(e) => Some(e.message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 1);
    assert!(retries[0].contains("retrying 1/2"), "{retries:?}");
    assert_eq!(
        terminal(&msgs),
        &EventMsg::TaskComplete(TaskCompleteEvent {
            last_agent_message: Some("complete answer".into())
        })
    );
}

#[tokio::test]
async fn an_idle_stream_times_out_and_is_replayed() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "late")).stall_after_bytes(30));
    server.enqueue(MockResponse::sse(sse::text_response("r1", "on time")));
    let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(msgs.iter().any(|m| matches!(m, EventMsg::StreamError(_))));
    assert_eq!(
        terminal(&msgs),
        &EventMsg::TaskComplete(TaskCompleteEvent {
            last_agent_message: Some("on time".into())
        })
    );
}

#[tokio::test]
async fn garbage_on_the_stream_is_a_typed_error_after_the_retries() {
    let server = MockServer::start().await.unwrap();
    for _ in 0..3 {
        server.enqueue(MockResponse::raw_sse(
            "event: response.created\ndata: {not json\n\n",
        ));
    }
    let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert_eq!(
        msgs.iter()
            .filter(|m| matches!(m, EventMsg::StreamError(_)))
            .count(),
        2
    );
    assert!(matches!(
        terminal(&msgs),
        EventMsg::Error(ErrorEvent {
            code: ErrorCode::Stream,
            ..
        })
    ));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn context_window_exceeded_is_surfaced_at_once_with_a_full_token_count() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::failed(
            "context_length_exceeded",
            "Your input exceeds the context window of this model.",
        ),
    ]));
    let keep_codex = builder(&server, WireApi::Responses)
        .model_context_window(128_000)
        .build()
        .unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("a very long input").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let n = msgs.len();
    match &msgs[n - 2] {
        EventMsg::TokenCount(TokenCountEvent {
            info: Some(info), ..
        }) => {
            assert_eq!(info.last_token_usage.total_tokens, 128_000);
            assert_eq!(info.model_context_window, Some(128_000));
        }
        other => panic!("expected a full token count, got {other:?}"),
    }
    assert!(matches!(
        &msgs[n - 1],
        EventMsg::Error(ErrorEvent {
            code: ErrorCode::ContextWindowExceeded,
            ..
        })
    ));
    assert!(!msgs.iter().any(|m| matches!(m, EventMsg::StreamError(_))));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn fatal_answers_end_the_turn_with_their_code_and_the_body() {
    for (response, code, needle) in [
        (
            MockResponse::status(429).json_body(
                json!({"error": {"type": "usage_limit_reached", "message": "plan limit"}}),
            ),
            ErrorCode::UsageLimitReached,
            "plan limit",
        ),
        (
            MockResponse::status(401).body("bad key"),
            ErrorCode::Unauthorized,
            "bad key",
        ),
        (
            MockResponse::status(400).body("malformed request: tools[0]"),
            ErrorCode::Http,
            "tools[0]",
        ),
        (
            MockResponse::sse([
                sse::created("r"),
                sse::failed("insufficient_quota", "no credit left"),
            ]),
            ErrorCode::UsageLimitReached,
            "no credit left",
        ),
    ] {
        let server = MockServer::start().await.unwrap();
        server.enqueue(response);
        let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
        let mut conv = keep_codex.start_conversation().await.unwrap();
        let err = conv.run("hi").await.unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(err.to_string().contains(needle), "{err}");
        assert!(!err.to_string().contains(KEY));
        assert_eq!(server.requests().len(), 1, "{code:?} must not be retried");
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let server = MockServer::start().await.unwrap();
    for _ in 0..3 {
        server.enqueue(MockResponse::status(503).body("overloaded"));
    }
    let keep_codex = builder(&server, WireApi::Responses).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    let err = conv.run("hi").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Http);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_chat_completions_turn_runs_tools_too() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::chat([
        chat::tool_call_delta("c1", 0, Some("call_a"), Some("echo"), "{\"te"),
        chat::tool_call_delta("c1", 0, None, None, "xt\":\"hi\"}"),
        chat::finish("c1", "tool_calls"),
    ]));
    server.enqueue(MockResponse::chat([
        chat::content("c2", "said "),
        chat::content("c2", "hi"),
        chat::finish("c2", "stop"),
        chat::usage("c2", 50, 5),
    ]));
    let keep_codex = builder(&server, WireApi::Chat).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    let result = conv.run("echo hi").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("said hi"));
    assert_eq!(result.usage.input_tokens, 50);
    let second = server.requests()[1].json();
    let messages = second["messages"].as_array().unwrap();
    assert_eq!(
        messages.last().unwrap(),
        &json!({"role": "tool", "tool_call_id": "call_a", "content": "hi"})
    );
}

#[tokio::test]
async fn no_api_key_is_an_unauthorized_error_without_a_request() {
    let server = MockServer::start().await.unwrap();
    let mut provider = provider(&server, WireApi::Responses);
    provider.env_key = Some("CODEX_SDK_TEST_KEY_THAT_IS_NOT_SET".into());
    let keep_codex = Codex::builder()
        .ephemeral()
        .provider(provider)
        .build()
        .unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    let err = conv.run("hi").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthorized);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_api_key_never_reaches_rollouts_events_or_debug_output() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::status(401).body(format!("invalid key {KEY}")));
    let codex = Codex::builder()
        .provider(provider(&server, WireApi::Responses))
        .api_key(KEY)
        .codex_home(home.path())
        .build()
        .unwrap();
    assert!(!format!("{codex:?}").contains(KEY));
    assert!(!format!("{:?}", codex.config()).contains(KEY));
    let mut conv = codex.new_conversation().await.unwrap().conversation;
    conv.send("hi").await.unwrap();
    let events = turn_events(&mut conv).await;
    let serialized = serde_json::to_string(&events).unwrap();
    assert!(!serialized.contains(KEY), "{serialized}");
    conv.shutdown().await.unwrap();
    for entry in walk(home.path()) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(!text.contains(KEY), "{} holds the key", entry.display());
    }
}

#[tokio::test]
async fn reasoning_is_sent_only_to_models_that_reason() {
    let server = MockServer::start().await.unwrap();
    for model in ["gpt-4.1", "gpt-4o", "my-local-model", "gpt-5-codex", "o3"] {
        server.enqueue(MockResponse::sse(sse::text_response("r", "ok")));
        let keep_codex = builder(&server, WireApi::Responses)
            .model(model)
            .model_context_window(100_000)
            .reasoning_effort(Some(ReasoningEffort::High))
            .build()
            .unwrap();
        let mut conv = keep_codex.start_conversation().await.unwrap();
        conv.run("hi").await.unwrap();
        let body = server.requests().pop().unwrap().json();
        let reasons = model.starts_with("gpt-5") || model.starts_with('o');
        assert_eq!(body.get("reasoning").is_some(), reasons, "{model}: {body}");
        let include = if reasons {
            json!(["reasoning.encrypted_content"])
        } else {
            json!([])
        };
        assert_eq!(body["include"], include, "{model}");
    }
}
