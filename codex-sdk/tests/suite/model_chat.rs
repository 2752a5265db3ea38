//! `ChatClient` against the loopback mock server.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use codex_sdk::Error;
use codex_sdk::model::{
    ApiKey, ChatClient, ModelClient, ModelProviderInfo, Prompt, ResponseEvent, ToolSpec, WireApi,
};
use codex_sdk::protocol::{
    ConversationId, FunctionCallOutputPayload, ReasoningSummary, ResponseItem, TokenUsage,
};
use codex_sdk::testing::{MockResponse, MockServer, chat};
use futures::StreamExt;
use pretty_assertions::assert_eq;
use serde_json::json;

const KEY: &str = "sk-chat-secret";

async fn server() -> MockServer {
    MockServer::start().await.unwrap()
}

fn client(server: &MockServer) -> ChatClient {
    let provider = ModelProviderInfo::custom("local", server.base_url(), WireApi::Chat)
        .with_retries(2, 0)
        .with_retry_base_delay(Duration::from_millis(1))
        .with_stream_idle_timeout(Duration::from_secs(5));
    ChatClient::new(provider, Some(ApiKey::new(KEY)), "codex_sdk_tests")
}

fn prompt() -> Prompt {
    Prompt {
        model: "llama-test".into(),
        instructions: "Be terse.".into(),
        input: vec![
            ResponseItem::user_text("list files"),
            ResponseItem::FunctionCall {
                id: None,
                name: "shell".into(),
                arguments: "{\"command\":[\"ls\"]}".into(),
                call_id: "call_0".into(),
            },
            ResponseItem::FunctionCallOutput {
                call_id: "call_0".into(),
                output: FunctionCallOutputPayload::success("a.txt"),
            },
        ],
        tools: vec![
            ToolSpec::Function {
                name: "shell".into(),
                description: "Runs a command.".into(),
                strict: false,
                parameters: json!({"type": "object"}),
            },
            ToolSpec::WebSearch {},
        ],
        parallel_tool_calls: true,
        effort: None,
        summary: ReasoningSummary::Auto,
        reasoning: false,
        output_schema: None,
        conversation_id: ConversationId::new(),
        verbosity: None,
        max_output_tokens: None,
    }
}

async fn run(client: &ChatClient) -> (Vec<ResponseEvent>, Option<Error>) {
    let mut stream = client.stream(&prompt()).await.unwrap();
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

fn call(call_id: &str, name: &str, arguments: &str) -> ResponseItem {
    ResponseItem::FunctionCall {
        id: None,
        name: name.into(),
        arguments: arguments.into(),
        call_id: call_id.into(),
    }
}

#[tokio::test]
async fn request_shape() {
    let server = server().await;
    server.enqueue(MockResponse::chat([
        chat::content("c1", "hi"),
        chat::finish("c1", "stop"),
    ]));
    let client = client(&server);
    let prompt = prompt();
    let mut stream = client.stream(&prompt).await.unwrap();
    while stream.next().await.is_some() {}

    let req = &server.requests()[0];
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(
        req.json(),
        json!({
            "model": "llama-test",
            "messages": [
                {"role": "system", "content": "Be terse."},
                {"role": "user", "content": "list files"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_0", "type": "function",
                     "function": {"name": "shell", "arguments": "{\"command\":[\"ls\"]}"}},
                ]},
                {"role": "tool", "tool_call_id": "call_0", "content": "a.txt"},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "tools": [{"type": "function", "function": {
                "name": "shell", "description": "Runs a command.", "parameters": {"type": "object"}}}],
        })
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(req.header("originator"), Some("codex_sdk_tests"));
    assert_eq!(req.header("accept"), Some("text/event-stream"));
    assert_eq!(
        req.header("session_id"),
        Some(prompt.conversation_id.to_string().as_str())
    );
    assert!(
        req.header("user-agent")
            .unwrap()
            .starts_with("codex_sdk_tests/")
    );
}

#[tokio::test]
async fn two_tool_calls_in_one_chunk_with_pieces_and_usage() {
    let server = server().await;
    let mut usage = chat::usage("c2", 30, 12);
    usage["usage"]["prompt_tokens_details"] = json!({"cached_tokens": 8});
    server.enqueue(MockResponse::chat([
        chat::tool_call_deltas(
            "c2",
            &[
                (0, Some("call_a"), Some("shell"), "{\"comm"),
                (1, Some("call_b"), Some("read_file"), ""),
            ],
        ),
        chat::tool_call_deltas(
            "c2",
            &[(1, None, None, "{\"path\":"), (0, None, None, "and\":")],
        ),
        chat::tool_call_delta("c2", 0, None, None, "[\"pwd\"]}"),
        chat::tool_call_delta("c2", 1, None, None, "\"/a\"}"),
        chat::finish("c2", "tool_calls"),
        usage,
    ]));
    let (events, error) = run(&client(&server)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputItemDone(call("call_a", "shell", "{\"command\":[\"pwd\"]}")),
            ResponseEvent::OutputItemDone(call("call_b", "read_file", "{\"path\":\"/a\"}")),
            ResponseEvent::Completed {
                response_id: "c2".into(),
                token_usage: Some(TokenUsage {
                    input_tokens: 30,
                    cached_input_tokens: 8,
                    output_tokens: 12,
                    reasoning_output_tokens: 0,
                    total_tokens: 42,
                }),
            },
        ]
    );
}

#[tokio::test]
async fn text_then_done() {
    let server = server().await;
    server.enqueue(MockResponse::chat([
        chat::content("c3", "Hello, "),
        chat::content("c3", "world."),
    ]));
    let (events, error) = run(&client(&server)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("Hello, ".into()),
            ResponseEvent::OutputTextDelta("world.".into()),
            ResponseEvent::OutputItemDone(ResponseItem::assistant_text("Hello, world.")),
            ResponseEvent::Completed {
                response_id: "c3".into(),
                token_usage: None,
            },
        ]
    );
}

#[tokio::test]
async fn stream_without_done_or_finish_fails() {
    let server = server().await;
    server.enqueue(MockResponse::raw_sse(format!(
        "data: {}\n\n",
        chat::content("c4", "partial")
    )));
    let (events, error) = run(&client(&server)).await;
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("partial".into()),
        ]
    );
    assert!(matches!(error, Some(Error::Stream { .. })), "{error:?}");
}

#[tokio::test]
async fn malformed_chunk_fails() {
    let server = server().await;
    server.enqueue(MockResponse::raw_sse(
        "data: {\"choices\": [\n\ndata: [DONE]\n\n",
    ));
    let (events, error) = run(&client(&server)).await;
    assert_eq!(events, vec![ResponseEvent::Created]);
    assert!(matches!(error, Some(Error::Stream { .. })), "{error:?}");
}

#[tokio::test]
async fn retries_share_the_http_path() {
    let server = server().await;
    server.enqueue(MockResponse::status(500).body("oops"));
    server.enqueue(MockResponse::chat([
        chat::content("c5", "ok"),
        chat::finish("c5", "stop"),
    ]));
    let (events, error) = run(&client(&server)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events.len(), 4);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn no_api_key_sends_nothing() {
    let server = server().await;
    let client = ChatClient::new(
        ModelProviderInfo::custom("local", server.base_url(), WireApi::Chat),
        None,
        "t",
    );
    let err = client.stream(&prompt()).await.err().unwrap();
    assert!(
        matches!(err, Error::Unauthorized { status: 0, .. }),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}
