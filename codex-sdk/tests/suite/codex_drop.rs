//! The cancellation tree: dropping a `Codex` ends every conversation it started — each running turn with
//! one `TurnAborted`, each running tool call with its End event(s) exactly once, each stream with
//! `ShutdownComplete` — and kills every process its tools started, terminal sessions and processes that
//! left their process group included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use codex_sdk::model::{
    ModelClient, ModelProviderInfo, Prompt, ResponseStream, ScriptedModel, ScriptedResponse,
};
use codex_sdk::protocol::{AskForApproval, EventMsg, ResponseItem, SandboxPolicy};
use codex_sdk::tools::{BuiltinToolsConfig, FunctionTool};
use codex_sdk::{Codex, Conversation};
use serde_json::json;

const CONVERSATIONS: usize = 100;

/// Which tool a conversation is blocked in when the `Codex` is dropped.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Blocked {
    Shell,
    Terminal,
    HostTool,
}

fn blocked_in(n: usize) -> Blocked {
    [Blocked::Shell, Blocked::Terminal, Blocked::HostTool][n % 3]
}

/// A model per conversation, keyed by the conversation's first message (`conversation <n>`): first a
/// terminal session left running, then the call the conversation blocks in.
#[derive(Debug)]
struct PerConversation {
    tag: String,
    provider: ModelProviderInfo,
}

impl PerConversation {
    fn respond(&self, prompt: &Prompt) -> ScriptedResponse {
        let n: usize = prompt
            .input
            .iter()
            .find_map(|item| {
                item.message_text()?
                    .strip_prefix("conversation ")?
                    .parse()
                    .ok()
            })
            .expect("a conversation number");
        let tag = &self.tag;
        let answered = prompt
            .input
            .iter()
            .filter(|i| matches!(i, ResponseItem::FunctionCallOutput { .. }))
            .count();
        if answered == 0 {
            return ScriptedResponse::tool_call(
                "unified_exec",
                json!({"input": ["bash", "-c", format!("exec -a {tag}-pty-{n} sleep 600")], "timeout_ms": 100}),
            );
        }
        match blocked_in(n) {
            Blocked::Shell => {
                let script = format!(
                    "(setsid bash -c 'exec -a {tag}-daemon-{n} sleep 600' &); echo ready; exec -a {tag}-sh-{n} sleep 600"
                );
                ScriptedResponse::tool_call(
                    "shell",
                    json!({"command": ["bash", "-c", script], "timeout_ms": 600_000}),
                )
            }
            Blocked::Terminal => ScriptedResponse::tool_call(
                "unified_exec",
                json!({"input": ["bash", "-c", format!("exec -a {tag}-pty2-{n} sleep 600")], "timeout_ms": 60_000}),
            ),
            Blocked::HostTool => ScriptedResponse::tool_call("wait_forever", json!({})),
        }
    }
}

#[async_trait]
impl ModelClient for PerConversation {
    async fn stream(&self, prompt: &Prompt) -> codex_sdk::Result<ResponseStream> {
        ScriptedModel::new([self.respond(prompt)])
            .stream(prompt)
            .await
    }

    fn provider(&self) -> &ModelProviderInfo {
        &self.provider
    }
}

/// The pids of live (not zombie) processes whose command line holds `tag`.
fn tagged_processes(tag: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let zombie = std::fs::read_to_string(entry.path().join("stat"))
            .map(|s| {
                s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(true);
        if !zombie && String::from_utf8_lossy(&cmdline).contains(tag) {
            found.push(pid);
        }
    }
    found
}

/// Reads until the conversation is blocked in its tool (returning what it read).
async fn until_blocked(conv: &mut Conversation, blocked: Blocked) -> Vec<EventMsg> {
    let mut seen = Vec::new();
    let mut terminal_started = false;
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), conv.next_event())
            .await
            .expect("the conversation never blocked")
            .expect("the stream ended early")
            .msg;
        let ready = match (&event, blocked) {
            (EventMsg::ExecCommandOutputDelta(d), Blocked::Shell) => d.chunk.contains("ready"),
            (EventMsg::ExecCommandBegin(_), Blocked::Terminal) => {
                let second = terminal_started;
                terminal_started = true;
                second
            }
            (EventMsg::ToolCallBegin(b), Blocked::HostTool) => b.tool == "wait_forever",
            _ => false,
        };
        assert!(!event.is_turn_terminal(), "the turn ended early: {seen:#?}");
        seen.push(event);
        if ready {
            return seen;
        }
    }
}

/// Checks that the stream closed every node exactly once: each tool call and command with one End, the
/// turn with one `TurnAborted` after them, the conversation with `ShutdownComplete`, last.
fn assert_closed(n: usize, events: &[EventMsg]) {
    let mut calls: HashMap<String, (usize, usize)> = HashMap::new();
    let mut commands: HashMap<String, (usize, usize)> = HashMap::new();
    for event in events {
        match event {
            EventMsg::ToolCallBegin(b) => calls.entry(b.call_id.clone()).or_default().0 += 1,
            EventMsg::ToolCallEnd(e) => calls.entry(e.call_id.clone()).or_default().1 += 1,
            EventMsg::ExecCommandBegin(b) => commands.entry(b.call_id.clone()).or_default().0 += 1,
            EventMsg::ExecCommandEnd(e) => commands.entry(e.call_id.clone()).or_default().1 += 1,
            _ => {}
        }
    }
    assert_eq!(calls.len(), 2, "conversation {n}: {events:#?}");
    for (call, counts) in &calls {
        assert_eq!(
            *counts,
            (1, 1),
            "conversation {n}, call {call}: {events:#?}"
        );
    }
    // The first terminal session outlived its call (no End: it is not a running call); the blocking
    // shell or terminal command ends once.
    let ended: Vec<_> = commands.values().filter(|c| c.1 > 0).collect();
    let expected_ended = usize::from(blocked_in(n) != Blocked::HostTool);
    assert_eq!(ended.len(), expected_ended, "conversation {n}: {events:#?}");
    assert!(commands.values().all(|c| c.0 == 1 && c.1 <= 1));

    let aborted: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, EventMsg::TurnAborted(_)))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(aborted.len(), 1, "conversation {n}: {events:#?}");
    let last_tool_event = events
        .iter()
        .rposition(|e| matches!(e, EventMsg::ToolCallEnd(_) | EventMsg::ExecCommandEnd(_)))
        .unwrap();
    assert!(
        last_tool_event < aborted[0],
        "conversation {n}: {events:#?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, EventMsg::TaskComplete(_) | EventMsg::Error(_))),
        "conversation {n}: {events:#?}"
    );
    assert!(
        matches!(events.last(), Some(EventMsg::ShutdownComplete)),
        "conversation {n}: {events:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_codex_ends_every_conversation_and_kills_every_process() {
    let tag = format!("codexdrop{}x{}", std::process::id(), rand_suffix());
    let _reap = Reap(tag.clone());
    let model = Arc::new(PerConversation {
        tag: tag.clone(),
        provider: ModelProviderInfo::custom(
            "per-conversation",
            "scripted://",
            codex_sdk::model::WireApi::Responses,
        )
        .with_retries(0, 0),
    });
    let dir = tempfile::tempdir().unwrap();
    let codex = Codex::builder()
        .model("gpt-5-codex")
        .cwd(dir.path())
        .model_client(model)
        .ephemeral()
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .builtin_tools(BuiltinToolsConfig::default().with_unified_exec(true))
        .tool(FunctionTool::new(
            "wait_forever",
            "Never returns.",
            json!({"type": "object", "properties": {}}),
            |_args, _ctx| async move {
                std::future::pending::<()>().await;
                Ok(String::new())
            },
        ))
        .build()
        .unwrap();

    let mut readers = Vec::new();
    for n in 0..CONVERSATIONS {
        let mut conv = codex.start_conversation().await.unwrap();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        readers.push((
            ready_rx,
            tokio::spawn(async move {
                conv.send(format!("conversation {n}")).await.unwrap();
                let mut events = until_blocked(&mut conv, blocked_in(n)).await;
                ready_tx.send(()).unwrap();
                loop {
                    let next = tokio::time::timeout(Duration::from_secs(60), conv.next_event())
                        .await
                        .unwrap_or_else(|_| panic!("conversation {n} never ended: {events:#?}"));
                    match next {
                        Some(event) => events.push(event.msg),
                        None => return (events, conv),
                    }
                }
            }),
        ));
    }
    let mut handles = Vec::new();
    for (ready, handle) in readers {
        ready
            .await
            .expect("a conversation failed before it blocked");
        handles.push(handle);
    }
    // Every conversation has a terminal session, and a third of them a shell with a daemon.
    let running = tagged_processes(&tag);
    assert!(
        running.len() >= CONVERSATIONS + CONVERSATIONS / 3,
        "{} tagged processes",
        running.len()
    );

    drop(codex);

    // The host still holds every conversation: their ending alone must have killed the processes.
    let mut conversations = Vec::new();
    for (n, handle) in handles.into_iter().enumerate() {
        let (events, conv) = handle.await.unwrap();
        assert_closed(n, &events);
        conversations.push(conv);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let left = tagged_processes(&tag);
        if left.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "processes outlived their Codex: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(conversations);
}

/// Kills whatever a failed run leaves behind.
struct Reap(String);

impl Drop for Reap {
    fn drop(&mut self) {
        for pid in tagged_processes(&self.0) {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

/// `Codex::shutdown` ends the conversations of a `Codex` the host still holds, and returns only once they
/// have ended: the running turn is aborted with its host tool call ended, the stream closes.
#[tokio::test]
async fn shutting_the_codex_down_ends_its_conversations_and_waits_for_them() {
    let (builder, _model) = super::support::scripted([
        ScriptedResponse::tool_call("wait_forever", json!({})),
        ScriptedResponse::text("never"),
    ]);
    let codex = builder
        .approval_policy(AskForApproval::Never)
        .tool(FunctionTool::new(
            "wait_forever",
            "Never returns.",
            json!({"type": "object", "properties": {}}),
            |_args, _ctx| async move {
                std::future::pending::<()>().await;
                Ok(String::new())
            },
        ))
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("go").await.unwrap();
    super::support::events_until(&mut conv, |m| matches!(m, EventMsg::ToolCallBegin(_))).await;

    codex.shutdown().await.unwrap();
    let mut rest = Vec::new();
    while let Some(event) = conv.next_event().await {
        rest.push(event.msg);
    }
    let tool_ends = rest
        .iter()
        .filter(|m| matches!(m, EventMsg::ToolCallEnd(e) if !e.success))
        .count();
    assert_eq!(tool_ends, 1, "{rest:#?}");
    assert_eq!(
        rest.iter()
            .filter(|m| matches!(m, EventMsg::TurnAborted(_)))
            .count(),
        1,
        "{rest:#?}"
    );
    assert!(
        matches!(rest.last(), Some(EventMsg::ShutdownComplete)),
        "{rest:#?}"
    );

    // A conversation started afterwards ends at once.
    let mut late = codex.start_conversation().await.unwrap();
    let mut late_events = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), late.next_event())
        .await
        .expect("a conversation started after shutdown kept running")
    {
        late_events.push(event.msg);
    }
    assert!(
        matches!(late_events.last(), Some(EventMsg::ShutdownComplete)),
        "{late_events:#?}"
    );
}
