//! `exec`: a headless agent runner built only on codex-sdk's public API.
//!
//! ```text
//! cargo run --example exec -- [--json] [--model M] [--cd DIR] [-c key=value]... "prompt"
//! ```
//! With `OPENAI_API_KEY` set it talks to the real API (`OPENAI_BASE_URL` honoured); without one it runs a
//! scripted offline demo and says so.

mod args;
mod demo;
mod render;

use std::process::ExitCode;
use std::sync::Arc;

use codex_sdk::config::{Config, ConfigToml, parse_override};
use codex_sdk::protocol::{EventMsg, TokenUsage};
use codex_sdk::tools::FunctionTool;
use codex_sdk::{Codex, Result};
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("exec: {msg}");
            }
            eprintln!("{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("exec: {err} ({})", err.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(args: args::Args) -> Result<bool> {
    let mut config = Config::default();
    let mut table = toml::Table::new();
    for spec in &args.overrides {
        let (key, value) = parse_override(spec)?;
        ConfigToml::set_path(&mut table, &key, value)?;
    }
    ConfigToml::from_table(table)?.apply_to(&mut config)?;
    if let Some(model) = args.model {
        config.model = model;
    }
    if let Some(cwd) = args.cwd {
        config.cwd = std::fs::canonicalize(&cwd)?;
    }
    let prompt = args
        .prompt
        .unwrap_or_else(|| "Show me what is in this directory.".to_owned());
    let mut builder = Codex::builder()
        .configure(|c| *c = config.clone())
        .tool(list_files_tool());
    if config.resolved_api_key().is_none() {
        eprintln!(
            "\x1b[33mNo OPENAI_API_KEY set: running the scripted offline demo model (not a real model).\x1b[0m"
        );
        builder = builder.model_client(Arc::new(demo::model(&config.cwd)));
    }
    let codex = builder.build()?;
    let mut conversation = codex.start_conversation().await?;
    conversation.send(prompt).await?;
    let mut usage = TokenUsage::default();
    let mut ok = false;
    while let Some(event) = conversation.next_event().await {
        let done = if args.json {
            println!("{}", serde_json::to_string(&event)?);
            event.msg.is_turn_terminal()
        } else {
            render::human(&event.msg, &mut usage)
        };
        if done {
            ok = matches!(event.msg, EventMsg::TaskComplete(_));
            break;
        }
    }
    conversation.shutdown().await?;
    Ok(ok)
}

/// A small host tool: lists a directory. (Built-in tools join it once registered by the library.)
fn list_files_tool() -> FunctionTool {
    FunctionTool::new(
        "list_files",
        "Lists the entries of a directory, one per line; directories end with '/'.",
        json!({"type": "object", "properties": {"dir": {"type": "string", "description": "absolute path"}},
               "required": ["dir"]}),
        |args, _ctx| async move {
            let dir = args["dir"].as_str().unwrap_or(".").to_owned();
            let mut entries = tokio::fs::read_dir(&dir).await.map_err(|e| {
                codex_sdk::tools::ToolError::RespondToModel(format!("cannot list {dir}: {e}"))
            })?;
            let mut names = Vec::new();
            while let Ok(Some(entry)) = entries.next_entry().await {
                let mut name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type().await.is_ok_and(|t| t.is_dir()) {
                    name.push('/');
                }
                names.push(name);
            }
            names.sort();
            Ok(names.join("\n"))
        },
    )
    .parallel(true)
}
