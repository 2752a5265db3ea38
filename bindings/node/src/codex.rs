//! `NativeCodex`: the core's `CodexOptions` (JSON), the host's tools and the approval callback; starts,
//! resumes, forks, lists, finds and archives conversations.

use std::sync::Arc;

use codex_sdk::protocol::ConversationId;
use codex_sdk::rollout::Cursor;
use codex_sdk::{Codex, CodexBuilder, CodexOptions};
use napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;

use crate::approval::{JsApprovalFn, JsApprovalHandler};
use crate::conversation::NativeConversation;
use crate::error::{Result, core, invalid_input};
use crate::json::to_json;
use crate::replay::NativeReplayModel;
use crate::telemetry::JsTelemetryFn;
use crate::tools::{NativeToolDef, js_tool};

/// Configuration, model client, host tools and approval callback; starts conversations.
#[napi]
pub struct NativeCodex {
    inner: Codex,
}

#[napi]
impl NativeCodex {
    /// Builds the core `Codex` from `options` (the JSON of the core's `CodexOptions`), an optional
    /// scripted model (JSON), the host tools of every conversation, and the approval callback
    /// (`request JSON → decision`, sync or async) and the telemetry callback (`event JSON`, called on the
    /// JS thread, never from a turn).
    #[napi(
        constructor,
        ts_args_type = "options: string, scriptedModel: string | undefined | null, tools: Array<NativeToolDef>, onApproval?: ((request: string) => string | Promise<string>) | undefined | null, onTelemetry?: ((event: string) => void) | undefined | null, replayModel?: NativeReplayModel | undefined | null"
    )]
    pub fn new(
        options: String,
        scripted_model: Option<String>,
        tools: Vec<NativeToolDef>,
        on_approval: Option<JsApprovalFn>,
        on_telemetry: Option<JsTelemetryFn>,
        replay_model: Option<ClassInstance<'_, NativeReplayModel>>,
    ) -> Result<Self> {
        let options = core(CodexOptions::from_json(&options))?;
        let mut builder = core(CodexBuilder::from_options(options))?;
        if let Some(script) = scripted_model {
            let spec = core(codex_sdk::model::ScriptedModelSpec::from_json(&script))?;
            builder = builder.model_client(Arc::new(spec.build()));
        }
        if let Some(model) = replay_model {
            builder = builder.model_client(model.client());
        }
        for def in tools {
            builder = builder.tool(js_tool(def)?);
        }
        if let Some(callback) = on_approval {
            builder = builder.approval_handler(Arc::new(JsApprovalHandler::new(callback)));
        }
        if let Some(callback) = on_telemetry {
            builder = builder.telemetry(crate::telemetry::start(callback));
        }
        Ok(Self {
            inner: core(builder.build())?,
        })
    }

    /// Ends every conversation this Codex started and waits for them (a running turn ends with
    /// `TurnAborted`), exports the telemetry still queued (OTLP exporter) and waits until the telemetry
    /// callback has had every event recorded so far.
    #[napi]
    pub async fn shutdown(&self) -> Result<()> {
        core(self.inner.shutdown().await)
    }

    /// What telemetry delivery did so far, as JSON: `exported`, `dropped` and `failed` (the OTLP
    /// exporter's records) and `host_dropped` (events the callback fell too far behind for).
    #[napi]
    pub fn telemetry_stats(&self) -> Result<String> {
        to_json(&self.inner.telemetry_stats())
    }

    /// The model conversations use.
    #[napi(getter)]
    pub fn model(&self) -> String {
        self.inner.config().model.clone()
    }

    /// A model replaying the conversation `conversation_id` this Codex recorded.
    #[napi]
    pub async fn replay_model(&self, conversation_id: String) -> Result<NativeReplayModel> {
        let id = parse_id(&conversation_id)?;
        let model = core(codex_sdk::model::ReplayModel::from_conversation(&self.inner, id).await)?;
        Ok(NativeReplayModel::new(model))
    }

    /// Starts a conversation (recorded in a new rollout unless the Codex is ephemeral).
    #[napi]
    pub async fn start_conversation(&self) -> Result<NativeConversation> {
        let conversation = core(self.inner.start_conversation().await)?;
        NativeConversation::new(conversation, self.inner.clone())
    }

    /// Resumes the conversation recorded at `path`: same id, its history, new turns appended to the file.
    #[napi]
    pub async fn resume_conversation(&self, path: String) -> Result<NativeConversation> {
        let started = core(self.inner.resume_conversation(path).await)?;
        NativeConversation::new(started.conversation, self.inner.clone())
    }

    /// Forks the conversation recorded at `path` before its `nth_user_message`-th user message (0-based)
    /// into a new conversation with a new id and rollout.
    #[napi]
    pub async fn fork_conversation(
        &self,
        path: String,
        nth_user_message: u32,
    ) -> Result<NativeConversation> {
        let started = core(
            self.inner
                .fork_conversation(path, nth_user_message as usize)
                .await,
        )?;
        NativeConversation::new(started.conversation, self.inner.clone())
    }

    /// One page of recorded conversations, newest first, as JSON (`ConversationsPage`); `cursor` is the
    /// previous page's `next_cursor`.
    #[napi]
    pub async fn list_conversations(
        &self,
        page_size: u32,
        cursor: Option<String>,
    ) -> Result<String> {
        let cursor: Option<Cursor> = match cursor {
            Some(text) => Some(core(
                text.parse::<Cursor>().map_err(codex_sdk::Error::from),
            )?),
            None => None,
        };
        let page = core(
            self.inner
                .list_conversations(page_size as usize, cursor.as_ref())
                .await,
        )?;
        to_json(&page)
    }

    /// The rollout path of a recorded (not archived) conversation, by id; `null` when there is none.
    #[napi]
    pub async fn find_conversation_path(&self, conversation_id: String) -> Result<Option<String>> {
        let id = parse_id(&conversation_id)?;
        let path = core(self.inner.find_conversation_path(id).await)?;
        Ok(path.map(|p| p.display().to_string()))
    }

    /// Archives a conversation (shutting it down if it runs); resolves to the archived file's path.
    #[napi]
    pub async fn archive_conversation(
        &self,
        conversation_id: String,
        path: String,
    ) -> Result<String> {
        let id = parse_id(&conversation_id)?;
        let archived = core(self.inner.archive_conversation(id, path).await)?;
        Ok(archived.display().to_string())
    }

    /// Moves an archived conversation back; resolves to its new path.
    #[napi]
    pub async fn unarchive_conversation(
        &self,
        conversation_id: String,
        path: String,
    ) -> Result<String> {
        let id = parse_id(&conversation_id)?;
        let restored = core(self.inner.unarchive_conversation(id, path).await)?;
        Ok(restored.display().to_string())
    }
}

fn parse_id(id: &str) -> Result<ConversationId> {
    id.parse()
        .map_err(|e: codex_sdk::protocol::InvalidIdError| invalid_input(e.to_string()))
}
