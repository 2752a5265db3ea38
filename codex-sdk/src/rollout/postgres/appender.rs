//! Appending to a conversation in PostgreSQL: one transaction per batch, fenced by the lease, and the
//! listing's columns updated in the same transaction.

use std::io;
use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreInner;
use super::error::pg_io_error;
use crate::protocol::EventMsg;
use crate::rollout::RolloutItem;
use crate::rollout::line::{Parsed, parse_line};
use crate::rollout::rebuild::is_real_user_message;
use crate::rollout::store::RolloutAppender;

/// Appends to one conversation while it holds the conversation's lease (`token`). Dropping it gives the
/// lease back.
pub(super) struct PgAppender {
    pub(super) store: Arc<StoreInner>,
    pub(super) id: Uuid,
    pub(super) token: Uuid,
    /// Whether the conversation already has its preview (its first user message).
    pub(super) has_preview: bool,
    /// Whether `close` gave the lease back already.
    pub(super) closed: bool,
}

/// What a batch changes in the listing's columns.
#[derive(Default)]
struct Facts<'a> {
    meta_line: Option<&'a str>,
    preview: Option<String>,
    model: Option<String>,
    updated_at: Option<String>,
}

fn facts<'a>(lines: &[&'a str], want_preview: bool) -> Facts<'a> {
    let mut facts = Facts::default();
    for line in lines {
        let Parsed::Item(timestamp, item) = parse_line(line) else {
            continue;
        };
        if !timestamp.is_empty() {
            facts.updated_at = Some(timestamp);
        }
        match item {
            RolloutItem::SessionMeta(_) if facts.meta_line.is_none() => {
                facts.meta_line = Some(line);
            }
            RolloutItem::TurnContext(tc) => facts.model = Some(tc.model),
            RolloutItem::EventMsg(EventMsg::UserMessage(u))
                if want_preview && facts.preview.is_none() =>
            {
                facts.preview = Some(u.message);
            }
            RolloutItem::ResponseItem(item)
                if want_preview && facts.preview.is_none() && is_real_user_message(&item) =>
            {
                facts.preview = item.message_text();
            }
            _ => {}
        }
    }
    facts
}

fn to_io(e: crate::Error) -> io::Error {
    match e {
        crate::Error::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

#[async_trait]
impl RolloutAppender for PgAppender {
    async fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let Some(text) = text.strip_suffix('\n') else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "rollout lines must end in a newline",
            ));
        };
        let lines: Vec<&str> = text.split('\n').collect();
        let facts = facts(&lines, !self.has_preview);
        let count = lines.len() as i64;
        let ttl_ms = self.store.lease_ttl.as_secs_f64() * 1000.0;
        let password = self.store.pool.password();
        let err = |e: tokio_postgres::Error| pg_io_error(&e, password);

        let mut conn = self.store.pool.get().await.map_err(to_io)?;
        let tx = conn.client().transaction().await.map_err(err)?;
        // The lease fences the write: a worker whose lease was taken over writes nothing more.
        let first = tx
            .query_opt(
                "UPDATE codex_conversations SET
                    line_count = line_count + $3,
                    lease_expires = now() + $4::float8 * interval '1 millisecond',
                    meta_line = COALESCE(meta_line, $5),
                    preview = COALESCE(preview, $6),
                    model = COALESCE($7, model),
                    updated_at = COALESCE($8, updated_at)
                 WHERE id = $1 AND lease_owner = $2
                 RETURNING line_count - $3",
                &[
                    &self.id,
                    &self.token,
                    &count,
                    &ttl_ms,
                    &facts.meta_line,
                    &facts.preview,
                    &facts.model,
                    &facts.updated_at,
                ],
            )
            .await
            .map_err(err)?
            .ok_or_else(|| {
                io::Error::other(format!(
                    "conversation {} was taken over by another worker (its lease expired); \
                     nothing more is recorded here",
                    self.id
                ))
            })?
            .get::<_, i64>(0);
        tx.execute(
            "INSERT INTO codex_rollout_lines (conversation_id, seq, line)
             SELECT $1, $2 + t.n - 1, t.l FROM unnest($3::text[]) WITH ORDINALITY AS t(l, n)",
            &[&self.id, &first, &lines],
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
        self.has_preview |= facts.preview.is_some();
        Ok(())
    }

    async fn sync(&mut self) -> io::Result<()> {
        // Every batch was committed before `append` returned.
        Ok(())
    }

    async fn close(&mut self) -> io::Result<()> {
        self.closed = true;
        self.store
            .release_now(self.id, self.token)
            .await
            .map_err(to_io)
    }
}

impl Drop for PgAppender {
    fn drop(&mut self) {
        if !self.closed {
            self.store.release(self.id, self.token);
        }
    }
}
