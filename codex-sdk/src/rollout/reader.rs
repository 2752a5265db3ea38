//! Reading a rollout back: the lines that parse, a report of what was skipped, the history they rebuild,
//! the events a UI replays, and where a fork cuts.

use std::ops::Range;

use super::line::{Parsed, parse_line};
use super::rebuild::{Rebuilt, is_real_user_message};
use super::{RolloutItem, SessionMeta};
use crate::protocol::{
    AgentMessageEvent, AgentReasoningEvent, ContentItem, EventMsg, ReasoningSummaryPart,
    ResponseItem, UserMessageEvent,
};

/// What reading skipped. Nothing here is an error: skipped lines are reported, never fatal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReadReport {
    /// Complete lines read (excluding blank lines and a torn tail).
    pub lines: usize,
    /// Lines of a kind this SDK does not know (e.g. `world_state`), skipped.
    pub unknown_kinds: usize,
    /// Lines that are not JSON or whose payload did not parse (e.g. an event type this SDK does not know),
    /// skipped.
    pub invalid_lines: usize,
    /// The file did not end with a newline: its last line was torn (a crash mid-write) and was ignored.
    pub torn_tail: bool,
}

/// One parsed line and where it sits in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutEntry {
    /// The line's timestamp.
    pub timestamp: String,
    /// Its content.
    pub item: RolloutItem,
    /// Its byte range in the file (without the newline).
    pub span: Range<usize>,
}

/// A whole rollout, read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolloutContents {
    /// The first `session_meta` line's payload.
    pub meta: Option<SessionMeta>,
    /// Every line that parsed, in file order (including the session meta).
    pub entries: Vec<RolloutEntry>,
    /// What was skipped.
    pub report: ReadReport,
}

/// Files above this size are parsed on several threads.
const PARALLEL_PARSE_MIN_BYTES: usize = 4 << 20;

impl RolloutContents {
    /// Parses a rollout's bytes. Invalid UTF-8 makes a line invalid, not the file.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Self {
        // Large files are parsed on every core, in chunks cut at line ends, then joined in order.
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        if threads < 2 || bytes.len() < PARALLEL_PARSE_MIN_BYTES {
            return Self::parse_range(bytes, 0, bytes.len());
        }
        let threads = threads.min(8);
        let mut bounds = vec![0];
        for i in 1..threads {
            let target = bytes.len() * i / threads;
            let from = target.max(bounds.last().copied().unwrap_or(0));
            if let Some(p) = bytes[from..].iter().position(|b| *b == b'\n') {
                bounds.push(from + p + 1);
            }
        }
        bounds.push(bytes.len());
        bounds.dedup();
        let parts: Vec<Self> = std::thread::scope(|scope| {
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|w| {
                    let (from, to) = (w[0], w[1]);
                    scope.spawn(move || Self::parse_range(bytes, from, to))
                })
                .collect();
            handles
                .into_iter()
                .zip(bounds.windows(2))
                .map(|(h, w)| {
                    h.join()
                        .unwrap_or_else(|_| Self::parse_range(bytes, w[0], w[1]))
                })
                .collect()
        });
        let mut out = Self::default();
        for part in parts {
            if out.meta.is_none() {
                out.meta = part.meta;
            }
            out.entries.extend(part.entries);
            out.report.lines += part.report.lines;
            out.report.unknown_kinds += part.report.unknown_kinds;
            out.report.invalid_lines += part.report.invalid_lines;
            out.report.torn_tail = part.report.torn_tail;
        }
        out
    }

    /// Parses the lines in `bytes[from..to]` (spans stay absolute).
    fn parse_range(bytes: &[u8], from: usize, to: usize) -> Self {
        let mut out = Self::default();
        let mut start = from;
        while start < to {
            let Some(len) = bytes[start..to].iter().position(|b| *b == b'\n') else {
                out.report.torn_tail = true;
                break;
            };
            let span = start..start + len;
            start += len + 1;
            let raw = &bytes[span.clone()];
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.report.lines += 1;
            let parsed = match std::str::from_utf8(raw) {
                Ok(text) => parse_line(text),
                Err(_) => Parsed::Invalid,
            };
            match parsed {
                Parsed::Item(timestamp, item) => {
                    if let (RolloutItem::SessionMeta(meta), None) = (&item, &out.meta) {
                        out.meta = Some(meta.clone());
                    }
                    out.entries.push(RolloutEntry {
                        timestamp,
                        item,
                        span,
                    });
                }
                Parsed::UnknownKind => out.report.unknown_kinds += 1,
                Parsed::Invalid => out.report.invalid_lines += 1,
            }
        }
        if out.report.torn_tail {
            tracing::warn!("rollout ends with a torn line; ignored it");
        }
        out
    }

    /// The model-visible history these lines rebuild, compaction included.
    #[must_use]
    pub fn history(&self) -> Vec<ResponseItem> {
        history_from(self.entries.iter().map(|e| &e.item))
    }

    /// The events a UI replays to redraw the transcript: the persisted events when the file has user
    /// message events, else (files from writers that do not persist them) events derived from the history
    /// items.
    #[must_use]
    pub fn initial_messages(&self) -> Vec<EventMsg> {
        let has_user_events = self
            .entries
            .iter()
            .any(|e| matches!(&e.item, RolloutItem::EventMsg(EventMsg::UserMessage(_))));
        if has_user_events {
            return self
                .entries
                .iter()
                .filter_map(|e| match &e.item {
                    RolloutItem::EventMsg(msg) if super::is_persisted_event(msg) => {
                        Some(msg.clone())
                    }
                    _ => None,
                })
                .collect();
        }
        self.entries
            .iter()
            .flat_map(|e| match &e.item {
                RolloutItem::ResponseItem(item) => events_for_item(item),
                _ => Vec::new(),
            })
            .collect()
    }

    /// [`history`](Self::history) and [`initial_messages`](Self::initial_messages) in one pass, moving
    /// instead of cloning.
    #[must_use]
    pub fn into_history_and_messages(self) -> (Vec<ResponseItem>, Vec<EventMsg>) {
        let (rebuilt, messages) = self.into_rebuilt();
        (rebuilt.items, messages)
    }

    /// What resume needs, in one pass: the rebuilt state (history, folded user messages, usage) and the
    /// events to replay.
    pub(crate) fn into_rebuilt(self) -> (Rebuilt, Vec<EventMsg>) {
        let has_user_events = self
            .entries
            .iter()
            .any(|e| matches!(&e.item, RolloutItem::EventMsg(EventMsg::UserMessage(_))));
        let mut rebuilt = Rebuilt::default();
        let mut messages = Vec::new();
        for entry in self.entries {
            match entry.item {
                RolloutItem::EventMsg(msg) => {
                    if matches!(msg, EventMsg::TokenCount(_)) {
                        rebuilt.apply(RolloutItem::EventMsg(msg.clone()));
                    }
                    if has_user_events && super::is_persisted_event(&msg) {
                        messages.push(msg);
                    }
                }
                item => {
                    if !has_user_events && let RolloutItem::ResponseItem(i) = &item {
                        messages.extend(events_for_item(i));
                    }
                    rebuilt.apply(item);
                }
            }
        }
        (rebuilt, messages)
    }

    /// The index into [`entries`](Self::entries) where a fork that keeps everything before the `n`th
    /// (0-based) real user message cuts; `entries.len()` when there are not that many. The user message
    /// event and turn context written just before that message go with it.
    #[must_use]
    pub fn fork_cut(&self, n: usize) -> usize {
        let mut seen = 0;
        for (i, entry) in self.entries.iter().enumerate() {
            if let RolloutItem::ResponseItem(item) = &entry.item
                && is_real_user_message(item)
            {
                if seen == n {
                    let mut cut = i;
                    while cut > 0
                        && matches!(
                            &self.entries[cut - 1].item,
                            RolloutItem::TurnContext(_)
                                | RolloutItem::EventMsg(EventMsg::UserMessage(_))
                        )
                    {
                        cut -= 1;
                    }
                    return cut;
                }
                seen += 1;
            }
        }
        self.entries.len()
    }
}

/// Rebuilds the history from rollout items: response items in order; a compaction replaces what came before
/// with its replacement history, or (a Codex CLI compaction, without one) with the initial context, the
/// user messages so far and the summary as a user message.
pub fn history_from<'a>(items: impl IntoIterator<Item = &'a RolloutItem>) -> Vec<ResponseItem> {
    let mut rebuilt = Rebuilt::default();
    for item in items {
        rebuilt.apply(item.clone());
    }
    rebuilt.items
}

fn events_for_item(item: &ResponseItem) -> Vec<EventMsg> {
    match item {
        ResponseItem::Message { role, content, .. } if role == "user" => {
            if !is_real_user_message(item) {
                return Vec::new();
            }
            let images: Vec<String> = content
                .iter()
                .filter_map(|c| match c {
                    ContentItem::InputImage { image_url } => Some(image_url.clone()),
                    _ => None,
                })
                .collect();
            let message = content
                .iter()
                .filter_map(|c| match c {
                    ContentItem::InputText { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n");
            vec![EventMsg::UserMessage(UserMessageEvent {
                message,
                images: (!images.is_empty()).then_some(images),
            })]
        }
        ResponseItem::Message { role, .. } if role == "assistant" => {
            vec![EventMsg::AgentMessage(AgentMessageEvent {
                message: item.message_text().unwrap_or_default(),
            })]
        }
        ResponseItem::Reasoning { summary, .. } => summary
            .iter()
            .map(|part| {
                let ReasoningSummaryPart::SummaryText { text } = part;
                EventMsg::AgentReasoning(AgentReasoningEvent { text: text.clone() })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The session meta of the first line of `bytes`, if it is one.
pub(crate) fn meta_from_head(bytes: &[u8]) -> Option<SessionMeta> {
    let end = bytes.iter().position(|b| *b == b'\n')?;
    let text = std::str::from_utf8(&bytes[..end]).ok()?;
    match parse_line(text) {
        Parsed::Item(_, RolloutItem::SessionMeta(meta)) => Some(meta),
        _ => None,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn parallel_parse_equals_serial_parse() {
        let mut text = String::from(
            r#"{"timestamp":"t","type":"session_meta","payload":{"id":"00000000-0000-7000-8000-000000000001","timestamp":"t","cwd":"/w","originator":"o","cli_version":"1"}}"#,
        );
        text.push('\n');
        let mut n = 0;
        while text.len() < PARALLEL_PARSE_MIN_BYTES * 2 {
            text.push_str(&format!(
                r#"{{"timestamp":"t{n}","type":"response_item","payload":{{"type":"message","role":"user","content":[{{"type":"input_text","text":"message {n}"}}]}}}}"#
            ));
            text.push('\n');
            if n % 1000 == 0 {
                text.push_str(
                    "{garbage\n{\"timestamp\":\"t\",\"type\":\"mystery\",\"payload\":{}}\n",
                );
            }
            n += 1;
        }
        text.push_str(r#"{"timestamp":"torn","type":"resp"#);
        let bytes = text.as_bytes();
        let parallel = RolloutContents::parse(bytes);
        let serial = RolloutContents::parse_range(bytes, 0, bytes.len());
        assert_eq!(parallel, serial);
        assert!(parallel.report.torn_tail);
        assert_eq!(parallel.entries.len(), n + 1);
        assert!(parallel.report.invalid_lines > 0 && parallel.report.unknown_kinds > 0);
    }

    use super::*;
    use crate::rollout::CompactedItem;
    use crate::rollout::rebuild::is_context_message;

    fn env() -> ResponseItem {
        ResponseItem::user_text("<environment_context>\n</environment_context>")
    }

    #[test]
    fn compaction_replaces_the_history_before_it() {
        let items = [
            RolloutItem::ResponseItem(env()),
            RolloutItem::ResponseItem(ResponseItem::user_text("one")),
            RolloutItem::ResponseItem(ResponseItem::assistant_text("a1")),
            RolloutItem::Compacted(CompactedItem {
                message: "summary 1".into(),
                replacement_history: None,
            }),
            RolloutItem::ResponseItem(ResponseItem::user_text("two")),
        ];
        assert_eq!(
            history_from(&items),
            vec![
                env(),
                ResponseItem::user_text("one"),
                ResponseItem::user_text("summary 1"),
                ResponseItem::user_text("two"),
            ]
        );
        let with_replacement = [
            RolloutItem::ResponseItem(ResponseItem::user_text("old")),
            RolloutItem::Compacted(CompactedItem {
                message: "s".into(),
                replacement_history: Some(vec![ResponseItem::user_text("replaced")]),
            }),
            RolloutItem::ResponseItem(ResponseItem::assistant_text("after")),
        ];
        assert_eq!(
            history_from(&with_replacement),
            vec![
                ResponseItem::user_text("replaced"),
                ResponseItem::assistant_text("after")
            ]
        );
    }

    #[test]
    fn context_messages_are_not_user_messages() {
        assert!(is_context_message(&env()));
        assert!(!is_real_user_message(&env()));
        assert!(is_real_user_message(&ResponseItem::user_text("hi")));
        assert!(!is_real_user_message(&ResponseItem::assistant_text("hi")));
        assert!(!is_real_user_message(&ResponseItem::user_text(
            "<user_instructions>x</user_instructions>"
        )));
    }

    #[test]
    fn garbage_never_fails_a_read() {
        let bytes = b"\n   \nnot json\n\xff\xfe\n{\"timestamp\":\"t\",\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":\"user\",\"content\":[]}}\n{\"torn";
        let contents = RolloutContents::parse(bytes);
        assert_eq!(
            contents.report,
            ReadReport {
                lines: 3,
                unknown_kinds: 0,
                invalid_lines: 2,
                torn_tail: true
            }
        );
        assert_eq!(contents.meta, None);
        assert_eq!(contents.entries.len(), 1);
        assert_eq!((contents.fork_cut(0), contents.fork_cut(1)), (0, 1));
    }
}
