//! The core's loopback mock model server ([`MockServer`]) and its SSE builders, for JS tests: real turns
//! over HTTP without a network.

use std::time::{Duration, Instant};

use codex_sdk::protocol::{AskForApproval, SandboxPolicy, TokenUsage};
use codex_sdk::testing::{MockResponse, MockServer, RecordedRequest, chat, sse};
use codex_sdk::tools::{ToolCall, ToolContext, ToolHandler, ToolPayload};
use napi_derive::napi;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Result, invalid_input};
use crate::json::{from_json, to_json};
use crate::tools::{NativeToolDef, js_tool};

/// A queued answer, as JSON: the body kind, then the core builder's modifiers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResponseSpec {
    /// Responses API stream events.
    sse: Option<Vec<Value>>,
    /// Chat Completions stream chunks.
    chat: Option<Vec<Value>>,
    /// A stream body sent verbatim.
    raw_sse: Option<String>,
    /// A plain response with this status.
    status: Option<u16>,
    body: Option<String>,
    json_body: Option<Value>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    cut_after_bytes: Option<usize>,
    stall_after_bytes: Option<usize>,
    event_delay_ms: Option<u64>,
}

impl ResponseSpec {
    fn build(self) -> Result<MockResponse> {
        let mut response = match (self.sse, self.chat, self.raw_sse, self.status) {
            (Some(events), None, None, None) => MockResponse::sse(events),
            (None, Some(chunks), None, None) => MockResponse::chat(chunks),
            (None, None, Some(body), None) => MockResponse::raw_sse(body),
            (None, None, None, Some(status)) => MockResponse::status(status),
            _ => {
                return Err(invalid_input(
                    "a mock response needs exactly one of sse, chat, rawSse, status",
                ));
            }
        };
        if let Some(body) = self.body {
            response = response.body(body);
        }
        if let Some(value) = self.json_body {
            response = response.json_body(value);
        }
        for (name, value) in self.headers {
            response = response.header(name, value);
        }
        if let Some(n) = self.cut_after_bytes {
            response = response.cut_after_bytes(n);
        }
        if let Some(n) = self.stall_after_bytes {
            response = response.stall_after_bytes(n);
        }
        if let Some(ms) = self.event_delay_ms {
            response = response.event_delay(Duration::from_millis(ms));
        }
        Ok(response)
    }
}

fn request_json(request: &RecordedRequest) -> Value {
    json!({
        "method": request.method,
        "path": request.path,
        "headers": request.headers,
        "body": request.text(),
    })
}

/// A loopback mock model server on `127.0.0.1` answering from a queue (see the core's `MockServer`).
#[napi]
pub struct NativeMockServer {
    server: Option<MockServer>,
    base_url: String,
}

/// Starts a mock server on a free port.
#[napi]
pub async fn start_mock_server() -> Result<NativeMockServer> {
    let server = MockServer::start()
        .await
        .map_err(|e| crate::error::to_js(&codex_sdk::Error::Io(e)))?;
    Ok(NativeMockServer {
        base_url: server.base_url(),
        server: Some(server),
    })
}

impl NativeMockServer {
    fn server(&self) -> Result<&MockServer> {
        self.server
            .as_ref()
            .ok_or_else(|| crate::error::to_js(&codex_sdk::Error::Closed))
    }
}

#[napi]
impl NativeMockServer {
    /// `http://127.0.0.1:PORT/v1`.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Queues an answer (JSON `ResponseSpec`).
    #[napi]
    pub fn enqueue(&self, response: String) -> Result<()> {
        let spec: ResponseSpec = from_json("mock response", &response)?;
        self.server()?.enqueue(spec.build()?);
        Ok(())
    }

    /// Every request received so far, as JSON (`method`, `path`, `headers`, `body` text).
    #[napi]
    pub fn requests(&self) -> Result<String> {
        let requests: Vec<Value> = self.server()?.requests().iter().map(request_json).collect();
        to_json(&requests)
    }

    /// Answers not handed out yet.
    #[napi]
    pub fn pending(&self) -> Result<u32> {
        Ok(u32::try_from(self.server()?.pending()).unwrap_or(u32::MAX))
    }

    /// Stops the server (dropping it does the same).
    #[napi]
    pub fn close(&mut self) {
        self.server = None;
    }
}

/// Calls a JS tool `calls` times in a row the way a turn does (through the core's tool handler, with the
/// arguments `args_json`) and resolves to the total milliseconds: the round-trip cost of a JS tool, for
/// `bench/tool.mjs`.
#[napi]
pub async fn measure_tool_calls(tool: NativeToolDef, calls: u32, args_json: String) -> Result<f64> {
    let tool = js_tool(tool)?;
    let (ctx, mut events) = ToolContext::detached(
        std::env::temp_dir(),
        AskForApproval::Never,
        SandboxPolicy::ReadOnly,
        None,
        Duration::from_secs(1),
    );
    napi::bindgen_prelude::spawn(async move { while events.recv().await.is_some() {} });
    let call = ToolCall {
        call_id: "call_bench".to_owned(),
        name: "bench".to_owned(),
        payload: ToolPayload::Function {
            arguments: args_json,
        },
    };
    let started = Instant::now();
    for _ in 0..calls {
        tool.handle(call.clone(), ctx.clone())
            .await
            .map_err(|e| crate::error::to_js(&codex_sdk::Error::Internal(e.to_string())))?;
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// Builders of Responses API stream events (the core's `testing::sse`), as JSON values.
#[napi(namespace = "sse")]
pub fn text_response(response_id: String, text: String) -> Vec<Value> {
    sse::text_response(&response_id, &text)
}

/// A whole tool-call answer: `created`, the done function call, `completed`.
#[napi(namespace = "sse")]
pub fn tool_call_response(
    response_id: String,
    call_id: String,
    name: String,
    args_json: String,
) -> Vec<Value> {
    sse::tool_call_response(&response_id, &call_id, &name, &args_json)
}

/// `response.created`.
#[napi(namespace = "sse")]
pub fn created(response_id: String) -> Value {
    sse::created(&response_id)
}

/// `response.output_text.delta`.
#[napi(namespace = "sse")]
pub fn output_text_delta(delta: String) -> Value {
    sse::output_text_delta(&delta)
}

/// `response.output_item.done` with a complete assistant message.
#[napi(namespace = "sse")]
pub fn assistant_message(item_id: String, text: String) -> Value {
    sse::assistant_message(&item_id, &text)
}

/// `response.output_item.done` with a function call.
#[napi(namespace = "sse")]
pub fn function_call(call_id: String, name: String, args_json: String) -> Value {
    sse::function_call(&call_id, &name, &args_json)
}

/// `response.output_item.done` with a reasoning item.
#[napi(namespace = "sse")]
pub fn reasoning(item_id: String, summary_texts: Vec<String>) -> Value {
    let texts: Vec<&str> = summary_texts.iter().map(String::as_str).collect();
    sse::reasoning(&item_id, &texts)
}

/// `response.completed`, with usage (JSON `TokenUsage`) or all-zero usage.
#[napi(namespace = "sse")]
pub fn completed(response_id: String, usage: Option<String>) -> Result<Value> {
    Ok(match usage {
        Some(usage) => {
            let usage: TokenUsage = from_json("usage", &usage)?;
            sse::completed_with_usage(&response_id, &usage)
        }
        None => sse::completed(&response_id),
    })
}

/// `response.failed`.
#[napi(namespace = "sse")]
pub fn failed(code: String, message: String) -> Value {
    sse::failed(&code, &message)
}

/// A Chat Completions content chunk (the core's `testing::chat`).
#[napi(namespace = "chat")]
pub fn content(id: String, text: String) -> Value {
    chat::content(&id, &text)
}

/// A Chat Completions finish chunk.
#[napi(namespace = "chat")]
pub fn finish(id: String, reason: String) -> Value {
    chat::finish(&id, &reason)
}
