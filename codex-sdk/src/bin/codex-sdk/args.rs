//! Command-line parsing for every subcommand (by hand: the command depends only on codex-sdk).

use std::path::PathBuf;

pub(crate) const USAGE: &str = "\
usage: codex-sdk [exec] [OPTIONS] PROMPT
       codex-sdk [exec] [OPTIONS] review PROMPT
       codex-sdk [exec] [OPTIONS] resume ID|PATH PROMPT
       codex-sdk [exec] [OPTIONS] fork ID|PATH N [PROMPT]
       codex-sdk [exec] [OPTIONS] mcp-server
       codex-sdk [exec] [OPTIONS] mcp list
       codex-sdk [exec] [OPTIONS] mcp login NAME
       codex-sdk [exec] [OPTIONS] mcp logout NAME
       codex-sdk [exec] [OPTIONS] rollout import FILE
       codex-sdk [exec] [OPTIONS] rollout export ID|PATH DIR
       codex-sdk app-server [-c KEY=VALUE]...

`app-server` serves the SDK over JSON-RPC lines on stdin/stdout (see the `app_server` module).

Runs one agent turn headlessly, the way `codex exec` does. Every run is recorded under
CODEX_HOME/sessions; `resume` continues a recorded conversation (appending to its file), `fork` starts a new
one from the history before its Nth user message. `mcp-server` serves the agent as an MCP server on stdio
(tools `codex` and `codex-reply`); `mcp list` shows the configured MCP servers (`[mcp_servers]`);
`mcp login NAME` logs in to a streamable-HTTP server with OAuth (it prints the URL to open) and stores the
tokens (`mcp_oauth_credentials_store`), `mcp logout NAME` removes them. `rollout import FILE` copies a rollout
file (e.g. a Codex CLI session) into the configured store (`[rollout]`, e.g. PostgreSQL); `rollout export`
writes a recorded conversation as a rollout file under DIR/sessions/ (a CODEX_HOME Codex CLI resumes from).

options:
  --json                 print every event as one JSON line (the protocol's serde form)
  --experimental-json    print Codex exec's JSONL (thread.started, item.*, turn.*), as the official SDKs read
  --output-schema FILE   the final answer must follow this JSON Schema
  -i, --image FILE       attach an image to the prompt (repeatable)
  --add-dir DIR          another writable directory under workspace-write (repeatable)
  --skip-git-repo-check  accepted for compatibility (no check is made)
  -m, --model MODEL      the model (default: config or gpt-5-codex)
  -C, --cd DIR           working directory of the agent (default: current directory)
  -c, --config KEY=VALUE override a config key with a TOML value (repeatable), e.g. -c model=o3
  -p, --profile NAME     lay CODEX_HOME/NAME.config.toml (or [profiles.NAME]) over config.toml
  -s, --sandbox MODE     read-only | workspace-write | danger-full-access
  -a, --ask-for-approval POLICY
                         untrusted | on-failure | on-request | never
  -h, --help             this text

Without PROMPT (or with `-`), the prompt is read from stdin when stdin is not a terminal.

environment: OPENAI_API_KEY or CODEX_API_KEY (without one a scripted offline demo runs), OPENAI_BASE_URL,
CODEX_HOME";

/// Which subcommand, with its arguments.
#[derive(Debug)]
pub(crate) enum Invocation {
    /// `exec` (also when no subcommand is named).
    Exec(Box<Args>),
    /// `app-server`.
    AppServer(AppServerArgs),
}

/// The arguments of `app-server`.
#[derive(Debug, Default)]
pub(crate) struct AppServerArgs {
    /// `-c key=value` overrides.
    pub overrides: Vec<String>,
}

/// Parses the whole command line (without the program name).
pub(crate) fn parse_invocation(args: impl Iterator<Item = String>) -> Result<Invocation, String> {
    let mut args = args.peekable();
    match args.peek().map(String::as_str) {
        Some("app-server") => {
            args.next();
            let mut parsed = AppServerArgs::default();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "-c" | "--config" => parsed
                        .overrides
                        .push(args.next().ok_or("-c needs a value")?),
                    "-h" | "--help" => return Err(String::new()),
                    other => return Err(format!("app-server: unexpected argument {other}")),
                }
            }
            Ok(Invocation::AppServer(parsed))
        }
        Some("exec") => {
            args.next();
            parse(args).map(|a| Invocation::Exec(Box::new(a)))
        }
        _ => parse(args).map(|a| Invocation::Exec(Box::new(a))),
    }
}

/// What the user asked for.
#[derive(Debug, Default)]
pub(crate) struct Args {
    pub json: bool,
    /// Codex exec's JSONL instead of the protocol's events.
    pub experimental_json: bool,
    pub output_schema: Option<PathBuf>,
    pub images: Vec<PathBuf>,
    pub add_dirs: Vec<PathBuf>,
    pub model: Option<String>,
    pub cwd: Option<PathBuf>,
    pub overrides: Vec<String>,
    pub profile: Option<String>,
    pub sandbox: Option<String>,
    pub approval: Option<String>,
    pub prompt: Option<String>,
    /// What to run.
    pub command: Command,
}

/// The subcommand.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) enum Command {
    /// A turn in a new conversation.
    #[default]
    Run,
    /// A code review in a new conversation.
    Review,
    /// A turn in a recorded conversation.
    Resume { target: String },
    /// A new conversation from a recorded one's history before its Nth user message.
    Fork { target: String, nth: usize },
    /// Serve the agent as an MCP server on stdio.
    McpServer,
    /// List the configured MCP servers.
    McpList,
    /// OAuth login to a streamable-HTTP MCP server.
    McpLogin { name: String },
    /// Remove the stored OAuth credentials of an MCP server.
    McpLogout { name: String },
    /// Copy a rollout file into the configured store.
    RolloutImport { file: PathBuf },
    /// Write a recorded conversation as a rollout file under `dir/sessions/`.
    RolloutExport { target: String, dir: PathBuf },
}

pub(crate) fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut rest = Vec::new();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => args.json = true,
            "--experimental-json" => args.experimental_json = true,
            "--output-schema" => args.output_schema = Some(PathBuf::from(value(&arg)?)),
            "-i" | "--image" => args.images.push(PathBuf::from(value(&arg)?)),
            "--add-dir" => args.add_dirs.push(PathBuf::from(value(&arg)?)),
            "--skip-git-repo-check" => {}
            // Accepted from the official SDKs, without an effect here.
            "--thread-source" | "--cyber-access-program" => {
                value(&arg)?;
            }
            "-m" | "--model" => args.model = Some(value(&arg)?),
            "-C" | "--cd" => args.cwd = Some(PathBuf::from(value(&arg)?)),
            "-c" | "--config" => args.overrides.push(value(&arg)?),
            "-p" | "--profile" => args.profile = Some(value(&arg)?),
            "-s" | "--sandbox" => args.sandbox = Some(value(&arg)?),
            "-a" | "--ask-for-approval" => args.approval = Some(value(&arg)?),
            "-h" | "--help" => return Err(String::new()),
            "--" => rest.extend(it.by_ref()),
            s if s.starts_with("--model=") => args.model = Some(s["--model=".len()..].to_owned()),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            _ => rest.push(arg),
        }
    }
    match rest.first().map(String::as_str) {
        Some("review") => {
            rest.remove(0);
            args.command = Command::Review;
        }
        Some("resume") => {
            rest.remove(0);
            if rest.is_empty() {
                return Err("resume needs a conversation id or rollout path".to_owned());
            }
            args.command = Command::Resume {
                target: rest.remove(0),
            };
        }
        Some("fork") => {
            rest.remove(0);
            if rest.len() < 2 {
                return Err(
                    "fork needs a conversation id or rollout path and a message number".to_owned(),
                );
            }
            let target = rest.remove(0);
            let nth = rest
                .remove(0)
                .parse()
                .map_err(|_| "fork: N must be a non-negative integer".to_owned())?;
            args.command = Command::Fork { target, nth };
        }
        Some("mcp-server") => {
            rest.remove(0);
            args.command = Command::McpServer;
        }
        Some("mcp") => {
            rest.remove(0);
            match rest.first().map(String::as_str) {
                Some("list") => {
                    rest.remove(0);
                    args.command = Command::McpList;
                }
                Some(action @ ("login" | "logout")) => {
                    let action = action.to_owned();
                    rest.remove(0);
                    if rest.is_empty() {
                        return Err(format!("mcp {action} needs a server name"));
                    }
                    let login = action == "login";
                    let name = rest.remove(0);
                    args.command = if login {
                        Command::McpLogin { name }
                    } else {
                        Command::McpLogout { name }
                    };
                }
                Some(other) => {
                    return Err(format!(
                        "unknown mcp subcommand {other:?} (try: mcp list, mcp login NAME, mcp logout NAME)"
                    ));
                }
                None => {
                    return Err("mcp needs a subcommand: list, login NAME, logout NAME".to_owned());
                }
            }
        }
        Some("rollout") => {
            rest.remove(0);
            args.command = match (rest.first().map(String::as_str), rest.len()) {
                (Some("import"), 2) => Command::RolloutImport {
                    file: PathBuf::from(&rest[1]),
                },
                (Some("export"), 3) => Command::RolloutExport {
                    target: rest[1].clone(),
                    dir: PathBuf::from(&rest[2]),
                },
                _ => {
                    return Err("rollout needs: import FILE, or export ID|PATH DIR".to_owned());
                }
            };
            rest.clear();
        }
        _ => {}
    }
    if matches!(
        args.command,
        Command::McpServer
            | Command::McpList
            | Command::McpLogin { .. }
            | Command::McpLogout { .. }
    ) && !rest.is_empty()
    {
        return Err(format!("unexpected argument {:?}", rest[0]));
    }
    if !rest.is_empty() {
        args.prompt = Some(rest.join(" "));
    }
    Ok(args)
}
