//! Builders for Responses API stream events, to feed [`MockResponse::sse`](super::MockResponse::sse).
//!
//! Each function returns one event as JSON (its `"type"` field names the SSE event); the `*_response`
//! conveniences return a whole stream.

use serde_json::{Value, json};

use crate::protocol::TokenUsage;

/// `response.created`.
#[must_use]
pub fn created(response_id: &str) -> Value {
    json!({
        "type": "response.created",
        "response": {"id": response_id, "status": "in_progress"},
    })
}

/// `response.output_item.added` announcing an (empty) assistant message.
#[must_use]
pub fn output_item_added_message(item_id: &str) -> Value {
    json!({
        "type": "response.output_item.added",
        "item": {"type": "message", "role": "assistant", "id": item_id, "content": []},
    })
}

/// `response.output_text.delta`: a piece of assistant text.
#[must_use]
pub fn output_text_delta(delta: &str) -> Value {
    json!({"type": "response.output_text.delta", "delta": delta})
}

/// `response.output_item.done` with a complete assistant message holding `text`.
#[must_use]
pub fn assistant_message(item_id: &str, text: &str) -> Value {
    item_done(json!({
        "type": "message",
        "role": "assistant",
        "id": item_id,
        "content": [{"type": "output_text", "text": text}],
    }))
}

/// `response.output_item.done` with a function call; `arguments` is the JSON string the model produced.
#[must_use]
pub fn function_call(call_id: &str, name: &str, arguments: &str) -> Value {
    item_done(json!({
        "type": "function_call",
        "id": format!("fc_{call_id}"),
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }))
}

/// `response.output_item.done` with a freeform (custom) tool call.
#[must_use]
pub fn custom_tool_call(call_id: &str, name: &str, input: &str) -> Value {
    item_done(json!({
        "type": "custom_tool_call",
        "id": format!("ctc_{call_id}"),
        "call_id": call_id,
        "name": name,
        "input": input,
    }))
}

/// `response.output_item.added` announcing a hosted web search call.
#[must_use]
pub fn web_search_added(item_id: &str) -> Value {
    json!({
        "type": "response.output_item.added",
        "item": {"type": "web_search_call", "id": item_id, "status": "in_progress"},
    })
}

/// `response.output_item.done` with a finished hosted web search for `query`.
#[must_use]
pub fn web_search_done(item_id: &str, query: &str) -> Value {
    item_done(json!({
        "type": "web_search_call",
        "id": item_id,
        "status": "completed",
        "action": {"type": "search", "query": query},
    }))
}

/// `response.output_item.done` with a reasoning item holding summary parts and raw reasoning text.
#[must_use]
pub fn reasoning_with_content(item_id: &str, summary_texts: &[&str], raw_texts: &[&str]) -> Value {
    let summary: Vec<Value> = summary_texts
        .iter()
        .map(|t| json!({"type": "summary_text", "text": t}))
        .collect();
    let content: Vec<Value> = raw_texts
        .iter()
        .map(|t| json!({"type": "reasoning_text", "text": t}))
        .collect();
    item_done(json!({"type": "reasoning", "id": item_id, "summary": summary, "content": content}))
}

/// `response.output_item.done` with a reasoning item whose summary has one part per text.
#[must_use]
pub fn reasoning(item_id: &str, summary_texts: &[&str]) -> Value {
    let summary: Vec<Value> = summary_texts
        .iter()
        .map(|text| json!({"type": "summary_text", "text": text}))
        .collect();
    item_done(json!({"type": "reasoning", "id": item_id, "summary": summary}))
}

/// `response.reasoning_summary_text.delta`.
#[must_use]
pub fn reasoning_summary_delta(delta: &str) -> Value {
    json!({"type": "response.reasoning_summary_text.delta", "delta": delta, "summary_index": 0})
}

/// `response.reasoning_text.delta` (raw reasoning).
#[must_use]
pub fn reasoning_text_delta(delta: &str) -> Value {
    json!({"type": "response.reasoning_text.delta", "delta": delta, "content_index": 0})
}

/// `response.completed` with all-zero usage.
#[must_use]
pub fn completed(response_id: &str) -> Value {
    completed_with_usage(response_id, &TokenUsage::default())
}

/// `response.completed` carrying `usage` in the wire format.
#[must_use]
pub fn completed_with_usage(response_id: &str, usage: &TokenUsage) -> Value {
    json!({
        "type": "response.completed",
        "response": {
            "id": response_id,
            "status": "completed",
            "usage": {
                "input_tokens": usage.input_tokens,
                "input_tokens_details": {"cached_tokens": usage.cached_input_tokens},
                "output_tokens": usage.output_tokens,
                "output_tokens_details": {"reasoning_tokens": usage.reasoning_output_tokens},
                "total_tokens": usage.total_tokens,
            },
        },
    })
}

/// `response.failed` with `response.error = {code, message}`.
#[must_use]
pub fn failed(code: &str, message: &str) -> Value {
    json!({
        "type": "response.failed",
        "response": {"status": "failed", "error": {"code": code, "message": message}},
    })
}

/// A whole text answer: `created`, `text` in up to three deltas, the done assistant message (item id
/// `msg_{response_id}`), `completed`.
#[must_use]
pub fn text_response(response_id: &str, text: &str) -> Vec<Value> {
    let mut events = vec![created(response_id)];
    events.extend(split_in_three(text).into_iter().map(output_text_delta));
    events.push(assistant_message(&format!("msg_{response_id}"), text));
    events.push(completed(response_id));
    events
}

/// A whole tool-call answer: `created`, the done function call, `completed`.
#[must_use]
pub fn tool_call_response(
    response_id: &str,
    call_id: &str,
    name: &str,
    arguments: &str,
) -> Vec<Value> {
    vec![
        created(response_id),
        function_call(call_id, name, arguments),
        completed(response_id),
    ]
}

fn item_done(item: Value) -> Value {
    json!({"type": "response.output_item.done", "item": item})
}

/// Splits `text` at char boundaries into at most three non-empty pieces of similar length.
fn split_in_three(text: &str) -> Vec<&str> {
    let chars = text.chars().count();
    let step = chars.div_ceil(3).max(1);
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest
            .char_indices()
            .nth(step)
            .map_or(rest.len(), |(index, _)| index);
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::protocol::ResponseItem;

    #[test]
    fn split_keeps_text_and_char_boundaries() {
        assert_eq!(split_in_three("abcdefg"), ["abc", "def", "g"]);
        assert_eq!(split_in_three("héllo wörld"), ["héll", "o wö", "rld"]);
        assert_eq!(split_in_three("ab"), ["a", "b"]);
        assert!(split_in_three("").is_empty());
    }

    #[test]
    fn text_response_sequence() {
        let events = text_response("r1", "Hello there");
        let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "response.created",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_item.done",
                "response.completed"
            ]
        );
        let joined: String = events[1..4]
            .iter()
            .map(|e| e["delta"].as_str().unwrap())
            .collect();
        assert_eq!(joined, "Hello there");
    }

    #[test]
    fn items_deserialize_as_response_items() {
        let item = |v: Value| serde_json::from_value::<ResponseItem>(v["item"].clone()).unwrap();
        assert_eq!(
            item(assistant_message("m", "hi")).message_text().as_deref(),
            Some("hi")
        );
        assert!(matches!(
            item(function_call("c1", "shell", "{}")),
            ResponseItem::FunctionCall { ref call_id, .. } if call_id == "c1"
        ));
        assert!(matches!(
            item(custom_tool_call("c2", "apply_patch", "x")),
            ResponseItem::CustomToolCall { ref input, .. } if input == "x"
        ));
        assert!(matches!(
            item(reasoning("r", &["a", "b"])),
            ResponseItem::Reasoning { ref summary, .. } if summary.len() == 2
        ));
    }

    #[test]
    fn usage_wire_format() {
        let usage = TokenUsage {
            input_tokens: 10,
            cached_input_tokens: 4,
            output_tokens: 7,
            reasoning_output_tokens: 2,
            total_tokens: 17,
        };
        let event = completed_with_usage("r", &usage);
        assert_eq!(
            event["response"]["usage"],
            json!({
                "input_tokens": 10,
                "input_tokens_details": {"cached_tokens": 4},
                "output_tokens": 7,
                "output_tokens_details": {"reasoning_tokens": 2},
                "total_tokens": 17,
            })
        );
        assert_eq!(failed("x", "y")["response"]["error"]["code"], "x");
    }
}
