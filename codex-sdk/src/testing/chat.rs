//! Builders for Chat Completions stream chunks (`chat.completion.chunk` objects), to feed
//! [`MockResponse::chat`](super::MockResponse::chat).

use serde_json::{Map, Value, json};

fn chunk(id: &str, choices: Value) -> Value {
    json!({
        "id": id,
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "mock-model",
        "choices": choices,
    })
}

fn delta_chunk(id: &str, delta: Value) -> Value {
    chunk(
        id,
        json!([{"index": 0, "delta": delta, "finish_reason": null}]),
    )
}

fn tool_call_json(index: u32, call_id: Option<&str>, name: Option<&str>, piece: &str) -> Value {
    let mut call = Map::new();
    call.insert("index".to_owned(), json!(index));
    if let Some(call_id) = call_id {
        call.insert("id".to_owned(), json!(call_id));
        call.insert("type".to_owned(), json!("function"));
    }
    let mut function = Map::new();
    if let Some(name) = name {
        function.insert("name".to_owned(), json!(name));
    }
    function.insert("arguments".to_owned(), json!(piece));
    call.insert("function".to_owned(), Value::Object(function));
    Value::Object(call)
}

/// A chunk carrying a piece of assistant text.
#[must_use]
pub fn content(id: &str, text: &str) -> Value {
    delta_chunk(id, json!({"role": "assistant", "content": text}))
}

/// A chunk carrying one tool-call delta: the call at `index`, its id and name (usually only in the first
/// delta of a call) and a piece of its arguments.
#[must_use]
pub fn tool_call_delta(
    id: &str,
    index: u32,
    call_id: Option<&str>,
    name: Option<&str>,
    arguments_piece: &str,
) -> Value {
    tool_call_deltas(id, &[(index, call_id, name, arguments_piece)])
}

/// A chunk carrying several tool-call deltas, each `(index, call_id, name, arguments_piece)`.
#[must_use]
pub fn tool_call_deltas(id: &str, calls: &[(u32, Option<&str>, Option<&str>, &str)]) -> Value {
    let calls: Vec<Value> = calls
        .iter()
        .map(|&(index, call_id, name, piece)| tool_call_json(index, call_id, name, piece))
        .collect();
    delta_chunk(id, json!({"tool_calls": calls}))
}

/// The final chunk of a choice: an empty delta and `finish_reason` (`stop`, `tool_calls`, `length`, …).
#[must_use]
pub fn finish(id: &str, reason: &str) -> Value {
    chunk(
        id,
        json!([{"index": 0, "delta": {}, "finish_reason": reason}]),
    )
}

/// A usage-only chunk (sent when `stream_options.include_usage` is set): no choices, token counts.
#[must_use]
pub fn usage(id: &str, prompt_tokens: u64, completion_tokens: u64) -> Value {
    let mut value = chunk(id, json!([]));
    value["usage"] = json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    });
    value
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let c = content("c", "hi");
        assert_eq!(c["object"], "chat.completion.chunk");
        assert_eq!(c["choices"][0]["delta"]["content"], "hi");

        let t = tool_call_delta("c", 1, Some("call_1"), Some("shell"), "{\"a\"");
        assert_eq!(
            t["choices"][0]["delta"]["tool_calls"],
            json!([{"index": 1, "id": "call_1", "type": "function",
                    "function": {"name": "shell", "arguments": "{\"a\""}}])
        );
        let t = tool_call_deltas("c", &[(0, None, None, "1}"), (1, Some("b"), Some("n"), "")]);
        let calls = t["choices"][0]["delta"]["tool_calls"].as_array().unwrap();
        assert_eq!(
            calls[0],
            json!({"index": 0, "function": {"arguments": "1}"}})
        );
        assert_eq!(calls[1]["id"], "b");

        assert_eq!(finish("c", "stop")["choices"][0]["finish_reason"], "stop");
        let u = usage("c", 3, 4);
        assert_eq!(u["usage"]["total_tokens"], 7);
        assert_eq!(u["choices"], json!([]));
    }
}
