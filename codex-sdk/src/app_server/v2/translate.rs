//! Events of a conversation → v2 notifications: turns get ids, answers, reasoning, commands, patches and
//! client tool calls become items with a start and an end, deltas name their item.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::items::*;
use super::notifications::*;
use crate::protocol::{ErrorCode, EventMsg, FileChange};

/// What a thread's translator shares with the request handlers: turn ids handed out by `turn/start`
/// before the turn began, the running turn's id, and the names of the client's tools.
#[derive(Debug, Default)]
pub(crate) struct ThreadShared {
    queued_turns: Mutex<VecDeque<String>>,
    current_turn: Mutex<Option<String>>,
    pub(crate) dynamic_tools: HashSet<String>,
    /// What `thread/start` (or resume, fork) answered, for a client rejoining the running thread.
    started: Mutex<Option<super::ThreadStartResponse>>,
}

impl ThreadShared {
    pub(crate) fn new(dynamic_tools: HashSet<String>) -> Arc<Self> {
        Arc::new(Self {
            dynamic_tools,
            ..Self::default()
        })
    }

    /// The id of the turn `turn/start` is about to start or join.
    pub(crate) fn turn_for_input(&self) -> (String, bool) {
        if let Some(id) = lock(&self.current_turn).clone() {
            return (id, false);
        }
        let id = uuid::Uuid::now_v7().to_string();
        lock(&self.queued_turns).push_back(id.clone());
        (id, true)
    }

    /// Remembers the answer that started the thread.
    pub(crate) fn set_started(&self, response: super::ThreadStartResponse) {
        *lock(&self.started) = Some(response);
    }

    /// The answer that started the thread.
    pub(crate) fn started(&self) -> Option<super::ThreadStartResponse> {
        lock(&self.started).clone()
    }

    /// The running turn's id.
    pub(crate) fn current_turn(&self) -> Option<String> {
        lock(&self.current_turn).clone()
    }

    fn begin_turn(&self) -> String {
        let id = lock(&self.queued_turns)
            .pop_front()
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        *lock(&self.current_turn) = Some(id.clone());
        id
    }

    fn end_turn(&self) {
        lock(&self.current_turn).take();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What one event turns into.
#[derive(Debug)]
pub(crate) enum Out {
    /// A notification.
    Notify(ServerNotification),
    /// Ask for a command approval (then answer the conversation with the decision).
    AskExec(CommandExecutionRequestApprovalParams),
    /// Ask for a patch approval.
    AskPatch(FileChangeRequestApprovalParams),
}

/// The per-thread translation state (owned by the thread's listener task).
#[derive(Debug)]
pub(crate) struct Translator {
    thread_id: String,
    shared: Arc<ThreadShared>,
    turn_id: String,
    agent: Option<(String, String)>,
    reasoning: Option<(String, String)>,
    error: Option<TurnError>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Translator {
    pub(crate) fn new(thread_id: String, shared: Arc<ThreadShared>) -> Self {
        Self {
            thread_id,
            shared,
            turn_id: String::new(),
            agent: None,
            reasoning: None,
            error: None,
        }
    }

    fn started(&self, item: ThreadItem) -> Out {
        Out::Notify(ServerNotification::ItemStarted(ItemStartedNotification {
            item,
            thread_id: self.thread_id.clone(),
            turn_id: self.turn_id.clone(),
            started_at_ms: now_ms(),
        }))
    }

    fn completed(&self, item: ThreadItem) -> Out {
        Out::Notify(ServerNotification::ItemCompleted(
            ItemCompletedNotification {
                item,
                thread_id: self.thread_id.clone(),
                turn_id: self.turn_id.clone(),
                completed_at_ms: now_ms(),
            },
        ))
    }

    fn delta(&self, item_id: &str, delta: String) -> DeltaNotification {
        DeltaNotification {
            thread_id: self.thread_id.clone(),
            turn_id: self.turn_id.clone(),
            item_id: item_id.to_owned(),
            delta,
        }
    }

    fn turn(&self, status: TurnStatus, error: Option<TurnError>) -> TurnNotification {
        TurnNotification {
            thread_id: self.thread_id.clone(),
            turn: Turn {
                id: self.turn_id.clone(),
                items: Vec::new(),
                status,
                error,
            },
        }
    }

    /// Translates one event.
    pub(crate) fn translate(&mut self, msg: EventMsg) -> Vec<Out> {
        let mut out = Vec::new();
        match msg {
            EventMsg::TaskStarted(_) => {
                self.turn_id = self.shared.begin_turn();
                self.error = None;
                out.push(Out::Notify(ServerNotification::TurnStarted(
                    self.turn(TurnStatus::InProgress, None),
                )));
            }
            EventMsg::UserMessage(e) => {
                let mut content = vec![UserInputV2::Text { text: e.message }];
                content.extend(
                    e.images
                        .unwrap_or_default()
                        .into_iter()
                        .map(|url| UserInputV2::Image { url }),
                );
                let item = ThreadItem::UserMessage {
                    id: new_id(),
                    content,
                };
                out.push(self.started(item.clone()));
                out.push(self.completed(item));
            }
            EventMsg::AgentMessageDelta(e) => {
                if self.agent.is_none() {
                    let id = new_id();
                    out.push(self.started(ThreadItem::AgentMessage {
                        id: id.clone(),
                        text: String::new(),
                    }));
                    self.agent = Some((id, String::new()));
                }
                if let Some((id, text)) = &mut self.agent {
                    text.push_str(&e.delta);
                    let id = id.clone();
                    out.push(Out::Notify(ServerNotification::AgentMessageDelta(
                        self.delta(&id, e.delta),
                    )));
                }
            }
            EventMsg::AgentMessage(e) => {
                let id = match self.agent.take() {
                    Some((id, _)) => id,
                    None => {
                        let id = new_id();
                        out.push(self.started(ThreadItem::AgentMessage {
                            id: id.clone(),
                            text: String::new(),
                        }));
                        id
                    }
                };
                out.push(self.completed(ThreadItem::AgentMessage {
                    id,
                    text: e.message,
                }));
            }
            EventMsg::AgentReasoningDelta(e) => {
                if self.reasoning.is_none() {
                    let id = new_id();
                    out.push(self.started(ThreadItem::Reasoning {
                        id: id.clone(),
                        summary: Vec::new(),
                        content: Vec::new(),
                    }));
                    self.reasoning = Some((id, String::new()));
                }
                if let Some((id, _)) = &self.reasoning {
                    let d = self.delta(id, e.delta);
                    out.push(Out::Notify(ServerNotification::ReasoningSummaryTextDelta(
                        SummaryDeltaNotification {
                            thread_id: d.thread_id,
                            turn_id: d.turn_id,
                            item_id: d.item_id,
                            delta: d.delta,
                            summary_index: 0,
                        },
                    )));
                }
            }
            EventMsg::AgentReasoning(e) => {
                let id = match self.reasoning.take() {
                    Some((id, _)) => id,
                    None => {
                        let id = new_id();
                        out.push(self.started(ThreadItem::Reasoning {
                            id: id.clone(),
                            summary: Vec::new(),
                            content: Vec::new(),
                        }));
                        id
                    }
                };
                out.push(self.completed(ThreadItem::Reasoning {
                    id,
                    summary: vec![e.text],
                    content: Vec::new(),
                }));
            }
            EventMsg::ExecCommandBegin(e) => out.push(self.started(ThreadItem::CommandExecution {
                id: e.call_id,
                command: join_command(&e.command),
                cwd: e.cwd,
                source: "agent".into(),
                status: ItemStatus::InProgress,
                command_actions: Vec::new(),
                aggregated_output: None,
                exit_code: None,
                duration_ms: None,
            })),
            EventMsg::ExecCommandOutputDelta(e) => {
                out.push(Out::Notify(
                    ServerNotification::CommandExecutionOutputDelta(
                        self.delta(&e.call_id, e.chunk),
                    ),
                ));
            }
            EventMsg::ExecCommandEnd(e) => out.push(self.completed(ThreadItem::CommandExecution {
                id: e.call_id,
                command: String::new(),
                cwd: Default::default(),
                source: "agent".into(),
                status: if e.exit_code == 0 {
                    ItemStatus::Completed
                } else {
                    ItemStatus::Failed
                },
                command_actions: Vec::new(),
                aggregated_output: Some(e.aggregated_output),
                exit_code: Some(e.exit_code),
                duration_ms: Some(e.duration_ms),
            })),
            EventMsg::PatchApplyBegin(e) => out.push(self.started(ThreadItem::FileChange {
                id: e.call_id,
                changes: changes(e.changes),
                status: ItemStatus::InProgress,
            })),
            EventMsg::PatchApplyEnd(e) => out.push(self.completed(ThreadItem::FileChange {
                id: e.call_id,
                changes: Vec::new(),
                status: if e.success {
                    ItemStatus::Completed
                } else {
                    ItemStatus::Failed
                },
            })),
            EventMsg::ToolCallBegin(e) if self.shared.dynamic_tools.contains(&e.tool) => {
                out.push(self.started(ThreadItem::DynamicToolCall {
                    id: e.call_id,
                    tool: e.tool,
                    arguments:
                        serde_json::from_str(&e.arguments).unwrap_or(Value::String(e.arguments)),
                    status: ItemStatus::InProgress,
                    success: None,
                    duration_ms: None,
                }));
            }
            EventMsg::ToolCallEnd(e) if self.shared.dynamic_tools.contains(&e.tool) => {
                out.push(self.completed(ThreadItem::DynamicToolCall {
                    id: e.call_id,
                    tool: e.tool,
                    arguments: Value::Null,
                    status: if e.success {
                        ItemStatus::Completed
                    } else {
                        ItemStatus::Failed
                    },
                    success: Some(e.success),
                    duration_ms: Some(e.duration_ms),
                }));
            }
            EventMsg::ContextCompactionEnd(_) => {
                let item = ThreadItem::ContextCompaction { id: new_id() };
                out.push(self.started(item.clone()));
                out.push(self.completed(item));
            }
            EventMsg::ExecApprovalRequest(e) => {
                out.push(Out::AskExec(CommandExecutionRequestApprovalParams {
                    thread_id: self.thread_id.clone(),
                    turn_id: self.turn_id.clone(),
                    item_id: e.call_id,
                    started_at_ms: now_ms(),
                    reason: e.reason,
                    command: Some(join_command(&e.command)),
                    cwd: Some(e.cwd),
                }));
            }
            EventMsg::ApplyPatchApprovalRequest(e) => {
                out.push(Out::AskPatch(FileChangeRequestApprovalParams {
                    thread_id: self.thread_id.clone(),
                    turn_id: self.turn_id.clone(),
                    item_id: e.call_id,
                    started_at_ms: now_ms(),
                    reason: e.reason,
                }));
            }
            EventMsg::TokenCount(e) => {
                if let Some(info) = e.info {
                    out.push(Out::Notify(ServerNotification::ThreadTokenUsageUpdated(
                        TokenUsageNotification {
                            thread_id: self.thread_id.clone(),
                            turn_id: self.turn_id.clone(),
                            token_usage: ThreadTokenUsage {
                                total: (&info.total_token_usage).into(),
                                last: (&info.last_token_usage).into(),
                                model_context_window: info.model_context_window,
                            },
                        },
                    )));
                }
            }
            EventMsg::StreamError(e) => {
                out.push(self.error_notification(e.message, None, e.retry.is_some()));
            }
            EventMsg::Error(e) => {
                let error = TurnError {
                    message: e.message.clone(),
                    codex_error_info: Some(error_info(e.code).to_owned()),
                };
                out.push(self.error_notification(e.message, Some(e.code), false));
                out.push(self.end(TurnStatus::Failed, Some(error)));
            }
            EventMsg::TaskComplete(_) => out.push(self.end(TurnStatus::Completed, None)),
            EventMsg::TurnAborted(_) => out.push(self.end(TurnStatus::Interrupted, None)),
            _ => {}
        }
        out
    }

    fn error_notification(&self, message: String, code: Option<ErrorCode>, retry: bool) -> Out {
        Out::Notify(ServerNotification::Error(ErrorNotification {
            error: TurnError {
                message,
                codex_error_info: Some(code.map_or("other", error_info).to_owned()),
            },
            will_retry: retry,
            thread_id: self.thread_id.clone(),
            turn_id: self.turn_id.clone(),
        }))
    }

    fn end(&mut self, status: TurnStatus, error: Option<TurnError>) -> Out {
        self.agent = None;
        self.reasoning = None;
        self.shared.end_turn();
        Out::Notify(ServerNotification::TurnCompleted(self.turn(status, error)))
    }
}

/// A command line from argv (quoted where needed, for display).
fn join_command(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn changes(
    changes: std::collections::BTreeMap<std::path::PathBuf, FileChange>,
) -> Vec<FileUpdateChange> {
    changes
        .into_iter()
        .map(|(path, change)| match change {
            FileChange::Add { content } => FileUpdateChange {
                path,
                kind: PatchChangeKind::Add,
                diff: content,
            },
            FileChange::Delete { content } => FileUpdateChange {
                path,
                kind: PatchChangeKind::Delete,
                diff: content,
            },
            FileChange::Update {
                unified_diff,
                move_path,
            } => FileUpdateChange {
                path,
                kind: PatchChangeKind::Update { move_path },
                diff: unified_diff,
            },
        })
        .collect()
}

/// Codex's name for an error kind.
fn error_info(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ContextWindowExceeded => "contextWindowExceeded",
        ErrorCode::UsageLimitReached => "usageLimitExceeded",
        ErrorCode::Unauthorized => "unauthorized",
        ErrorCode::RateLimited => "rateLimitExceeded",
        ErrorCode::InvalidInput => "badRequest",
        _ => "other",
    }
}
