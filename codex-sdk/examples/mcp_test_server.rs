//! A small MCP server built with `rmcp`, for the SDK's tests and benches.
//!
//! ```text
//! mcp_test_server [stdio]      serve over stdin/stdout
//! mcp_test_server http         serve streamable HTTP on 127.0.0.1 (prints `url <url>` first)
//! mcp_test_server exit         write a reason to stderr and exit 3 before speaking
//! mcp_test_server garbage      write non-JSON lines to stdout and never answer
//! mcp_test_server hang         read stdin and never answer
//! ```
//!
//! Tools: `echo`, `fail` (an `isError` result), `sleep` (`ms`), `image` (a PNG), `structured`, `die` (exits
//! mid-call), `env` (a variable's value, or `<unset>`), `pid`, `ask` (an elicitation request), `peek`
//! (read-only annotated), `dotted.name`
//! and a tool with a 70-character name. One resource (`test://greeting`) and one template.
//!
//! Environment: `MCP_TEST_START_DELAY_MS` delays startup; `MCP_TEST_CANCEL_LOG` is a file to which every
//! `notifications/cancelled` request id is appended; `MCP_TEST_PID_FILE` gets the process id.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelledNotificationParam,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};
use serde_json::{Value, json};

/// A 1x1 transparent PNG.
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

#[derive(Clone, Default)]
struct TestServer;

fn tool(name: &str, description: &str, schema: Value) -> Tool {
    serde_json::from_value(json!({"name": name, "description": description, "inputSchema": schema}))
        .unwrap_or_else(|e| panic!("tool {name}: {e}"))
}

fn tools() -> Vec<Tool> {
    let none = json!({"type": "object", "properties": {}});
    let mut peek = tool("peek", "Reads nothing, changes nothing.", none.clone());
    peek.annotations = serde_json::from_value(json!({"readOnlyHint": true})).ok();
    vec![
        tool(
            "echo",
            "Echoes `text`.",
            json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}),
        ),
        tool("fail", "Always fails (isError).", none.clone()),
        tool(
            "sleep",
            "Sleeps `ms` milliseconds.",
            json!({"type": "object", "properties": {"ms": {"type": "integer"}}}),
        ),
        tool("image", "Returns a tiny PNG.", none.clone()),
        tool("structured", "Returns structured content.", none.clone()),
        tool("die", "Exits mid-call.", none.clone()),
        tool(
            "env",
            "The value of the variable `name`.",
            json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
        ),
        tool("pid", "The server's process id.", none.clone()),
        tool("ask", "Asks the user's name (elicitation).", none.clone()),
        peek,
        tool("dotted.name", "A name the model API rejects.", none.clone()),
        tool(&"x".repeat(70), "A name too long for the model API.", none),
    ]
}

fn result(value: Value) -> Result<CallToolResponse, ErrorData> {
    serde_json::from_value::<CallToolResult>(value)
        .map(CallToolResponse::Complete)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

fn text(s: impl Into<String>) -> Result<CallToolResponse, ErrorData> {
    result(json!({"content": [{"type": "text", "text": s.into()}]}))
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        match request.name.as_ref() {
            "echo" => text(args["text"].as_str().unwrap_or_default()),
            "fail" => {
                result(json!({"content": [{"type": "text", "text": "it broke"}], "isError": true}))
            }
            "sleep" => {
                let ms = args["ms"].as_u64().unwrap_or(1000);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                text("slept")
            }
            "image" => result(json!({"content": [
                {"type": "text", "text": "a pixel"},
                {"type": "image", "data": PNG, "mimeType": "image/png"}
            ]})),
            "structured" => result(json!({
                "content": [{"type": "text", "text": "{\"answer\":42}"}],
                "structuredContent": {"answer": 42}
            })),
            "die" => {
                eprintln!("dying as asked");
                std::process::exit(7);
            }
            "env" => {
                let name = args["name"].as_str().unwrap_or_default();
                text(std::env::var(name).unwrap_or_else(|_| "<unset>".to_owned()))
            }
            "pid" => text(std::process::id().to_string()),
            "peek" => text("nothing changed"),
            "ask" => {
                let params = serde_json::from_value(json!({
                    "mode": "form",
                    "message": "What is your name?",
                    "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}
                }))
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                match context.peer.create_elicitation(params).await {
                    Ok(answer) => text(serde_json::to_string(&answer).unwrap_or_default()),
                    Err(e) => text(format!("elicitation failed: {e}")),
                }
            }
            other => text(format!("called {other}")),
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        serde_json::from_value(json!({"resources": [
            {"uri": "test://greeting", "name": "greeting", "mimeType": "text/plain"}
        ]}))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        serde_json::from_value(json!({"resourceTemplates": [
            {"uriTemplate": "test://echo/{word}", "name": "echo"}
        ]}))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != "test://greeting" {
            return Err(ErrorData::resource_not_found(
                format!("no resource {}", request.uri),
                None,
            ));
        }
        serde_json::from_value::<ReadResourceResult>(json!({"contents": [
            {"uri": "test://greeting", "mimeType": "text/plain", "text": "hello from a resource"}
        ]}))
        .map(ReadResourceResponse::Complete)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn on_cancelled(
        &self,
        notification: CancelledNotificationParam,
        _context: NotificationContext<RoleServer>,
    ) {
        if let Ok(path) = std::env::var("MCP_TEST_CANCEL_LOG") {
            let id = notification
                .request_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(f, "cancelled {id}");
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(path) = std::env::var("MCP_TEST_PID_FILE") {
        std::fs::write(path, std::process::id().to_string())?;
    }
    if let Some(ms) = std::env::var("MCP_TEST_START_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let mode = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "stdio".to_owned());
    match mode.as_str() {
        "stdio" => {
            let running = TestServer.serve(rmcp::transport::stdio()).await?;
            running.waiting().await?;
        }
        "http" => serve_http().await?,
        "exit" => {
            eprintln!("cannot start: the test asked me to fail");
            std::process::exit(3);
        }
        "garbage" => {
            let mut out = std::io::stdout();
            writeln!(out, "this is not json")?;
            writeln!(out, "{{\"neither\": is this")?;
            out.flush()?;
            std::future::pending::<()>().await;
        }
        "hang" => {
            let mut sink = tokio::io::sink();
            tokio::io::copy(&mut tokio::io::stdin(), &mut sink).await?;
            std::future::pending::<()>().await;
        }
        other => return Err(format!("unknown mode {other:?}").into()),
    }
    Ok(())
}

async fn serve_http() -> Result<(), Box<dyn std::error::Error>> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

    let service = StreamableHttpService::new(
        || Ok(TestServer),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("url http://{}/mcp", listener.local_addr()?);
    std::io::stdout().flush()?;
    loop {
        let (stream, _) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            let handler = hyper::service::service_fn(move |req| {
                let service = service.clone();
                async move { Ok::<_, std::convert::Infallible>(service.handle(req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), handler)
                .await;
        });
    }
}
