use pretty_assertions::assert_eq;

use super::*;
use crate::Error;
use crate::protocol::{ConversationId, FunctionCallOutputPayload, ReasoningSummary};

fn prompt(input: Vec<ResponseItem>) -> Prompt {
    Prompt {
        model: "local-model".into(),
        instructions: "be brief".into(),
        input,
        tools: vec![
            ToolSpec::Function {
                name: "shell".into(),
                description: "run".into(),
                strict: true,
                parameters: json!({"type": "object"}),
            },
            ToolSpec::Custom {
                name: "apply_patch".into(),
                description: "patch".into(),
                format: json!({"type": "text"}),
            },
            ToolSpec::WebSearch {},
        ],
        parallel_tool_calls: false,
        effort: None,
        summary: ReasoningSummary::Auto,
        reasoning: false,
        output_schema: None,
        conversation_id: ConversationId::new(),
        verbosity: None,
        max_output_tokens: None,
    }
}

fn call(call_id: &str, name: &str, arguments: &str) -> ResponseItem {
    ResponseItem::FunctionCall {
        id: None,
        name: name.into(),
        arguments: arguments.into(),
        call_id: call_id.into(),
    }
}

#[test]
fn request_body_messages_and_tools() {
    let p = prompt(vec![
        ResponseItem::Message {
            id: None,
            role: "developer".into(),
            content: vec![ContentItem::InputText { text: "dev".into() }],
        },
        ResponseItem::Message {
            id: None,
            role: "user".into(),
            content: vec![
                ContentItem::InputText {
                    text: "look ".into(),
                },
                ContentItem::InputText {
                    text: "here".into(),
                },
            ],
        },
        ResponseItem::Message {
            id: None,
            role: "user".into(),
            content: vec![
                ContentItem::InputText { text: "see".into() },
                ContentItem::InputImage {
                    image_url: "data:image/png;base64,AA".into(),
                },
            ],
        },
        ResponseItem::Reasoning {
            id: None,
            summary: vec![],
            content: None,
            encrypted_content: None,
        },
        ResponseItem::assistant_text("calling"),
        call("c1", "shell", "{\"a\":1}"),
        call("c2", "shell", "{\"b\":2}"),
        ResponseItem::FunctionCallOutput {
            call_id: "c1".into(),
            output: FunctionCallOutputPayload::success("one"),
        },
        ResponseItem::CustomToolCall {
            id: None,
            call_id: "x".into(),
            name: "apply_patch".into(),
            input: "…".into(),
        },
        ResponseItem::CustomToolCallOutput {
            call_id: "x".into(),
            output: "ok".into(),
        },
        ResponseItem::WebSearchCall {
            id: None,
            status: None,
            action: None,
        },
        ResponseItem::FunctionCallOutput {
            call_id: "c2".into(),
            output: FunctionCallOutputPayload::failure("two"),
        },
        call("c3", "shell", "{}"),
    ]);
    assert_eq!(
        ChatClient::request_body(&p),
        json!({
            "model": "local-model",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "developer", "content": "dev"},
                {"role": "user", "content": "look here"},
                {"role": "user", "content": [
                    {"type": "text", "text": "see"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
                ]},
                {"role": "assistant", "content": "calling"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": "{\"a\":1}"}},
                    {"id": "c2", "type": "function", "function": {"name": "shell", "arguments": "{\"b\":2}"}},
                ]},
                {"role": "tool", "tool_call_id": "c1", "content": "one"},
                {"role": "tool", "tool_call_id": "c2", "content": "two"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "c3", "type": "function", "function": {"name": "shell", "arguments": "{}"}},
                ]},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "tools": [
                {"type": "function", "function": {"name": "shell", "description": "run",
                                                  "parameters": {"type": "object"}}},
            ],
        })
    );
}

#[test]
fn no_tools_no_instructions_and_schema() {
    let mut p = prompt(vec![ResponseItem::user_text("q")]);
    p.tools.clear();
    p.instructions.clear();
    p.output_schema = Some(json!({"type": "object"}));
    assert_eq!(
        ChatClient::request_body(&p),
        json!({
            "model": "local-model",
            "messages": [{"role": "user", "content": "q"}],
            "stream": true,
            "stream_options": {"include_usage": true},
            "response_format": {"type": "json_schema", "json_schema": {
                "name": "codex_output_schema", "strict": true, "schema": {"type": "object"}}},
        })
    );
}

fn data(value: Value) -> SseEvent {
    SseEvent {
        event: None,
        data: value.to_string(),
    }
}

fn done() -> SseEvent {
    SseEvent {
        event: None,
        data: "[DONE]".into(),
    }
}

fn run(events: Vec<SseEvent>) -> (Vec<ResponseEvent>, Result<bool>) {
    let mut mapper = ChatMapper::default();
    let mut out = VecDeque::new();
    mapper.start(&mut out);
    for e in events {
        match mapper.on_event(e, &mut out) {
            Ok(false) => {}
            other => return (out.into(), other),
        }
    }
    let end = mapper.on_eof(&mut out).map(|()| false);
    (out.into(), end)
}

fn chunk(delta: Value, finish: Option<&str>) -> SseEvent {
    data(
        json!({"id": "chatcmpl-1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
    )
}

#[test]
fn tool_calls_in_pieces_then_usage_and_done() {
    let (events, end) = run(vec![
        chunk(json!({"role": "assistant", "content": "Let me "}), None),
        chunk(json!({"content": "check."}), None),
        chunk(
            json!({"tool_calls": [
                {"index": 1, "id": "call_b", "type": "function", "function": {"name": "read", "arguments": "{\"p"}},
                {"index": 0, "id": "call_a", "type": "function", "function": {"name": "shell", "arguments": ""}},
            ]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [
                {"index": 0, "function": {"arguments": "{\"cmd\":"}},
                {"index": 1, "function": {"arguments": "\":1}"}},
            ]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"ls\"}"}}]}),
            None,
        ),
        chunk(json!({}), Some("tool_calls")),
        data(json!({"id": "chatcmpl-1", "choices": [], "usage": {
            "prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16,
            "prompt_tokens_details": {"cached_tokens": 3}}})),
        done(),
    ]);
    assert!(matches!(end, Ok(true)), "{end:?}");
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("Let me ".into()),
            ResponseEvent::OutputTextDelta("check.".into()),
            ResponseEvent::OutputItemDone(ResponseItem::assistant_text("Let me check.")),
            ResponseEvent::OutputItemDone(call("call_a", "shell", "{\"cmd\":\"ls\"}")),
            ResponseEvent::OutputItemDone(call("call_b", "read", "{\"p\":1}")),
            ResponseEvent::Completed {
                response_id: "chatcmpl-1".into(),
                token_usage: Some(TokenUsage {
                    input_tokens: 11,
                    cached_input_tokens: 3,
                    output_tokens: 5,
                    reasoning_output_tokens: 0,
                    total_tokens: 16,
                }),
            },
        ]
    );
}

#[test]
fn done_without_finish_reason_completes() {
    let (events, end) = run(vec![chunk(json!({"content": "hi"}), None), done()]);
    assert!(matches!(end, Ok(true)));
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("hi".into()),
            ResponseEvent::OutputItemDone(ResponseItem::assistant_text("hi")),
            ResponseEvent::Completed {
                response_id: "chatcmpl-1".into(),
                token_usage: None
            },
        ]
    );
}

#[test]
fn finish_then_eof_completes_but_bare_eof_fails() {
    let (events, end) = run(vec![chunk(json!({"content": "hi"}), Some("stop"))]);
    assert!(matches!(end, Ok(false)), "{end:?}");
    assert_eq!(events.len(), 4);
    assert!(matches!(events[3], ResponseEvent::Completed { .. }));

    let (events, end) = run(vec![chunk(json!({"content": "hi"}), None)]);
    assert_eq!(events.len(), 2);
    assert!(matches!(end, Err(Error::Stream { .. })), "{end:?}");
}

#[test]
fn malformed_chunks_and_error_chunks() {
    let (_, end) = run(vec![data(json!(1)), done()]);
    assert!(matches!(end, Err(Error::Stream { .. })), "{end:?}");
    let (_, end) = run(vec![SseEvent {
        event: None,
        data: "{\"choices\": [".into(),
    }]);
    assert!(matches!(end, Err(Error::Stream { .. })), "{end:?}");
    let (_, end) = run(vec![data(
        json!({"error": {"code": "context_length_exceeded", "message": "m"}}),
    )]);
    assert!(
        matches!(end, Err(Error::ContextWindowExceeded { .. })),
        "{end:?}"
    );
    let (_, end) = run(vec![data(json!({"error": "overloaded"}))]);
    assert!(
        matches!(end, Err(Error::Stream { ref message, .. }) if message == "overloaded"),
        "{end:?}"
    );
    // A tool call that never got a name cannot be dispatched.
    let (_, end) = run(vec![
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "c", "function": {"arguments": "{}"}}]}),
            None,
        ),
        done(),
    ]);
    assert!(matches!(end, Err(Error::Stream { .. })), "{end:?}");
}

#[test]
fn missing_index_and_id_are_filled_in() {
    let (events, end) = run(vec![
        chunk(
            json!({"tool_calls": [
                {"function": {"name": "a", "arguments": "{}"}},
                {"function": {"name": "b", "arguments": "{}"}},
            ]}),
            Some("tool_calls"),
        ),
        done(),
    ]);
    assert!(matches!(end, Ok(true)));
    let names: Vec<(String, bool)> = events
        .iter()
        .filter_map(|e| match e {
            ResponseEvent::OutputItemDone(ResponseItem::FunctionCall { name, call_id, .. }) => {
                Some((name.clone(), call_id.starts_with("call_")))
            }
            _ => None,
        })
        .collect();
    assert_eq!(names, vec![("a".to_owned(), true), ("b".to_owned(), true)]);
}
