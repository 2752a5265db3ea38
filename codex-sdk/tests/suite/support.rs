//! Helpers shared by the suite.

use std::sync::Arc;
use std::time::Duration;

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::{Event, EventMsg};
use codex_sdk::rollout::InMemoryRolloutStore;
use codex_sdk::{Codex, CodexBuilder, Conversation};

/// A builder over a scripted model, with a fixed cwd and instructions so requests are predictable.
pub(super) fn scripted(
    responses: impl IntoIterator<Item = ScriptedResponse>,
) -> (CodexBuilder, Arc<ScriptedModel>) {
    let model = Arc::new(ScriptedModel::new(responses));
    let builder = Codex::builder()
        .model("gpt-5-codex")
        .cwd("/tmp")
        .instructions("test instructions")
        .rollout_store(Arc::new(InMemoryRolloutStore::new()))
        .model_client(model.clone())
        .no_builtin_tools();
    (builder, model)
}

/// Keeps a `Codex` for the rest of the test process, for helpers that return only its conversation:
/// dropping a `Codex` ends every conversation it started.
pub(super) fn keep(codex: Codex) -> &'static Codex {
    Box::leak(Box::new(codex))
}

/// Reads events until `pred` matches (returning every event read, the match last). Fails after 10 s.
pub(super) async fn events_until(
    conv: &mut Conversation,
    pred: impl Fn(&EventMsg) -> bool,
) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), conv.next_event())
            .await
            .unwrap_or_else(|_| panic!("timed out; events so far: {seen:#?}"))
            .unwrap_or_else(|| panic!("stream ended; events so far: {seen:#?}"));
        let done = pred(&event.msg);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

/// Reads events until the turn's terminal event.
pub(super) async fn turn_events(conv: &mut Conversation) -> Vec<EventMsg> {
    events_until(conv, EventMsg::is_turn_terminal)
        .await
        .into_iter()
        .map(|e| e.msg)
        .collect()
}

/// Every file beneath `dir`, recursively.
pub(super) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The `codex-sdk` command that `cargo test` builds (the dev-dependency on this crate turns on its `cli`
/// feature); without a subcommand it runs `exec`.
pub(super) fn exec_binary() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_codex-sdk"))
}

/// An example that `cargo test` builds next to the test binary: `target/<profile>/examples/<name>-<hash>`
/// (the plain `examples/<name>` is only refreshed by `cargo build --example <name>`). The newest build wins.
pub(super) fn example_binary(example: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().join("../examples");
    let newest = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name == example || name.starts_with(&format!("{example}-"))) && !name.contains('.')
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    newest
        .unwrap_or_else(|| {
            panic!(
                "no {example} example in {}: `cargo test -p codex-agent-sdk --features testing` builds it",
                dir.display()
            )
        })
        .1
}
