//! The OAuth exchanges: dynamic client registration (RFC 7591), the authorization code grant with PKCE
//! (RFC 7636) through a loopback redirect, and the refresh-token grant.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Url;
use serde::Deserialize;
use serde_json::json;
use sha2::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::OAuthError;
use super::discovery::read_capped;
use super::store::{Secret, StoredCredentials, unix_now};

/// The largest token or registration response read.
const MAX_RESPONSE_BYTES: usize = 64 << 10;
/// The largest redirect request head read from the browser.
const MAX_REDIRECT_BYTES: usize = 16 << 10;
/// How long one connection to the redirect listener may take to send its request head.
const REDIRECT_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The path the authorization server redirects to.
pub(crate) const CALLBACK_PATH: &str = "/callback";

/// `n` random bytes as unpadded base64url.
pub(crate) fn random_token(n: usize) -> Result<String, OAuthError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| OAuthError::Authorization(format!("no randomness available: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The S256 code challenge of a PKCE verifier.
pub(crate) fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// A registered client.
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: Option<Secret>,
}

/// Registers this SDK as a public client redirecting to `redirect_uri`.
pub(crate) async fn register(
    http: &reqwest::Client,
    endpoint: &str,
    redirect_uri: &str,
) -> Result<Client, OAuthError> {
    #[derive(Deserialize)]
    struct Registered {
        client_id: String,
        #[serde(default)]
        client_secret: Option<String>,
    }
    let response = http
        .post(endpoint)
        .json(&json!({
            "client_name": "codex-sdk",
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        }))
        .send()
        .await
        .map_err(|e| OAuthError::Registration(e.without_url().to_string()))?;
    let status = response.status();
    let body = read_capped(response, MAX_RESPONSE_BYTES)
        .await
        .map_err(OAuthError::Registration)?;
    if !status.is_success() {
        return Err(OAuthError::Registration(format!(
            "HTTP {status}{}",
            oauth_error_text(&body)
        )));
    }
    let registered: Registered = serde_json::from_slice(&body).map_err(|_| {
        OAuthError::Registration("the registration response has no client_id".into())
    })?;
    Ok(Client {
        id: registered.client_id,
        secret: registered.client_secret.map(Secret),
    })
}

/// A loopback listener waiting for the authorization server's redirect.
pub(crate) struct Redirect {
    listener: TcpListener,
    pub(crate) uri: String,
}

impl Redirect {
    /// Listens on `127.0.0.1:port` (0: any free port).
    pub(crate) async fn bind(port: u16) -> Result<Self, OAuthError> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            OAuthError::Authorization(format!(
                "could not listen for the redirect on 127.0.0.1:{port}: {e}"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Authorization(e.to_string()))?
            .port();
        Ok(Self {
            listener,
            uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// Waits for a redirect carrying `state`, answers the browser, and returns the code. Requests for
    /// other paths (a favicon) or with another state are refused and ignored; this login's redirect
    /// carrying an `error` ends it.
    pub(crate) async fn code(&self, state: &str) -> Result<String, OAuthError> {
        // Connections are read concurrently: one that sends nothing (a browser's preconnect, a stranger)
        // cannot hold up the redirect behind it.
        let mut reading = tokio::task::JoinSet::new();
        loop {
            let (mut stream, target) = tokio::select! {
                accepted = self.listener.accept() => {
                    let (mut stream, _) =
                        accepted.map_err(|e| OAuthError::Authorization(e.to_string()))?;
                    reading.spawn(async move {
                        let target = tokio::time::timeout(
                            REDIRECT_READ_TIMEOUT,
                            read_request_target(&mut stream),
                        )
                        .await
                        .ok()
                        .flatten();
                        (stream, target)
                    });
                    continue;
                }
                Some(Ok(read)) = reading.join_next() => read,
            };
            let Some(target) = target else {
                continue;
            };
            let Ok(url) = Url::parse("http://127.0.0.1").and_then(|b| b.join(&target)) else {
                respond(&mut stream, "400 Bad Request", "Bad request.").await;
                continue;
            };
            if url.path() != CALLBACK_PATH {
                respond(&mut stream, "404 Not Found", "Not found.").await;
                continue;
            }
            let param = |name: &str| {
                url.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            // Not this login's redirect (a stale tab, or a forged request): refused, and still waiting.
            if param("state").as_deref() != Some(state) {
                respond(
                    &mut stream,
                    "400 Bad Request",
                    "The login state does not match.",
                )
                .await;
                continue;
            }
            if let Some(error) = param("error") {
                respond(
                    &mut stream,
                    "200 OK",
                    "Login failed; you can close this tab.",
                )
                .await;
                let detail = param("error_description")
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                return Err(OAuthError::Authorization(format!(
                    "the authorization server refused: {error}{detail}"
                )));
            }
            let Some(code) = param("code") else {
                respond(&mut stream, "400 Bad Request", "No authorization code.").await;
                return Err(OAuthError::Authorization(
                    "the redirect carries no authorization code".into(),
                ));
            };
            respond(&mut stream, "200 OK", "Logged in; you can close this tab.").await;
            return Ok(code);
        }
    }
}

/// The request target of an HTTP/1 request head (`GET /callback?… HTTP/1.1`).
async fn read_request_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_REDIRECT_BYTES {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let mut parts = line.split(' ');
    let (_method, target) = (parts.next()?, parts.next()?);
    Some(target.to_owned())
}

async fn respond(stream: &mut tokio::net::TcpStream, status: &str, text: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

/// Posts a token request (`form`) and returns the new tokens laid over `base`.
pub(crate) async fn token_request(
    http: &reqwest::Client,
    mut base: StoredCredentials,
    mut form: Vec<(&str, String)>,
) -> Result<StoredCredentials, OAuthError> {
    form.push(("client_id", base.client_id.clone()));
    form.push(("resource", base.server_url.clone()));
    if let Some(secret) = &base.client_secret {
        form.push(("client_secret", secret.0.clone()));
    }
    let body: String = reqwest::Url::parse("http://form.invalid/")
        .map(|mut u| {
            u.query_pairs_mut().extend_pairs(form.iter());
            u.query().unwrap_or_default().to_owned()
        })
        .unwrap_or_default();
    let response = http
        .post(&base.token_endpoint)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| OAuthError::Token(e.without_url().to_string()))?;
    let status = response.status();
    let bytes = read_capped(response, MAX_RESPONSE_BYTES)
        .await
        .map_err(OAuthError::Token)?;
    if !status.is_success() {
        return Err(OAuthError::Token(format!(
            "HTTP {status}{}",
            oauth_error_text(&bytes)
        )));
    }
    // Never echo the body: it holds the tokens.
    let tokens: TokenResponse = serde_json::from_slice(&bytes)
        .map_err(|_| OAuthError::Token("the token response has no access_token".into()))?;
    base.access_token = Secret(tokens.access_token);
    if let Some(refresh) = tokens.refresh_token {
        base.refresh_token = Some(Secret(refresh));
    }
    base.expires_at = tokens
        .expires_in
        .map(|secs| unix_now().saturating_add(secs));
    if let Some(scope) = tokens.scope {
        base.scopes = scope.split_whitespace().map(str::to_owned).collect();
    }
    Ok(base)
}

/// Exchanges a refresh token for new tokens.
pub(crate) async fn refresh(
    http: &reqwest::Client,
    credentials: &StoredCredentials,
) -> Result<StoredCredentials, OAuthError> {
    let Some(refresh_token) = &credentials.refresh_token else {
        return Err(OAuthError::Token(
            "the access token expired and there is no refresh token".into(),
        ));
    };
    token_request(
        http,
        credentials.clone(),
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.0.clone()),
        ],
    )
    .await
}

/// `: error (description)` from an OAuth error body, or nothing (the body itself is never echoed).
fn oauth_error_text(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => match e.error_description {
            Some(d) => format!(": {} ({d})", e.error),
            None => format!(": {}", e.error),
        },
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_unpadded_base64url_sha256_of_the_verifier() {
        // Computed independently (Python's hashlib and base64.urlsafe_b64encode, padding stripped).
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mJ92K1qUdIoSaxjTwrEuEqpH9WVCxM"),
            "SqFIeP7PXDm8VYYY4_3oGJLDmhDwYvI-h2xYddHKh9E"
        );
        let verifier = random_token(32).unwrap();
        assert_eq!(verifier.len(), 43);
        assert_ne!(verifier, random_token(32).unwrap());
    }

    #[tokio::test]
    async fn the_redirect_listener_ignores_strangers_and_returns_this_logins_code() {
        let redirect = Redirect::bind(0).await.unwrap();
        let base = redirect.uri.clone();
        let client = tokio::spawn(async move {
            let get = |url: String| async move {
                let r = reqwest::get(url).await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            };
            let root = base.trim_end_matches(CALLBACK_PATH).to_owned();
            assert_eq!(get(format!("{root}/favicon.ico")).await.0, 404);
            assert_eq!(get(format!("{base}?code=evil&state=forged")).await.0, 400);
            // A connection that never speaks stays open throughout.
            let _silent = tokio::net::TcpStream::connect(root.trim_start_matches("http://"))
                .await
                .unwrap();
            // Garbage instead of HTTP.
            let mut raw = tokio::net::TcpStream::connect(root.trim_start_matches("http://"))
                .await
                .unwrap();
            raw.write_all(b"\x00\x01 not http\r\n\r\n").await.unwrap();
            get(format!("{base}?code=good&state=s1")).await
        });
        assert_eq!(redirect.code("s1").await.unwrap(), "good");
        let (status, text) = client.await.unwrap();
        assert_eq!((status, text.contains("Logged in")), (200, true));

        let redirect = Redirect::bind(0).await.unwrap();
        let url = format!("{}?error=access_denied&state=s2", redirect.uri);
        tokio::spawn(reqwest::get(url));
        let err = redirect.code("s2").await.unwrap_err().to_string();
        assert!(err.contains("access_denied"), "{err}");
    }

    #[test]
    fn error_bodies_are_summarised_never_echoed() {
        assert_eq!(
            oauth_error_text(br#"{"error":"invalid_grant","error_description":"revoked"}"#),
            ": invalid_grant (revoked)"
        );
        assert_eq!(oauth_error_text(b"access_token=secret"), "");
    }
}
