//! Registering the built-in tools into a conversation's [`ToolRegistry`].

use super::ToolRegistry;
use super::handlers::{
    ApplyPatchFlavor, ApplyPatchTool, ListDirTool, ReadFileTool, ShellTool, UnifiedExecTool,
    UpdatePlanTool, ViewImageTool,
};
use crate::error::Result;
use crate::model::WireApi;
use crate::sandbox::SandboxSupport;

/// Which built-in tools to register, and for which API.
///
/// The default registers `shell`, `read_file`, `list_dir`, `apply_patch` (function flavor), `update_plan`
/// and `view_image` for the Responses API, with the kernel sandbox used when available. `unified_exec` is
/// opt-in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuiltinToolsConfig {
    /// The wire API the conversation's model speaks. Over [`WireApi::Chat`] only function tools are sent:
    /// `unified_exec` is left out and `apply_patch` is always the function flavor.
    pub wire_api: WireApi,
    /// `shell`.
    pub shell: bool,
    /// `read_file`.
    pub read_file: bool,
    /// `list_dir`.
    pub list_dir: bool,
    /// `apply_patch`, as which flavor (`None` = not registered).
    pub apply_patch: Option<ApplyPatchFlavor>,
    /// `update_plan`.
    pub update_plan: bool,
    /// `view_image`.
    pub view_image: bool,
    /// `unified_exec` (PTY sessions; Responses API only).
    pub unified_exec: bool,
    /// Whether commands may use the kernel sandbox.
    pub sandbox: SandboxSupport,
}

impl Default for BuiltinToolsConfig {
    fn default() -> Self {
        Self {
            wire_api: WireApi::Responses,
            shell: true,
            read_file: true,
            list_dir: true,
            apply_patch: Some(ApplyPatchFlavor::Function),
            update_plan: true,
            view_image: true,
            unified_exec: false,
            sandbox: SandboxSupport::Auto,
        }
    }
}

impl BuiltinToolsConfig {
    /// The default set for `wire_api`.
    #[must_use]
    pub fn for_wire_api(wire_api: WireApi) -> Self {
        Self {
            wire_api,
            ..Self::default()
        }
    }

    /// Enables or disables `unified_exec`.
    #[must_use]
    pub fn with_unified_exec(mut self, enabled: bool) -> Self {
        self.unified_exec = enabled;
        self
    }

    /// Sets how commands are sandboxed.
    #[must_use]
    pub fn with_sandbox(mut self, sandbox: SandboxSupport) -> Self {
        self.sandbox = sandbox;
        self
    }
}

/// Registers the built-in tools selected by `config` into `registry`, replacing tools of the same names.
///
/// Creates fresh handler instances, so call it once per conversation: `unified_exec` sessions belong to
/// the instance registered here and die with it.
///
/// # Errors
/// As [`ToolRegistry::register`] (never for the built-in names).
pub fn register_builtin_tools(registry: &ToolRegistry, config: &BuiltinToolsConfig) -> Result<()> {
    let chat = config.wire_api == WireApi::Chat;
    if config.shell {
        registry.register(ShellTool::new(config.sandbox))?;
    }
    if config.read_file {
        registry.register(ReadFileTool)?;
    }
    if config.list_dir {
        registry.register(ListDirTool)?;
    }
    if let Some(flavor) = config.apply_patch {
        let flavor = if chat {
            ApplyPatchFlavor::Function
        } else {
            flavor
        };
        registry.register(ApplyPatchTool::new(flavor))?;
    }
    if config.update_plan {
        registry.register(UpdatePlanTool)?;
    }
    if config.view_image {
        registry.register(ViewImageTool)?;
    }
    if config.unified_exec && !chat {
        registry.register(UnifiedExecTool::new(config.sandbox))?;
    }
    Ok(())
}
