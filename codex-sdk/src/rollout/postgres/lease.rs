//! The lease: which worker may append to a conversation. A row's `lease_owner` (a token per opened
//! appender) and `lease_expires` (server time); taken when free, expired or given back by this store,
//! renewed by every append and by one heartbeat per store, given back when the recording closes.

use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

use uuid::Uuid;

use super::appender::PgAppender;
use super::{StoreInner, lock, not_found, parse_path};
use crate::error::{Error, Result};
use crate::protocol::ConversationId;

impl StoreInner {
    /// A token this store dropped for `id` whose release may still be on its way (else the nil uuid).
    pub(super) fn released_token(&self, id: Uuid) -> Uuid {
        lock(&self.released)
            .get(&id)
            .copied()
            .unwrap_or(Uuid::nil())
    }

    /// Records a lease this store now holds and makes sure the heartbeat runs.
    pub(super) fn hold(self: &Arc<Self>, id: Uuid, token: Uuid) {
        lock(&self.held).insert(id, token);
        lock(&self.released).remove(&id);
        self.heartbeat.call_once(|| {
            tokio::spawn(heartbeat(Arc::downgrade(self)));
        });
    }

    /// Gives a lease back in the background (from an appender dropped without `close`).
    pub(super) fn release(self: &Arc<Self>, id: Uuid, token: Uuid) {
        self.forget(id, token);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = Arc::clone(self);
        runtime.spawn(async move {
            if let Err(e) = store.release_now(id, token).await {
                // It expires by itself.
                tracing::debug!(error = %e, "could not give a conversation lease back");
            }
        });
    }

    /// Stops renewing a lease; until the database hears of it, this store may take it back.
    pub(super) fn forget(&self, id: Uuid, token: Uuid) {
        let mut held = lock(&self.held);
        if held.get(&id) == Some(&token) {
            held.remove(&id);
        }
        drop(held);
        lock(&self.released).insert(id, token);
    }

    /// Gives a lease back now.
    pub(super) async fn release_now(&self, id: Uuid, token: Uuid) -> Result<()> {
        self.forget(id, token);
        let mut conn = self.pool.get().await?;
        conn.client()
            .execute(
                "UPDATE codex_conversations SET lease_owner = NULL, lease_expires = NULL
                 WHERE id = $1 AND lease_owner = $2",
                &[&id, &token],
            )
            .await
            .map_err(self.err())?;
        let mut released = lock(&self.released);
        if released.get(&id) == Some(&token) {
            released.remove(&id);
        }
        Ok(())
    }

    /// Takes the lease of an existing conversation: free, expired, or dropped by this store.
    pub(super) async fn acquire(self: &Arc<Self>, path: &Path) -> Result<PgAppender> {
        let (id, _) = parse_path(path)?;
        let token = Uuid::new_v4();
        let mut conn = self.conn().await?;
        let row = conn
            .client()
            .query_opt(
                "UPDATE codex_conversations
                 SET lease_owner = $2, lease_expires = now() + $3::float8 * interval '1 millisecond'
                 WHERE id = $1
                   AND (lease_owner IS NULL OR lease_expires < now() OR lease_owner = $4)
                 RETURNING preview IS NOT NULL",
                &[&id, &token, &self.ttl_ms(), &self.released_token(id)],
            )
            .await
            .map_err(self.err())?;
        let Some(row) = row else {
            let exists = conn
                .client()
                .query_opt("SELECT 1 FROM codex_conversations WHERE id = $1", &[&id])
                .await
                .map_err(self.err())?;
            return Err(match exists {
                Some(_) => Error::ConversationBusy {
                    id: ConversationId::from_uuid(id),
                },
                None => not_found(path),
            });
        };
        self.hold(id, token);
        Ok(PgAppender {
            store: Arc::clone(self),
            id,
            token,
            has_preview: row.get(0),
            closed: false,
        })
    }
}

/// Renews every lease the store holds, three times per lease duration, in one statement. Ends with the
/// store.
pub(super) async fn heartbeat(store: Weak<StoreInner>) {
    loop {
        let Some(period) = store.upgrade().map(|s| s.lease_ttl / 3) else {
            return;
        };
        tokio::time::sleep(period.max(Duration::from_millis(50))).await;
        let Some(store) = store.upgrade() else {
            return;
        };
        let tokens: Vec<Uuid> = lock(&store.held).values().copied().collect();
        if tokens.is_empty() {
            continue;
        }
        let result = async {
            let mut conn = store.pool.get().await?;
            conn.client()
                .execute(
                    "UPDATE codex_conversations
                     SET lease_expires = now() + $2::float8 * interval '1 millisecond'
                     WHERE lease_owner = ANY($1)",
                    &[&tokens, &store.ttl_ms()],
                )
                .await
                .map_err(store.err())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not renew conversation leases");
        }
    }
}
