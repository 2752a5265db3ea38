//! Running one command to completion: spawn (optionally sandboxed) in its own process group, stream its
//! output as events, enforce the timeout and cancellation by killing the whole group.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

use super::truncate::CapturedOutput;
use crate::protocol::{
    EventMsg, ExecCommandBeginEvent, ExecCommandEndEvent, ExecCommandOutputDeltaEvent,
    ExecOutputStream,
};
use crate::sandbox::{ProcessTree, SandboxError, SandboxRules, SpawnThread, spawn_on_thread};
use crate::tools::ToolContext;

/// Bytes of output kept for the client (half from the start, half from the end).
pub(crate) const AGGREGATE_CAP: usize = 1024 * 1024;
/// Bytes of output streamed as delta events before streaming stops (the end event still has the output).
pub(crate) const DELTA_CAP: usize = 1024 * 1024;
/// After the command exits, how long output still held open by its descendants is read.
const DRAIN_GRACE: Duration = Duration::from_millis(500);

/// One command to run.
#[derive(Debug, Clone)]
pub(crate) struct ExecParams {
    pub(crate) argv: Vec<String>,
    pub(crate) cwd: PathBuf,
    pub(crate) timeout: Duration,
    /// `Some` to run under the sandbox.
    pub(crate) sandbox: Option<SandboxRules>,
    /// The command's whole environment (computed by the environment policy).
    pub(crate) env: BTreeMap<OsString, OsString>,
}

/// How a command ended.
#[derive(Debug, Clone)]
pub(crate) struct ExecOutcome {
    /// Exit code; -1 when killed (timeout, cancellation, signal).
    pub(crate) exit_code: i32,
    pub(crate) duration: Duration,
    /// stdout and stderr interleaved, decoded lossily, head and tail kept past [`AGGREGATE_CAP`].
    pub(crate) output: String,
    /// The same output as captured bytes, with what was dropped counted (for honest truncation).
    pub(crate) captured: CapturedOutput,
    pub(crate) timed_out: bool,
    pub(crate) cancelled: bool,
}

/// Runs `params`, emitting `ExecCommandBegin`, deltas and `ExecCommandEnd` for `call_id`.
pub(crate) async fn run(
    params: &ExecParams,
    ctx: &ToolContext,
    call_id: &str,
) -> Result<ExecOutcome, SandboxError> {
    let started = Instant::now();
    // Declared first so it is dropped last: whatever ends this call (exit, timeout, an aborted turn), every
    // process the command started is killed.
    let mut tree = ProcessTree::new();
    let (mut child, _thread) = spawn(params, &mut tree).await?;
    ctx.emit(EventMsg::ExecCommandBegin(ExecCommandBeginEvent {
        call_id: call_id.to_owned(),
        command: params.argv.clone(),
        cwd: params.cwd.clone(),
    }))
    .await;

    let pgid = child.id().and_then(|id| i32::try_from(id).ok());
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let mut out_dec = Utf8Stream::default();
    let mut err_dec = Utf8Stream::default();
    let mut aggregate = HeadTail::new(AGGREGATE_CAP);
    let mut streamed = 0usize;
    let deadline = tokio::time::Instant::now() + params.timeout;
    let mut status: Option<ExitStatus> = None;
    let mut drain_deadline = deadline;
    let (mut timed_out, mut cancelled) = (false, false);

    loop {
        if status.is_some() && stdout.is_none() && stderr.is_none() {
            break;
        }
        tokio::select! {
            chunk = read_some(&mut stdout) => {
                let Some(bytes) = chunk else { stdout = None; continue };
                aggregate.push(&bytes);
                let text = out_dec.decode(&bytes);
                emit_delta(ctx, call_id, ExecOutputStream::Stdout, text, &mut streamed).await;
            }
            chunk = read_some(&mut stderr) => {
                let Some(bytes) = chunk else { stderr = None; continue };
                aggregate.push(&bytes);
                let text = err_dec.decode(&bytes);
                emit_delta(ctx, call_id, ExecOutputStream::Stderr, text, &mut streamed).await;
            }
            s = child.wait(), if status.is_none() => {
                // The command is done; its descendants go with it, so pipes they hold reach EOF.
                kill_group(pgid);
                tree.kill();
                status = Some(s.unwrap_or_else(|_| exit_status_unknown()));
                drain_deadline = tokio::time::Instant::now() + DRAIN_GRACE;
            }
            () = tokio::time::sleep_until(drain_deadline), if status.is_some() => break,
            () = tokio::time::sleep_until(deadline), if status.is_none() => {
                timed_out = true;
                break;
            }
            () = ctx.cancellation().cancelled(), if status.is_none() => {
                cancelled = true;
                break;
            }
        }
    }
    if status.is_none() {
        kill_group(pgid);
        tree.kill();
        let _ = child.start_kill();
        status = child.wait().await.ok();
    }
    let exit_code = if timed_out || cancelled {
        -1
    } else {
        status.and_then(|s| s.code()).unwrap_or(-1)
    };
    let captured = aggregate.finish();
    let output = captured.to_text();
    let duration = started.elapsed();
    ctx.emit(EventMsg::ExecCommandEnd(ExecCommandEndEvent {
        call_id: call_id.to_owned(),
        exit_code,
        duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        aggregated_output: output.clone(),
        timed_out,
    }))
    .await;
    Ok(ExecOutcome {
        exit_code,
        duration,
        output,
        captured,
        timed_out,
        cancelled,
    })
}

async fn spawn(
    params: &ExecParams,
    tree: &mut ProcessTree,
) -> Result<(Child, SpawnThread), SandboxError> {
    let (program, args) = params
        .argv
        .split_first()
        .ok_or_else(|| SandboxError::Spawn(std::io::Error::other("empty command")))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(&params.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_clear()
        .envs(&params.env)
        .process_group(0)
        .kill_on_drop(true);
    tree.prepare(&mut cmd);
    let (child, thread) = spawn_on_thread(params.sandbox.clone(), move || cmd.spawn()).await?;
    tree.started(child.id());
    Ok((child, thread))
}

/// Kills a process group; errors (the group is already gone) are ignored.
pub(crate) fn kill_group(pgid: Option<i32>) {
    if let Some(pid) = pgid.and_then(rustix::process::Pid::from_raw) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

fn exit_status_unknown() -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    ExitStatus::from_raw(-1_i32 << 8)
}

/// Reads from an optional pipe; `None` at EOF or error. A missing pipe never completes.
async fn read_some<R: AsyncRead + Unpin>(pipe: &mut Option<R>) -> Option<Vec<u8>> {
    match pipe {
        Some(p) => {
            let mut buf = vec![0u8; 8192];
            match p.read(&mut buf).await {
                Ok(0) | Err(_) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some(buf)
                }
            }
        }
        None => std::future::pending().await,
    }
}

async fn emit_delta(
    ctx: &ToolContext,
    call_id: &str,
    stream: ExecOutputStream,
    chunk: String,
    streamed: &mut usize,
) {
    if chunk.is_empty() || *streamed >= DELTA_CAP {
        return;
    }
    *streamed += chunk.len();
    ctx.emit(EventMsg::ExecCommandOutputDelta(
        ExecCommandOutputDeltaEvent {
            call_id: call_id.to_owned(),
            stream,
            chunk,
        },
    ))
    .await;
}

/// Decodes a byte stream as UTF-8 chunk by chunk, holding back a character split across chunks; invalid
/// sequences become U+FFFD.
#[derive(Default)]
pub(crate) struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    pub(crate) fn decode(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let cut = complete_prefix_len(&self.pending);
        let rest = self.pending.split_off(cut);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        text
    }
}

/// The length of `bytes` without a trailing incomplete (but so far valid-looking) UTF-8 sequence.
fn complete_prefix_len(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for back in 1..=len.min(3) {
        let b = bytes[len - back];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte: look further back for the lead byte
        }
        let needed = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if needed > back { len - back } else { len };
    }
    len
}

/// A byte buffer that keeps the first and last `cap / 2` bytes and counts the bytes and line breaks it
/// dropped in between.
pub(crate) struct HeadTail {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    half: usize,
    dropped_bytes: usize,
    dropped_lines: usize,
}

impl HeadTail {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            head: Vec::new(),
            tail: VecDeque::new(),
            half: cap / 2,
            dropped_bytes: 0,
            dropped_lines: 0,
        }
    }

    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < self.half {
            let take = bytes.len().min(self.half - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        // Bytes that would not survive in the tail are dropped without being queued.
        if bytes.len() > self.half {
            let skip = bytes.len() - self.half;
            self.drop_bytes(&bytes[..skip]);
            bytes = &bytes[skip..];
        }
        let excess = (self.tail.len() + bytes.len()).saturating_sub(self.half);
        let dropped_lines = self.tail.range(..excess).filter(|b| **b == b'\n').count();
        self.tail.drain(..excess);
        self.dropped_bytes += excess;
        self.dropped_lines += dropped_lines;
        self.tail.extend(bytes);
    }

    fn drop_bytes(&mut self, bytes: &[u8]) {
        self.dropped_bytes += bytes.len();
        self.dropped_lines += bytes.iter().filter(|b| **b == b'\n').count();
    }

    pub(crate) fn finish(self) -> CapturedOutput {
        CapturedOutput {
            head: self.head,
            tail: self.tail.into(),
            dropped_bytes: self.dropped_bytes,
            dropped_lines: self.dropped_lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_stream_holds_split_characters() {
        let mut dec = Utf8Stream::default();
        let bytes = "é€😀".as_bytes();
        let mut out = String::new();
        for b in bytes {
            out.push_str(&dec.decode(std::slice::from_ref(b)));
        }
        assert_eq!(out, "é€😀");
        assert_eq!(dec.decode(b"\xff ok"), "\u{fffd} ok");
    }

    #[test]
    fn head_tail_keeps_both_ends_and_counts_what_it_drops() {
        let mut buf = HeadTail::new(8);
        buf.push(b"abc");
        buf.push(b"d\nef\ng");
        buf.push(b"hi\njklmnop");
        buf.push(b"q");
        assert_eq!(
            buf.finish(),
            CapturedOutput {
                head: b"abcd".to_vec(),
                tail: b"nopq".to_vec(),
                dropped_bytes: 12,
                dropped_lines: 3,
            }
        );
    }
}
