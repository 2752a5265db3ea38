//! Building v2 values from the SDK's: threads from started conversations and rollouts, turns from
//! recorded events, the model list. Plain data, no I/O.

use crate::app_server::jsonrpc::ErrorObject;
use crate::app_server::processor::{Reply, wire_string};
use crate::config::Config;
use crate::conversation::NewConversation;
use crate::protocol::{AskForApproval, ConversationId, EventMsg, ReasoningEffort};

use super::*;

pub(crate) fn in_progress(id: String) -> Turn {
    Turn {
        id,
        items: Vec::new(),
        status: TurnStatus::InProgress,
        error: None,
    }
}

pub(crate) fn parse_thread(id: &str) -> Reply<ConversationId> {
    id.parse()
        .map_err(|e| ErrorObject::invalid_params(format!("threadId: {e}")))
}

pub(crate) fn unix_seconds(timestamp: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(timestamp)
        .map(|t| t.timestamp())
        .unwrap_or_default()
}

pub(crate) fn thread_of(config: &Config, started: &NewConversation, turns: Vec<Turn>) -> Thread {
    let now = chrono::Utc::now().timestamp();
    let id = started.conversation_id.to_string();
    let preview = turns
        .iter()
        .flat_map(|t| &t.items)
        .find_map(|i| match i {
            ThreadItem::UserMessage { content, .. } => content.iter().find_map(|c| match c {
                UserInputV2::Text { text } => Some(text.clone()),
                _ => None,
            }),
            _ => None,
        })
        .unwrap_or_default();
    Thread {
        session_id: id.clone(),
        id,
        preview,
        ephemeral: false,
        project_id: None,
        model_provider: config.model_provider_id.clone(),
        model: Some(started.session_configured.model.clone()),
        reasoning_effort: started.session_configured.reasoning_effort,
        created_at: now,
        updated_at: now,
        status: ThreadStatus::Idle,
        path: started.rollout_path.clone(),
        cwd: config.cwd.clone(),
        cli_version: env!("CARGO_PKG_VERSION").to_owned(),
        source: "appServer".to_owned(),
        turns,
    }
}

pub(crate) fn start_response(config: &Config, thread: Thread) -> ThreadStartResponse {
    // v2 knows no `on-failure`: the closest is asking on request.
    let policy = match config.approval_policy {
        AskForApproval::OnFailure => AskForApproval::OnRequest,
        other => other,
    };
    ThreadStartResponse {
        model: thread.model.clone().unwrap_or_else(|| config.model.clone()),
        model_provider: config.model_provider_id.clone(),
        cwd: config.cwd.clone(),
        approval_policy: match wire_string(&policy) {
            Ok(toml::Value::String(s)) => s,
            _ => "on-request".to_owned(),
        },
        approvals_reviewer: "user".to_owned(),
        sandbox: (&config.sandbox_policy).into(),
        reasoning_effort: thread.reasoning_effort,
        thread,
    }
}

/// Turns rebuilt from recorded events: each user message starts one.
pub(crate) fn turns_of(messages: &[EventMsg]) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for (n, msg) in messages.iter().enumerate() {
        let item = match msg {
            EventMsg::UserMessage(u) => {
                turns.push(Turn {
                    id: format!("turn-{}", turns.len() + 1),
                    items: Vec::new(),
                    status: TurnStatus::Completed,
                    error: None,
                });
                ThreadItem::UserMessage {
                    id: format!("item-{n}"),
                    content: vec![UserInputV2::Text {
                        text: u.message.clone(),
                    }],
                }
            }
            EventMsg::AgentMessage(a) => ThreadItem::AgentMessage {
                id: format!("item-{n}"),
                text: a.message.clone(),
            },
            EventMsg::AgentReasoning(r) => ThreadItem::Reasoning {
                id: format!("item-{n}"),
                summary: vec![r.text.clone()],
                content: Vec::new(),
            },
            EventMsg::TurnAborted(_) => {
                if let Some(turn) = turns.last_mut() {
                    turn.status = TurnStatus::Interrupted;
                }
                continue;
            }
            _ => continue,
        };
        if let Some(turn) = turns.last_mut() {
            turn.items.push(item);
        }
    }
    turns
}

/// The models this SDK knows (reasoning ones), the configured one first.
pub(crate) fn model_list(config: &Config) -> ModelListResponse {
    let mut names = vec![config.model.clone()];
    for known in ["gpt-5-codex", "gpt-5", "o3", "o4-mini"] {
        if !names.iter().any(|n| n == known) {
            names.push(known.to_owned());
        }
    }
    let efforts = [
        (ReasoningEffort::Low, "Fast answers, light reasoning"),
        (ReasoningEffort::Medium, "Balanced speed and depth"),
        (ReasoningEffort::High, "Deep reasoning for hard problems"),
    ];
    let data = names
        .into_iter()
        .map(|name| Model {
            id: name.clone(),
            display_name: name.clone(),
            description: format!(
                "{name} (context window: {:?} tokens)",
                crate::config::model_info(&name).context_window
            ),
            hidden: false,
            is_default: name == config.model,
            default_reasoning_effort: config
                .model_reasoning_effort
                .unwrap_or(ReasoningEffort::Medium),
            supported_reasoning_efforts: efforts
                .iter()
                .map(|(effort, text)| ReasoningEffortOption {
                    reasoning_effort: *effort,
                    description: (*text).to_owned(),
                })
                .collect(),
            model: name,
        })
        .collect();
    ModelListResponse {
        data,
        next_cursor: None,
    }
}
