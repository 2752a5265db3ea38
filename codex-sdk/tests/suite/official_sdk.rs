//! `codex-sdk exec --experimental-json` as the engine of the official TypeScript SDK (`@openai/codex-sdk`,
//! `new Codex({ codexPathOverride })`), unchanged, against the loopback model server: threads, resume,
//! structured output, streamed items, failures. Runs when node and the SDK are found (`CODEX_TS_SDK`, else
//! the copy scripts/test.sh installs under ~/.cache/codex-sdk); otherwise says why it is skipped.

use std::path::PathBuf;
use std::time::Duration;

use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::{Value, json};

use super::support::exec_binary;

fn find_sdk() -> Option<PathBuf> {
    let dir = match std::env::var_os("CODEX_TS_SDK").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?)
            .join(".cache/codex-sdk/codex-ts-sdk-0.163.0/node_modules/@openai/codex-sdk"),
    };
    let entry = dir.join("dist/index.js");
    entry.is_file().then_some(entry)
}

#[tokio::test]
async fn the_official_typescript_sdk_runs_on_codex_sdk_exec() {
    let Some(entry) = find_sdk() else {
        eprintln!(
            "skipping the_official_typescript_sdk_runs_on_codex_sdk_exec: @openai/codex-sdk not found \
             (set CODEX_TS_SDK; scripts/test.sh installs it)"
        );
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response(
        "r1",
        "Hi from the engine",
    )));
    server.enqueue(MockResponse::sse(sse::text_response(
        "r2",
        r#"{"answer":"42"}"#,
    )));
    server.enqueue(MockResponse::sse(sse::text_response("r3", "Resumed")));
    server.enqueue(MockResponse::sse(sse::text_response("ri", "A pixel")));
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r4",
        "call_1",
        "shell",
        &json!({"command": ["echo", "from a command"]}).to_string(),
    )));
    server.enqueue(MockResponse::sse(sse::text_response("r5", "Ran it")));
    server.enqueue(
        MockResponse::status(400).body("{\"error\":{\"message\":\"bad request for the test\"}}"),
    );

    // A 1×1 PNG for `--image`.
    let png: [u8; 67] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(work.path().join("pixel.png"), png).unwrap();
    let driver =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/official_ts_sdk.mjs");
    let out = tokio::time::timeout(
        Duration::from_secs(180),
        tokio::process::Command::new("node")
            .arg(driver)
            .arg(&entry)
            .arg(exec_binary())
            .arg(server.base_url())
            .arg(home.path())
            .arg(work.path())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the SDK driver timed out")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();

    // A plain turn: the answer, its item, the usage; the thread id for resuming.
    assert_eq!(report["first"]["finalResponse"], "Hi from the engine");
    let items = report["first"]["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["type"] == "agent_message" && i["id"] == "item_0"),
        "{items:?}"
    );
    assert!(
        report["first"]["usage"]["input_tokens"].is_number(),
        "{report}"
    );
    let thread = report["threadId"].as_str().unwrap();
    assert!(
        thread
            .parse::<codex_sdk::protocol::ConversationId>()
            .is_ok()
    );

    // Structured output reached the model as a JSON schema format, and came back parsed.
    assert_eq!(report["structured"], json!({"answer": "42"}));
    let requests = server.requests();
    let body = requests[1].json();
    assert_eq!(body["text"]["format"]["type"], "json_schema", "{body}");
    assert_eq!(
        body["text"]["format"]["schema"]["required"],
        json!(["answer"])
    );

    // Resume continued the same thread (the whole history went to the model).
    assert_eq!(report["resumed"]["threadId"], thread);
    assert_eq!(report["resumed"]["finalResponse"], "Resumed");
    assert!(requests[2].text().contains("Say hi"));

    // An image given to the SDK reached the model as an input image.
    assert_eq!(report["pictured"], "A pixel");
    let pictured = requests[3].text();
    assert!(
        pictured.contains("input_image") && pictured.contains("data:image/png;base64,"),
        "{pictured}"
    );

    // Streaming: Codex exec's event sequence, a command item with its output.
    let types: Vec<&str> = report["streamed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.first(), Some(&"thread.started"));
    assert_eq!(types.get(1), Some(&"turn.started"));
    assert_eq!(types.last(), Some(&"turn.completed"));
    let command = report["streamed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "item.completed" && e["item"]["type"] == "command_execution")
        .unwrap_or_else(|| panic!("no command item: {report}"));
    assert!(
        command["item"]["aggregated_output"]
            .as_str()
            .unwrap()
            .contains("from a command"),
        "{command}"
    );
    assert_eq!(command["item"]["exit_code"], 0);

    // A failed turn is an error in the SDK, with the reason.
    let failure = report["failure"].as_str().unwrap_or_default();
    assert!(failure.contains("bad request for the test"), "{report}");

    // The key came from the SDK (CODEX_API_KEY), not from the environment.
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sk-from-the-sdk")
    );
}
