//! codex-sdk as an MCP server (`exec mcp-server`), driven by the official Python MCP SDK: initialize, list
//! tools, `codex` (whose turn asks for an approval, answered by elicitation), `codex-reply`, against the
//! loopback model server.
//!
//! Runs when a Python with the `mcp` package is found (`MCP_PYTHON`, else the venv `scripts/test.sh`
//! creates under `~/.cache/codex-sdk/`); otherwise prints why it is skipped.

use std::path::PathBuf;
use std::time::Duration;

use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::{Value, json};

use super::support::exec_binary;

fn find_python() -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("MCP_PYTHON").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(python));
    }
    let home = PathBuf::from(std::env::var_os("HOME")?);
    let python = home.join(".cache/codex-sdk/mcp-python-venv/bin/python");
    python.is_file().then_some(python)
}

#[tokio::test]
async fn python_mcp_client_drives_codex_and_codex_reply() {
    let Some(python) = find_python() else {
        eprintln!(
            "SKIPPED python_mcp_client_drives_codex_and_codex_reply: no Python with the `mcp` package \
             (scripts/test.sh creates one; or set MCP_PYTHON)"
        );
        return;
    };
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r1",
        "touch",
        "shell",
        &json!({"command": ["touch", "made-by-codex"]}).to_string(),
    )));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "made it")));
    server.enqueue(MockResponse::sse(sse::text_response("r3", "second answer")));
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/mcp_server_client.py");
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(python)
            .arg(script)
            .arg(exec_binary())
            .arg(cwd.path())
            .env("CODEX_HOME", home.path())
            .env("OPENAI_API_KEY", "sk-mcp-server")
            .env("OPENAI_BASE_URL", server.base_url())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the Python client did not finish")
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(seen["tools"], json!(["codex", "codex-reply"]));
    assert_eq!(seen["first"]["text"], "made it", "{seen:#}");
    assert_eq!(seen["first"]["is_error"], false);
    let id = seen["first"]["structured"]["conversationId"]
        .as_str()
        .unwrap();
    assert_eq!(seen["second"]["text"], "second answer");
    assert_eq!(seen["second"]["structured"]["conversationId"], id);
    let elicitations = seen["elicitations"].as_array().unwrap();
    assert_eq!(elicitations.len(), 1, "{seen:#}");
    assert!(
        elicitations[0]
            .as_str()
            .unwrap()
            .contains("touch made-by-codex")
    );
    assert!(
        cwd.path().join("made-by-codex").exists(),
        "the approved command did not run"
    );
    let types: Vec<&str> = seen["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [
        "task_started",
        "exec_approval_request",
        "exec_command_end",
        "task_complete",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
}
