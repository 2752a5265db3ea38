//! Finding a server's authorization server: protected-resource metadata (RFC 9728), then the authorization
//! server's metadata (RFC 8414, or OpenID Connect discovery), with the 2025-03-26 defaults as a last resort.

use reqwest::Url;
use serde::Deserialize;

use super::OAuthError;

/// The largest metadata document read.
const MAX_METADATA_BYTES: usize = 1 << 20;

/// What the login needs from the authorization server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthServerMetadata {
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: String,
    pub(crate) registration_endpoint: Option<String>,
    /// Scopes the protected resource says it supports (requested at login).
    pub(crate) scopes: Vec<String>,
}

#[derive(Deserialize)]
struct ResourceMetadata {
    #[serde(default)]
    authorization_servers: Vec<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
}

#[derive(Deserialize)]
struct ServerMetadata {
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    registration_endpoint: Option<String>,
}

/// Discovers the authorization server of the MCP server at `url`.
pub(crate) async fn discover(
    http: &reqwest::Client,
    url: &str,
) -> Result<AuthServerMetadata, OAuthError> {
    let resource = Url::parse(url)
        .map_err(|e| OAuthError::Discovery(format!("the server URL {url:?} is invalid: {e}")))?;
    let mut candidates = Vec::new();
    // The server may name its metadata in the challenge of an unauthenticated request.
    if let Some(named) = challenge_metadata_url(http, &resource).await {
        candidates.push(named);
    }
    candidates.extend(well_known(&resource, "oauth-protected-resource"));
    let mut scopes = Vec::new();
    let mut issuer = None;
    for candidate in candidates {
        if let Some(meta) = fetch_json::<ResourceMetadata>(http, &candidate).await
            && let Some(first) = meta.authorization_servers.first()
        {
            issuer = Some(Url::parse(first).map_err(|e| {
                OAuthError::Discovery(format!("invalid authorization server {first:?}: {e}"))
            })?);
            scopes = meta.scopes_supported;
            break;
        }
    }
    // Servers of the 2025-03-26 revision are their own authorization server.
    let issuer = issuer.unwrap_or_else(|| origin(&resource));
    let mut documents = well_known(&issuer, "oauth-authorization-server");
    documents.extend(well_known(&issuer, "openid-configuration"));
    if let Ok(appended) = issuer.join(&format!(
        "{}/.well-known/openid-configuration",
        issuer.path().trim_end_matches('/')
    )) {
        documents.push(appended);
    }
    for document in documents {
        if let Some(meta) = fetch_json::<ServerMetadata>(http, &document).await {
            return Ok(AuthServerMetadata {
                authorization_endpoint: meta.authorization_endpoint,
                token_endpoint: meta.token_endpoint,
                registration_endpoint: meta.registration_endpoint,
                scopes,
            });
        }
    }
    let base = origin(&issuer);
    let at = |path: &str| base.join(path).map(String::from).unwrap_or_default();
    Ok(AuthServerMetadata {
        authorization_endpoint: at("/authorize"),
        token_endpoint: at("/token"),
        registration_endpoint: Some(at("/register")),
        scopes,
    })
}

/// `resource_metadata="…"` from the `WWW-Authenticate` header of an unauthenticated request.
async fn challenge_metadata_url(http: &reqwest::Client, resource: &Url) -> Option<Url> {
    let response = http
        .get(resource.clone())
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .send()
        .await
        .ok()?;
    let header = response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)?
        .to_str()
        .ok()?;
    let start = header.find("resource_metadata=")? + "resource_metadata=".len();
    let rest = header[start..].trim_start_matches('"');
    let end = rest.find(['"', ',', ' ']).unwrap_or(rest.len());
    resource.join(&rest[..end]).ok()
}

/// `https://host/.well-known/NAME/path` (when the URL has a path), then `https://host/.well-known/NAME`.
fn well_known(url: &Url, name: &str) -> Vec<Url> {
    let base = origin(url);
    let path = url.path().trim_end_matches('/');
    let mut out = Vec::new();
    if !path.is_empty()
        && let Ok(u) = base.join(&format!("/.well-known/{name}{path}"))
    {
        out.push(u);
    }
    if let Ok(u) = base.join(&format!("/.well-known/{name}")) {
        out.push(u);
    }
    out
}

fn origin(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_path("/");
    out.set_query(None);
    out.set_fragment(None);
    out
}

/// The JSON document at `url`, or `None` when it is missing or not what was expected.
async fn fetch_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &Url,
) -> Option<T> {
    let response = http.get(url.clone()).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = read_capped(response, MAX_METADATA_BYTES).await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A response body, refused past `cap` bytes.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if out.len() + chunk.len() > cap {
            return Err(format!("the response is larger than {cap} bytes"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_insert_the_path_after_the_prefix() {
        let url = Url::parse("https://mcp.example.com/tenant/mcp?x=1").unwrap();
        let urls: Vec<String> = well_known(&url, "oauth-protected-resource")
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            urls,
            [
                "https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource",
            ]
        );
        let root = Url::parse("https://auth.example.com").unwrap();
        assert_eq!(
            well_known(&root, "oauth-authorization-server")
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            ["https://auth.example.com/.well-known/oauth-authorization-server"]
        );
    }
}
