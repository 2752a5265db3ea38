//! `Codex`: the core builder's settings as a record, and `startConversation`.
//!
//! Only the settings a host sets are passed to the core builder; everything else keeps the core's default.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::model::ModelProviderInfo;
use codex_sdk::tools::BuiltinToolsConfig;
use serde_json::{Map, Value};

use crate::approval::{ApprovalHandler, HostApprovals};
use crate::conversation::Conversation;
use crate::error::CodexError;
use crate::json::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use crate::model::ScriptedModel;
use crate::runtime;
use crate::tools::{CodexTool, function_tool};

/// Which HTTP API a model provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum WireApi {
    /// `POST {base_url}/responses` (OpenAI Responses API).
    Responses,
    /// `POST {base_url}/chat/completions`.
    Chat,
}

/// Where a model is served. Unset retry settings keep the core's defaults.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ModelProvider {
    /// Display name.
    pub name: String,
    /// Base URL, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// Environment variable holding the API key.
    #[uniffi(default = None)]
    pub env_key: Option<String>,
    /// The API (default: Responses).
    #[uniffi(default = None)]
    pub wire_api: Option<WireApi>,
    /// Retries of a request that failed before streaming.
    #[uniffi(default = None)]
    pub request_max_retries: Option<u32>,
    /// Replays of a request whose stream broke mid-way.
    #[uniffi(default = None)]
    pub stream_max_retries: Option<u32>,
    /// Longest silence on a response stream before it counts as broken, in milliseconds.
    #[uniffi(default = None)]
    pub stream_idle_timeout_ms: Option<u64>,
}

impl ModelProvider {
    /// The core provider, through its serde form so that unset fields get the core's defaults.
    fn into_core(self) -> Result<ModelProviderInfo, CodexError> {
        let mut fields = Map::new();
        fields.insert("name".into(), self.name.into());
        fields.insert("base_url".into(), self.base_url.into());
        let wire_api = self.wire_api.map(|api| match api {
            WireApi::Responses => "responses",
            WireApi::Chat => "chat",
        });
        let optional = [
            ("env_key", self.env_key.map(Value::from)),
            ("wire_api", wire_api.map(Value::from)),
            (
                "request_max_retries",
                self.request_max_retries.map(Value::from),
            ),
            (
                "stream_max_retries",
                self.stream_max_retries.map(Value::from),
            ),
            (
                "stream_idle_timeout_ms",
                self.stream_idle_timeout_ms.map(Value::from),
            ),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                fields.insert(key.into(), value);
            }
        }
        serde_json::from_value(Value::Object(fields))
            .map_err(|e| CodexError::invalid_input(format!("invalid provider: {e}")))
    }
}

/// The settings of a [`Codex`]. Every field is optional; unset fields keep the SDK's defaults.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct CodexConfig {
    /// The model's name.
    #[uniffi(default = None)]
    pub model: Option<String>,
    /// The API key (otherwise read from the provider's environment variable, `OPENAI_API_KEY`).
    #[uniffi(default = None)]
    pub api_key: Option<String>,
    /// An OpenAI-compatible API at this URL (keeping the other provider settings).
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Where the model is served (applied before `base_url`).
    #[uniffi(default = None)]
    pub provider: Option<ModelProvider>,
    /// Working directory of turns.
    #[uniffi(default = None)]
    pub cwd: Option<String>,
    /// Where sessions and credentials live.
    #[uniffi(default = None)]
    pub codex_home: Option<String>,
    /// Replaces the SDK's system instructions.
    #[uniffi(default = None)]
    pub instructions: Option<String>,
    /// When to ask the host before running a command.
    #[uniffi(default = None)]
    pub approval_policy: Option<AskForApproval>,
    /// What commands may touch.
    #[uniffi(default = None)]
    pub sandbox_policy: Option<SandboxPolicy>,
    /// Reasoning effort.
    #[uniffi(default = None)]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary mode.
    #[uniffi(default = None)]
    pub reasoning_summary: Option<ReasoningSummary>,
    /// The context window, in tokens (overrides the known-models table).
    #[uniffi(default = None)]
    pub model_context_window: Option<u64>,
    /// Events buffered per conversation before it waits for its reader.
    #[uniffi(default = None)]
    pub event_buffer: Option<u32>,
    /// How long an approval request waits before it is denied, in seconds.
    #[uniffi(default = None)]
    pub approval_timeout_seconds: Option<f64>,
    /// Whether conversations get the built-in tools (shell, read_file, apply_patch, …). Default: yes.
    #[uniffi(default = None)]
    pub builtin_tools: Option<bool>,
}

/// Holds the configuration, the model client and the host's tools; starts conversations.
#[derive(Debug, uniffi::Object)]
pub struct Codex {
    inner: codex_sdk::Codex,
}

#[uniffi::export]
impl Codex {
    /// A `Codex` with `config`, the host's `tools` (in every conversation), an optional approval handler
    /// (otherwise approval requests are denied on timeout unless answered with an op) and an optional
    /// scripted model (otherwise the provider's API is used).
    ///
    /// Fails with `invalidInput` for a bad setting or tool (a duplicate name, a schema that is not JSON).
    #[uniffi::constructor(default(tools = [], approval_handler = None, model_client = None))]
    pub fn new(
        config: CodexConfig,
        tools: Vec<Arc<dyn CodexTool>>,
        approval_handler: Option<Arc<dyn ApprovalHandler>>,
        model_client: Option<Arc<ScriptedModel>>,
    ) -> Result<Arc<Self>, CodexError> {
        let mut b = codex_sdk::Codex::builder();
        if let Some(v) = config.model {
            b = b.model(v);
        }
        if let Some(v) = config.provider {
            b = b.provider(v.into_core()?);
        }
        if let Some(v) = config.base_url {
            b = b.base_url(v);
        }
        if let Some(v) = config.api_key {
            b = b.api_key(v);
        }
        if let Some(v) = config.cwd {
            b = b.cwd(v);
        }
        if let Some(v) = config.codex_home {
            b = b.codex_home(v);
        }
        if let Some(v) = config.instructions {
            b = b.instructions(v);
        }
        if let Some(v) = config.approval_policy {
            b = b.approval_policy(v.decode()?);
        }
        if let Some(v) = config.sandbox_policy {
            b = b.sandbox_policy(v.decode()?);
        }
        if let Some(v) = config.reasoning_effort {
            b = b.reasoning_effort(Some(v.decode()?));
        }
        if let Some(v) = config.reasoning_summary {
            b = b.reasoning_summary(v.decode()?);
        }
        if let Some(v) = config.model_context_window {
            b = b.model_context_window(v);
        }
        if let Some(v) = config.event_buffer {
            b = b.event_buffer(v as usize);
        }
        if let Some(v) = config.approval_timeout_seconds {
            let timeout = Duration::try_from_secs_f64(v)
                .map_err(|e| CodexError::invalid_input(format!("approval_timeout_seconds: {e}")))?;
            b = b.approval_timeout(timeout);
        }
        match config.builtin_tools {
            Some(false) => b = b.no_builtin_tools(),
            Some(true) => b = b.builtin_tools(BuiltinToolsConfig::default()),
            None => {}
        }
        if let Some(model) = model_client {
            b = b.model_client(model.client());
        }
        for tool in tools {
            b = b.tool(function_tool(tool)?);
        }
        if let Some(handler) = approval_handler {
            b = b.approval_handler(Arc::new(HostApprovals(handler)));
        }
        Ok(Arc::new(Self { inner: b.build()? }))
    }

    /// The model conversations use.
    pub fn model(&self) -> String {
        self.inner.config().model.clone()
    }

    /// Starts a conversation.
    pub async fn start_conversation(&self) -> Result<Arc<Conversation>, CodexError> {
        let codex = self.inner.clone();
        runtime::run(async move {
            let conversation = codex.start_conversation().await?;
            Conversation::new(conversation).map(Arc::new)
        })
        .await
    }
}
