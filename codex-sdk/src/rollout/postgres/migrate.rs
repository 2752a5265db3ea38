//! The schema, created and migrated by the SDK. Each migration runs once, in order, inside one
//! transaction that holds an advisory lock, so workers starting together wait for each other and the
//! second finds nothing left to do. `codex_schema_version` records what was applied.

use tokio_postgres::Client;

use super::error::pg_error;
use crate::error::Result;

/// The advisory lock key of migrations (an arbitrary constant: "codexsdk" in ASCII).
const MIGRATION_LOCK: i64 = 0x636f_6465_7873_646b;

/// Migrations, in order; the version of each is its position + 1. Never edit one that shipped: add
/// another.
const MIGRATIONS: &[&str] = &[
    // 1: conversations (the listing's columns kept up to date by the appender, and the lease) and their
    // lines.
    "CREATE TABLE codex_conversations (
        id uuid PRIMARY KEY,
        started_ts text NOT NULL,
        archived boolean NOT NULL DEFAULT false,
        line_count bigint NOT NULL DEFAULT 0,
        meta_line text,
        preview text,
        model text,
        updated_at text,
        lease_owner uuid,
        lease_expires timestamptz
    );
    CREATE INDEX codex_conversations_listing
        ON codex_conversations (started_ts DESC, id DESC)
        WHERE NOT archived AND preview IS NOT NULL AND meta_line IS NOT NULL;
    CREATE TABLE codex_rollout_lines (
        conversation_id uuid NOT NULL REFERENCES codex_conversations (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        line text NOT NULL,
        PRIMARY KEY (conversation_id, seq)
    );",
];

/// The version of the PostgreSQL schema this SDK creates (`codex_schema_version`).
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Brings the database's schema up to [`SCHEMA_VERSION`]; returns the migrations applied.
pub(super) async fn migrate(client: &mut Client, password: Option<&str>) -> Result<usize> {
    let err = |e: tokio_postgres::Error| pg_error(&e, password);
    let tx = client.transaction().await.map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS codex_schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .await
    .map_err(err)?;
    let current: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM codex_schema_version",
            &[],
        )
        .await
        .map_err(err)?
        .get(0);
    if current > SCHEMA_VERSION {
        // Migrations only ever add: an older SDK keeps working on a newer schema.
        tracing::info!(
            database = current,
            sdk = SCHEMA_VERSION,
            "the rollout database's schema is newer than this SDK's"
        );
    }
    let mut applied = 0;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let version = i as i32 + 1;
        tx.batch_execute(sql).await.map_err(err)?;
        tx.execute(
            "INSERT INTO codex_schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(err)?;
        applied += 1;
    }
    tx.commit().await.map_err(err)?;
    Ok(applied)
}
