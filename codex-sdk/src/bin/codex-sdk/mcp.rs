//! `exec mcp list`: the configured MCP servers.

use std::io;

use codex_sdk::config::Config;
use codex_sdk::mcp::McpServerTransportConfig;

use crate::output::outln;

/// Prints one line per server (or, with `--json`, one JSON object per server).
pub(crate) fn list(config: &Config, json: bool) -> io::Result<()> {
    if config.mcp_servers.is_empty() && !json {
        return outln!("no MCP servers configured ([mcp_servers.<name>] in config.toml)");
    }
    for (name, server) in &config.mcp_servers {
        let (transport, target) = match &server.transport {
            McpServerTransportConfig::Stdio { command, args, .. } => (
                "stdio",
                std::iter::once(command.clone())
                    .chain(args.iter().cloned())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            McpServerTransportConfig::StreamableHttp { url, .. } => {
                ("streamable_http", url.clone())
            }
            _ => ("unknown", String::new()),
        };
        if json {
            let line = serde_json::json!({
                "name": name,
                "transport": transport,
                "target": target,
                "enabled": server.enabled,
                "startup_timeout_sec": server.startup_timeout.as_secs_f64(),
                "tool_timeout_sec": server.tool_timeout.as_secs_f64(),
            });
            outln!("{line}")?;
        } else {
            let state = if server.enabled {
                "enabled"
            } else {
                "disabled"
            };
            outln!("{name}\t{transport}\t{target}\t{state}")?;
        }
    }
    Ok(())
}
