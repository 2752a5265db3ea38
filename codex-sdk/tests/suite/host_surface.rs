//! What the bindings stand on: the owned turn stream, `TurnResult` as JSON, `CodexOptions` accepted whole,
//! and host-tool approvals through `ToolContext::request_command_approval`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use codex_sdk::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::config::{CodexOptions, EnvironmentInherit};
use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::{AskForApproval, EventMsg, ReviewDecision, SandboxPolicy};
use codex_sdk::tools::{FunctionTool, ToolError};
use codex_sdk::{Codex, CodexBuilder, Conversation, Error, OwnedTurnEvents, TurnResult};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::support::{keep, scripted};

fn options(json: serde_json::Value) -> codex_sdk::Result<CodexOptions> {
    CodexOptions::from_json(&json.to_string())
}

#[tokio::test]
async fn an_owned_turn_stream_is_static_and_send_and_reads_one_turn() {
    let (builder, _) = scripted([
        ScriptedResponse::text("first"),
        ScriptedResponse::text("second"),
    ]);
    let conv = builder
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    let shared = conv.into_shared();
    let turn: OwnedTurnEvents = Conversation::stream_shared(&shared, "hi").await.unwrap();
    // Moved into another task: nothing borrows the conversation.
    let msgs = tokio::spawn(async move {
        let mut turn = turn;
        let mut msgs = Vec::new();
        while let Some(event) = turn.next_event().await {
            msgs.push(event.msg);
        }
        assert!(turn.is_done());
        msgs
    })
    .await
    .unwrap();
    assert!(
        matches!(msgs.first(), Some(EventMsg::TaskStarted(_))),
        "{msgs:#?}"
    );
    assert!(
        matches!(msgs.last(), Some(EventMsg::TaskComplete(_))),
        "{msgs:#?}"
    );
    // The stream released the conversation: the next turn runs on it.
    let result = shared.lock().await.run("again").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("second"));
}

#[tokio::test]
async fn an_owned_turn_stream_folds_into_the_same_result_run_returns() {
    let (builder, _) = scripted([ScriptedResponse::text("done")]);
    let shared = builder
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap()
        .into_shared();
    let mut turn = Conversation::stream_shared(&shared, "hi").await.unwrap();
    let mut result = TurnResult::default();
    let mut outcome = None;
    // Batches: wait for one event, then take what is buffered without waiting.
    while let Some(first) = turn.next_event().await {
        let mut batch = vec![first];
        while let Some(more) = turn.try_next_event() {
            batch.push(more);
        }
        for event in batch {
            if let Some(done) = result.observe(event.msg) {
                outcome = Some(done);
            }
        }
    }
    assert!(matches!(outcome, Some(Ok(()))));
    assert_eq!(result.final_message.as_deref(), Some("done"));
    // TurnResult is JSON for hosts, and reads back.
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["final_message"], "done");
    assert_eq!(serde_json::from_value::<TurnResult>(json).unwrap(), result);
}

#[tokio::test]
async fn dropping_an_owned_turn_stream_interrupts_the_turn() {
    let model = Arc::new(
        ScriptedModel::new([ScriptedResponse::text(
            "one two three four five six seven eight nine ten",
        )])
        .with_event_delay(Duration::from_millis(20)),
    );
    let shared = Codex::builder()
        .ephemeral()
        .no_builtin_tools()
        .model_client(model.clone())
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap()
        .into_shared();
    let mut turn = Conversation::stream_shared(&shared, "count").await.unwrap();
    while let Some(event) = turn.next_event().await {
        if matches!(event.msg, EventMsg::AgentMessageDelta(_)) {
            break;
        }
    }
    drop(turn);
    model.push(ScriptedResponse::text("back"));
    let mut next = tokio::time::timeout(
        Duration::from_secs(10),
        Conversation::stream_shared(&shared, "again"),
    )
    .await
    .unwrap()
    .unwrap();
    let mut msgs = Vec::new();
    while let Some(event) = next.next_event().await {
        msgs.push(event.msg);
    }
    assert!(
        !msgs.iter().any(|m| matches!(m, EventMsg::TurnAborted(_))),
        "leftovers of the dropped turn leaked: {msgs:#?}"
    );
    match msgs.last() {
        Some(EventMsg::TaskComplete(e)) => {
            assert_eq!(e.last_agent_message.as_deref(), Some("back"))
        }
        other => panic!("unexpected end: {other:?}"),
    }
}

#[test]
fn options_accept_codex_cli_policy_strings_and_typed_policies() {
    let codex = CodexBuilder::from_options(
        options(json!({
            "ephemeral": true,
            "model": "gpt-5",
            "approval_policy": "never",
            "sandbox_policy": "read-only",
            "cwd": "/tmp",
            "originator": "host_app",
            "user_agent_suffix": "host/1.0",
            "event_buffer": 7,
            "approval_timeout_ms": 1500,
        }))
        .unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let config = codex.config();
    assert_eq!(config.model, "gpt-5");
    assert_eq!(config.approval_policy, AskForApproval::Never);
    assert_eq!(config.sandbox_policy, SandboxPolicy::ReadOnly);
    assert_eq!(config.originator, "host_app");
    assert_eq!(config.user_agent_suffix.as_deref(), Some("host/1.0"));
    assert_eq!(config.event_buffer, 7);
    assert_eq!(config.approval_timeout, Duration::from_millis(1500));

    let workspace = options(json!({"sandbox_policy": "workspace-write"})).unwrap();
    let config = CodexBuilder::from_options(workspace)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(config.config().sandbox_policy, SandboxPolicy::default());

    let typed = options(json!({"sandbox_policy": {
        "mode": "workspace-write",
        "network_access": true,
        "exclude_slash_tmp": true,
        "writable_roots": ["/srv/data"],
    }}))
    .unwrap();
    let codex = CodexBuilder::from_options(typed).unwrap().build().unwrap();
    let SandboxPolicy::WorkspaceWrite {
        network_access,
        exclude_slash_tmp,
        exclude_tmpdir_env_var,
        writable_roots,
        ..
    } = codex.config().sandbox_policy.clone()
    else {
        panic!("not workspace-write: {:?}", codex.config().sandbox_policy);
    };
    assert!(network_access && exclude_slash_tmp && !exclude_tmpdir_env_var);
    assert_eq!(writable_roots, vec![std::path::PathBuf::from("/srv/data")]);
}

#[test]
fn options_carry_the_shell_environment_policy() {
    let opts = options(json!({"shell_environment_policy": {
        "inherit": "core",
        "set": {"HOST": "yes"},
        "exclude": ["AWS_*"],
    }}))
    .unwrap();
    let codex = CodexBuilder::from_options(opts).unwrap().build().unwrap();
    let policy = &codex.config().shell_environment_policy;
    assert_eq!(policy.inherit, EnvironmentInherit::Core);
    assert_eq!(policy.set.get("HOST").map(String::as_str), Some("yes"));
    assert_eq!(policy.exclude, vec!["AWS_*".to_owned()]);
}

#[test]
fn bad_options_are_typed_errors_naming_the_field() {
    for (json, needle) in [
        (
            json!({"sandbox_policy": "workspace_write"}),
            "sandbox_policy",
        ),
        (json!({"approval_policy": "sometimes"}), "sometimes"),
        (json!({"modle": "gpt-5"}), "modle"),
        (json!({"event_buffer": -1}), "event_buffer"),
    ] {
        match options(json.clone()) {
            Err(Error::InvalidInput(message)) => {
                assert!(message.contains(needle), "{json}: {message}");
            }
            other => panic!("{json}: {other:?}"),
        }
    }
    let bad_override = options(json!({"config_overrides": ["no equals sign"]})).unwrap();
    assert!(matches!(
        CodexBuilder::from_options(bad_override),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn options_load_config_toml_and_auth_json_with_overrides_on_top() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "model = \"from-file\"\napproval_policy = \"never\"\nmodel_reasoning_summary = \"detailed\"\n",
    )
    .unwrap();
    codex_sdk::auth::login_api_key(home.path(), "sk-from-auth-json").unwrap();
    let opts = options(json!({
        "codex_home": home.path(),
        "load_config": true,
        "config_overrides": ["approval_policy=untrusted"],
        "provider": {"name": "test", "base_url": "http://127.0.0.1:9", "env_key": "CODEX_SDK_TEST_NO_SUCH_VAR"},
    }))
    .unwrap();
    let codex = CodexBuilder::from_options(opts).unwrap().build().unwrap();
    let config = codex.config();
    assert_eq!(config.model, "from-file");
    assert_eq!(config.approval_policy, AskForApproval::UnlessTrusted);
    assert_eq!(config.codex_home, home.path());
    assert_eq!(
        config
            .api_key
            .as_ref()
            .map(codex_sdk::model::ApiKey::expose),
        Some("sk-from-auth-json")
    );

    // Without load_config the file is not read; overrides still apply to the defaults.
    let opts = options(json!({
        "codex_home": home.path(),
        "config_overrides": ["model=\"from-override\""],
    }))
    .unwrap();
    let codex = CodexBuilder::from_options(opts).unwrap().build().unwrap();
    assert_eq!(codex.config().model, "from-override");
    assert_eq!(codex.config().approval_policy, AskForApproval::default());
    assert!(codex.config().api_key.is_none());
}

#[tokio::test]
async fn options_turn_on_unified_exec() {
    let (builder, _) = scripted([]);
    let opts = options(json!({"use_experimental_unified_exec_tool": true})).unwrap();
    let conv = opts
        .apply(builder)
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    let names = conv.tools().names();
    assert!(names.iter().any(|n| n == "unified_exec"), "{names:?}");
}

/// Counts the approvals it is asked, answering each with `decision`.
struct Answering {
    decision: ReviewDecision,
    asked: AtomicUsize,
    call_ids: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl ApprovalHandler for Answering {
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.call_ids
            .lock()
            .unwrap()
            .push(request.call_id().to_owned());
        self.decision
    }
}

fn asking_tool() -> FunctionTool {
    FunctionTool::new(
        "deploy",
        "Deploys.",
        json!({"type": "object", "properties": {}}),
        |_args, ctx| async move {
            let decision = ctx
                .request_command_approval(vec!["deploy".into(), "prod".into()], None)
                .await;
            match decision {
                ReviewDecision::Approved | ReviewDecision::ApprovedForSession => {
                    Ok("deployed".to_owned())
                }
                _ => Err(ToolError::RespondToModel("not approved".to_owned())),
            }
        },
    )
}

fn approvals(decision: ReviewDecision) -> Arc<Answering> {
    Arc::new(Answering {
        decision,
        asked: AtomicUsize::new(0),
        call_ids: std::sync::Mutex::default(),
    })
}

#[tokio::test]
async fn host_tool_approvals_are_keyed_by_call_id_and_remembered_for_the_session() {
    let (builder, _) = scripted([
        ScriptedResponse::tool_call("deploy", json!({})),
        ScriptedResponse::text("one"),
        ScriptedResponse::tool_call("deploy", json!({})),
        ScriptedResponse::text("two"),
    ]);
    let handler = approvals(ReviewDecision::ApprovedForSession);
    let mut conv = builder
        .tool(asking_tool())
        .approval_handler(handler.clone())
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    let first = conv.run("deploy").await.unwrap();
    let call_id = first
        .items
        .iter()
        .find_map(|item| match item {
            codex_sdk::protocol::ResponseItem::FunctionCall { call_id, .. } => {
                Some(call_id.clone())
            }
            _ => None,
        })
        .unwrap();
    conv.run("again").await.unwrap();
    assert_eq!(handler.asked.load(Ordering::SeqCst), 1, "asked again");
    assert_eq!(*handler.call_ids.lock().unwrap(), vec![call_id]);
}

#[tokio::test]
async fn an_aborted_host_tool_approval_ends_the_turn_as_interrupted() {
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("deploy", json!({})),
        ScriptedResponse::text("should not be asked for"),
    ]);
    let mut conv = builder
        .tool(asking_tool())
        .approval_handler(approvals(ReviewDecision::Abort))
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    assert!(matches!(conv.run("deploy").await, Err(Error::Interrupted)));
    assert_eq!(model.remaining(), 1);
}

/// A backend that answers every input with one message, without any model: what a remote conversation
/// plugs in.
#[derive(Debug)]
struct Echo {
    id: codex_sdk::protocol::ConversationId,
    events: tokio::sync::mpsc::Sender<Box<codex_sdk::protocol::Event>>,
    next: AtomicUsize,
    tools: codex_sdk::tools::ToolRegistry,
}

#[async_trait::async_trait]
impl codex_sdk::conversation::ConversationBackend for Echo {
    fn id(&self) -> codex_sdk::protocol::ConversationId {
        self.id
    }

    async fn submit(
        &self,
        op: codex_sdk::protocol::Op,
    ) -> codex_sdk::Result<codex_sdk::protocol::SubmissionId> {
        let id =
            codex_sdk::protocol::SubmissionId(self.next.fetch_add(1, Ordering::SeqCst).to_string());
        let msgs = match op {
            codex_sdk::protocol::Op::UserInput { items } => {
                let text = serde_json::to_value(&items).unwrap()[0]["text"].clone();
                vec![
                    json!({"type": "task_started"}),
                    json!({"type": "task_complete", "last_agent_message": format!("echo: {}", text.as_str().unwrap())}),
                ]
            }
            codex_sdk::protocol::Op::Shutdown => vec![json!({"type": "shutdown_complete"})],
            _ => Vec::new(),
        };
        for msg in msgs {
            let event = codex_sdk::protocol::Event {
                id: id.clone(),
                msg: serde_json::from_value(msg).unwrap(),
            };
            self.events
                .send(Box::new(event))
                .await
                .map_err(|_| Error::Closed)?;
        }
        Ok(id)
    }

    fn tools(&self) -> &codex_sdk::tools::ToolRegistry {
        &self.tools
    }
}

#[tokio::test]
async fn a_conversation_runs_over_a_backend_of_ones_own() {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let id = codex_sdk::protocol::ConversationId::new();
    let backend = Arc::new(Echo {
        id,
        events: tx,
        next: AtomicUsize::new(1),
        tools: codex_sdk::tools::ToolRegistry::new(),
    });
    let configured = serde_json::from_value(json!({"session_id": id, "model": "echo"})).unwrap();
    let mut conv = Conversation::from_backend(backend, rx, configured);
    assert_eq!(conv.id(), id);
    let result = conv.run("hello").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("echo: hello"));
    conv.shutdown().await.unwrap();
}

#[test]
fn decision_names_are_the_wire_names_and_unknown_answers_deny() {
    for decision in [
        ReviewDecision::Approved,
        ReviewDecision::ApprovedForSession,
        ReviewDecision::Denied,
        ReviewDecision::Abort,
    ] {
        assert_eq!(serde_json::to_value(decision).unwrap(), decision.as_str());
        assert_eq!(ReviewDecision::from_answer(decision.as_str()), decision);
    }
    assert_eq!(
        ReviewDecision::from_answer("yes please"),
        ReviewDecision::Denied
    );
}

#[test]
fn options_carry_config_toml_settings_profiles_and_mcp_servers() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "model = \"base\"\n").unwrap();
    std::fs::write(
        home.path().join("fast.config.toml"),
        "model = \"profiled\"\n",
    )
    .unwrap();
    let codex = CodexBuilder::from_options(
        options(json!({
            "ephemeral": true,
            "codex_home": home.path(),
            "load_config": true,
            "profile": "fast",
            "user_instructions": "be brief",
            "project_doc_max_bytes": 100,
            "web_search": true,
            "model_verbosity": "low",
            "model_max_output_tokens": 321,
            "hide_agent_reasoning": true,
            "show_raw_agent_reasoning": true,
            "notify": ["notify-prog", "arg"],
            "mcp_servers": {"docs": {"command": "docs-server", "args": ["--stdio"], "tool_timeout_sec": 5}},
        }))
        .unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let config = codex.config();
    assert_eq!(config.model, "profiled");
    assert_eq!(config.user_instructions.as_deref(), Some("be brief"));
    assert_eq!(config.project_doc.max_bytes, 100);
    assert!(config.web_search && config.hide_agent_reasoning && config.show_raw_agent_reasoning);
    assert_eq!(
        config.model_verbosity,
        Some(codex_sdk::config::Verbosity::Low)
    );
    assert_eq!(config.model_max_output_tokens, Some(321));
    assert_eq!(
        config.notify,
        Some(vec!["notify-prog".to_owned(), "arg".to_owned()])
    );
    let docs = &config.mcp_servers["docs"];
    assert_eq!(
        docs,
        &codex_sdk::mcp::McpServerConfig::stdio("docs-server", ["--stdio"])
            .tool_timeout(Duration::from_secs(5))
    );

    let off =
        options(json!({"ephemeral": true, "no_project_docs": true, "project_doc_max_bytes": 9}));
    let codex = CodexBuilder::from_options(off.unwrap())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        codex.config().project_doc,
        codex_sdk::config::ProjectDocOptions::disabled()
    );

    let unknown =
        options(json!({"codex_home": home.path(), "load_config": true, "profile": "nope"}));
    let err = CodexBuilder::from_options(unknown.unwrap()).unwrap_err();
    assert!(err.to_string().contains("fast"), "{err}");
}
