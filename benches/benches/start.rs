#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code
//! Starting many conversations: one `Codex` (ephemeral, offline scripted model, default built-in tools)
//! starts N conversations and keeps them idle. Reports the time per start and the resident memory per idle
//! conversation, for N = 1,000, 10,000 and 100,000 (or the sizes in `START_BENCH_SIZES`, comma-separated).
//!
//! Each size runs in a fresh process (this binary re-runs itself), so memory freed by a smaller run does not
//! hide what a larger one costs. Targets: the time per start at 100,000 within 2× of the time at 1,000, and
//! 100,000 idle conversations within 1.5 GiB.
//!
//! Run: `cargo bench -p codex-sdk-benches --bench start`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use codex_sdk::Codex;
use codex_sdk::model::ScriptedModel;

const CHILD_FLAG: &str = "--start-bench-one";

/// Resident set size of this process, in bytes (Linux; 0 elsewhere).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn run_one(n: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let codex = Codex::builder()
            .ephemeral()
            .model_client(Arc::new(ScriptedModel::new([])))
            .build()
            .unwrap();
        // Warm up the runtime and the allocator with one conversation.
        drop(codex.start_conversation().await.unwrap());
        let before = rss_bytes();
        let started = Instant::now();
        let mut conversations = Vec::with_capacity(n);
        for _ in 0..n {
            conversations.push(codex.start_conversation().await.unwrap());
        }
        let elapsed = started.elapsed();
        // Let every session task reach its idle wait.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let after = rss_bytes();
        let per_start_us = elapsed.as_secs_f64() * 1e6 / n as f64;
        let per_conv_kib = after.saturating_sub(before) as f64 / 1024.0 / n as f64;
        println!(
            "start/{n}: {per_start_us:.1} µs per start ({:.2} s in all), {per_conv_kib:.1} KiB RSS per idle conversation ({:.0} MiB)",
            elapsed.as_secs_f64(),
            after.saturating_sub(before) as f64 / 1024.0 / 1024.0,
        );
        assert_eq!(codex.live_conversations().len(), n);
        drop(conversations);
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == CHILD_FLAG) {
        run_one(args[pos + 1].parse().unwrap());
        return;
    }
    // `cargo test --benches` runs benches once in test mode: keep that quick.
    if args.iter().any(|a| a == "--test") {
        run_one(100);
        return;
    }
    let sizes: Vec<usize> = std::env::var("START_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let exe = std::env::current_exe().unwrap();
    for n in sizes {
        let status = std::process::Command::new(&exe)
            .arg(CHILD_FLAG)
            .arg(n.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "start/{n} failed");
    }
}
