//! A client of `codex-sdk app-server` as a real process over pipes, for the app server tests: requests by
//! id, notifications and server requests buffered in arrival order, every line kept for schema checks.

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use codex_sdk::testing::MockServer;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::support::exec_binary;

const WAIT: Duration = Duration::from_secs(60);

/// A running `codex-sdk app-server`.
pub(super) struct AppServerProcess {
    pub child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    next_id: i64,
    /// Messages read but not yet taken (notifications, server requests, responses to other ids).
    buffered: VecDeque<Value>,
    /// Every message the server sent, in order.
    pub log: Vec<Value>,
    /// Every message in both directions, in order: `{"dir": "in"|"out", "message": …}`.
    pub transcript: Vec<Value>,
}

/// `-c` arguments pointing the server at the mock model server (key from `OPENAI_API_KEY`, no retries).
pub(super) fn mock_args(server: &MockServer) -> Vec<String> {
    [
        "model_providers.mock.name=mock".to_owned(),
        format!("model_providers.mock.base_url={}", server.base_url()),
        "model_providers.mock.env_key=OPENAI_API_KEY".to_owned(),
        "model_providers.mock.request_max_retries=0".to_owned(),
        "model_providers.mock.stream_max_retries=0".to_owned(),
        "model_provider=mock".to_owned(),
    ]
    .into_iter()
    .flat_map(|kv| ["-c".to_owned(), kv])
    .collect()
}

impl AppServerProcess {
    /// Starts the server with `CODEX_HOME=home` against `server`.
    pub(super) fn spawn(home: &Path, server: &MockServer) -> Self {
        let mut child = Command::new(exec_binary())
            .arg("app-server")
            .args(mock_args(server))
            .env("CODEX_HOME", home)
            .env("OPENAI_API_KEY", "sk-test")
            .env_remove("OPENAI_BASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("app-server starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        Self {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            next_id: 1,
            buffered: VecDeque::new(),
            log: Vec::new(),
            transcript: Vec::new(),
        }
    }

    /// Started and initialized as `test-client/1.2.3`.
    pub(super) async fn initialized(home: &Path, server: &MockServer) -> Self {
        let mut app = Self::spawn(home, server);
        let init = app
            .call(
                "initialize",
                json!({"clientInfo": {"name": "test-client", "version": "1.2.3"}}),
            )
            .await;
        assert!(init.get("result").is_some(), "{init}");
        app
    }

    /// Writes one raw line.
    pub(super) async fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).await.unwrap();
        stdin.write_all(b"\n").await.unwrap();
        stdin.flush().await.unwrap();
    }

    /// Sends a JSON message.
    pub(super) async fn send(&mut self, message: &Value) {
        self.transcript
            .push(json!({"dir": "in", "message": message}));
        self.send_line(&message.to_string()).await;
    }

    /// Sends a request; returns its id.
    pub(super) async fn request(&mut self, method: &str, params: Option<Value>) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method});
        if let Some(params) = params {
            message["params"] = params;
        }
        self.send(&message).await;
        id
    }

    /// Sends a request and waits for its response (`{id, result}` or `{id, error}`).
    pub(super) async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, Some(params)).await;
        self.response(id).await
    }

    /// Sends a request and returns its `result`, failing on an error.
    pub(super) async fn ok(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params).await;
        response
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{method} failed: {response}"))
    }

    /// The response to `id`.
    pub(super) async fn response(&mut self, id: i64) -> Value {
        self.take(|m| m.get("method").is_none() && m["id"] == json!(id))
            .await
    }

    /// The next message matching `pred` (earlier non-matching ones stay buffered).
    pub(super) async fn take(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.buffered.iter().position(&pred) {
            return self.buffered.remove(i).unwrap();
        }
        loop {
            let message = self.read().await.expect("the server closed stdout");
            if pred(&message) {
                return message;
            }
            self.buffered.push_back(message);
        }
    }

    /// The next `codex/event` of `conversation` whose `msg.type` is `kind`.
    pub(super) async fn event(&mut self, conversation: &str, kind: &str) -> Value {
        self.take(|m| {
            m["method"] == "codex/event"
                && m["params"]["conversationId"] == conversation
                && m["params"]["msg"]["type"] == kind
        })
        .await
    }

    /// The next server request of `method`.
    pub(super) async fn server_request(&mut self, method: &str) -> Value {
        self.take(|m| m["method"] == method && m.get("id").is_some())
            .await
    }

    /// Reads one message; `None` at end of output.
    pub(super) async fn read(&mut self) -> Option<Value> {
        let line = tokio::time::timeout(WAIT, self.lines.next_line())
            .await
            .expect("no message from the app server in time")
            .unwrap()?;
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the server wrote a line that is not JSON ({e}): {line}"));
        self.log.push(value.clone());
        self.transcript
            .push(json!({"dir": "out", "message": value.clone()}));
        Some(value)
    }

    /// Closes stdin and waits for the process to exit; returns its exit code and the messages written
    /// after the close.
    pub(super) async fn close(self) -> (Option<i32>, Vec<Value>) {
        let (code, rest, _) = self.close_with_transcript().await;
        (code, rest)
    }

    /// [`close`](Self::close), also returning the whole transcript.
    pub(super) async fn close_with_transcript(mut self) -> (Option<i32>, Vec<Value>, Vec<Value>) {
        self.stdin.take();
        let mut rest = Vec::new();
        while let Some(m) = self.read().await {
            rest.push(m);
        }
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the app server did not exit after its stdin closed")
            .unwrap();
        (status.code(), rest, self.transcript)
    }

    /// Starts a conversation in `cwd` with `extra` params and listens to it; returns its id and the
    /// `newConversation` result.
    pub(super) async fn conversation(&mut self, cwd: &Path, extra: Value) -> (String, Value) {
        let mut params = json!({"cwd": cwd});
        if let Value::Object(extra) = extra {
            params.as_object_mut().unwrap().extend(extra);
        }
        let started = self.ok("newConversation", params).await;
        let id = started["conversationId"].as_str().unwrap().to_owned();
        self.ok("addConversationListener", json!({"conversationId": id}))
            .await;
        let configured = self
            .take(|m| m["method"] == "sessionConfigured" && m["params"]["sessionId"] == id)
            .await;
        assert_eq!(configured["params"]["model"], started["model"]);
        (id, started)
    }
}
