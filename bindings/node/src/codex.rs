//! `NativeCodex`: the core's [`CodexBuilder`](codex_sdk::CodexBuilder) settings, the host's tools and the
//! approval callback; starts conversations.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use codex_sdk::Codex;
use codex_sdk::model::ModelProviderInfo;
use codex_sdk::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use codex_sdk::rollout::Cursor;
use napi_derive::napi;
use serde::Deserialize;

use crate::approval::{JsApprovalFn, JsApprovalHandler};
use crate::conversation::NativeConversation;
use crate::error::{Result, core};
use crate::json::{from_json, to_json};
use crate::scripted::ScriptedModelSpec;
use crate::tools::{NativeToolDef, js_tool};

/// The settings of `new Codex(options)`, as the TypeScript layer sends them (JSON, camelCase). Each one
/// maps to one [`CodexBuilder`](codex_sdk::CodexBuilder) setter; what is absent keeps the core's default.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Settings {
    model: Option<String>,
    provider: Option<ModelProviderInfo>,
    base_url: Option<String>,
    api_key: Option<String>,
    cwd: Option<PathBuf>,
    codex_home: Option<PathBuf>,
    instructions: Option<String>,
    approval_policy: Option<AskForApproval>,
    sandbox_policy: Option<SandboxPolicy>,
    reasoning_effort: Option<ReasoningEffort>,
    reasoning_summary: Option<ReasoningSummary>,
    model_context_window: Option<u64>,
    event_buffer: Option<usize>,
    approval_timeout_ms: Option<u64>,
    originator: Option<String>,
    user_agent_suffix: Option<String>,
    builtin_tools: Option<bool>,
    ephemeral: Option<bool>,
    scripted_model: Option<ScriptedModelSpec>,
}

/// Configuration, model client, host tools and approval callback; starts conversations.
#[napi]
pub struct NativeCodex {
    inner: Codex,
}

#[napi]
impl NativeCodex {
    /// Builds the core `Codex` from `settings` (JSON), the host tools of every conversation, and the
    /// approval callback (`request JSON → decision`, sync or async).
    #[napi(
        constructor,
        ts_args_type = "settings: string, tools: Array<NativeToolDef>, onApproval?: ((request: string) => string | Promise<string>) | undefined | null"
    )]
    pub fn new(
        settings: String,
        tools: Vec<NativeToolDef>,
        on_approval: Option<JsApprovalFn>,
    ) -> Result<Self> {
        let settings: Settings = from_json("Codex options", &settings)?;
        let mut builder = Codex::builder();
        if let Some(model) = settings.model {
            builder = builder.model(model);
        }
        if let Some(provider) = settings.provider {
            builder = builder.provider(provider);
        }
        if let Some(url) = settings.base_url {
            builder = builder.base_url(url);
        }
        if let Some(key) = settings.api_key {
            builder = builder.api_key(key);
        }
        if let Some(cwd) = settings.cwd {
            builder = builder.cwd(cwd);
        }
        if let Some(home) = settings.codex_home {
            builder = builder.codex_home(home);
        }
        if let Some(text) = settings.instructions {
            builder = builder.instructions(text);
        }
        if let Some(policy) = settings.approval_policy {
            builder = builder.approval_policy(policy);
        }
        if let Some(policy) = settings.sandbox_policy {
            builder = builder.sandbox_policy(policy);
        }
        if let Some(effort) = settings.reasoning_effort {
            builder = builder.reasoning_effort(Some(effort));
        }
        if let Some(summary) = settings.reasoning_summary {
            builder = builder.reasoning_summary(summary);
        }
        if let Some(tokens) = settings.model_context_window {
            builder = builder.model_context_window(tokens);
        }
        if let Some(capacity) = settings.event_buffer {
            builder = builder.event_buffer(capacity);
        }
        if let Some(ms) = settings.approval_timeout_ms {
            builder = builder.approval_timeout(Duration::from_millis(ms));
        }
        if let Some(originator) = settings.originator {
            builder = builder.originator(originator);
        }
        if let Some(suffix) = settings.user_agent_suffix {
            builder = builder.user_agent_suffix(suffix);
        }
        if settings.ephemeral == Some(true) {
            builder = builder.ephemeral();
        }
        if settings.builtin_tools == Some(false) {
            builder = builder.no_builtin_tools();
        }
        if let Some(script) = settings.scripted_model {
            builder = builder.model_client(Arc::new(script.build()));
        }
        for def in tools {
            builder = builder.tool(js_tool(def)?);
        }
        if let Some(callback) = on_approval {
            builder = builder.approval_handler(Arc::new(JsApprovalHandler::new(callback)));
        }
        Ok(Self {
            inner: core(builder.build())?,
        })
    }

    /// The model conversations use.
    #[napi(getter)]
    pub fn model(&self) -> String {
        self.inner.config().model.clone()
    }

    /// Starts a conversation (recorded in a new rollout unless the Codex is ephemeral).
    #[napi]
    pub async fn start_conversation(&self) -> Result<NativeConversation> {
        let conversation = core(self.inner.start_conversation().await)?;
        NativeConversation::new(conversation)
    }

    /// Resumes the conversation recorded at `path`: same id, its history, new turns appended to the file.
    #[napi]
    pub async fn resume_conversation(&self, path: String) -> Result<NativeConversation> {
        let started = core(self.inner.resume_conversation(path).await)?;
        NativeConversation::new(started.conversation)
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
        NativeConversation::new(started.conversation)
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
            Some(text) => Some(core(text.parse())?),
            None => None,
        };
        let page = core(
            self.inner
                .list_conversations(page_size as usize, cursor.as_ref())
                .await,
        )?;
        to_json(&page)
    }
}
