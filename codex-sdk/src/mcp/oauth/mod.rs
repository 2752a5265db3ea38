//! OAuth for streamable-HTTP MCP servers: [`login`], [`logout`], and the stored tokens a server gets as
//! `Authorization: Bearer …` when it starts.
//!
//! A login discovers the server's authorization server (protected-resource metadata, then the
//! authorization server's metadata), registers this SDK as a public client (dynamic client registration),
//! and runs the authorization code grant with PKCE: the authorization URL is handed to the host (the CLI
//! prints it), the user's browser is redirected to a listener on `127.0.0.1`, and the code is exchanged for
//! tokens. Tokens are kept as `mcp_oauth_credentials_store` says ([`OAuthCredentialsStoreMode`]; this build
//! has no platform keyring, so `auto` means `CODEX_HOME/.credentials.json`, mode 0600).
//!
//! When a server with stored credentials starts, an expired access token is refreshed first (and the new
//! one stored); a server that still answers 401 is refreshed once more, then reported as
//! [`McpError::AuthRequired`], whose message names the login command. Tokens never appear in events,
//! rollouts, logs or `Debug` output.

mod discovery;
mod flow;
mod store;

use std::time::Duration;

pub use store::{CREDENTIALS_FILE, OAuthCredentialsStoreMode};
pub(crate) use store::{CredentialStore, Secret};

use super::McpServerTransportConfig;
use super::error::McpError;
use crate::config::Config;

/// How long [`login`] waits for the browser's redirect.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// How the login command is spelled in "authentication required" messages.
pub const LOGIN_COMMAND: &str = "codex-sdk mcp login";

/// Bounds every request to the authorization server.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a login or logout failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// No server of that name is configured.
    #[error("no MCP server named `{0}` is configured")]
    UnknownServer(String),
    /// OAuth applies to streamable-HTTP servers only.
    #[error("`{0}` is not a streamable HTTP server (OAuth applies to servers with a `url`)")]
    NotHttp(String),
    /// The authorization server could not be found.
    #[error("OAuth discovery failed: {0}")]
    Discovery(String),
    /// Dynamic client registration failed (or the server offers none).
    #[error("client registration failed: {0}")]
    Registration(String),
    /// The authorization step failed: refused, wrong state, no code, no redirect listener.
    #[error("authorization failed: {0}")]
    Authorization(String),
    /// The token endpoint refused the code or the refresh token.
    #[error("token request failed: {0}")]
    Token(String),
    /// No redirect arrived in time.
    #[error("no authorization arrived within {} s", .0.as_secs())]
    Timeout(Duration),
    /// The credentials could not be read or written.
    #[error("credentials store: {0}")]
    Store(String),
    /// `mcp_oauth_credentials_store = "keyring"`, but this build has no keyring backend.
    #[error(
        "the platform keyring is not available in this build; set mcp_oauth_credentials_store = \"file\" (or \"auto\")"
    )]
    KeyringUnavailable,
}

/// The URL of the streamable-HTTP server `name`.
fn server_url<'a>(config: &'a Config, name: &str) -> Result<&'a str, OAuthError> {
    let server = config
        .mcp_servers
        .get(name)
        .ok_or_else(|| OAuthError::UnknownServer(name.to_owned()))?;
    match &server.transport {
        McpServerTransportConfig::StreamableHttp { url, .. } => Ok(url),
        McpServerTransportConfig::Stdio { .. } => Err(OAuthError::NotHttp(name.to_owned())),
    }
}

fn http_client() -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| OAuthError::Discovery(format!("could not build the HTTP client: {e}")))
}

fn store_of(config: &Config) -> CredentialStore {
    CredentialStore::new(&config.codex_home, config.mcp_oauth_credentials_store)
}

/// Logs in to the streamable-HTTP MCP server `name` of `config` and stores its tokens.
///
/// `open_url` receives the authorization URL once the redirect listener is up (on
/// `127.0.0.1:mcp_oauth_callback_port`, any free port by default): show it or open a browser there, and
/// return without waiting — the login waits for the redirect itself, at most [`LOGIN_TIMEOUT`].
///
/// ```no_run
/// # async fn f(config: codex_sdk::config::Config) -> Result<(), codex_sdk::mcp::OAuthError> {
/// codex_sdk::mcp::login(&config, "docs", |url| println!("Open {url} to log in")).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`OAuthError`]: an unknown or stdio server, discovery, registration, authorization or token failures,
/// no redirect in time, a store that cannot be written.
pub async fn login(
    config: &Config,
    name: &str,
    open_url: impl FnOnce(&str) + Send,
) -> Result<(), OAuthError> {
    let url = server_url(config, name)?;
    let store = store_of(config);
    // Refuse an unusable store before the user goes through the browser.
    store.load(name, url)?;
    let http = http_client()?;
    let metadata = discovery::discover(&http, url).await?;
    let redirect = flow::Redirect::bind(config.mcp_oauth_callback_port.unwrap_or(0)).await?;
    let registration = metadata.registration_endpoint.as_deref().ok_or_else(|| {
        OAuthError::Registration("the authorization server offers no registration endpoint".into())
    })?;
    let client = flow::register(&http, registration, &redirect.uri).await?;
    let verifier = flow::random_token(32)?;
    let state = flow::random_token(16)?;
    let mut authorize = reqwest::Url::parse(&metadata.authorization_endpoint).map_err(|e| {
        OAuthError::Discovery(format!(
            "invalid authorization endpoint {:?}: {e}",
            metadata.authorization_endpoint
        ))
    })?;
    {
        let mut query = authorize.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &client.id)
            .append_pair("redirect_uri", &redirect.uri)
            .append_pair("code_challenge", &flow::code_challenge(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("resource", url);
        if !metadata.scopes.is_empty() {
            query.append_pair("scope", &metadata.scopes.join(" "));
        }
    }
    open_url(authorize.as_str());
    let code = tokio::time::timeout(LOGIN_TIMEOUT, redirect.code(&state))
        .await
        .map_err(|_| OAuthError::Timeout(LOGIN_TIMEOUT))??;
    let base = store::StoredCredentials {
        server_name: name.to_owned(),
        server_url: url.to_owned(),
        client_id: client.id,
        client_secret: client.secret,
        token_endpoint: metadata.token_endpoint,
        access_token: Secret(String::new()),
        refresh_token: None,
        expires_at: None,
        scopes: metadata.scopes,
    };
    let credentials = flow::token_request(
        &http,
        base,
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", redirect.uri.clone()),
            ("code_verifier", verifier),
        ],
    )
    .await?;
    store.save(&credentials)
}

/// Removes the stored credentials of the streamable-HTTP MCP server `name`; whether there were any.
///
/// # Errors
/// [`OAuthError`]: an unknown or stdio server, a store that cannot be read or written.
pub fn logout(config: &Config, name: &str) -> Result<bool, OAuthError> {
    let url = server_url(config, name)?;
    store_of(config).delete(name, url)
}

/// The stored access token for `name` at `url`, refreshed (and stored again) when it has expired or
/// `force_refresh` is set. `None` when nothing is stored, so the server is reached without a token.
pub(crate) async fn access_token(
    store: &CredentialStore,
    name: &str,
    url: &str,
    force_refresh: bool,
) -> Result<Option<StoredToken>, McpError> {
    let start_error = |e: OAuthError| McpError::Start(e.to_string());
    // A store that cannot be read (no keyring in this build, a damaged file) must not stop servers that
    // need no login: they are reached without a token, and one that needs it reports AuthRequired.
    let mut credentials = match store.load(name, url) {
        Ok(Some(credentials)) => credentials,
        Ok(None) => return Ok(None),
        Err(e) => {
            tracing::warn!(server = %name, "MCP OAuth credentials not available: {e}");
            return Ok(None);
        }
    };
    let mut refreshed = false;
    if force_refresh || credentials.expired() {
        let http = http_client().map_err(start_error)?;
        credentials = match flow::refresh(&http, &credentials).await {
            Ok(fresh) => fresh,
            Err(e) => {
                tracing::debug!(server = %name, "MCP OAuth refresh failed: {e}");
                return Err(McpError::AuthRequired(name.to_owned()));
            }
        };
        store.save(&credentials).map_err(start_error)?;
        refreshed = true;
    }
    Ok(Some(StoredToken {
        access: credentials.access_token,
        can_refresh: !refreshed && credentials.refresh_token.is_some(),
    }))
}

/// A usable access token, and whether a refresh may still be tried when the server refuses it.
#[derive(Debug)]
pub(crate) struct StoredToken {
    pub(crate) access: Secret,
    pub(crate) can_refresh: bool,
}
