#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! Building the compaction bridge (initial context + earlier user messages, truncated, + summary) for a
//! 5,000-message history.

use codex_sdk::conversation::compact::{COMPACT_BRIDGE_TEMPLATE, build_compacted_history};
use codex_sdk::protocol::{FunctionCallOutputPayload, ResponseItem};
use codex_sdk::rollout::is_real_user_message;
use criterion::{Criterion, criterion_group, criterion_main};

fn history(messages: usize) -> Vec<ResponseItem> {
    let mut items = vec![ResponseItem::user_text(
        "<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>",
    )];
    for i in 0..messages / 4 {
        items.push(ResponseItem::user_text(format!(
            "step {i}: please fix the failing test in module {i}"
        )));
        items.push(ResponseItem::FunctionCall {
            id: None,
            name: "shell".into(),
            arguments: format!(r#"{{"command":["cargo","test","module_{i}"]}}"#),
            call_id: format!("call_{i}"),
        });
        items.push(ResponseItem::FunctionCallOutput {
            call_id: format!("call_{i}"),
            output: FunctionCallOutputPayload::success(
                "test result: ok. 12 passed; 0 failed".repeat(4),
            ),
        });
        items.push(ResponseItem::assistant_text(format!(
            "Fixed module {i}; the tests pass now."
        )));
    }
    items
}

fn bench(c: &mut Criterion) {
    let items = history(5_000);
    let summary =
        "## Goal\nFix every failing test.\n## Done so far\nModules 0-1249 fixed.\n".repeat(10);
    c.bench_function("compact/bridge_5000_messages", |b| {
        b.iter(|| {
            let users: Vec<String> = items
                .iter()
                .filter(|i| is_real_user_message(i))
                .filter_map(ResponseItem::message_text)
                .collect();
            build_compacted_history(&items, &users, &summary, COMPACT_BRIDGE_TEMPLATE)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
