//! Rollouts that outlive failures: a storage that fills up mid-conversation is reported (one warning, an
//! `Io` error from shutdown) and leaves whole lines that resume; a conversation cut off mid-tool-call
//! resumes (and forks) into a request the API accepts.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Local};
use codex_sdk::model::{ModelProviderInfo, ScriptedModel, ScriptedResponse, WireApi};
use codex_sdk::protocol::*;
use codex_sdk::rollout::{
    ConversationsPage, Cursor, FileRolloutStore, InMemoryRolloutStore, RolloutAppender,
    RolloutContents, RolloutRecorder, RolloutStore, SessionMeta, SessionSource, now_timestamp,
};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use codex_sdk::{Codex, ErrorCode, Result};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::support::events_until;

/// A store whose new rollouts take `budget` bytes of whole lines, then fail as a full disk does. Resumed
/// rollouts (`open_append`) have room again.
#[derive(Debug, Clone)]
struct FillingStore {
    files: InMemoryRolloutStore,
    budget: usize,
}

struct Budget {
    inner: Box<dyn RolloutAppender>,
    left: usize,
}

#[async_trait]
impl RolloutAppender for Budget {
    async fn append(&mut self, lines: &[u8]) -> io::Result<()> {
        let room = &lines[..lines.len().min(self.left)];
        let fit = room.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        if fit > 0 {
            self.inner.append(&lines[..fit]).await?;
        }
        self.left -= fit;
        if fit < lines.len() {
            self.left = 0;
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device",
            ));
        }
        Ok(())
    }

    async fn sync(&mut self) -> io::Result<()> {
        self.inner.sync().await
    }
}

#[async_trait]
impl RolloutStore for FillingStore {
    async fn create(
        &self,
        id: ConversationId,
        started: DateTime<Local>,
    ) -> Result<(PathBuf, Box<dyn RolloutAppender>)> {
        let (path, inner) = self.files.create(id, started).await?;
        let left = self.budget;
        Ok((path, Box::new(Budget { inner, left })))
    }
    async fn open_append(&self, path: &Path) -> Result<Box<dyn RolloutAppender>> {
        self.files.open_append(path).await
    }
    async fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.files.read(path).await
    }
    async fn list(&self, page_size: usize, cursor: Option<&Cursor>) -> Result<ConversationsPage> {
        self.files.list(page_size, cursor).await
    }
    async fn archive(&self, path: &Path) -> Result<PathBuf> {
        self.files.archive(path).await
    }
    async fn unarchive(&self, path: &Path) -> Result<PathBuf> {
        self.files.unarchive(path).await
    }
}

/// Room for the session meta and the environment context, not for the turn.
const BUDGET: usize = 1024;

fn filling_codex(responses: Vec<ScriptedResponse>) -> (Codex, InMemoryRolloutStore) {
    let files = InMemoryRolloutStore::new();
    let store = FillingStore {
        files: files.clone(),
        budget: BUDGET,
    };
    let codex = Codex::builder()
        .model("gpt-5-codex")
        .cwd("/tmp")
        .instructions("test instructions")
        .rollout_store(Arc::new(store))
        .model_client(Arc::new(ScriptedModel::new(responses)))
        .no_builtin_tools()
        .build()
        .unwrap();
    (codex, files)
}

fn is_warning(msg: &EventMsg) -> bool {
    matches!(msg, EventMsg::Warning(_))
}

/// Whole lines only, and something to resume.
fn assert_whole_lines(bytes: &[u8]) -> RolloutContents {
    assert!(bytes.ends_with(b"\n"), "{}", String::from_utf8_lossy(bytes));
    let contents = RolloutContents::parse(bytes);
    assert!(!contents.report.torn_tail);
    assert_eq!(contents.report.invalid_lines, 0);
    assert!(contents.meta.is_some());
    contents
}

#[tokio::test]
async fn a_full_store_warns_once_then_the_shutdown_reports_an_io_error() {
    let (codex, files) = filling_codex(vec![
        ScriptedResponse::text("first answer"),
        ScriptedResponse::text("answer after resume"),
    ]);
    let new = codex.new_conversation().await.unwrap();
    let path = new.rollout_path.clone().unwrap();
    let mut conv = new.conversation;
    conv.send("a question long enough to fill the disk")
        .await
        .unwrap();
    let mut events: Vec<Event> =
        events_until(&mut conv, |m| matches!(m, EventMsg::TaskComplete(_))).await;
    // The writer fails asynchronously: its warning may follow the turn's end, but it comes, once.
    if !events.iter().any(|e| is_warning(&e.msg)) {
        events.extend(events_until(&mut conv, is_warning).await);
    }
    let shutdown_id = conv.submit(Op::Shutdown).await.unwrap();
    events.extend(events_until(&mut conv, |m| matches!(m, EventMsg::ShutdownComplete)).await);

    let warnings: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.msg {
            EventMsg::Warning(w) => Some(w.message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("could not be written") && warnings[0].contains("no space left"),
        "{}",
        warnings[0]
    );
    let errors: Vec<(&SubmissionId, &ErrorEvent)> = events
        .iter()
        .filter_map(|e| match &e.msg {
            EventMsg::Error(err) => Some((&e.id, err)),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, &shutdown_id);
    assert_eq!(errors[0].1.code, ErrorCode::Io);
    assert!(errors[0].1.message.contains(&path.display().to_string()));

    // What was stored is a prefix of whole lines, and it resumes.
    let stored = files.get(&path).unwrap();
    let contents = assert_whole_lines(&stored);
    assert!(stored.len() <= BUDGET);
    assert_eq!(contents.meta.unwrap().id, new.conversation_id);
    let resumed = codex.resume_conversation(&path).await.unwrap();
    let mut conv = resumed.conversation;
    let result = conv.run("after the disk was cleaned").await.unwrap();
    assert_eq!(result.final_message.as_deref(), Some("answer after resume"));
    conv.shutdown().await.unwrap();
    assert_whole_lines(&files.get(&path).unwrap());
}

#[tokio::test]
async fn shutdown_returns_the_rollout_failure_as_an_io_error() {
    let (codex, files) = filling_codex(vec![ScriptedResponse::text("an answer")]);
    let new = codex.new_conversation().await.unwrap();
    let path = new.rollout_path.clone().unwrap();
    let mut conv = new.conversation;
    conv.run("a question long enough to fill the disk")
        .await
        .unwrap();
    let err = conv.shutdown().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Io);
    assert!(err.to_string().contains("could not be written"), "{err}");
    assert_whole_lines(&files.get(&path).unwrap());
}

/// A rollout whose last item is a tool call without its output: what a conversation killed while the
/// tool ran leaves behind.
async fn cut_off_rollout(home: &Path) -> PathBuf {
    let store = FileRolloutStore::new(home);
    let id = ConversationId::new();
    let (path, appender) = store.create(id, Local::now()).await.unwrap();
    let recorder = RolloutRecorder::spawn(path.clone(), appender);
    recorder.record_meta(&SessionMeta {
        id,
        timestamp: now_timestamp(),
        cwd: "/tmp".into(),
        originator: "codex_sdk_tests".into(),
        cli_version: "0.0.0".into(),
        instructions: None,
        source: SessionSource::Exec,
        model_provider: Some("mock".into()),
        git: None,
    });
    recorder.record_response_item(&ResponseItem::user_text("run the slow build"));
    recorder.record_event(&EventMsg::UserMessage(UserMessageEvent {
        message: "run the slow build".into(),
        images: None,
    }));
    recorder.record_response_item(&ResponseItem::FunctionCall {
        id: None,
        name: "shell".into(),
        arguments: r#"{"command":["make"]}"#.into(),
        call_id: "call_cut".into(),
    });
    recorder.shutdown().await.unwrap();
    path
}

/// The items of a Responses request's input from the cut-off call on.
fn from_the_call(request: &Value) -> Vec<Value> {
    let input = request["input"].as_array().unwrap();
    let at = input
        .iter()
        .position(|i| i["type"] == "function_call")
        .unwrap_or_else(|| panic!("no function_call in {input:#?}"));
    input[at..].to_vec()
}

#[tokio::test]
async fn a_conversation_cut_off_mid_tool_call_resumes_and_forks_into_a_valid_request() {
    let server = MockServer::start().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let path = cut_off_rollout(home.path()).await;
    let codex = Codex::builder()
        .provider(ModelProviderInfo::custom(
            "mock",
            server.base_url(),
            WireApi::Responses,
        ))
        .api_key("sk-durability-test")
        .model("gpt-5-codex")
        .cwd("/tmp")
        .codex_home(home.path())
        .no_builtin_tools()
        .build()
        .unwrap();
    server.enqueue(MockResponse::sse(sse::text_response("r1", "forked")));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "resumed")));

    // Fork first: resuming appends to the file.
    let mut forked = codex
        .fork_conversation(&path, 99)
        .await
        .unwrap()
        .conversation;
    forked.run("and now?").await.unwrap();
    forked.shutdown().await.unwrap();
    let mut resumed = codex.resume_conversation(&path).await.unwrap().conversation;
    resumed.run("what happened?").await.unwrap();
    resumed.shutdown().await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (request, question) in requests.iter().zip(["and now?", "what happened?"]) {
        let tail = from_the_call(&request.json());
        assert_eq!(
            tail,
            vec![
                json!({"type": "function_call", "name": "shell",
                       "arguments": r#"{"command":["make"]}"#, "call_id": "call_cut"}),
                json!({"type": "function_call_output", "call_id": "call_cut",
                       "output": "aborted: the conversation ended before this call finished"}),
                json!({"type": "message", "role": "user",
                       "content": [{"type": "input_text", "text": question}]}),
            ]
        );
    }
    // The repair is made on every resume, not written into the file.
    let contents = RolloutContents::parse(&std::fs::read(&path).unwrap());
    assert!(!contents.history().iter().any(|i| matches!(
        i,
        ResponseItem::FunctionCallOutput { call_id, .. } if call_id == "call_cut"
    )));
}
