//! The offline demo: a scripted model that plays a short, real turn — it calls a tool that runs for real
//! and answers from the tool's output.

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use serde_json::json;

/// The scripted turns of the demo (`review`: a review that inspects the directory, then answers in the
/// review JSON format with no findings).
pub(crate) fn model(cwd: &std::path::Path, review: bool) -> ScriptedModel {
    if review {
        let verdict = json!({
            "findings": [],
            "overall_correctness": "patch is correct",
            "overall_explanation": "(scripted demo) The reviewer listed the directory with a real tool call. \
                                    Set OPENAI_API_KEY for a real review.",
            "overall_confidence_score": 0.5
        });
        return ScriptedModel::new([
            ScriptedResponse::tool_call("list_dir", json!({"dir_path": cwd, "depth": 1})),
            ScriptedResponse::text(verdict.to_string()),
        ]);
    }
    ScriptedModel::new([
        ScriptedResponse::new()
            .reasoning("The user wants to see the agent work offline; list the working directory.")
            .function_call("list_dir", json!({"dir_path": cwd, "depth": 1})),
        ScriptedResponse::text(
            "(scripted demo) I listed the working directory with a real tool call — see the tool \
             output above. Set OPENAI_API_KEY to talk to a real model.",
        ),
    ])
}
