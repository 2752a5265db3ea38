//! `codex-sdk`: the command. `exec` (the default) is a headless agent runner built only on codex-sdk's
//! public API; `app-server` serves the SDK over JSON-RPC lines on stdio.
//!
//! ```text
//! cargo run --features cli -- [exec] [--json] [--model M] [--cd DIR] [-c key=value]... "prompt"
//! cargo run --features cli -- app-server [-c key=value]...
//! ```
//! With `OPENAI_API_KEY` set it talks to the real API (`OPENAI_BASE_URL` honoured); without one it runs a
//! scripted offline demo and says so.
//!
//! Exit status: 0 when the turn completed, 1 when it failed or anything else went wrong (including a
//! rollout that could not be written: the message says so), 2 for bad arguments, 130 / 143 when SIGINT
//! (Ctrl-C) / SIGTERM interrupted the turn — the turn is aborted as an interrupt would (its tools'
//! processes end, the rollout is written out and resumes), also when the parent shell started us with
//! SIGINT ignored. A closed stdout
//! (`exec --json … | head -1`) ends the run quietly with 0, as `rg` and other tools that ignore SIGPIPE do:
//! the running turn is interrupted and the rollout written out, so the conversation can be resumed.

mod app_server;
mod approve;
mod args;
mod demo;
mod exec_json;
mod mcp;
mod mcp_auth;
mod output;
mod render;
mod signals;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use output::{errln, outln};

use args::Command;
use codex_sdk::config::{Config, LoadedConfig, default_codex_home, parse_override};
use codex_sdk::protocol::{EventMsg, Op, ReviewRequest, TokenUsage};
use codex_sdk::{CodexBuilder, Error, Result};

fn main() -> ExitCode {
    let invocation = match args::parse_invocation(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                errln!("codex-sdk: {msg}");
            }
            errln!("{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    match invocation {
        args::Invocation::Exec(args) => {
            runtime(false).map_or(ExitCode::FAILURE, |rt| rt.block_on(exec_main(*args)))
        }
        args::Invocation::AppServer(args) => {
            runtime(true).map_or(ExitCode::FAILURE, |rt| rt.block_on(app_server::main(args)))
        }
    }
}

/// One turn needs one thread; a server with many conversations gets every core.
fn runtime(multi_thread: bool) -> Option<tokio::runtime::Runtime> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| errln!("codex-sdk: cannot start the async runtime: {e}"))
        .ok()
}

async fn exec_main(args: args::Args) -> ExitCode {
    match run(args).await {
        Ok(Outcome::Completed | Outcome::StdoutClosed) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::FAILURE,
        Ok(Outcome::Interrupted(signal)) => ExitCode::from(128 + signal.number()),
        Err(err) => {
            errln!("exec: {err} ({})", err.code());
            ExitCode::FAILURE
        }
    }
}

/// How a run ended (errors aside).
enum Outcome {
    /// The turn completed.
    Completed,
    /// The turn failed or was aborted (already reported on stderr).
    Failed,
    /// The reader closed stdout; the run stopped early.
    StdoutClosed,
    /// A signal interrupted the turn.
    Interrupted(signals::Stop),
}

/// What a failed stdout write means: a closed pipe stops the run quietly, anything else is an error.
fn stdout_failed(e: io::Error) -> Result<Outcome> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(Outcome::StdoutClosed)
    } else {
        Err(Error::Io(io::Error::new(
            e.kind(),
            format!("cannot write to stdout: {e}"),
        )))
    }
}

async fn run(args: args::Args) -> Result<Outcome> {
    // CODEX_HOME/config.toml, the profile, then the -c overrides, then the flags (which are config keys too).
    let mut overrides = args
        .overrides
        .iter()
        .map(|spec| parse_override(spec))
        .collect::<Result<Vec<_>>>()?;
    for (key, value) in [
        ("sandbox_mode", &args.sandbox),
        ("approval_policy", &args.approval),
    ] {
        if let Some(value) = value {
            overrides.push((key.to_owned(), toml::Value::String(value.clone())));
        }
    }
    if let Some(model) = &args.model {
        overrides.push(("model".to_owned(), toml::Value::String(model.clone())));
    }
    // Codex CLI's `openai_base_url` (what the official SDKs pass for `baseUrl`): the built-in provider's URL.
    let openai_base_url = exec_json::take_string_override(&mut overrides, "openai_base_url");
    let LoadedConfig {
        mut config,
        warnings,
        ..
    } = {
        let mut loader = Config::loader(default_codex_home()?).overrides(overrides);
        if let Some(profile) = &args.profile {
            loader = loader.profile(profile);
        }
        loader.load()?
    };
    for warning in warnings {
        errln!("\x1b[33mconfig: {warning}\x1b[0m");
    }
    if let Some(cwd) = &args.cwd {
        config.cwd = std::fs::canonicalize(cwd)?;
    }
    exec_json::apply_compat(&mut config, openai_base_url, &args.add_dirs)?;
    if args.command == Command::McpList {
        return mcp::list(&config, args.json)
            .map_or_else(stdout_failed, |()| Ok(Outcome::Completed));
    }
    let done = |ok: bool| {
        Ok(if ok {
            Outcome::Completed
        } else {
            Outcome::Failed
        })
    };
    match &args.command {
        Command::McpLogin { name } => return done(mcp_auth::login(&config, name).await),
        Command::McpLogout { name } => return done(mcp_auth::logout(&config, name)),
        _ => {}
    }
    let review = args.command == Command::Review;
    let mut builder = CodexBuilder::new(config.clone());
    // In MCP server mode approvals are asked of the MCP client (elicitation), not on this terminal.
    if args.command != Command::McpServer {
        builder = builder.approval_handler(approve::handler());
    }
    if config.resolved_api_key().is_none() {
        errln!(
            "\x1b[33mNo OPENAI_API_KEY set: running the scripted offline demo model (not a real model).\x1b[0m"
        );
        builder = builder.model_client(Arc::new(demo::model(&config.cwd, review)));
    }
    let codex = builder.build()?;
    let mut started = match &args.command {
        Command::McpServer => {
            codex_sdk::mcp::server::run_stdio(codex).await?;
            return Ok(Outcome::Completed);
        }
        Command::McpList | Command::McpLogin { .. } | Command::McpLogout { .. } => {
            return Ok(Outcome::Completed);
        }
        Command::RolloutImport { file } => {
            let path = codex.import_rollout(file).await?;
            outln!("{}", path.display()).map_err(Error::Io)?;
            return Ok(Outcome::Completed);
        }
        Command::RolloutExport { target, dir } => {
            let path = codex
                .export_rollout(find(&codex, target).await?, dir)
                .await?;
            outln!("{}", path.display()).map_err(Error::Io)?;
            return Ok(Outcome::Completed);
        }
        Command::Run | Command::Review => codex.new_conversation().await?,
        Command::Resume { target } => {
            codex
                .resume_conversation(find(&codex, target).await?)
                .await?
        }
        Command::Fork { target, nth } => {
            codex
                .fork_conversation(find(&codex, target).await?, *nth)
                .await?
        }
    };
    if let Some(path) = &started.rollout_path {
        errln!("\x1b[2mrecording to {}\x1b[0m", path.display());
    }
    let mut jsonl = exec_json::JsonlEvents::default();
    if args.experimental_json
        && let Err(e) = outln!("{}", exec_json::thread_started(started.conversation_id))
    {
        started.conversation.shutdown().await?;
        return stdout_failed(e);
    }
    let mut conversation = started.conversation;
    let prompt = match (&args.command, args.prompt) {
        (Command::Fork { .. }, None) => {
            let printed = outln!("{}", started.conversation_id);
            conversation.shutdown().await?;
            codex.shutdown().await?;
            return printed.map_or_else(stdout_failed, |()| Ok(Outcome::Completed));
        }
        (_, Some(prompt)) if prompt != "-" => prompt,
        // No prompt (or `-`): stdin, as `codex exec` reads it (the official SDKs write the prompt there).
        (_, _) => exec_json::prompt_from_stdin()?
            .unwrap_or_else(|| "Show me what is in this directory.".to_owned()),
    };
    if review {
        let hint: String = prompt.chars().take(60).collect();
        conversation
            .submit(Op::Review {
                review_request: ReviewRequest {
                    prompt,
                    user_facing_hint: hint,
                },
            })
            .await?;
    } else if args.images.is_empty() && args.output_schema.is_none() {
        conversation.send(prompt).await?;
    } else {
        let op = exec_json::turn_op(&config, prompt, &args.images, args.output_schema.as_deref())?;
        conversation.submit(op).await?;
    }
    let mut usage = TokenUsage::default();
    let mut outcome = Outcome::Failed;
    // SIGINT / SIGTERM interrupt the turn; its events (the aborted tools, TurnAborted) are still printed.
    let stop = signals::stop();
    tokio::pin!(stop);
    let mut interrupted = None;
    loop {
        let event = tokio::select! {
            event = conversation.next_event() => event,
            signal = &mut stop, if interrupted.is_none() => {
                interrupted = Some(signal);
                if signal.is_some() {
                    conversation.interrupt().await?;
                }
                continue;
            }
        };
        let Some(event) = event else { break };
        let printed = if args.json {
            let line = serde_json::to_string(&event)?;
            outln!("{line}").map(|()| event.msg.is_turn_terminal())
        } else if args.experimental_json {
            jsonl
                .lines(&event.msg)
                .iter()
                .try_for_each(|line| outln!("{line}"))
                .map(|()| event.msg.is_turn_terminal())
        } else {
            render::human(&event.msg, &mut usage)
        };
        match printed {
            Ok(false) => {}
            Ok(true) => {
                outcome = match event.msg {
                    EventMsg::TaskComplete(_) => Outcome::Completed,
                    EventMsg::TurnAborted(_) => match interrupted {
                        Some(Some(signal)) => Outcome::Interrupted(signal),
                        _ => Outcome::Failed,
                    },
                    _ => Outcome::Failed,
                };
                break;
            }
            Err(e) => {
                // Nobody reads any more: stop the turn (shutdown aborts it) and keep the rollout.
                conversation.shutdown().await?;
                codex.shutdown().await?;
                return stdout_failed(e);
            }
        }
    }
    // Shutting down aborts a turn still running and writes out the rollout; a rollout that could not be
    // written is an error here.
    conversation.shutdown().await?;
    // Exports the telemetry still queued (`[otel]`).
    codex.shutdown().await?;
    Ok(outcome)
}

/// A rollout path as given, or the recorded conversation with that id.
async fn find(codex: &codex_sdk::Codex, target: &str) -> Result<PathBuf> {
    let path = PathBuf::from(target);
    if path.exists() {
        return Ok(path);
    }
    let id = target.parse().map_err(|e| {
        Error::InvalidInput(format!(
            "{target:?} is neither a rollout file nor an id: {e}"
        ))
    })?;
    codex
        .find_conversation_path(id)
        .await?
        .ok_or_else(|| Error::InvalidInput(format!("no recorded conversation with id {target}")))
}
