//! The offline demo: a scripted model that plays a short, real turn — it calls a tool that runs for real
//! and answers from the tool's output.

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use serde_json::json;

/// The scripted turns of the demo.
pub fn model(cwd: &std::path::Path) -> ScriptedModel {
    ScriptedModel::new([
        ScriptedResponse::new()
            .reasoning("The user wants to see the agent work offline; list the working directory.")
            .function_call("list_files", json!({"dir": cwd})),
        ScriptedResponse::text(
            "(scripted demo) I listed the working directory with a real tool call — see the tool \
             output above. Set OPENAI_API_KEY to talk to a real model.",
        ),
    ])
}
