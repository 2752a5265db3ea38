//! The `codex` and `codex-reply` tools: their declarations and arguments (Codex CLI's names).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::Config;
use crate::protocol::{AskForApproval, SandboxPolicy};

/// Arguments of `codex`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct CodexArgs {
    pub(super) prompt: String,
    pub(super) model: Option<String>,
    pub(super) cwd: Option<PathBuf>,
    pub(super) approval_policy: Option<AskForApproval>,
    pub(super) sandbox: Option<SandboxMode>,
    pub(super) base_instructions: Option<String>,
}

/// `sandbox` values.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum SandboxMode {
    ReadOnly,
    WorkspaceWrite,
    DangerFullAccess,
}

/// Arguments of `codex-reply`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ReplyArgs {
    pub(super) conversation_id: String,
    pub(super) prompt: String,
}

impl CodexArgs {
    /// `base` with these arguments applied.
    pub(super) fn apply(&self, base: &Config) -> Config {
        let mut config = base.clone();
        if let Some(model) = &self.model {
            config.model.clone_from(model);
        }
        if let Some(cwd) = &self.cwd {
            config.cwd = base.cwd.join(cwd);
        }
        if let Some(policy) = self.approval_policy {
            config.approval_policy = policy;
        }
        if let Some(mode) = self.sandbox {
            config.sandbox_policy = match mode {
                SandboxMode::ReadOnly => SandboxPolicy::ReadOnly,
                SandboxMode::WorkspaceWrite => SandboxPolicy::WorkspaceWrite {
                    writable_roots: Vec::new(),
                    network_access: false,
                    exclude_tmpdir_env_var: false,
                    exclude_slash_tmp: false,
                },
                SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
            };
        }
        if let Some(text) = &self.base_instructions {
            config.base_instructions = Some(text.clone());
        }
        config
    }
}

/// The input schema of `codex`.
pub(super) fn codex_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "description": "The user's first message."},
            "model": {"type": "string", "description": "The model (default: the server's)."},
            "cwd": {"type": "string", "description": "Working directory (relative to the server's)."},
            "approval-policy": {
                "type": "string",
                "enum": ["untrusted", "on-failure", "on-request", "never"],
                "description": "When to ask the client (asked as MCP elicitation requests)."
            },
            "sandbox": {
                "type": "string",
                "enum": ["read-only", "workspace-write", "danger-full-access"],
                "description": "What commands may touch."
            },
            "base-instructions": {"type": "string", "description": "Replaces the system instructions."}
        },
        "required": ["prompt"],
        "additionalProperties": false
    })
}

/// The input schema of `codex-reply`.
pub(super) fn reply_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "conversationId": {"type": "string", "description": "The id `codex` returned."},
            "prompt": {"type": "string", "description": "The next user message."}
        },
        "required": ["conversationId", "prompt"],
        "additionalProperties": false
    })
}
