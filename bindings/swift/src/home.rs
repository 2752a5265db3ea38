//! What lives in `CODEX_HOME` besides sessions — `auth.json` (API-key login, logout, status with the
//! account's email) and the default model in `config.toml` — and the token formatting helpers.

use std::path::PathBuf;

use crate::error::CodexError;
use crate::json::{AuthStatus, ReasoningEffort};

/// `codex_home`, else `CODEX_HOME`, else `~/.codex`.
fn home(codex_home: Option<String>) -> codex_sdk::Result<PathBuf> {
    codex_home.map_or_else(codex_sdk::config::default_codex_home, |h| {
        Ok(PathBuf::from(h))
    })
}

/// Stores an API key in `auth.json` (0600).
#[uniffi::export(default(codex_home = None))]
pub fn login_api_key(api_key: String, codex_home: Option<String>) -> Result<(), CodexError> {
    Ok(codex_sdk::auth::login_api_key(
        &home(codex_home)?,
        &api_key,
    )?)
}

/// Removes `auth.json`; returns whether there was one.
#[uniffi::export(default(codex_home = None))]
pub fn logout(codex_home: Option<String>) -> Result<bool, CodexError> {
    Ok(codex_sdk::auth::logout(&home(codex_home)?)?)
}

/// What `auth.json` holds, without the secrets (its `email` is the account's).
#[uniffi::export(default(codex_home = None))]
pub fn auth_status(codex_home: Option<String>) -> Result<AuthStatus, CodexError> {
    AuthStatus::encode(&codex_sdk::auth::auth_status(&home(codex_home)?)?)
}

/// Writes the default model (and reasoning effort) into `config.toml`, keeping the rest of the file.
#[uniffi::export(default(effort = None, codex_home = None))]
pub fn set_default_model(
    model: Option<String>,
    effort: Option<ReasoningEffort>,
    codex_home: Option<String>,
) -> Result<(), CodexError> {
    let effort = effort.map(|e| e.decode()).transpose()?;
    Ok(codex_sdk::config::set_default_model(
        &home(codex_home)?,
        model.as_deref(),
        effort,
    )?)
}

/// A token count for display, e.g. `12.3K`.
#[uniffi::export]
pub fn format_tokens_compact(n: u64) -> String {
    codex_sdk::protocol::format_tokens_compact(n)
}

/// A token count with thousands separators, e.g. `12,345`.
#[uniffi::export]
pub fn format_tokens_exact(n: u64) -> String {
    codex_sdk::protocol::format_tokens_exact(n)
}
