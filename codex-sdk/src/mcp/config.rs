//! `[mcp_servers.<name>]`: one MCP server, with Codex CLI's keys so a user's `config.toml` works unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How long a server may take to start (spawn or connect, `initialize`, list its tools), by default.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one tool call may take, by default.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// One MCP server: how to reach it and which of its tools the model sees.
///
/// ```
/// use codex_sdk::mcp::McpServerConfig;
///
/// let docs = McpServerConfig::stdio("npx", ["-y", "@modelcontextprotocol/server-everything"])
///     .env("LOG_LEVEL", "warn")
///     .disabled_tools(["printEnv"]);
/// let remote = McpServerConfig::streamable_http("https://mcp.example.com/mcp")
///     .bearer_token_env_var("EXAMPLE_TOKEN");
/// # let _ = (docs, remote);
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawMcpServerConfig", into = "RawMcpServerConfig")]
#[non_exhaustive]
pub struct McpServerConfig {
    /// How the server is reached.
    pub transport: McpServerTransportConfig,
    /// `enabled` (default `true`): a disabled server is not started.
    pub enabled: bool,
    /// `startup_timeout_sec` (default 10 s).
    pub startup_timeout: Duration,
    /// `tool_timeout_sec` (default 60 s).
    pub tool_timeout: Duration,
    /// `enabled_tools`: when set, only these tools are offered to the model.
    pub enabled_tools: Option<Vec<String>>,
    /// `disabled_tools`: never offered (applied after `enabled_tools`).
    pub disabled_tools: Vec<String>,
}

/// How an MCP server is reached.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum McpServerTransportConfig {
    /// A process started by the SDK, speaking JSON-RPC over its stdin and stdout.
    Stdio {
        /// `command`: the program.
        command: String,
        /// `args`
        args: Vec<String>,
        /// `env`: variables set for the server on top of the environment policy's result. The policy
        /// (`[shell_environment_policy]`) drops secret-looking names such as `OPENAI_API_KEY`; a server
        /// that needs one gets it only from here.
        env: BTreeMap<String, String>,
        /// `env_vars`: names of host variables passed through as they are (even secret-looking ones).
        env_vars: Vec<String>,
        /// `cwd`: the server's working directory (default: the configuration's `cwd`).
        cwd: Option<PathBuf>,
    },
    /// A server over streamable HTTP.
    StreamableHttp {
        /// `url`
        url: String,
        /// `bearer_token_env_var`: the variable holding a bearer token sent as `Authorization`.
        bearer_token_env_var: Option<String>,
        /// `http_headers`: headers sent with every request.
        http_headers: BTreeMap<String, String>,
        /// `env_http_headers`: headers whose values are read from host variables (header → variable).
        env_http_headers: BTreeMap<String, String>,
    },
}

// Values may be secrets (tokens in `env` or headers): Debug shows names only.
impl std::fmt::Debug for McpServerTransportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stdio {
                command,
                args,
                env,
                env_vars,
                cwd,
            } => f
                .debug_struct("Stdio")
                .field("command", command)
                .field("args", args)
                .field("env", &env.keys().collect::<Vec<_>>())
                .field("env_vars", env_vars)
                .field("cwd", cwd)
                .finish(),
            Self::StreamableHttp {
                url,
                bearer_token_env_var,
                http_headers,
                env_http_headers,
            } => f
                .debug_struct("StreamableHttp")
                .field("url", url)
                .field("bearer_token_env_var", bearer_token_env_var)
                .field("http_headers", &http_headers.keys().collect::<Vec<_>>())
                .field("env_http_headers", env_http_headers)
                .finish(),
        }
    }
}

impl std::fmt::Debug for McpServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServerConfig")
            .field("transport", &self.transport)
            .field("enabled", &self.enabled)
            .field("startup_timeout", &self.startup_timeout)
            .field("tool_timeout", &self.tool_timeout)
            .field("enabled_tools", &self.enabled_tools)
            .field("disabled_tools", &self.disabled_tools)
            .finish()
    }
}

impl McpServerConfig {
    fn with_transport(transport: McpServerTransportConfig) -> Self {
        Self {
            transport,
            enabled: true,
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            tool_timeout: DEFAULT_TOOL_TIMEOUT,
            enabled_tools: None,
            disabled_tools: Vec::new(),
        }
    }

    /// A server started as `command args…`, speaking over stdio.
    #[must_use]
    pub fn stdio(
        command: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::with_transport(McpServerTransportConfig::Stdio {
            command: command.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            env_vars: Vec::new(),
            cwd: None,
        })
    }

    /// A server at `url`, over streamable HTTP.
    #[must_use]
    pub fn streamable_http(url: impl Into<String>) -> Self {
        Self::with_transport(McpServerTransportConfig::StreamableHttp {
            url: url.into(),
            bearer_token_env_var: None,
            http_headers: BTreeMap::new(),
            env_http_headers: BTreeMap::new(),
        })
    }

    /// Sets a variable for a stdio server (ignored for HTTP servers).
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let McpServerTransportConfig::Stdio { env, .. } = &mut self.transport {
            env.insert(name.into(), value.into());
        }
        self
    }

    /// The working directory of a stdio server (ignored for HTTP servers).
    #[must_use]
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        if let McpServerTransportConfig::Stdio { cwd, .. } = &mut self.transport {
            *cwd = Some(dir.into());
        }
        self
    }

    /// The variable holding an HTTP server's bearer token (ignored for stdio servers).
    #[must_use]
    pub fn bearer_token_env_var(mut self, name: impl Into<String>) -> Self {
        if let McpServerTransportConfig::StreamableHttp {
            bearer_token_env_var,
            ..
        } = &mut self.transport
        {
            *bearer_token_env_var = Some(name.into());
        }
        self
    }

    /// A header sent with every request to an HTTP server (ignored for stdio servers).
    #[must_use]
    pub fn http_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let McpServerTransportConfig::StreamableHttp { http_headers, .. } = &mut self.transport {
            http_headers.insert(name.into(), value.into());
        }
        self
    }

    /// Whether the server is started at all.
    #[must_use]
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// How long the server may take to start.
    #[must_use]
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// How long one tool call may take.
    #[must_use]
    pub fn tool_timeout(mut self, timeout: Duration) -> Self {
        self.tool_timeout = timeout;
        self
    }

    /// Only these tools are offered to the model.
    #[must_use]
    pub fn enabled_tools(mut self, tools: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.enabled_tools = Some(tools.into_iter().map(Into::into).collect());
        self
    }

    /// These tools are never offered to the model.
    #[must_use]
    pub fn disabled_tools(mut self, tools: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.disabled_tools = tools.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the model may see the server's tool `name`.
    pub(crate) fn allows_tool(&self, name: &str) -> bool {
        self.enabled_tools
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|t| t == name))
            && !self.disabled_tools.iter().any(|t| t == name)
    }
}

/// Checks a server name: it becomes the prefix of tool names, so it must be what the API accepts.
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) naming `mcp_servers.<name>`.
pub(crate) fn validate_server_name(name: &str) -> crate::Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(crate::Error::Config {
            key: format!("mcp_servers.{name}"),
            message: "server names may only hold ASCII letters, digits, '_' and '-'".to_owned(),
        })
    }
}

/// The TOML shape (every key optional), checked into [`McpServerConfig`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct RawMcpServerConfig {
    /// The program of a stdio server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    command: Option<String>,
    /// The arguments of a stdio server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    args: Option<Vec<String>>,
    /// Variables set for a stdio server on top of the environment policy's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    env: Option<BTreeMap<String, String>>,
    /// Names of host variables passed through to a stdio server as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    env_vars: Option<Vec<String>>,
    /// A stdio server's working directory (default: the configuration's `cwd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cwd: Option<PathBuf>,
    /// The URL of a streamable HTTP server (instead of `command`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// The variable holding a bearer token sent as `Authorization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bearer_token_env_var: Option<String>,
    /// Headers sent with every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    http_headers: Option<BTreeMap<String, String>>,
    /// Headers whose values are read from host variables (header → variable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    env_http_headers: Option<BTreeMap<String, String>>,
    /// Whether the server is started (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    /// How long the server may take to start, in seconds (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    startup_timeout_sec: Option<f64>,
    /// Codex CLI's older spelling, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    startup_timeout_ms: Option<u64>,
    /// How long one tool call may take, in seconds (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_timeout_sec: Option<f64>,
    /// When set, only these tools are offered to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enabled_tools: Option<Vec<String>>,
    /// Tools never offered (applied after `enabled_tools`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    disabled_tools: Option<Vec<String>>,
}

/// Described by its TOML/JSON shape (Codex CLI's keys), which is what hosts write.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for McpServerConfig {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "McpServerConfig".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = RawMcpServerConfig::json_schema(generator);
        schema.insert(
            "description".to_owned(),
            "One MCP server, with Codex CLI's `[mcp_servers.<name>]` keys: `command` (stdio) or `url` \
             (streamable HTTP), plus the optional settings."
                .into(),
        );
        schema
    }
}

fn seconds(key: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{key}` must be a positive number of seconds, not {value}"))
}

impl TryFrom<RawMcpServerConfig> for McpServerConfig {
    type Error = String;

    fn try_from(raw: RawMcpServerConfig) -> Result<Self, String> {
        let transport = match (raw.command, raw.url) {
            (Some(_), Some(_)) => {
                return Err(
                    "set either `command` (stdio) or `url` (streamable HTTP), not both".into(),
                );
            }
            (None, None) => {
                return Err("needs `command` (stdio) or `url` (streamable HTTP)".into());
            }
            (Some(command), None) => {
                if raw.bearer_token_env_var.is_some()
                    || raw.http_headers.is_some()
                    || raw.env_http_headers.is_some()
                {
                    return Err(
                        "`bearer_token_env_var`, `http_headers` and `env_http_headers` need `url`"
                            .into(),
                    );
                }
                if command.trim().is_empty() {
                    return Err("`command` is empty".into());
                }
                McpServerTransportConfig::Stdio {
                    command,
                    args: raw.args.unwrap_or_default(),
                    env: raw.env.unwrap_or_default(),
                    env_vars: raw.env_vars.unwrap_or_default(),
                    cwd: raw.cwd,
                }
            }
            (None, Some(url)) => {
                if raw.args.is_some()
                    || raw.env.is_some()
                    || raw.env_vars.is_some()
                    || raw.cwd.is_some()
                {
                    return Err("`args`, `env`, `env_vars` and `cwd` need `command`".into());
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(format!("`url` must be an http(s) URL, not {url:?}"));
                }
                McpServerTransportConfig::StreamableHttp {
                    url,
                    bearer_token_env_var: raw.bearer_token_env_var,
                    http_headers: raw.http_headers.unwrap_or_default(),
                    env_http_headers: raw.env_http_headers.unwrap_or_default(),
                }
            }
        };
        let startup_timeout = match (raw.startup_timeout_sec, raw.startup_timeout_ms) {
            (Some(s), _) => seconds("startup_timeout_sec", s)?,
            (None, Some(ms)) if ms > 0 => Duration::from_millis(ms),
            (None, Some(_)) => return Err("`startup_timeout_ms` must be positive".into()),
            (None, None) => DEFAULT_STARTUP_TIMEOUT,
        };
        let tool_timeout = match raw.tool_timeout_sec {
            Some(s) => seconds("tool_timeout_sec", s)?,
            None => DEFAULT_TOOL_TIMEOUT,
        };
        Ok(Self {
            transport,
            enabled: raw.enabled.unwrap_or(true),
            startup_timeout,
            tool_timeout,
            enabled_tools: raw.enabled_tools,
            disabled_tools: raw.disabled_tools.unwrap_or_default(),
        })
    }
}

impl From<McpServerConfig> for RawMcpServerConfig {
    fn from(config: McpServerConfig) -> Self {
        let mut raw = RawMcpServerConfig {
            enabled: (!config.enabled).then_some(false),
            startup_timeout_sec: (config.startup_timeout != DEFAULT_STARTUP_TIMEOUT)
                .then_some(config.startup_timeout.as_secs_f64()),
            tool_timeout_sec: (config.tool_timeout != DEFAULT_TOOL_TIMEOUT)
                .then_some(config.tool_timeout.as_secs_f64()),
            enabled_tools: config.enabled_tools,
            disabled_tools: (!config.disabled_tools.is_empty()).then_some(config.disabled_tools),
            ..RawMcpServerConfig::default()
        };
        let non_empty = |m: BTreeMap<String, String>| (!m.is_empty()).then_some(m);
        match config.transport {
            McpServerTransportConfig::Stdio {
                command,
                args,
                env,
                env_vars,
                cwd,
            } => {
                raw.command = Some(command);
                raw.args = (!args.is_empty()).then_some(args);
                raw.env = non_empty(env);
                raw.env_vars = (!env_vars.is_empty()).then_some(env_vars);
                raw.cwd = cwd;
            }
            McpServerTransportConfig::StreamableHttp {
                url,
                bearer_token_env_var,
                http_headers,
                env_http_headers,
            } => {
                raw.url = Some(url);
                raw.bearer_token_env_var = bearer_token_env_var;
                raw.http_headers = non_empty(http_headers);
                raw.env_http_headers = non_empty(env_http_headers);
            }
        }
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<McpServerConfig, String> {
        toml::from_str::<McpServerConfig>(text).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn codex_cli_keys_parse() {
        let stdio = parse(
            r#"command = "npx"
args = ["-y", "srv"]
env = { A = "1" }
startup_timeout_sec = 2.5
tool_timeout_sec = 30
enabled_tools = ["x"]
disabled_tools = ["y"]"#,
        )
        .unwrap();
        assert_eq!(stdio.startup_timeout, Duration::from_millis(2500));
        assert_eq!(stdio.tool_timeout, Duration::from_secs(30));
        assert!(stdio.allows_tool("x") && !stdio.allows_tool("y") && !stdio.allows_tool("z"));
        let http = parse(
            r#"url = "https://h/mcp"
bearer_token_env_var = "TOK"
http_headers = { "X-A" = "b" }
env_http_headers = { "X-B" = "VAR" }
enabled = false"#,
        )
        .unwrap();
        assert!(!http.enabled);
        assert!(matches!(
            http.transport,
            McpServerTransportConfig::StreamableHttp { .. }
        ));
        // Round trip through the TOML shape.
        let text = toml::to_string(&http).unwrap();
        assert_eq!(parse(&text).unwrap(), http);
    }

    #[test]
    fn bad_shapes_say_why() {
        assert!(parse("args = []").unwrap_err().contains("needs `command`"));
        assert!(
            parse("command = \"a\"\nurl = \"http://x\"")
                .unwrap_err()
                .contains("not both")
        );
        assert!(
            parse("command = \"a\"\ntool_timeout_sec = -1")
                .unwrap_err()
                .contains("positive")
        );
        assert!(
            parse("command = \"a\"\ncolour = 1")
                .unwrap_err()
                .contains("colour")
        );
        assert!(parse("url = \"ftp://x\"").unwrap_err().contains("http(s)"));
    }

    #[test]
    fn debug_hides_secret_values() {
        let config =
            McpServerConfig::stdio("srv", Vec::<String>::new()).env("API_KEY", "sk-secret");
        let shown = format!("{config:?}");
        assert!(
            shown.contains("API_KEY") && !shown.contains("sk-secret"),
            "{shown}"
        );
    }
}
