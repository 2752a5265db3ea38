//! What lives in `CODEX_HOME` besides sessions — `auth.json` (API-key login, logout, status with the
//! account's email) and the default model in `config.toml` — and the token formatting helpers.

use std::path::PathBuf;

use codex_sdk::protocol::ReasoningEffort;
use napi_derive::napi;

use crate::error::{Result, core, invalid_input};
use crate::json::{from_json, to_json};

/// `codex_home`, else `CODEX_HOME`, else `~/.codex`.
fn home(codex_home: Option<String>) -> codex_sdk::Result<PathBuf> {
    codex_home.map_or_else(codex_sdk::config::default_codex_home, |h| {
        Ok(PathBuf::from(h))
    })
}

/// Stores an API key in `auth.json` (0600).
#[napi]
pub fn login_api_key(api_key: String, codex_home: Option<String>) -> Result<()> {
    core(home(codex_home).and_then(|h| codex_sdk::auth::login_api_key(&h, &api_key)))
}

/// Removes `auth.json`; returns whether there was one.
#[napi]
pub fn logout(codex_home: Option<String>) -> Result<bool> {
    core(home(codex_home).and_then(|h| codex_sdk::auth::logout(&h)))
}

/// What `auth.json` holds, without the secrets, as the JSON of `AuthStatus`.
#[napi]
pub fn auth_status(codex_home: Option<String>) -> Result<String> {
    to_json(&core(
        home(codex_home).and_then(|h| codex_sdk::auth::auth_status(&h)),
    )?)
}

/// Writes the default model (and reasoning effort, a JSON `ReasoningEffort`) into `config.toml`, keeping
/// the rest of the file.
#[napi]
pub fn set_default_model(
    model: Option<String>,
    effort: Option<String>,
    codex_home: Option<String>,
) -> Result<()> {
    let effort = effort
        .map(|e| from_json::<ReasoningEffort>("effort", &e))
        .transpose()?;
    core(
        home(codex_home)
            .and_then(|h| codex_sdk::config::set_default_model(&h, model.as_deref(), effort)),
    )
}

fn count(n: f64) -> Result<u64> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(n as u64)
    } else {
        Err(invalid_input(format!("not a token count: {n}")))
    }
}

/// A token count for display, e.g. `12.3K`.
#[napi]
pub fn format_tokens_compact(n: f64) -> Result<String> {
    Ok(codex_sdk::protocol::format_tokens_compact(count(n)?))
}

/// A token count with thousands separators, e.g. `12,345`.
#[napi]
pub fn format_tokens_exact(n: f64) -> Result<String> {
    Ok(codex_sdk::protocol::format_tokens_exact(count(n)?))
}
