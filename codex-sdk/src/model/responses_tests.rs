use std::time::Duration;

use pretty_assertions::assert_eq;

use super::*;
use crate::Error;
use crate::model::ToolSpec;
use crate::protocol::{
    ConversationId, FunctionCallOutputPayload, ReasoningEffort, ReasoningSummary,
    ReasoningSummaryPart,
};

fn prompt() -> Prompt {
    Prompt {
        model: "gpt-test".into(),
        instructions: "be brief".into(),
        input: vec![
            ResponseItem::user_text("hi"),
            serde_json::from_value(
                json!({"type": "image_generation_call", "id": "ig_1", "result": "b64"}),
            )
            .unwrap(),
            ResponseItem::FunctionCall {
                id: Some("fc_1".into()),
                name: "shell".into(),
                arguments: "{\"command\":[\"ls\"]}".into(),
                call_id: "call_1".into(),
            },
            ResponseItem::FunctionCallOutput {
                call_id: "call_1".into(),
                output: FunctionCallOutputPayload::success("a.txt"),
            },
        ],
        tools: vec![
            ToolSpec::Function {
                name: "shell".into(),
                description: "run".into(),
                strict: false,
                parameters: json!({"type": "object"}),
            },
            ToolSpec::WebSearch {},
        ],
        parallel_tool_calls: true,
        effort: None,
        summary: ReasoningSummary::Auto,
        reasoning: false,
        output_schema: None,
        conversation_id: ConversationId::new(),
        verbosity: None,
        max_output_tokens: None,
    }
}

#[test]
fn body_without_reasoning() {
    let p = prompt();
    assert_eq!(
        ResponsesClient::request_body(&p),
        json!({
            "model": "gpt-test",
            "instructions": "be brief",
            "input": [
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
                {"type": "image_generation_call", "result": "b64"},
                {"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"ls\"]}",
                 "call_id": "call_1"},
                {"type": "function_call_output", "call_id": "call_1", "output": "a.txt"},
            ],
            "tools": [
                {"type": "function", "name": "shell", "description": "run", "strict": false,
                 "parameters": {"type": "object"}},
                {"type": "web_search"},
            ],
            "tool_choice": "auto",
            "parallel_tool_calls": true,
            "store": false,
            "stream": true,
            "include": [],
            "prompt_cache_key": p.conversation_id.to_string(),
        })
    );
}

#[test]
fn body_with_reasoning_and_schema() {
    let mut p = prompt();
    p.input.clear();
    p.tools.clear();
    p.reasoning = true;
    p.effort = Some(ReasoningEffort::High);
    p.summary = ReasoningSummary::Detailed;
    p.output_schema = Some(json!({"type": "object"}));
    let body = ResponsesClient::request_body(&p);
    assert_eq!(
        body["reasoning"],
        json!({"effort": "high", "summary": "detailed"})
    );
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(
        body["text"],
        json!({"format": {"type": "json_schema", "name": "codex_output_schema", "strict": true,
                          "schema": {"type": "object"}}})
    );

    // A reasoning model without an explicit effort sends only the summary.
    p.effort = None;
    let body = ResponsesClient::request_body(&p);
    assert_eq!(body["reasoning"], json!({"summary": "detailed"}));
}

#[test]
fn a_model_that_does_not_reason_gets_no_reasoning_whatever_the_effort() {
    let mut p = prompt();
    p.reasoning = false;
    p.effort = Some(ReasoningEffort::High);
    p.summary = ReasoningSummary::Detailed;
    let body = ResponsesClient::request_body(&p);
    assert_eq!(body.get("reasoning"), None);
    assert_eq!(body["include"], json!([]));
}

fn sse(event: &str, data: Value) -> SseEvent {
    SseEvent {
        event: Some(event.into()),
        data: data.to_string(),
    }
}

/// Runs `events` through the mapper; returns the events and the terminal result.
fn map(events: Vec<SseEvent>) -> (Vec<ResponseEvent>, Result<bool>) {
    let mut mapper = ResponsesMapper;
    let mut out = VecDeque::new();
    for e in events {
        match mapper.on_event(e, &mut out) {
            Ok(false) => {}
            other => return (out.into(), other),
        }
    }
    let end = mapper.on_eof(&mut out).map(|()| false);
    (out.into(), end)
}

#[test]
fn maps_a_full_stream() {
    let (events, end) = map(vec![
        sse(
            "response.created",
            json!({"type": "response.created", "response": {"id": "r"}}),
        ),
        sse(
            "response.output_item.added",
            json!({"type": "response.output_item.added",
                   "item": {"type": "reasoning", "id": "rs", "summary": []}}),
        ),
        sse(
            "response.reasoning_summary_part.added",
            json!({"type": "response.reasoning_summary_part.added"}),
        ),
        sse(
            "response.reasoning_summary_text.delta",
            json!({"type": "response.reasoning_summary_text.delta", "delta": "thinking"}),
        ),
        sse(
            "response.reasoning_text.delta",
            json!({"type": "response.reasoning_text.delta", "delta": "raw"}),
        ),
        sse(
            "response.output_item.done",
            json!({"type": "response.output_item.done",
                   "item": {"type": "reasoning", "id": "rs",
                            "summary": [{"type": "summary_text", "text": "thinking"}],
                            "encrypted_content": "enc"}}),
        ),
        sse(
            "response.output_text.delta",
            json!({"type": "response.output_text.delta", "delta": "Hel"}),
        ),
        sse(
            "response.something.new",
            json!({"type": "response.something.new"}),
        ),
        SseEvent {
            event: Some("keepalive".into()),
            data: "not json".into(),
        },
        sse(
            "response.output_item.done",
            json!({"type": "response.output_item.done", "item": {"type": "brand_new_item"}}),
        ),
        sse(
            "response.completed",
            json!({"type": "response.completed", "response": {"id": "r", "usage": {
                "input_tokens": 10, "input_tokens_details": {"cached_tokens": 4},
                "output_tokens": 7, "output_tokens_details": {"reasoning_tokens": 2},
                "total_tokens": 17}}}),
        ),
        sse(
            "response.output_text.delta",
            json!({"type": "response.output_text.delta", "delta": "late"}),
        ),
    ]);
    assert!(matches!(end, Ok(true)));
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputItemAdded(ResponseItem::Reasoning {
                id: Some("rs".into()),
                summary: vec![],
                content: None,
                encrypted_content: None,
            }),
            ResponseEvent::ReasoningSummaryPartAdded,
            ResponseEvent::ReasoningSummaryDelta("thinking".into()),
            ResponseEvent::ReasoningContentDelta("raw".into()),
            ResponseEvent::OutputItemDone(ResponseItem::Reasoning {
                id: Some("rs".into()),
                summary: vec![ReasoningSummaryPart::SummaryText {
                    text: "thinking".into()
                }],
                content: None,
                encrypted_content: Some("enc".into()),
            }),
            ResponseEvent::OutputTextDelta("Hel".into()),
            // An item type this SDK does not know is kept (history, rollout, next request) as it came.
            ResponseEvent::OutputItemDone(
                serde_json::from_value(json!({"type": "brand_new_item"})).unwrap()
            ),
            ResponseEvent::Completed {
                response_id: "r".into(),
                token_usage: Some(TokenUsage {
                    input_tokens: 10,
                    cached_input_tokens: 4,
                    output_tokens: 7,
                    reasoning_output_tokens: 2,
                    total_tokens: 17,
                }),
            },
        ]
    );
}

#[test]
fn events_without_sse_name_use_the_json_type() {
    let (events, end) = map(vec![
        SseEvent {
            event: None,
            data: json!({"type": "response.created"}).to_string(),
        },
        SseEvent {
            event: None,
            data: json!({"type": "response.completed", "response": {"id": "x"}}).to_string(),
        },
    ]);
    assert!(matches!(end, Ok(true)));
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::Completed {
                response_id: "x".into(),
                token_usage: None
            },
        ]
    );
}

#[test]
fn eof_before_completed_is_a_stream_error() {
    let (events, end) = map(vec![sse(
        "response.created",
        json!({"type": "response.created"}),
    )]);
    assert_eq!(events, vec![ResponseEvent::Created]);
    match end {
        Err(Error::Stream {
            message,
            retry_after: None,
        }) => {
            assert_eq!(message, "stream closed before response.completed");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_data_is_a_stream_error() {
    for data in [
        "{not json",
        "",
        "[1,2]",
        "{\"type\":\"response.output_text.delta\"}",
    ] {
        let (_, end) = map(vec![SseEvent {
            event: Some("response.output_text.delta".into()),
            data: data.into(),
        }]);
        assert!(
            matches!(end, Err(Error::Stream { .. })),
            "{data:?}: {end:?}"
        );
    }
    let (_, end) = map(vec![sse(
        "response.output_item.done",
        json!({"type": "response.output_item.done", "item": {"type": "function_call", "name": 3}}),
    )]);
    assert!(matches!(end, Err(Error::Stream { .. })), "{end:?}");
}

fn failed(code: &str, message: &str) -> crate::Error {
    let (_, end) = map(vec![sse(
        "response.failed",
        json!({"type": "response.failed", "response": {"id": "r", "status": "failed",
               "error": {"code": code, "message": message}}}),
    )]);
    match end {
        Err(e) => e,
        Ok(x) => panic!("no error: {x}"),
    }
}

#[test]
fn failure_codes() {
    assert!(matches!(
        failed("context_length_exceeded", "too long"),
        Error::ContextWindowExceeded { message } if message == "too long"
    ));
    assert!(matches!(
        failed("insufficient_quota", "pay up"),
        Error::UsageLimitReached { message } if message == "pay up"
    ));
    assert!(matches!(
        failed("usage_limit_reached", "wait"),
        Error::UsageLimitReached { .. }
    ));
    match failed(
        "rate_limit_exceeded",
        "Rate limit reached. Please try again in 1.5s.",
    ) {
        Error::Stream { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_millis(1500)));
        }
        other => panic!("{other:?}"),
    }
    match failed("server_error", "boom") {
        Error::Stream {
            message,
            retry_after,
        } => {
            assert_eq!(message, "server_error: boom");
            assert_eq!(retry_after, None);
        }
        other => panic!("{other:?}"),
    }
    let (_, end) = map(vec![sse(
        "response.failed",
        json!({"type": "response.failed"}),
    )]);
    assert!(matches!(end, Err(Error::Stream { .. })));
}

#[test]
fn incomplete_and_error_events_fail() {
    let (_, end) = map(vec![sse(
        "response.incomplete",
        json!({"type": "response.incomplete",
               "response": {"incomplete_details": {"reason": "max_output_tokens"}}}),
    )]);
    match end {
        Err(Error::Stream { message, .. }) => assert!(message.contains("max_output_tokens")),
        other => panic!("{other:?}"),
    }
    let (_, end) = map(vec![sse(
        "error",
        json!({"type": "error", "code": "context_length_exceeded", "message": "m"}),
    )]);
    assert!(matches!(end, Err(Error::ContextWindowExceeded { .. })));
}

#[test]
fn unknown_item_types_are_kept_and_malformed_known_ones_are_errors() {
    let unknown: ResponseItem =
        serde_json::from_value(json!({"type": "mcp_list_tools", "id": "x", "server_label": "s"}))
            .unwrap();
    let ResponseItem::Other(item) = &unknown else {
        panic!("{unknown:?}")
    };
    assert_eq!(item.item_type(), "mcp_list_tools");
    assert_eq!(
        serde_json::to_value(&unknown).unwrap(),
        json!({"type": "mcp_list_tools", "server_label": "s"})
    );
    for kind in [
        "message",
        "function_call",
        "function_call_output",
        "local_shell_call",
    ] {
        let err = serde_json::from_value::<ResponseItem>(json!({"type": kind, "bogus": 1}));
        assert!(err.is_err(), "{kind}");
    }
    assert!(serde_json::from_value::<ResponseItem>(json!({"no_type": 1})).is_err());
}
