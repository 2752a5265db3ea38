//! The line kinds of a rollout file and their JSON form.
//!
//! Every line is `{"timestamp": "<UTC RFC 3339, ms>Z", "type": <kind>, "payload": {…}}`. Readers ignore unknown
//! fields everywhere and skip (and count) lines of unknown kinds, so files written by newer Codex CLI versions
//! (which add `ordinal`, `metadata` and kinds such as `world_state`) still read.

use crate::protocol::SessionSource;
use std::borrow::Cow;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::protocol::{
    AskForApproval, ConversationId, EventMsg, ReasoningEffort, ReasoningSummary, ResponseItem,
    SandboxPolicy,
};

/// One line of a rollout file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolloutLine {
    /// When the line was written (UTC, RFC 3339 with milliseconds).
    pub timestamp: String,
    /// What the line holds.
    #[serde(flatten)]
    pub item: RolloutItem,
}

/// What a rollout line holds; serialized as `"type"` plus `"payload"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RolloutItem {
    /// The conversation's identity; always the first line.
    SessionMeta(SessionMeta),
    /// An item of the model-visible history.
    ResponseItem(ResponseItem),
    /// A compaction summary (and, when known, the history that replaced the compacted one).
    Compacted(CompactedItem),
    /// The settings of the turn that follows.
    TurnContext(TurnContextItem),
    /// One of the persisted events (see [`is_persisted_event`](super::is_persisted_event)).
    EventMsg(EventMsg),
}

impl RolloutItem {
    /// The line kind (`"session_meta"`, `"response_item"`, …).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SessionMeta(_) => "session_meta",
            Self::ResponseItem(_) => "response_item",
            Self::Compacted(_) => "compacted",
            Self::TurnContext(_) => "turn_context",
            Self::EventMsg(_) => "event_msg",
        }
    }
}

/// Where the session's repository stood when it started.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GitInfo {
    /// `HEAD`'s commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_hash: Option<String>,
    /// The checked-out branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The `origin` remote's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
}

/// The `session_meta` payload: who the conversation is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// The conversation's id (also in the file name).
    pub id: ConversationId,
    /// When the conversation started (UTC, RFC 3339).
    pub timestamp: String,
    /// The working directory it started in.
    pub cwd: PathBuf,
    /// The client that wrote it (`originator` header value).
    pub originator: String,
    /// The writer's version.
    pub cli_version: String,
    /// Extra user instructions in force (e.g. from `AGENTS.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Which kind of client started it.
    #[serde(default)]
    pub source: SessionSource,
    /// The provider id from config (newer Codex CLI versions write it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_provider: Option<String>,
    /// Repository state at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitInfo>,
}

/// The `compacted` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactedItem {
    /// The summary that replaced the older history.
    pub message: String,
    /// The complete history after compaction, when the writer recorded it. Without it, a reader rebuilds the
    /// history as: the initial context messages, the real user messages so far, then the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_history: Option<Vec<ResponseItem>>,
}

/// The `turn_context` payload: the settings a turn ran with. Fields this SDK cannot interpret (e.g. a newer
/// Codex CLI's sandbox or effort values) read as `None` instead of failing the line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnContextItem {
    /// Working directory.
    pub cwd: PathBuf,
    /// Approval policy.
    #[serde(default, deserialize_with = "lenient")]
    pub approval_policy: Option<AskForApproval>,
    /// Sandbox policy.
    #[serde(default, deserialize_with = "lenient")]
    pub sandbox_policy: Option<SandboxPolicy>,
    /// Model.
    pub model: String,
    /// Reasoning effort.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub effort: Option<ReasoningEffort>,
    /// Reasoning summary mode.
    #[serde(default, deserialize_with = "lenient")]
    pub summary: Option<ReasoningSummary>,
    /// The user-instructions message the conversation started with (`AGENTS.md` files, the user's own
    /// instructions), as Codex records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_instructions: Option<String>,
}

/// Reads a value that may be of a shape this SDK does not know as `None`.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

/// The current time as a rollout timestamp: UTC, RFC 3339 with milliseconds and a `Z`.
#[must_use]
pub fn now_timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Serializes one line (without the newline) from borrowed parts, so recording needs no clone.
pub(crate) fn encode_line<T: Serialize + ?Sized>(
    timestamp: &str,
    kind: &str,
    payload: &T,
) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Line<'a, T: ?Sized> {
        timestamp: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
        payload: &'a T,
    }
    serde_json::to_string(&Line {
        timestamp,
        kind,
        payload,
    })
}

/// What became of one line on reading.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // short-lived: moved out right away
pub(crate) enum Parsed {
    /// A known kind with a valid payload.
    Item(String, RolloutItem),
    /// Valid JSON with a kind this SDK does not know.
    UnknownKind,
    /// A known kind whose payload did not parse, or not a line at all.
    Invalid,
}

#[derive(Deserialize)]
struct RawLine<'a> {
    #[serde(default, borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

/// Parses one line (without its newline).
pub(crate) fn parse_line(line: &str) -> Parsed {
    let Ok(raw) = serde_json::from_str::<RawLine<'_>>(line) else {
        return Parsed::Invalid;
    };
    let payload = raw.payload.get();
    let item = match raw.kind.as_ref() {
        "session_meta" => serde_json::from_str(payload).map(RolloutItem::SessionMeta),
        "response_item" => serde_json::from_str(payload).map(RolloutItem::ResponseItem),
        "compacted" => serde_json::from_str(payload).map(RolloutItem::Compacted),
        "turn_context" => serde_json::from_str(payload).map(RolloutItem::TurnContext),
        "event_msg" => serde_json::from_str(payload).map(RolloutItem::EventMsg),
        _ => return Parsed::UnknownKind,
    };
    match item {
        Ok(item) => Parsed::Item(raw.timestamp.unwrap_or_default().into_owned(), item),
        Err(_) => Parsed::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trips_through_the_wire_form() {
        let line = RolloutLine {
            timestamp: "2025-10-01T12:00:00.000Z".into(),
            item: RolloutItem::ResponseItem(ResponseItem::user_text("hi")),
        };
        let text = serde_json::to_string(&line).unwrap();
        assert_eq!(
            text,
            r#"{"timestamp":"2025-10-01T12:00:00.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}}"#
        );
        assert_eq!(
            encode_line(
                &line.timestamp,
                "response_item",
                &ResponseItem::user_text("hi")
            )
            .unwrap(),
            text
        );
        match parse_line(&text) {
            Parsed::Item(ts, item) => assert_eq!(
                RolloutLine {
                    timestamp: ts,
                    item
                },
                line
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_kind_round_trips() {
        let id: ConversationId = "0199a213-81c0-7800-8aa1-bbab2a035a53".parse().unwrap();
        let kinds = [
            RolloutItem::SessionMeta(SessionMeta {
                id,
                timestamp: "2025-10-01T12:00:00.000Z".into(),
                cwd: "/w".into(),
                originator: "o".into(),
                cli_version: "1".into(),
                instructions: Some("be brief".into()),
                source: SessionSource::VsCode,
                model_provider: Some("openai".into()),
                git: Some(GitInfo {
                    commit_hash: Some("abc".into()),
                    branch: Some("main".into()),
                    repository_url: None,
                }),
            }),
            RolloutItem::ResponseItem(ResponseItem::FunctionCall {
                id: None,
                name: "shell".into(),
                arguments: "{}".into(),
                call_id: "c1".into(),
            }),
            RolloutItem::Compacted(CompactedItem {
                message: "summary".into(),
                replacement_history: Some(vec![ResponseItem::user_text("kept")]),
            }),
            RolloutItem::TurnContext(TurnContextItem {
                cwd: "/w".into(),
                approval_policy: Some(AskForApproval::UnlessTrusted),
                sandbox_policy: Some(SandboxPolicy::DangerFullAccess),
                model: "o3".into(),
                effort: Some(ReasoningEffort::High),
                summary: Some(ReasoningSummary::Detailed),
                user_instructions: Some("# AGENTS.md instructions".into()),
            }),
            RolloutItem::EventMsg(EventMsg::TurnAborted(crate::protocol::TurnAbortedEvent {
                reason: crate::protocol::TurnAbortReason::Interrupted,
            })),
        ];
        for item in kinds {
            let text = serde_json::to_string(&RolloutLine {
                timestamp: "ts".into(),
                item: item.clone(),
            })
            .unwrap();
            let encoded = encode_line("ts", item.kind(), &item_payload(&item)).unwrap();
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&encoded).unwrap(),
                serde_json::from_str::<serde_json::Value>(&text).unwrap()
            );
            match parse_line(&text) {
                Parsed::Item(ts, parsed) => assert_eq!((ts.as_str(), parsed), ("ts", item)),
                other => panic!("{other:?}"),
            }
        }
        let meta = r#"{"type":"session_meta","payload":{"id":"0199a213-81c0-7800-8aa1-bbab2a035a53","timestamp":"t","cwd":"/","originator":"o","cli_version":"1","source":"subagent"}}"#;
        match parse_line(meta) {
            Parsed::Item(ts, RolloutItem::SessionMeta(m)) => {
                assert_eq!(
                    (ts.as_str(), m.source, m.git),
                    ("", SessionSource::Unknown, None)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    fn item_payload(item: &RolloutItem) -> serde_json::Value {
        serde_json::to_value(item).unwrap()["payload"].clone()
    }

    #[test]
    fn unknown_kinds_and_bad_payloads_are_classified() {
        assert!(matches!(
            parse_line(r#"{"timestamp":"t","ordinal":3,"type":"world_state","payload":{}}"#),
            Parsed::UnknownKind
        ));
        // An item type this SDK does not know is kept as it came (so resume sends it back untouched).
        assert!(matches!(
            parse_line(r#"{"timestamp":"t","type":"response_item","payload":{"type":"ghost"}}"#),
            Parsed::Item(_, RolloutItem::ResponseItem(ResponseItem::Other(_)))
        ));
        assert!(matches!(
            parse_line(r#"{"timestamp":"t","type":"session_meta","payload":{"id":"nope"}}"#),
            Parsed::Invalid
        ));
        assert!(matches!(
            parse_line(r#"{"timestamp":"t","ty"#),
            Parsed::Invalid
        ));
    }
}
