use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Config;
use crate::error::{Error, Result};
use crate::model::ModelProviderInfo;
use crate::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use crate::sandbox::ShellEnvironmentPolicy;

/// The keys of `config.toml` this SDK understands. Unknown keys are kept in `unknown` so callers can warn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigToml {
    /// `model`
    pub model: Option<String>,
    /// `model_provider`: an id from `model_providers` (or the built-in `openai`).
    pub model_provider: Option<String>,
    /// `[model_providers.<id>]`
    #[serde(default)]
    pub model_providers: BTreeMap<String, ModelProviderInfo>,
    /// `model_reasoning_effort`
    pub model_reasoning_effort: Option<ReasoningEffort>,
    /// `model_reasoning_summary`
    pub model_reasoning_summary: Option<ReasoningSummary>,
    /// `model_context_window`
    pub model_context_window: Option<u64>,
    /// `model_auto_compact_token_limit`
    pub model_auto_compact_token_limit: Option<u64>,
    /// `review_model`
    pub review_model: Option<String>,
    /// `compact_prompt`
    pub compact_prompt: Option<String>,
    /// `compact_bridge_template`
    pub compact_bridge_template: Option<String>,
    /// `approval_policy`: untrusted, on-failure, on-request, never.
    pub approval_policy: Option<AskForApproval>,
    /// `sandbox_mode`: read-only, workspace-write, danger-full-access.
    pub sandbox_mode: Option<SandboxMode>,
    /// `[sandbox_workspace_write]`
    pub sandbox_workspace_write: Option<SandboxWorkspaceWrite>,
    /// `instructions`: replaces the SDK's system instructions.
    pub instructions: Option<String>,
    /// `user_instructions`: appended to the system instructions.
    pub user_instructions: Option<String>,
    /// `parallel_tool_calls`
    pub parallel_tool_calls: Option<bool>,
    /// `[otel]`: telemetry export settings.
    pub otel: Option<super::OtelConfig>,
    /// `[shell_environment_policy]`: the environment of the processes the agent starts.
    pub shell_environment_policy: Option<ShellEnvironmentPolicy>,
    /// Keys this SDK does not know.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// `sandbox_mode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    /// Read anything, write nothing.
    ReadOnly,
    /// Write inside the workspace.
    WorkspaceWrite,
    /// No restrictions.
    DangerFullAccess,
}

/// `[sandbox_workspace_write]` settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SandboxWorkspaceWrite {
    /// Extra writable directories.
    #[serde(default)]
    pub writable_roots: Vec<PathBuf>,
    /// Whether commands may use the network.
    #[serde(default)]
    pub network_access: bool,
    /// Do not make the command's `$TMPDIR` writable.
    #[serde(default)]
    pub exclude_tmpdir_env_var: bool,
    /// Do not make `/tmp` writable.
    #[serde(default)]
    pub exclude_slash_tmp: bool,
}

/// Parses one `key=value` override as Codex CLI's `-c` does: the value is TOML, and a value that does not
/// parse as TOML is taken as a string (`-c model=o3` works without quotes).
///
/// # Errors
/// [`Error::InvalidInput`] when there is no `=` or the key is empty.
pub fn parse_override(spec: &str) -> Result<(String, toml::Value)> {
    let (key, raw) = spec.split_once('=').ok_or_else(|| {
        Error::InvalidInput(format!("override {spec:?} is not of the form key=value"))
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::InvalidInput(format!(
            "override {spec:?} has an empty key"
        )));
    }
    let raw = raw.trim();
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.trim_matches(['"', '\'']).to_owned()));
    Ok((key.to_owned(), value))
}

impl ConfigToml {
    /// Parses TOML text.
    ///
    /// # Errors
    /// [`Error::Config`] naming the offending key when a value has the wrong type or an unknown variant.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let table: toml::Table = toml::from_str(text).map_err(|e| Error::Config {
            key: "config.toml".to_owned(),
            message: e.to_string(),
        })?;
        Self::from_table(table)
    }

    /// Builds from a TOML table, validating each known key on its own so the error names it.
    ///
    /// # Errors
    /// [`Error::Config`] naming the key whose value is invalid.
    pub fn from_table(table: toml::Table) -> Result<Self> {
        for (key, value) in &table {
            let mut single = toml::Table::new();
            single.insert(key.clone(), value.clone());
            if let Err(e) = toml::Value::Table(single).try_into::<ConfigToml>() {
                return Err(Error::Config {
                    key: key.clone(),
                    message: e.message().to_owned(),
                });
            }
        }
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| Error::Config {
                key: "config".to_owned(),
                message: e.message().to_owned(),
            })
    }

    /// Sets a dotted key (`model_providers.local.base_url`) in a TOML table.
    ///
    /// # Errors
    /// [`Error::Config`] when a path segment exists but is not a table.
    pub fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<()> {
        let mut parts = key.split('.').peekable();
        let mut cursor = table;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                cursor.insert(part.to_owned(), value);
                return Ok(());
            }
            let entry = cursor
                .entry(part.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            cursor = entry.as_table_mut().ok_or_else(|| Error::Config {
                key: key.to_owned(),
                message: format!("`{part}` is not a table"),
            })?;
        }
        Ok(())
    }

    /// Applies these values onto `config` (set keys win).
    ///
    /// # Errors
    /// [`Error::Config`] when `model_provider` names a provider that is not defined.
    pub fn apply_to(&self, config: &mut Config) -> Result<()> {
        if let Some(model) = &self.model {
            config.model.clone_from(model);
        }
        if let Some(id) = &self.model_provider {
            config.model_provider = match self.model_providers.get(id) {
                Some(p) => p.clone(),
                None if id == "openai" => ModelProviderInfo::openai_from_env(),
                None => {
                    return Err(Error::Config {
                        key: "model_provider".to_owned(),
                        message: format!("no provider `{id}` in [model_providers]"),
                    });
                }
            };
            config.model_provider_id.clone_from(id);
        }
        if let Some(effort) = self.model_reasoning_effort {
            config.model_reasoning_effort = Some(effort);
        }
        if let Some(summary) = self.model_reasoning_summary {
            config.model_reasoning_summary = summary;
        }
        if let Some(window) = self.model_context_window {
            config.model_context_window = Some(window);
        }
        if let Some(limit) = self.model_auto_compact_token_limit {
            config.model_auto_compact_token_limit = Some(limit);
        }
        if let Some(model) = &self.review_model {
            config.review_model = Some(model.clone());
        }
        if let Some(text) = &self.compact_prompt {
            config.compact_prompt = Some(text.clone());
        }
        if let Some(text) = &self.compact_bridge_template {
            config.compact_bridge_template = Some(text.clone());
        }
        if let Some(policy) = self.approval_policy {
            config.approval_policy = policy;
        }
        if let Some(mode) = self.sandbox_mode {
            let ww = self.sandbox_workspace_write.clone().unwrap_or_default();
            config.sandbox_policy = match mode {
                SandboxMode::ReadOnly => SandboxPolicy::ReadOnly,
                SandboxMode::WorkspaceWrite => SandboxPolicy::WorkspaceWrite {
                    writable_roots: ww.writable_roots,
                    network_access: ww.network_access,
                    exclude_tmpdir_env_var: ww.exclude_tmpdir_env_var,
                    exclude_slash_tmp: ww.exclude_slash_tmp,
                },
                SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
            };
        }
        if let Some(text) = &self.instructions {
            config.base_instructions = Some(text.clone());
        }
        if let Some(text) = &self.user_instructions {
            config.user_instructions = Some(text.clone());
        }
        if let Some(parallel) = self.parallel_tool_calls {
            config.parallel_tool_calls = parallel;
        }
        if let Some(otel) = &self.otel {
            config.otel = otel.clone();
        }
        if let Some(policy) = &self.shell_environment_policy {
            config.shell_environment_policy = policy.clone();
        }
        config.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_toml_or_fall_back_to_string() {
        assert_eq!(
            parse_override("model=o3").unwrap(),
            ("model".into(), toml::Value::String("o3".into()))
        );
        assert_eq!(
            parse_override("model_context_window=1000").unwrap(),
            ("model_context_window".into(), toml::Value::Integer(1000))
        );
        assert!(parse_override("novalue").is_err());
    }

    #[test]
    fn invalid_value_names_its_key() {
        let mut t = toml::Table::new();
        ConfigToml::set_path(
            &mut t,
            "approval_policy",
            toml::Value::String("sometimes".into()),
        )
        .unwrap();
        ConfigToml::set_path(&mut t, "model", toml::Value::String("o3".into())).unwrap();
        match ConfigToml::from_table(t) {
            Err(Error::Config { key, .. }) => assert_eq!(key, "approval_policy"),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn provider_from_dotted_overrides() {
        let mut t = toml::Table::new();
        for spec in [
            "model_providers.local.name=Local",
            "model_providers.local.base_url=http://127.0.0.1:9/v1",
            "model_providers.local.wire_api=chat",
            "model_provider=local",
            "sandbox_mode=read-only",
        ] {
            let (k, v) = parse_override(spec).unwrap();
            ConfigToml::set_path(&mut t, &k, v).unwrap();
        }
        let parsed = ConfigToml::from_table(t).unwrap();
        let mut config = Config::default();
        parsed.apply_to(&mut config).unwrap();
        assert_eq!(config.model_provider.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(config.model_provider.wire_api, crate::model::WireApi::Chat);
        assert_eq!(config.sandbox_policy, SandboxPolicy::ReadOnly);
    }
}
