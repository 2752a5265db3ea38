//! Loading `CODEX_HOME/config.toml` (then `-c` overrides), and writing the default model back into it with
//! the rest of the file and its comments kept.

use std::path::{Path, PathBuf};

use super::{Config, ConfigToml};
use crate::atomic_file::write_atomically;
use crate::error::{Error, Result};
use crate::protocol::ReasoningEffort;

/// The file name under `CODEX_HOME`.
pub const CONFIG_FILE: &str = "config.toml";

/// Codex CLI settings this SDK accepts without using them (no warning).
const CODEX_CLI_KEYS: &[&str] = &[
    "chatgpt_base_url",
    "disable_response_storage",
    "experimental_instructions_file",
    "experimental_use_exec_command_tool",
    "features",
    "file_opener",
    "hide_agent_reasoning",
    "history",
    "mcp_servers",
    "model_max_output_tokens",
    "model_verbosity",
    "notice",
    "notify",
    "preferred_auth_method",
    "profile",
    "profiles",
    "project_doc_max_bytes",
    "projects",
    "show_raw_agent_reasoning",
    "tools",
    "tui",
    "windows_wsl_setup_acknowledged",
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
        Self::load_with(codex_home.into(), overrides, true)
    }

    /// As [`Config::load`]; without `read_files`, neither `config.toml` nor `auth.json` is read (the
    /// overrides apply to the defaults).
    pub(crate) fn load_with(
        codex_home: PathBuf,
        overrides: &[(String, toml::Value)],
        read_files: bool,
    ) -> Result<LoadedConfig> {
        let path = codex_home.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            _ if !read_files => String::new(),
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::Io(e)),
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(|e| Error::Config {
            key: CONFIG_FILE.to_owned(),
            message: e.to_string(),
        })?;
        for (key, value) in overrides {
            ConfigToml::set_path(&mut table, key, value.clone())?;
        }
        let parsed = ConfigToml::from_table(table.clone())?;
        let warnings = unknown_keys(&table, &parsed);
        let mut config = Config {
            codex_home: codex_home.clone(),
            ..Config::default()
        };
        parsed.apply_to(&mut config)?;
        config.validate()?;
        if read_files
            && config.api_key.is_none()
            && config.model_provider_id == "openai"
            && config.model_provider.api_key_from_env().is_none()
        {
            config.api_key = crate::auth::load_api_key(&codex_home)?;
        }
        Ok(LoadedConfig { config, warnings })
    }
}

/// Dotted paths of keys in `input` that the parsed config does not hold.
fn unknown_keys(input: &toml::Table, parsed: &ConfigToml) -> Vec<String> {
    let mut warnings = Vec::new();
    for key in parsed.unknown.keys() {
        if !CODEX_CLI_KEYS.contains(&key.as_str()) {
            warnings.push(format!("unknown config key `{key}` (ignored)"));
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
        if prefix.is_empty() && skip.contains_key(key) {
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
