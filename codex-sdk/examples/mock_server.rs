//! A standalone loopback model server for manual runs and whole-process benchmarks:
//! serves `N` scripted one-tool-call turns (`list_dir` on the given directory), then exits.
//!
//! ```text
//! cargo run --features testing --example mock_server -- 100 /tmp
//! ```
//! Prints `OPENAI_BASE_URL=http://127.0.0.1:PORT/v1` on its first line.

use std::time::Duration;

use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let turns: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let dir = args.next().unwrap_or_else(|| "/tmp".to_owned());
    let server = MockServer::start().await?;
    let arguments = json!({"dir_path": dir, "depth": 1}).to_string();
    for i in 0..turns {
        let call_id = format!("call_{i}");
        server.enqueue(MockResponse::sse(sse::tool_call_response(
            "r1",
            &call_id,
            "list_files",
            &arguments,
        )));
        server.enqueue(MockResponse::sse(sse::text_response(
            "r2",
            "Listed the directory.",
        )));
    }
    println!("OPENAI_BASE_URL={}", server.base_url());
    while server.pending() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let the last response finish streaming before the server goes away.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}
