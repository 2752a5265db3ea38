#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! In-process cost of a whole turn with one tool call against the loopback mock server: two HTTP requests,
//! SSE parsing, the turn loop, tool dispatch and every event delivered to the consumer.

use std::time::Duration;

use codex_sdk::Codex;
use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::tools::FunctionTool;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn echo() -> FunctionTool {
    FunctionTool::new(
        "echo",
        "Echoes.",
        json!({"type": "object"}),
        |args, _ctx| async move { Ok(args.to_string()) },
    )
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(MockServer::start()).expect("server");
    let provider = ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
        .with_retries(0, 0)
        .with_stream_idle_timeout(Duration::from_secs(10));
    let codex = Codex::builder()
        .provider(provider)
        .api_key("sk-bench")
        .cwd("/tmp")
        .tool(echo())
        .build()
        .expect("codex");
    c.bench_function("turn/one_tool_call_loopback", |b| {
        b.to_async(&rt).iter(|| async {
            server.enqueue(MockResponse::sse(sse::tool_call_response(
                "r1",
                "c1",
                "echo",
                r#"{"x":1}"#,
            )));
            server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
            let mut conv = codex.start_conversation().await.expect("conversation");
            let result = conv.run("go").await.expect("turn");
            assert_eq!(result.final_message.as_deref(), Some("done"));
        });
    });
    c.bench_function("turn/conversation_start", |b| {
        b.to_async(&rt)
            .iter(|| async { codex.start_conversation().await.expect("conversation") });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
