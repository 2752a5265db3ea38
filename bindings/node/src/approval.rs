//! The approval callback: a JS function answering [`ApprovalRequest`]s, installed as the core's
//! [`ApprovalHandler`].

use async_trait::async_trait;
use codex_sdk::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::protocol::ReviewDecision;
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
        let Ok(request) = serde_json::to_string(&request.into_event()) else {
            return ReviewDecision::Denied;
        };
        self.ask(request)
            .await
            .map_or(ReviewDecision::Denied, |answer| {
                ReviewDecision::from_answer(&answer)
            })
    }
}
