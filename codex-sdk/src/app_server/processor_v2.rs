//! The v2 (thread/turn) methods, on the same connection state as v1: each maps to `Codex` and
//! conversation calls; a thread started or resumed here is listened to at once, in v2's shapes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::jsonrpc::{ErrorObject, INVALID_PARAMS};
use super::listener::ServedConversation;
use super::processor::{Processor, Reply, lock};
use super::v1::NewConversationParams;
use super::v2::threads::{
    in_progress, model_list, parse_thread, start_response, thread_of, turns_of, unix_seconds,
};
use super::v2::{self, ThreadShared, client_methods as m};
use crate::config::Config;
use crate::conversation::NewConversation;
use crate::protocol::{ConversationId, EventMsg, Op, ReviewRequest, UserInput};
use crate::rollout::{Cursor, RolloutContents};
use crate::tools::{FunctionTool, ToolError};

impl Processor {
    /// Handles a v2 request (the connection is initialized).
    pub(crate) async fn handle_v2(self: Arc<Self>, request: v2::ClientRequest) {
        let out = Arc::clone(&self.outgoing);
        match request {
            v2::ClientRequest::ThreadStart { request_id, params } => {
                let r = self.thread_start(params).await;
                out.respond::<m::ThreadStart>(request_id, r).await;
            }
            v2::ClientRequest::ThreadResume { request_id, params } => {
                let r = self.thread_resume(params, false).await;
                out.respond::<m::ThreadResume>(request_id, r).await;
            }
            v2::ClientRequest::ThreadFork { request_id, params } => {
                let r = self.thread_resume(params, true).await;
                out.respond::<m::ThreadFork>(request_id, r).await;
            }
            v2::ClientRequest::ThreadList { request_id, params } => {
                let r = self.thread_list(params).await;
                out.respond::<m::ThreadList>(request_id, r).await;
            }
            v2::ClientRequest::ThreadRead { request_id, params } => {
                let r = self
                    .thread_read(&params.thread_id, params.include_turns)
                    .await;
                out.respond::<m::ThreadRead>(request_id, r).await;
            }
            v2::ClientRequest::ThreadArchive { request_id, params } => {
                let r = self.thread_archive(&params.thread_id).await;
                out.respond::<m::ThreadArchive>(request_id, r).await;
            }
            v2::ClientRequest::ThreadUnarchive { request_id, params } => {
                let r = self.thread_unarchive(&params.thread_id).await;
                out.respond::<m::ThreadUnarchive>(request_id, r).await;
            }
            v2::ClientRequest::ThreadCompactStart { request_id, params } => {
                let r = self.submit_v2(&params.thread_id, Op::Compact).await;
                out.respond::<m::ThreadCompactStart>(request_id, r.map(|_| v2::EmptyResponse {}))
                    .await;
            }
            v2::ClientRequest::TurnStart { request_id, params } => {
                let r = self.turn_start(params).await;
                out.respond::<m::TurnStart>(request_id, r).await;
            }
            v2::ClientRequest::TurnInterrupt { request_id, params } => {
                let r = match parse_thread(&params.thread_id) {
                    Ok(id) => self
                        .interrupt_conversation(id)
                        .await
                        .map(|_| v2::EmptyResponse {}),
                    Err(e) => Err(e),
                };
                out.respond::<m::TurnInterrupt>(request_id, r).await;
            }
            v2::ClientRequest::ReviewStart { request_id, params } => {
                let r = self.review_start(params).await;
                out.respond::<m::ReviewStart>(request_id, r).await;
            }
            v2::ClientRequest::ModelList {
                request_id,
                params: _,
            } => {
                let r = self.codex().map(|codex| model_list(codex.config()));
                out.respond::<m::ModelList>(request_id, r).await;
            }
        }
    }

    async fn thread_start(&self, p: v2::ThreadStartParams) -> Reply<v2::ThreadStartResponse> {
        let config = self.v2_config(p.settings)?;
        let started = self.codex()?.new_conversation_with(config.clone()).await?;
        let tools = p.dynamic_tools.unwrap_or_default();
        let names: HashSet<String> = tools
            .iter()
            .map(|t| match t {
                v2::DynamicToolSpec::Function { name, .. } => name.clone(),
            })
            .collect();
        let shared = ThreadShared::new(names);
        let thread_id = started.conversation_id.to_string();
        for spec in tools {
            let tool = self.client_tool(spec, &thread_id, &shared);
            started.conversation.tools().register(tool)?;
        }
        let thread = thread_of(&config, &started, Vec::new());
        let response = start_response(&config, thread.clone());
        shared.set_started(response.clone());
        self.serve_v2(started, shared, &thread).await;
        Ok(response)
    }

    /// A tool the client runs: each call is an `item/tool/call` request.
    fn client_tool(
        &self,
        spec: v2::DynamicToolSpec,
        thread_id: &str,
        shared: &Arc<ThreadShared>,
    ) -> FunctionTool {
        let v2::DynamicToolSpec::Function {
            name,
            description,
            input_schema,
        } = spec;
        let outgoing = Arc::clone(&self.outgoing);
        let thread_id = thread_id.to_owned();
        let shared = Arc::clone(shared);
        let tool = name.clone();
        FunctionTool::new(name, description, input_schema, move |arguments, ctx| {
            let outgoing = Arc::clone(&outgoing);
            let params = v2::DynamicToolCallParams {
                thread_id: thread_id.clone(),
                turn_id: shared.current_turn().unwrap_or_default(),
                call_id: ctx.call_id().unwrap_or_default().to_owned(),
                tool: tool.clone(),
                arguments,
            };
            async move {
                let answer = outgoing
                    .request::<v2::server_methods::DynamicToolCall>(&params)
                    .await
                    .map_err(|e| {
                        ToolError::RespondToModel(format!(
                            "the client could not run `{}`: {}",
                            params.tool, e.message
                        ))
                    })?;
                let text: Vec<String> = answer
                    .content_items
                    .into_iter()
                    .map(|item| match item {
                        v2::DynamicToolCallOutputContentItem::InputText { text } => text,
                        v2::DynamicToolCallOutputContentItem::InputImage { image_url } => {
                            format!("[image: {image_url}]")
                        }
                    })
                    .collect();
                let text = text.join("\n");
                if answer.success {
                    Ok(text)
                } else {
                    Err(ToolError::RespondToModel(text))
                }
            }
        })
    }

    /// Serves a thread in v2's shapes: listened to at once, announced with `thread/started`.
    async fn serve_v2(
        &self,
        started: NewConversation,
        shared: Arc<ThreadShared>,
        thread: &v2::Thread,
    ) {
        let (handle, events) = started.conversation.into_parts();
        let served = ServedConversation::new(handle, events, Some(shared));
        let id = served.id();
        lock(&self.conversations).insert(id, Arc::clone(&served));
        served.subscribe(format!("thread:{id}"), &self.outgoing);
        let notification = v2::ServerNotification::ThreadStarted(v2::ThreadNotification {
            thread: thread.clone(),
        });
        self.outgoing.notify(&notification).await;
    }

    fn v2_config(&self, s: v2::ThreadSettings) -> Reply<Config> {
        let mut config = s.config.unwrap_or_default();
        if let Some(provider) = s.model_provider {
            config.insert("model_provider".into(), Value::String(provider));
        }
        let mut config = self.conversation_config(Some(NewConversationParams {
            model: s.model,
            cwd: s.cwd,
            approval_policy: s.approval_policy,
            sandbox: s.sandbox,
            config: Some(config),
            base_instructions: s.base_instructions,
        }))?;
        if let Some(extra) = s.developer_instructions {
            config.user_instructions = Some(match config.user_instructions.take() {
                Some(existing) => format!("{existing}\n\n{extra}"),
                None => extra,
            });
        }
        Ok(config)
    }

    async fn thread_resume(
        &self,
        p: v2::ThreadResumeParams,
        fork: bool,
    ) -> Reply<v2::ThreadResumeResponse> {
        let id = parse_thread(&p.thread_id)?;
        // A thread running on this connection: rejoin it.
        if !fork {
            let live = lock(&self.conversations).get(&id).cloned();
            if let Some(mut response) = live.and_then(|c| c.v2.as_ref().and_then(|s| s.started())) {
                response.thread.status = self.status_of(id);
                return Ok(response);
            }
        }
        let path = match p.path.filter(|p| !p.as_os_str().is_empty()) {
            Some(path) => path,
            None => self.rollout_of(id).await?,
        };
        let config = self.v2_config(p.settings)?;
        let codex = self.codex()?;
        let started = if fork {
            codex
                .fork_conversation_with(&path, usize::MAX, config.clone())
                .await?
        } else {
            codex
                .resume_conversation_with(&path, config.clone())
                .await?
        };
        let turns = started
            .session_configured
            .initial_messages
            .as_deref()
            .map(turns_of)
            .unwrap_or_default();
        let thread = thread_of(&config, &started, turns);
        let response = start_response(&config, thread.clone());
        let shared = ThreadShared::new(HashSet::new());
        shared.set_started(response.clone());
        self.serve_v2(started, shared, &thread).await;
        Ok(response)
    }

    async fn rollout_of(&self, id: ConversationId) -> Reply<PathBuf> {
        self.codex()?
            .find_conversation_path(id)
            .await?
            .ok_or_else(|| ErrorObject::invalid_params(format!("no recorded thread {id}")))
    }

    async fn thread_list(&self, p: v2::ThreadListParams) -> Reply<v2::ThreadListResponse> {
        let cursor = p
            .cursor
            .as_deref()
            .map(str::parse::<Cursor>)
            .transpose()
            .map_err(crate::Error::from)?;
        let limit = p.limit.map_or(25, |l| l as usize).clamp(1, 100);
        let codex = self.codex()?;
        let page = codex.list_conversations(limit, cursor.as_ref()).await?;
        let data = page
            .items
            .into_iter()
            .map(|s| {
                let created = unix_seconds(&s.created_at);
                v2::Thread {
                    id: s.conversation_id.to_string(),
                    session_id: s.conversation_id.to_string(),
                    preview: s.preview,
                    ephemeral: false,
                    project_id: None,
                    model_provider: s
                        .model_provider
                        .unwrap_or_else(|| codex.config().model_provider_id.clone()),
                    model: s.model,
                    reasoning_effort: None,
                    created_at: created,
                    updated_at: s.updated_at.as_deref().map_or(created, unix_seconds),
                    status: self.status_of(s.conversation_id),
                    path: Some(s.path),
                    cwd: s.cwd,
                    cli_version: env!("CARGO_PKG_VERSION").to_owned(),
                    source: "appServer".to_owned(),
                    turns: Vec::new(),
                }
            })
            .collect();
        Ok(v2::ThreadListResponse {
            data,
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        })
    }

    fn status_of(&self, id: ConversationId) -> v2::ThreadStatus {
        match lock(&self.conversations).get(&id) {
            Some(conv) if conv.is_turn_active() => v2::ThreadStatus::Active {
                active_flags: Vec::new(),
            },
            Some(_) => v2::ThreadStatus::Idle,
            None => v2::ThreadStatus::NotLoaded,
        }
    }

    async fn thread_read(
        &self,
        thread_id: &str,
        include_turns: bool,
    ) -> Reply<v2::ThreadReadResponse> {
        let id = parse_thread(thread_id)?;
        let path = self.rollout_of(id).await?;
        Ok(v2::ThreadReadResponse {
            thread: self.thread_from_file(id, &path, include_turns).await?,
        })
    }

    async fn thread_from_file(
        &self,
        id: ConversationId,
        path: &Path,
        include_turns: bool,
    ) -> Reply<v2::Thread> {
        let codex = self.codex()?;
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| ErrorObject::from(crate::Error::Io(e)))?;
        let contents = RolloutContents::parse(&bytes);
        let meta = contents.meta.clone().ok_or_else(|| {
            ErrorObject::invalid_params(format!("{} is not a rollout", path.display()))
        })?;
        let (_, messages) = contents.into_history_and_messages();
        let preview = messages
            .iter()
            .find_map(|m| match m {
                EventMsg::UserMessage(u) => Some(u.message.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let created = unix_seconds(&meta.timestamp);
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(created, |d| i64::try_from(d.as_secs()).unwrap_or(created));
        Ok(v2::Thread {
            id: id.to_string(),
            session_id: id.to_string(),
            preview,
            ephemeral: false,
            project_id: None,
            model_provider: meta
                .model_provider
                .unwrap_or_else(|| codex.config().model_provider_id.clone()),
            model: None,
            reasoning_effort: None,
            created_at: created,
            updated_at: modified,
            status: self.status_of(id),
            path: Some(path.to_owned()),
            cwd: meta.cwd,
            cli_version: meta.cli_version,
            source: "appServer".to_owned(),
            turns: if include_turns {
                turns_of(&messages)
            } else {
                Vec::new()
            },
        })
    }

    async fn thread_archive(&self, thread_id: &str) -> Reply<v2::EmptyResponse> {
        let id = parse_thread(thread_id)?;
        let path = self.rollout_of(id).await?;
        self.archive(super::v1::ArchiveConversationParams {
            conversation_id: id,
            rollout_path: path,
        })
        .await?;
        Ok(v2::EmptyResponse {})
    }

    async fn thread_unarchive(&self, thread_id: &str) -> Reply<v2::ThreadUnarchiveResponse> {
        let id = parse_thread(thread_id)?;
        let codex = self.codex()?;
        let dir = codex.config().codex_home.join("archived_sessions");
        let suffix = format!("{id}.jsonl");
        let mut found = None;
        if let Ok(mut entries) = tokio::fs::read_dir(&dir).await {
            while let Ok(Some(entry)) = entries.next_entry().await {
                if entry.file_name().to_string_lossy().ends_with(&suffix) {
                    found = Some(entry.path());
                    break;
                }
            }
        }
        let archived =
            found.ok_or_else(|| ErrorObject::invalid_params(format!("no archived thread {id}")))?;
        let path = codex.unarchive_conversation(id, &archived).await?;
        Ok(v2::ThreadReadResponse {
            thread: self.thread_from_file(id, &path, false).await?,
        })
    }

    fn served_v2(&self, thread_id: &str) -> Reply<(Arc<ServedConversation>, Arc<ThreadShared>)> {
        let conv = self.conversation(parse_thread(thread_id)?)?;
        let shared = conv.v2.clone().ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "thread {thread_id} was not started with thread/start"
            ))
        })?;
        Ok((conv, shared))
    }

    async fn submit_v2(&self, thread_id: &str, op: Op) -> Reply<Arc<ServedConversation>> {
        let (conv, _) = self.served_v2(thread_id)?;
        conv.handle.submit(op).await?;
        Ok(conv)
    }

    async fn turn_start(&self, p: v2::TurnStartParams) -> Reply<v2::TurnStartResponse> {
        let (conv, shared) = self.served_v2(&p.thread_id)?;
        let items: Vec<UserInput> = p.input.into_iter().map(Into::into).collect();
        let overrides = p.cwd.is_some()
            || p.approval_policy.is_some()
            || p.sandbox_policy.is_some()
            || p.model.is_some()
            || p.effort.is_some()
            || p.summary.is_some();
        if overrides {
            conv.handle
                .submit(Op::OverrideTurnContext {
                    cwd: p.cwd,
                    model: p.model,
                    effort: p.effort.map(Some),
                    summary: p.summary,
                    approval_policy: p.approval_policy,
                    sandbox_policy: p.sandbox_policy.map(Into::into),
                })
                .await?;
        }
        let (turn_id, _) = shared.turn_for_input();
        conv.mark_turn_submitted();
        let op = match p.output_schema {
            Some(schema) => {
                let codex = self.codex()?;
                let base = codex.config();
                Op::UserTurn {
                    items,
                    cwd: base.cwd.clone(),
                    model: base.model.clone(),
                    effort: base.model_reasoning_effort,
                    summary: base.model_reasoning_summary,
                    output_schema: Some(schema),
                    approval_policy: None,
                    sandbox_policy: None,
                }
            }
            None => Op::UserInput { items },
        };
        conv.handle.submit(op).await?;
        Ok(v2::TurnStartResponse {
            turn: in_progress(turn_id),
        })
    }

    async fn review_start(&self, p: v2::ReviewStartParams) -> Reply<v2::ReviewStartResponse> {
        let (conv, shared) = self.served_v2(&p.thread_id)?;
        let (prompt, hint) = match p.target {
            v2::ReviewTarget::UncommittedChanges => (
                "Review the current code changes (staged, unstaged and untracked files)."
                    .to_owned(),
                "current changes".to_owned(),
            ),
            v2::ReviewTarget::BaseBranch { branch } => (
                format!("Review the code changes against the base branch '{branch}'."),
                format!("changes against {branch}"),
            ),
            v2::ReviewTarget::Commit { sha, title } => (
                format!("Review the code changes introduced by commit {sha}."),
                title.unwrap_or_else(|| format!("commit {sha}")),
            ),
            v2::ReviewTarget::Custom { instructions } => {
                let hint = instructions.chars().take(60).collect();
                (instructions, hint)
            }
        };
        if prompt.trim().is_empty() {
            return Err(ErrorObject::new(
                INVALID_PARAMS,
                "the review instructions are empty",
            ));
        }
        let (turn_id, _) = shared.turn_for_input();
        conv.mark_turn_submitted();
        conv.handle
            .submit(Op::Review {
                review_request: ReviewRequest {
                    prompt,
                    user_facing_hint: hint,
                },
            })
            .await?;
        Ok(v2::ReviewStartResponse {
            review_thread_id: p.thread_id,
            turn: in_progress(turn_id),
        })
    }
}
