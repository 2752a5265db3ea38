//! A configured MCP server as the tools see it: started on demand, restarted when it died, every request
//! bounded by a timeout and abandoned (with `notifications/cancelled`) when the turn is interrupted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceError;
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::connection::{Connection, ElicitationRouter, SdkClient, StderrTail, connect};
use super::error::McpError;
use super::{CredentialStore, McpServerConfig};
use crate::sandbox::ShellEnvironmentPolicy;

/// One configured server, shared by the conversations of a `Codex` whose settings for it are the same.
/// The process (or HTTP session) lives as long as the last conversation using it.
pub(crate) struct McpServer {
    pub(crate) name: String,
    pub(crate) config: McpServerConfig,
    env_policy: ShellEnvironmentPolicy,
    cwd: PathBuf,
    credentials: CredentialStore,
    state: tokio::sync::Mutex<Option<Arc<Connection>>>,
    /// Routes the server's elicitation requests to a conversation with a call in flight.
    pub(crate) elicitation: Arc<ElicitationRouter>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("name", &self.name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl McpServer {
    pub(crate) fn new(
        name: String,
        config: McpServerConfig,
        env_policy: ShellEnvironmentPolicy,
        cwd: PathBuf,
        credentials: CredentialStore,
    ) -> Self {
        Self {
            name,
            config,
            env_policy,
            cwd,
            credentials,
            state: tokio::sync::Mutex::new(None),
            elicitation: Arc::default(),
        }
    }

    /// Whether this server was configured the same way (so a conversation may share it).
    pub(crate) fn same_settings(
        &self,
        config: &McpServerConfig,
        env_policy: &ShellEnvironmentPolicy,
        cwd: &std::path::Path,
        credentials: &CredentialStore,
    ) -> bool {
        &self.config == config
            && &self.env_policy == env_policy
            && self.cwd == cwd
            && &self.credentials == credentials
    }

    /// The running connection, started (or restarted, when the last one ended) within the startup timeout.
    pub(crate) async fn connection(&self) -> Result<Arc<Connection>, McpError> {
        let mut state = self.state.lock().await;
        if let Some(conn) = state.as_ref()
            && !conn.is_closed()
        {
            return Ok(Arc::clone(conn));
        }
        *state = None;
        let timeout = self.config.startup_timeout;
        let mut stderr: Option<StderrTail> = None;
        let started = tokio::time::timeout(
            timeout,
            connect(
                SdkClient {
                    server: self.name.clone(),
                    router: Arc::clone(&self.elicitation),
                },
                &self.config.transport,
                &self.env_policy,
                &self.cwd,
                &self.credentials,
                &mut stderr,
            ),
        )
        .await;
        match started {
            Ok(Ok(conn)) => {
                let conn = Arc::new(conn);
                *state = Some(Arc::clone(&conn));
                Ok(conn)
            }
            Ok(Err(e)) => {
                // The process may still be writing why it failed.
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(e.with_stderr(&stderr.map(|s| s.text()).unwrap_or_default()))
            }
            Err(_) => Err(McpError::StartupTimeout(timeout)),
        }
    }

    /// The tools the model may see (after `enabled_tools` / `disabled_tools`).
    pub(crate) fn visible_tools(&self, conn: &Connection) -> Vec<Tool> {
        conn.tools
            .iter()
            .filter(|t| self.config.allows_tool(&t.name))
            .cloned()
            .collect()
    }

    /// Runs `request` on the connection within the tool timeout; `cancel` abandons it (the server is sent
    /// `notifications/cancelled`). A request an HTTP server refuses for want of authorization (an OAuth
    /// token expired or revoked mid-session) reconnects, which refreshes the token, and runs once more.
    pub(crate) async fn request<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        request: F,
    ) -> Result<T, McpError>
    where
        F: Fn(Arc<Connection>) -> Fut,
        Fut: Future<Output = Result<T, ServiceError>>,
    {
        let conn = self.connection_or_cancel(cancel).await?;
        match self.run(cancel, &conn, &request).await {
            Err(McpError::AuthRequired(_)) => {
                let mut state = self.state.lock().await;
                if state.as_ref().is_some_and(|c| Arc::ptr_eq(c, &conn)) {
                    *state = None;
                }
                drop(state);
                let conn = self.connection_or_cancel(cancel).await?;
                self.run(cancel, &conn, &request).await
            }
            other => other,
        }
    }

    async fn connection_or_cancel(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Arc<Connection>, McpError> {
        tokio::select! {
            conn = self.connection() => conn,
            () = cancel.cancelled() => Err(McpError::Protocol("interrupted".into())),
        }
    }

    /// One attempt of [`request`](Self::request) on `conn`.
    async fn run<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        conn: &Arc<Connection>,
        request: &F,
    ) -> Result<T, McpError>
    where
        F: Fn(Arc<Connection>) -> Fut,
        Fut: Future<Output = Result<T, ServiceError>>,
    {
        let timeout = self.config.tool_timeout;
        let outcome = tokio::select! {
            outcome = tokio::time::timeout(timeout, request(Arc::clone(conn))) => outcome,
            () = cancel.cancelled() => return Err(McpError::Protocol("interrupted".into())),
        };
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(ServiceError::TransportClosed)) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(McpError::Closed(String::new()).with_stderr(&conn.stderr_tail()))
            }
            Ok(Err(ServiceError::McpError(e))) => Err(McpError::Protocol(format!(
                "the server answered with an error: {}",
                e.message
            ))),
            Ok(Err(e)) if e.is_authorization_required() => {
                Err(McpError::AuthRequired(self.name.clone()))
            }
            Ok(Err(e)) => Err(McpError::Protocol(e.to_string())),
            Err(_) => Err(McpError::Timeout(timeout)),
        }
    }

    /// Calls one of the server's tools.
    pub(crate) async fn call_tool(
        &self,
        tool: &str,
        arguments: Option<serde_json::Map<String, Value>>,
        cancel: &CancellationToken,
    ) -> Result<CallToolResult, McpError> {
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Some(args) = arguments {
            params = params.with_arguments(args);
        }
        self.request(cancel, |conn| {
            let params = params.clone();
            async move { conn.service.peer().call_tool(params).await }
        })
        .await
    }
}

/// Servers shared by the conversations of one `Codex`: each entry lives while a conversation holds it.
#[derive(Debug, Default)]
pub(crate) struct McpPool {
    servers: std::sync::Mutex<Vec<std::sync::Weak<McpServer>>>,
}

impl McpPool {
    /// The server named `name` with these settings: a live shared one, else a new (not yet started) one.
    pub(crate) fn get(
        &self,
        name: &str,
        config: &McpServerConfig,
        env_policy: &ShellEnvironmentPolicy,
        cwd: &std::path::Path,
        credentials: &CredentialStore,
    ) -> Arc<McpServer> {
        let mut servers = self
            .servers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        servers.retain(|w| w.strong_count() > 0);
        let found = servers
            .iter()
            .filter_map(std::sync::Weak::upgrade)
            .find(|s| s.name == name && s.same_settings(config, env_policy, cwd, credentials));
        if let Some(server) = found {
            return server;
        }
        let server = Arc::new(McpServer::new(
            name.to_owned(),
            config.clone(),
            env_policy.clone(),
            cwd.to_owned(),
            credentials.clone(),
        ));
        servers.push(Arc::downgrade(&server));
        server
    }
}
