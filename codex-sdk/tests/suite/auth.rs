//! `CODEX_HOME/auth.json`: API key login, status with the id token's email, logout, no key leaks.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::os::unix::fs::PermissionsExt;

use base64::Engine as _;
use codex_sdk::auth::{
    AuthMode, AuthStatus, auth_file, auth_status, load_api_key, login_api_key, logout,
};
use codex_sdk::config::Config;
use codex_sdk::model::ApiKey;
use pretty_assertions::assert_eq;

const KEY: &str = "sk-test-very-secret-0123456789";

#[test]
fn api_key_login_is_private_and_reported_without_the_key() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(auth_status(home.path()).unwrap(), AuthStatus::default());
    login_api_key(home.path(), KEY).unwrap();
    let path = auth_file(home.path());
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        stored,
        serde_json::json!({"auth_mode": "apikey", "OPENAI_API_KEY": KEY})
    );
    let status = auth_status(home.path()).unwrap();
    assert_eq!(
        (status.auth_mode, status.has_api_key, status.email.clone()),
        (Some(AuthMode::ApiKey), true, None)
    );
    assert!(!format!("{status:?}").contains(KEY));
    assert_eq!(load_api_key(home.path()).unwrap(), Some(ApiKey::new(KEY)));

    std::fs::write(home.path().join("config.toml"), "model = \"o3\"").unwrap();
    let loaded = Config::load(home.path(), &[]).unwrap();
    assert!(!format!("{loaded:?}").contains(KEY));
    if std::env::var_os("OPENAI_API_KEY").is_none() {
        assert_eq!(loaded.config.api_key, Some(ApiKey::new(KEY)));
    }

    assert!(logout(home.path()).unwrap());
    assert!(!logout(home.path()).unwrap());
    assert_eq!(auth_status(home.path()).unwrap(), AuthStatus::default());
    assert!(login_api_key(home.path(), "  ").is_err());
}

fn jwt(claims: serde_json::Value) -> String {
    let enc = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    format!(
        "{}.{}.sig",
        enc(&serde_json::json!({"alg": "RS256"})),
        enc(&claims)
    )
}

#[test]
fn the_email_comes_from_the_stored_id_token() {
    let home = tempfile::tempdir().unwrap();
    let token = jwt(serde_json::json!({
        "email": "dev@example.com",
        "https://api.openai.com/auth": {"chatgpt_plan_type": "pro"}
    }));
    std::fs::write(
        auth_file(home.path()),
        serde_json::json!({
            "OPENAI_API_KEY": null,
            "tokens": {"id_token": token, "access_token": "at", "refresh_token": "rt", "account_id": "acc"},
            "last_refresh": "2025-10-01T00:00:00Z"
        })
        .to_string(),
    )
    .unwrap();
    let mut expected = AuthStatus::default();
    expected.auth_mode = Some(AuthMode::ChatGpt);
    expected.email = Some("dev@example.com".into());
    expected.plan_type = Some("pro".into());
    assert_eq!(auth_status(home.path()).unwrap(), expected);

    // Logging in with a key replaces the tokens and records the method.
    login_api_key(home.path(), KEY).unwrap();
    let status = auth_status(home.path()).unwrap();
    assert_eq!(
        (status.auth_mode, status.email),
        (Some(AuthMode::ApiKey), None)
    );
}

#[test]
fn a_malformed_file_is_an_error_that_does_not_quote_the_key() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        auth_file(home.path()),
        format!("{{\"OPENAI_API_KEY\": [\"{KEY}\""),
    )
    .unwrap();
    let err = auth_status(home.path()).unwrap_err();
    assert!(!err.to_string().contains(KEY), "{err}");
    assert!(!format!("{err:?}").contains(KEY));
    std::fs::write(
        auth_file(home.path()),
        format!("{{\"OPENAI_API_KEY\": 5, \"x\": \"{KEY}\"}}"),
    )
    .unwrap();
    let err = load_api_key(home.path()).unwrap_err();
    assert!(!format!("{err:?}").contains(KEY));
}
