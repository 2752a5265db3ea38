//! `codex-sdk app-server`: the SDK over JSON-RPC lines on stdin/stdout, configured from
//! `CODEX_HOME/config.toml` and `-c` overrides. Logs go to stderr; the process ends when stdin closes.

use std::process::ExitCode;

use codex_sdk::app_server::AppServer;
use codex_sdk::config::{Config, default_codex_home, parse_override};

use crate::args::AppServerArgs;
use crate::output::errln;

pub(crate) async fn main(args: AppServerArgs) -> ExitCode {
    let overrides = match args
        .overrides
        .iter()
        .map(|spec| parse_override(spec))
        .collect::<codex_sdk::Result<Vec<_>>>()
    {
        Ok(o) => o,
        Err(e) => {
            errln!("app-server: {e}");
            return ExitCode::from(2);
        }
    };
    let home = match default_codex_home() {
        Ok(home) => home,
        Err(e) => {
            errln!("app-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Fail early on a broken configuration rather than on the first request.
    match Config::load(home.clone(), &overrides) {
        Ok(loaded) => {
            for warning in loaded.warnings {
                errln!("app-server: config: {warning}");
            }
        }
        Err(e) => {
            errln!("app-server: {e}");
            return ExitCode::FAILURE;
        }
    }
    let server = AppServer::from_codex_home(home, overrides);
    match server.serve(tokio::io::stdin(), tokio::io::stdout()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("app-server: {e}");
            ExitCode::FAILURE
        }
    }
}
