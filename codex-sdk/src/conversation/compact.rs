//! Compaction: when the history nears the context window (or on [`Op::Compact`](crate::protocol::Op)),
//! the model writes a hand-off summary and the history is replaced by the initial context plus one bridge
//! message holding the earlier user messages and the summary.
//!
//! The old history is replaced in one step at the end, so an interrupt during compaction leaves it intact.

use super::history::History;
use super::sampling::sample_with_retries;
use super::shared::{SessionShared, TurnContext, TurnEnv, build_prompt, report_usage};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::protocol::{
    CompactionTrigger, ContextCompactionBeginEvent, ContextCompactionEndEvent, EventMsg,
    ResponseItem,
};
use crate::tools::handlers::truncate_middle;

/// The SDK's summarization prompt (overridable with `compact_prompt`).
pub const COMPACT_PROMPT: &str = include_str!("prompts/compact.md");

/// The SDK's bridge template (overridable with `compact_bridge_template`); `{user_messages}` and `{summary}`
/// are substituted.
pub const COMPACT_BRIDGE_TEMPLATE: &str = include_str!("prompts/compact_bridge.md");

/// Marks a bridge message, so a later compaction does not count it as something the user wrote.
const BRIDGE_MARKER: &str = "<compacted_history>";

/// How much of the earlier user messages the bridge keeps, in bytes (about 20k tokens).
const USER_MESSAGES_BUDGET_BYTES: usize = 80_000;

/// Compacts `env`'s history in place.
///
/// # Errors
/// The sampling error when the summary request fails; [`Error::ContextWindowExceeded`] when the compacted
/// history is still above the auto-compaction limit (rather than compacting in a loop).
pub(crate) async fn compact(
    shared: &SessionShared,
    env: &TurnEnv,
    tc: &TurnContext,
    sink: &EventSink,
    trigger: CompactionTrigger,
) -> Result<()> {
    sink.send(EventMsg::ContextCompactionBegin(
        ContextCompactionBeginEvent { trigger },
    ))
    .await;
    let mut prompt = build_prompt(shared, env, tc);
    prompt.tools.clear();
    prompt.output_schema = None;
    prompt
        .input
        .push(ResponseItem::user_text(shared.compact_prompt.clone()));
    let sample = sample_with_retries(shared, tc, sink, &prompt, true).await?;
    report_usage(shared, tc, sink, sample.usage.as_ref()).await;
    let summary = sample
        .items
        .iter()
        .rev()
        .find_map(|item| match item {
            ResponseItem::Message { role, .. } if role == "assistant" => item.message_text(),
            _ => None,
        })
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Error::Stream {
            message: "the model returned no summary for compaction".to_owned(),
            retry_after: None,
        })?;
    let old = env.lock_history().for_prompt();
    let replacement = build_compacted_history(&old, &summary, &shared.compact_template);
    let estimated_tokens = estimate_tokens(&replacement);
    env.lock_history().replace(replacement.clone());
    shared.set_context_tokens(estimated_tokens);
    sink.send(EventMsg::ContextCompactionEnd(ContextCompactionEndEvent {
        summary,
        replacement_history: replacement,
        estimated_tokens,
    }))
    .await;
    if estimated_tokens >= tc.auto_compact_limit {
        return Err(Error::ContextWindowExceeded {
            message: format!(
                "the history is still about {estimated_tokens} tokens after compaction, above the limit of {}",
                tc.auto_compact_limit
            ),
        });
    }
    Ok(())
}

/// The history that replaces `history` after compaction: its initial context, then one user message
/// rendering `template` with the earlier user messages (middle-truncated to a budget) and `summary`.
/// Resuming a compacted rollout yields the same items, so the next request is the same.
#[must_use]
pub fn build_compacted_history(
    history: &[ResponseItem],
    summary: &str,
    template: &str,
) -> Vec<ResponseItem> {
    let mut out: Vec<ResponseItem> = history
        .iter()
        .take_while(|item| History::is_initial_context(item))
        .cloned()
        .collect();
    let user_messages: Vec<String> = history
        .iter()
        .filter(|item| !History::is_initial_context(item))
        .filter_map(|item| match item {
            ResponseItem::Message { role, .. } if role == "user" => item.message_text(),
            _ => None,
        })
        .filter(|text| !text.starts_with(BRIDGE_MARKER))
        .collect();
    let joined = if user_messages.is_empty() {
        "(none)".to_owned()
    } else {
        truncate_middle(&user_messages.join("\n\n"), USER_MESSAGES_BUDGET_BYTES)
    };
    let body = template
        .replace("{user_messages}", &joined)
        .replace("{summary}", summary.trim());
    out.push(ResponseItem::user_text(format!("{BRIDGE_MARKER}\n{body}")));
    out
}

/// A rough token count (four bytes a token), used only to decide whether compaction helped.
fn estimate_tokens(items: &[ResponseItem]) -> u64 {
    let bytes: usize = items
        .iter()
        .map(|i| serde_json::to_string(i).map_or(0, |s| s.len()))
        .sum();
    u64::try_from(bytes / 4).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn bridge_keeps_initial_context_and_user_messages() {
        let env = ResponseItem::user_text(
            "<environment_context>\n  <cwd>/x</cwd>\n</environment_context>",
        );
        let history = vec![
            env.clone(),
            ResponseItem::user_text("fix the bug"),
            ResponseItem::assistant_text("looking"),
            ResponseItem::user_text("also add a test"),
        ];
        let out =
            build_compacted_history(&history, " done: X ", "U:\n{user_messages}\nS:\n{summary}");
        assert_eq!(
            out,
            vec![
                env,
                ResponseItem::user_text(
                    "<compacted_history>\nU:\nfix the bug\n\nalso add a test\nS:\ndone: X"
                ),
            ]
        );
        // A second compaction does not nest the first bridge.
        let again = build_compacted_history(&out, "later", "U:{user_messages} S:{summary}");
        assert_eq!(
            again[1],
            ResponseItem::user_text("<compacted_history>\nU:(none) S:later")
        );
    }
}
