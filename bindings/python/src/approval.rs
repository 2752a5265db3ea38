//! Approvals: a Python callback `on_approval(request) -> decision` as the core's [`ApprovalHandler`].
//!
//! The request reaches Python as the JSON of its approval event (`exec_approval_request` or
//! `apply_patch_approval_request`); the callback (sync or `async def`) answers with a `ReviewDecision`
//! name. Fail closed, as the core: a callback that raises or answers something else means denied.

use std::sync::Arc;

use async_trait::async_trait;
use codex_sdk::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::protocol::ReviewDecision;
use pyo3::prelude::*;

use crate::host::{Placement, call_host};
use crate::tools::{HostLoops, extract_string};

/// The host's approval callback.
pub(crate) struct HostApprovals {
    callback: Arc<Py<PyAny>>,
    is_async: bool,
    loops: Arc<HostLoops>,
}

impl HostApprovals {
    /// `callback(request_json) -> str | Awaitable[str]`; an `is_async` one is called on the event loop.
    pub(crate) fn new(callback: Py<PyAny>, is_async: bool, loops: Arc<HostLoops>) -> Self {
        Self {
            callback: Arc::new(callback),
            is_async,
            loops,
        }
    }
}

#[async_trait]
impl ApprovalHandler for HostApprovals {
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision {
        let Ok(json) = serde_json::to_string(&request.into_event()) else {
            return ReviewDecision::Denied;
        };
        let callback = Arc::clone(&self.callback);
        // The request does not say which conversation it is from: the most recently driven loop runs it.
        let answer = call_host(
            Box::new(move |py| callback.bind(py).call1((json,))),
            extract_string,
            Placement::callback(self.is_async),
            self.loops.latest(),
        )
        .await;
        answer.map_or(ReviewDecision::Denied, |name| {
            ReviewDecision::from_answer(&name)
        })
    }
}
