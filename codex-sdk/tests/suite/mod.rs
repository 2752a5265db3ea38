//! Integration test modules.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod tools_apply_patch;
mod tools_common;
mod tools_files;
mod tools_shell;
