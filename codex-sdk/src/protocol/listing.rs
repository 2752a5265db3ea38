//! The listing of recorded conversations as hosts receive it: pages of summaries with stable cursors, and
//! which kind of client started each session. (The listing itself is done by `rollout/`.)

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ConversationId;

/// Which kind of client started a session. Codex CLI filters some listings by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SessionSource {
    /// The interactive terminal UI.
    Cli,
    /// An editor extension.
    #[serde(rename = "vscode")]
    VsCode,
    /// A non-interactive run (`codex exec`, and this SDK by default).
    #[default]
    Exec,
    /// The app server / MCP server.
    Mcp,
    /// A source this SDK does not know.
    #[serde(other)]
    Unknown,
}

/// A position in the listing: `"<file timestamp>|<uuid>"`, e.g. `2025-10-01T12-00-00|0199…`. Stable: files
/// added later (newer) never shift what the next page holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    ts: String,
    id: Uuid,
}

impl Cursor {
    pub(crate) fn from_parts(ts: String, id: Uuid) -> Self {
        Self { ts, id }
    }

    /// The id part.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    /// The file timestamp part (`YYYY-MM-DDThh-mm-ss`).
    pub(crate) fn file_ts(&self) -> &str {
        &self.ts
    }

    /// The cursor of a file with this timestamp (as in file names: `YYYY-MM-DDThh-mm-ss`) and id.
    #[must_use]
    pub fn new(ts: impl Into<String>, id: ConversationId) -> Self {
        Self {
            ts: ts.into(),
            id: *id.as_uuid(),
        }
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.ts, self.id.hyphenated())
    }
}

/// The string given to [`Cursor::from_str`] is not a listing cursor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid listing cursor {0:?}")]
pub struct InvalidCursorError(pub String);

impl FromStr for Cursor {
    type Err = InvalidCursorError;

    fn from_str(s: &str) -> Result<Self, InvalidCursorError> {
        let bad = || InvalidCursorError(s.to_owned());
        let (ts, id) = s.split_once('|').ok_or_else(bad)?;
        if !valid_file_ts(ts) {
            return Err(bad());
        }
        let id = Uuid::parse_str(id).map_err(|_| bad())?;
        Ok(Self {
            ts: ts.to_owned(),
            id,
        })
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Cursor {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cursor".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A position in the listing: `\"<file timestamp>|<uuid>\"`.",
        })
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One listed conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationSummary {
    /// The conversation's id.
    pub conversation_id: ConversationId,
    /// Its rollout.
    pub path: PathBuf,
    /// When it started (the session meta's timestamp).
    pub created_at: String,
    /// When its last complete line was written (`None` when the tail could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The first user message's text.
    pub preview: String,
    /// The model of the latest turn context found in the head or tail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The provider id, when the writer recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_provider: Option<String>,
    /// The working directory it started in.
    pub cwd: PathBuf,
    /// Which kind of client started it.
    pub source: SessionSource,
    /// The position of this entry; pass it as the cursor to continue after it.
    pub cursor: Cursor,
}

/// One page of the listing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationsPage {
    /// Newest first.
    pub items: Vec<ConversationSummary>,
    /// Where the next page starts; `None` when this page reached the end.
    pub next_cursor: Option<Cursor>,
    /// Files looked at (including skipped ones).
    pub scanned_files: usize,
}

/// Whether `ts` is a rollout file name's timestamp (`YYYY-MM-DDThh-mm-ss`).
pub(crate) fn valid_file_ts(ts: &str) -> bool {
    let b = ts.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 | 13 | 16 => *c == b'-',
            10 => *c == b'T',
            _ => c.is_ascii_digit(),
        })
}
