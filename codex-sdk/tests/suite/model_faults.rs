//! Model-side faults a host must be able to show honestly: secrets echoed by the server are redacted on every
//! error path (events, rollouts, the `exec` command's stdout and stderr), request retries are announced while
//! they wait, and transport failures name their cause and host.

use std::process::Stdio;
use std::time::Duration;

use codex_sdk::model::{ApiKey, ModelClient, ModelProviderInfo, ResponsesClient, WireApi};
use codex_sdk::protocol::*;
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::{Codex, Error, ErrorCode, TransportErrorKind};

use super::support::{exec_binary, turn_events, walk};

const KEY: &str = "sk-faults-secret-0123456789";

fn provider(base_url: String) -> ModelProviderInfo {
    ModelProviderInfo::custom("mock", base_url, WireApi::Responses)
        .with_retries(2, 2)
        .with_retry_base_delay(Duration::from_millis(1))
        .with_stream_idle_timeout(Duration::from_secs(5))
}

fn echoing_failure() -> MockResponse {
    MockResponse::sse([
        sse::created("r1"),
        sse::failed(
            "invalid_request_error",
            &format!("rejected header Authorization: Bearer {KEY}"),
        ),
    ])
}

#[tokio::test]
async fn an_in_stream_failure_echoing_the_key_is_redacted_in_events_and_rollouts() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    for _ in 0..3 {
        server.enqueue(echoing_failure());
    }
    let codex = Codex::builder()
        .provider(provider(server.base_url()))
        .api_key(KEY)
        .codex_home(home.path())
        .no_builtin_tools()
        .build()
        .unwrap();
    let mut conv = codex.new_conversation().await.unwrap().conversation;
    conv.send("hi").await.unwrap();
    let events = turn_events(&mut conv).await;
    let EventMsg::Error(error) = events.last().unwrap() else {
        panic!("{events:#?}")
    };
    assert!(error.message.contains("<redacted>"), "{}", error.message);
    let serialized = serde_json::to_string(&events).unwrap();
    assert!(!serialized.contains(KEY), "{serialized}");
    conv.shutdown().await.unwrap();
    let mut files = 0;
    for entry in walk(home.path()) {
        files += 1;
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(!text.contains(KEY), "{} holds the key", entry.display());
    }
    assert!(files > 0, "a rollout was written");
}

#[tokio::test]
async fn exec_never_prints_an_echoed_key() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    for _ in 0..8 {
        server.enqueue(echoing_failure());
    }
    for json in [false, true] {
        let mut cmd = tokio::process::Command::new(exec_binary());
        cmd.env("CODEX_HOME", home.path())
            .env("OPENAI_API_KEY", KEY)
            .args(mock_provider_args(&server.base_url()));
        if json {
            cmd.arg("--json");
        }
        let out = cmd
            .arg("hello")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "the turn failed: {stdout} {stderr}");
        assert!(
            !stdout.contains(KEY) && !stderr.contains(KEY),
            "json={json}\nstdout: {stdout}\nstderr: {stderr}"
        );
        assert!(
            stdout.contains("<redacted>") || stderr.contains("<redacted>"),
            "the failure is still shown: {stdout} {stderr}"
        );
    }
}

/// `-c` overrides pointing `exec` at the mock server with `OPENAI_API_KEY`, without stream replays.
pub(super) fn mock_provider_args(base_url: &str) -> Vec<String> {
    [
        "model_providers.mock.name=mock".to_owned(),
        format!("model_providers.mock.base_url={base_url}"),
        "model_providers.mock.env_key=OPENAI_API_KEY".to_owned(),
        "model_providers.mock.request_max_retries=0".to_owned(),
        "model_providers.mock.stream_max_retries=0".to_owned(),
        "model_provider=mock".to_owned(),
    ]
    .into_iter()
    .flat_map(|kv| ["-c".to_owned(), kv])
    .collect()
}

#[tokio::test]
async fn request_retries_are_announced_before_each_wait() {
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::status(429).retry_after("0").body("slow down"));
    server.enqueue(MockResponse::status(503).body("busy"));
    server.enqueue(MockResponse::sse(sse::text_response("r1", "ok")));
    let keep_codex = Codex::builder()
        .ephemeral()
        .provider(provider(server.base_url()))
        .api_key(KEY)
        .no_builtin_tools()
        .build()
        .unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("hi").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(
        matches!(msgs.last(), Some(EventMsg::TaskComplete(_))),
        "{msgs:#?}"
    );
    let retries: Vec<&StreamErrorEvent> = msgs
        .iter()
        .filter_map(|m| match m {
            EventMsg::StreamError(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 2, "{msgs:#?}");
    let infos: Vec<_> = retries.iter().map(|e| e.retry.clone().unwrap()).collect();
    assert_eq!(infos[0].phase, RetryPhase::Request);
    assert_eq!((infos[0].attempt, infos[0].max_retries), (1, 2));
    assert_eq!(infos[0].code, ErrorCode::RateLimited);
    assert_eq!(infos[0].delay_ms, 0, "Retry-After: 0 is honoured");
    assert_eq!((infos[1].attempt, infos[1].code), (2, ErrorCode::Http));
    assert!(retries[1].message.contains("503"), "{}", retries[1].message);
    assert!(
        retries[1].message.contains("retrying request 2/2"),
        "{}",
        retries[1].message
    );
    // The retries came before the answer.
    let first_delta = msgs
        .iter()
        .position(|m| matches!(m, EventMsg::AgentMessageDelta(_)))
        .unwrap();
    let last_retry = msgs
        .iter()
        .rposition(|m| matches!(m, EventMsg::StreamError(_)))
        .unwrap();
    assert!(last_retry < first_delta);
}

async fn start_error(base_url: String) -> Error {
    let provider = ModelProviderInfo::custom("dead", base_url, WireApi::Responses)
        .with_retries(0, 0)
        .with_stream_idle_timeout(Duration::from_secs(20));
    let client = ResponsesClient::new(provider, Some(ApiKey::new(KEY)), "t");
    let prompt = codex_sdk::model::Prompt {
        model: "m".into(),
        instructions: String::new(),
        input: vec![ResponseItem::user_text("hi")],
        tools: Vec::new(),
        parallel_tool_calls: false,
        effort: None,
        summary: ReasoningSummary::Auto,
        reasoning: false,
        output_schema: None,
        conversation_id: ConversationId::new(),
        verbosity: None,
        max_output_tokens: None,
    };
    match client.stream(&prompt).await {
        Ok(_) => panic!("the request should fail"),
        Err(e) => e,
    }
}

fn transport_kind(error: &Error) -> TransportErrorKind {
    match error {
        Error::Transport(t) => t.kind(),
        other => panic!("not a transport error: {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_names_the_cause_and_the_host() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = start_error(format!("http://127.0.0.1:{port}/v1")).await;
    assert_eq!(transport_kind(&err), TransportErrorKind::ConnectionRefused);
    let text = err.to_string();
    assert!(
        text.contains(&format!("connection refused by 127.0.0.1:{port}")),
        "{text}"
    );
    assert_eq!(err.code(), ErrorCode::Stream);
}

#[tokio::test]
async fn a_tls_failure_and_a_dns_failure_are_named() {
    // An https URL in front of the plain-HTTP mock server: the handshake fails.
    let server = MockServer::start().await.unwrap();
    let https = server.base_url().replacen("http://", "https://", 1);
    let err = start_error(https).await;
    assert_eq!(transport_kind(&err), TransportErrorKind::Tls, "{err}");
    assert!(err.to_string().contains("TLS handshake failed"), "{err}");

    // `.invalid` never resolves (RFC 2606).
    let err = start_error("http://codex-sdk-test.invalid/v1".to_owned()).await;
    assert_eq!(transport_kind(&err), TransportErrorKind::Dns, "{err}");
    assert!(
        err.to_string()
            .contains("DNS lookup failed for codex-sdk-test.invalid:80"),
        "{err}"
    );
}

/// A system without CA certificates (a minimal container; here: `SSL_CERT_FILE`/`SSL_CERT_DIR` pointing
/// nowhere) still talks to a plain-HTTP provider, and an HTTPS provider gets an error naming the fix.
#[tokio::test]
async fn without_ca_certificates_plain_http_works_and_https_names_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    server.enqueue(MockResponse::sse(sse::text_response(
        "r1",
        "no certs needed",
    )));
    let https = server.base_url().replacen("http://", "https://", 1);
    for (base_url, ok) in [(server.base_url(), true), (https, false)] {
        let out = tokio::process::Command::new(exec_binary())
            .env("CODEX_HOME", home.path())
            .env("OPENAI_API_KEY", KEY)
            .env("SSL_CERT_FILE", "/nonexistent/ca.pem")
            .env("SSL_CERT_DIR", "/nonexistent")
            .args(mock_provider_args(&base_url))
            .arg("hello")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), ok, "{base_url}\n{stdout}\n{stderr}");
        if ok {
            assert!(stdout.contains("no certs needed"), "{stdout}");
        } else {
            assert!(stderr.contains("CA certificates"), "{stderr}");
            assert!(!stderr.contains("internal"), "{stderr}");
        }
    }
}
