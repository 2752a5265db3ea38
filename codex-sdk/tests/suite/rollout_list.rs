//! Listing: newest first across day folders, stable cursors, skipped files.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};
use std::sync::Arc;

use codex_sdk::model::ScriptedModel;
use codex_sdk::protocol::ConversationId;
use codex_sdk::rollout::{Cursor, SessionSource};
use codex_sdk::{Codex, ErrorCode};
use pretty_assertions::assert_eq;

fn codex(home: &Path) -> Codex {
    Codex::builder()
        .codex_home(home)
        .model_client(Arc::new(ScriptedModel::new([])))
        .build()
        .unwrap()
}

/// Writes `sessions/<day>/rollout-<ts>-<id>.jsonl` with a session meta (when `meta`) and a user message
/// (when `user` is given).
fn write_rollout(home: &Path, ts: &str, id: &str, meta: bool, user: Option<&str>) -> PathBuf {
    let dir = home
        .join("sessions")
        .join(&ts[0..4])
        .join(&ts[5..7])
        .join(&ts[8..10]);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("rollout-{ts}-{id}.jsonl"));
    let mut text = String::new();
    if meta {
        text.push_str(&format!(
            r#"{{"timestamp":"{ts}.000Z","type":"session_meta","payload":{{"id":"{id}","timestamp":"{ts}.000Z","cwd":"/w","originator":"test","cli_version":"1","source":"cli","model_provider":"openai"}}}}"#
        ));
        text.push('\n');
        text.push_str(r#"{"timestamp":"t1","type":"turn_context","payload":{"cwd":"/w","approval_policy":"never","sandbox_policy":{"mode":"read-only"},"model":"o3","summary":"auto"}}"#);
        text.push('\n');
    }
    if let Some(user) = user {
        text.push_str(&format!(
            r#"{{"timestamp":"t2","type":"event_msg","payload":{{"type":"user_message","message":"{user}"}}}}"#
        ));
        text.push('\n');
        text.push_str(r#"{"timestamp":"t3","type":"turn_context","payload":{"cwd":"/w","model":"gpt-5-codex"}}"#);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn id(n: u8) -> String {
    format!("00000000-0000-7000-8000-0000000000{n:02}")
}

#[tokio::test]
async fn pages_walk_day_folders_newest_first_with_stable_cursors() {
    let home = tempfile::tempdir().unwrap();
    let a = write_rollout(home.path(), "2025-01-01T09-00-00", &id(1), true, Some("a"));
    let b = write_rollout(home.path(), "2025-01-02T09-00-00", &id(2), true, Some("b"));
    let c = write_rollout(home.path(), "2025-01-02T09-00-00", &id(3), true, Some("c"));
    write_rollout(home.path(), "2025-01-03T08-00-00", &id(4), true, None); // no user message
    write_rollout(home.path(), "2025-01-03T09-00-00", &id(5), false, Some("x")); // no meta
    let d = write_rollout(home.path(), "2025-02-10T10-00-00", &id(6), true, Some("d"));
    let e = write_rollout(home.path(), "2026-01-01T00-00-00", &id(7), true, Some("e"));
    std::fs::write(home.path().join("sessions/2025/01/01/notes.txt"), "x").unwrap();
    let codex = codex(home.path());

    let mut seen: Vec<PathBuf> = Vec::new();
    let mut cursors = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = codex.list_conversations(2, cursor.as_ref()).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|s| s.path.clone()));
        match page.next_cursor {
            Some(next) => {
                cursors.push(next.to_string());
                cursor = Some(next);
            }
            None => break,
        }
    }
    // The last page is not full, so it has no next cursor.
    assert_eq!(seen, vec![e, d, c, b, a.clone()]);
    assert_eq!(
        cursors,
        vec![
            format!("2025-02-10T10-00-00|{}", id(6)),
            format!("2025-01-02T09-00-00|{}", id(2)),
        ]
    );

    // A new, newer session does not shift later pages.
    write_rollout(home.path(), "2027-01-01T00-00-00", &id(8), true, Some("f"));
    let cursor: Cursor = cursors[0].parse().unwrap();
    let page = codex.list_conversations(2, Some(&cursor)).await.unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|s| s.preview.as_str())
            .collect::<Vec<_>>(),
        ["c", "b"]
    );

    let last = codex
        .list_conversations(1, Some(&cursors[1].parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(last.items.len(), 1);
    let summary = &last.items[0];
    assert_eq!(
        (
            summary.conversation_id,
            summary.path.clone(),
            summary.created_at.as_str(),
            summary.updated_at.as_deref(),
            summary.preview.as_str(),
            summary.model.as_deref(),
            summary.model_provider.as_deref(),
            summary.cwd.clone(),
            summary.source,
            summary.cursor.to_string(),
        ),
        (
            id(1).parse::<ConversationId>().unwrap(),
            a,
            "2025-01-01T09-00-00.000Z",
            Some("t3"),
            "a",
            Some("gpt-5-codex"),
            Some("openai"),
            PathBuf::from("/w"),
            SessionSource::Cli,
            format!("2025-01-01T09-00-00|{}", id(1)),
        )
    );
}

#[tokio::test]
async fn bad_cursors_are_invalid_input_and_an_empty_home_lists_nothing() {
    for bad in [
        "",
        "2025-01-01T00-00-00",
        "2025-01-01|nope",
        "yesterday|00000000-0000-7000-8000-000000000001",
    ] {
        let err = codex_sdk::Error::from(bad.parse::<Cursor>().unwrap_err());
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
    }
    let home = tempfile::tempdir().unwrap();
    let page = codex(home.path())
        .list_conversations(10, None)
        .await
        .unwrap();
    assert_eq!(
        (page.items.len(), page.next_cursor, page.scanned_files),
        (0, None, 0)
    );
}
