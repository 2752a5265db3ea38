//! What lives in `CODEX_HOME` besides sessions — `auth.json` (API-key login, logout, status with the
//! account's email) and the default model in `config.toml` — and the token formatting helpers. Small files,
//! read and written on the calling thread.

use std::path::PathBuf;

use codex_sdk::protocol::ReasoningEffort;
use pyo3::prelude::*;

use crate::error::to_py;
use crate::events::{from_json, to_json};

/// `codex_home`, else `CODEX_HOME`, else `~/.codex`.
fn home(codex_home: Option<PathBuf>) -> codex_sdk::Result<PathBuf> {
    codex_home.map_or_else(codex_sdk::config::default_codex_home, Ok)
}

/// Stores an API key in `auth.json` (0600).
#[pyfunction]
#[pyo3(signature = (api_key, codex_home = None))]
pub(crate) fn login_api_key(
    py: Python<'_>,
    api_key: &str,
    codex_home: Option<PathBuf>,
) -> PyResult<()> {
    to_py(
        py,
        home(codex_home).and_then(|h| codex_sdk::auth::login_api_key(&h, api_key)),
    )
}

/// Removes `auth.json`; returns whether there was one.
#[pyfunction]
#[pyo3(signature = (codex_home = None))]
pub(crate) fn logout(py: Python<'_>, codex_home: Option<PathBuf>) -> PyResult<bool> {
    to_py(
        py,
        home(codex_home).and_then(|h| codex_sdk::auth::logout(&h)),
    )
}

/// What `auth.json` holds, without the secrets, as the JSON of `AuthStatus`.
#[pyfunction]
#[pyo3(signature = (codex_home = None))]
pub(crate) fn auth_status(py: Python<'_>, codex_home: Option<PathBuf>) -> PyResult<String> {
    let status = to_py(
        py,
        home(codex_home).and_then(|h| codex_sdk::auth::auth_status(&h)),
    )?;
    to_json(&status).map_err(|e| e.into_pyerr(py))
}

/// Writes the default model (and reasoning effort, a JSON `ReasoningEffort`) into `config.toml`, keeping
/// the rest of the file.
#[pyfunction]
#[pyo3(signature = (model, effort = None, codex_home = None))]
pub(crate) fn set_default_model(
    py: Python<'_>,
    model: Option<&str>,
    effort: Option<&str>,
    codex_home: Option<PathBuf>,
) -> PyResult<()> {
    let effort = effort
        .map(|e| from_json::<ReasoningEffort>("effort", e))
        .transpose()
        .map_err(|e| e.into_pyerr(py))?;
    to_py(
        py,
        home(codex_home).and_then(|h| codex_sdk::config::set_default_model(&h, model, effort)),
    )
}

/// A token count for display, e.g. `12.3K`.
#[pyfunction]
pub(crate) fn format_tokens_compact(n: u64) -> String {
    codex_sdk::protocol::format_tokens_compact(n)
}

/// A token count with thousands separators, e.g. `12,345`.
#[pyfunction]
pub(crate) fn format_tokens_exact(n: u64) -> String {
    codex_sdk::protocol::format_tokens_exact(n)
}
