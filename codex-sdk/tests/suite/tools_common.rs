//! Helpers for driving built-in tool handlers directly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use codex_sdk::conversation::EventStream;
use codex_sdk::conversation::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::protocol::{AskForApproval, EventMsg, ReviewDecision, SandboxPolicy};
use codex_sdk::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolPayload};

/// Answers every request with a fixed decision and records the requests.
#[derive(Default)]
pub(super) struct Recorder {
    pub decision: Option<ReviewDecision>,
    pub requests: Mutex<Vec<ApprovalRequest>>,
}

impl Recorder {
    pub(super) fn answering(decision: ReviewDecision) -> Arc<Self> {
        Arc::new(Self {
            decision: Some(decision),
            requests: Mutex::default(),
        })
    }

    pub(super) fn count(&self) -> usize {
        self.requests.lock().map(|r| r.len()).unwrap_or(0)
    }
}

#[async_trait]
impl ApprovalHandler for Recorder {
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision {
        if let Ok(mut r) = self.requests.lock() {
            r.push(request);
        }
        self.decision.unwrap_or(ReviewDecision::Denied)
    }
}

pub(super) struct Harness {
    pub ctx: ToolContext,
    pub events: EventStream,
}

pub(super) fn harness(
    cwd: &std::path::Path,
    approval: AskForApproval,
    sandbox: SandboxPolicy,
    handler: Option<Arc<Recorder>>,
) -> Harness {
    let handler = handler.map(|h| h as Arc<dyn ApprovalHandler>);
    let (ctx, events) =
        ToolContext::detached(cwd, approval, sandbox, handler, Duration::from_millis(200));
    Harness { ctx, events }
}

impl Harness {
    pub(super) async fn call(
        &self,
        tool: &dyn ToolHandler,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        self.call_raw(tool, &args.to_string()).await
    }

    pub(super) async fn call_raw(
        &self,
        tool: &dyn ToolHandler,
        args: &str,
    ) -> Result<ToolOutput, ToolError> {
        let call = ToolCall {
            call_id: "call-1".to_owned(),
            name: tool.spec().name().to_owned(),
            payload: ToolPayload::Function {
                arguments: args.to_owned(),
            },
        };
        tool.handle(call, self.ctx.clone()).await
    }

    /// Every event emitted so far.
    pub(super) fn drain(&mut self) -> Vec<EventMsg> {
        let mut out = Vec::new();
        while let Some(e) = self.events.try_recv() {
            out.push(e.msg);
        }
        out
    }
}

/// The model-facing text of an answer, success or not.
pub(super) fn text(result: &Result<ToolOutput, ToolError>) -> String {
    match result {
        Ok(out) => out.content.clone(),
        Err(e) => e.to_string(),
    }
}

/// Workspace-write limited to the working directory: test directories live under `/tmp`, so `/tmp` and
/// `$TMPDIR` are excluded to keep "outside the workspace" really outside.
pub(super) fn workspace() -> SandboxPolicy {
    SandboxPolicy::WorkspaceWrite {
        writable_roots: Vec::new(),
        network_access: false,
        exclude_tmpdir_env_var: true,
        exclude_slash_tmp: true,
    }
}

/// Workspace-write as configured by default (`/tmp` and `$TMPDIR` writable, no network).
pub(super) fn workspace_default() -> SandboxPolicy {
    SandboxPolicy::default()
}
