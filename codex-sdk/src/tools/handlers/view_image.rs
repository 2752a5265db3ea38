//! `view_image`: attaches a local image to the conversation so the model sees it on its next request.

use async_trait::async_trait;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::regular_file::read_regular;
use crate::protocol::{ContentItem, ResponseItem};
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The tool's name.
pub const VIEW_IMAGE_TOOL_NAME: &str = "view_image";
/// The largest image attached.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// The `view_image` tool. Arguments: `{path: string}` (relative paths resolve against the working
/// directory). Only regular files are read (FIFOs, sockets and devices are refused by type). PNG, JPEG, GIF
/// and WebP files (recognised by content, not name) up to
/// [`MAX_IMAGE_BYTES`] are added to the history as a user message with a `data:` URL before the next model
/// request of the turn.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewImageTool;

#[derive(Debug, Deserialize)]
struct ViewImageArgs {
    path: String,
}

#[async_trait]
impl ToolHandler for ViewImageTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: VIEW_IMAGE_TOOL_NAME.to_owned(),
            description: "Attaches a local image file (PNG, JPEG, GIF or WebP) so you can see it."
                .to_owned(),
            strict: false,
            parameters: json!({
                "type": "object",
                "properties": {"path": {"type": "string", "description": "Path of the image file."}},
                "required": ["path"],
                "additionalProperties": false
            }),
        }
    }

    fn supports_parallel(&self) -> bool {
        true
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: ViewImageArgs = call.parse_arguments()?;
        let path = ctx.resolve_path(&args.path);
        let fail = |msg: String| ToolError::RespondToModel(msg);
        let image_url = image_data_url(&path).await.map_err(fail)?;
        ctx.inject_input(ResponseItem::Message {
            id: None,
            role: "user".to_owned(),
            content: vec![ContentItem::InputImage { image_url }],
        });
        Ok(ToolOutput::success(format!(
            "attached image {}",
            path.display()
        )))
    }
}

/// A `data:` URL for the image file at `path` (PNG, JPEG, GIF or WebP, sniffed from its first bytes). Regular
/// files only, opened without blocking and read under [`MAX_IMAGE_BYTES`], off the async threads — the model
/// (through `view_image`) and the host (a local image in `submit`) both name paths that may be a FIFO or a
/// device. The error is a message for whoever named the path.
pub(crate) async fn image_data_url(path: &std::path::Path) -> Result<String, String> {
    let read_path = path.to_path_buf();
    let bytes = tokio::task::spawn_blocking(move || read_regular(&read_path, MAX_IMAGE_BYTES))
        .await
        .map_err(|e| format!("reading {} failed: {e}", path.display()))?
        .map_err(|e| e.to_string())?;
    let Some(mime) = sniff_image_mime(&bytes) else {
        return Err(format!(
            "{} is not a PNG, JPEG, GIF or WebP image",
            path.display()
        ));
    };
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(format!("data:{mime};base64,{data}"))
}

/// The MIME type of a PNG, JPEG, GIF or WebP image, from its first bytes.
pub(crate) fn sniff_image_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}
