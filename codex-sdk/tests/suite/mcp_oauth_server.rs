//! A loopback OAuth authorization server and, on the same port, an rmcp streamable-HTTP MCP server that
//! answers only requests bearing a token the authorization server issued (401 with a `resource_metadata`
//! challenge otherwise). For the MCP OAuth tests.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use base64::Engine;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Value, json};
use sha2::Digest;

/// What the authorization server has issued and seen.
#[derive(Default)]
pub(super) struct AuthState {
    /// `expires_in` of the access tokens it issues (none: no expiry).
    pub expires_in: Option<u64>,
    /// Serve no protected-resource metadata (as servers of the 2025-03-26 revision), and challenge
    /// without naming it.
    pub no_resource_metadata: bool,
    clients: HashSet<String>,
    /// code → (client id, PKCE challenge, redirect URI).
    codes: HashMap<String, (String, String, String)>,
    access: HashSet<String>,
    refresh: HashSet<String>,
    issued: u64,
    /// Every token issued (so tests can look for them where they must not be).
    pub all_tokens: Vec<String>,
    /// Refresh-token grants answered.
    pub refreshes: u64,
    /// The bearer tokens of the MCP requests accepted.
    pub accepted: Vec<String>,
    /// `resource` parameters received (authorization and token requests).
    pub resources: Vec<String>,
}

impl AuthState {
    /// Forgets every token (as a revocation would).
    pub(super) fn revoke_all(&mut self) {
        self.access.clear();
        self.refresh.clear();
    }

    /// Forgets the access tokens only (the server's expiry differs from what it announced).
    pub(super) fn revoke_access(&mut self) {
        self.access.clear();
    }

    fn issue(&mut self) -> Value {
        self.issued += 1;
        let access = format!("acc3ss-{}-{}", self.issued, uuid::Uuid::now_v7().simple());
        let refresh = format!("r3fresh-{}-{}", self.issued, uuid::Uuid::now_v7().simple());
        self.access.insert(access.clone());
        self.refresh.insert(refresh.clone());
        self.all_tokens.extend([access.clone(), refresh.clone()]);
        let mut body =
            json!({"access_token": access, "token_type": "Bearer", "refresh_token": refresh});
        if let Some(secs) = self.expires_in {
            body["expires_in"] = json!(secs);
        }
        body
    }
}

/// The running server: its MCP URL and its state.
pub(super) struct AuthServer {
    pub mcp_url: String,
    pub state: Arc<Mutex<AuthState>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        self._task.abort();
    }
}

impl AuthServer {
    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, AuthState> {
        self.state.lock().unwrap()
    }
}

#[derive(Clone)]
struct Whoami;

impl ServerHandler for Whoami {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tool: Tool = serde_json::from_value(json!({
            "name": "secret_word",
            "description": "A word only authorized clients hear.",
            "inputSchema": {"type": "object", "properties": {}}
        }))
        .unwrap();
        Ok(ListToolsResult::with_all_items(vec![tool]))
    }

    async fn call_tool(
        &self,
        _request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let result: CallToolResult =
            serde_json::from_value(json!({"content": [{"type": "text", "text": "swordfish"}]}))
                .unwrap();
        Ok(CallToolResponse::Complete(result))
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn reply(status: StatusCode, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())).boxed())
        .unwrap()
}

fn form(bytes: &[u8]) -> HashMap<String, String> {
    url_pairs(std::str::from_utf8(bytes).unwrap())
}

fn url_pairs(query: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Starts the server on `127.0.0.1`, issuing tokens that expire after `expires_in` seconds.
pub(super) async fn start(expires_in: Option<u64>) -> AuthServer {
    start_with(AuthState {
        expires_in,
        ..AuthState::default()
    })
    .await
}

/// Starts the server with `state`.
pub(super) async fn start_with(state: AuthState) -> AuthServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(state));
    let mcp = StreamableHttpService::new(
        || Ok(Whoami),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let shared = Arc::clone(&state);
    let origin = base.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (mcp, state, base) = (mcp.clone(), Arc::clone(&shared), origin.clone());
            tokio::spawn(async move {
                let handler = hyper::service::service_fn(move |req| {
                    let (mcp, state, base) = (mcp.clone(), Arc::clone(&state), base.clone());
                    async move { Ok::<_, Infallible>(route(req, &mcp, &state, &base).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), handler)
                    .await;
            });
        }
    });
    AuthServer {
        mcp_url: format!("{base}/mcp"),
        state,
        _task: task,
    }
}

async fn route(
    req: Request<hyper::body::Incoming>,
    mcp: &StreamableHttpService<Whoami, LocalSessionManager>,
    state: &Mutex<AuthState>,
    base: &str,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let query = url_pairs(req.uri().query().unwrap_or_default());
    match path.as_str() {
        "/mcp" => {
            let bearer = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_owned);
            let ok = bearer
                .as_ref()
                .is_some_and(|t| state.lock().unwrap().access.contains(t));
            if !ok {
                let mut response =
                    reply(StatusCode::UNAUTHORIZED, json!({"error": "invalid_token"}));
                let challenge = if state.lock().unwrap().no_resource_metadata {
                    "Bearer".to_owned()
                } else {
                    format!(
                        "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\""
                    )
                };
                response
                    .headers_mut()
                    .insert("www-authenticate", challenge.parse().unwrap());
                return response;
            }
            state.lock().unwrap().accepted.extend(bearer);
            mcp.handle(req).await
        }
        "/.well-known/oauth-protected-resource/mcp"
            if !state.lock().unwrap().no_resource_metadata =>
        {
            reply(
                StatusCode::OK,
                json!({"resource": format!("{base}/mcp"), "authorization_servers": [base], "scopes_supported": ["tools"]}),
            )
        }
        "/.well-known/oauth-authorization-server" => reply(
            StatusCode::OK,
            json!({
                "issuer": base,
                "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "registration_endpoint": format!("{base}/register"),
                "code_challenge_methods_supported": ["S256"],
            }),
        ),
        "/register" => {
            let body: Value =
                serde_json::from_slice(&req.into_body().collect().await.unwrap().to_bytes())
                    .unwrap();
            assert!(
                body["redirect_uris"][0]
                    .as_str()
                    .unwrap()
                    .starts_with("http://127.0.0.1:")
            );
            let mut state = state.lock().unwrap();
            let id = format!("client-{}", state.clients.len() + 1);
            state.clients.insert(id.clone());
            reply(StatusCode::CREATED, json!({"client_id": id}))
        }
        "/authorize" => {
            let mut state = state.lock().unwrap();
            assert!(state.clients.contains(&query["client_id"]), "{query:?}");
            assert_eq!(query["response_type"], "code");
            assert_eq!(query["code_challenge_method"], "S256");
            let scope = query.get("scope").map(String::as_str);
            if state.no_resource_metadata {
                assert_eq!(scope, None);
            } else {
                assert_eq!(scope, Some("tools"));
            }
            state.resources.push(query["resource"].clone());
            let code = format!("code-{}", uuid::Uuid::now_v7().simple());
            state.codes.insert(
                code.clone(),
                (
                    query["client_id"].clone(),
                    query["code_challenge"].clone(),
                    query["redirect_uri"].clone(),
                ),
            );
            let mut location = reqwest::Url::parse(&query["redirect_uri"]).unwrap();
            location
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &query["state"]);
            Response::builder()
                .status(StatusCode::FOUND)
                .header("location", location.as_str())
                .body(Full::new(Bytes::new()).boxed())
                .unwrap()
        }
        "/token" => {
            let params = form(&req.into_body().collect().await.unwrap().to_bytes());
            let mut state = state.lock().unwrap();
            state.resources.push(params["resource"].clone());
            let refused = || reply(StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}));
            match params["grant_type"].as_str() {
                "authorization_code" => {
                    let Some((client, challenge, redirect)) = state.codes.remove(&params["code"])
                    else {
                        return refused();
                    };
                    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(sha2::Sha256::digest(params["code_verifier"].as_bytes()));
                    if client != params["client_id"]
                        || computed != challenge
                        || redirect != params["redirect_uri"]
                    {
                        return refused();
                    }
                    reply(StatusCode::OK, state.issue())
                }
                "refresh_token" => {
                    if !state.refresh.remove(&params["refresh_token"]) {
                        return refused();
                    }
                    state.refreshes += 1;
                    reply(StatusCode::OK, state.issue())
                }
                _ => refused(),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, json!({"error": "not_found"})),
    }
}
