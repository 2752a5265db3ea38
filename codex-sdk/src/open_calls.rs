//! The tool calls of a conversation whose End event has not been delivered yet, so a cancelled turn can
//! still end each of them exactly once.
//!
//! The conversation's [`EventSink`]s note every `ToolCallBegin`/`ExecCommandBegin` they deliver and every
//! matching End. A turn that is aborted (interrupt, shutdown, the `Codex` dropped) has its task dropped
//! mid-call, so its handlers never send their End events; the session then sends them on their behalf —
//! `ExecCommandEnd` (exit code -1) for a command the call started, `McpToolCallEnd` (failed) for an MCP
//! call in flight, then `ToolCallEnd` (failed) — before
//! `TurnAborted`. A terminal session that outlives the call that started it (`unified_exec` returning a
//! session id) is not an open call: it is killed with the conversation's tools when the conversation ends.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::events::EventSink;
use crate::protocol::{
    EventMsg, ExecCommandEndEvent, McpInvocation, McpToolCallEndEvent, McpToolCallResult,
    SubmissionId, ToolCallEndEvent,
};

/// The open calls of one conversation.
#[derive(Debug, Default)]
pub(crate) struct OpenCalls {
    calls: Mutex<Vec<OpenCall>>,
}

#[derive(Debug)]
struct OpenCall {
    sub_id: SubmissionId,
    call_id: String,
    tool: String,
    started: Instant,
    /// When the call's command started, if it started one that has not ended.
    command_started: Option<Instant>,
    /// The MCP call this call made and when, if it has not ended.
    mcp_started: Option<(McpInvocation, Instant)>,
}

/// What delivering an event changes about the open calls.
#[derive(Debug)]
pub(crate) enum Track {
    Begin {
        call_id: String,
        tool: String,
    },
    End(String),
    CommandBegin(String),
    CommandEnd(String),
    McpBegin {
        call_id: String,
        invocation: McpInvocation,
    },
    McpEnd(String),
}

impl Track {
    /// `None` for events that open or close nothing.
    pub(crate) fn of(msg: &EventMsg) -> Option<Self> {
        Some(match msg {
            EventMsg::ToolCallBegin(e) => Self::Begin {
                call_id: e.call_id.clone(),
                tool: e.tool.clone(),
            },
            EventMsg::ToolCallEnd(e) => Self::End(e.call_id.clone()),
            EventMsg::ExecCommandBegin(e) => Self::CommandBegin(e.call_id.clone()),
            EventMsg::ExecCommandEnd(e) => Self::CommandEnd(e.call_id.clone()),
            EventMsg::McpToolCallBegin(e) => Self::McpBegin {
                call_id: e.call_id.clone(),
                invocation: e.invocation.clone(),
            },
            EventMsg::McpToolCallEnd(e) => Self::McpEnd(e.call_id.clone()),
            _ => return None,
        })
    }
}

impl OpenCalls {
    fn lock(&self) -> MutexGuard<'_, Vec<OpenCall>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes an event that was delivered for submission `sub_id`.
    pub(crate) fn delivered(&self, sub_id: &SubmissionId, track: Track) {
        let mut calls = self.lock();
        match track {
            Track::Begin { call_id, tool } => calls.push(OpenCall {
                sub_id: sub_id.clone(),
                call_id,
                tool,
                started: Instant::now(),
                command_started: None,
                mcp_started: None,
            }),
            Track::End(call_id) => calls.retain(|c| c.call_id != call_id),
            Track::CommandBegin(call_id) => {
                if let Some(call) = calls.iter_mut().find(|c| c.call_id == call_id) {
                    call.command_started = Some(Instant::now());
                }
            }
            Track::CommandEnd(call_id) => {
                if let Some(call) = calls.iter_mut().find(|c| c.call_id == call_id) {
                    call.command_started = None;
                }
            }
            Track::McpBegin {
                call_id,
                invocation,
            } => {
                if let Some(call) = calls.iter_mut().find(|c| c.call_id == call_id) {
                    call.mcp_started = Some((invocation, Instant::now()));
                }
            }
            Track::McpEnd(call_id) => {
                if let Some(call) = calls.iter_mut().find(|c| c.call_id == call_id) {
                    call.mcp_started = None;
                }
            }
        }
    }

    /// Sends the End events of every open call (through `sink_for` the call's submission) and forgets
    /// them. `note` is the output the model would see.
    pub(crate) async fn end_all(&self, sink_for: impl Fn(SubmissionId) -> EventSink, note: &str) {
        let open = std::mem::take(&mut *self.lock());
        for call in open {
            let sink = sink_for(call.sub_id);
            if let Some(started) = call.command_started {
                sink.send(EventMsg::ExecCommandEnd(ExecCommandEndEvent {
                    call_id: call.call_id.clone(),
                    exit_code: -1,
                    duration_ms: millis(started),
                    aggregated_output: String::new(),
                    timed_out: false,
                }))
                .await;
            }
            if let Some((invocation, started)) = call.mcp_started {
                sink.send(EventMsg::McpToolCallEnd(McpToolCallEndEvent {
                    call_id: call.call_id.clone(),
                    invocation,
                    result: McpToolCallResult::Failed {
                        message: note.to_owned(),
                    },
                    duration_ms: millis(started),
                }))
                .await;
            }
            sink.send(EventMsg::ToolCallEnd(ToolCallEndEvent {
                call_id: call.call_id,
                tool: call.tool,
                output: note.to_owned(),
                success: false,
                duration_ms: millis(call.started),
            }))
            .await;
        }
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
