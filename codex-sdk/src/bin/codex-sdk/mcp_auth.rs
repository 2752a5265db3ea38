//! `exec mcp login NAME` / `exec mcp logout NAME`: OAuth for a streamable-HTTP MCP server.

use codex_sdk::config::Config;

use crate::output::{errln, outln};

/// Logs in to `name`: prints the authorization URL, waits for the browser's redirect, stores the tokens.
/// Whether it succeeded (failures are reported on stderr).
pub(crate) async fn login(config: &Config, name: &str) -> bool {
    let result = codex_sdk::mcp::login(config, name, |url| {
        let _ = outln!("Open this URL in a browser to log in to `{name}`:\n{url}");
    })
    .await;
    match result {
        Ok(()) => {
            let _ = outln!("Logged in to `{name}`.");
            true
        }
        Err(e) => {
            errln!("exec: mcp login {name}: {e}");
            false
        }
    }
}

/// Removes the stored credentials of `name`. Whether it succeeded.
pub(crate) fn logout(config: &Config, name: &str) -> bool {
    match codex_sdk::mcp::logout(config, name) {
        Ok(true) => {
            let _ = outln!("Logged out of `{name}`.");
            true
        }
        Ok(false) => {
            let _ = outln!("No stored credentials for `{name}`.");
            true
        }
        Err(e) => {
            errln!("exec: mcp logout {name}: {e}");
            false
        }
    }
}
