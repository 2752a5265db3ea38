#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code; criterion_group! generates undocumented items
//! Tool dispatch overhead: from a model's call (registry lookup, argument parsing, begin/end events) to the
//! handler's result, with a handler that does no work.

use std::time::Duration;

use codex_sdk::protocol::{AskForApproval, SandboxPolicy};
use codex_sdk::tools::{
    BuiltinToolsConfig, FunctionTool, ToolCall, ToolContext, ToolPayload, ToolRegistry,
    register_builtin_tools,
};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let registry = ToolRegistry::new();
    register_builtin_tools(&registry, &BuiltinToolsConfig::default()).unwrap();
    for i in 0..20 {
        registry
            .register(FunctionTool::new(
                format!("host_tool_{i}"),
                "noop",
                json!({"type": "object"}),
                |_a, _c| async { Ok(String::new()) },
            ))
            .unwrap();
    }
    let (ctx, mut rx) = rt.block_on(async {
        ToolContext::detached(
            "/tmp",
            AskForApproval::Never,
            SandboxPolicy::DangerFullAccess,
            None,
            Duration::from_secs(1),
        )
    });
    rt.spawn(async move { while rx.recv().await.is_some() {} });
    let call = ToolCall {
        call_id: "call_1".into(),
        name: "host_tool_19".into(),
        payload: ToolPayload::Function {
            arguments: r#"{"path": "/tmp/x", "n": 3}"#.into(),
        },
    };
    c.bench_function("dispatch/host_tool_noop", |b| {
        b.to_async(&rt)
            .iter(|| registry.dispatch(call.clone(), ctx.clone()));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
