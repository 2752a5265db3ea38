//! Rebuilding a conversation's state from its rollout: the model-visible history (compactions included),
//! the user messages that compactions folded away, and the token usage and rate limits last reported.
//!
//! Compactions come in two shapes. This SDK records the history that replaced the old one
//! (`replacement_history`), so resuming yields exactly what it had in memory. Codex CLI records only the
//! summary; its history is rebuilt as Codex rebuilds it: the initial context (everything before the first
//! user message), the user messages so far (newest first within a budget, the oldest kept one truncated in
//! the middle), then the summary as a user message.

use super::RolloutItem;
use crate::protocol::{EventMsg, RateLimitSnapshot, ResponseItem, TokenUsageInfo};
use crate::tools::handlers::truncate_middle;

/// Marks the user message that bridges a history compacted by this SDK.
pub(crate) const BRIDGE_MARKER: &str = "<compacted_history>";

/// How Codex CLI starts the user message holding a compaction summary.
const CODEX_SUMMARY_PREFIX: &str = "Another language model started to solve this problem and produced a summary of its thinking process.";

/// How much of the user messages a rebuilt Codex-style history keeps, in bytes (about 20k tokens, the
/// budget Codex CLI uses).
pub(crate) const USER_MESSAGES_BUDGET_BYTES: usize = 80_000;

/// Prefixes of user-role messages that carry context rather than something the user typed.
const CONTEXT_PREFIXES: [&str; 4] = [
    "<environment_context>",
    "<user_instructions>",
    "# AGENTS.md instructions",
    "<INSTRUCTIONS>",
];

fn user_text(item: &ResponseItem) -> Option<String> {
    match item {
        ResponseItem::Message { role, .. } if role == "user" => item.message_text(),
        _ => None,
    }
}

/// A user message holding context (environment, instructions), not user input.
#[must_use]
pub fn is_context_message(item: &ResponseItem) -> bool {
    user_text(item).is_some_and(|t| {
        let t = t.trim_start();
        CONTEXT_PREFIXES.iter().any(|p| t.starts_with(p))
    })
}

/// A user message that stands for compacted history: this SDK's bridge or a Codex CLI summary.
#[must_use]
pub fn is_compaction_summary(item: &ResponseItem) -> bool {
    user_text(item)
        .is_some_and(|t| t.starts_with(BRIDGE_MARKER) || t.starts_with(CODEX_SUMMARY_PREFIX))
}

/// A user message the user wrote (not instructions, environment context or a compaction summary).
#[must_use]
pub fn is_real_user_message(item: &ResponseItem) -> bool {
    user_text(item).is_some() && !is_context_message(item) && !is_compaction_summary(item)
}

/// The items before the first user message (real or a compaction summary): the context the conversation
/// started with, which survives compaction.
pub(crate) fn initial_context(items: &[ResponseItem]) -> Vec<ResponseItem> {
    let end = items
        .iter()
        .position(|i| user_text(i).is_some() && !is_context_message(i))
        .unwrap_or(items.len());
    items[..end].to_vec()
}

/// The texts of the real user messages in `items`, oldest first.
pub(crate) fn real_user_messages(items: &[ResponseItem]) -> Vec<String> {
    items
        .iter()
        .filter(|i| is_real_user_message(i))
        .filter_map(ResponseItem::message_text)
        .collect()
}

/// A rough token count (four bytes a token), for histories no response has measured yet.
pub(crate) fn estimate_tokens(items: &[ResponseItem]) -> u64 {
    let bytes: usize = items
        .iter()
        .map(|i| serde_json::to_string(i).map_or(0, |s| s.len()))
        .sum();
    u64::try_from(bytes / 4).unwrap_or(u64::MAX)
}

/// The history a Codex CLI compaction left: `initial`, the user messages (newest first within the budget,
/// the oldest kept one middle-truncated), then `summary` as a user message.
pub(crate) fn codex_compacted_history(
    mut initial: Vec<ResponseItem>,
    user_messages: &[String],
    summary: &str,
) -> Vec<ResponseItem> {
    let mut kept = Vec::new();
    let mut left = USER_MESSAGES_BUDGET_BYTES;
    for message in user_messages.iter().rev() {
        if left == 0 {
            break;
        }
        if message.len() <= left {
            left -= message.len();
            kept.push(message.clone());
        } else {
            kept.push(truncate_middle(message, left));
            break;
        }
    }
    initial.extend(kept.into_iter().rev().map(ResponseItem::user_text));
    let summary = if summary.is_empty() {
        "(no summary available)"
    } else {
        summary
    };
    initial.push(ResponseItem::user_text(summary));
    initial
}

/// A conversation's state rebuilt from its rollout lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Rebuilt {
    /// The model-visible history.
    pub(crate) items: Vec<ResponseItem>,
    /// The real user messages that this SDK's compactions folded into the history's bridge, oldest first.
    pub(crate) folded_user_messages: Vec<String>,
    /// The token usage last reported.
    pub(crate) token_info: Option<TokenUsageInfo>,
    /// The rate limits last reported.
    pub(crate) rate_limits: Option<RateLimitSnapshot>,
    /// The tokens the history occupies in the context window: the last response's, or an estimate when a
    /// compaction came after it.
    pub(crate) context_tokens: u64,
}

impl Rebuilt {
    /// Applies one rollout line.
    pub(crate) fn apply(&mut self, item: RolloutItem) {
        match item {
            RolloutItem::ResponseItem(item) => self.items.push(item),
            RolloutItem::Compacted(compacted) => {
                match compacted.replacement_history {
                    // A replacement that keeps user messages as messages (Codex CLI's) holds what it
                    // kept of them itself; this SDK's bridge does not, so they are remembered here.
                    Some(replacement) if real_user_messages(&replacement).is_empty() => {
                        self.folded_user_messages
                            .extend(real_user_messages(&self.items));
                        self.items = replacement;
                    }
                    Some(replacement) => {
                        self.folded_user_messages.clear();
                        self.items = replacement;
                    }
                    None => {
                        let mut users = std::mem::take(&mut self.folded_user_messages);
                        users.extend(real_user_messages(&self.items));
                        self.items = codex_compacted_history(
                            initial_context(&self.items),
                            &users,
                            &compacted.message,
                        );
                    }
                }
                self.context_tokens = estimate_tokens(&self.items);
            }
            RolloutItem::EventMsg(EventMsg::TokenCount(count)) => {
                if let Some(info) = count.info {
                    self.context_tokens = info.last_token_usage.tokens_in_context_window();
                    self.token_info = Some(info);
                }
                if count.rate_limits.is_some() {
                    self.rate_limits = count.rate_limits;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{TokenCountEvent, TokenUsage};
    use crate::rollout::CompactedItem;
    use pretty_assertions::assert_eq;

    fn developer(text: &str) -> ResponseItem {
        ResponseItem::Message {
            id: None,
            role: "developer".into(),
            content: vec![crate::protocol::ContentItem::InputText { text: text.into() }],
        }
    }

    #[test]
    fn a_codex_compaction_is_rebuilt_as_codex_rebuilds_it() {
        let env = ResponseItem::user_text("<environment_context>\n</environment_context>");
        let summary2 = format!("{CODEX_SUMMARY_PREFIX} Here it is:\nsecond");
        let items = [
            RolloutItem::ResponseItem(developer("<permissions instructions>")),
            RolloutItem::ResponseItem(env.clone()),
            RolloutItem::ResponseItem(ResponseItem::user_text("one")),
            RolloutItem::ResponseItem(ResponseItem::assistant_text("a1")),
            RolloutItem::Compacted(CompactedItem {
                message: format!("{CODEX_SUMMARY_PREFIX} Here it is:\nfirst"),
                replacement_history: None,
            }),
            RolloutItem::ResponseItem(ResponseItem::user_text("two")),
            RolloutItem::Compacted(CompactedItem {
                message: summary2.clone(),
                replacement_history: None,
            }),
        ];
        let mut rebuilt = Rebuilt::default();
        for item in items {
            rebuilt.apply(item);
        }
        // Developer messages stay in the initial context; the first summary is not a user message.
        assert_eq!(
            rebuilt.items,
            vec![
                developer("<permissions instructions>"),
                env,
                ResponseItem::user_text("one"),
                ResponseItem::user_text("two"),
                ResponseItem::user_text(summary2),
            ]
        );
        assert!(rebuilt.folded_user_messages.is_empty());
    }

    #[test]
    fn user_messages_kept_in_a_codex_replacement_are_not_also_folded() {
        let env = ResponseItem::user_text("<environment_context>\n</environment_context>");
        let mut rebuilt = Rebuilt::default();
        rebuilt.apply(RolloutItem::ResponseItem(env.clone()));
        rebuilt.apply(RolloutItem::ResponseItem(ResponseItem::user_text("one")));
        // This SDK's bridge: the user message is remembered.
        rebuilt.apply(RolloutItem::Compacted(CompactedItem {
            message: "s".into(),
            replacement_history: Some(vec![
                env.clone(),
                ResponseItem::user_text("<compacted_history>\ns"),
            ]),
        }));
        assert_eq!(rebuilt.folded_user_messages, ["one"]);
        // Codex CLI's replacement keeps the messages itself.
        rebuilt.apply(RolloutItem::Compacted(CompactedItem {
            message: "s2".into(),
            replacement_history: Some(vec![env, ResponseItem::user_text("one")]),
        }));
        assert!(rebuilt.folded_user_messages.is_empty());
    }

    #[test]
    fn codex_style_history_keeps_the_newest_messages_within_the_budget() {
        let big = "x".repeat(USER_MESSAGES_BUDGET_BYTES - 10);
        let older = "y".repeat(100);
        let out = codex_compacted_history(Vec::new(), &["dropped".into(), older, big.clone()], "S");
        assert_eq!(out.len(), 3);
        assert_eq!(out[1], ResponseItem::user_text(big));
        let kept = out[0].message_text().unwrap();
        assert!(kept.len() < 100 && kept.contains("truncated"), "{kept}");
        assert_eq!(out[2], ResponseItem::user_text("S"));
    }

    #[test]
    fn usage_and_limits_are_the_last_reported_until_a_compaction() {
        let usage = TokenUsage {
            input_tokens: 900,
            output_tokens: 100,
            total_tokens: 1000,
            ..TokenUsage::default()
        };
        let mut info = TokenUsageInfo::default();
        info.append(&usage);
        let mut rebuilt = Rebuilt::default();
        rebuilt.apply(RolloutItem::EventMsg(EventMsg::TokenCount(
            TokenCountEvent {
                info: Some(info),
                rate_limits: None,
            },
        )));
        assert_eq!(
            (rebuilt.token_info, rebuilt.context_tokens),
            (Some(info), 1000)
        );
        rebuilt.apply(RolloutItem::Compacted(CompactedItem {
            message: "s".into(),
            replacement_history: Some(vec![ResponseItem::user_text("<compacted_history>\nx")]),
        }));
        assert!(rebuilt.context_tokens < 100);
        assert_eq!(rebuilt.token_info, Some(info));
    }
}
