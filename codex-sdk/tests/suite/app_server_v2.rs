//! Codex's v2 protocol (threads and turns) through `codex-sdk app-server` as a real process: a scripted
//! session covering every core method, client tools called back, approvals both ways — and every message
//! of it validated against the JSON schema Codex CLI 0.169 generates for its own app server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::{Value, json};

use super::app_server_client::AppServerProcess;

fn find_codex() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("CODEX_CLI_BIN").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    let cached = PathBuf::from(std::env::var_os("HOME")?)
        .join(".cache/codex-sdk/codex-cli-0.169.0/node_modules/.bin/codex");
    if cached.is_file() {
        return Some(cached);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("codex"))
        .find(|p| p.is_file())
}

fn tool_turn(server: &MockServer, id: &str, tool: &str, args: &Value) {
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        id,
        &format!("call_{id}"),
        tool,
        &args.to_string(),
    )));
}

fn text_turn(server: &MockServer, id: &str, text: &str) {
    server.enqueue(MockResponse::sse(sse::text_response(id, text)));
}

/// The next notification `method` of thread `thread`.
async fn note(app: &mut AppServerProcess, method: &str, thread: &str) -> Value {
    app.take(|m| {
        m["method"] == method && m.get("id").is_none() && m["params"]["threadId"] == thread
    })
    .await
}

/// Waits for the end of the current turn; returns its `turn/completed` params.
async fn turn_completed(app: &mut AppServerProcess, thread: &str) -> Value {
    note(app, "turn/completed", thread).await["params"].clone()
}

async fn start_turn(app: &mut AppServerProcess, thread: &str, text: &str) -> String {
    let started = app
        .ok(
            "turn/start",
            json!({"threadId": thread, "input": [{"type": "text", "text": text}]}),
        )
        .await;
    assert_eq!(started["turn"]["status"], "inProgress");
    started["turn"]["id"].as_str().unwrap().to_owned()
}

async fn answer(app: &mut AppServerProcess, request: &Value, result: Value) {
    app.send(&json!({"id": request["id"], "result": result}))
        .await;
}

#[tokio::test]
async fn a_v2_session_covers_the_core_methods_and_matches_codex_schema() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let mut app = AppServerProcess::spawn(home.path(), &server);
    let init = app
        .ok(
            "initialize",
            json!({"clientInfo": {"name": "v2-client", "title": null, "version": "0.1"},
                   "capabilities": {"experimentalApi": true}}),
        )
        .await;
    assert!(
        init["userAgent"]
            .as_str()
            .unwrap()
            .ends_with("v2-client/0.1")
    );
    app.send(&json!({"method": "initialized"})).await;

    let models = app.ok("model/list", json!({})).await;
    assert!(
        models["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["isDefault"] == true)
    );

    let started = app
        .ok(
            "thread/start",
            json!({
                "cwd": work.path(), "approvalPolicy": "untrusted", "sandbox": "danger-full-access",
                "dynamicTools": [{
                    "type": "function", "name": "weather", "description": "Weather in a city.",
                    "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}}
                }]
            }),
        )
        .await;
    let thread = started["thread"]["id"].as_str().unwrap().to_owned();
    assert_eq!(started["approvalPolicy"], "untrusted");
    assert_eq!(started["sandbox"], json!({"type": "dangerFullAccess"}));
    let announced = app.take(|m| m["method"] == "thread/started").await;
    assert_eq!(announced["params"]["thread"]["id"], thread.as_str());

    // Turn 1: a client tool, then a command approved, then the answer.
    tool_turn(&server, "w", "weather", &json!({"city": "Paris"}));
    let touched = work.path().join("approved");
    tool_turn(
        &server,
        "c",
        "shell",
        &json!({"command": ["touch", touched]}),
    );
    text_turn(&server, "a", "Sunny, and the file is there.");
    let turn = start_turn(&mut app, &thread, "weather and a file").await;
    let turn_started = note(&mut app, "turn/started", &thread).await;
    assert_eq!(turn_started["params"]["turn"]["id"], turn.as_str());
    let call = app.server_request("item/tool/call").await;
    assert_eq!(call["params"]["tool"], "weather");
    assert_eq!(call["params"]["arguments"], json!({"city": "Paris"}));
    assert_eq!(call["params"]["turnId"], turn.as_str());
    answer(
        &mut app,
        &call,
        json!({"contentItems": [{"type": "inputText", "text": "Sunny in Paris"}], "success": true}),
    )
    .await;
    let ask = app
        .server_request("item/commandExecution/requestApproval")
        .await;
    assert_eq!(ask["params"]["itemId"], "call_c");
    answer(&mut app, &ask, json!({"decision": "accept"})).await;
    let done = turn_completed(&mut app, &thread).await;
    assert_eq!(done["turn"]["status"], "completed", "{done}");
    assert!(touched.exists());
    let tool_output = server.requests()[1].text();
    assert!(tool_output.contains("Sunny in Paris"), "{tool_output}");

    // Turn 2: a patch declined.
    let file = work.path().join("declined.txt");
    let patch = format!(
        "*** Begin Patch\n*** Add File: {}\n+x\n*** End Patch\n",
        file.display()
    );
    tool_turn(&server, "p", "apply_patch", &json!({"input": patch}));
    text_turn(&server, "p2", "Not applied.");
    start_turn(&mut app, &thread, "patch it").await;
    let ask = app.server_request("item/fileChange/requestApproval").await;
    answer(&mut app, &ask, json!({"decision": "decline"})).await;
    turn_completed(&mut app, &thread).await;
    assert!(!file.exists());

    // Turn 3: interrupted while the model stalls.
    server.enqueue(MockResponse::sse(sse::text_response("s", "never")).stall_after_bytes(10));
    let turn = start_turn(&mut app, &thread, "stall").await;
    note(&mut app, "turn/started", &thread).await;
    server.wait_for_requests(6, Duration::from_secs(30)).await;
    app.ok(
        "turn/interrupt",
        json!({"threadId": thread, "turnId": turn}),
    )
    .await;
    let done = turn_completed(&mut app, &thread).await;
    assert_eq!(done["turn"]["status"], "interrupted");

    // Compaction and a review.
    text_turn(&server, "k", "Summary of the work so far.");
    app.ok("thread/compact/start", json!({"threadId": thread}))
        .await;
    turn_completed(&mut app, &thread).await;
    let verdict = json!({"findings": [], "overall_correctness": "patch is correct",
                         "overall_explanation": "fine", "overall_confidence_score": 0.9});
    text_turn(&server, "r", &verdict.to_string());
    let review = app
        .ok(
            "review/start",
            json!({"threadId": thread, "target": {"type": "uncommittedChanges"}}),
        )
        .await;
    assert_eq!(review["reviewThreadId"], thread.as_str());
    turn_completed(&mut app, &thread).await;

    // Listing, reading, archiving.
    let listed = app.ok("thread/list", json!({"limit": 5})).await;
    assert_eq!(listed["data"][0]["id"], thread.as_str());
    let read = app
        .ok(
            "thread/read",
            json!({"threadId": thread, "includeTurns": true}),
        )
        .await;
    let turns = read["thread"]["turns"].as_array().unwrap();
    assert!(turns.len() >= 3, "{read}");
    assert_eq!(turns[0]["items"][0]["type"], "userMessage");
    // Resuming a thread running on this connection rejoins it.
    let rejoined = app.ok("thread/resume", json!({"threadId": thread})).await;
    assert_eq!(rejoined["thread"]["id"], thread.as_str());
    assert_eq!(rejoined["thread"]["status"], json!({"type": "idle"}));
    let forked = app.ok("thread/fork", json!({"threadId": thread})).await;
    let fork = forked["thread"]["id"].as_str().unwrap().to_owned();
    assert_ne!(fork, thread);
    app.ok("thread/archive", json!({"threadId": fork})).await;
    let back = app.ok("thread/unarchive", json!({"threadId": fork})).await;
    assert_eq!(back["thread"]["id"], fork.as_str());
    let bad = app
        .call("turn/start", json!({"threadId": "nope", "input": []}))
        .await;
    assert_eq!(bad["error"]["code"], -32602);

    let (code, _, mut transcript) = app.close_with_transcript().await;
    assert_eq!(code, Some(0));

    // A new process resumes the thread from its file.
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let resumed = app.ok("thread/resume", json!({"threadId": thread})).await;
    assert_eq!(resumed["thread"]["id"], thread.as_str());
    assert!(!resumed["thread"]["turns"].as_array().unwrap().is_empty());
    text_turn(&server, "z", "resumed answer");
    start_turn(&mut app, &thread, "again").await;
    let delta = note(&mut app, "item/agentMessage/delta", &thread).await;
    assert!(delta["params"]["delta"].is_string());
    turn_completed(&mut app, &thread).await;
    let (code, _, more) = app.close_with_transcript().await;
    assert_eq!(code, Some(0));
    transcript.extend(more);

    validate(&transcript, work.path()).await;
}

/// Checks every message against Codex CLI's generated schema (skipped, and said so, without Codex CLI or
/// Python's `jsonschema`).
async fn validate(transcript: &[Value], scratch: &Path) {
    let Some(codex) = find_codex() else {
        eprintln!(
            "skipping the schema check of a_v2_session_…: no Codex CLI (set CODEX_CLI_BIN; scripts/test.sh installs it)"
        );
        return;
    };
    let has_jsonschema = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_jsonschema {
        eprintln!(
            "skipping the schema check of a_v2_session_…: python3 with `jsonschema` not found"
        );
        return;
    }
    let stable = scratch.join("schema");
    let experimental = scratch.join("schema-experimental");
    for (dir, extra) in [(&stable, None), (&experimental, Some("--experimental"))] {
        let mut cmd = tokio::process::Command::new(&codex);
        cmd.args(["app-server", "generate-json-schema", "--out"])
            .arg(dir);
        cmd.args(extra);
        let out = cmd.output().await.unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let session = scratch.join("session.jsonl");
    let lines: Vec<String> = transcript.iter().map(Value::to_string).collect();
    std::fs::write(&session, lines.join("\n")).unwrap();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/suite/app_server_schema_check.py");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .arg(&stable)
        .arg(&experimental)
        .arg(&session)
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "messages that do not match Codex's schema:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every kind of message was checked.
    for kind in [
        "ServerNotification.json",
        "ServerRequest.json",
        "ClientRequest.json",
    ] {
        assert!(report.contains(kind), "{report}");
    }
}
