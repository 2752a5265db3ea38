#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! The cost of telemetry on a whole turn (one tool call, loopback mock model server): off, a host sink,
//! and OTLP/HTTP export to a loopback collector (which answers every export `200`). Target: ≤ 5 % slower.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use codex_sdk::config::{OtelConfig, OtelExporter};
use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::telemetry::TelemetryEvent;
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::tools::FunctionTool;
use codex_sdk::{Codex, CodexBuilder};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn echo() -> FunctionTool {
    FunctionTool::new(
        "echo",
        "Echoes.",
        json!({"type": "object"}),
        |args, _ctx| async move { Ok(args.to_string()) },
    )
}

/// A collector that reads each request and answers `200` with an empty body.
async fn collector() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/logs", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 16384];
                loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    url
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(MockServer::start()).expect("server");
    let endpoint = rt.block_on(collector());
    let base = || {
        Codex::builder()
            .ephemeral()
            .provider(
                ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
                    .with_retries(0, 0)
                    .with_stream_idle_timeout(Duration::from_secs(10)),
            )
            .api_key("sk-bench")
            .cwd("/tmp")
            .tool(echo())
    };
    let counted = Arc::new(AtomicU64::new(0));
    let sink_count = Arc::clone(&counted);
    let variants: Vec<(&str, CodexBuilder)> = vec![
        ("off", base()),
        (
            "host_sink",
            base().telemetry(Arc::new(move |_: &TelemetryEvent| {
                sink_count.fetch_add(1, Ordering::Relaxed);
            })),
        ),
        (
            "otlp_http",
            base().configure(|config| {
                let mut otel = OtelConfig::default();
                otel.exporter = OtelExporter::OtlpHttp {
                    endpoint: endpoint.clone(),
                    headers: Default::default(),
                    protocol: Default::default(),
                };
                config.otel = otel;
            }),
        ),
    ];
    let codexes: Vec<(&str, Codex)> = variants
        .into_iter()
        .map(|(name, builder)| (name, builder.build().expect("codex")))
        .collect();
    let turn = |codex: &Codex| {
        let (server, codex) = (&server, codex.clone());
        async move {
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
        }
    };
    for (name, codex) in &codexes {
        c.bench_function(&format!("telemetry/turn_one_tool_call/{name}"), |b| {
            b.to_async(&rt).iter(|| turn(codex));
        });
    }
    // The load of a shared machine drifts between criterion's runs: alternate the variants round by round
    // and compare medians, which is steadier.
    let mut per_turn: Vec<Vec<Duration>> = vec![Vec::new(); codexes.len()];
    for _ in 0..21 {
        for (i, (_, codex)) in codexes.iter().enumerate() {
            let started = Instant::now();
            for _ in 0..40 {
                rt.block_on(turn(codex));
            }
            per_turn[i].push(started.elapsed() / 40);
        }
    }
    let medians: Vec<Duration> = per_turn
        .iter_mut()
        .map(|t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    for ((name, _), median) in codexes.iter().zip(&medians) {
        let ratio = median.as_secs_f64() / medians[0].as_secs_f64();
        println!(
            "paired median {name:>10}: {:>8.1} µs per turn ({:+.1} % vs off)",
            median.as_secs_f64() * 1e6,
            (ratio - 1.0) * 100.0
        );
    }
    for (_, codex) in &codexes {
        rt.block_on(codex.shutdown()).expect("shutdown");
    }
    assert!(counted.load(Ordering::Relaxed) > 0);
}

criterion_group!(benches, bench);
criterion_main!(benches);
