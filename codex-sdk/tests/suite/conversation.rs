//! The conversation core against the scripted model: events, tools, interrupts, queued input, shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use codex_sdk::ErrorCode;
use codex_sdk::model::{ModelProviderInfo, ScriptedResponse, WireApi};
use codex_sdk::protocol::*;
use codex_sdk::tools::{FunctionTool, ToolError};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::support::{events_until, scripted, turn_events};

#[tokio::test]
async fn a_text_turn_emits_the_full_event_sequence() {
    let (builder, model) = scripted([ScriptedResponse::text("Hello there").usage(TokenUsage {
        input_tokens: 10,
        cached_input_tokens: 2,
        output_tokens: 3,
        reasoning_output_tokens: 0,
        total_tokens: 13,
    })]);
    let codex = builder.build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let first = conv.next_event().await.unwrap();
    assert_eq!(
        first.msg,
        EventMsg::SessionConfigured(conv.session_configured().clone())
    );
    let sub = conv.send("hi").await.unwrap();
    let events = events_until(&mut conv, EventMsg::is_turn_terminal).await;
    assert!(events.iter().all(|e| e.id == sub));
    let usage = TokenUsage {
        input_tokens: 10,
        cached_input_tokens: 2,
        output_tokens: 3,
        reasoning_output_tokens: 0,
        total_tokens: 13,
    };
    let msgs: Vec<EventMsg> = events.into_iter().map(|e| e.msg).collect();
    assert_eq!(
        msgs,
        vec![
            EventMsg::TaskStarted(TaskStartedEvent {
                model_context_window: Some(272_000)
            }),
            EventMsg::UserMessage(UserMessageEvent {
                message: "hi".into(),
                images: None
            }),
            EventMsg::RawResponseItem(RawResponseItemEvent {
                item: ResponseItem::user_text("hi")
            }),
            EventMsg::AgentMessageDelta(AgentMessageDeltaEvent {
                delta: "Hello ".into()
            }),
            EventMsg::AgentMessageDelta(AgentMessageDeltaEvent {
                delta: "there".into()
            }),
            EventMsg::AgentMessage(AgentMessageEvent {
                message: "Hello there".into()
            }),
            EventMsg::TokenCount(TokenCountEvent {
                info: Some(TokenUsageInfo {
                    total_token_usage: usage,
                    last_token_usage: usage,
                    model_context_window: Some(272_000),
                }),
                rate_limits: None,
            }),
            EventMsg::RawResponseItem(RawResponseItemEvent {
                item: ResponseItem::assistant_text("Hello there")
            }),
            EventMsg::TaskComplete(TaskCompleteEvent {
                last_agent_message: Some("Hello there".into())
            }),
        ]
    );
    let prompts = model.prompts();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].instructions, "test instructions");
    assert_eq!(prompts[0].model, "gpt-5-codex");
    assert_eq!(prompts[0].conversation_id, conv.id());
    assert!(
        prompts[0].input[0]
            .message_text()
            .unwrap()
            .contains("<environment_context>")
    );
    assert_eq!(prompts[0].input[1], ResponseItem::user_text("hi"));
}

fn add_tool(calls: Arc<AtomicUsize>) -> FunctionTool {
    FunctionTool::new(
        "add",
        "Adds two integers.",
        json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}),
        move |args, _ctx| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let a = args["a"]
                    .as_i64()
                    .ok_or_else(|| ToolError::RespondToModel("a must be an integer".into()))?;
                let b = args["b"]
                    .as_i64()
                    .ok_or_else(|| ToolError::RespondToModel("b must be an integer".into()))?;
                Ok((a + b).to_string())
            }
        },
    )
}

#[tokio::test]
async fn a_host_tool_runs_and_its_output_reaches_the_next_request() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("add", json!({"a": 2, "b": 3})),
        ScriptedResponse::text("5"),
    ]);
    let codex = builder.tool(add_tool(calls.clone())).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let result = conv.run("what is 2+3?").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("5"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let prompts = model.prompts();
    assert_eq!(prompts.len(), 2);
    assert_eq!(prompts[0].tools.len(), 1);
    assert_eq!(prompts[0].tools[0].name(), "add");
    let call_id = prompts[1].input[2].call_id().unwrap().to_owned();
    assert_eq!(
        prompts[1].input[3],
        ResponseItem::FunctionCallOutput {
            call_id: call_id.clone(),
            output: FunctionCallOutputPayload::success("5"),
        }
    );
    // items: user message, call, output, final message
    assert_eq!(result.items.len(), 4);
    assert!(result.usage.total_tokens > 0);
}

#[tokio::test]
async fn tool_begin_and_end_events_frame_each_call() {
    let (builder, _model) = scripted([
        ScriptedResponse::tool_call("add", json!({"a": 1, "b": 1})),
        ScriptedResponse::text("2"),
    ]);
    let codex = builder.tool(add_tool(Arc::default())).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("1+1").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let begin = msgs.iter().find_map(|m| match m {
        EventMsg::ToolCallBegin(b) => Some(b.clone()),
        _ => None,
    });
    let end = msgs.iter().find_map(|m| match m {
        EventMsg::ToolCallEnd(e) => Some(e.clone()),
        _ => None,
    });
    let begin = begin.unwrap();
    let end = end.unwrap();
    assert_eq!(begin.tool, "add");
    assert_eq!(begin.arguments, r#"{"a":1,"b":1}"#);
    assert_eq!(
        (end.call_id.as_str(), end.output.as_str(), end.success),
        (begin.call_id.as_str(), "2", true)
    );
}

#[tokio::test]
async fn unknown_tools_and_malformed_arguments_are_answered_to_the_model() {
    let (builder, model) = scripted([
        ScriptedResponse::new()
            .function_call("no_such_tool", json!({}))
            .raw_function_call("add", "{not json"),
        ScriptedResponse::text("sorry"),
    ]);
    let codex = builder.tool(add_tool(Arc::default())).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let result = conv.run("go").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("sorry"));
    let second = &model.prompts()[1].input;
    let outputs: Vec<_> = second
        .iter()
        .filter_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(outputs.len(), 2);
    assert_eq!(
        outputs[0].content,
        "unsupported call: no tool named `no_such_tool`"
    );
    assert_eq!(outputs[0].success, Some(false));
    assert!(
        outputs[1]
            .content
            .starts_with("failed to parse arguments for `add`"),
        "{}",
        outputs[1].content
    );
}

#[tokio::test]
async fn a_fatal_tool_error_ends_the_turn_with_a_typed_error() {
    let (builder, _model) = scripted([ScriptedResponse::tool_call("explode", json!({}))]);
    let tool = FunctionTool::new(
        "explode",
        "Fails fatally.",
        json!({"type": "object"}),
        |_a, _c| async {
            Err(ToolError::Fatal(codex_sdk::Error::Tool {
                tool: "explode".into(),
                message: "disk on fire".into(),
            }))
        },
    );
    let codex = builder.tool(tool).build().unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let err = conv.run("go").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tool);
    assert!(err.to_string().contains("disk on fire"));
    // The conversation is still usable, and its history stays valid (the call got an output).
}

#[tokio::test]
async fn parallel_safe_calls_run_concurrently_and_answer_in_call_order() {
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let make = |name: &'static str, delay_ms: u64| {
        let barrier = barrier.clone();
        FunctionTool::new(
            name,
            "waits for its twin",
            json!({"type": "object"}),
            move |_a, _c| {
                let barrier = barrier.clone();
                async move {
                    tokio::time::timeout(Duration::from_secs(5), barrier.wait())
                        .await
                        .map_err(|_| ToolError::RespondToModel("ran alone".into()))?;
                    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                    Ok(name.to_owned())
                }
            },
        )
        .parallel(true)
    };
    let (builder, model) = scripted([
        ScriptedResponse::new()
            .function_call("slow", json!({}))
            .function_call("fast", json!({})),
        ScriptedResponse::text("done"),
    ]);
    let codex = builder
        .tool(make("slow", 50))
        .tool(make("fast", 0))
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.run("go").await.unwrap();
    let outputs: Vec<String> = model.prompts()[1]
        .input
        .iter()
        .filter_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.content.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(outputs, vec!["slow".to_owned(), "fast".to_owned()]);
}

#[tokio::test]
async fn interrupt_aborts_a_streaming_turn_and_the_conversation_stays_usable() {
    let model = Arc::new(
        codex_sdk::model::ScriptedModel::new([ScriptedResponse::text(
            "one two three four five six seven eight nine ten",
        )])
        .with_event_delay(Duration::from_millis(30)),
    );
    let codex = codex_sdk::Codex::builder()
        .ephemeral()
        .model_client(model.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("count").await.unwrap();
    events_until(&mut conv, |m| matches!(m, EventMsg::AgentMessageDelta(_))).await;
    conv.interrupt().await.unwrap();
    let msgs = turn_events(&mut conv).await;
    assert!(!msgs.iter().any(|m| matches!(m, EventMsg::TaskComplete(_))));
    assert_eq!(
        msgs.last().unwrap(),
        &EventMsg::TurnAborted(TurnAbortedEvent {
            reason: TurnAbortReason::Interrupted
        })
    );
    model.push(ScriptedResponse::text("back"));
    let result = conv.run("again").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("back"));
}

#[tokio::test]
async fn a_user_turn_replaces_the_running_turn() {
    let model = Arc::new(
        codex_sdk::model::ScriptedModel::new([
            ScriptedResponse::text("first answer that is slow to arrive"),
            ScriptedResponse::text("second"),
        ])
        .with_event_delay(Duration::from_millis(20)),
    );
    let codex = codex_sdk::Codex::builder()
        .ephemeral()
        .model_client(model.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let first = conv.send("one").await.unwrap();
    events_until(&mut conv, |m| matches!(m, EventMsg::TaskStarted(_))).await;
    let second = conv
        .submit(Op::UserTurn {
            items: vec![UserInput::text("two")],
            cwd: "/tmp".into(),
            model: "o3".into(),
            effort: Some(ReasoningEffort::High),
            summary: ReasoningSummary::Detailed,
            output_schema: None,
            approval_policy: None,
            sandbox_policy: None,
        })
        .await
        .unwrap();
    let events = events_until(&mut conv, |m| matches!(m, EventMsg::TaskComplete(_))).await;
    let aborted = events
        .iter()
        .find(|e| matches!(e.msg, EventMsg::TurnAborted(_)))
        .unwrap();
    assert_eq!(aborted.id, first);
    assert_eq!(
        aborted.msg,
        EventMsg::TurnAborted(TurnAbortedEvent {
            reason: TurnAbortReason::Replaced
        })
    );
    assert_eq!(events.last().unwrap().id, second);
    let last = model.prompts().pop().unwrap();
    assert_eq!(
        (last.model.as_str(), last.effort, last.reasoning),
        ("o3", Some(ReasoningEffort::High), true)
    );
}

#[tokio::test]
async fn input_sent_during_a_turn_joins_its_next_model_request() {
    let gate = Arc::new(tokio::sync::Notify::new());
    let started = Arc::new(tokio::sync::Notify::new());
    let (g, s) = (gate.clone(), started.clone());
    let wait = FunctionTool::new(
        "wait",
        "waits for the test",
        json!({"type": "object"}),
        move |_a, _c| {
            let (g, s) = (g.clone(), s.clone());
            async move {
                s.notify_one();
                g.notified().await;
                Ok("waited".into())
            }
        },
    );
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("wait", json!({})),
        ScriptedResponse::text("saw both"),
    ]);
    let keep_codex = builder.tool(wait).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("first").await.unwrap();
    started.notified().await;
    conv.send("also this").await.unwrap();
    // Give the session a moment to queue the input before the tool returns.
    tokio::time::sleep(Duration::from_millis(20)).await;
    gate.notify_one();
    let msgs = turn_events(&mut conv).await;
    assert!(matches!(msgs.last(), Some(EventMsg::TaskComplete(_))));
    let prompts = model.prompts();
    assert_eq!(prompts.len(), 2);
    assert_eq!(
        prompts[1].input.last(),
        Some(&ResponseItem::user_text("also this"))
    );
}

#[tokio::test]
async fn shutdown_completes_and_ends_the_stream() {
    let (builder, _model) = scripted([]);
    let keep_codex = builder.build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    let handle = conv.handle();
    let sub = handle.submit(Op::Shutdown).await.unwrap();
    let events = events_until(&mut conv, |m| matches!(m, EventMsg::ShutdownComplete)).await;
    assert_eq!(events.last().unwrap().id, sub);
    assert!(conv.next_event().await.is_none());
    let err = handle.submit(Op::Interrupt).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Closed);
}

#[tokio::test]
async fn dropping_the_event_stream_shuts_the_conversation_down() {
    let (builder, _model) = scripted([]);
    let keep_codex = builder.build().unwrap();
    let conv = keep_codex.start_conversation().await.unwrap();
    let (handle, events) = conv.into_parts();
    drop(events);
    let closed = async {
        loop {
            if handle.submit(Op::Interrupt).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), closed)
        .await
        .unwrap();
}

#[tokio::test]
async fn context_window_exceeded_reports_a_full_window_then_a_typed_error() {
    let (builder, model) = scripted([ScriptedResponse::fail(
        codex_sdk::Error::ContextWindowExceeded {
            message: "input too long".into(),
        },
    )]);
    let keep_codex = builder.model_context_window(1000).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.send("huge").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let n = msgs.len();
    let EventMsg::TokenCount(TokenCountEvent {
        info: Some(info), ..
    }) = &msgs[n - 2]
    else {
        panic!("expected a token count before the error: {msgs:#?}");
    };
    assert_eq!(info.last_token_usage.total_tokens, 1000);
    assert_eq!(info.model_context_window, Some(1000));
    assert!(matches!(
        &msgs[n - 1],
        EventMsg::Error(ErrorEvent {
            code: ErrorCode::ContextWindowExceeded,
            ..
        })
    ));
    assert_eq!(model.prompts().len(), 1, "never retried");
}

#[tokio::test]
async fn a_broken_stream_is_replayed_with_a_stream_error_event() {
    let model = Arc::new(
        codex_sdk::model::ScriptedModel::new([
            ScriptedResponse::text("partial").then_fail(codex_sdk::Error::Stream {
                message: "connection reset".into(),
                retry_after: Some(Duration::from_millis(1)),
            }),
            ScriptedResponse::text("whole answer"),
        ])
        .with_provider(
            ModelProviderInfo::custom("scripted", "scripted://", WireApi::Responses)
                .with_retries(0, 3),
        ),
    );
    let codex = codex_sdk::Codex::builder()
        .ephemeral()
        .model_client(model.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.send("go").await.unwrap();
    let msgs = turn_events(&mut conv).await;
    let stream_errors: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            EventMsg::StreamError(e) => Some(e.message.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        stream_errors,
        vec!["stream error: connection reset; retrying 1/3 in 1ms".to_owned()]
    );
    assert_eq!(
        msgs.last().unwrap(),
        &EventMsg::TaskComplete(TaskCompleteEvent {
            last_agent_message: Some("whole answer".into())
        })
    );
    assert_eq!(model.prompts().len(), 2);
    assert_eq!(model.prompts()[0], model.prompts()[1]);
}

#[tokio::test]
async fn an_unreadable_local_image_fails_the_submission_before_any_request() {
    let (builder, model) = scripted([ScriptedResponse::text("never")]);
    let keep_codex = builder.build().unwrap();
    let conv = keep_codex.start_conversation().await.unwrap();
    let err = conv
        .send(UserInput::LocalImage {
            path: "/no/such/image.png".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(model.prompts().is_empty());
}

#[tokio::test]
async fn many_conversations_run_at_once_in_one_process() {
    let mut handles = Vec::new();
    for i in 0..20 {
        handles.push(tokio::spawn(async move {
            let (builder, _m) = scripted([ScriptedResponse::text(format!("answer {i}"))]);
            let keep_codex = builder.build().unwrap();
            let mut conv = keep_codex.start_conversation().await.unwrap();
            conv.run("q").await.unwrap().final_message.unwrap()
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.await.unwrap(), format!("answer {i}"));
    }
}

#[tokio::test]
async fn a_turn_stream_holds_only_the_turns_events() {
    let (builder, _model) = scripted([ScriptedResponse::text("hi there")]);
    let keep_codex = builder.build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    let mut turn = conv.stream("hello").await.unwrap();
    let mut kinds = Vec::new();
    while let Some(event) = turn.next_event().await {
        kinds.push(
            serde_json::to_value(&event.msg).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(kinds.first().map(String::as_str), Some("task_started"));
    assert_eq!(kinds.last().map(String::as_str), Some("task_complete"));
    assert!(!kinds.iter().any(|k| k == "session_configured"));
}

#[tokio::test]
async fn a_tool_sees_the_id_of_the_call_it_handles() {
    let whoami = FunctionTool::new(
        "whoami",
        "Returns its call id.",
        json!({"type": "object"}),
        |_a, ctx| async move { Ok(ctx.call_id().unwrap_or("none").to_owned()) },
    );
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("whoami", json!({})),
        ScriptedResponse::text("ok"),
    ]);
    let keep_codex = builder.tool(whoami).build().unwrap();
    let mut conv = keep_codex.start_conversation().await.unwrap();
    conv.run("who?").await.unwrap();
    let output = model.prompts()[1]
        .input
        .iter()
        .find_map(|i| match i {
            ResponseItem::FunctionCallOutput { call_id, output } => {
                Some((call_id.clone(), output.content.clone()))
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(output.0, output.1);
    assert!(output.0.starts_with("call_"));
}
