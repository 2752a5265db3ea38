//! MCP client: servers start with the conversation, their tools reach the model as `<server>__<tool>`,
//! calls round-trip with events, results of every kind reach the model, approvals apply.

use codex_sdk::Codex;
use codex_sdk::config::Config;
use codex_sdk::mcp::{McpServerConfig, qualified_tool_name};
use codex_sdk::model::ScriptedResponse;
use codex_sdk::protocol::{
    AskForApproval, ContentItem, ElicitationAction, EventMsg, McpInvocation, McpStartupStatus,
    McpToolCallResult, Op, ResponseItem, ReviewDecision,
};
use serde_json::json;

use super::mcp_common::{
    alive, calls, conversation, eventually, json, output, startup, test_server, tool_names,
};
use super::support::{events_until, keep, turn_events};

#[tokio::test]
async fn stdio_server_tools_reach_the_model_and_a_call_round_trips() {
    let (mut conv, model) = conversation(
        vec![("test", test_server("stdio"))],
        vec![
            calls(&[("c1", "test__echo", r#"{"text":"hello"}"#)]),
            ScriptedResponse::text("done"),
        ],
        AskForApproval::Never,
    )
    .await;
    let (events, done) = startup(&mut conv).await;
    assert_eq!(done.ready, vec!["test".to_owned()]);
    assert!(done.failed.is_empty());
    assert!(events.iter().any(|e| matches!(e,
        EventMsg::McpStartupUpdate(u) if u.server == "test" && u.status == McpStartupStatus::Starting)));
    assert!(events.iter().any(|e| matches!(e,
        EventMsg::McpStartupUpdate(u) if u.status == McpStartupStatus::Ready { tools: 12 })));

    conv.submit(Op::UserInput {
        items: vec!["say hello".into()],
    })
    .await
    .unwrap();
    let events = turn_events(&mut conv).await;
    assert!(matches!(events.last(), Some(EventMsg::TaskComplete(_))));
    let invocation = McpInvocation {
        server: "test".into(),
        tool: "echo".into(),
        arguments: Some(json!({"text": "hello"})),
    };
    let begin = events
        .iter()
        .find_map(|e| match e {
            EventMsg::McpToolCallBegin(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (begin.call_id.as_str(), &begin.invocation),
        ("c1", &invocation)
    );
    let end = events
        .iter()
        .find_map(|e| match e {
            EventMsg::McpToolCallEnd(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(end.invocation, invocation);
    assert_eq!(
        end.result,
        McpToolCallResult::Response {
            content: vec![json!({"type": "text", "text": "hello"})],
            structured_content: None,
            is_error: false,
        }
    );
    assert_eq!(output(&model, 1, "c1"), ("hello".to_owned(), Some(true)));

    // Every tool is visible under a name the API accepts; sanitised and long names stay unique.
    let names = tool_names(&model, 0);
    for name in [
        "test__echo",
        "test__peek",
        &qualified_tool_name("test", "dotted.name"),
        &qualified_tool_name("test", &"x".repeat(70)),
        "list_mcp_resources",
        "list_mcp_resource_templates",
        "read_mcp_resource",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    for name in &names {
        assert!(
            name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        );
    }
}

#[tokio::test]
async fn images_structured_content_and_is_error_reach_the_model() {
    let (mut conv, model) = conversation(
        vec![("test", test_server("stdio"))],
        vec![
            calls(&[
                ("img", "test__image", "{}"),
                ("st", "test__structured", ""),
                ("bad", "test__fail", "{}"),
            ]),
            ScriptedResponse::text("done"),
        ],
        AskForApproval::Never,
    )
    .await;
    let events = conv.run("go").await.unwrap();
    assert_eq!(events.final_message.as_deref(), Some("done"));
    let (image_text, ok) = output(&model, 1, "img");
    assert!(
        image_text.contains("a pixel") && ok == Some(true),
        "{image_text}"
    );
    assert_eq!(json(&output(&model, 1, "st").0), json!({"answer": 42}));
    assert_eq!(
        output(&model, 1, "bad"),
        ("it broke".to_owned(), Some(false))
    );
    let image = model.prompts()[1].input.iter().find_map(|item| match item {
        ResponseItem::Message { role, content, .. } if role == "user" => {
            content.iter().find_map(|c| match c {
                ContentItem::InputImage { image_url } => Some(image_url.clone()),
                _ => None,
            })
        }
        _ => None,
    });
    assert!(image.unwrap().starts_with("data:image/png;base64,iVBOR"));
}

#[tokio::test]
async fn streamable_http_server_on_loopback() {
    let mut server =
        tokio::process::Command::new(super::support::example_binary("mcp_test_server"))
            .arg("http")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
    let mut lines =
        tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(server.stdout.take().unwrap()));
    let url = lines.next_line().await.unwrap().unwrap();
    let url = url.strip_prefix("url ").unwrap().to_owned();
    let (mut conv, model) = conversation(
        vec![(
            "web",
            McpServerConfig::streamable_http(url).http_header("X-Test", "1"),
        )],
        vec![
            calls(&[
                ("c1", "web__echo", r#"{"text":"over http"}"#),
                (
                    "c2",
                    "read_mcp_resource",
                    r#"{"server":"web","uri":"test://greeting"}"#,
                ),
            ]),
            ScriptedResponse::text("done"),
        ],
        AskForApproval::Never,
    )
    .await;
    let (_, done) = startup(&mut conv).await;
    assert_eq!(done.ready, vec!["web".to_owned()], "{done:?}");
    conv.run("go").await.unwrap();
    assert_eq!(output(&model, 1, "c1").0, "over http");
    assert!(output(&model, 1, "c2").0.contains("hello from a resource"));
}

#[tokio::test]
async fn resource_tools_list_and_read_across_servers() {
    let (mut conv, model) = conversation(
        vec![("a", test_server("stdio")), ("b", test_server("stdio"))],
        vec![
            calls(&[
                ("list", "list_mcp_resources", "{}"),
                (
                    "templates",
                    "list_mcp_resource_templates",
                    r#"{"server":"b"}"#,
                ),
                (
                    "read",
                    "read_mcp_resource",
                    r#"{"server":"a","uri":"test://greeting"}"#,
                ),
                (
                    "missing",
                    "read_mcp_resource",
                    r#"{"server":"a","uri":"test://nope"}"#,
                ),
                (
                    "nobody",
                    "read_mcp_resource",
                    r#"{"server":"zz","uri":"test://greeting"}"#,
                ),
            ]),
            ScriptedResponse::text("done"),
        ],
        AskForApproval::Never,
    )
    .await;
    conv.run("go").await.unwrap();
    let list = json(&output(&model, 1, "list").0);
    for server in ["a", "b"] {
        assert_eq!(
            list[server]["resources"][0]["uri"], "test://greeting",
            "{list}"
        );
    }
    let templates = json(&output(&model, 1, "templates").0);
    assert_eq!(
        templates["b"]["resource_templates"][0]["uriTemplate"],
        "test://echo/{word}"
    );
    assert!(
        output(&model, 1, "read")
            .0
            .contains("hello from a resource")
    );
    let (missing, ok) = output(&model, 1, "missing");
    assert!(
        missing.contains("no resource test://nope") && ok == Some(false),
        "{missing}"
    );
    assert!(
        output(&model, 1, "nobody")
            .0
            .contains("no MCP server named `zz`")
    );
}

#[tokio::test]
async fn on_request_asks_for_unannotated_tools_and_runs_read_only_ones() {
    let (mut conv, model) = conversation(
        vec![("test", test_server("stdio"))],
        vec![
            calls(&[
                ("ro", "test__peek", "{}"),
                ("rw", "test__echo", r#"{"text":"x"}"#),
            ]),
            ScriptedResponse::text("done"),
        ],
        AskForApproval::OnRequest,
    )
    .await;
    conv.submit(Op::UserInput {
        items: vec!["go".into()],
    })
    .await
    .unwrap();
    let events = events_until(&mut conv, |m| {
        matches!(m, EventMsg::McpToolCallApprovalRequest(_))
    })
    .await;
    let Some(EventMsg::McpToolCallApprovalRequest(request)) = events.last().map(|e| e.msg.clone())
    else {
        unreachable!()
    };
    assert_eq!(request.call_id, "rw");
    assert_eq!(request.invocation.tool, "echo");
    conv.submit(Op::McpToolApproval {
        id: "rw".into(),
        decision: ReviewDecision::Denied,
    })
    .await
    .unwrap();
    let events = turn_events(&mut conv).await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, EventMsg::McpToolCallApprovalRequest(_)))
    );
    assert_eq!(
        output(&model, 1, "ro"),
        ("nothing changed".to_owned(), Some(true))
    );
    let (denied, ok) = output(&model, 1, "rw");
    assert!(denied.contains("denied") && ok == Some(false), "{denied}");
}

#[tokio::test]
async fn servers_are_read_from_config_toml_and_filtered() {
    let home = tempfile::tempdir().unwrap();
    let bin = super::support::example_binary("mcp_test_server");
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[mcp_servers.test]\ncommand = {:?}\nargs = [\"stdio\"]\nenabled_tools = [\"echo\", \"fail\", \"pid\"]\n\
             disabled_tools = [\"fail\"]\nstartup_timeout_sec = 5\n\n\
             [mcp_servers.off]\ncommand = \"/nonexistent\"\nenabled = false\n",
            bin.to_string_lossy()
        ),
    )
    .unwrap();
    let loaded = Config::load(home.path(), &[]).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let (builder, model) = super::support::scripted([ScriptedResponse::text("hi")]);
    let mut conv = builder
        .configure(|c| c.mcp_servers = loaded.config.mcp_servers.clone())
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    let (_, done) = startup(&mut conv).await;
    assert_eq!(done.ready, vec!["test".to_owned()]);
    conv.run("hi").await.unwrap();
    let names: Vec<String> = tool_names(&model, 0)
        .into_iter()
        .filter(|n| n.starts_with("test__"))
        .collect();
    assert_eq!(names, vec!["test__echo".to_owned(), "test__pid".to_owned()]);

    std::fs::write(
        home.path().join("config.toml"),
        "[mcp_servers.bad]\nargs = [\"x\"]\n",
    )
    .unwrap();
    match Config::load(home.path(), &[]) {
        Err(codex_sdk::Error::Config { key, message }) => {
            assert_eq!(key, "mcp_servers.bad");
            assert!(message.contains("command"), "{message}");
        }
        other => panic!("expected a config error, got {other:?}"),
    }
    let bad_name = Codex::builder()
        .mcp_server("has space", test_server("stdio"))
        .build();
    assert!(matches!(bad_name, Err(codex_sdk::Error::Config { .. })));
}

#[tokio::test]
async fn conversations_share_a_server_which_dies_with_the_last_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let (builder, _model) =
        super::support::scripted([ScriptedResponse::text("one"), ScriptedResponse::text("two")]);
    let codex = builder
        .mcp_server(
            "test",
            test_server("stdio").env("MCP_TEST_PID_FILE", pid_file.to_string_lossy()),
        )
        .build()
        .unwrap();
    let mut first = codex.start_conversation().await.unwrap();
    startup(&mut first).await;
    let pid: u32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    std::fs::remove_file(&pid_file).unwrap();
    let mut second = codex.start_conversation().await.unwrap();
    let (_, done) = startup(&mut second).await;
    assert_eq!(done.ready, vec!["test".to_owned()]);
    assert!(!pid_file.exists(), "a second process was started");
    first.shutdown().await.unwrap();
    assert!(
        alive(pid),
        "the server died while a conversation still uses it"
    );
    second.shutdown().await.unwrap();
    eventually("the server is killed with the last conversation", || {
        !alive(pid)
    })
    .await;
}

#[tokio::test]
async fn elicitation_requests_are_asked_in_the_conversation_and_declined_when_unanswered() {
    let (mut builder, model) = super::support::scripted([
        calls(&[("answered", "test__ask", "{}")]),
        calls(&[("unanswered", "test__ask", "{}")]),
        ScriptedResponse::text("done"),
    ]);
    builder = builder
        .approval_policy(AskForApproval::Never)
        .approval_timeout(std::time::Duration::from_millis(200))
        .mcp_server("test", test_server("stdio"));
    let mut conv = builder
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    conv.submit(Op::UserInput {
        items: vec!["go".into()],
    })
    .await
    .unwrap();
    let events = events_until(&mut conv, |m| {
        matches!(m, EventMsg::McpElicitationRequest(_))
    })
    .await;
    let Some(EventMsg::McpElicitationRequest(request)) = events.last().map(|e| e.msg.clone())
    else {
        unreachable!()
    };
    assert_eq!(request.server, "test");
    assert_eq!(request.message, "What is your name?");
    assert_eq!(
        request.requested_schema["properties"]["name"]["type"],
        "string"
    );
    conv.submit(Op::ResolveMcpElicitation {
        server: "test".into(),
        request_id: request.request_id.clone(),
        action: ElicitationAction::Accept,
        content: Some(json!({"name": "Ada"})),
    })
    .await
    .unwrap();
    // The second request is not answered: declined after the approval timeout.
    let events = turn_events(&mut conv).await;
    assert!(matches!(events.last(), Some(EventMsg::TaskComplete(_))));
    let answered = json(&output(&model, 1, "answered").0);
    assert_eq!(answered["action"], "accept");
    assert_eq!(answered["content"], json!({"name": "Ada"}));
    assert_eq!(
        json(&output(&model, 2, "unanswered").0)["action"],
        "decline"
    );
}

#[tokio::test]
async fn exec_mcp_list_shows_the_configured_servers() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-server\"]\nenv = { TOKEN = \"secret\" }\n\n\
         [mcp_servers.remote]\nurl = \"https://mcp.example.com/mcp\"\nenabled = false\n",
    )
    .unwrap();
    let out = tokio::process::Command::new(super::support::exec_binary())
        .args(["--json", "mcp", "list"])
        .env("CODEX_HOME", home.path())
        .env_remove("OPENAI_API_KEY")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["name"], "docs");
    assert_eq!(lines[0]["transport"], "stdio");
    assert_eq!(lines[0]["target"], "npx -y docs-server");
    assert_eq!(lines[1]["name"], "remote");
    assert_eq!(lines[1]["enabled"], false);
    assert!(!stdout.contains("secret"));
}
