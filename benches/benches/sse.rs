#![allow(missing_docs)] // criterion_group! generates undocumented items
//! SSE parsing throughput on a large recorded Responses-API stream (target: ≥ 300 MB/s).

use codex_sdk::model::sse::SseParser;
use codex_sdk::testing::{MockResponse, sse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A long, realistic stream: many text deltas, reasoning, tool calls and a completion, as the server frames it.
fn recorded_stream() -> Vec<u8> {
    let mut events = vec![sse::created("resp_1")];
    for i in 0..20_000 {
        events.push(sse::output_text_delta(&format!(
            "token {i} of a long streamed answer, "
        )));
        if i % 500 == 0 {
            events.push(sse::reasoning_summary_delta(
                "weighing the options before answering",
            ));
            events.push(sse::function_call(
                &format!("call_{i}"),
                "shell",
                r#"{"command":["bash","-lc","cargo test --workspace"],"timeout_ms":120000}"#,
            ));
        }
    }
    events.push(sse::assistant_message("msg_1", "done"));
    events.push(sse::completed("resp_1"));
    MockResponse::sse(events).body_bytes()
}

fn parse_all(bytes: &[u8], chunk: usize) -> usize {
    let mut parser = SseParser::new();
    let mut n = 0;
    for piece in bytes.chunks(chunk) {
        parser.feed(piece);
        while let Ok(Some(_event)) = parser.next_event() {
            n += 1;
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let bytes = recorded_stream();
    let mut group = c.benchmark_group("sse");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    // Network reads arrive in pieces; 16 KiB is a typical read size.
    group.bench_function("parse_16k_chunks", |b| {
        b.iter(|| parse_all(&bytes, 16 * 1024))
    });
    group.bench_function("parse_1k_chunks", |b| b.iter(|| parse_all(&bytes, 1024)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
