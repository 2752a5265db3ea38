#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // bench code
//! Many conversations at once: one process holds N conversations (10,000 by default; `SCALE_BENCH_N`), each
//! running a one-tool-call turn (two model requests over loopback HTTP, a host tool, the file rollout store)
//! concurrently. The model is a real HTTP server in a second process (this binary re-run with `--serve`),
//! so the figures are the SDK's alone: turns per second, p50/p99 turn latency (from the conversation's
//! start to its turn's result) and the peak RSS of the SDK process.
//!
//! For comparison it runs Codex CLI's `codex exec` (when found: `CODEX_CLI_BIN`, the copy `scripts/test.sh`
//! caches under `~/.cache/codex-sdk`, or `codex` on `PATH`) through the same kind of turn against the same
//! server, and extrapolates its process-per-conversation model from one process's peak RSS and wall time.
//!
//! Run: `cargo bench -p codex-sdk-benches --bench scale`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use codex_sdk::Codex;
use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::testing::{MockServer, RecordedRequest, responders};
use codex_sdk::tools::FunctionTool;
use serde_json::json;

const SERVE_FLAG: &str = "--serve";

/// Serves until stdin closes: every request is answered from its content (one tool call, then text).
fn serve() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = MockServer::start().await.unwrap();
        server.set_recording(false);
        // Our conversations call the host tool `echo`; Codex CLI calls its own shell tool.
        let echo = responders::tool_call_then_text("echo", r#"{"x":1}"#, "done");
        let shell =
            responders::tool_call_then_text("shell", r#"{"command":["echo","hi"]}"#, "done");
        let shell_command =
            responders::tool_call_then_text("shell_command", r#"{"command":"echo hi"}"#, "done");
        server.respond_with(move |request: &RecordedRequest| {
            let tools = tool_names(request);
            if tools.iter().any(|t| t == "echo") {
                echo(request)
            } else if tools.iter().any(|t| t == "shell_command") {
                shell_command(request)
            } else {
                shell(request)
            }
        });
        println!("{}", server.base_url());
        std::io::stdout().flush().unwrap();
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {}
        })
        .await
        .unwrap();
        // The parent may be gone already; nothing to report then.
        let _ = writeln!(std::io::stdout(), "served {}", server.request_count());
    });
}

fn tool_names(request: &RecordedRequest) -> Vec<String> {
    request.json()["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A field of `/proc/self/status` in KiB (Linux; 0 elsewhere).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn run(n: usize, base_url: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    rt.block_on(async {
        // Retries ride out a listen backlog that overflows under 10,000 simultaneous connects.
        let provider = ModelProviderInfo::custom("mock", base_url, WireApi::Responses)
            .with_retries(8, 2)
            .with_retry_base_delay(Duration::from_millis(50))
            .with_stream_idle_timeout(Duration::from_secs(120));
        let codex = Codex::builder()
            .codex_home(home.path())
            .provider(provider)
            .api_key("sk-scale-bench")
            .cwd(home.path())
            .tool(FunctionTool::new(
                "echo",
                "Echoes its arguments.",
                json!({"type": "object"}),
                |args, _ctx| async move { Ok(args.to_string()) },
            ))
            .build()
            .unwrap();
        // Warm up: one turn, so the runtime, the HTTP client and the allocator are in steady state.
        let mut warm = codex.start_conversation().await.unwrap();
        warm.run("warm up").await.unwrap();
        drop(warm);
        let rss_before = status_kib("VmRSS:");

        let started = Instant::now();
        let turns: Vec<_> = (0..n)
            .map(|_| {
                let codex = codex.clone();
                tokio::spawn(async move {
                    let begun = Instant::now();
                    let mut conv = codex.start_conversation().await?;
                    let result = conv.run("go").await?;
                    let latency = begun.elapsed();
                    Ok::<_, codex_sdk::Error>((latency, result.final_message, conv))
                })
            })
            .collect();
        let mut latencies = Vec::with_capacity(n);
        let mut failures = 0usize;
        let mut conversations = Vec::with_capacity(n);
        for turn in turns {
            match turn.await.unwrap() {
                Ok((latency, message, conv)) => {
                    assert_eq!(message.as_deref(), Some("done"));
                    latencies.push(latency);
                    conversations.push(conv);
                }
                Err(err) => {
                    if failures == 0 {
                        eprintln!("first failed turn: {err}");
                    }
                    failures += 1;
                }
            }
        }
        let wall = started.elapsed();
        let rss_live = status_kib("VmRSS:");
        let peak = status_kib("VmHWM:");
        latencies.sort();
        let ok = latencies.len();
        println!(
            "scale/{n}: {ok} turns in {:.2} s = {:.0} turns/s; latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; \
             {failures} failed",
            wall.as_secs_f64(),
            ok as f64 / wall.as_secs_f64(),
            percentile(&latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            percentile(&latencies, 1.0).as_secs_f64() * 1e3,
        );
        println!(
            "scale/{n}: peak RSS {:.0} MiB; with all {ok} conversations still open {:.0} MiB ({:.1} KiB each over \
             the {:.0} MiB before)",
            peak as f64 / 1024.0,
            rss_live as f64 / 1024.0,
            rss_live.saturating_sub(rss_before) as f64 / ok.max(1) as f64,
            rss_before as f64 / 1024.0,
        );
        drop(conversations);
        assert_eq!(failures, 0, "every turn must succeed");
    });
}

fn find_codex_cli() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("CODEX_CLI_BIN").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    let cached = PathBuf::from(std::env::var_os("HOME")?)
        .join(".cache/codex-sdk/codex-cli-0.169.0/node_modules/.bin/codex");
    if cached.is_file() {
        return Some(cached);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("codex"))
        .find(|p| p.is_file())
}

/// The native binary behind the npm launcher, so the measured RSS is the agent's own process.
fn native_codex(launcher: PathBuf) -> PathBuf {
    let resolved = std::fs::canonicalize(&launcher).unwrap_or(launcher);
    let package = resolved.ancestors().nth(2).map(PathBuf::from);
    package
        .map(|p| {
            p.join(
                "node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex",
            )
        })
        .filter(|p| p.is_file())
        .or_else(|| {
            let shared = resolved
                .ancestors()
                .nth(4)?
                .join("@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex");
            shared.is_file().then_some(shared)
        })
        .unwrap_or(resolved)
}

/// One `codex exec` tool-call turn: (wall time, peak RSS in KiB, CPU seconds), or why it could not run.
fn codex_cli_turn(bin: &PathBuf, base_url: &str) -> Result<(Duration, u64, f64), String> {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "model = \"gpt-5-codex\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\nname = \"mock\"\n\
             base_url = \"{base_url}\"\nwire_api = \"responses\"\nrequest_max_retries = 0\n"
        ),
    )
    .unwrap();
    let begun = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak_rss_kib=%M cpu_s=%U+%S"])
        .arg(bin)
        .args([
            "exec",
            "--skip-git-repo-check",
            "--dangerously-bypass-approvals-and-sandbox",
            "go",
        ])
        .current_dir(work.path())
        .env("CODEX_HOME", home.path())
        .env("OPENAI_API_KEY", "sk-scale-bench")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run /usr/bin/time {}: {e}", bin.display()))?;
    let wall = begun.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !format!("{stdout}{stderr}").contains("done") {
        return Err(format!("codex exec failed: {stdout}\n{stderr}"));
    }
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib="))
        .ok_or("no figures from /usr/bin/time")?;
    let (rss, cpu) = line
        .split_once(" cpu_s=")
        .ok_or("no CPU time from /usr/bin/time")?;
    let rss = rss.trim().parse().map_err(|_| "bad peak RSS")?;
    let cpu = cpu
        .split('+')
        .map(|v| v.trim().parse::<f64>().unwrap_or(0.0))
        .sum();
    Ok((wall, rss, cpu))
}

fn compare_with_codex_cli(n: usize, base_url: &str) {
    let Some(launcher) = find_codex_cli() else {
        println!("codex-cli: not found (set CODEX_CLI_BIN); no comparison");
        return;
    };
    let bin = native_codex(launcher);
    let mut runs = Vec::new();
    for _ in 0..3 {
        match codex_cli_turn(&bin, base_url) {
            Ok(run) => runs.push(run),
            Err(why) => {
                println!("codex-cli: {why}");
                return;
            }
        }
    }
    runs.sort_by_key(|run| run.0);
    let (wall, rss, cpu) = runs[1];
    let total_gib = rss as f64 * n as f64 / 1024.0 / 1024.0;
    println!(
        "codex-cli ({}): one process per conversation: {:.0} ms wall, {:.0} ms CPU and {:.0} MiB peak RSS for \
         one tool-call turn; {n} conversations = {n} processes ≈ {total_gib:.1} GiB resident and at most \
         {:.0} turns/s on 2 cores (CPU-bound)",
        bin.display(),
        wall.as_secs_f64() * 1e3,
        cpu * 1e3,
        rss as f64 / 1024.0,
        2.0 / cpu.max(1e-3),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == SERVE_FLAG) {
        serve();
        return;
    }
    // `cargo test --benches` runs benches once in test mode: keep that quick.
    let test_mode = args.iter().any(|a| a == "--test");
    let n = if test_mode {
        50
    } else {
        std::env::var("SCALE_BENCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000)
    };
    let mut server = Command::new(std::env::current_exe().unwrap())
        .arg(SERVE_FLAG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base_url = lines.next().unwrap().unwrap();
    run(n, &base_url);
    if !test_mode {
        compare_with_codex_cli(n, &base_url);
    }
    drop(server.stdin.take());
    if let Some(Ok(line)) = lines.next() {
        println!("server: {line}");
    }
    let _ = server.wait();
}
