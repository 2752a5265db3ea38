//! `[rollout]`: where conversations are recorded — the Codex CLI files under `CODEX_HOME` (the default) or
//! a PostgreSQL database shared by many workers (feature `postgres`).
//!
//! ```toml
//! [rollout]
//! store = "postgres"
//! url_env = "CODEX_DATABASE_URL"   # or: url = "postgres://codex@127.0.0.1/codex"
//! lease_ttl_ms = 30000
//! ```

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, REDACTED, Result};

/// How long a worker's claim on a conversation lasts without a heartbeat, by default.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// Connections a PostgreSQL store opens at most, by default.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// The `[rollout]` table (and `CodexOptions::rollout`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RolloutStoreConfig {
    /// `"file"` (Codex CLI's files under `CODEX_HOME`, the default) or `"postgres"`.
    pub store: RolloutStoreKind,
    /// The database URL (`postgres://user:password@host:port/db`). Its password never appears in `Debug`
    /// output, errors or logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<DatabaseUrl>,
    /// The environment variable holding the database URL (used when `url` is not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    /// How long a worker's claim on a conversation lasts without a heartbeat, in milliseconds (default
    /// 30000). A crashed worker's conversations can be resumed elsewhere after this long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_ttl_ms: Option<u64>,
    /// Connections opened at most (default 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_size: Option<usize>,
}

/// Which store records conversations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RolloutStoreKind {
    /// Codex CLI's rollout files under `CODEX_HOME`.
    #[default]
    File,
    /// A PostgreSQL database (feature `postgres`).
    Postgres,
}

impl RolloutStoreConfig {
    /// A PostgreSQL store at `url`.
    #[must_use]
    pub fn postgres(url: impl Into<String>) -> Self {
        Self {
            store: RolloutStoreKind::Postgres,
            url: Some(DatabaseUrl::new(url)),
            ..Self::default()
        }
    }

    /// The same settings with another lease duration (milliseconds are kept).
    #[must_use]
    pub fn with_lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl_ms = Some(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// The same settings with another pool size.
    #[must_use]
    pub fn with_pool_size(mut self, size: usize) -> Self {
        self.pool_size = Some(size);
        self
    }

    /// The lease duration.
    #[must_use]
    pub fn lease_ttl(&self) -> Duration {
        self.lease_ttl_ms
            .map_or(DEFAULT_LEASE_TTL, Duration::from_millis)
    }

    /// The database URL: `url`, else the variable `url_env` names.
    ///
    /// # Errors
    /// [`Error::Config`] when neither is set, or the variable is unset or empty.
    pub fn resolve_url(&self) -> Result<DatabaseUrl> {
        if let Some(url) = &self.url {
            return Ok(url.clone());
        }
        let Some(var) = &self.url_env else {
            return Err(Error::Config {
                key: "rollout.url".to_owned(),
                message: "store = \"postgres\" needs `url` or `url_env`".to_owned(),
            });
        };
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => Ok(DatabaseUrl::new(url)),
            _ => Err(Error::Config {
                key: "rollout.url_env".to_owned(),
                message: format!("the environment variable {var} is not set"),
            }),
        }
    }
}

/// A database URL. `Debug` and `Display` show it with the password replaced by `<redacted>`; the whole
/// URL is only reachable through [`expose`](Self::expose).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, for connecting. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password in the URL (`user:password@` or a `password=` parameter), if any.
    #[must_use]
    pub fn password(&self) -> Option<&str> {
        let url = &self.0;
        if let Some(rest) = url.split_once("://").map(|(_, rest)| rest) {
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            if let Some((userinfo, _)) = authority.rsplit_once('@')
                && let Some((_, password)) = userinfo.split_once(':')
                && !password.is_empty()
            {
                return Some(password);
            }
        }
        // `?password=...` in a URL, or `password=...` in a key/value connection string.
        url.split(['?', '&', ' '])
            .find_map(|part| part.strip_prefix("password="))
            .filter(|p| !p.is_empty())
    }

    /// The URL with its password replaced by `<redacted>`.
    #[must_use]
    pub fn redacted(&self) -> String {
        match self.password() {
            Some(password) => self.0.replace(password, REDACTED),
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_every_url_form() {
        for (url, shown) in [
            (
                "postgres://codex:s3cret@127.0.0.1:5432/db",
                "postgres://codex:<redacted>@127.0.0.1:5432/db",
            ),
            (
                "postgresql://codex:s3cret@host/db?sslmode=disable",
                "postgresql://codex:<redacted>@host/db?sslmode=disable",
            ),
            (
                "postgres://codex@host/db?password=s3cret&x=1",
                "postgres://codex@host/db?password=<redacted>&x=1",
            ),
            (
                "host=127.0.0.1 user=codex password=s3cret",
                "host=127.0.0.1 user=codex password=<redacted>",
            ),
            ("postgres://codex@host/db", "postgres://codex@host/db"),
        ] {
            let url = DatabaseUrl::new(url);
            assert_eq!(url.to_string(), shown);
            assert!(!format!("{url:?}").contains("s3cret"));
        }
        let config = RolloutStoreConfig::postgres("postgres://u:s3cret@h/d");
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn the_url_comes_from_the_named_variable_or_a_clear_error() {
        let config = RolloutStoreConfig {
            store: RolloutStoreKind::Postgres,
            url_env: Some("CODEX_SDK_TEST_SURELY_UNSET_VAR".to_owned()),
            ..RolloutStoreConfig::default()
        };
        let err = config.resolve_url().unwrap_err();
        assert!(err.to_string().contains("CODEX_SDK_TEST_SURELY_UNSET_VAR"));
        let parsed: RolloutStoreConfig =
            toml::from_str("store = \"postgres\"\nurl = \"postgres://a@b/c\"\nlease_ttl_ms = 500")
                .unwrap();
        assert_eq!(parsed.store, RolloutStoreKind::Postgres);
        assert_eq!(parsed.lease_ttl(), Duration::from_millis(500));
    }
}
