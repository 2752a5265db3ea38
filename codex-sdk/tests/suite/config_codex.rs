//! A Codex CLI user's `CODEX_HOME` honoured, through whole turns against the loopback model server:
//! `AGENTS.md` project docs, profiles, the hosted web search, verbosity and output limits, reasoning
//! visibility and `notify`.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::Path;
use std::time::Duration;

use codex_sdk::config::{Config, parse_override};
use codex_sdk::protocol::{EventMsg, WebSearchAction, WebSearchBeginEvent, WebSearchEndEvent};
use codex_sdk::testing::{MockResponse, MockServer, chat, sse};
use codex_sdk::{CodexBuilder, Error};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::support::turn_events;

const KEY: &str = "sk-config-test-key";

/// A `CODEX_HOME` whose `config.toml` points at `server` (`wire` = `responses` or `chat`) and adds `extra`.
fn home_for(server: &MockServer, wire: &str, extra: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "model = \"gpt-5-codex\"\nmodel_provider = \"mock\"\n{extra}\n\n\
             [model_providers.mock]\nname = \"mock\"\nbase_url = \"{}\"\nwire_api = \"{wire}\"\n\
             request_max_retries = 0\nstream_max_retries = 0\n",
            server.base_url()
        ),
    )
    .unwrap();
    home
}

/// Loads `home` (with `profile` and `-c` overrides) as a host would, in `cwd`.
fn load(home: &Path, profile: Option<&str>, overrides: &[&str], cwd: &Path) -> Config {
    let mut loader =
        Config::loader(home).overrides(overrides.iter().map(|o| parse_override(o).unwrap()));
    if let Some(p) = profile {
        loader = loader.profile(p);
    }
    let loaded = loader.load().unwrap();
    assert_eq!(loaded.warnings, Vec::<String>::new());
    let mut config = loaded.config;
    config.cwd = cwd.to_owned();
    config
}

/// Runs one turn in a new conversation and returns the request body and the turn's events.
async fn one_turn(server: &MockServer, config: Config) -> (Value, Vec<EventMsg>) {
    let (body, events, _) = recorded_turn(server, config).await;
    (body, events)
}

/// [`one_turn`], also returning the rollout (written out: the conversation is shut down).
async fn recorded_turn(
    server: &MockServer,
    config: Config,
) -> (Value, Vec<EventMsg>, std::path::PathBuf) {
    let codex = CodexBuilder::new(config)
        .api_key(KEY)
        .no_builtin_tools()
        .build()
        .unwrap();
    let new = codex.new_conversation().await.unwrap();
    let mut conv = new.conversation;
    conv.send("hi").await.unwrap();
    let events = turn_events(&mut conv).await;
    conv.shutdown().await.unwrap();
    let body = server.requests().last().unwrap().json();
    (body, events, new.rollout_path.unwrap())
}

fn first_input_text(body: &Value) -> String {
    body["input"][0]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A repository with `AGENTS.md` at its root and in `sub/`, and a `CODEX_HOME/AGENTS.md`.
fn repository(home: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let repo = tempfile::tempdir().unwrap();
    let sub = repo.path().join("sub");
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(home.join("AGENTS.md"), "Always answer in French.\n").unwrap();
    std::fs::write(repo.path().join("AGENTS.md"), "Run cargo test.\n").unwrap();
    std::fs::write(sub.join("AGENTS.md"), "Sub crate: no unsafe.\n").unwrap();
    (repo, sub)
}

#[tokio::test]
async fn agents_md_from_root_to_cwd_starts_the_conversation_and_resume_sends_the_same() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "done")));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "again")));
    let home = home_for(&server, "responses", "");
    let (_repo, sub) = repository(home.path());
    let config = load(home.path(), None, &[], &sub);
    let (body, _, path) = recorded_turn(&server, config.clone()).await;
    let expected = format!(
        "# AGENTS.md instructions for {}\n\n<INSTRUCTIONS>\nAlways answer in French.\n\n\
         --- project-doc ---\n\nRun cargo test.\n\n\nSub crate: no unsafe.\n\n</INSTRUCTIONS>",
        sub.display()
    );
    assert_eq!(first_input_text(&body), expected);
    assert_eq!(body["input"][0]["role"], "user");
    assert!(
        first_input_text(&json!({"input": [body["input"][1]]}))
            .starts_with("<environment_context>")
    );
    assert!(!body["instructions"].as_str().unwrap().contains("French"));

    // Resume sends what the conversation started with, even after the files changed.
    std::fs::write(sub.join("AGENTS.md"), "CHANGED").unwrap();
    let codex = CodexBuilder::new(config)
        .api_key(KEY)
        .no_builtin_tools()
        .build()
        .unwrap();
    let rollout = std::fs::read_to_string(&path).unwrap();
    assert!(
        rollout.contains("\"type\":\"turn_context\"") && rollout.contains("Sub crate: no unsafe."),
        "{rollout}"
    );
    let mut resumed = codex.resume_conversation(&path).await.unwrap().conversation;
    resumed.send("more").await.unwrap();
    turn_events(&mut resumed).await;
    let body = server.requests().last().unwrap().json();
    assert_eq!(first_input_text(&body), expected);
    let texts = body.to_string();
    assert!(!texts.contains("CHANGED"), "{texts}");
}

#[tokio::test]
async fn the_project_doc_cap_cuts_the_files_and_zero_turns_them_off() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "done")));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
    let home = home_for(&server, "responses", "");
    let (_repo, sub) = repository(home.path());
    // "Run cargo test.\n" is 16 bytes: 4 bytes remain for the nested file.
    let (body, _) = one_turn(
        &server,
        load(home.path(), None, &["project_doc_max_bytes=20"], &sub),
    )
    .await;
    assert!(
        first_input_text(&body).ends_with("Run cargo test.\n\n\nSub \n</INSTRUCTIONS>"),
        "{}",
        first_input_text(&body)
    );
    let (body, _) = one_turn(
        &server,
        load(home.path(), None, &["project_doc_max_bytes=0"], &sub),
    )
    .await;
    assert_eq!(
        first_input_text(&body),
        "# AGENTS.md instructions\n\n<INSTRUCTIONS>\nAlways answer in French.\n</INSTRUCTIONS>"
    );
}

#[tokio::test]
async fn the_builder_can_turn_instruction_files_off_or_name_others() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "done")));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "done")));
    let home = home_for(&server, "responses", "");
    let (repo, sub) = repository(home.path());
    std::fs::write(repo.path().join("RULES.md"), "Custom rules.").unwrap();
    let config = load(home.path(), None, &[], &sub);
    let codex = CodexBuilder::new(config.clone())
        .api_key(KEY)
        .no_builtin_tools()
        .no_project_docs()
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    turn_events(&mut conv).await;
    let body = server.requests().last().unwrap().json();
    assert!(first_input_text(&body).starts_with("<environment_context>"));

    let codex = CodexBuilder::new(config)
        .api_key(KEY)
        .no_builtin_tools()
        .project_doc_files([repo.path().join("RULES.md")])
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    turn_events(&mut conv).await;
    let body = server.requests().last().unwrap().json();
    assert!(
        first_input_text(&body).ends_with(
            "Always answer in French.\n\n--- project-doc ---\n\nCustom rules.\n</INSTRUCTIONS>"
        ),
        "{}",
        first_input_text(&body)
    );
}

#[tokio::test]
async fn a_profile_file_or_a_legacy_table_sets_the_model_and_effort_and_overrides_win() {
    let server = MockServer::start().await.unwrap();
    for i in 0..3 {
        server.enqueue(MockResponse::sse(sse::text_response(
            &format!("r{i}"),
            "ok",
        )));
    }
    let home = home_for(
        &server,
        "responses",
        "[profiles.legacy]\nmodel = \"gpt-5\"\nmodel_reasoning_effort = \"minimal\"\n",
    );
    std::fs::write(
        home.path().join("deep.config.toml"),
        "model = \"o3\"\nmodel_reasoning_effort = \"high\"\n",
    )
    .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (body, _) = one_turn(&server, load(home.path(), Some("deep"), &[], cwd.path())).await;
    assert_eq!(
        (&body["model"], &body["reasoning"]["effort"]),
        (&json!("o3"), &json!("high"))
    );
    let (body, _) = one_turn(
        &server,
        load(home.path(), None, &["profile=legacy"], cwd.path()),
    )
    .await;
    assert_eq!(
        (&body["model"], &body["reasoning"]["effort"]),
        (&json!("gpt-5"), &json!("minimal"))
    );
    let (body, _) = one_turn(
        &server,
        load(
            home.path(),
            Some("deep"),
            &["model_reasoning_effort=low"],
            cwd.path(),
        ),
    )
    .await;
    assert_eq!(
        (&body["model"], &body["reasoning"]["effort"]),
        (&json!("o3"), &json!("low"))
    );

    match Config::loader(home.path()).profile("nope").load() {
        Err(Error::Config { key, message }) => {
            assert_eq!(key, "profile");
            assert!(message.contains("no profile `nope`"), "{message}");
            assert!(
                message.ends_with("profiles that exist: deep, legacy"),
                "{message}"
            );
        }
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[tokio::test]
async fn web_search_is_offered_over_responses_only_and_its_calls_become_events() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::web_search_added("ws_1"),
        sse::web_search_done("ws_1", "rust 2024 edition"),
        sse::assistant_message("m1", "found it"),
        sse::completed("r1"),
    ]));
    let cwd = tempfile::tempdir().unwrap();
    let home = home_for(&server, "responses", "[tools]\nweb_search = true\n");
    let (body, events) = one_turn(&server, load(home.path(), None, &[], cwd.path())).await;
    assert_eq!(body["tools"], json!([{"type": "web_search"}]));
    let searches: Vec<&EventMsg> = events
        .iter()
        .filter(|e| matches!(e, EventMsg::WebSearchBegin(_) | EventMsg::WebSearchEnd(_)))
        .collect();
    assert_eq!(
        searches,
        [
            &EventMsg::WebSearchBegin(WebSearchBeginEvent {
                call_id: "ws_1".into()
            }),
            &EventMsg::WebSearchEnd(WebSearchEndEvent {
                call_id: "ws_1".into(),
                query: "rust 2024 edition".into(),
                action: Some(WebSearchAction::Search {
                    query: Some("rust 2024 edition".into())
                }),
            }),
        ]
    );

    // Codex's other spellings, and never to Chat Completions.
    for spelling in [
        "web_search = \"live\"",
        "[features]\nweb_search_request = true",
    ] {
        let server = MockServer::start().await.unwrap();
        server.enqueue(MockResponse::sse(sse::text_response("r", "ok")));
        let home = home_for(&server, "responses", spelling);
        let (body, _) = one_turn(&server, load(home.path(), None, &[], cwd.path())).await;
        assert_eq!(body["tools"], json!([{"type": "web_search"}]), "{spelling}");
    }
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::chat([
        chat::content("c1", "ok"),
        chat::finish("c1", "stop"),
    ]));
    let home = home_for(&server, "chat", "[tools]\nweb_search = true\n");
    let (body, _) = one_turn(&server, load(home.path(), None, &[], cwd.path())).await;
    assert_eq!(body.get("tools"), None, "{body}");
}

#[tokio::test]
async fn verbosity_goes_to_the_models_that_take_it_and_the_output_limit_to_every_request() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "ok")));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "ok")));
    let cwd = tempfile::tempdir().unwrap();
    let home = home_for(
        &server,
        "responses",
        "model_verbosity = \"low\"\nmodel_max_output_tokens = 777\n",
    );
    let (body, _) = one_turn(
        &server,
        load(home.path(), None, &["model=gpt-5"], cwd.path()),
    )
    .await;
    assert_eq!(body["text"], json!({"verbosity": "low"}));
    assert_eq!(body["max_output_tokens"], json!(777));
    let (body, _) = one_turn(&server, load(home.path(), None, &[], cwd.path())).await;
    assert_eq!(body.get("text"), None, "gpt-5-codex takes no verbosity");
    assert_eq!(body["max_output_tokens"], json!(777));
}

/// The reasoning events of a turn whose response carries a summary and raw reasoning.
async fn reasoning_events(overrides: &[&str]) -> Vec<EventMsg> {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse([
        sse::created("r1"),
        sse::reasoning_summary_delta("thinking"),
        sse::reasoning_text_delta("raw thoughts"),
        sse::reasoning_with_content("rs_1", &["thinking"], &["raw thoughts"]),
        sse::assistant_message("m1", "ok"),
        sse::completed("r1"),
    ]));
    let cwd = tempfile::tempdir().unwrap();
    let home = home_for(&server, "responses", "");
    let (_, events) = one_turn(&server, load(home.path(), None, overrides, cwd.path())).await;
    events
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                EventMsg::AgentReasoning(_)
                    | EventMsg::AgentReasoningDelta(_)
                    | EventMsg::AgentReasoningRawContent(_)
                    | EventMsg::AgentReasoningRawContentDelta(_)
            )
        })
        .collect()
}

fn kinds(events: &[EventMsg]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn reasoning_visibility_follows_hide_and_show_raw() {
    assert_eq!(
        kinds(&reasoning_events(&[]).await),
        ["agent_reasoning_delta", "agent_reasoning"]
    );
    assert_eq!(
        kinds(&reasoning_events(&["show_raw_agent_reasoning=true"]).await),
        [
            "agent_reasoning_delta",
            "agent_reasoning_raw_content_delta",
            "agent_reasoning",
            "agent_reasoning_raw_content"
        ]
    );
    assert_eq!(
        kinds(
            &reasoning_events(&["hide_agent_reasoning=true", "show_raw_agent_reasoning=true"])
                .await
        ),
        Vec::<String>::new()
    );
}

/// Waits (bounded) for a file the notifier writes.
async fn wait_for_file(path: &Path) -> String {
    for _ in 0..600 {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} was never written", path.display());
}

#[tokio::test]
async fn notify_runs_after_the_turn_with_codex_payload_and_the_policy_environment() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "all done")));
    let cwd = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let script = out.path().join("notify.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nenv > {0}/env.txt\nprintf '%s\\n' \"$1\" > {0}/payload.tmp\nmv {0}/payload.tmp {0}/payload.json\n",
            out.path().display()
        ),
    )
    .unwrap();
    let home = home_for(
        &server,
        "responses",
        &format!(
            "notify = [\"/bin/sh\", \"{}\"]\n[shell_environment_policy]\nset = {{ NOTIFY_SEEN = \"yes\" }}\n",
            script.display()
        ),
    );
    let config = load(home.path(), None, &[], cwd.path());
    let codex = CodexBuilder::new(config)
        .api_key(KEY)
        .no_builtin_tools()
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let id = conv.send("please finish").await.unwrap();
    let events = turn_events(&mut conv).await;
    assert!(matches!(events.last(), Some(EventMsg::TaskComplete(_))));
    let payload: Value =
        serde_json::from_str(&wait_for_file(&out.path().join("payload.json")).await).unwrap();
    assert_eq!(
        payload,
        json!({
            "type": "agent-turn-complete",
            "thread-id": conv.id().to_string(),
            "turn-id": id.as_str(),
            "cwd": cwd.path(),
            "input-messages": ["please finish"],
            "last-assistant-message": "all done",
        })
    );
    let env = std::fs::read_to_string(out.path().join("env.txt")).unwrap();
    assert!(env.contains("NOTIFY_SEEN=yes"), "{env}");
    assert!(!env.contains(KEY), "{env}");
}

#[tokio::test]
async fn exec_with_a_profile_notifies_before_it_exits_without_the_api_key_in_the_environment() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "finished")));
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let script = out.path().join("notify.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nsleep 0.2\nenv > {0}/env.txt\nprintf '%s' \"$1\" > {0}/payload.json\n",
            out.path().display()
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!("notify = [\"/bin/sh\", \"{}\"]\n", script.display()),
    )
    .unwrap();
    std::fs::write(home.path().join("fast.config.toml"), "model = \"o3\"\n").unwrap();
    let output = tokio::process::Command::new(super::support::exec_binary())
        .env("CODEX_HOME", home.path())
        .env("OPENAI_API_KEY", KEY)
        .args(super::model_faults::mock_provider_args(&server.base_url()))
        .args(["--profile", "fast", "hello"])
        .current_dir(out.path())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(server.requests()[0].json()["model"], "o3");
    // exec's shutdown waited for the notifier: its files are complete as soon as exec has exited.
    let payload: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("payload.json")).unwrap())
            .unwrap();
    assert_eq!(payload["type"], "agent-turn-complete");
    assert_eq!(payload["input-messages"], json!(["hello"]));
    assert_eq!(payload["last-assistant-message"], "finished");
    let env = std::fs::read_to_string(out.path().join("env.txt")).unwrap();
    assert!(env.contains("PATH="), "{env}");
    assert!(
        !env.contains(KEY) && !env.contains("OPENAI_API_KEY"),
        "{env}"
    );

    let unknown = tokio::process::Command::new(super::support::exec_binary())
        .env("CODEX_HOME", home.path())
        .env("OPENAI_API_KEY", KEY)
        .args(["--profile", "nope", "hello"])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(!unknown.status.success());
    assert!(stderr.contains("profiles that exist: fast"), "{stderr}");
}
