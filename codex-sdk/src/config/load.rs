//! Loading `CODEX_HOME/config.toml` (then `-c` overrides), and writing the default model back into it with
//! the rest of the file and its comments kept.

use std::path::{Path, PathBuf};

use super::{Config, ConfigToml};
use crate::atomic_file::write_atomically;
use crate::error::{Error, Result};
use crate::protocol::ReasoningEffort;

/// The file name under `CODEX_HOME`.
pub const CONFIG_FILE: &str = "config.toml";

/// Codex CLI settings this SDK accepts without using them (no warning), each with the reason. Every other
/// key Codex writes is either honoured (a field of [`ConfigToml`]) or warned about as unknown. The README's
/// "Codex config keys" section lists the same keys (a test checks).
pub const INERT_CONFIG_KEYS: &[(&str, &str)] = &[
    ("tui", "terminal UI settings (the SDK has no terminal UI)"),
    (
        "file_opener",
        "how the terminal UI links citations to an editor",
    ),
    ("notice", "which one-time notices the terminal UI has shown"),
    (
        "history",
        "the CLI's prompt history file (`history.jsonl`), which the SDK does not write",
    ),
    ("check_for_update_on_startup", "the CLI's self-update check"),
    (
        "windows_wsl_setup_acknowledged",
        "a Windows terminal UI prompt",
    ),
    (
        "chatgpt_base_url",
        "ChatGPT sign-in, which the SDK does not offer (API keys only)",
    ),
    (
        "preferred_auth_method",
        "ChatGPT sign-in, which the SDK does not offer (API keys only)",
    ),
    (
        "forced_login_method",
        "ChatGPT sign-in, which the SDK does not offer (API keys only)",
    ),
    (
        "forced_chatgpt_workspace_id",
        "ChatGPT sign-in, which the SDK does not offer (API keys only)",
    ),
    (
        "cli_auth_credentials_store",
        "the CLI's keyring option; the SDK reads `auth.json` or a key it is given",
    ),
    (
        "disable_response_storage",
        "requests are always sent with `store: false`",
    ),
    ("analytics", "the CLI's usage analytics; the SDK sends none"),
    (
        "log_dir",
        "the CLI's log files; the SDK logs through `tracing`, which the host configures",
    ),
    (
        "sqlite_home",
        "the CLI's state database, which the SDK does not use",
    ),
    (
        "suppress_unstable_features_warning",
        "a terminal UI warning",
    ),
];

/// A loaded configuration and what the caller should tell the user about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoadedConfig {
    /// The configuration.
    pub config: Config,
    /// Keys that were ignored because this SDK does not know them (`unknown config key …`).
    pub warnings: Vec<String>,
}

impl Config {
    /// Loads `codex_home/config.toml` (a missing file is an empty one), applies `overrides` on top (as
    /// `-c key=value` does; see [`parse_override`](super::parse_override)), and builds a `Config` whose
    /// `codex_home` is `codex_home`. The API key of an `openai` provider comes from its environment
    /// variable, else from `auth.json`. Per-conversation changes (builder setters,
    /// [`Codex::new_conversation_with`](crate::Codex::new_conversation_with)) win over both.
    ///
    /// # Errors
    /// [`Error::Config`] naming the key whose value is invalid (including a `model_auto_compact_token_limit`
    /// above the context window, and `config.toml` itself when it is not TOML); [`Error::Io`] when the file
    /// exists but cannot be read.
    pub fn load(
        codex_home: impl Into<PathBuf>,
        overrides: &[(String, toml::Value)],
    ) -> Result<LoadedConfig> {
        Self::load_layers(&codex_home.into(), None, overrides, true)
    }

    /// `config.toml`, the profile (`profile`, else the `profile` key), the overrides; then the config.
    /// Without `read_files` the layers start from an empty table and `auth.json` is not read.
    pub(super) fn load_layers(
        codex_home: &Path,
        profile: Option<&str>,
        overrides: &[(String, toml::Value)],
        read_files: bool,
    ) -> Result<LoadedConfig> {
        let base = if read_files {
            super::profile::read_config_table(codex_home)?
        } else {
            toml::Table::new()
        };
        let (mut table, _profile) = super::profile::layer(codex_home, base, profile, overrides)?;
        let mut warnings = drop_unknown_values(&mut table);
        let parsed = ConfigToml::from_table(table.clone())?;
        warnings.extend(unknown_keys(&table, &parsed));
        let mut config = Config {
            codex_home: codex_home.to_owned(),
            ..Config::default()
        };
        parsed.apply_to(&mut config)?;
        super::trust::apply_project_trust(&parsed, &mut config);
        if let Some(file) = parsed.instructions_file() {
            config.base_instructions = Some(read_instructions_file(codex_home, file)?);
        }
        config.validate()?;
        if read_files
            && config.api_key.is_none()
            && config.model_provider_id == "openai"
            && config.model_provider.api_key_from_env().is_none()
        {
            config.api_key = crate::auth::load_api_key(codex_home)?;
        }
        Ok(LoadedConfig { config, warnings })
    }
}

/// Keys whose values a newer Codex CLI may extend. A value this SDK does not know is dropped with a
/// warning naming the key, so the default applies and loading never fails on what a newer Codex wrote.
const EXTENSIBLE_KEYS: [&str; 2] = ["model_reasoning_effort", "model_reasoning_summary"];

/// Removes unknown string values of [`EXTENSIBLE_KEYS`] from `table`; one warning for each. A value of
/// the wrong type stays, to fail as a typed error.
fn drop_unknown_values(table: &mut toml::Table) -> Vec<String> {
    let mut warnings = Vec::new();
    for key in EXTENSIBLE_KEYS {
        let Some(value) = table.get(key).filter(|v| v.is_str()) else {
            continue;
        };
        let mut single = toml::Table::new();
        single.insert(key.to_owned(), value.clone());
        if toml::Value::Table(single).try_into::<ConfigToml>().is_err() {
            warnings.push(format!(
                "unknown value {value} for config key `{key}` (ignored; the default applies)"
            ));
            table.remove(key);
        }
    }
    warnings
}

/// The largest instructions file read (`model_instructions_file`).
const MAX_INSTRUCTIONS_BYTES: u64 = 1024 * 1024;

/// Reads `model_instructions_file` (relative paths from `CODEX_HOME`) as a regular file, bounded.
fn read_instructions_file(codex_home: &Path, file: &Path) -> Result<String> {
    let path = if file.is_absolute() {
        file.to_owned()
    } else {
        codex_home.join(file)
    };
    let bytes = crate::tools::handlers::regular_file::read_regular(&path, MAX_INSTRUCTIONS_BYTES)
        .map_err(|e| Error::Config {
        key: "model_instructions_file".to_owned(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| Error::Config {
        key: "model_instructions_file".to_owned(),
        message: format!("{} is not UTF-8", path.display()),
    })
}

/// Dotted paths of keys in `input` that the parsed config does not hold.
fn unknown_keys(input: &toml::Table, parsed: &ConfigToml) -> Vec<String> {
    let mut warnings = Vec::new();
    for key in parsed.unknown.keys() {
        if !INERT_CONFIG_KEYS.iter().any(|(k, _)| k == key) {
            warnings.push(format!("unknown config key `{key}` (ignored)"));
        }
    }
    for name in parsed.features.iter().flat_map(|f| f.keys()) {
        if !super::overrides::HONOURED_FEATURES.contains(&name.as_str()) {
            warnings.push(format!(
                "config key `features.{name}` has no effect in this SDK (ignored)"
            ));
        }
    }
    let mut known = parsed.clone();
    known.unknown.clear();
    if let Ok(toml::Value::Table(out)) = toml::Value::try_from(&known) {
        let mut nested = Vec::new();
        diff_tables("", input, &out, &parsed.unknown, &mut nested);
        warnings.extend(
            nested
                .into_iter()
                .map(|k| format!("unknown config key `{k}` (ignored)")),
        );
    }
    warnings
}

fn diff_tables(
    prefix: &str,
    input: &toml::Table,
    out: &toml::Table,
    skip: &std::collections::BTreeMap<String, toml::Value>,
    found: &mut Vec<String>,
) {
    for (key, value) in input {
        // `[mcp_servers.*]` rejects unknown keys itself (and accepts spellings it does not write back).
        if prefix.is_empty() && (skip.contains_key(key) || key == "mcp_servers") {
            continue;
        }
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (value, out.get(key)) {
            (toml::Value::Table(t), None) if t.is_empty() => {}
            (_, None) => found.push(path),
            (toml::Value::Table(a), Some(toml::Value::Table(b))) => {
                diff_tables(&path, a, b, skip, found);
            }
            _ => {}
        }
    }
}

/// Writes the default `model` and `model_reasoning_effort` into `codex_home/config.toml`, keeping every
/// other key, table and comment. `None` removes the key (an explicit clear: some models take no reasoning
/// effort). Creates the file (and `codex_home`, `0700`) when missing; the write is atomic.
///
/// # Errors
/// [`Error::Config`] when the existing file is not TOML; [`Error::Io`] when it cannot be written.
pub fn set_default_model(
    codex_home: &Path,
    model: Option<&str>,
    effort: Option<ReasoningEffort>,
) -> Result<()> {
    let path = codex_home.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::Io(e)),
    };
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| Error::Config {
                key: CONFIG_FILE.to_owned(),
                message: e.to_string(),
            })?;
    set_or_remove(&mut doc, "model", model.map(str::to_owned));
    let effort = effort.and_then(|e| {
        serde_json::to_value(e)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
    });
    set_or_remove(&mut doc, "model_reasoning_effort", effort);
    write_atomically(codex_home, &path, doc.to_string().as_bytes(), None)
}

fn set_or_remove(doc: &mut toml_edit::DocumentMut, key: &str, value: Option<String>) {
    match value {
        Some(v) => match doc.get_mut(key) {
            // Replacing only the value keeps the key's comments and position.
            Some(item) if item.is_value() => {
                let decor = item.as_value().map(|v| v.decor().clone());
                let mut new = toml_edit::Value::from(v);
                if let Some(decor) = decor {
                    *new.decor_mut() = decor;
                }
                *item = toml_edit::Item::Value(new);
            }
            _ => {
                doc.insert(key, toml_edit::value(v));
            }
        },
        None => {
            doc.remove(key);
        }
    }
}
