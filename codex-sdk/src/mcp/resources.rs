//! Tools over MCP resources, across servers: `list_mcp_resources`, `list_mcp_resource_templates` and
//! `read_mcp_resource`.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::McpServer;
use super::error::McpError;
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The three resource tools' names.
pub(crate) const RESOURCE_TOOLS: [&str; 3] = [
    "list_mcp_resources",
    "list_mcp_resource_templates",
    "read_mcp_resource",
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    List,
    Templates,
    Read,
}

/// One of the resource tools, over the conversation's servers.
pub(crate) struct ResourceTool {
    kind: Kind,
    servers: Arc<Vec<Arc<McpServer>>>,
}

impl ResourceTool {
    pub(crate) fn all(servers: &Arc<Vec<Arc<McpServer>>>) -> Vec<ResourceTool> {
        [Kind::List, Kind::Templates, Kind::Read]
            .into_iter()
            .map(|kind| ResourceTool {
                kind,
                servers: Arc::clone(servers),
            })
            .collect()
    }

    fn server(&self, name: &str) -> Result<&Arc<McpServer>, ToolError> {
        self.servers
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| ToolError::RespondToModel(format!("no MCP server named `{name}`")))
    }

    fn selected(&self, name: Option<&str>) -> Result<Vec<&Arc<McpServer>>, ToolError> {
        match name {
            Some(name) => Ok(vec![self.server(name)?]),
            None => Ok(self.servers.iter().collect()),
        }
    }
}

#[derive(Deserialize)]
struct ListArgs {
    server: Option<String>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct ReadArgs {
    server: String,
    uri: String,
}

fn paginated(cursor: Option<String>) -> Option<rmcp::model::PaginatedRequestParams> {
    serde_json::from_value(json!({ "cursor": cursor })).ok()
}

#[async_trait]
impl ToolHandler for ResourceTool {
    fn spec(&self) -> ToolSpec {
        let list_params = json!({
            "type": "object",
            "properties": {
                "server": {"type": "string", "description": "Only this server (default: every server)."},
                "cursor": {"type": "string", "description": "The `next_cursor` of an earlier page (needs `server`)."}
            },
            "additionalProperties": false
        });
        let (name, description, parameters) = match self.kind {
            Kind::List => (
                RESOURCE_TOOLS[0],
                "Lists the resources the MCP servers offer (uri, name, mime type), by server.",
                list_params,
            ),
            Kind::Templates => (
                RESOURCE_TOOLS[1],
                "Lists the resource templates (parameterised URIs) the MCP servers offer, by server.",
                list_params,
            ),
            Kind::Read => (
                RESOURCE_TOOLS[2],
                "Reads one resource from an MCP server.",
                json!({
                    "type": "object",
                    "properties": {
                        "server": {"type": "string", "description": "The server's name."},
                        "uri": {"type": "string", "description": "The resource's URI."}
                    },
                    "required": ["server", "uri"],
                    "additionalProperties": false
                }),
            ),
        };
        ToolSpec::Function {
            name: name.to_owned(),
            description: description.to_owned(),
            strict: false,
            parameters,
        }
    }

    fn supports_parallel(&self) -> bool {
        true
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let cancel = ctx.cancellation();
        let fail = |server: &str, e: McpError| {
            ToolError::RespondToModel(format!("MCP server `{server}`: {e}"))
        };
        match self.kind {
            Kind::List | Kind::Templates => {
                let args: ListArgs = call.parse_arguments()?;
                if args.cursor.is_some() && args.server.is_none() {
                    return Err(ToolError::RespondToModel(
                        "`cursor` needs `server`".to_owned(),
                    ));
                }
                let mut out = serde_json::Map::new();
                for server in self.selected(args.server.as_deref())? {
                    let params = paginated(args.cursor.clone());
                    let page = match self.kind {
                        Kind::List => server
                            .request(cancel, |c| {
                                let params = params.clone();
                                async move {
                                let r = c.service.peer().list_resources(params).await?;
                                Ok(json!({"resources": r.resources, "next_cursor": r.next_cursor}))
                            }})
                            .await,
                        _ => {
                            server
                                .request(cancel, |c| {
                                    let params = params.clone();
                                    async move {
                                    let r =
                                        c.service.peer().list_resource_templates(params).await?;
                                    Ok(json!({
                                        "resource_templates": r.resource_templates,
                                        "next_cursor": r.next_cursor
                                    }))
                                }})
                                .await
                        }
                    };
                    let page = match page {
                        Ok(page) => page,
                        // One failing server does not hide the others' resources.
                        Err(e) if args.server.is_none() => json!({"error": e.to_string()}),
                        Err(e) => return Err(fail(&server.name, e)),
                    };
                    out.insert(server.name.clone(), page);
                }
                Ok(ToolOutput::success(Value::Object(out).to_string()))
            }
            Kind::Read => {
                let args: ReadArgs = call.parse_arguments()?;
                let server = self.server(&args.server)?;
                let params: rmcp::model::ReadResourceRequestParams =
                    serde_json::from_value(json!({ "uri": args.uri })).map_err(|e| {
                        ToolError::RespondToModel(format!("invalid resource URI: {e}"))
                    })?;
                let result = server
                    .request(cancel, |c| {
                        let params = params.clone();
                        async move {
                            let r = c.service.peer().read_resource(params).await?;
                            Ok(json!({ "contents": r.contents }))
                        }
                    })
                    .await
                    .map_err(|e| fail(&server.name, e))?;
                Ok(ToolOutput::success(result.to_string()))
            }
        }
    }
}
