//! Credentials in `CODEX_HOME/auth.json` (`0600`), in the shape Codex CLI reads and writes: API key login,
//! logout, status, and the account email from a stored ChatGPT id token.
//!
//! The key never appears in `Debug` output, errors, logs, events or rollouts: it is held as an
//! [`ApiKey`], and a malformed `auth.json` is reported by position only.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::ApiKey;

/// The file name under `CODEX_HOME`.
pub const AUTH_FILE: &str = "auth.json";

/// How the user last logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AuthMode {
    /// An API key.
    #[serde(rename = "apikey")]
    ApiKey,
    /// A ChatGPT account (tokens stored by Codex CLI's login).
    #[serde(rename = "chatgpt")]
    ChatGpt,
}

/// What is stored, without the secrets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AuthStatus {
    /// The last login method (`None` when logged out).
    pub auth_mode: Option<AuthMode>,
    /// Whether an API key is stored.
    pub has_api_key: bool,
    /// The account email, from the stored id token's claims.
    pub email: Option<String>,
    /// The ChatGPT plan, from the id token's claims.
    pub plan_type: Option<String>,
}

/// `auth.json`. Fields this SDK does not know are kept on rewrite.
#[derive(Default, Serialize, Deserialize)]
struct AuthDotJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auth_mode: Option<AuthMode>,
    #[serde(
        rename = "OPENAI_API_KEY",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    openai_api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokens: Option<TokenData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_refresh: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct TokenData {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

/// `codex_home/auth.json`.
#[must_use]
pub fn auth_file(codex_home: &Path) -> PathBuf {
    codex_home.join(AUTH_FILE)
}

fn read(codex_home: &Path) -> Result<Option<AuthDotJson>> {
    let path = auth_file(codex_home);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Io(e)),
    };
    // serde's message can quote the offending value (possibly the key): report the position only.
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::Config {
            key: AUTH_FILE.to_owned(),
            message: format!(
                "not valid auth JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        })
}

fn write(codex_home: &Path, auth: &AuthDotJson) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(auth)?;
    crate::atomic_file::write_atomically_private(codex_home, &auth_file(codex_home), &bytes)
}

/// Stores an API key as the login (replacing any earlier login's tokens) and records the method.
///
/// # Errors
/// [`Error::InvalidInput`] for an empty key; [`Error::Io`] when the file cannot be written.
pub fn login_api_key(codex_home: &Path, key: &str) -> Result<()> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::InvalidInput("the API key is empty".to_owned()));
    }
    let other = read(codex_home)
        .ok()
        .flatten()
        .map(|a| a.other)
        .unwrap_or_default();
    write(
        codex_home,
        &AuthDotJson {
            auth_mode: Some(AuthMode::ApiKey),
            openai_api_key: Some(key.to_owned()),
            tokens: None,
            last_refresh: None,
            other,
        },
    )
}

/// Removes the stored credentials. Returns whether there were any.
///
/// # Errors
/// [`Error::Io`] when the file exists but cannot be removed.
pub fn logout(codex_home: &Path) -> Result<bool> {
    match std::fs::remove_file(auth_file(codex_home)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::Io(e)),
    }
}

/// What is stored: login method, whether there is a key, and the account email and plan from the id token.
///
/// # Errors
/// [`Error::Config`] when `auth.json` is malformed; [`Error::Io`] when it cannot be read.
pub fn auth_status(codex_home: &Path) -> Result<AuthStatus> {
    let Some(auth) = read(codex_home)? else {
        return Ok(AuthStatus::default());
    };
    let has_api_key = auth
        .openai_api_key
        .as_deref()
        .is_some_and(|k| !k.trim().is_empty());
    let id_token = auth.tokens.as_ref().and_then(|t| t.id_token.as_deref());
    let claims = id_token.and_then(jwt_claims);
    let email = claims.as_ref().and_then(|c| {
        c.get("email")
            .or_else(|| c.pointer("/https:~1~1api.openai.com~1profile/email"))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    });
    let plan_type = claims.as_ref().and_then(|c| {
        c.pointer("/https:~1~1api.openai.com~1auth/chatgpt_plan_type")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    });
    let auth_mode = auth.auth_mode.or(if auth.tokens.is_some() {
        Some(AuthMode::ChatGpt)
    } else if has_api_key {
        Some(AuthMode::ApiKey)
    } else {
        None
    });
    Ok(AuthStatus {
        auth_mode,
        has_api_key,
        email,
        plan_type,
    })
}

/// The stored API key, if any.
///
/// # Errors
/// As [`auth_status`].
pub fn load_api_key(codex_home: &Path) -> Result<Option<ApiKey>> {
    Ok(read(codex_home)?
        .and_then(|a| a.openai_api_key)
        .filter(|k| !k.trim().is_empty())
        .map(|k| ApiKey::new(k.trim())))
}

/// The claims of a JWT (its middle part), without verifying the signature.
fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}
