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

/// An in-process rmcp client without the elicitation capability, collecting `codex/event` notifications.
#[derive(Clone, Default)]
struct PlainClient {
    events: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
}

impl rmcp::ClientHandler for PlainClient {
    async fn on_custom_notification(
        &self,
        notification: rmcp::model::CustomNotification,
        _context: rmcp::service::NotificationContext<rmcp::service::RoleClient>,
    ) {
        if notification.method == "codex/event" {
            self.events
                .lock()
                .unwrap()
                .push(notification.params.unwrap_or_default());
        }
    }
}

#[tokio::test]
async fn approvals_are_denied_for_a_client_that_cannot_elicit() {
    use rmcp::ServiceExt;

    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        "r1",
        "touch",
        "shell",
        &json!({"command": ["touch", "never-made"]}).to_string(),
    )));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "was refused")));
    let cwd = tempfile::tempdir().unwrap();
    let provider = codex_sdk::model::ModelProviderInfo::custom(
        "mock",
        server.base_url(),
        codex_sdk::model::WireApi::Responses,
    )
    .with_retries(0, 0);
    let codex = codex_sdk::Codex::builder()
        .provider(provider)
        .api_key("sk-mcp")
        .ephemeral()
        .cwd(cwd.path())
        .build()
        .unwrap();
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server_io);
    tokio::spawn(codex_sdk::mcp::server::serve(
        codex,
        server_read,
        server_write,
    ));
    let handler = PlainClient::default();
    let events = handler.events.clone();
    let client = handler.serve(tokio::io::split(client_io)).await.unwrap();
    let args = json!({"prompt": "make a file", "approval-policy": "untrusted", "sandbox": "workspace-write"});
    let params: rmcp::model::CallToolRequestParams =
        serde_json::from_value(json!({"name": "codex", "arguments": args})).unwrap();
    let result = client.peer().call_tool(params).await.unwrap();
    let result = serde_json::to_value(&result).unwrap();
    assert_eq!(result["content"][0]["text"], "was refused", "{result:#}");
    assert_eq!(result["isError"], false);
    assert!(!cwd.path().join("never-made").exists());
    let events = events.lock().unwrap().clone();
    let types: Vec<&str> = events
        .iter()
        .filter_map(|e| e["msg"]["type"].as_str())
        .collect();
    assert!(types.contains(&"exec_approval_request"), "{types:?}");
    assert!(types.contains(&"task_complete"), "{types:?}");
    let output = server.requests()[1].json()["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "function_call_output")
        .unwrap()["output"]
        .clone();
    assert!(output.as_str().unwrap().contains("rejected"), "{output}");
}
