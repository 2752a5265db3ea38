//! `exec --experimental-json`: Codex's exec JSONL, the stream the official SDKs (`@openai/codex-sdk` and the
//! Python wrappers of `codex exec`) read: `thread.started`, `turn.started`, `item.started` /
//! `item.updated` / `item.completed` with typed items, `turn.completed` with usage, `turn.failed`, `error`.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use codex_sdk::config::Config;
use codex_sdk::model::ApiKey;
use codex_sdk::protocol::{
    ConversationId, EventMsg, Op, SandboxPolicy, StepStatus, TokenUsage, UserInput,
};
use codex_sdk::{Error, Result};
use serde_json::{Value, json};

/// The largest `--output-schema` file read.
const MAX_SCHEMA_BYTES: u64 = 1024 * 1024;

/// Removes a `key=string` override and returns its value (for keys the command handles itself).
pub(crate) fn take_string_override(
    overrides: &mut Vec<(String, toml::Value)>,
    key: &str,
) -> Option<String> {
    let mut found = None;
    overrides.retain(|(k, v)| {
        if k == key {
            found = v.as_str().map(str::to_owned);
            false
        } else {
            true
        }
    });
    found
}

/// What the official SDKs pass besides config keys: the API key in `CODEX_API_KEY`, `openai_base_url`,
/// `--add-dir` (more writable roots under workspace-write).
pub(crate) fn apply_compat(
    config: &mut Config,
    base_url: Option<String>,
    add_dirs: &[PathBuf],
) -> Result<()> {
    if let Some(url) = base_url
        && config.model_provider_id == "openai"
    {
        config.model_provider.base_url = url.trim_end_matches('/').to_owned();
    }
    if let Ok(key) = std::env::var("CODEX_API_KEY")
        && !key.trim().is_empty()
    {
        config.api_key = Some(ApiKey::new(key.trim()));
    }
    if let SandboxPolicy::WorkspaceWrite { writable_roots, .. } = &mut config.sandbox_policy {
        for dir in add_dirs {
            writable_roots.push(std::fs::canonicalize(dir)?);
        }
    }
    Ok(())
}

/// The whole of stdin when it is not a terminal (`None` when it is, or when it is empty).
pub(crate) fn prompt_from_stdin() -> Result<Option<String>> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin.read_to_string(&mut text)?;
    let text = text.trim().to_owned();
    Ok((!text.is_empty()).then_some(text))
}

/// A turn with images and/or a structured-output schema.
pub(crate) fn turn_op(
    config: &Config,
    prompt: String,
    images: &[PathBuf],
    schema: Option<&Path>,
) -> Result<Op> {
    let mut items = vec![UserInput::text(prompt)];
    items.extend(
        images
            .iter()
            .map(|path| UserInput::LocalImage { path: path.clone() }),
    );
    let output_schema = match schema {
        None => None,
        Some(path) => {
            let file = std::fs::File::open(path)?;
            let mut text = String::new();
            file.take(MAX_SCHEMA_BYTES).read_to_string(&mut text)?;
            Some(serde_json::from_str::<Value>(&text).map_err(|e| {
                Error::InvalidInput(format!("--output-schema {}: not JSON: {e}", path.display()))
            })?)
        }
    };
    Ok(Op::UserTurn {
        items,
        cwd: config.cwd.clone(),
        model: config.model.clone(),
        effort: config.model_reasoning_effort,
        summary: config.model_reasoning_summary,
        output_schema,
        approval_policy: None,
        sandbox_policy: None,
    })
}

/// Turns events into exec JSONL lines, numbering items `item_0`, `item_1`… as Codex does.
#[derive(Debug, Default)]
pub(crate) struct JsonlEvents {
    next_item: usize,
    /// The answer being streamed: its item id and text so far.
    agent: Option<(String, String)>,
    /// Commands and patches running, by call id: their item ids.
    running: HashMap<String, (String, Value)>,
    /// The plan's item id and latest steps, once there is one.
    todo: Option<(String, Vec<Value>)>,
    usage: TokenUsage,
}

/// The first line: which thread this is (so the SDK can resume it).
pub(crate) fn thread_started(id: ConversationId) -> Value {
    json!({"type": "thread.started", "thread_id": id.to_string()})
}

impl JsonlEvents {
    fn item_id(&mut self) -> String {
        let id = format!("item_{}", self.next_item);
        self.next_item += 1;
        id
    }

    /// The lines for one event (often none).
    pub(crate) fn lines(&mut self, msg: &EventMsg) -> Vec<Value> {
        let mut out = Vec::new();
        match msg {
            EventMsg::TaskStarted(_) => out.push(json!({"type": "turn.started"})),
            EventMsg::AgentMessageDelta(e) => {
                if self.agent.is_none() {
                    let id = self.item_id();
                    self.agent = Some((id, String::new()));
                }
                if let Some((_, text)) = &mut self.agent {
                    text.push_str(&e.delta);
                }
            }
            EventMsg::AgentMessage(e) => {
                let id = match self.agent.take() {
                    Some((id, _)) => id,
                    None => self.item_id(),
                };
                out.push(completed(
                    json!({"id": id, "type": "agent_message", "text": e.message}),
                ));
            }
            EventMsg::AgentReasoning(e) => {
                let id = self.item_id();
                out.push(completed(
                    json!({"id": id, "type": "reasoning", "text": e.text}),
                ));
            }
            EventMsg::ExecCommandBegin(e) => {
                let id = self.item_id();
                let item = json!({
                    "id": id, "type": "command_execution", "command": e.command.join(" "),
                    "aggregated_output": "", "status": "in_progress",
                });
                out.push(json!({"type": "item.started", "item": item}));
                self.running.insert(e.call_id.clone(), (id, item));
            }
            EventMsg::ExecCommandEnd(e) => {
                if let Some((_, mut item)) = self.running.remove(&e.call_id) {
                    item["aggregated_output"] = json!(e.aggregated_output);
                    item["exit_code"] = json!(e.exit_code);
                    item["status"] = json!(if e.exit_code == 0 {
                        "completed"
                    } else {
                        "failed"
                    });
                    out.push(completed(item));
                }
            }
            EventMsg::PatchApplyBegin(e) => {
                let id = self.item_id();
                let changes: Vec<Value> = e
                    .changes
                    .iter()
                    .map(|(path, change)| {
                        let kind = serde_json::to_value(change)
                            .ok()
                            .and_then(|v| v["type"].as_str().map(str::to_owned))
                            .unwrap_or_else(|| "update".to_owned());
                        json!({"path": path, "kind": kind})
                    })
                    .collect();
                let item = json!({"id": id, "type": "file_change", "changes": changes, "status": "completed"});
                self.running.insert(e.call_id.clone(), (id, item));
            }
            EventMsg::PatchApplyEnd(e) => {
                if let Some((_, mut item)) = self.running.remove(&e.call_id) {
                    item["status"] = json!(if e.success { "completed" } else { "failed" });
                    out.push(completed(item));
                }
            }
            EventMsg::PlanUpdate(e) => {
                let items: Vec<Value> = e
                    .plan
                    .iter()
                    .map(
                        |p| json!({"text": p.step, "completed": p.status == StepStatus::Completed}),
                    )
                    .collect();
                let (kind, id) = match &self.todo {
                    Some((id, _)) => ("item.updated", id.clone()),
                    None => ("item.started", self.item_id()),
                };
                self.todo = Some((id.clone(), items.clone()));
                out.push(
                    json!({"type": kind, "item": {"id": id, "type": "todo_list", "items": items}}),
                );
            }
            EventMsg::Warning(e) => {
                let id = self.item_id();
                out.push(completed(
                    json!({"id": id, "type": "error", "message": e.message}),
                ));
            }
            EventMsg::StreamError(e) => out.push(json!({"type": "error", "message": e.message})),
            EventMsg::TokenCount(e) => {
                if let Some(info) = &e.info {
                    self.usage = info.total_token_usage;
                }
            }
            EventMsg::TaskComplete(_) => {
                out.extend(self.finish_plan());
                let u = &self.usage;
                out.push(json!({"type": "turn.completed", "usage": {
                    "input_tokens": u.input_tokens,
                    "cached_input_tokens": u.cached_input_tokens,
                    "cache_write_input_tokens": 0,
                    "output_tokens": u.output_tokens,
                    "reasoning_output_tokens": u.reasoning_output_tokens,
                }}));
            }
            EventMsg::Error(e) => {
                out.push(json!({"type": "error", "message": e.message}));
                out.push(json!({"type": "turn.failed", "error": {"message": e.message}}));
            }
            EventMsg::TurnAborted(e) => {
                let message = format!("turn aborted: {:?}", e.reason).to_lowercase();
                out.push(json!({"type": "turn.failed", "error": {"message": message}}));
            }
            _ => {}
        }
        out
    }

    /// The plan's last state, completed with the turn.
    fn finish_plan(&mut self) -> Option<Value> {
        let (id, items) = self.todo.take()?;
        Some(
            json!({"type": "item.completed", "item": {"id": id, "type": "todo_list", "items": items}}),
        )
    }
}

fn completed(item: Value) -> Value {
    json!({"type": "item.completed", "item": item})
}
