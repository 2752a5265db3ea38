//! `NativeConversation`: one conversation — run, stream, submit, interrupt, tools.
//!
//! The core conversation is a [`SharedConversation`]: `run` and each event stream hold it while they read,
//! so turns of one conversation never interleave and there is exactly one event reader.

use std::sync::{Arc, Mutex, PoisonError};

use codex_sdk::conversation::SharedConversation;
use codex_sdk::protocol::{Op, UserInput};
use codex_sdk::{ConversationHandle, TurnInput, TurnResult};
use napi_derive::napi;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::error::{Result, core, internal, to_js};
use crate::json::{from_json, to_json};
use crate::stream::NativeEventStream;
use crate::tools::{NativeToolDef, js_tool};

/// One conversation.
#[napi]
pub struct NativeConversation {
    id: String,
    configured: String,
    handle: ConversationHandle,
    inner: SharedConversation,
    /// The conversation ends with the last handle on its `Codex`: JS that lets its `Codex` be collected
    /// but keeps this conversation keeps it running.
    _codex: codex_sdk::Codex,
}

impl NativeConversation {
    /// Wraps a started core conversation of `codex`.
    ///
    /// # Errors
    /// `internal` if its `SessionConfigured` event cannot be serialized.
    pub fn new(conversation: codex_sdk::Conversation, codex: codex_sdk::Codex) -> Result<Self> {
        Ok(Self {
            id: conversation.id().to_string(),
            configured: to_json(conversation.session_configured())?,
            handle: conversation.handle(),
            inner: conversation.into_shared(),
            _codex: codex,
        })
    }
}

fn parse_input(input: &str) -> Result<TurnInput> {
    let items: Vec<UserInput> = from_json("input", input)?;
    Ok(TurnInput(items))
}

#[napi]
impl NativeConversation {
    /// The conversation's id (a UUID).
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// The `SessionConfigured` event, as JSON.
    #[napi(getter)]
    pub fn session_configured(&self) -> String {
        self.configured.clone()
    }

    /// Starts a turn with `input` (JSON list of `UserInput`), run to its end by a task; its `result()`
    /// is the `TurnResult`.
    #[napi]
    pub fn run(&self, input: String) -> Result<NativeRun> {
        let input = parse_input(&input)?;
        let inner = Arc::clone(&self.inner);
        let stop = CancellationToken::new();
        let cancelled = stop.clone();
        let (tx, rx) = oneshot::channel();
        napi::bindgen_prelude::spawn(async move {
            let turn = async move { inner.lock_owned().await.run(input).await };
            // Dropping the core's `run` future interrupts its turn (the core's cancel-safety).
            let outcome = tokio::select! {
                result = turn => Some(result),
                () = cancelled.cancelled() => None,
            };
            let _ = tx.send(outcome);
        });
        Ok(NativeRun {
            rx: Mutex::new(Some(rx)),
            stop,
        })
    }

    /// Starts a turn with `input` (JSON list of `UserInput`) and returns the stream of its events (ending
    /// with the turn's terminal event). Closing the stream before its end interrupts the turn.
    #[napi]
    pub fn stream(&self, input: String) -> Result<NativeEventStream> {
        let input = parse_input(&input)?;
        Ok(NativeEventStream::turn(Arc::clone(&self.inner), input))
    }

    /// The stream of every event of the conversation, whatever turn it belongs to, as `Event` (`id`,
    /// `msg`); it holds the conversation's reader until closed.
    #[napi]
    pub fn events(&self) -> NativeEventStream {
        NativeEventStream::conversation(Arc::clone(&self.inner))
    }

    /// Submits an op (JSON `Op`); resolves to its submission id.
    #[napi]
    pub async fn submit(&self, op: String) -> Result<String> {
        let op: Op = from_json("op", &op)?;
        Ok(core(self.handle.submit(op).await)?.0)
    }

    /// Shuts the conversation down once its current reader (a run or a stream) is done, and waits for
    /// `ShutdownComplete` (its rollout is then complete). Later calls do nothing.
    #[napi]
    pub async fn shutdown(&self) -> Result<()> {
        match self.inner.lock().await.shutdown().await {
            Err(codex_sdk::Error::Closed) => Ok(()),
            other => core(other),
        }
    }

    /// Interrupts the running turn (the conversation stays usable).
    #[napi]
    pub async fn interrupt(&self) -> Result<()> {
        core(self.handle.interrupt().await)
    }

    /// Registers a tool for the following model requests, replacing any tool of the same name.
    #[napi]
    pub fn register_tool(&self, tool: NativeToolDef) -> Result<()> {
        core(self.handle.tools().register(js_tool(tool)?))
    }

    /// Removes a tool; returns whether there was one.
    #[napi]
    pub fn unregister_tool(&self, name: String) -> bool {
        self.handle.tools().unregister(&name)
    }

    /// The names of the conversation's tools, in registration order.
    #[napi]
    pub fn tool_names(&self) -> Vec<String> {
        self.handle.tools().names()
    }
}

/// The outcome of a turn run by [`NativeConversation::run`]: `None` when it was cancelled.
type RunOutcome = Option<codex_sdk::Result<TurnResult>>;

/// One running turn: await its result, or cancel it.
#[napi]
pub struct NativeRun {
    rx: Mutex<Option<oneshot::Receiver<RunOutcome>>>,
    stop: CancellationToken,
}

#[napi]
impl NativeRun {
    /// Resolves to the core's `TurnResult` as JSON; rejects with the turn's
    /// error, or `interrupted` when cancelled. Can be awaited once.
    #[napi]
    pub async fn result(&self) -> Result<String> {
        let rx = self
            .rx
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| internal("a run's result can be awaited once"))?;
        match rx.await {
            Ok(Some(result)) => to_json(&core(result)?),
            Ok(None) => Err(to_js(&codex_sdk::Error::Interrupted)),
            Err(_) => Err(internal("the run's task ended without a result")),
        }
    }

    /// Cancels the turn: it is interrupted, and `result()` rejects with `interrupted`. Idempotent.
    #[napi]
    pub fn cancel(&self) {
        self.stop.cancel();
    }
}
