//! Copying a conversation from one store to another: a Codex CLI rollout file into PostgreSQL (import),
//! a PostgreSQL conversation into a rollout file Codex CLI resumes (export), or between any two stores.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local};

use super::list::parse_file_name;
use super::reader::meta_from_head;
use super::store::RolloutStore;
use crate::error::{Error, Result};

/// Largest batch handed to the target store in one append (as the recorder's).
const BATCH_BYTES: usize = 1 << 20;

/// Copies the conversation at `path` in `from` into `to`, under the same id and start time, line for
/// line; returns its path in `to`. A torn last line (a crash mid-write) is left behind. The source is not
/// changed: archive it afterwards if it should leave the listing.
///
/// ```no_run
/// # async fn f(pg: codex_sdk::rollout::PostgresRolloutStore) -> codex_sdk::Result<()> {
/// use codex_sdk::rollout::{FileRolloutStore, copy_rollout};
/// let files = FileRolloutStore::new("/home/me/.codex");
/// // Import a Codex CLI session, then export it back as a file.
/// let in_pg = copy_rollout(&files, "/home/me/.codex/sessions/2025/10/01/rollout-….jsonl".as_ref(), &pg).await?;
/// let file = copy_rollout(&pg, &in_pg, &FileRolloutStore::new("/tmp/export")).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] when the source has no session meta or `to` already holds the conversation;
/// the stores' errors otherwise.
pub async fn copy_rollout(
    from: &dyn RolloutStore,
    path: &Path,
    to: &dyn RolloutStore,
) -> Result<PathBuf> {
    let bytes = from.read(path).await?;
    let meta = meta_from_head(&bytes).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{} is not a rollout: its first line is not a session_meta",
            path.display()
        ))
    })?;
    let started = started_at(path, &meta.timestamp);
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let (target, mut appender) = to.create(meta.id, started).await?;
    let mut rest = &bytes[..whole];
    while !rest.is_empty() {
        let mut end = rest.len().min(BATCH_BYTES);
        if end < rest.len() {
            // Cut after the last newline within the batch (or after the first line when it is longer).
            end = match rest[..end].iter().rposition(|b| *b == b'\n') {
                Some(p) => p + 1,
                None => rest
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(rest.len(), |p| p + 1),
            };
        }
        appender.append(&rest[..end]).await?;
        rest = &rest[end..];
    }
    appender.sync().await?;
    Ok(target)
}

/// When the conversation started, in local time: the file name's timestamp (as Codex CLI named it),
/// else the session meta's, else now.
fn started_at(path: &Path, meta_timestamp: &str) -> DateTime<Local> {
    let from_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_file_name)
        .and_then(|(ts, _)| {
            chrono::NaiveDateTime::parse_from_str(&ts, "%Y-%m-%dT%H-%M-%S")
                .ok()?
                .and_local_timezone(Local)
                .earliest()
        });
    from_name
        .or_else(|| {
            DateTime::parse_from_rfc3339(meta_timestamp)
                .ok()
                .map(|t| t.with_timezone(&Local))
        })
        .unwrap_or_else(Local::now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::{FileRolloutStore, InMemoryRolloutStore, RolloutContents};

    const CLI_ROLLOUT: &str = concat!(
        r#"{"timestamp":"2025-10-01T12:00:00.000Z","type":"session_meta","payload":{"id":"0199a0b1-0000-7000-8000-000000000001","timestamp":"2025-10-01T12:00:00.000Z","cwd":"/tmp","originator":"codex_cli_rs","cli_version":"0.169.0","instructions":null,"source":"cli"}}"#,
        "\n",
        r#"{"timestamp":"2025-10-01T12:00:01.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}}"#,
        "\n",
        r#"{"timestamp":"2025-10-01T12:00:02.000Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hi"}]}}"#,
        "\n",
        r#"{"timestamp":"2025-10-01T12:00:03.000Z","type":"respo"#,
    );

    #[tokio::test]
    async fn a_codex_cli_rollout_copies_line_for_line_and_back_to_a_file() {
        let home = tempfile::tempdir().unwrap();
        let files = FileRolloutStore::new(home.path());
        let name = "rollout-2025-10-01T14-00-00-0199a0b1-0000-7000-8000-000000000001.jsonl";
        let dir = home.path().join("sessions/2025/10/01");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), CLI_ROLLOUT).unwrap();

        let memory = InMemoryRolloutStore::new();
        let copied = copy_rollout(&files, &dir.join(name), &memory)
            .await
            .unwrap();
        assert_eq!(copied.file_name().unwrap().to_str().unwrap(), name);
        let whole = &CLI_ROLLOUT[..CLI_ROLLOUT.rfind('\n').unwrap() + 1];
        assert_eq!(memory.get(&copied).unwrap(), whole.as_bytes());

        let back = tempfile::tempdir().unwrap();
        let exported = copy_rollout(&memory, &copied, &FileRolloutStore::new(back.path()))
            .await
            .unwrap();
        assert!(exported.ends_with(format!("sessions/2025/10/01/{name}")));
        let contents = RolloutContents::parse(&std::fs::read(&exported).unwrap());
        assert_eq!(contents.entries.len(), 3);

        // The same id twice is refused; a file without a session meta is no rollout.
        let err = copy_rollout(&files, &dir.join(name), &memory)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
        std::fs::write(dir.join("x.jsonl"), "{}\n").unwrap();
        let err = copy_rollout(&files, &dir.join("x.jsonl"), &memory)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("session_meta"), "{err}");
    }
}
