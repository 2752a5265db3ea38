//! The core's offline [`ScriptedModel`], described by JS as JSON (`testing.ScriptedModel` builds it).

use std::time::Duration;

use codex_sdk::model::{ScriptedModel, ScriptedResponse};
use codex_sdk::protocol::{ErrorCode, ResponseItem, TokenUsage};
use serde::Deserialize;
use serde_json::Value;

/// A scripted model: the responses it plays in order, and an optional pause before each event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScriptedModelSpec {
    responses: Vec<Vec<Step>>,
    event_delay_ms: Option<u64>,
}

/// One step of the core's [`ScriptedResponse`] builder.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum Step {
    Message { text: String },
    Reasoning { text: String },
    FunctionCall { name: String, arguments: Value },
    RawFunctionCall { name: String, arguments: String },
    Item { item: ResponseItem },
    Usage { usage: TokenUsage },
    Fail { code: ErrorCode, message: String },
    ThenFail { code: ErrorCode, message: String },
}

impl ScriptedModelSpec {
    /// The core model playing this script.
    pub fn build(self) -> ScriptedModel {
        let model = ScriptedModel::new(self.responses.into_iter().map(response));
        match self.event_delay_ms {
            Some(ms) => model.with_event_delay(Duration::from_millis(ms)),
            None => model,
        }
    }
}

fn response(steps: Vec<Step>) -> ScriptedResponse {
    steps
        .into_iter()
        .fold(ScriptedResponse::new(), |response, step| match step {
            Step::Message { text } => response.message(text),
            Step::Reasoning { text } => response.reasoning(text),
            Step::FunctionCall { name, arguments } => response.function_call(name, arguments),
            Step::RawFunctionCall { name, arguments } => {
                response.raw_function_call(name, arguments)
            }
            Step::Item { item } => response.item(item),
            Step::Usage { usage } => response.usage(usage),
            Step::Fail { code, message } => {
                ScriptedResponse::fail(codex_sdk::Error::from_code(code, message))
            }
            Step::ThenFail { code, message } => {
                response.then_fail(codex_sdk::Error::from_code(code, message))
            }
        })
}
