#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! MCP figures, with the test server (`codex-sdk/examples/mcp_test_server.rs`; build it first:
//! `cargo build --release -p codex-agent-sdk --example mcp_test_server`, or point `MCP_TEST_SERVER` at it):
//!
//! - `mcp/turn_with_mcp_echo` vs `mcp/turn_with_host_echo`: one full turn (scripted model: a call, then an
//!   answer) whose call goes to the stdio server's `echo` vs an in-process host tool doing the same. The
//!   difference is the overhead of an MCP call beyond the server's own time.
//! - `mcp/startup_1_server` vs `mcp/startup_5_servers`: from starting a conversation to
//!   `McpStartupComplete` (tools ready).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codex_sdk::mcp::McpServerConfig;
use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::{AskForApproval, EventMsg, ResponseItem};
use codex_sdk::tools::FunctionTool;
use codex_sdk::{Codex, CodexBuilder};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MCP_TEST_SERVER") {
        return PathBuf::from(path);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bin = target.join("release/examples/mcp_test_server");
    assert!(
        bin.is_file(),
        "{} is missing: cargo build --release -p codex-agent-sdk --example mcp_test_server",
        bin.display()
    );
    bin
}

fn call(tool: &str) -> ScriptedResponse {
    ScriptedResponse::new().item(ResponseItem::FunctionCall {
        id: None,
        name: tool.to_owned(),
        arguments: r#"{"text":"hi"}"#.to_owned(),
        call_id: "c".to_owned(),
    })
}

fn builder(responses: Vec<ScriptedResponse>) -> CodexBuilder {
    Codex::builder()
        .ephemeral()
        .no_builtin_tools()
        .approval_policy(AskForApproval::Never)
        .model_client(Arc::new(ScriptedModel::new(responses)))
}

/// Times `iters` turns (after a warm-up turn that starts the server), each calling `tool` once.
async fn turns(iters: u64, tool: &str, mcp: bool) -> Duration {
    let mut responses = Vec::new();
    for _ in 0..=iters {
        responses.push(call(tool));
        responses.push(ScriptedResponse::text("done"));
    }
    let mut builder = builder(responses).tool(FunctionTool::new(
        "host__echo",
        "echo",
        json!({"type": "object", "properties": {"text": {"type": "string"}}}),
        |args, _ctx| async move { Ok(args["text"].as_str().unwrap_or_default().to_owned()) },
    ));
    if mcp {
        builder = builder.mcp_server(
            "test",
            McpServerConfig::stdio(server_binary().to_string_lossy(), ["stdio"]),
        );
    }
    let mut conv = builder.build().unwrap().start_conversation().await.unwrap();
    // Warm: the server is started before timing.
    conv.run("warm up").await.unwrap();
    let started = Instant::now();
    for _ in 0..iters {
        conv.run("go").await.unwrap();
    }
    let elapsed = started.elapsed();
    conv.shutdown().await.unwrap();
    elapsed
}

/// Times conversation start → `McpStartupComplete` with `n` servers.
async fn startup(n: usize) -> Duration {
    let mut builder = builder(Vec::new());
    for i in 0..n {
        builder = builder.mcp_server(
            format!("s{i}"),
            McpServerConfig::stdio(server_binary().to_string_lossy(), ["stdio"]),
        );
    }
    let codex = builder.build().unwrap();
    let started = Instant::now();
    let mut conv = codex.start_conversation().await.unwrap();
    while let Some(event) = conv.next_event().await {
        if let EventMsg::McpStartupComplete(done) = event.msg {
            assert_eq!(done.ready.len(), n);
            break;
        }
    }
    let elapsed = started.elapsed();
    conv.shutdown().await.unwrap();
    elapsed
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("mcp");
    group.sample_size(20);
    group.bench_function("turn_with_host_echo", |b| {
        b.to_async(&rt)
            .iter_custom(|iters| turns(iters, "host__echo", false));
    });
    group.bench_function("turn_with_mcp_echo", |b| {
        b.to_async(&rt)
            .iter_custom(|iters| turns(iters, "test__echo", true));
    });
    group.bench_function("startup_1_server", |b| {
        b.to_async(&rt).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += startup(1).await;
            }
            total
        });
    });
    group.bench_function("startup_5_servers", |b| {
        b.to_async(&rt).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += startup(5).await;
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
