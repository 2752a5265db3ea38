//! The built-in tools, one module per tool. Register them all with
//! [`register_builtin_tools`](crate::tools::register_builtin_tools), or pick single handlers.

mod apply_patch;
mod exec;
mod exec_policy;
mod list_dir;
mod read_file;
pub(crate) mod regular_file;
mod shell;
mod truncate;
mod unified_exec;
mod update_plan;
mod view_image;

pub(crate) use apply_patch::TurnDiffTracker;
pub use apply_patch::{APPLY_PATCH_TOOL_NAME, ApplyPatchFlavor, ApplyPatchTool};
pub use list_dir::{
    DEFAULT_LIST_DEPTH, DEFAULT_LIST_LIMIT, LIST_DIR_TOOL_NAME, ListDirTool, MAX_LIST_SCAN_ENTRIES,
};
pub use read_file::{
    DEFAULT_READ_LIMIT, MAX_LINE_CHARS, MAX_READ_OUTPUT_BYTES, MAX_READ_SCAN_BYTES,
    READ_FILE_TOOL_NAME, ReadFileTool,
};
pub use shell::{
    DEFAULT_SHELL_TIMEOUT, MAX_SHELL_TIMEOUT, MODEL_OUTPUT_MAX_BYTES, MODEL_OUTPUT_MAX_LINES,
    SHELL_TOOL_NAME, ShellTool,
};
pub use truncate::truncate_middle;
pub use unified_exec::{
    DEFAULT_UNIFIED_EXEC_WAIT, MAX_UNIFIED_EXEC_WAIT, OUTPUT_BUFFER_CAP,
    UNIFIED_EXEC_OUTPUT_MAX_BYTES, UNIFIED_EXEC_TOOL_NAME, UnifiedExecTool,
};
pub use update_plan::{UPDATE_PLAN_TOOL_NAME, UpdatePlanTool};
pub(crate) use view_image::image_data_url;
pub use view_image::{MAX_IMAGE_BYTES, VIEW_IMAGE_TOOL_NAME, ViewImageTool};
