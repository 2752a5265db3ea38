//! The model-visible history of a conversation and the conversion of user input into history items.

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result};
use crate::protocol::{
    ContentItem, FunctionCallOutputPayload, ResponseItem, UserInput, UserMessageEvent,
};

/// The items sent to the model on every request, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct History {
    items: Vec<ResponseItem>,
    /// The real user messages earlier compactions folded into the bridge, oldest first; the next
    /// compaction renders them again with the newer ones.
    folded_user_messages: Vec<String>,
}

impl History {
    pub(crate) fn push(&mut self, item: ResponseItem) {
        self.items.push(item);
    }

    /// What the next request sends.
    pub(crate) fn for_prompt(&self) -> Vec<ResponseItem> {
        self.items
            .iter()
            .filter(|i| !matches!(i, ResponseItem::WebSearchCall { .. }))
            .cloned()
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Replaces every item after a compaction whose bridge holds `user_messages` (every real user message
    /// so far).
    pub(crate) fn replace_compacted(
        &mut self,
        items: Vec<ResponseItem>,
        user_messages: Vec<String>,
    ) {
        self.items = items;
        self.folded_user_messages = user_messages;
    }

    /// The real user messages earlier compactions folded into the history's bridge, oldest first.
    pub(crate) fn folded_user_messages(&self) -> &[String] {
        &self.folded_user_messages
    }

    /// Sets the user messages a resumed conversation's compactions had folded away.
    pub(crate) fn with_folded_user_messages(mut self, messages: Vec<String>) -> Self {
        self.folded_user_messages = messages;
        self
    }

    /// After an aborted turn, answers every tool call that has no output yet, so the next request is valid
    /// (the API rejects a call without an output). Returns the added items.
    pub(crate) fn answer_unanswered_calls(&mut self, message: &str) -> Vec<ResponseItem> {
        let answered: HashSet<String> = self
            .items
            .iter()
            .filter_map(|i| match i {
                ResponseItem::FunctionCallOutput { call_id, .. }
                | ResponseItem::CustomToolCallOutput { call_id, .. } => Some(call_id.clone()),
                _ => None,
            })
            .collect();
        let missing: Vec<ResponseItem> = self
            .items
            .iter()
            .filter_map(|i| match i {
                ResponseItem::FunctionCall { .. } | ResponseItem::LocalShellCall { .. } => i
                    .call_id()
                    .filter(|id| !answered.contains(*id))
                    .map(|call_id| ResponseItem::FunctionCallOutput {
                        call_id: call_id.to_owned(),
                        output: FunctionCallOutputPayload::failure(message),
                    }),
                ResponseItem::CustomToolCall { call_id, .. } if !answered.contains(call_id) => {
                    Some(ResponseItem::CustomToolCallOutput {
                        call_id: call_id.clone(),
                        output: message.to_owned(),
                    })
                }
                _ => None,
            })
            .collect();
        self.items.extend(missing.iter().cloned());
        missing
    }
}

/// The output a resumed conversation gives a tool call that was cut off (by a crash, a kill, a full disk)
/// before its output was recorded.
pub(crate) const ABORTED_CALL_OUTPUT: &str =
    "aborted: the conversation ended before this call finished";

impl History {
    /// A history rebuilt from a rollout, made valid for the API (which rejects a tool call without its
    /// output, and an output without its call): a call without an output gets one saying it was aborted,
    /// right after the call (where Codex CLI puts it); an output whose call is missing is dropped, as
    /// nothing can pair it and the model cannot use it. The rollout itself is left as it is: the repair is
    /// made again, identically, on every resume.
    pub(crate) fn from_rollout(items: Vec<ResponseItem>) -> Self {
        let mut calls = HashSet::new();
        let mut outputs = HashSet::new();
        for item in &items {
            match item {
                ResponseItem::FunctionCall { .. }
                | ResponseItem::CustomToolCall { .. }
                | ResponseItem::LocalShellCall { .. } => {
                    calls.insert(item.call_id().unwrap_or_default().to_owned())
                }
                ResponseItem::FunctionCallOutput { call_id, .. }
                | ResponseItem::CustomToolCallOutput { call_id, .. } => {
                    outputs.insert(call_id.clone())
                }
                _ => false,
            };
        }
        let (mut added, mut dropped) = (0, 0);
        let mut history = Self::default();
        for item in items {
            let synthetic = match &item {
                ResponseItem::FunctionCallOutput { call_id, .. }
                | ResponseItem::CustomToolCallOutput { call_id, .. }
                    if !calls.contains(call_id) =>
                {
                    dropped += 1;
                    continue;
                }
                ResponseItem::FunctionCall { .. } | ResponseItem::LocalShellCall { .. } => item
                    .call_id()
                    .filter(|id| !outputs.contains(*id))
                    .map(|call_id| ResponseItem::FunctionCallOutput {
                        call_id: call_id.to_owned(),
                        output: FunctionCallOutputPayload::failure(ABORTED_CALL_OUTPUT),
                    }),
                ResponseItem::CustomToolCall { call_id, .. } if !outputs.contains(call_id) => {
                    Some(ResponseItem::CustomToolCallOutput {
                        call_id: call_id.clone(),
                        output: ABORTED_CALL_OUTPUT.to_owned(),
                    })
                }
                _ => None,
            };
            history.push(item);
            if let Some(output) = synthetic {
                added += 1;
                history.push(output);
            }
        }
        if added + dropped > 0 {
            tracing::info!(
                answered = added,
                dropped,
                "resumed history had unpaired tool calls or outputs"
            );
        }
        history
    }
}

/// Reads local images into `data:` URLs, so an unreadable file fails the submission before any request.
pub(crate) async fn resolve_local_images(items: Vec<UserInput>) -> Result<Vec<UserInput>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(match item {
            UserInput::LocalImage { path } => UserInput::Image {
                image_url: image_data_url(&path).await?,
            },
            other => other,
        });
    }
    Ok(out)
}

/// A `data:` URL for a local image the host submitted (regular files only, bounded, read off the runtime).
pub(crate) async fn image_data_url(path: &Path) -> Result<String> {
    crate::tools::handlers::image_data_url(path)
        .await
        .map_err(Error::InvalidInput)
}

/// The history item and the event for one piece of (already resolved) user input.
pub(crate) fn user_message(items: &[UserInput]) -> (ResponseItem, UserMessageEvent) {
    let mut content = Vec::with_capacity(items.len());
    let mut texts = Vec::new();
    let mut images = Vec::new();
    for item in items {
        match item {
            UserInput::Text { text } => {
                texts.push(text.clone());
                content.push(ContentItem::InputText { text: text.clone() });
            }
            UserInput::Image { image_url } => {
                images.push(image_url.clone());
                content.push(ContentItem::InputImage {
                    image_url: image_url.clone(),
                });
            }
            UserInput::LocalImage { path } => {
                // Only reachable if a caller skipped `resolve_local_images`; keep the path visible.
                let text = format!("[image: {}]", path.display());
                texts.push(text.clone());
                content.push(ContentItem::InputText { text });
            }
        }
    }
    let item = ResponseItem::Message {
        id: None,
        role: "user".to_owned(),
        content,
    };
    let event = UserMessageEvent {
        message: texts.join("\n"),
        images: (!images.is_empty()).then_some(images),
    };
    (item, event)
}

/// The environment description the model gets as the first user message.
pub(crate) fn environment_context(cwd: &Path, approval: &str, sandbox: &str) -> ResponseItem {
    let shell = std::env::var("SHELL").unwrap_or_else(|_| "sh".to_owned());
    ResponseItem::user_text(format!(
        "<environment_context>\n  <cwd>{}</cwd>\n  <approval_policy>{approval}</approval_policy>\n  \
         <sandbox_mode>{sandbox}</sandbox_mode>\n  <shell>{shell}</shell>\n</environment_context>",
        cwd.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unanswered_calls_get_an_output() {
        let mut h = History::default();
        h.push(ResponseItem::FunctionCall {
            id: None,
            name: "a".into(),
            arguments: "{}".into(),
            call_id: "c1".into(),
        });
        h.push(ResponseItem::FunctionCall {
            id: None,
            name: "b".into(),
            arguments: "{}".into(),
            call_id: "c2".into(),
        });
        h.push(ResponseItem::FunctionCallOutput {
            call_id: "c1".into(),
            output: FunctionCallOutputPayload::success("ok"),
        });
        let added = h.answer_unanswered_calls("aborted");
        assert_eq!(
            added,
            vec![ResponseItem::FunctionCallOutput {
                call_id: "c2".into(),
                output: FunctionCallOutputPayload::failure("aborted"),
            }]
        );
        assert!(h.answer_unanswered_calls("aborted").is_empty());
    }

    fn call(id: &str) -> ResponseItem {
        ResponseItem::FunctionCall {
            id: None,
            name: "shell".into(),
            arguments: "{}".into(),
            call_id: id.into(),
        }
    }

    fn output(id: &str, text: &str) -> ResponseItem {
        ResponseItem::FunctionCallOutput {
            call_id: id.into(),
            output: FunctionCallOutputPayload::success(text),
        }
    }

    #[test]
    fn a_rebuilt_history_pairs_every_call_with_an_output() {
        let custom = ResponseItem::CustomToolCall {
            id: None,
            call_id: "k".into(),
            name: "apply_patch".into(),
            input: "*** Begin Patch".into(),
        };
        let h = History::from_rollout(vec![
            ResponseItem::user_text("go"),
            call("a"),
            call("b"),
            output("b", "done"),
            output("ghost", "no call"),
            custom.clone(),
            call("c"),
        ]);
        assert_eq!(
            h.for_prompt(),
            vec![
                ResponseItem::user_text("go"),
                call("a"),
                ResponseItem::FunctionCallOutput {
                    call_id: "a".into(),
                    output: FunctionCallOutputPayload::failure(ABORTED_CALL_OUTPUT),
                },
                call("b"),
                output("b", "done"),
                custom,
                ResponseItem::CustomToolCallOutput {
                    call_id: "k".into(),
                    output: ABORTED_CALL_OUTPUT.into(),
                },
                call("c"),
                ResponseItem::FunctionCallOutput {
                    call_id: "c".into(),
                    output: FunctionCallOutputPayload::failure(ABORTED_CALL_OUTPUT),
                },
            ]
        );
        let whole = vec![ResponseItem::user_text("go"), call("a"), output("a", "ok")];
        assert_eq!(History::from_rollout(whole.clone()).for_prompt(), whole);
    }

    #[tokio::test]
    async fn unreadable_and_non_image_files_are_invalid_input() {
        let err = resolve_local_images(vec![UserInput::LocalImage {
            path: "/definitely/not/here.png".into(),
        }])
        .await
        .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.png");
        std::fs::write(&p, b"not an image").unwrap();
        let err = image_data_url(&p).await.unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        std::fs::write(&p, b"\x89PNG\r\n\x1a\nrest").unwrap();
        assert!(
            image_data_url(&p)
                .await
                .unwrap()
                .starts_with("data:image/png;base64,")
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_local_image_that_is_a_fifo_or_a_device_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.png");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        for path in [fifo.as_path(), Path::new("/dev/zero")] {
            let err =
                tokio::time::timeout(std::time::Duration::from_secs(20), image_data_url(path))
                    .await
                    .expect("no hang")
                    .unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }
}
