//! A third-party server: `@modelcontextprotocol/server-everything` (npm), listed and called through a full
//! turn against the loopback model server.
//!
//! Runs when the server is found (`MCP_SERVER_EVERYTHING_BIN`, else the copy `scripts/test.sh` installs
//! under `~/.cache/codex-sdk/`); otherwise prints why it is skipped.

use std::path::PathBuf;
use std::time::Duration;

use codex_sdk::Codex;
use codex_sdk::mcp::McpServerConfig;
use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::protocol::{AskForApproval, EventMsg};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::{Value, json};

use super::mcp_common::{json, startup};
use super::support::{keep, turn_events};

/// The pinned version `scripts/test.sh` installs.
const VERSION: &str = "2026.8.31";

fn find_server() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("MCP_SERVER_EVERYTHING_BIN").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    let home = PathBuf::from(std::env::var_os("HOME")?);
    let bin = home.join(format!(
        ".cache/codex-sdk/mcp-server-everything-{VERSION}/node_modules/.bin/mcp-server-everything"
    ));
    bin.is_file().then_some(bin)
}

fn outputs(body: &Value) -> Vec<(String, String)> {
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "function_call_output")
        .map(|i| {
            (
                i["call_id"].as_str().unwrap().to_owned(),
                i["output"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn server_everything_through_a_full_turn() {
    let Some(bin) = find_server() else {
        eprintln!(
            "SKIPPED server_everything_through_a_full_turn: @modelcontextprotocol/server-everything not found \
             (scripts/test.sh installs it; or set MCP_SERVER_EVERYTHING_BIN)"
        );
        return;
    };
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::function_call("echo", "everything__echo", r#"{"message":"hi there"}"#),
        sse::function_call("sum", "everything__get-sum", r#"{"a":2,"b":3}"#),
        sse::function_call(
            "city",
            "everything__get-structured-content",
            r#"{"location":"Chicago"}"#,
        ),
        sse::function_call("img", "everything__get-tiny-image", "{}"),
        sse::completed("r1"),
    ]));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
    let provider = ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
        .with_retries(0, 0)
        .with_stream_idle_timeout(Duration::from_secs(5));
    let mut conv = Codex::builder()
        .provider(provider)
        .api_key("sk-mcp")
        .model("gpt-5-codex")
        .ephemeral()
        .approval_policy(AskForApproval::Never)
        .mcp_server(
            "everything",
            McpServerConfig::stdio(bin.to_string_lossy(), ["stdio"])
                .startup_timeout(Duration::from_secs(30)),
        )
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    let (_, done) = startup(&mut conv).await;
    assert_eq!(done.ready, vec!["everything".to_owned()], "{done:?}");
    conv.send("use the tools").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        matches!(events.last(), Some(EventMsg::TaskComplete(_))),
        "{events:#?}"
    );
    let ends = events
        .iter()
        .filter(|e| matches!(e, EventMsg::McpToolCallEnd(_)))
        .count();
    assert_eq!(ends, 4);

    let requests = server.wait_for_requests(2, Duration::from_secs(10)).await;
    let tools = requests[0].json()["tools"].as_array().unwrap().clone();
    let echo = tools
        .iter()
        .find(|t| t["name"] == "everything__echo")
        .unwrap_or_else(|| panic!("{tools:#?}"));
    assert_eq!(echo["parameters"]["type"], "object");
    assert_eq!(
        echo["parameters"]["properties"]["message"]["type"],
        "string"
    );
    for tool in &tools {
        assert_eq!(tool["parameters"]["type"], "object", "{tool}");
    }
    let body = requests[1].json();
    let outs = outputs(&body);
    let get = |id: &str| outs.iter().find(|(c, _)| c == id).unwrap().1.clone();
    assert!(get("echo").contains("hi there"), "{}", get("echo"));
    assert!(get("sum").contains('5'), "{}", get("sum"));
    let city = json(&get("city"));
    assert!(city.is_object(), "{city}");
    let image = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["type"] == "message" && i["content"][0]["type"] == "input_image");
    assert!(image, "{:#}", json!(body["input"]));
}
