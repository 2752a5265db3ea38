//! [`PostgresRolloutStore`] (feature `postgres`): rollouts in a PostgreSQL database that many workers
//! share, so a conversation outlives the process that ran it and resumes on any worker.
//!
//! - Schema: created and migrated by the SDK on first use (`migrate.rs`, versioned, under an advisory
//!   lock). One row per conversation (`codex_conversations`: the listing's columns and the lease) and one
//!   row per rollout line (`codex_rollout_lines`), so a conversation reads back as the same JSON lines a
//!   rollout file holds.
//! - Writing: one transaction per batch the recorder flushes — all of a batch or none of it is visible.
//! - One live owner: creating or resuming a conversation takes its *lease* (a row lock that is not a lock:
//!   `lease_owner` + `lease_expires`, renewed by every append and a heartbeat). A second worker gets
//!   [`Error::ConversationBusy`]; a crashed worker's lease expires and another takes over, after which the
//!   old owner's appends are refused (the append's `UPDATE … WHERE lease_owner = $me` is the fence).
//! - Paths are keys: `pg:sessions/<id>` and `pg:archived_sessions/<id>`.

mod appender;
mod error;
mod lease;
mod migrate;
mod pool;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Local};
use tokio::sync::OnceCell;
use uuid::Uuid;

use self::appender::PgAppender;
use self::error::pg_error;
use self::pool::Pool;
use super::SessionMeta;
use super::reader::meta_from_head;
use super::store::{RolloutAppender, RolloutStore};
use crate::config::{DEFAULT_POOL_SIZE, DatabaseUrl, RolloutStoreConfig};
use crate::error::{Error, Result};
use crate::protocol::{ConversationId, ConversationSummary, ConversationsPage, Cursor};

pub use self::migrate::SCHEMA_VERSION;

const LIVE_PREFIX: &str = "pg:sessions/";
const ARCHIVED_PREFIX: &str = "pg:archived_sessions/";

/// Rollouts in PostgreSQL. Cheap to clone (clones share the pool and the leases). Connects lazily: the
/// first operation opens a connection and migrates the schema.
#[derive(Clone)]
pub struct PostgresRolloutStore {
    inner: Arc<StoreInner>,
}

pub(super) struct StoreInner {
    pool: Arc<Pool>,
    lease_ttl: Duration,
    url: DatabaseUrl,
    ready: OnceCell<()>,
    /// Leases held by this store's live appenders: conversation → token.
    held: Mutex<HashMap<Uuid, Uuid>>,
    /// Leases of appenders dropped here whose release may not have reached the database yet.
    released: Mutex<HashMap<Uuid, Uuid>>,
    heartbeat: std::sync::Once,
}

impl std::fmt::Debug for PostgresRolloutStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresRolloutStore")
            .field("url", &self.inner.url)
            .field("lease_ttl", &self.inner.lease_ttl)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PostgresRolloutStore {
    /// A store at `url` with the default lease and pool size.
    ///
    /// # Errors
    /// [`Error::Config`] when the URL does not parse (the message never shows the password).
    pub fn new(url: impl Into<String>) -> Result<Self> {
        Self::from_config(&RolloutStoreConfig::postgres(url))
    }

    /// A store with the settings of a `[rollout]` table (`url` or `url_env`, `lease_ttl_ms`,
    /// `pool_size`).
    ///
    /// # Errors
    /// [`Error::Config`] when no URL is given or it does not parse.
    pub fn from_config(config: &RolloutStoreConfig) -> Result<Self> {
        let url = config.resolve_url()?;
        let password = url.password().map(str::to_owned);
        let mut pg = tokio_postgres::Config::from_str(url.expose()).map_err(|e| Error::Config {
            key: "rollout.url".to_owned(),
            message: format!(
                "{} is not a PostgreSQL URL: {}",
                url.redacted(),
                redact(&e.to_string(), password.as_deref())
            ),
        })?;
        if pg.get_connect_timeout().is_none() {
            pg.connect_timeout(Duration::from_secs(10));
        }
        if pg.get_application_name().is_none() {
            pg.application_name("codex-sdk");
        }
        let size = config.pool_size.unwrap_or(DEFAULT_POOL_SIZE);
        Ok(Self {
            inner: Arc::new(StoreInner {
                pool: Arc::new(Pool::new(pg, size, password)),
                lease_ttl: config.lease_ttl(),
                url,
                ready: OnceCell::new(),
                held: Mutex::default(),
                released: Mutex::default(),
                heartbeat: std::sync::Once::new(),
            }),
        })
    }

    /// Connects and brings the schema up to date now (otherwise the first operation does).
    ///
    /// # Errors
    /// [`Error::Io`] when the server cannot be reached or the migration fails.
    pub async fn migrate(&self) -> Result<()> {
        self.inner.ready().await
    }

    /// The path (key) of a live conversation.
    #[must_use]
    pub fn path_of(id: ConversationId) -> PathBuf {
        PathBuf::from(format!("{LIVE_PREFIX}{id}"))
    }

    /// How long a lease lasts without renewal.
    #[must_use]
    pub fn lease_ttl(&self) -> Duration {
        self.inner.lease_ttl
    }
}

fn redact(text: &str, password: Option<&str>) -> String {
    match password.filter(|p| !p.is_empty()) {
        Some(p) => text.replace(p, crate::error::REDACTED),
        None => text.to_owned(),
    }
}

/// The id a path names and whether it names the archive.
fn parse_path(path: &Path) -> Result<(Uuid, bool)> {
    let text = path.to_str().unwrap_or_default();
    let (rest, archived) = if let Some(rest) = text.strip_prefix(LIVE_PREFIX) {
        (rest, false)
    } else if let Some(rest) = text.strip_prefix(ARCHIVED_PREFIX) {
        (rest, true)
    } else {
        (text, false)
    };
    Uuid::parse_str(rest).map(|id| (id, archived)).map_err(|_| {
        Error::InvalidInput(format!(
            "{} is not a PostgreSQL rollout (pg:sessions/<id>)",
            path.display()
        ))
    })
}

fn path_for(id: Uuid, archived: bool) -> PathBuf {
    let prefix = if archived {
        ARCHIVED_PREFIX
    } else {
        LIVE_PREFIX
    };
    PathBuf::from(format!("{prefix}{id}"))
}

fn not_found(path: &Path) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} is not in the database", path.display()),
    ))
}

impl StoreInner {
    fn err(&self) -> impl Fn(tokio_postgres::Error) -> Error + '_ {
        move |e| pg_error(&e, self.pool.password())
    }

    async fn ready(&self) -> Result<()> {
        self.ready
            .get_or_try_init(|| async {
                let mut conn = self.pool.get().await?;
                let applied = migrate::migrate(conn.client(), self.pool.password()).await?;
                if applied > 0 {
                    tracing::info!(applied, "migrated the rollout database");
                }
                Ok::<_, Error>(())
            })
            .await
            .map(|_| ())
    }

    /// A connection from the pool, after the schema is ready.
    async fn conn(&self) -> Result<pool::PooledClient> {
        self.ready().await?;
        self.pool.get().await
    }

    fn ttl_ms(&self) -> f64 {
        self.lease_ttl.as_secs_f64() * 1000.0
    }
}

#[async_trait]
impl RolloutStore for PostgresRolloutStore {
    async fn create(
        &self,
        id: ConversationId,
        started: DateTime<Local>,
    ) -> Result<(PathBuf, Box<dyn RolloutAppender>)> {
        let inner = &self.inner;
        let uuid = *id.as_uuid();
        let token = Uuid::new_v4();
        let started_ts = started.format("%Y-%m-%dT%H-%M-%S").to_string();
        let mut conn = inner.conn().await?;
        let inserted = conn
            .client()
            .execute(
                "INSERT INTO codex_conversations (id, started_ts, lease_owner, lease_expires)
                 VALUES ($1, $2, $3, now() + $4::float8 * interval '1 millisecond')
                 ON CONFLICT (id) DO NOTHING",
                &[&uuid, &started_ts, &token, &inner.ttl_ms()],
            )
            .await
            .map_err(inner.err())?;
        if inserted == 0 {
            return Err(Error::InvalidInput(format!(
                "conversation {id} already exists"
            )));
        }
        inner.hold(uuid, token);
        let appender = PgAppender {
            store: Arc::clone(inner),
            id: uuid,
            token,
            has_preview: false,
            closed: false,
        };
        Ok((path_for(uuid, false), Box::new(appender)))
    }

    async fn open_append(&self, path: &Path) -> Result<Box<dyn RolloutAppender>> {
        Ok(Box::new(self.inner.acquire(path).await?))
    }

    async fn read(&self, path: &Path) -> Result<Vec<u8>> {
        let (id, _) = parse_path(path)?;
        let inner = &self.inner;
        let mut conn = inner.conn().await?;
        let client = conn.client();
        let tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .start()
            .await
            .map_err(inner.err())?;
        let exists = tx
            .query_opt("SELECT 1 FROM codex_conversations WHERE id = $1", &[&id])
            .await
            .map_err(inner.err())?;
        if exists.is_none() {
            return Err(not_found(path));
        }
        let rows = tx
            .query(
                "SELECT line FROM codex_rollout_lines WHERE conversation_id = $1 ORDER BY seq",
                &[&id],
            )
            .await
            .map_err(inner.err())?;
        tx.commit().await.map_err(inner.err())?;
        let mut bytes = Vec::new();
        for row in rows {
            let line: &str = row.get(0);
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        Ok(bytes)
    }

    async fn read_meta(&self, path: &Path) -> Result<Option<SessionMeta>> {
        let (id, _) = parse_path(path)?;
        let inner = &self.inner;
        let mut conn = inner.conn().await?;
        let row = conn
            .client()
            .query_opt(
                "SELECT meta_line, lease_owner IS NOT NULL AND lease_expires >= now()
                 FROM codex_conversations WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(inner.err())?
            .ok_or_else(|| not_found(path))?;
        let line: Option<String> = row.get(0);
        match line {
            Some(line) => Ok(meta_from_head(format!("{line}\n").as_bytes())),
            // Created, its first lines not yet written: it is being started by the lease's holder.
            None if row.get::<_, bool>(1) => Err(Error::ConversationBusy {
                id: ConversationId::from_uuid(id),
            }),
            None => Ok(None),
        }
    }

    async fn list(&self, page_size: usize, cursor: Option<&Cursor>) -> Result<ConversationsPage> {
        let mut page = ConversationsPage::default();
        if page_size == 0 {
            page.next_cursor = cursor.cloned();
            return Ok(page);
        }
        let inner = &self.inner;
        let limit = i64::try_from(page_size).unwrap_or(i64::MAX);
        let mut conn = inner.conn().await?;
        const COLUMNS: &str = "SELECT id, started_ts, meta_line, preview, model, updated_at
             FROM codex_conversations
             WHERE NOT archived AND preview IS NOT NULL AND meta_line IS NOT NULL";
        let rows = match cursor {
            Some(c) => {
                let sql = format!(
                    "{COLUMNS} AND (started_ts, id) < ($1, $2)
                     ORDER BY started_ts DESC, id DESC LIMIT $3"
                );
                let (ts, id) = (c.file_ts().to_owned(), c.id());
                conn.client().query(&sql, &[&ts, &id, &limit]).await
            }
            None => {
                let sql = format!("{COLUMNS} ORDER BY started_ts DESC, id DESC LIMIT $1");
                conn.client().query(&sql, &[&limit]).await
            }
        }
        .map_err(inner.err())?;
        page.scanned_files = rows.len();
        for row in rows {
            let id: Uuid = row.get(0);
            let cursor = Cursor::new(row.get::<_, String>(1), ConversationId::from_uuid(id));
            let meta_line: String = row.get(2);
            let Some(meta) = meta_from_head(format!("{meta_line}\n").as_bytes()) else {
                continue;
            };
            page.items.push(ConversationSummary {
                conversation_id: meta.id,
                path: path_for(id, false),
                created_at: meta.timestamp,
                updated_at: row.get(5),
                preview: row.get(3),
                model: row.get(4),
                model_provider: meta.model_provider,
                cwd: meta.cwd,
                source: meta.source,
                cursor,
            });
        }
        if page.scanned_files == page_size {
            page.next_cursor = page.items.last().map(|s| s.cursor.clone());
        }
        Ok(page)
    }

    async fn find(&self, id: ConversationId) -> Result<Option<PathBuf>> {
        let inner = &self.inner;
        let uuid = *id.as_uuid();
        let mut conn = inner.conn().await?;
        let row = conn
            .client()
            .query_opt(
                "SELECT 1 FROM codex_conversations WHERE id = $1 AND NOT archived",
                &[&uuid],
            )
            .await
            .map_err(inner.err())?;
        Ok(row.map(|_| path_for(uuid, false)))
    }

    async fn archive(&self, path: &Path) -> Result<PathBuf> {
        self.set_archived(path, true).await
    }

    async fn unarchive(&self, path: &Path) -> Result<PathBuf> {
        self.set_archived(path, false).await
    }
}

impl PostgresRolloutStore {
    /// Moves a conversation in or out of the archive. A conversation live in another worker is not
    /// archived ([`Error::ConversationBusy`]).
    async fn set_archived(&self, path: &Path, archive: bool) -> Result<PathBuf> {
        let (id, archived) = parse_path(path)?;
        if archived == archive {
            let what = if archive { "a live" } else { "an archived" };
            return Err(Error::InvalidInput(format!(
                "{} is not {what} conversation",
                path.display()
            )));
        }
        let inner = &self.inner;
        let mut conn = inner.conn().await?;
        let row = conn
            .client()
            .query_opt(
                "UPDATE codex_conversations SET archived = $2
                 WHERE id = $1 AND archived = NOT $2
                   AND (lease_owner IS NULL OR lease_expires < now() OR lease_owner = $3)
                 RETURNING id",
                &[&id, &archive, &inner.released_token(id)],
            )
            .await
            .map_err(inner.err())?;
        if row.is_some() {
            return Ok(path_for(id, archive));
        }
        let state = conn
            .client()
            .query_opt(
                "SELECT archived FROM codex_conversations WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(inner.err())?;
        Err(match state {
            None => not_found(path),
            Some(row) if row.get::<_, bool>(0) == archive => Error::InvalidInput(format!(
                "conversation {id} is already {}",
                if archive { "archived" } else { "live" }
            )),
            Some(_) => Error::ConversationBusy {
                id: ConversationId::from_uuid(id),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_conversation_and_whether_it_is_archived() {
        let id = Uuid::new_v4();
        assert_eq!(parse_path(&path_for(id, false)).unwrap(), (id, false));
        assert_eq!(parse_path(&path_for(id, true)).unwrap(), (id, true));
        assert_eq!(parse_path(Path::new(&id.to_string())).unwrap(), (id, false));
        assert!(parse_path(Path::new("/home/x/rollout.jsonl")).is_err());
    }

    #[test]
    fn a_bad_url_is_a_config_error_without_the_password() {
        let err = PostgresRolloutStore::new("postgres://u:hunter2@host:notaport/db").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("rollout.url"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        let store = PostgresRolloutStore::new("postgres://u:hunter2@127.0.0.1:1/db").unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
    }
}
