#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! What the app server adds to a turn: the same text turn against the loopback mock server, in process
//! (`Conversation::run`) and through `AppServer` over an in-memory pipe (`turn/start` written as a JSON
//! line, notifications read back until `turn/completed`). The difference is the protocol's cost:
//! framing, JSON both ways, the listener, the bounded queue.

use std::time::{Duration, Instant};

use codex_sdk::Codex;
use codex_sdk::app_server::AppServer;
use codex_sdk::config::Config;
use codex_sdk::model::{ApiKey, ModelProviderInfo, WireApi};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(MockServer::start()).expect("server");
    let home = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.model_provider =
        ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
            .with_retries(0, 0)
            .with_stream_idle_timeout(Duration::from_secs(10));
    config.api_key = Some(ApiKey::new("sk-bench"));
    config.cwd = "/tmp".into();
    config.codex_home = home.path().to_owned();

    let codex = Codex::builder()
        .provider(config.model_provider.clone())
        .api_key("sk-bench")
        .cwd("/tmp")
        .codex_home(home.path())
        .build()
        .expect("codex");
    let mut kept = Vec::new();
    c.bench_function("app_server/text_turn_in_process", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    server.enqueue(MockResponse::sse(sse::text_response("r", "done")));
                    let mut conv = codex.start_conversation().await.expect("conversation");
                    let result = conv.run("go").await.expect("turn");
                    assert_eq!(result.final_message.as_deref(), Some("done"));
                    // Kept alive, as the server keeps its threads: the same lifecycle on both sides.
                    kept.push(conv);
                }
                start.elapsed()
            })
        });
    });

    // One connection; each iteration starts a thread and runs one turn on it.
    let (client, server_side) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server_side);
    let app = AppServer::new(config);
    rt.spawn(async move { app.serve(server_read, server_write).await });
    let (client_read, mut client_write) = tokio::io::split(client);
    let mut lines = BufReader::new(client_read).lines();
    rt.block_on(async {
        let init = json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "bench", "version": "1"}}});
        client_write
            .write_all(format!("{init}\n").as_bytes())
            .await
            .unwrap();
        lines.next_line().await.unwrap().unwrap();
    });
    let mut next_id = 1;
    c.bench_function("app_server/text_turn_over_json_rpc", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    server.enqueue(MockResponse::sse(sse::text_response("r", "done")));
                    next_id += 1;
                    let start_thread =
                        json!({"id": next_id, "method": "thread/start", "params": {}});
                    client_write
                        .write_all(format!("{start_thread}\n").as_bytes())
                        .await
                        .unwrap();
                    let thread = loop {
                        let line = lines.next_line().await.unwrap().unwrap();
                        let v: Value = serde_json::from_str(&line).unwrap();
                        if v["id"] == next_id {
                            break v["result"]["thread"]["id"].as_str().unwrap().to_owned();
                        }
                    };
                    next_id += 1;
                    let request = json!({"id": next_id, "method": "turn/start", "params": {
                        "threadId": thread, "input": [{"type": "text", "text": "go"}]
                    }});
                    client_write
                        .write_all(format!("{request}\n").as_bytes())
                        .await
                        .unwrap();
                    loop {
                        let line = lines.next_line().await.unwrap().unwrap();
                        if line.contains("\"turn/completed\"") {
                            let v: Value = serde_json::from_str(&line).unwrap();
                            assert_eq!(v["params"]["turn"]["status"], "completed");
                            break;
                        }
                    }
                }
                start.elapsed()
            })
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
