use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::{ConversationId, ReasoningEffort, ReasoningSummary, ResponseItem};

/// A tool as the model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToolSpec {
    /// A function tool with JSON arguments.
    Function {
        /// Unique name (`^[a-zA-Z0-9_-]{1,64}$`).
        name: String,
        /// What it does, for the model.
        description: String,
        /// Whether the model must follow the schema exactly.
        strict: bool,
        /// JSON Schema of the arguments object.
        parameters: Value,
    },
    /// A freeform tool whose input is raw text, optionally constrained by a grammar.
    Custom {
        /// Unique name.
        name: String,
        /// What it does, for the model.
        description: String,
        /// `{type: "grammar", syntax, definition}` or `{type: "text"}`.
        format: Value,
    },
    /// OpenAI's hosted web search.
    WebSearch {},
}

impl ToolSpec {
    /// The tool's name (`web_search` for the hosted search).
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Function { name, .. } | Self::Custom { name, .. } => name,
            Self::WebSearch {} => "web_search",
        }
    }
}

/// How long and detailed the model's text is (`text.verbosity` of the Responses API; `model_verbosity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Verbosity {
    /// Short answers.
    Low,
    /// The API's default.
    Medium,
    /// Long, detailed answers.
    High,
}

impl Verbosity {
    /// Whether `model` takes `text.verbosity`: the GPT-5 family, except its `codex` models (as in Codex).
    #[must_use]
    pub fn supported_by(model: &str) -> bool {
        let m = model.rsplit('/').next().unwrap_or(model);
        m.starts_with("gpt-5") && !m.contains("codex")
    }
}

/// Everything one model request needs. Built by the turn loop for every sampling request.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The model's name.
    pub model: String,
    /// System instructions.
    pub instructions: String,
    /// The whole history (requests are stateless: `store: false`).
    pub input: Vec<ResponseItem>,
    /// Tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// Whether the model may call several tools in one response.
    pub parallel_tool_calls: bool,
    /// Reasoning effort; `None` sends no `reasoning` block unless `summary` asks for one.
    pub effort: Option<ReasoningEffort>,
    /// Reasoning summary mode; only sent when `reasoning` is.
    pub summary: ReasoningSummary,
    /// Whether the model is a reasoning model (decides whether `reasoning` is sent at all).
    pub reasoning: bool,
    /// A JSON schema the final message must follow.
    pub output_schema: Option<Value>,
    /// The conversation (sent as `prompt_cache_key` and the `session_id` header).
    pub conversation_id: ConversationId,
    /// `text.verbosity` (Responses API only; the turn loop sets it only for models that take it).
    pub verbosity: Option<Verbosity>,
    /// The output token limit (`max_output_tokens`, or `max_tokens` over Chat Completions).
    pub max_output_tokens: Option<u64>,
}
