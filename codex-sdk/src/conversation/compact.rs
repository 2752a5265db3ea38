//! Compaction: when the history nears the context window (or on [`Op::Compact`](crate::protocol::Op)),
//! the model writes a hand-off summary and the history is replaced by the initial context plus one bridge
//! message holding every user message of the conversation so far and the summary.
//!
//! A bridge is never nested in a later bridge: the history remembers the user messages earlier compactions
//! folded away (a resumed conversation recovers them from its rollout), and each compaction renders all of
//! them afresh, middle-truncated to one budget when they are too long — so none is silently lost.
//!
//! The old history is replaced in one step at the end, so an interrupt during compaction leaves it intact.

use super::sampling::sample_with_retries;
use super::shared::{SessionShared, TurnContext, TurnEnv, build_prompt, report_usage};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::protocol::{
    CompactionTrigger, ContextCompactionBeginEvent, ContextCompactionEndEvent, EventMsg,
    ResponseItem,
};
use crate::rollout::rebuild::{
    BRIDGE_MARKER, USER_MESSAGES_BUDGET_BYTES, estimate_tokens, initial_context, real_user_messages,
};
use crate::tools::handlers::truncate_middle;

/// The SDK's summarization prompt (overridable with `compact_prompt`).
pub const COMPACT_PROMPT: &str = include_str!("prompts/compact.md");

/// The SDK's bridge template (overridable with `compact_bridge_template`); `{user_messages}` and `{summary}`
/// are substituted.
pub const COMPACT_BRIDGE_TEMPLATE: &str = include_str!("prompts/compact_bridge.md");

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
    let (old, folded) = {
        let history = env.lock_history();
        (
            history.for_prompt(),
            history.folded_user_messages().to_vec(),
        )
    };
    let mut user_messages = folded;
    user_messages.extend(real_user_messages(&old));
    let replacement =
        build_compacted_history(&old, &user_messages, &summary, &shared.compact_template);
    let estimated_tokens = estimate_tokens(&replacement);
    env.lock_history()
        .replace_compacted(replacement.clone(), user_messages);
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
/// rendering `template` with `user_messages` (every real user message of the conversation, oldest first;
/// middle-truncated to a budget) and `summary`. Resuming a compacted rollout yields the same items, so the
/// next request is the same.
#[must_use]
pub fn build_compacted_history(
    history: &[ResponseItem],
    user_messages: &[String],
    summary: &str,
    template: &str,
) -> Vec<ResponseItem> {
    let mut out = initial_context(history);
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
        let users = real_user_messages(&history);
        let out = build_compacted_history(
            &history,
            &users,
            " done: X ",
            "U:\n{user_messages}\nS:\n{summary}",
        );
        assert_eq!(
            out,
            vec![
                env,
                ResponseItem::user_text(
                    "<compacted_history>\nU:\nfix the bug\n\nalso add a test\nS:\ndone: X"
                ),
            ]
        );
        // The AGENTS.md message is initial context too: kept, never summarized as a user message.
        let agents = ResponseItem::user_text(
            "# AGENTS.md instructions for /x\n\n<INSTRUCTIONS>\nrun tests\n</INSTRUCTIONS>",
        );
        let mut with_docs = vec![agents.clone()];
        with_docs.extend(history.iter().cloned());
        assert_eq!(real_user_messages(&with_docs), users);
        let kept = build_compacted_history(&with_docs, &users, "S", "{user_messages}|{summary}");
        assert_eq!(
            kept,
            vec![
                agents,
                history[0].clone(),
                ResponseItem::user_text("<compacted_history>\nfix the bug\n\nalso add a test|S"),
            ]
        );
        // The bridge itself is not a user message: a later compaction gets the folded messages from the
        // history (see `History::folded_user_messages`) and renders them again, unnested.
        assert!(real_user_messages(&out).is_empty());
        let mut all = users;
        all.push("third".into());
        let again = build_compacted_history(&out, &all, "later", "U:{user_messages} S:{summary}");
        assert_eq!(
            again[1],
            ResponseItem::user_text(
                "<compacted_history>\nU:fix the bug\n\nalso add a test\n\nthird S:later"
            )
        );
        assert_eq!(again.len(), 2);
    }
}
