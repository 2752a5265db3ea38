//! `Codex`: the core's `CodexOptions` (a Codable struct generated from the protocol schema, carried as
//! JSON), the host's tools and approval handler; starts, resumes, forks, lists, finds and archives
//! conversations.

use std::path::PathBuf;
use std::sync::Arc;

use codex_sdk::CodexBuilder;
use codex_sdk::protocol::{ConversationId, Cursor};

use crate::approval::{ApprovalHandler, HostApprovals};
use crate::conversation::Conversation;
use crate::error::CodexError;
use crate::json::{CodexOptions, ConversationsPage};
use crate::model::{ReplayModel, ScriptedModel};
use crate::runtime;
use crate::telemetry::{TelemetryListener, TelemetryStats};
use crate::tools::{CodexTool, function_tool};

/// Holds the configuration, the model client and the host's tools; starts conversations.
#[derive(Debug, uniffi::Object)]
pub struct Codex {
    inner: codex_sdk::Codex,
}

#[uniffi::export]
impl Codex {
    /// A `Codex` with `options`, the host's `tools` (in every conversation), an optional approval handler
    /// (otherwise approval requests are denied on timeout unless answered with an op) and an optional
    /// scripted model (otherwise the provider's API is used), an optional telemetry listener (every
    /// telemetry event, in order, never on a turn's own path), and an optional replay model (a recorded
    /// conversation served offline).
    ///
    /// Fails with `invalidInput` for a bad setting (naming it) or tool, `config` for a bad `config.toml`.
    #[uniffi::constructor(default(
        tools = [],
        approval_handler = None,
        model_client = None,
        telemetry_listener = None,
        replay_model = None
    ))]
    pub fn new(
        options: CodexOptions,
        tools: Vec<Arc<dyn CodexTool>>,
        approval_handler: Option<Arc<dyn ApprovalHandler>>,
        model_client: Option<Arc<ScriptedModel>>,
        telemetry_listener: Option<Arc<dyn TelemetryListener>>,
        replay_model: Option<Arc<ReplayModel>>,
    ) -> Result<Arc<Self>, CodexError> {
        let mut b = CodexBuilder::from_options(options.decode()?)?;
        if let Some(model) = model_client {
            b = b.model_client(model.client());
        }
        if let Some(model) = replay_model {
            b = b.model_client(model.client());
        }
        for tool in tools {
            b = b.tool(function_tool(tool)?);
        }
        if let Some(handler) = approval_handler {
            b = b.approval_handler(Arc::new(HostApprovals(handler)));
        }
        if let Some(listener) = telemetry_listener {
            b = b.telemetry(crate::telemetry::start(listener)?);
        }
        Ok(Arc::new(Self { inner: b.build()? }))
    }

    /// Ends every conversation this Codex started and waits for them (a running turn ends with
    /// `turnAborted`), exports the telemetry still queued for an `[otel]` exporter and waits until the
    /// telemetry listener has had every event recorded so far. Until then a conversation outlives the
    /// `Codex` object that started it.
    pub async fn shutdown(&self) -> Result<(), CodexError> {
        let codex = self.inner.clone();
        runtime::run(async move { Ok(codex.shutdown().await?) }).await
    }

    /// What telemetry delivery did so far.
    pub fn telemetry_stats(&self) -> TelemetryStats {
        let stats = self.inner.telemetry_stats();
        TelemetryStats {
            exported: stats.exported,
            dropped: stats.dropped,
            failed: stats.failed,
            host_dropped: stats.host_dropped,
        }
    }

    /// The model conversations use.
    pub fn model(&self) -> String {
        self.inner.config().model.clone()
    }

    /// A model replaying the conversation `conversation_id` this Codex recorded. Fails with
    /// `invalidInput` when there is no such recording (or this Codex is ephemeral).
    pub async fn replay_model(
        &self,
        conversation_id: String,
    ) -> Result<Arc<ReplayModel>, CodexError> {
        let id = parse_id(&conversation_id)?;
        let codex = self.inner.clone();
        runtime::run(async move {
            let model = codex_sdk::model::ReplayModel::from_conversation(&codex, id).await?;
            Ok(ReplayModel::new(model))
        })
        .await
    }

    /// Starts a conversation (recorded under `codex_home` unless the options say `ephemeral`).
    pub async fn start_conversation(&self) -> Result<Arc<Conversation>, CodexError> {
        let codex = self.inner.clone();
        runtime::run(async move {
            let conversation = codex.start_conversation().await?;
            Conversation::new(conversation, codex)
        })
        .await
    }

    /// Resumes the conversation recorded at `path`: same id, its history, new turns appended to the file.
    pub async fn resume_conversation(&self, path: String) -> Result<Arc<Conversation>, CodexError> {
        let codex = self.inner.clone();
        runtime::run(async move {
            let started = codex.resume_conversation(path).await?;
            Conversation::new(started.conversation, codex)
        })
        .await
    }

    /// Forks the conversation recorded at `path` before its `nth_user_message`-th (0-based) user message.
    pub async fn fork_conversation(
        &self,
        path: String,
        nth_user_message: u32,
    ) -> Result<Arc<Conversation>, CodexError> {
        let codex = self.inner.clone();
        runtime::run(async move {
            let nth = nth_user_message as usize;
            let started = codex.fork_conversation(path, nth).await?;
            Conversation::new(started.conversation, codex)
        })
        .await
    }

    /// One page of recorded conversations, newest first; pass its `next_cursor` for the next page.
    #[uniffi::method(default(cursor = None))]
    pub async fn list_conversations(
        &self,
        page_size: u32,
        cursor: Option<String>,
    ) -> Result<ConversationsPage, CodexError> {
        let cursor = cursor
            .map(|c| c.parse::<Cursor>().map_err(codex_sdk::Error::from))
            .transpose()?;
        let codex = self.inner.clone();
        runtime::run(async move {
            let page = codex
                .list_conversations(page_size as usize, cursor.as_ref())
                .await?;
            ConversationsPage::encode(&page)
        })
        .await
    }

    /// The rollout path of a recorded (not archived) conversation, by id.
    pub async fn find_conversation_path(
        &self,
        conversation_id: String,
    ) -> Result<Option<String>, CodexError> {
        let id = parse_id(&conversation_id)?;
        let codex = self.inner.clone();
        runtime::run(async move { Ok(codex.find_conversation_path(id).await?.map(display)) }).await
    }

    /// Archives a conversation (shutting it down if it runs); returns the archived file's path.
    pub async fn archive_conversation(
        &self,
        conversation_id: String,
        path: String,
    ) -> Result<String, CodexError> {
        let id = parse_id(&conversation_id)?;
        let codex = self.inner.clone();
        runtime::run(async move { Ok(display(codex.archive_conversation(id, path).await?)) }).await
    }

    /// Moves an archived conversation back; returns its new path.
    pub async fn unarchive_conversation(
        &self,
        conversation_id: String,
        path: String,
    ) -> Result<String, CodexError> {
        let id = parse_id(&conversation_id)?;
        let codex = self.inner.clone();
        runtime::run(async move { Ok(display(codex.unarchive_conversation(id, path).await?)) })
            .await
    }
}

fn parse_id(id: &str) -> Result<ConversationId, CodexError> {
    id.parse()
        .map_err(|e: codex_sdk::protocol::InvalidIdError| CodexError::invalid_input(e.to_string()))
}

fn display(path: PathBuf) -> String {
    path.display().to_string()
}
