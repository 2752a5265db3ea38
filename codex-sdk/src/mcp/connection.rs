//! One running MCP server: a stdio process the SDK started (with the environment policy applied, killed
//! with its process tree when the connection is dropped, and with the host) or a streamable-HTTP session.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use rmcp::ErrorData;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, Implementation, Tool,
};
use rmcp::service::{RequestContext, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ServiceExt};
use serde_json::json;
use tokio::io::AsyncBufReadExt;

use super::error::McpError;
use super::{CredentialStore, McpServerTransportConfig};
use crate::protocol::{ElicitationAction, McpElicitationRequestEvent};
use crate::sandbox::{ProcessTree, ShellEnvironmentPolicy, SpawnThread, spawn_on_thread};
use crate::tools::ToolContext;

/// Lines of a server's stderr kept to explain why it failed.
const STDERR_TAIL_LINES: usize = 20;

/// How the SDK presents itself to a server, and answers its elicitation requests (through the
/// conversation whose call is in flight).
#[derive(Debug, Clone)]
pub(crate) struct SdkClient {
    pub(crate) server: String,
    pub(crate) router: Arc<ElicitationRouter>,
}

impl ClientHandler for SdkClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("codex-sdk", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let declined = || json!({"action": "decline"});
        let answer = match self.router.current() {
            // Nobody to ask: no call of this server is running.
            None => declined(),
            Some(ctx) => {
                let params = serde_json::to_value(&request).unwrap_or_default();
                let mut message = params["message"].as_str().unwrap_or_default().to_owned();
                if let Some(url) = params["url"].as_str() {
                    message = format!("{message}\n{url}");
                }
                let (action, content) = ctx
                    .request_elicitation(McpElicitationRequestEvent {
                        server: self.server.clone(),
                        request_id: context.id.to_string(),
                        message,
                        requested_schema: params
                            .get("requestedSchema")
                            .cloned()
                            .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
                    })
                    .await;
                match action {
                    ElicitationAction::Accept => json!({"action": "accept", "content": content}),
                    ElicitationAction::Decline => declined(),
                    ElicitationAction::Cancel => json!({"action": "cancel"}),
                }
            }
        };
        serde_json::from_value(answer).map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }
}

/// The calls of one server in flight, so an elicitation request reaches a conversation that can answer.
#[derive(Debug, Default)]
pub(crate) struct ElicitationRouter {
    calls: Mutex<Vec<(u64, ToolContext)>>,
    next: std::sync::atomic::AtomicU64,
}

impl ElicitationRouter {
    /// Registers a running call; the guard unregisters it.
    pub(crate) fn enter(self: &Arc<Self>, ctx: ToolContext) -> CallGuard {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.lock().push((id, ctx));
        CallGuard {
            router: Arc::clone(self),
            id,
        }
    }

    /// The most recent running call.
    fn current(&self) -> Option<ToolContext> {
        self.lock().last().map(|(_, ctx)| ctx.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, ToolContext)>> {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Unregisters a call from its [`ElicitationRouter`] when dropped.
pub(crate) struct CallGuard {
    router: Arc<ElicitationRouter>,
    id: u64,
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        self.router.lock().retain(|(id, _)| *id != self.id);
    }
}

/// A started server: the protocol session, its tools, and (for stdio) the process.
pub(crate) struct Connection {
    pub(crate) service: RunningService<RoleClient, SdkClient>,
    pub(crate) tools: Vec<Tool>,
    /// Declared after `service`: the session stops before the process is killed.
    process: Option<ServerProcess>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("tools", &self.tools.len())
            .field("pid", &self.process.as_ref().and_then(|p| p.child.id()))
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Whether the session has ended (the process exited, the transport closed).
    pub(crate) fn is_closed(&self) -> bool {
        self.service.is_closed() || self.service.is_transport_closed()
    }

    /// The last lines the server wrote to stderr (stdio servers).
    pub(crate) fn stderr_tail(&self) -> String {
        self.process
            .as_ref()
            .map(|p| p.stderr.text())
            .unwrap_or_default()
    }
}

/// A stdio server's process. Dropping it kills the process and everything it started.
struct ServerProcess {
    child: tokio::process::Child,
    /// Every process the server started; killed on drop.
    _tree: ProcessTree,
    /// Keeps the thread that forked the server alive (`PR_SET_PDEATHSIG` fires when it ends).
    _thread: SpawnThread,
    stderr: StderrTail,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The last lines of a server's stderr (also logged at debug level).
#[derive(Clone, Default)]
pub(crate) struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn push(&self, line: String) {
        let mut lines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if lines.len() == STDERR_TAIL_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    pub(crate) fn text(&self) -> String {
        let lines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// Starts the server, runs `initialize` and lists its tools. No timeout here: the caller bounds it (and
/// dropping the future kills a half-started process).
pub(crate) async fn connect(
    client: SdkClient,
    transport: &McpServerTransportConfig,
    env_policy: &ShellEnvironmentPolicy,
    default_cwd: &Path,
    credentials: &CredentialStore,
    stderr: &mut Option<StderrTail>,
) -> Result<Connection, McpError> {
    match transport {
        McpServerTransportConfig::Stdio {
            command,
            args,
            env,
            env_vars,
            cwd,
        } => {
            let mut process = spawn_server(
                &client.server,
                command,
                args,
                server_env(env_policy, env, env_vars),
                cwd.as_deref()
                    .map_or_else(|| default_cwd.to_owned(), |c| default_cwd.join(c)),
            )
            .await?;
            *stderr = Some(process.stderr.clone());
            let (Some(stdout), Some(stdin)) =
                (process.child.stdout.take(), process.child.stdin.take())
            else {
                return Err(McpError::Start(
                    "the server's stdio pipes are missing".into(),
                ));
            };
            let service = client
                .serve((stdout, stdin))
                .await
                .map_err(|e| McpError::Initialize(e.to_string()))?;
            let tools = service
                .list_all_tools()
                .await
                .map_err(|e| McpError::Protocol(format!("tools/list failed: {e}")))?;
            Ok(Connection {
                service,
                tools,
                process: Some(process),
            })
        }
        McpServerTransportConfig::StreamableHttp {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
        } => {
            let custom = headers(http_headers, env_http_headers)?;
            let mut bearer = match bearer_token_env_var {
                Some(var) => Some(std::env::var(var).map_err(|_| {
                    McpError::Start(format!("the bearer token variable `{var}` is not set"))
                })?),
                None => None,
            };
            // Stored OAuth tokens, unless the configuration supplies its own credentials.
            let use_oauth =
                bearer.is_none() && !custom.contains_key(&reqwest::header::AUTHORIZATION);
            let mut can_refresh = false;
            if use_oauth
                && let Some(token) =
                    super::oauth::access_token(credentials, &client.server, url, false).await?
            {
                can_refresh = token.can_refresh;
                bearer = Some(token.access.0);
            }
            let http = reqwest::Client::builder()
                .build()
                .map_err(|e| McpError::Start(format!("could not build the HTTP client: {e}")))?;
            let attempt = |bearer: Option<String>| {
                let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                    .custom_headers(custom.clone());
                if let Some(token) = bearer {
                    config = config.auth_header(token);
                }
                let transport = StreamableHttpClientTransport::with_client(http.clone(), config);
                let client = client.clone();
                let server = client.server.clone();
                async move {
                    let service = client.serve(transport).await.map_err(|e| {
                        if is_auth_failure(&e) {
                            McpError::AuthRequired(server)
                        } else {
                            McpError::Initialize(e.to_string())
                        }
                    })?;
                    let tools = service
                        .list_all_tools()
                        .await
                        .map_err(|e| McpError::Protocol(format!("tools/list failed: {e}")))?;
                    Ok(Connection {
                        service,
                        tools,
                        process: None,
                    })
                }
            };
            match attempt(bearer).await {
                // The server refused a token that had not expired yet: refresh it once.
                Err(McpError::AuthRequired(_)) if can_refresh => {
                    let token =
                        super::oauth::access_token(credentials, &client.server, url, true).await?;
                    attempt(token.map(|t| t.access.0)).await
                }
                other => other,
            }
        }
    }
}

/// Whether the server refused the connection for want of (valid) credentials: HTTP 401.
/// rmcp recognises a 401 with a `WWW-Authenticate` challenge; one without is matched by its status.
fn is_auth_failure(error: &rmcp::service::ClientInitializeError) -> bool {
    use rmcp::transport::streamable_http_client::StreamableHttpError;
    if error.is_authorization_required() {
        return true;
    }
    let rmcp::service::ClientInitializeError::TransportError { error, .. } = error else {
        return false;
    };
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error.error.as_ref());
    while let Some(e) = cause {
        if let Some(http) = e.downcast_ref::<StreamableHttpError<reqwest::Error>>() {
            return http.to_string().contains("401");
        }
        cause = e.source();
    }
    false
}

/// The server's environment: the policy's result (secret-looking names dropped by default), then the
/// variables `env_vars` names passed through from the host, then `env`.
fn server_env(
    policy: &ShellEnvironmentPolicy,
    env: &BTreeMap<String, String>,
    env_vars: &[String],
) -> BTreeMap<std::ffi::OsString, std::ffi::OsString> {
    let mut out = policy.apply_to_current();
    for name in env_vars {
        if let Some(value) = std::env::var_os(name) {
            out.insert(name.into(), value);
        }
    }
    for (name, value) in env {
        out.insert(name.into(), value.into());
    }
    out
}

fn headers(
    fixed: &BTreeMap<String, String>,
    from_env: &BTreeMap<String, String>,
) -> Result<HashMap<reqwest::header::HeaderName, reqwest::header::HeaderValue>, McpError> {
    let mut out = HashMap::new();
    let mut add = |name: &str, value: &str| -> Result<(), McpError> {
        let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| McpError::Start(format!("invalid header name {name:?}")))?;
        let value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| McpError::Start(format!("invalid value for header {name:?}")))?;
        out.insert(header, value);
        Ok(())
    };
    for (name, value) in fixed {
        add(name, value)?;
    }
    for (name, var) in from_env {
        // An unset variable sends no header, as Codex CLI does.
        if let Ok(value) = std::env::var(var) {
            add(name, &value)?;
        }
    }
    Ok(out)
}

async fn spawn_server(
    name: &str,
    command: &str,
    args: &[String],
    env: BTreeMap<std::ffi::OsString, std::ffi::OsString>,
    cwd: std::path::PathBuf,
) -> Result<ServerProcess, McpError> {
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(args)
        .current_dir(&cwd)
        .env_clear()
        .envs(&env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut tree = ProcessTree::new();
    tree.prepare(&mut cmd);
    let (mut child, thread) = spawn_on_thread(None, move || cmd.spawn())
        .await
        .map_err(|e| McpError::Start(format!("could not start `{command}`: {e}")))?;
    tree.started(child.id());
    let stderr = StderrTail::default();
    if let Some(pipe) = child.stderr.take() {
        let tail = stderr.clone();
        let server = name.to_owned();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(server = %server, "mcp stderr: {line}");
                tail.push(line);
            }
        });
    }
    Ok(ServerProcess {
        child,
        _tree: tree,
        _thread: thread,
        stderr,
    })
}
