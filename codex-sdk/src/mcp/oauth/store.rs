//! Where OAuth tokens for MCP servers are kept (`mcp_oauth_credentials_store`).
//!
//! The file store is `CODEX_HOME/.credentials.json`: one JSON object whose keys name a server and its URL,
//! written atomically with mode 0600. Entries this SDK cannot read (another tool's) are kept as they are.
//! This build has no platform keyring: `"keyring"` is refused with a typed error and `"auto"` uses the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::OAuthError;

/// The file holding MCP OAuth credentials, inside `CODEX_HOME`.
pub const CREDENTIALS_FILE: &str = ".credentials.json";

/// The largest credentials file read (it holds a few tokens per server).
const MAX_FILE_BYTES: u64 = 4 << 20;

/// A token is refreshed when it expires within this margin.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// Where MCP OAuth credentials are stored (`mcp_oauth_credentials_store`, as in Codex CLI).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OAuthCredentialsStoreMode {
    /// The platform keyring when there is one, else the file. This build has no keyring backend, so
    /// `auto` always uses `CODEX_HOME/.credentials.json`.
    #[default]
    Auto,
    /// The platform keyring only: refused in this build ([`OAuthError::KeyringUnavailable`]).
    Keyring,
    /// `CODEX_HOME/.credentials.json` (mode 0600).
    File,
}

/// A secret string: serialized as it is, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Secret(pub(crate) String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::error::REDACTED)
    }
}

/// What a login leaves for one server: the client registration and the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredCredentials {
    pub(crate) server_name: String,
    pub(crate) server_url: String,
    pub(crate) client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client_secret: Option<Secret>,
    pub(crate) token_endpoint: String,
    pub(crate) access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<Secret>,
    /// When the access token expires (seconds since the Unix epoch), if the server said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) scopes: Vec<String>,
}

impl StoredCredentials {
    /// Whether the access token has expired (or will within a few seconds).
    pub(crate) fn expired(&self) -> bool {
        self.expires_at
            .is_some_and(|at| unix_now().saturating_add(EXPIRY_MARGIN.as_secs()) >= at)
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The configured credentials store of one `CODEX_HOME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredentialStore {
    codex_home: PathBuf,
    mode: OAuthCredentialsStoreMode,
}

impl CredentialStore {
    pub(crate) fn new(codex_home: &Path, mode: OAuthCredentialsStoreMode) -> Self {
        Self {
            codex_home: codex_home.to_owned(),
            mode,
        }
    }

    fn file(&self) -> Result<PathBuf, OAuthError> {
        match self.mode {
            OAuthCredentialsStoreMode::Keyring => Err(OAuthError::KeyringUnavailable),
            OAuthCredentialsStoreMode::Auto | OAuthCredentialsStoreMode::File => {
                if self.codex_home.as_os_str().is_empty() {
                    return Err(OAuthError::Store(
                        "no CODEX_HOME is known for the credentials file".into(),
                    ));
                }
                Ok(self.codex_home.join(CREDENTIALS_FILE))
            }
        }
    }

    /// The credentials stored for `name` at `url`, if any.
    pub(crate) fn load(
        &self,
        name: &str,
        url: &str,
    ) -> Result<Option<StoredCredentials>, OAuthError> {
        let entries = self.read_all()?;
        let Some(entry) = entries.get(&key(name, url)) else {
            return Ok(None);
        };
        // serde's message could quote a token: report that the entry is unreadable, nothing more.
        serde_json::from_value(entry.clone())
            .map(Some)
            .map_err(|_| {
                OAuthError::Store(format!(
                    "the stored credentials of `{name}` are not readable (log in again)"
                ))
            })
    }

    /// Stores (or replaces) the credentials of one server.
    pub(crate) fn save(&self, credentials: &StoredCredentials) -> Result<(), OAuthError> {
        let mut entries = self.read_all()?;
        let value = serde_json::to_value(credentials)
            .map_err(|e| OAuthError::Store(format!("could not encode the credentials: {e}")))?;
        entries.insert(
            key(&credentials.server_name, &credentials.server_url),
            value,
        );
        self.write_all(&entries)
    }

    /// Removes the credentials of `name` at `url`; whether there were any.
    pub(crate) fn delete(&self, name: &str, url: &str) -> Result<bool, OAuthError> {
        let mut entries = self.read_all()?;
        if entries.remove(&key(name, url)).is_none() {
            return Ok(false);
        }
        self.write_all(&entries)?;
        Ok(true)
    }

    fn read_all(&self) -> Result<BTreeMap<String, serde_json::Value>, OAuthError> {
        let path = self.file()?;
        let bytes = match crate::tools::handlers::regular_file::read_regular(&path, MAX_FILE_BYTES)
        {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(BTreeMap::new()),
            Err(e) => return Err(OAuthError::Store(e.to_string())),
        };
        serde_json::from_slice(&bytes).map_err(|e| {
            OAuthError::Store(format!(
                "{} is not a JSON object (line {}, column {})",
                path.display(),
                e.line(),
                e.column()
            ))
        })
    }

    fn write_all(&self, entries: &BTreeMap<String, serde_json::Value>) -> Result<(), OAuthError> {
        let path = self.file()?;
        let bytes = serde_json::to_vec_pretty(entries)
            .map_err(|e| OAuthError::Store(format!("could not encode the credentials: {e}")))?;
        crate::atomic_file::write_atomically_private(&self.codex_home, &path, &bytes)
            .map_err(|e| OAuthError::Store(format!("could not write {}: {e}", path.display())))
    }
}

/// The entry of one server: its name and URL, so a changed URL needs a new login.
fn key(name: &str, url: &str) -> String {
    format!("mcp:{name}|{url}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(name: &str) -> StoredCredentials {
        StoredCredentials {
            server_name: name.into(),
            server_url: "http://127.0.0.1:1/mcp".into(),
            client_id: "client".into(),
            client_secret: None,
            token_endpoint: "http://127.0.0.1:1/token".into(),
            access_token: Secret("access-123".into()),
            refresh_token: Some(Secret("refresh-456".into())),
            expires_at: Some(unix_now() + 3600),
            scopes: vec![],
        }
    }

    #[test]
    fn file_store_round_trips_keeps_foreign_entries_and_is_private() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(CREDENTIALS_FILE);
        std::fs::write(&path, r#"{"someone-else": {"opaque": true}}"#).unwrap();
        let store = CredentialStore::new(home.path(), OAuthCredentialsStoreMode::Auto);
        let creds = credentials("docs");
        store.save(&creds).unwrap();
        assert_eq!(
            store.load("docs", &creds.server_url).unwrap(),
            Some(creds.clone())
        );
        assert_eq!(store.load("docs", "http://elsewhere/mcp").unwrap(), None);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("someone-else"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(store.delete("docs", &creds.server_url).unwrap());
        assert!(!store.delete("docs", &creds.server_url).unwrap());
        assert_eq!(store.load("docs", &creds.server_url).unwrap(), None);
    }

    #[test]
    fn keyring_is_a_typed_refusal_and_debug_hides_tokens() {
        let home = tempfile::tempdir().unwrap();
        let store = CredentialStore::new(home.path(), OAuthCredentialsStoreMode::Keyring);
        assert!(matches!(
            store.save(&credentials("docs")),
            Err(OAuthError::KeyringUnavailable)
        ));
        let shown = format!("{:?}", credentials("docs"));
        assert!(
            !shown.contains("access-123") && !shown.contains("refresh-456"),
            "{shown}"
        );
    }

    #[test]
    fn expiry_has_a_margin() {
        let mut creds = credentials("docs");
        assert!(!creds.expired());
        creds.expires_at = Some(unix_now() + 5);
        assert!(creds.expired());
        creds.expires_at = None;
        assert!(!creds.expired());
    }
}
