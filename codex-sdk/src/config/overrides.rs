use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Config;
use super::TrustLevel;
use crate::error::{Error, Result};
use crate::model::{ModelProviderInfo, Verbosity};
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
    /// `use_experimental_unified_exec_tool`: offer the PTY-backed `unified_exec` tool.
    pub use_experimental_unified_exec_tool: Option<bool>,
    /// `experimental_use_unified_exec_tool`: Codex CLI's spelling of the same switch.
    pub experimental_use_unified_exec_tool: Option<bool>,
    /// `[otel]`: telemetry export settings.
    pub otel: Option<super::OtelConfig>,
    /// `[rollout]`: where conversations are recorded (files, or PostgreSQL with feature `postgres`).
    pub rollout: Option<super::RolloutStoreConfig>,
    /// `[shell_environment_policy]`: the environment of the processes the agent starts.
    pub shell_environment_policy: Option<ShellEnvironmentPolicy>,
    /// `model_instructions_file`: replaces the system instructions with the file's text (relative paths
    /// from `CODEX_HOME`).
    pub model_instructions_file: Option<PathBuf>,
    /// `experimental_instructions_file`: the older name of `model_instructions_file`.
    pub experimental_instructions_file: Option<PathBuf>,
    /// `project_doc_max_bytes`: the cap on the `AGENTS.md` bytes sent (0 turns project docs off).
    pub project_doc_max_bytes: Option<usize>,
    /// `project_doc_fallback_filenames`: names tried where a folder has no `AGENTS.md`.
    pub project_doc_fallback_filenames: Option<Vec<String>>,
    /// `project_root_markers`: entries whose folder is the project root for `AGENTS.md` discovery
    /// (default `[".git"]`; empty: the working directory only).
    pub project_root_markers: Option<Vec<String>>,
    /// `openai_base_url`: the built-in `openai` provider's URL (as `OPENAI_BASE_URL`).
    pub openai_base_url: Option<String>,
    /// `profile`: selects a `[profiles.NAME]` table (or `NAME.config.toml`); applied while loading.
    pub profile: Option<String>,
    /// `[profiles.NAME]`: settings laid over the rest when the profile is selected.
    pub profiles: Option<BTreeMap<String, toml::Table>>,
    /// `[tools]`: `web_search`, `view_image`.
    pub tools: Option<ToolsToml>,
    /// `web_search`: `true`/`false`, or Codex's `"live"`, `"cached"`, `"disabled"`.
    pub web_search: Option<WebSearchToml>,
    /// `[features]`: Codex's feature flags; `web_search_request` is honoured, others are warned about.
    pub features: Option<BTreeMap<String, toml::Value>>,
    /// `model_verbosity`: `low`, `medium`, `high`.
    pub model_verbosity: Option<Verbosity>,
    /// `model_max_output_tokens`
    pub model_max_output_tokens: Option<u64>,
    /// `hide_agent_reasoning`
    pub hide_agent_reasoning: Option<bool>,
    /// `show_raw_agent_reasoning`
    pub show_raw_agent_reasoning: Option<bool>,
    /// `notify`: a program and its arguments, run after each turn.
    pub notify: Option<Vec<String>>,
    /// `[projects."<path>"]`: `trust_level` per project folder.
    pub projects: Option<BTreeMap<String, ProjectToml>>,
    /// `[mcp_servers.<name>]`: MCP servers (Codex CLI's keys).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mcp_servers: BTreeMap<String, crate::mcp::McpServerConfig>,
    /// `mcp_oauth_credentials_store`: `auto`, `keyring` or `file`.
    pub mcp_oauth_credentials_store: Option<crate::mcp::OAuthCredentialsStoreMode>,
    /// `mcp_oauth_callback_port`: the loopback port of the OAuth redirect.
    pub mcp_oauth_callback_port: Option<u16>,
    /// Keys this SDK does not know.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// The `[features]` flags this SDK acts on.
pub(crate) const HONOURED_FEATURES: &[&str] = &["web_search_request"];

/// `[tools]` settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolsToml {
    /// Offer the hosted `web_search` tool (Responses API only).
    pub web_search: Option<bool>,
    /// Offer the `view_image` tool (default true).
    pub view_image: Option<bool>,
}

/// `web_search` at the top level: a boolean or Codex's mode names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WebSearchToml {
    /// `true` / `false`.
    Enabled(bool),
    /// `"live"`, `"cached"` (both enable the tool) or `"disabled"`.
    Mode(WebSearchMode),
}

/// Codex's web search modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebSearchMode {
    /// No web search.
    Disabled,
    /// Search results from a cache (the SDK sends the same tool; the server decides).
    Cached,
    /// Live search.
    Live,
}

/// `[projects."<path>"]` settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProjectToml {
    /// `trusted` or `untrusted`.
    pub trust_level: Option<TrustLevel>,
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
        if let Some(toml::Value::Table(servers)) = table.get("mcp_servers") {
            for (name, server) in servers {
                if let Err(e) = server.clone().try_into::<crate::mcp::McpServerConfig>() {
                    return Err(Error::Config {
                        key: format!("mcp_servers.{name}"),
                        message: e.message().to_owned(),
                    });
                }
            }
        }
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
        if let Some(enabled) = self
            .use_experimental_unified_exec_tool
            .or(self.experimental_use_unified_exec_tool)
        {
            config.use_experimental_unified_exec_tool = enabled;
        }
        if let Some(otel) = &self.otel {
            config.otel = otel.clone();
        }
        if let Some(rollout) = &self.rollout {
            config.rollout = rollout.clone();
        }
        if let Some(policy) = &self.shell_environment_policy {
            config.shell_environment_policy = policy.clone();
        }
        self.apply_codex_settings(config);
        for (name, server) in &self.mcp_servers {
            config.mcp_servers.insert(name.clone(), server.clone());
        }
        config.validate()
    }
}

impl ConfigToml {
    /// The instructions file to read (`model_instructions_file`, else `experimental_instructions_file`).
    #[must_use]
    pub fn instructions_file(&self) -> Option<&std::path::Path> {
        self.model_instructions_file
            .as_deref()
            .or(self.experimental_instructions_file.as_deref())
    }

    /// Whether the hosted web search is asked for, by any of Codex's spellings (`None`: not set).
    #[must_use]
    pub fn web_search_enabled(&self) -> Option<bool> {
        let top = self.web_search.map(|w| match w {
            WebSearchToml::Enabled(on) => on,
            WebSearchToml::Mode(mode) => mode != WebSearchMode::Disabled,
        });
        let tools = self.tools.as_ref().and_then(|t| t.web_search);
        let feature = self
            .features
            .as_ref()
            .and_then(|f| f.get("web_search_request"))
            .and_then(toml::Value::as_bool);
        top.or(tools).or(feature)
    }

    fn apply_codex_settings(&self, config: &mut Config) {
        if let Some(max) = self.project_doc_max_bytes {
            config.project_doc.max_bytes = max;
        }
        if let Some(names) = &self.project_doc_fallback_filenames {
            config.project_doc.fallback_filenames.clone_from(names);
        }
        if let Some(markers) = &self.project_root_markers {
            config.project_doc.root_markers.clone_from(markers);
        }
        if let Some(url) = &self.openai_base_url
            && config.model_provider_id == "openai"
        {
            config.model_provider = config.model_provider.clone().with_base_url(url.clone());
        }
        if let Some(on) = self.web_search_enabled() {
            config.web_search = on;
        }
        if let Some(on) = self.tools.as_ref().and_then(|t| t.view_image) {
            config.view_image_tool = on;
        }
        if let Some(v) = self.model_verbosity {
            config.model_verbosity = Some(v);
        }
        if let Some(limit) = self.model_max_output_tokens {
            config.model_max_output_tokens = Some(limit);
        }
        if let Some(hide) = self.hide_agent_reasoning {
            config.hide_agent_reasoning = hide;
        }
        if let Some(show) = self.show_raw_agent_reasoning {
            config.show_raw_agent_reasoning = show;
        }
        if let Some(argv) = &self.notify {
            config.notify = (!argv.is_empty()).then(|| argv.clone());
        }
        if let Some(mode) = self.mcp_oauth_credentials_store {
            config.mcp_oauth_credentials_store = mode;
        }
        if let Some(port) = self.mcp_oauth_callback_port {
            config.mcp_oauth_callback_port = Some(port);
        }
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
