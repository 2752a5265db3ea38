//! Interoperability with the real Codex CLI, offline against the loopback mock server: codex-sdk resumes a
//! rollout written by `codex exec`, and `codex exec resume <id>` resumes one written by codex-sdk, each with
//! the history intact.
//!
//! Runs when a `codex` binary is found (`CODEX_CLI_BIN`, else `codex` on `PATH`; the npm package
//! `@openai/codex` ships one); otherwise prints why it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};
use std::time::Duration;

use codex_sdk::config::Config;
use codex_sdk::testing::{MockResponse, MockServer, RecordedRequest, sse};
use codex_sdk::{CodexBuilder, rollout::RolloutContents};

fn find_codex() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("CODEX_CLI_BIN").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("codex"))
        .find(|p| p.is_file())
}

async fn codex_cli(bin: &Path, home: &Path, cwd: &Path, args: &[&str]) -> String {
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(bin)
            .args(args)
            .current_dir(cwd)
            .env("CODEX_HOME", home)
            .env("OPENAI_API_KEY", "sk-interop-test")
            .env_remove("OPENAI_BASE_URL")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("codex CLI timed out")
    .expect("codex CLI did not start");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "codex {args:?} failed: {text}");
    text
}

/// The `(role, text)` of each message in a recorded Responses request's input.
fn messages(request: &RecordedRequest) -> Vec<(String, String)> {
    request.json()["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "message")
        .map(|i| {
            let text: String = i["content"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["text"].as_str())
                .collect();
            (i["role"].as_str().unwrap().to_owned(), text)
        })
        .collect()
}

fn conversation_part(msgs: &[(String, String)]) -> Vec<(String, String)> {
    msgs.iter()
        .filter(|(role, text)| {
            role != "developer" && !text.starts_with('<') && !text.starts_with("# AGENTS.md")
        })
        .cloned()
        .collect()
}

fn pair(role: &str, text: &str) -> (String, String) {
    (role.to_owned(), text.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codex_cli_and_codex_sdk_resume_each_others_rollouts() {
    let Some(bin) = find_codex() else {
        println!(
            "skipping codex_cli_and_codex_sdk_resume_each_others_rollouts: no Codex CLI \
             (set CODEX_CLI_BIN or put `codex` on PATH: npm install -g @openai/codex)"
        );
        return;
    };
    let server = MockServer::start().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "model = \"gpt-5-codex\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\n\
             name = \"mock\"\nbase_url = \"{}\"\nwire_api = \"responses\"\n",
            server.base_url()
        ),
    )
    .unwrap();

    // 1. Codex CLI records a conversation; codex-sdk resumes it.
    server.enqueue(MockResponse::sse(sse::text_response(
        "r1",
        "cli answer one",
    )));
    codex_cli(
        &bin,
        home.path(),
        work.path(),
        &["exec", "--skip-git-repo-check", "hello from cli"],
    )
    .await;
    let mut config = Config::load(home.path(), &[]).unwrap().config;
    config.cwd = work.path().to_owned();
    config.api_key = Some(codex_sdk::model::ApiKey::new("sk-interop-test"));
    let codex = CodexBuilder::new(config).build().unwrap();
    let listed = codex.list_conversations(10, None).await.unwrap();
    assert_eq!(listed.items.len(), 1, "{listed:?}");
    let cli_session = listed.items[0].clone();
    assert_eq!(cli_session.preview, "hello from cli");

    server.enqueue(MockResponse::sse(sse::text_response(
        "r2",
        "sdk answer one",
    )));
    let resumed = codex.resume_conversation(&cli_session.path).await.unwrap();
    assert_eq!(resumed.conversation_id, cli_session.conversation_id);
    let mut conv = resumed.conversation;
    conv.run("sdk follow-up").await.unwrap();
    conv.shutdown().await.unwrap();
    let requests = server.requests();
    assert_eq!(
        conversation_part(&messages(&requests[1])),
        vec![
            pair("user", "hello from cli"),
            pair("assistant", "cli answer one"),
            pair("user", "sdk follow-up"),
        ]
    );

    // 2. codex-sdk records a conversation; Codex CLI resumes it by id.
    server.enqueue(MockResponse::sse(sse::text_response(
        "r3",
        "sdk answer two",
    )));
    let new = codex.new_conversation().await.unwrap();
    let (sdk_id, sdk_path) = (new.conversation_id, new.rollout_path.clone().unwrap());
    let mut conv = new.conversation;
    conv.run("hello from sdk").await.unwrap();
    conv.shutdown().await.unwrap();

    server.enqueue(MockResponse::sse(sse::text_response(
        "r4",
        "cli answer two",
    )));
    let id = sdk_id.to_string();
    let out = codex_cli(
        &bin,
        home.path(),
        work.path(),
        &[
            "exec",
            "--skip-git-repo-check",
            "resume",
            &id,
            "cli follow-up",
        ],
    )
    .await;
    assert!(out.contains("cli answer two"), "{out}");
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        conversation_part(&messages(&requests[3])),
        vec![
            pair("user", "hello from sdk"),
            pair("assistant", "sdk answer two"),
            pair("user", "cli follow-up"),
        ]
    );
    // Codex CLI appended to codex-sdk's file, which codex-sdk still reads.
    let contents = RolloutContents::parse(&std::fs::read(&sdk_path).unwrap());
    assert_eq!(contents.meta.as_ref().unwrap().id, sdk_id);
    let texts: Vec<String> = contents
        .history()
        .iter()
        .filter_map(|i| i.message_text())
        .collect();
    assert!(texts.contains(&"cli follow-up".to_owned()), "{texts:?}");
    assert!(texts.contains(&"cli answer two".to_owned()), "{texts:?}");
}

fn usage_of(total: u64) -> codex_sdk::protocol::TokenUsage {
    codex_sdk::protocol::TokenUsage {
        input_tokens: total - 10,
        cached_input_tokens: 0,
        output_tokens: 10,
        reasoning_output_tokens: 0,
        total_tokens: total,
    }
}

fn answer_with_usage(id: &str, text: &str, total: u64) -> MockResponse {
    MockResponse::sse([
        sse::created(id),
        sse::assistant_message(&format!("m_{id}"), text),
        sse::completed_with_usage(id, &usage_of(total)),
    ])
}

/// A conversation Codex CLI 0.169 compacted (inline, before a turn): codex-sdk resumes it into the request
/// Codex CLI itself sends when it resumes the same file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_codex_cli_compacted_resumes_into_the_request_codex_cli_sends() {
    let Some(bin) = find_codex() else {
        println!(
            "skipping a_rollout_codex_cli_compacted_resumes_into_the_request_codex_cli_sends: no Codex CLI \
             (set CODEX_CLI_BIN or put `codex` on PATH: npm install -g @openai/codex)"
        );
        return;
    };
    let server = MockServer::start().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "model = \"gpt-5-codex\"\nmodel_provider = \"mock\"\nmodel_auto_compact_token_limit = 1000\n\n\
             [model_providers.mock]\nname = \"mock\"\nbase_url = \"{}\"\nwire_api = \"responses\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    server.enqueue(answer_with_usage("r1", "answer one", 5000));
    codex_cli(
        &bin,
        home.path(),
        work.path(),
        &["exec", "--skip-git-repo-check", "first question"],
    )
    .await;
    for i in 0..4 {
        server.enqueue(answer_with_usage(
            &format!("c{i}"),
            &format!("reply {i}"),
            100,
        ));
    }
    let listed = {
        let mut config = Config::load(home.path(), &[]).unwrap().config;
        config.cwd = work.path().to_owned();
        config.api_key = Some(codex_sdk::model::ApiKey::new("sk-interop-test"));
        CodexBuilder::new(config)
            .build()
            .unwrap()
            .list_conversations(10, None)
            .await
            .unwrap()
    };
    let id = listed.items[0].conversation_id.to_string();
    let path = listed.items[0].path.clone();
    codex_cli(
        &bin,
        home.path(),
        work.path(),
        &[
            "exec",
            "--skip-git-repo-check",
            "resume",
            &id,
            "second question",
        ],
    )
    .await;
    // Codex CLI compacted before the second question (the summary request answered "reply 0").
    let contents = RolloutContents::parse(&std::fs::read(&path).unwrap());
    assert!(
        contents
            .entries
            .iter()
            .any(|e| matches!(&e.item, codex_sdk::rollout::RolloutItem::Compacted(_))),
        "Codex CLI did not compact"
    );
    let snapshot = home.path().join("snapshot.jsonl");
    std::fs::copy(&path, &snapshot).unwrap();

    // codex-sdk resumes the copy, Codex CLI the original, each with the same next question.
    let mut config = Config::load(home.path(), &[]).unwrap().config;
    config.cwd = work.path().to_owned();
    config.api_key = Some(codex_sdk::model::ApiKey::new("sk-interop-test"));
    let codex = CodexBuilder::new(config).build().unwrap();
    let before = server.requests().len();
    let mut conv = codex
        .resume_conversation(&snapshot)
        .await
        .unwrap()
        .conversation;
    conv.run("third question").await.unwrap();
    conv.shutdown().await.unwrap();
    codex_cli(
        &bin,
        home.path(),
        work.path(),
        &[
            "exec",
            "--skip-git-repo-check",
            "resume",
            &id,
            "third question",
        ],
    )
    .await;
    let requests = server.requests();
    let (sdk, cli) = (&requests[before], &requests[requests.len() - 1]);
    let sdk_part = conversation_part(&messages(sdk));
    assert_eq!(sdk_part, conversation_part(&messages(cli)));
    assert_eq!(sdk_part[0], pair("user", "first question"));
    assert!(
        sdk_part[1].1.starts_with(CODEX_SUMMARY_START),
        "{sdk_part:?}"
    );
    assert_eq!(
        sdk_part[2..],
        [
            pair("user", "second question"),
            pair("assistant", "reply 1"),
            pair("user", "third question"),
        ]
    );
}

const CODEX_SUMMARY_START: &str = "Another language model started to solve this problem";
