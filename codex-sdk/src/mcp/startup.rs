//! A conversation's MCP servers: started concurrently when the conversation starts, their tools registered
//! as each becomes ready, `McpStartupUpdate` / `McpStartupComplete` reporting each one.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::client::{McpPool, McpServer};
use super::error::McpError;
use super::resources::{RESOURCE_TOOLS, ResourceTool};
use super::tool::McpTool;
use super::{CredentialStore, McpServerConfig};
use crate::protocol::{
    Event, EventMsg, McpStartupCompleteEvent, McpStartupFailure, McpStartupStatus,
    McpStartupUpdateEvent, SubmissionId,
};
use crate::sandbox::ShellEnvironmentPolicy;
use crate::tools::ToolRegistry;

/// The submission id MCP startup events carry.
pub const MCP_STARTUP_SUBMISSION: &str = "mcp_startup";

/// The MCP servers of one conversation.
#[derive(Debug)]
pub(crate) struct McpSession {
    /// Holds the servers for as long as the conversation runs.
    _servers: Arc<Vec<Arc<McpServer>>>,
    /// Names registered in the conversation's registry (removed when it ends).
    registered: Arc<Mutex<Vec<String>>>,
    startup: Mutex<Option<JoinHandle<()>>>,
    ready: watch::Receiver<bool>,
}

impl McpSession {
    /// Starts the enabled servers of `configs` (shared through `pool`) in the background. `None` when no
    /// server is enabled.
    pub(crate) fn start(
        pool: &McpPool,
        configs: &BTreeMap<String, McpServerConfig>,
        env_policy: &ShellEnvironmentPolicy,
        cwd: &Path,
        credentials: &CredentialStore,
        tools: &ToolRegistry,
        events: mpsc::Sender<Box<Event>>,
    ) -> crate::Result<Option<Arc<Self>>> {
        let servers: Vec<Arc<McpServer>> = configs
            .iter()
            .filter(|(_, c)| c.enabled)
            .map(|(name, c)| pool.get(name, c, env_policy, cwd, credentials))
            .collect();
        if servers.is_empty() {
            return Ok(None);
        }
        let servers = Arc::new(servers);
        let registered = Arc::new(Mutex::new(Vec::new()));
        for tool in ResourceTool::all(&servers) {
            tools.register(tool)?;
        }
        lock(&registered).extend(RESOURCE_TOOLS.iter().map(|s| (*s).to_owned()));
        let (ready_tx, ready) = watch::channel(false);
        let task = tokio::spawn(run_startup(
            Arc::clone(&servers),
            tools.clone(),
            Arc::clone(&registered),
            events,
            ready_tx,
        ));
        Ok(Some(Arc::new(Self {
            _servers: servers,
            registered,
            startup: Mutex::new(Some(task)),
            ready,
        })))
    }

    /// Waits until every server is ready or failed (each bounded by its startup timeout).
    pub(crate) async fn wait_ready(&self) {
        let mut ready = self.ready.clone();
        let _ = ready.wait_for(|r| *r).await;
    }

    /// Removes the MCP tools from `tools` and stops the startup: once no other conversation shares them,
    /// the servers are stopped (their processes killed).
    pub(crate) fn close(&self, tools: &ToolRegistry) {
        if let Some(task) = lock(&self.startup).take() {
            task.abort();
        }
        for name in lock(&self.registered).drain(..) {
            tools.unregister(&name);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn run_startup(
    servers: Arc<Vec<Arc<McpServer>>>,
    tools: ToolRegistry,
    registered: Arc<Mutex<Vec<String>>>,
    events: mpsc::Sender<Box<Event>>,
    ready: watch::Sender<bool>,
) {
    let send = |msg: EventMsg| {
        let events = events.clone();
        async move {
            let _ = events
                .send(Box::new(Event {
                    id: SubmissionId::from(MCP_STARTUP_SUBMISSION),
                    msg,
                }))
                .await;
        }
    };
    let starts = servers.iter().map(|server| {
        let (send, tools, registered) = (&send, &tools, &registered);
        async move {
            send(EventMsg::McpStartupUpdate(McpStartupUpdateEvent {
                server: server.name.clone(),
                status: McpStartupStatus::Starting,
            }))
            .await;
            let outcome = server.connection().await;
            let status = match &outcome {
                Ok(conn) => {
                    let mut count = 0;
                    for tool in server.visible_tools(conn) {
                        let handler = McpTool::new(Arc::clone(server), &tool);
                        let name = handler.qualified_name().to_owned();
                        // A server's tool never replaces a built-in or host tool, nor another server's.
                        if tools.get(&name).is_some() {
                            tracing::warn!(server = %server.name, tool = %name, "duplicate tool name; skipped");
                            continue;
                        }
                        if tools.register(handler).is_ok() {
                            lock(registered).push(name);
                            count += 1;
                        }
                    }
                    McpStartupStatus::Ready { tools: count }
                }
                Err(McpError::StartupTimeout(t)) => McpStartupStatus::TimedOut {
                    timeout_ms: u64::try_from(t.as_millis()).unwrap_or(u64::MAX),
                },
                Err(e) => McpStartupStatus::Failed {
                    error: e.to_string(),
                },
            };
            send(EventMsg::McpStartupUpdate(McpStartupUpdateEvent {
                server: server.name.clone(),
                status,
            }))
            .await;
            (server.name.clone(), outcome.err())
        }
    });
    let results = futures::future::join_all(starts).await;
    let mut complete = McpStartupCompleteEvent {
        ready: Vec::new(),
        failed: Vec::new(),
    };
    for (server, error) in results {
        match error {
            None => complete.ready.push(server),
            Some(e) => complete.failed.push(McpStartupFailure {
                server,
                error: e.to_string(),
            }),
        }
    }
    send(EventMsg::McpStartupComplete(complete)).await;
    let _ = ready.send(true);
}
