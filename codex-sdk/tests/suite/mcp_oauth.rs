//! MCP OAuth: login end to end against a loopback authorization server (discovery, registration, PKCE,
//! redirect), the stored token on tool calls, refresh after expiry, revoked tokens, logout, and tokens kept
//! out of events and rollouts.

use std::sync::Arc;

use codex_sdk::config::Config;
use codex_sdk::mcp::{CREDENTIALS_FILE, McpServerConfig, OAuthCredentialsStoreMode, OAuthError};
use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::{AskForApproval, EventMsg, McpStartupStatus};
use codex_sdk::{CodexBuilder, Conversation};

use super::mcp_common::{calls, output};
use super::mcp_oauth_server::{AuthServer, AuthState, start, start_with};
use super::support::{events_until, keep, turn_events, walk};

/// A config with the server `docs` at `server`, its CODEX_HOME in `home`.
fn config(home: &std::path::Path, server: &AuthServer) -> Config {
    let mut config = Config::default();
    config.codex_home = home.to_owned();
    config.mcp_servers.insert(
        "docs".into(),
        McpServerConfig::streamable_http(server.mcp_url.clone()),
    );
    config
}

/// Logs in, following the authorization URL with an HTTP client instead of a browser.
async fn login(config: &Config) -> Result<(), OAuthError> {
    codex_sdk::mcp::login(config, "docs", |url| {
        let url = url.to_owned();
        tokio::spawn(async move {
            let page = reqwest::get(url).await.unwrap();
            assert_eq!(page.status(), 200);
            assert!(page.text().await.unwrap().contains("Logged in"));
        });
    })
    .await
}

/// A recorded conversation (rollout files under `config.codex_home`) calling `docs__secret_word` once.
async fn conversation(config: &Config) -> (Conversation, Arc<ScriptedModel>) {
    let model = Arc::new(ScriptedModel::new([
        calls(&[("c1", "docs__secret_word", "{}")]),
        ScriptedResponse::text("done"),
    ]));
    let conv = CodexBuilder::new(config.clone())
        .cwd("/tmp")
        .model_client(model.clone())
        .no_builtin_tools()
        .approval_policy(AskForApproval::Never)
        .build()
        .map(keep)
        .unwrap()
        .start_conversation()
        .await
        .unwrap();
    (conv, model)
}

/// The startup status of `docs`, with every event read until startup completed.
async fn startup(conv: &mut Conversation) -> (McpStartupStatus, Vec<EventMsg>) {
    let events: Vec<EventMsg> =
        events_until(conv, |m| matches!(m, EventMsg::McpStartupComplete(_)))
            .await
            .into_iter()
            .map(|e| e.msg)
            .collect();
    let status = events
        .iter()
        .filter_map(|m| match m {
            EventMsg::McpStartupUpdate(u) if u.server == "docs" => Some(u.status.clone()),
            _ => None,
        })
        .next_back()
        .unwrap();
    (status, events)
}

#[tokio::test]
async fn login_then_tool_calls_carry_the_token_which_never_reaches_events_or_rollouts() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    let stored = std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap();
    let access = server.state().all_tokens[0].clone();
    assert!(stored.contains(&access), "{stored}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(home.path().join(CREDENTIALS_FILE)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    // The token and code requests named the MCP server as the resource (RFC 8707).
    assert!(
        server
            .state()
            .resources
            .iter()
            .all(|r| *r == server.mcp_url),
        "{:?}",
        server.state().resources
    );

    let (mut conv, model) = conversation(&config).await;
    let (status, mut events) = startup(&mut conv).await;
    assert_eq!(status, McpStartupStatus::Ready { tools: 1 });
    conv.send("go").await.unwrap();
    events.extend(turn_events(&mut conv).await);
    assert_eq!(output(&model, 1, "c1").0, "swordfish");
    assert!(server.state().accepted.iter().all(|t| *t == access));
    assert_eq!(server.state().refreshes, 0);
    conv.shutdown().await.unwrap();

    let tokens = server.state().all_tokens.clone();
    let events = serde_json::to_string(&events).unwrap();
    let rollouts: Vec<String> = walk(&home.path().join("sessions"))
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(!rollouts.is_empty());
    for token in &tokens {
        assert!(!events.contains(token.as_str()), "a token in the events");
        assert!(
            rollouts.iter().all(|r| !r.contains(token.as_str())),
            "a token in a rollout"
        );
        assert!(!format!("{config:?}").contains(token.as_str()));
    }
}

#[tokio::test]
async fn a_server_without_resource_metadata_is_its_own_authorization_server() {
    let mut state = AuthState::default();
    state.no_resource_metadata = true;
    let server = start_with(state).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    let (mut conv, model) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert_eq!(status, McpStartupStatus::Ready { tools: 1 });
    conv.run("go").await.unwrap();
    assert_eq!(output(&model, 1, "c1").0, "swordfish");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_stored_again() {
    // Tokens that expire within the refresh margin count as expired at once.
    let server = start(Some(1)).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    let first = server.state().all_tokens[0].clone();

    let (mut conv, model) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert_eq!(status, McpStartupStatus::Ready { tools: 1 });
    conv.run("go").await.unwrap();
    assert_eq!(output(&model, 1, "c1").0, "swordfish");

    let state = server.state();
    assert_eq!(state.refreshes, 1);
    let fresh = state.all_tokens[2].clone();
    assert!(!state.accepted.is_empty());
    assert!(
        state.accepted.iter().all(|t| *t == fresh),
        "{:?}",
        state.accepted
    );
    let stored = std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap();
    assert!(stored.contains(&fresh) && !stored.contains(&first));
    // The rotated refresh token was stored too.
    assert!(stored.contains(&state.all_tokens[3]));
}

#[tokio::test]
async fn a_revoked_token_fails_startup_naming_the_login_command() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    server.state().revoke_all();

    let (mut conv, _) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    let McpStartupStatus::Failed { error } = status else {
        panic!("{status:?}");
    };
    assert_eq!(
        error,
        "authentication required: run `codex-sdk mcp login docs` to log in"
    );
    // The refresh tried after the refusal was refused too.
    assert_eq!(server.state().refreshes, 0);
}

#[tokio::test]
async fn a_refused_unexpired_token_is_refreshed_once_at_startup() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    server.state().revoke_access();

    let (mut conv, model) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert_eq!(status, McpStartupStatus::Ready { tools: 1 });
    conv.run("go").await.unwrap();
    assert_eq!(output(&model, 1, "c1").0, "swordfish");
    assert_eq!(server.state().refreshes, 1);
}

#[tokio::test]
async fn a_token_revoked_mid_session_is_refreshed_and_the_call_retried() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    let (mut conv, model) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert_eq!(status, McpStartupStatus::Ready { tools: 1 });
    server.state().revoke_access();

    conv.run("go").await.unwrap();
    assert_eq!(
        output(&model, 1, "c1"),
        ("swordfish".to_owned(), Some(true))
    );
    let state = server.state();
    assert_eq!(state.refreshes, 1);
    assert_eq!(state.accepted.last(), Some(&state.all_tokens[2]));
}

#[tokio::test]
async fn exec_mcp_login_prints_the_url_and_logout_removes_the_credentials() {
    use tokio::io::AsyncBufReadExt;
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "mcp_oauth_credentials_store = \"file\"\n[mcp_servers.docs]\nurl = \"{}\"\n",
            server.mcp_url
        ),
    )
    .unwrap();
    let exec = |args: &[&str]| {
        let mut cmd = tokio::process::Command::new(super::support::exec_binary());
        cmd.args(args)
            .env("CODEX_HOME", home.path())
            .env_remove("OPENAI_API_KEY")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        cmd
    };
    let mut child = exec(&["mcp", "login", "docs"]).spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        if line.starts_with("http://") {
            url = Some(line);
            break;
        }
    }
    let page = reqwest::get(url.expect("no URL printed")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        lines.next_line().await.unwrap().as_deref(),
        Some("Logged in to `docs`.")
    );
    assert!(child.wait().await.unwrap().success());
    let access = server.state().all_tokens[0].clone();
    let stored = std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap();
    assert!(stored.contains(&access));

    let out = exec(&["mcp", "logout", "docs"]).output().await.unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Logged out of `docs`.\n"
    );
    let stored = std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap();
    assert!(!stored.contains(&access));

    let out = exec(&["mcp", "login", "nope"]).output().await.unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no MCP server named `nope` is configured"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn without_a_login_startup_says_authentication_required() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let (mut conv, _) = conversation(&config(home.path(), &server)).await;
    let (status, _) = startup(&mut conv).await;
    assert_eq!(
        status,
        McpStartupStatus::Failed {
            error: "authentication required: run `codex-sdk mcp login docs` to log in".into()
        }
    );
}

#[tokio::test]
async fn logout_removes_the_credentials() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let config = config(home.path(), &server);
    login(&config).await.unwrap();
    assert!(codex_sdk::mcp::logout(&config, "docs").unwrap());
    assert!(!codex_sdk::mcp::logout(&config, "docs").unwrap());
    let stored = std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap();
    for token in &server.state().all_tokens {
        assert!(!stored.contains(token.as_str()));
    }
    let (mut conv, _) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert!(
        matches!(status, McpStartupStatus::Failed { .. }),
        "{status:?}"
    );
}

#[tokio::test]
async fn login_errors_are_typed() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let mut config = config(home.path(), &server);
    config.mcp_servers.insert(
        "local".into(),
        McpServerConfig::stdio("true", [] as [&str; 0]),
    );
    let never = |_: &str| panic!("no URL expected");
    assert!(matches!(
        codex_sdk::mcp::login(&config, "nope", never).await,
        Err(OAuthError::UnknownServer(_))
    ));
    assert!(matches!(
        codex_sdk::mcp::login(&config, "local", never).await,
        Err(OAuthError::NotHttp(_))
    ));
    config.mcp_oauth_credentials_store = OAuthCredentialsStoreMode::Keyring;
    assert!(matches!(
        codex_sdk::mcp::login(&config, "docs", never).await,
        Err(OAuthError::KeyringUnavailable)
    ));
}

#[tokio::test]
async fn an_unusable_store_does_not_stop_servers_it_has_no_tokens_for() {
    let server = start(None).await;
    let home = tempfile::tempdir().unwrap();
    let mut config = config(home.path(), &server);
    login(&config).await.unwrap();
    // Damaged credentials: the server is reached without a token and says a login is needed.
    std::fs::write(home.path().join(CREDENTIALS_FILE), "{not json").unwrap();
    let (mut conv, _) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert_eq!(
        status,
        McpStartupStatus::Failed {
            error: "authentication required: run `codex-sdk mcp login docs` to log in".into()
        }
    );
    // Under "keyring" (none in this build) an HTTP server that needs no login still starts.
    config.mcp_oauth_credentials_store = OAuthCredentialsStoreMode::Keyring;
    let mut open = tokio::process::Command::new(super::support::example_binary("mcp_test_server"))
        .arg("http")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines =
        tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(open.stdout.take().unwrap()));
    let url = lines.next_line().await.unwrap().unwrap();
    config.mcp_servers.insert(
        "docs".into(),
        McpServerConfig::streamable_http(url.strip_prefix("url ").unwrap()),
    );
    let (mut conv, _) = conversation(&config).await;
    let (status, _) = startup(&mut conv).await;
    assert!(
        matches!(status, McpStartupStatus::Ready { .. }),
        "{status:?}"
    );
}
