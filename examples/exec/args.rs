//! Command-line parsing (by hand: the example depends only on codex-sdk).

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: exec [OPTIONS] PROMPT

Runs one agent turn headlessly, the way `codex exec` does.

options:
  --json                 print every event as one JSON line (the protocol's serde form)
  -m, --model MODEL      the model (default: config or gpt-5-codex)
  -C, --cd DIR           working directory of the agent (default: current directory)
  -c, --config KEY=VALUE override a config key with a TOML value (repeatable), e.g. -c model=o3
  -h, --help             this text

environment: OPENAI_API_KEY (without it a scripted offline demo runs), OPENAI_BASE_URL, CODEX_HOME";

/// What the user asked for.
#[derive(Debug, Default)]
pub struct Args {
    pub json: bool,
    pub model: Option<String>,
    pub cwd: Option<PathBuf>,
    pub overrides: Vec<String>,
    pub prompt: Option<String>,
}

pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut rest = Vec::new();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => args.json = true,
            "-m" | "--model" => args.model = Some(value(&arg)?),
            "-C" | "--cd" => args.cwd = Some(PathBuf::from(value(&arg)?)),
            "-c" | "--config" => args.overrides.push(value(&arg)?),
            "-h" | "--help" => return Err(String::new()),
            "--" => rest.extend(it.by_ref()),
            s if s.starts_with("--model=") => args.model = Some(s["--model=".len()..].to_owned()),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            _ => rest.push(arg),
        }
    }
    if !rest.is_empty() {
        args.prompt = Some(rest.join(" "));
    }
    Ok(args)
}
