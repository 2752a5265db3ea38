//! The event catalog: Codex's OpenTelemetry log events as typed values, and their flat attribute form
//! (the names an OTLP collector sees).

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::protocol::{ConversationId, ReviewDecision};

/// What every event carries besides its own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TelemetryMetadata {
    /// `conversation.id`.
    pub conversation_id: ConversationId,
    /// `app.version`: the codex-sdk version.
    pub app_version: &'static str,
    /// `auth_mode`, when known (`ApiKey` when the conversation's provider has an API key).
    pub auth_mode: Option<String>,
    /// `user.account_id`, when known.
    pub account_id: Option<String>,
    /// `terminal.type`: the terminal the host runs in (`TERM_PROGRAM`, else `TERM`, else `unknown`).
    pub terminal_type: String,
    /// `model`: the model of the turn.
    pub model: String,
    /// `slug`: the model's slug (its name).
    pub slug: String,
}

/// One telemetry event: when, about which conversation, and what.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TelemetryEvent {
    /// `event.timestamp`.
    pub timestamp: DateTime<Utc>,
    /// The common fields.
    #[serde(serialize_with = "inline_arc")]
    pub metadata: Arc<TelemetryMetadata>,
    /// The event itself.
    pub kind: TelemetryEventKind,
}

fn inline_arc<S: Serializer>(value: &Arc<TelemetryMetadata>, s: S) -> Result<S::Ok, S::Error> {
    value.as_ref().serialize(s)
}

/// The catalog. Serialized with its event name in `name` (`"codex.api_request"` …).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum TelemetryEventKind {
    /// `codex.api_request`: one HTTP request to the model (each retry is its own event).
    #[serde(rename = "codex.api_request")]
    ApiRequest(ApiRequest),
    /// `codex.sse_event`: one event of a model response stream.
    #[serde(rename = "codex.sse_event")]
    SseEvent(SseEvent),
    /// `codex.user_prompt`: user input that starts or joins a turn.
    #[serde(rename = "codex.user_prompt")]
    UserPrompt(UserPrompt),
    /// `codex.tool_decision`: whether a tool call may run, and who decided.
    #[serde(rename = "codex.tool_decision")]
    ToolDecision(ToolDecision),
    /// `codex.tool_result`: a finished tool call.
    #[serde(rename = "codex.tool_result")]
    ToolResult(ToolResult),
}

/// `codex.api_request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ApiRequest {
    /// `attempt`: 1 for the first request, 2 for the first retry, …
    pub attempt: u32,
    /// `duration_ms`: until the response headers (or the failure).
    pub duration_ms: u64,
    /// `http.response.status_code`, when a response came back.
    pub status_code: Option<u16>,
    /// `error.message`, when the attempt failed (redacted).
    pub error_message: Option<String>,
    /// `cf_ray`: the `cf-ray` response header, when present.
    pub cf_ray: Option<String>,
}

/// `codex.sse_event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SseEvent {
    /// `event.kind`: the Responses API event type (`response.output_text.delta` …); `None` for a failure
    /// that is not an event (a broken stream, an idle timeout).
    pub kind: Option<String>,
    /// `duration_ms`: how long the stream was waited on for this event.
    pub duration_ms: u64,
    /// `error.message`, for a failure (redacted).
    pub error_message: Option<String>,
    /// The token counts reported by `response.completed`.
    pub token_counts: Option<SseTokenCounts>,
}

/// The token counts of a completed response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SseTokenCounts {
    /// `input_token_count`.
    pub input: u64,
    /// `output_token_count`.
    pub output: u64,
    /// `cached_token_count`.
    pub cached: Option<u64>,
    /// `reasoning_token_count`.
    pub reasoning: Option<u64>,
    /// `tool_token_count`: the tokens the response occupies in the context window.
    pub tool: u64,
}

/// `codex.user_prompt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UserPrompt {
    /// `prompt_length`: characters of text input.
    pub prompt_length: u64,
    /// `prompt`: the text, only with `[otel] log_user_prompt = true` (exported as `[REDACTED]` otherwise).
    pub prompt: Option<String>,
}

/// `codex.tool_decision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ToolDecision {
    /// `tool_name`.
    pub tool_name: String,
    /// `call_id`.
    pub call_id: String,
    /// `decision`.
    pub decision: ToolDecisionKind,
    /// `source`.
    pub source: ToolDecisionSource,
}

/// `decision` of a [`ToolDecision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToolDecisionKind {
    /// `approved`.
    Approved,
    /// `approved_for_session`.
    ApprovedForSession,
    /// `denied`.
    Denied,
    /// `abort`.
    Abort,
}

impl ToolDecisionKind {
    /// The catalog's spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ApprovedForSession => "approved_for_session",
            Self::Denied => "denied",
            Self::Abort => "abort",
        }
    }
}

impl From<ReviewDecision> for ToolDecisionKind {
    fn from(decision: ReviewDecision) -> Self {
        match decision {
            ReviewDecision::Approved => Self::Approved,
            ReviewDecision::ApprovedForSession => Self::ApprovedForSession,
            ReviewDecision::Denied => Self::Denied,
            ReviewDecision::Abort => Self::Abort,
        }
    }
}

/// `source` of a [`ToolDecision`]: the policies decided, or someone was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToolDecisionSource {
    /// `config`: the approval and sandbox policies (or an earlier "approved for session").
    Config,
    /// `user`: the host answered an approval request (or it timed out or was cancelled: denied).
    User,
}

impl ToolDecisionSource {
    /// The catalog's spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::User => "user",
        }
    }
}

/// `codex.tool_result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ToolResult {
    /// `tool_name`.
    pub tool_name: String,
    /// `call_id`.
    pub call_id: String,
    /// `arguments`: as the model sent them (redacted).
    pub arguments: String,
    /// `duration_ms`: the tool's execution time.
    pub duration_ms: u64,
    /// `success` (exported as `"true"` / `"false"`).
    pub success: bool,
    /// `output`: what the model is given (redacted).
    pub output: String,
}

/// The value of one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TelemetryValue {
    /// Text.
    Str(String),
    /// A whole number.
    Int(i64),
}

/// What an exported `prompt` holds when prompts are not logged.
pub const REDACTED: &str = "[REDACTED]";

impl TelemetryEvent {
    /// The event's name in the catalog (`codex.api_request` …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// Every attribute as exported, common metadata first: `event.name`, `event.timestamp`,
    /// `conversation.id`, `app.version`, `auth_mode` and `user.account_id` when known, `terminal.type`,
    /// `model`, `slug`, then the event's own fields under the catalog's names.
    #[must_use]
    pub fn attributes(&self) -> Vec<(&'static str, TelemetryValue)> {
        let m = &self.metadata;
        let mut out = vec![
            ("event.name", text(self.name())),
            (
                "event.timestamp",
                TelemetryValue::Str(self.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true)),
            ),
            (
                "conversation.id",
                TelemetryValue::Str(m.conversation_id.to_string()),
            ),
            ("app.version", text(m.app_version)),
        ];
        if let Some(mode) = &m.auth_mode {
            out.push(("auth_mode", text(mode)));
        }
        if let Some(account) = &m.account_id {
            out.push(("user.account_id", text(account)));
        }
        out.push(("terminal.type", text(&m.terminal_type)));
        out.push(("model", text(&m.model)));
        out.push(("slug", text(&m.slug)));
        self.kind.push_attributes(&mut out);
        out
    }
}

impl TelemetryEventKind {
    /// The event's name in the catalog.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::ApiRequest(_) => "codex.api_request",
            Self::SseEvent(_) => "codex.sse_event",
            Self::UserPrompt(_) => "codex.user_prompt",
            Self::ToolDecision(_) => "codex.tool_decision",
            Self::ToolResult(_) => "codex.tool_result",
        }
    }

    fn push_attributes(&self, out: &mut Vec<(&'static str, TelemetryValue)>) {
        match self {
            Self::ApiRequest(e) => {
                out.push(("attempt", int(u64::from(e.attempt))));
                out.push(("duration_ms", int(e.duration_ms)));
                if let Some(status) = e.status_code {
                    out.push(("http.response.status_code", int(u64::from(status))));
                }
                if let Some(message) = &e.error_message {
                    out.push(("error.message", text(message)));
                }
                if let Some(ray) = &e.cf_ray {
                    out.push(("cf_ray", text(ray)));
                }
            }
            Self::SseEvent(e) => {
                if let Some(kind) = &e.kind {
                    out.push(("event.kind", text(kind)));
                }
                out.push(("duration_ms", int(e.duration_ms)));
                if let Some(message) = &e.error_message {
                    out.push(("error.message", text(message)));
                }
                if let Some(t) = &e.token_counts {
                    out.push(("input_token_count", int(t.input)));
                    out.push(("output_token_count", int(t.output)));
                    if let Some(cached) = t.cached {
                        out.push(("cached_token_count", int(cached)));
                    }
                    if let Some(reasoning) = t.reasoning {
                        out.push(("reasoning_token_count", int(reasoning)));
                    }
                    out.push(("tool_token_count", int(t.tool)));
                }
            }
            Self::UserPrompt(e) => {
                out.push(("prompt_length", int(e.prompt_length)));
                out.push(("prompt", text(e.prompt.as_deref().unwrap_or(REDACTED))));
            }
            Self::ToolDecision(e) => {
                out.push(("tool_name", text(&e.tool_name)));
                out.push(("call_id", text(&e.call_id)));
                out.push(("decision", text(e.decision.as_str())));
                out.push(("source", text(e.source.as_str())));
            }
            Self::ToolResult(e) => {
                out.push(("tool_name", text(&e.tool_name)));
                out.push(("call_id", text(&e.call_id)));
                out.push(("arguments", text(&e.arguments)));
                out.push(("duration_ms", int(e.duration_ms)));
                out.push(("success", text(if e.success { "true" } else { "false" })));
                out.push(("output", text(&e.output)));
            }
        }
    }

    /// Applies `f` to every free-text field (error messages, prompts, tool arguments and outputs).
    pub(crate) fn for_each_text(&mut self, mut f: impl FnMut(&mut String)) {
        match self {
            Self::ApiRequest(e) => e.error_message.iter_mut().for_each(f),
            Self::SseEvent(e) => e.error_message.iter_mut().for_each(f),
            Self::UserPrompt(e) => e.prompt.iter_mut().for_each(f),
            Self::ToolDecision(_) => {}
            Self::ToolResult(e) => {
                f(&mut e.arguments);
                f(&mut e.output);
            }
        }
    }
}

fn text(s: &str) -> TelemetryValue {
    TelemetryValue::Str(s.to_owned())
}

fn int(v: u64) -> TelemetryValue {
    TelemetryValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
}
