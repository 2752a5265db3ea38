//! The approval callback: a JS function answering [`ApprovalRequest`]s, installed as the core's
//! [`ApprovalHandler`].

use async_trait::async_trait;
use codex_sdk::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::protocol::{EventMsg, ReviewDecision};
use napi::Status;
use napi::bindgen_prelude::{Either, Promise};
use napi::threadsafe_function::ThreadsafeFunction;

/// The JS callback: the request (JSON of its `EventMsg`) in, the decision (a `ReviewDecision` name) out,
/// sync or as a Promise. Weak, so that a Codex holding it never keeps the process alive; not "callee
/// handled", so JS receives the request as its only argument.
pub type JsApprovalFn =
    ThreadsafeFunction<String, Either<String, Promise<String>>, String, Status, false, true>;

/// Answers approval requests with the JS callback.
pub struct JsApprovalHandler {
    callback: JsApprovalFn,
}

impl JsApprovalHandler {
    /// Wraps the JS callback.
    pub fn new(callback: JsApprovalFn) -> Self {
        Self { callback }
    }

    async fn ask(&self, request: String) -> napi::Result<String> {
        match self.callback.call_async_catch(request).await? {
            Either::A(decision) => Ok(decision),
            Either::B(promise) => promise.await,
        }
    }
}

#[async_trait]
impl ApprovalHandler for JsApprovalHandler {
    /// The callback's decision. The core's rule for a handler that fails applies: a callback that throws,
    /// rejects or answers with something that is not a decision denies the request.
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision {
        let msg = match request {
            ApprovalRequest::Exec(e) => EventMsg::ExecApprovalRequest(e),
            ApprovalRequest::ApplyPatch(e) => EventMsg::ApplyPatchApprovalRequest(e),
            _ => return ReviewDecision::Denied,
        };
        let Ok(request) = serde_json::to_string(&msg) else {
            return ReviewDecision::Denied;
        };
        match self.ask(request).await {
            Ok(answer) => serde_json::from_value(serde_json::Value::String(answer))
                .unwrap_or(ReviewDecision::Denied),
            Err(_) => ReviewDecision::Denied,
        }
    }
}

/// The wire name of a decision (`"approved"`, `"denied"`, …).
pub fn decision_name(decision: ReviewDecision) -> String {
    serde_json::to_value(decision)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "denied".to_owned())
}
