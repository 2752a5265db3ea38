//! `exec`: a headless agent runner built only on codex-sdk's public API.
//!
//! ```text
//! cargo run --example exec -- [--json] [--model M] [--cd DIR] [-c key=value]... "prompt"
//! ```
//! With `OPENAI_API_KEY` set it talks to the real API (`OPENAI_BASE_URL` honoured); without one it runs a
//! scripted offline demo and says so.

mod approve;
mod args;
mod demo;
mod render;

use std::process::ExitCode;
use std::sync::Arc;

use codex_sdk::config::{Config, ConfigToml, parse_override};
use codex_sdk::protocol::{EventMsg, Op, ReviewRequest, TokenUsage};
use codex_sdk::{Codex, Result};

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
    // The flags are config keys too, so they go through the same validation.
    for (key, value) in [
        ("sandbox_mode", &args.sandbox),
        ("approval_policy", &args.approval),
    ] {
        if let Some(value) = value {
            let mut t = toml::Table::new();
            t.insert(key.to_owned(), toml::Value::String(value.clone()));
            ConfigToml::from_table(t)?.apply_to(&mut config)?;
        }
    }
    if let Some(cwd) = args.cwd {
        config.cwd = std::fs::canonicalize(&cwd)?;
    }
    let prompt = args
        .prompt
        .unwrap_or_else(|| "Show me what is in this directory.".to_owned());
    let mut builder = Codex::builder()
        .configure(|c| *c = config.clone())
        .approval_handler(approve::handler());
    if config.resolved_api_key().is_none() {
        eprintln!(
            "\x1b[33mNo OPENAI_API_KEY set: running the scripted offline demo model (not a real model).\x1b[0m"
        );
        builder = builder.model_client(Arc::new(demo::model(&config.cwd, args.review)));
    }
    let codex = builder.build()?;
    let mut conversation = codex.start_conversation().await?;
    if args.review {
        let hint: String = prompt.chars().take(60).collect();
        conversation
            .submit(Op::Review {
                review_request: ReviewRequest {
                    prompt,
                    user_facing_hint: hint,
                },
            })
            .await?;
    } else {
        conversation.send(prompt).await?;
    }
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
