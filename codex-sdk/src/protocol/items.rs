use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One item of model-visible history, mirroring the Responses API's input/output items.
///
/// Item `id`s are read but never written back: requests use `store: false`, and the server would try to look
/// stored items up by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseItem {
    /// A message from the user, the assistant, or the developer (system instructions).
    Message {
        /// Server-assigned id (never serialized).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// `user`, `assistant`, `developer` or `system`.
        role: String,
        /// The message's parts.
        content: Vec<ContentItem>,
    },
    /// The model's reasoning: a summary and, for some models, raw text or encrypted content.
    Reasoning {
        /// Server-assigned id (never serialized).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Summary parts.
        #[serde(default)]
        summary: Vec<ReasoningSummaryPart>,
        /// Raw reasoning text, when the model exposes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Vec<ReasoningContent>>,
        /// Opaque reasoning state to send back on the next request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    /// The model calls a function tool.
    FunctionCall {
        /// Server-assigned id (never serialized).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The arguments as a JSON string (exactly as the model produced them; may be malformed).
        arguments: String,
        /// Pairs the call with its output.
        call_id: String,
    },
    /// The output of a function tool call.
    FunctionCallOutput {
        /// The call this answers.
        call_id: String,
        /// What the model sees.
        output: FunctionCallOutputPayload,
    },
    /// The model calls a freeform (grammar-constrained) tool.
    CustomToolCall {
        /// Server-assigned id (never serialized).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Pairs the call with its output.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The raw input text.
        input: String,
    },
    /// The output of a freeform tool call.
    CustomToolCallOutput {
        /// The call this answers.
        call_id: String,
        /// What the model sees.
        output: String,
    },
    /// The model runs a command through the Responses API's `local_shell` tool. It is run by the `shell`
    /// handler (same sandbox and approval policy) and answered with a `function_call_output` carrying its
    /// `call_id`.
    LocalShellCall {
        /// Server-assigned id (never serialized); stands in for a missing `call_id`.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Pairs the call with its output.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_id: Option<String>,
        /// `completed`, `in_progress` or `incomplete`.
        #[serde(default)]
        status: String,
        /// What to run.
        action: LocalShellAction,
    },
    /// A hosted web search the model ran (informational).
    WebSearchCall {
        /// Server-assigned id (never serialized).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// `completed`, `in_progress`, …
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// What the search did (present once the call is done).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<WebSearchAction>,
    },
    /// An item type this SDK does not know (a newer hosted tool's call, say), kept as the server sent it —
    /// recorded, resumed and sent back on the next request untouched, except for its server id (requests
    /// use `store: false`).
    ///
    /// Not in the JSON Schema: host types are generated per known `type`; an unknown one reaches a host as
    /// its plain JSON.
    #[serde(untagged)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    Other(UnknownItem),
}

/// The tags of the [`ResponseItem`] variants this SDK reads. An object with one of these tags that does not
/// parse is an error, never an [`UnknownItem`].
const KNOWN_ITEM_TYPES: [&str; 9] = [
    "message",
    "reasoning",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "web_search_call",
    "other",
];

/// A history item of a type this SDK does not know: a JSON object with a string `type`, without its `id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct UnknownItem(serde_json::Map<String, serde_json::Value>);

impl UnknownItem {
    /// The item's `type`.
    #[must_use]
    pub fn item_type(&self) -> &str {
        self.0
            .get("type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    }

    /// The item as it will be sent back.
    #[must_use]
    pub fn as_json(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }
}

impl<'de> Deserialize<'de> for UnknownItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let kind = match object.get("type") {
            Some(serde_json::Value::String(kind)) => kind.clone(),
            _ => return Err(serde::de::Error::custom("an item without a string `type`")),
        };
        if KNOWN_ITEM_TYPES.contains(&kind.as_str()) {
            return Err(serde::de::Error::custom(format!("malformed `{kind}` item")));
        }
        object.remove("id");
        Ok(Self(object))
    }
}

/// What a hosted web search call did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WebSearchAction {
    /// A search.
    Search {
        /// The query.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
    },
    /// A page was opened.
    OpenPage {
        /// Its URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// A pattern was looked for in a page.
    FindInPage {
        /// The page's URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        /// What was looked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern: Option<String>,
    },
    /// An action this SDK does not know.
    #[serde(other)]
    Other,
}

impl ResponseItem {
    /// A user message holding one text part.
    #[must_use]
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::Message {
            id: None,
            role: "user".to_owned(),
            content: vec![ContentItem::InputText { text: text.into() }],
        }
    }

    /// An assistant message holding one text part.
    #[must_use]
    pub fn assistant_text(text: impl Into<String>) -> Self {
        Self::Message {
            id: None,
            role: "assistant".to_owned(),
            content: vec![ContentItem::OutputText { text: text.into() }],
        }
    }

    /// The call id when this item is a tool call or a tool output.
    #[must_use]
    pub fn call_id(&self) -> Option<&str> {
        match self {
            Self::FunctionCall { call_id, .. }
            | Self::FunctionCallOutput { call_id, .. }
            | Self::CustomToolCall { call_id, .. }
            | Self::CustomToolCallOutput { call_id, .. } => Some(call_id),
            Self::LocalShellCall { id, call_id, .. } => call_id.as_deref().or(id.as_deref()),
            _ => None,
        }
    }

    /// The concatenated text of a message's text parts (`None` for non-messages).
    #[must_use]
    pub fn message_text(&self) -> Option<String> {
        match self {
            Self::Message { content, .. } => Some(
                content
                    .iter()
                    .filter_map(|c| match c {
                        ContentItem::InputText { text } | ContentItem::OutputText { text } => {
                            Some(text.as_str())
                        }
                        ContentItem::InputImage { .. } => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// What a [`ResponseItem::LocalShellCall`] asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LocalShellAction {
    /// Run a command.
    Exec(LocalShellExecAction),
}

/// A command a [`ResponseItem::LocalShellCall`] runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct LocalShellExecAction {
    /// The command (argv).
    pub command: Vec<String>,
    /// Time limit in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Where to run it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
    /// Extra environment variables (not applied: the conversation's environment policy decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<std::collections::BTreeMap<String, String>>,
    /// The user to run as (not applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// One part of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentItem {
    /// Text written by the user or developer.
    InputText {
        /// The text.
        text: String,
    },
    /// An image, as an `https:` or `data:` URL.
    InputImage {
        /// The URL.
        image_url: String,
    },
    /// Text written by the model.
    OutputText {
        /// The text.
        text: String,
    },
}

/// One part of a reasoning summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasoningSummaryPart {
    /// Summary text.
    SummaryText {
        /// The text.
        text: String,
    },
}

/// One part of raw reasoning content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasoningContent {
    /// Reasoning text.
    ReasoningText {
        /// The text.
        text: String,
    },
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
}

/// The output of a function tool call: the text the model sees, and whether the call succeeded.
///
/// On the wire this is just the text (the Responses API's `output` string); `success` stays on this side.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunctionCallOutputPayload {
    /// What the model sees.
    pub content: String,
    /// Whether the tool succeeded (`None` when unknown).
    pub success: Option<bool>,
}

impl FunctionCallOutputPayload {
    /// A successful output.
    #[must_use]
    pub fn success(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            success: Some(true),
        }
    }

    /// A failed output (the model sees the message and can react).
    #[must_use]
    pub fn failure(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            success: Some(false),
        }
    }
}

impl Serialize for FunctionCallOutputPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.content)
    }
}

impl<'de> Deserialize<'de> for FunctionCallOutputPayload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Full {
                content: String,
                #[serde(default)]
                success: Option<bool>,
            },
            // Newer Codex CLI rollouts may store an output as content parts; their text is kept.
            Parts(Vec<serde_json::Value>),
        }
        Ok(match Repr::deserialize(deserializer)? {
            Repr::Text(content) => Self {
                content,
                success: None,
            },
            Repr::Full { content, success } => Self { content, success },
            Repr::Parts(parts) => Self {
                content: parts
                    .iter()
                    .filter_map(|p| p.get("text").and_then(serde_json::Value::as_str))
                    .collect::<Vec<_>>()
                    .join("\n"),
                success: None,
            },
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for FunctionCallOutputPayload {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FunctionCallOutputPayload".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "The tool output text the model sees."})
    }
}
