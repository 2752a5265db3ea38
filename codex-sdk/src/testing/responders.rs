//! Ready-made responders for [`MockServer::respond_with`](super::MockServer::respond_with): answers
//! computed from each request's content, so any number of conversations can share one server at once.

use serde_json::Value;

use super::{MockResponse, RecordedRequest, sse};

/// A responder that gives every user turn one call of the tool `name` with `arguments`, then `text` once
/// the tool's output comes back — the one-tool-call turn, for any number of concurrent conversations.
///
/// It decides from the request's `input`: when the last item is a tool output (`function_call_output` or
/// `custom_tool_call_output`) it answers `text`, otherwise it calls the tool. Call ids are numbered by the
/// calls already in the history, so they stay unique within each conversation.
pub fn tool_call_then_text(
    name: impl Into<String>,
    arguments: impl Into<String>,
    text: impl Into<String>,
) -> impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static {
    let (name, arguments, text) = (name.into(), arguments.into(), text.into());
    move |request| {
        let body = request.json();
        let input = body.get("input").and_then(Value::as_array);
        let kind = |item: &Value| {
            item.get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let last = input.and_then(|items| items.last()).map(kind);
        let calls = input.map_or(0, |items| {
            items
                .iter()
                .filter(|item| kind(item) == "function_call")
                .count()
        });
        let response_id = format!("resp_{}", calls * 2 + usize::from(last.is_some()));
        match last.as_deref() {
            Some("function_call_output" | "custom_tool_call_output") => {
                MockResponse::sse(sse::text_response(&response_id, &text))
            }
            _ => MockResponse::sse(sse::tool_call_response(
                &response_id,
                &format!("call_{}", calls + 1),
                &name,
                &arguments,
            )),
        }
    }
}
