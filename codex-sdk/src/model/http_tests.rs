use super::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

#[test]
fn retry_after_forms() {
    assert_eq!(retry_after_header(&HeaderMap::new()), None);
    assert_eq!(
        retry_after_header(&headers(&[("retry-after", "2")])),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        retry_after_header(&headers(&[("retry-after", "0.25")])),
        Some(Duration::from_millis(250))
    );
    assert_eq!(
        retry_after_header(&headers(&[("retry-after-ms", "150"), ("retry-after", "9")])),
        Some(Duration::from_millis(150))
    );
    assert_eq!(
        retry_after_header(&headers(&[("retry-after", "99999")])),
        Some(MAX_SERVER_DELAY)
    );
    assert_eq!(
        retry_after_header(&headers(&[(
            "retry-after",
            "Sun, 06 Nov 1994 08:49:37 GMT"
        )])),
        Some(Duration::ZERO)
    );
    assert_eq!(retry_after_header(&headers(&[("retry-after", "-1")])), None);
    assert_eq!(
        retry_after_header(&headers(&[("retry-after", "soon")])),
        None
    );
}

#[test]
fn error_detail_parsing() {
    assert_eq!(
        ErrorDetail::parse(br#"{"error":{"code":"context_length_exceeded","type":"invalid_request_error","message":"m"}}"#),
        ErrorDetail {
            code: Some("context_length_exceeded".into()),
            kind: Some("invalid_request_error".into()),
            message: Some("m".into()),
        }
    );
    assert_eq!(
        ErrorDetail::parse(br#"{"type":"usage_limit_reached"}"#)
            .kind
            .as_deref(),
        Some("usage_limit_reached")
    );
    assert_eq!(ErrorDetail::parse(b"<html>"), ErrorDetail::default());
    assert_eq!(
        ErrorDetail::parse(b"{\"error\":null}"),
        ErrorDetail::default()
    );
}

#[test]
fn loopback_detection() {
    assert!(is_loopback("http://127.0.0.1:8080/v1"));
    assert!(is_loopback("http://localhost/v1"));
    assert!(is_loopback("http://[::1]:9/v1"));
    assert!(!is_loopback("https://api.openai.com/v1"));
    assert!(!is_loopback("not a url"));
}

#[test]
fn truncation_respects_char_boundaries() {
    let long = "é".repeat(MAX_ERROR_BODY);
    let cut = truncate_body(long.as_bytes());
    assert!(cut.len() <= MAX_ERROR_BODY + '…'.len_utf8());
    assert!(cut.ends_with('…'));
    assert_eq!(truncate_body(b"short"), "short");
}

fn core(key: Option<&str>) -> HttpCore {
    HttpCore::new(
        ModelProviderInfo::custom(
            "Test",
            "http://127.0.0.1:1/v1",
            super::super::WireApi::Responses,
        ),
        key.map(ApiKey::new),
        "codex_sdk_test".into(),
    )
}

#[test]
fn user_agent_and_headers() {
    let mut c = core(Some("sk-secret-123"));
    assert_eq!(
        c.user_agent(),
        format!(
            "codex_sdk_test/{} ({}; {})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        )
    );
    c.set_user_agent_suffix(" host-app/1.0 ".into());
    assert!(c.user_agent().ends_with(") host-app/1.0"));

    let id = ConversationId::new();
    let h = c.headers(&ApiKey::new("sk-secret-123"), &id).unwrap();
    assert_eq!(h["authorization"], "Bearer sk-secret-123");
    assert!(h["authorization"].is_sensitive());
    assert_eq!(h["accept"], "text/event-stream");
    assert_eq!(h["originator"], "codex_sdk_test");
    assert_eq!(h["session_id"], id.to_string().as_str());
    // Neither the client's nor the header map's Debug shows the key.
    assert!(!format!("{c:?}").contains("sk-secret"));
    assert!(!format!("{h:?}").contains("sk-secret"));
    let redacted = c.redact_error(Error::Http {
        status: 400,
        body: "bad key sk-secret-123!".into(),
    });
    assert_eq!(redacted.to_string(), "HTTP 400: bad key <redacted>!");
}

#[test]
fn provider_headers_and_query_params() {
    let mut provider = ModelProviderInfo::custom(
        "Test",
        "http://127.0.0.1:1/v1/",
        super::super::WireApi::Responses,
    )
    .with_header("x-extra", "1");
    provider
        .query_params
        .insert("api-version".into(), "2025-01-01".into());
    let c = HttpCore::new(provider.clone(), Some(ApiKey::new("k")), "o".into());
    assert_eq!(
        c.url("responses").unwrap().as_str(),
        "http://127.0.0.1:1/v1/responses?api-version=2025-01-01"
    );
    let h = c
        .headers(&ApiKey::new("k"), &ConversationId::new())
        .unwrap();
    assert_eq!(h["x-extra"], "1");

    let bad = HttpCore::new(provider.with_header("bad name", "x"), None, "o".into());
    assert!(matches!(
        bad.headers(&ApiKey::new("k"), &ConversationId::new()),
        Err(Error::Config { .. })
    ));
}

#[tokio::test]
async fn no_key_fails_before_any_request() {
    for key in [None, Some("  ")] {
        let err = core(key)
            .post("responses", &Value::Null, &ConversationId::new())
            .await
            .unwrap_err();
        match err {
            Error::Unauthorized { status: 0, body } => {
                assert!(body.contains("no API key"), "{body}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn stream_failure_mapping() {
    assert!(matches!(
        stream_failure(Some("usage_not_included"), Some("m")),
        Error::UsageLimitReached { .. }
    ));
    assert!(matches!(
        stream_failure(None, None),
        Error::Stream {
            retry_after: None,
            ..
        }
    ));
    assert!(matches!(
        stream_failure(Some("rate_limit_exceeded"), Some("try again in 250ms")),
        Error::Stream { retry_after: Some(d), .. } if d == Duration::from_millis(250)
    ));
}

/// Creating a model client builds no HTTP client (loading CA certificates costs milliseconds); the first
/// request does, once, for every clone (which then share one connection pool).
#[tokio::test]
async fn the_http_client_is_built_on_the_first_request_and_shared_by_clones() {
    // Nothing listens on the discard port: the request fails fast, after the client was built.
    let provider = ModelProviderInfo::custom(
        "dead",
        "http://127.0.0.1:9/v1",
        super::super::WireApi::Responses,
    )
    .with_retries(0, 0);
    let core = HttpCore::new(
        provider,
        Some(ApiKey::new("sk-test")),
        "codex_sdk_test".to_owned(),
    );
    assert!(!core.http_client_built());
    let clone = core.clone();
    let result = clone
        .post("responses", &serde_json::json!({}), &ConversationId::new())
        .await;
    assert!(result.is_err());
    assert!(core.http_client_built());
    assert!(clone.http_client_built());
}
