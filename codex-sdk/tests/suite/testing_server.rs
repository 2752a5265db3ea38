//! The `testing` module's mock server, driven over real HTTP.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use codex_sdk::protocol::TokenUsage;
use codex_sdk::testing::{MockResponse, MockServer, chat, sse};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(5);

async fn server() -> MockServer {
    MockServer::start().await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(WAIT).build().unwrap()
}

async fn post(server: &MockServer, path: &str, body: serde_json::Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", server.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sse_response_has_exact_framing() {
    let server = server().await;
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(server.base_url().ends_with("/v1"));
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::output_text_delta("Hi"),
        sse::completed("r1"),
    ]));

    let response = post(&server, "/responses", json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    assert!(response.headers().get("content-length").is_none());
    let body = response.text().await.unwrap();
    let expected = format!(
        "event: response.created\ndata: {}\n\nevent: response.output_text.delta\ndata: {}\n\n\
         event: response.completed\ndata: {}\n\n",
        sse::created("r1"),
        sse::output_text_delta("Hi"),
        sse::completed("r1"),
    );
    assert_eq!(body, expected);
    assert_eq!(server.pending(), 0);
}

#[tokio::test]
async fn chat_stream_ends_with_done() {
    let server = server().await;
    server.enqueue(MockResponse::chat([
        chat::content("c1", "Hel"),
        chat::finish("c1", "stop"),
    ]));
    let body = post(&server, "/chat/completions", json!({"stream": true}))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        body,
        format!(
            "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
            chat::content("c1", "Hel"),
            chat::finish("c1", "stop")
        )
    );
    assert_eq!(server.requests()[0].path, "/v1/chat/completions");
}

#[tokio::test]
async fn requests_are_recorded_with_headers_and_json_body() {
    let server = server().await;
    server.enqueue(MockResponse::sse(sse::text_response("r1", "hello")));
    let response = client()
        .post(format!("{}/responses?trace=1", server.base_url()))
        .bearer_auth("sk-test")
        .header("Session_ID", "abc")
        .json(&json!({"model": "m", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let requests = server.wait_for_requests(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/responses?trace=1");
    assert_eq!(request.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(request.header("SESSION_ID"), Some("abc"));
    assert!(request.headers.iter().any(|(name, _)| name == "session_id"));
    assert_eq!(request.json(), json!({"model": "m", "stream": true}));
}

#[tokio::test]
async fn chunked_request_body_is_decoded() {
    let server = server().await;
    server.enqueue(MockResponse::status(204));
    let mut stream = TcpStream::connect(server.address()).await.unwrap();
    stream
        .write_all(
            b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
              5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 204 "), "{answer}");
    assert!(answer.contains("Connection: close\r\n"));
    assert_eq!(server.requests()[0].json(), json!({"a": 1}));
}

#[tokio::test]
async fn responses_are_served_in_fifo_order() {
    let server = server().await;
    for i in 0..3 {
        server.enqueue(MockResponse::status(200).body(format!("answer {i}")));
    }
    assert_eq!(server.pending(), 3);
    for i in 0..3 {
        let path = if i % 2 == 0 {
            "/responses"
        } else {
            "/chat/completions"
        };
        let response = post(&server, path, json!({"n": i})).await;
        assert_eq!(response.text().await.unwrap(), format!("answer {i}"));
    }
    let numbers: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.json()["n"].clone())
        .collect();
    assert_eq!(numbers, [json!(0), json!(1), json!(2)]);
    assert_eq!(server.pending(), 0);
}

#[tokio::test]
async fn concurrent_requests_are_all_answered() {
    let server = server().await;
    for _ in 0..16 {
        server.enqueue(
            MockResponse::sse(sse::text_response("r", "x")).event_delay(Duration::from_millis(1)),
        );
    }
    let client = client();
    let url = format!("{}/responses", server.base_url());
    let sends = (0..16).map(|_| {
        let client = client.clone();
        let url = url.clone();
        async move {
            client
                .post(url)
                .body("{}")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    });
    let bodies = futures::future::join_all(sends).await;
    assert!(bodies.iter().all(|b| b.contains("response.completed")));
    assert_eq!(server.requests().len(), 16);
}

#[tokio::test]
async fn rate_limit_with_retry_after() {
    let server = server().await;
    server.enqueue(
        MockResponse::status(429)
            .retry_after("2")
            .header("x-codex-primary-used-percent", "99.5")
            .json_body(json!({"error": {"message": "slow down"}})),
    );
    let response = post(&server, "/responses", json!({})).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(response.headers()["x-codex-primary-used-percent"], "99.5");
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "slow down");
}

#[tokio::test]
async fn empty_queue_answers_500() {
    let server = server().await;
    let response = post(&server, "/responses", json!({})).await;
    assert_eq!(response.status(), 500);
    let body = response.text().await.unwrap();
    assert!(body.contains("no response queued"), "{body}");
    assert!(body.contains("POST /v1/responses"), "{body}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn cut_after_bytes_truncates_the_stream() {
    let server = server().await;
    let full = MockResponse::sse(sse::text_response("r1", "hello world"));
    let expected = String::from_utf8(full.body_bytes()).unwrap();
    server.enqueue(full.cut_after_bytes(30));
    let body = post(&server, "/responses", json!({}))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(body, expected[..30]);
}

#[tokio::test]
async fn cut_plain_body_is_an_error_for_the_client() {
    let server = server().await;
    server.enqueue(
        MockResponse::status(200)
            .body("0123456789")
            .cut_after_bytes(4),
    );
    let response = post(&server, "/responses", json!({})).await;
    assert_eq!(response.headers()["content-length"], "10");
    assert!(response.text().await.is_err());
}

#[tokio::test]
async fn stall_after_bytes_keeps_the_connection_open() {
    let server = server().await;
    server.enqueue(MockResponse::raw_sse("data: one\n\ndata: two\n\n").stall_after_bytes(11));
    let mut response = post(&server, "/responses", json!({})).await;
    assert_eq!(
        response.chunk().await.unwrap().as_deref(),
        Some(&b"data: one\n\n"[..])
    );
    let next = tokio::time::timeout(Duration::from_millis(100), response.chunk()).await;
    assert!(next.is_err(), "expected the stream to idle, got {next:?}");

    // Dropping the server closes the stalled connection: the body ends.
    drop(server);
    let end = tokio::time::timeout(WAIT, response.chunk()).await.unwrap();
    assert!(matches!(end, Ok(None)), "{end:?}");
}

#[tokio::test]
async fn event_delay_does_not_block_other_connections() {
    let server = server().await;
    server.enqueue(
        MockResponse::sse(sse::text_response("slow", "abc")).event_delay(Duration::from_secs(30)),
    );
    server.enqueue(MockResponse::sse(sse::text_response("fast", "abc")));
    let mut slow = post(&server, "/responses", json!({})).await;
    let first = slow.chunk().await.unwrap().unwrap();
    assert!(first.starts_with(b"event: response.created"));
    let fast = post(&server, "/responses", json!({}))
        .await
        .text()
        .await
        .unwrap();
    assert!(fast.contains("response.completed"));
}

#[tokio::test]
async fn completed_with_usage_round_trips() {
    let server = server().await;
    let usage = TokenUsage {
        input_tokens: 5,
        cached_input_tokens: 1,
        output_tokens: 3,
        reasoning_output_tokens: 0,
        total_tokens: 8,
    };
    server.enqueue(MockResponse::sse([sse::completed_with_usage("r", &usage)]));
    let body = post(&server, "/responses", json!({}))
        .await
        .text()
        .await
        .unwrap();
    let data = body
        .lines()
        .find_map(|line| line.strip_prefix("data: "))
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        event["response"]["usage"]["input_tokens_details"]["cached_tokens"],
        1
    );
}

#[tokio::test]
async fn wait_for_requests_times_out_with_what_arrived() {
    let server = server().await;
    let requests = server.wait_for_requests(1, Duration::from_millis(20)).await;
    assert!(requests.is_empty());
}

#[tokio::test]
async fn shutdown_closes_the_listener() {
    let server = server().await;
    let addr = server.address();
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn dropping_the_server_closes_the_listener() {
    let server = server().await;
    let addr = server.address();
    drop(server);
    // The accept task notices the drop asynchronously; give it turns until the port refuses connections.
    let refused = tokio::time::timeout(WAIT, async {
        loop {
            match TcpStream::connect(addr).await {
                Err(_) => break,
                Ok(_) => tokio::task::yield_now().await,
            }
        }
    })
    .await;
    assert!(refused.is_ok(), "listener still accepting after drop");
}

#[tokio::test]
async fn a_responder_answers_many_concurrent_conversations_by_content() {
    use codex_sdk::Codex;
    use codex_sdk::model::{ModelProviderInfo, WireApi};
    use codex_sdk::testing::responders;
    use codex_sdk::tools::FunctionTool;

    let server = server().await;
    server.respond_with(responders::tool_call_then_text(
        "echo",
        r#"{"x":1}"#,
        "done",
    ));
    let provider =
        ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses).with_retries(0, 0);
    let codex = Codex::builder()
        .ephemeral()
        .provider(provider)
        .api_key("sk-test")
        .cwd(std::env::temp_dir())
        .tool(FunctionTool::new(
            "echo",
            "Echoes.",
            json!({"type": "object"}),
            |args, _ctx| async move { Ok(args.to_string()) },
        ))
        .build()
        .unwrap();
    let turns = (0..20).map(|_| {
        let codex = codex.clone();
        async move {
            let mut conv = codex.start_conversation().await.unwrap();
            let first = conv.run("go").await.unwrap();
            let second = conv.run("again").await.unwrap();
            (first, second)
        }
    });
    for (first, second) in futures::future::join_all(turns).await {
        assert_eq!(first.final_message.as_deref(), Some("done"));
        assert_eq!(second.final_message.as_deref(), Some("done"));
    }
    // Two requests per turn, two turns per conversation; every tool output went back to the model.
    let requests = server.requests();
    assert_eq!(requests.len(), 80);
    let outputs = requests
        .iter()
        .filter(|r| {
            let body = r.json();
            let last = body["input"].as_array().and_then(|i| i.last()).cloned();
            last.is_some_and(|item| {
                item["type"] == "function_call_output" && item["output"] == r#"{"x":1}"#
            })
        })
        .count();
    assert_eq!(outputs, 40);
}

#[tokio::test]
async fn queued_answers_go_before_the_responder_and_recording_can_be_turned_off() {
    let server = server().await;
    server.respond_with(|request| {
        MockResponse::status(200).body(format!("computed {}", request.path))
    });
    server.enqueue(MockResponse::status(201).body("queued"));
    let first = post(&server, "/a", json!({})).await;
    assert_eq!(first.status(), 201);
    assert_eq!(first.text().await.unwrap(), "queued");
    let second = post(&server, "/b", json!({})).await;
    assert_eq!(second.text().await.unwrap(), "computed /v1/b");
    assert_eq!(server.requests().len(), 2);

    server.set_recording(false);
    let third = post(&server, "/c", json!({})).await;
    assert_eq!(third.text().await.unwrap(), "computed /v1/c");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.request_count(), 3);
}
