//! `codex-sdk app-server` as a real process over pipes against the loopback model server: the seed's (v1)
//! methods, approvals as server requests answered both ways, many conversations on one connection, and
//! every kind of bad input answered without losing the connection.

use std::path::Path;

use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::{Value, json};

use super::app_server_client::AppServerProcess;
use super::support::walk;

fn text_turn(server: &MockServer, id: &str, text: &str) {
    server.enqueue(MockResponse::sse(sse::text_response(id, text)));
}

fn tool_turn(server: &MockServer, id: &str, tool: &str, args: &Value) {
    server.enqueue(MockResponse::sse(sse::tool_call_response(
        id,
        &format!("call_{id}"),
        tool,
        &args.to_string(),
    )));
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {response}"))
}

#[tokio::test]
async fn a_turn_streams_events_as_notifications_and_carries_the_client_in_the_user_agent() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    text_turn(&server, "r1", "Hello from the server");
    let mut app = AppServerProcess::spawn(home.path(), &server);

    let init = app
        .ok(
            "initialize",
            json!({"clientInfo": {"name": "test-client", "title": "Test", "version": "1.2.3"}}),
        )
        .await;
    let user_agent = init["userAgent"].as_str().unwrap().to_owned();
    assert!(user_agent.ends_with(" test-client/1.2.3"), "{user_agent}");
    let again = app.ok("getUserAgent", json!(null)).await;
    assert_eq!(again["userAgent"], user_agent.as_str());

    let started = app
        .ok(
            "newConversation",
            json!({"cwd": work.path(), "model": "gpt-5-codex"}),
        )
        .await;
    let id = started["conversationId"].as_str().unwrap().to_owned();
    assert_eq!(started["model"], "gpt-5-codex");
    let rollout = started["rolloutPath"].as_str().unwrap().to_owned();
    assert!(Path::new(&rollout).starts_with(home.path().join("sessions")));

    let listen = app
        .request(
            "addConversationListener",
            Some(json!({"conversationId": id})),
        )
        .await;
    let subscribed = app.read().await.unwrap();
    assert_eq!(subscribed["id"], listen, "{subscribed}");
    let first = app.read().await.unwrap();
    assert_eq!(first["method"], "sessionConfigured", "{first}");
    assert_eq!(first["params"]["sessionId"], id.as_str());
    assert_eq!(first["params"]["rolloutPath"], rollout.as_str());

    app.ok(
        "sendUserMessage",
        json!({"conversationId": id, "items": [{"type": "text", "data": {"text": "hi"}}]}),
    )
    .await;
    let mut deltas = String::new();
    loop {
        let m = app.take(|m| m["method"] == "codex/event").await;
        assert_eq!(m["params"]["conversationId"], id.as_str());
        match m["params"]["msg"]["type"].as_str().unwrap() {
            "agent_message_delta" => deltas.push_str(m["params"]["msg"]["delta"].as_str().unwrap()),
            "task_complete" => break,
            "error" | "turn_aborted" => panic!("{m}"),
            _ => {}
        }
    }
    assert_eq!(deltas, "Hello from the server");

    let requests = server.requests();
    let header = requests[0].header("user-agent").unwrap().to_owned();
    assert_eq!(header, user_agent);
    assert!(requests[0].text().contains("\"hi\""));

    // A listener can be removed (once) and added again; events flow to the new one.
    let subscription = subscribed["result"]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        "removeConversationListener",
        json!({"subscriptionId": subscription}),
    )
    .await;
    let twice = app
        .call(
            "removeConversationListener",
            json!({"subscriptionId": subscription}),
        )
        .await;
    assert_eq!(error_code(&twice), -32602, "{twice}");
    text_turn(&server, "r2", "Second answer");
    app.ok(
        "sendUserMessage",
        json!({"conversationId": id, "items": [{"type": "text", "data": {"text": "more"}}]}),
    )
    .await;
    app.ok("addConversationListener", json!({"conversationId": id}))
        .await;
    let done = app.event(&id, "task_complete").await;
    assert_eq!(done["params"]["msg"]["last_agent_message"], "Second answer");

    let listed = app.ok("listConversations", json!({"pageSize": 10})).await;
    assert_eq!(listed["items"][0]["conversationId"], id.as_str());
    assert_eq!(listed["items"][0]["preview"], "hi");
    assert_eq!(listed["items"][0]["path"], rollout.as_str());

    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn command_approvals_are_server_requests_answered_both_ways() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let (id, _) = app
        .conversation(
            work.path(),
            json!({"approvalPolicy": "untrusted", "sandbox": "danger-full-access"}),
        )
        .await;

    for (turn, decision, file) in [("a", "approved", "yes"), ("b", "denied", "no")] {
        let target = work.path().join(file);
        tool_turn(
            &server,
            turn,
            "shell",
            &json!({"command": ["touch", target]}),
        );
        text_turn(&server, &format!("{turn}2"), "done");
        app.ok(
            "sendUserMessage",
            json!({"conversationId": id, "items": [{"type": "text", "data": {"text": "touch it"}}]}),
        )
        .await;
        let ask = app.server_request("execCommandApproval").await;
        assert_eq!(ask["params"]["conversationId"], id.as_str());
        assert_eq!(ask["params"]["callId"], format!("call_{turn}"));
        assert_eq!(ask["params"]["command"], json!(["touch", target]));
        app.send(&json!({"id": ask["id"], "result": {"decision": decision}}))
            .await;
        let end = app.event(&id, "tool_call_end").await;
        app.event(&id, "task_complete").await;
        assert_eq!(target.exists(), decision == "approved", "{decision}: {end}");
    }

    // A patch: an error answer counts as a denial; then an approval applies it.
    for (turn, answer, applied) in [
        ("p", json!({"error": {"code": -1, "message": "no"}}), false),
        ("q", json!({"result": {"decision": "approved"}}), true),
    ] {
        let file = work.path().join(format!("{turn}.txt"));
        let patch = format!(
            "*** Begin Patch\n*** Add File: {}\n+patched\n*** End Patch\n",
            file.display()
        );
        tool_turn(&server, turn, "apply_patch", &json!({"input": patch}));
        text_turn(&server, &format!("{turn}2"), "done");
        app.ok(
            "sendUserMessage",
            json!({"conversationId": id, "items": [{"type": "text", "data": {"text": "patch it"}}]}),
        )
        .await;
        let ask = app.server_request("applyPatchApproval").await;
        assert!(
            ask["params"]["fileChanges"]
                .get(file.to_str().unwrap())
                .is_some(),
            "{ask}"
        );
        let mut reply = answer.clone();
        reply["id"] = ask["id"].clone();
        app.send(&reply).await;
        app.event(&id, "task_complete").await;
        assert_eq!(file.exists(), applied, "{answer}");
    }
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn two_conversations_run_at_once_on_one_connection() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let (a, _) = app.conversation(work.path(), json!({})).await;
    let (b, _) = app.conversation(work.path(), json!({})).await;
    assert_ne!(a, b);
    // Slow answers, so both turns are in flight together.
    for id in ["x", "y"] {
        server.enqueue(
            MockResponse::sse(sse::text_response(id, "same answer"))
                .event_delay(std::time::Duration::from_millis(30)),
        );
    }
    for conv in [&a, &b] {
        app.ok(
            "sendUserMessage",
            json!({"conversationId": conv, "items": [{"type": "text", "data": {"text": format!("to {conv}")}}]}),
        )
        .await;
    }
    for conv in [&a, &b] {
        let done = app.event(conv, "task_complete").await;
        assert_eq!(done["params"]["msg"]["last_agent_message"], "same answer");
    }
    // Each conversation's own request carried its own input.
    let bodies: Vec<String> = server.requests().iter().map(|r| r.text()).collect();
    for conv in [&a, &b] {
        assert_eq!(
            bodies
                .iter()
                .filter(|b| b.contains(&format!("to {conv}")))
                .count(),
            1
        );
    }
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn interrupt_answers_with_the_abort_reason_and_resume_fork_archive_work_on_the_file() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let (id, started) = app.conversation(work.path(), json!({})).await;
    let rollout = started["rolloutPath"].as_str().unwrap().to_owned();

    text_turn(&server, "r1", "first answer");
    app.ok(
        "sendUserMessage",
        json!({"conversationId": id, "items": [{"type": "text", "data": {"text": "one"}}]}),
    )
    .await;
    app.event(&id, "task_complete").await;

    // A turn whose model stalls: the interrupt is answered once the turn is aborted.
    server.enqueue(MockResponse::sse(sse::text_response("r2", "never")).stall_after_bytes(10));
    app.ok(
        "sendUserTurn",
        json!({
            "conversationId": id, "items": [{"type": "text", "data": {"text": "two"}}],
            "cwd": work.path(), "approvalPolicy": "never", "sandboxPolicy": {"mode": "read-only"},
            "model": "gpt-5-codex", "summary": "auto"
        }),
    )
    .await;
    app.event(&id, "task_started").await;
    let interrupted = app
        .ok("interruptConversation", json!({"conversationId": id}))
        .await;
    assert_eq!(interrupted, json!({"abortReason": "interrupted"}));
    app.event(&id, "turn_aborted").await;
    // A live conversation cannot be resumed twice.
    let live = app
        .call("resumeConversation", json!({"path": rollout}))
        .await;
    assert_eq!(error_code(&live), -32602, "{live}");
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));

    // A new server process resumes it from its file.
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let resumed = app.ok("resumeConversation", json!({"path": rollout})).await;
    assert_eq!(resumed["conversationId"], id.as_str());
    assert_eq!(resumed["rolloutPath"], rollout.as_str());
    let replayed = resumed["initialMessages"].to_string();
    assert!(replayed.contains("first answer"), "{replayed}");

    let forked = app
        .ok(
            "forkConversation",
            json!({"path": rollout, "nthUserMessage": 0}),
        )
        .await;
    assert_ne!(forked["conversationId"], id.as_str());
    assert_ne!(forked["rolloutPath"], rollout.as_str());

    let wrong = app
        .call(
            "archiveConversation",
            json!({"conversationId": forked["conversationId"], "rolloutPath": rollout}),
        )
        .await;
    assert!(wrong.get("error").is_some(), "{wrong}");
    app.ok(
        "archiveConversation",
        json!({"conversationId": id, "rolloutPath": rollout}),
    )
    .await;
    assert!(!Path::new(&rollout).exists());
    let archived = walk(&home.path().join("archived_sessions"));
    assert_eq!(archived.len(), 1, "{archived:?}");
    // The archived conversation is gone from this connection.
    let gone = app
        .call(
            "sendUserMessage",
            json!({"conversationId": id, "items": [{"type": "text", "data": {"text": "x"}}]}),
        )
        .await;
    assert_eq!(error_code(&gone), -32602, "{gone}");
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn defaults_and_credentials_methods_edit_codex_home() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "# my settings\nmodel = \"o3\" # keep me\n",
    )
    .unwrap();
    let mut app = AppServerProcess::initialized(home.path(), &server).await;

    app.ok(
        "setDefaultModel",
        json!({"model": "gpt-5", "reasoningEffort": "high"}),
    )
    .await;
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(
        text.contains("# my settings") && text.contains("# keep me"),
        "{text}"
    );
    assert!(
        text.contains("model = \"gpt-5\"") && text.contains("model_reasoning_effort = \"high\"")
    );
    // New conversations pick the defaults up.
    let work = tempfile::tempdir().unwrap();
    let started = app.ok("newConversation", json!({"cwd": work.path()})).await;
    assert_eq!(started["model"], "gpt-5");
    assert_eq!(started["reasoningEffort"], "high");
    app.ok("setDefaultModel", json!({})).await;
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(
        !text.contains("model") || text.lines().all(|l| !l.starts_with("model")),
        "{text}"
    );

    assert_eq!(app.ok("getAuthStatus", json!({})).await, json!({}));
    app.ok("loginApiKey", json!({"apiKey": "sk-stored"})).await;
    let change = app.take(|m| m["method"] == "authStatusChange").await;
    assert_eq!(change["params"], json!({"authMethod": "apikey"}));
    assert_eq!(
        app.ok("getAuthStatus", json!({"includeToken": true})).await,
        json!({"authMethod": "apikey", "authToken": "sk-stored"})
    );
    assert_eq!(app.ok("userInfo", json!(null)).await, json!({}));
    app.ok("logout", json!(null)).await;
    let change = app.take(|m| m["method"] == "authStatusChange").await;
    assert_eq!(change["params"], json!({}));
    assert_eq!(app.ok("getAuthStatus", json!({})).await, json!({}));
    let empty = app.call("loginApiKey", json!({"apiKey": " "})).await;
    assert_eq!(error_code(&empty), -32602);
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn bad_input_gets_json_rpc_errors_and_the_connection_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let mut app = AppServerProcess::spawn(home.path(), &server);

    // Before initialize.
    let early = app.call("getUserAgent", json!(null)).await;
    assert_eq!(error_code(&early), -32002);

    let init = json!({"clientInfo": {"name": "c", "version": "1"}});
    app.ok("initialize", init.clone()).await;
    let twice = app.call("initialize", init).await;
    assert_eq!(error_code(&twice), -32002);

    for (line, code) in [
        ("this is not json", -32700),
        ("[1, 2]", -32600),
        ("{\"id\": 7}", -32600),
        ("{\"id\": {}, \"method\": \"getUserAgent\"}", -32600),
        ("\u{7f}\u{1}", -32700),
    ] {
        app.send_line(line).await;
        let error = app.take(|m| m.get("error").is_some()).await;
        assert_eq!(error_code(&error), code, "{line}: {error}");
    }
    app.send_line("").await;

    let unknown = app.call("noSuchMethod", json!({})).await;
    assert_eq!(error_code(&unknown), -32601);
    let wrong = app
        .call("sendUserMessage", json!({"conversationId": 5}))
        .await;
    assert_eq!(error_code(&wrong), -32602);
    let missing = app
        .call(
            "sendUserMessage",
            json!({"conversationId": "01990000-0000-7000-8000-000000000000", "items": []}),
        )
        .await;
    assert_eq!(error_code(&missing), -32602);
    let bad_cwd = app
        .call("newConversation", json!({"cwd": "/definitely/not/here"}))
        .await;
    assert_eq!(error_code(&bad_cwd), -32602);
    let bad_config = app
        .call(
            "newConversation",
            json!({"config": {"model_context_window": "huge"}}),
        )
        .await;
    assert!(bad_config.get("error").is_some(), "{bad_config}");
    let bad_cursor = app
        .call("listConversations", json!({"cursor": "nope"}))
        .await;
    assert_eq!(error_code(&bad_cursor), -32602);

    // Answers to requests the server never sent.
    app.send(&json!({"id": 4242, "result": {"decision": "approved"}}))
        .await;
    let stray = app.take(|m| m["id"] == 4242).await;
    assert_eq!(error_code(&stray), -32600);
    // Notifications from the client are accepted silently.
    app.send(&json!({"method": "initialized"})).await;

    // Still serving.
    let ua = app.ok("getUserAgent", json!(null)).await;
    assert!(ua["userAgent"].as_str().unwrap().ends_with("c/1"));
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn a_client_that_disappears_mid_turn_and_mid_approval_ends_the_server_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let (stalled, started) = app.conversation(work.path(), json!({})).await;
    let (asking, _) = app
        .conversation(
            work.path(),
            json!({"approvalPolicy": "untrusted", "sandbox": "danger-full-access"}),
        )
        .await;

    server.enqueue(MockResponse::sse(sse::text_response("s", "never")).stall_after_bytes(10));
    app.ok(
        "sendUserMessage",
        json!({"conversationId": stalled, "items": [{"type": "text", "data": {"text": "stall"}}]}),
    )
    .await;
    app.event(&stalled, "task_started").await;
    // The stalled answer is taken before the next one is queued (answers are served in order).
    server
        .wait_for_requests(1, std::time::Duration::from_secs(30))
        .await;
    let target = work.path().join("never");
    tool_turn(
        &server,
        "t",
        "shell",
        &json!({"command": ["touch", target]}),
    );
    app.ok(
        "sendUserMessage",
        json!({"conversationId": asking, "items": [{"type": "text", "data": {"text": "ask"}}]}),
    )
    .await;
    app.server_request("execCommandApproval").await;

    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
    assert!(!target.exists(), "an unanswered approval is a denial");
    // The rollout was written out whole.
    let rollout = std::fs::read_to_string(started["rolloutPath"].as_str().unwrap()).unwrap();
    assert!(
        rollout.ends_with('\n') && rollout.contains("stall"),
        "{rollout}"
    );
}

#[tokio::test]
async fn rollout_paths_that_are_not_regular_files_are_refused_without_blocking() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    let fifo = work.path().join("fifo.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut app = AppServerProcess::initialized(home.path(), &server).await;
    let (id, _) = app.conversation(work.path(), json!({})).await;
    // Each of these once blocked on the FIFO or read /dev/zero until memory ran out.
    for path in [fifo.to_str().unwrap(), "/dev/zero"] {
        let resumed = app.call("resumeConversation", json!({"path": path})).await;
        assert_eq!(error_code(&resumed), -32602, "{resumed}");
        assert!(
            resumed["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not a regular file"),
            "{resumed}"
        );
        let forked = app.call("forkConversation", json!({"path": path})).await;
        assert_eq!(error_code(&forked), -32602, "{forked}");
        let archived = app
            .call(
                "archiveConversation",
                json!({"conversationId": id, "rolloutPath": path}),
            )
            .await;
        assert_eq!(error_code(&archived), -32602, "{archived}");
    }
    let (code, _) = app.close().await;
    assert_eq!(code, Some(0));
}
