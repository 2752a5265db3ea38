//! [`ScriptedModelSpec`]: a [`ScriptedModel`]'s script as data, so a host binding hands its script over
//! whole (as JSON, in the protocol schema) instead of rebuilding the [`ScriptedResponse`] builder calls.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ScriptedModel, ScriptedResponse};
use crate::error::{Error, Result};
use crate::protocol::{ErrorCode, ResponseItem, TokenUsage};

/// A scripted model as data: the responses it plays, one per model request, and an optional pause before
/// each stream event.
///
/// ```
/// use codex_sdk::model::ScriptedModelSpec;
///
/// let spec = ScriptedModelSpec::from_json(
///     r#"{"responses": [[{"type": "function_call", "name": "add", "arguments": {"a": 1}}],
///                       [{"type": "message", "text": "done"}]]}"#,
/// )?;
/// let model = spec.build();
/// assert_eq!(model.remaining(), 2);
/// # Ok::<(), codex_sdk::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScriptedModelSpec {
    /// The responses, in order: each the steps of one [`ScriptedResponse`].
    #[serde(default)]
    pub responses: Vec<Vec<ScriptedStep>>,
    /// Milliseconds to wait before each stream event (a slow model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_delay_ms: Option<u64>,
}

/// One step of a scripted response (a [`ScriptedResponse`] builder call).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ScriptedStep {
    /// An assistant message (streamed as word-sized deltas).
    Message {
        /// The text.
        text: String,
    },
    /// A reasoning summary.
    Reasoning {
        /// The summary.
        text: String,
    },
    /// A function call with these arguments (sent as their JSON text).
    FunctionCall {
        /// The tool's name.
        name: String,
        /// The arguments.
        arguments: Value,
    },
    /// A function call whose arguments are this text, verbatim (it may be malformed JSON).
    RawFunctionCall {
        /// The tool's name.
        name: String,
        /// The arguments' text.
        arguments: String,
    },
    /// Any output item.
    Item {
        /// The item.
        item: ResponseItem,
    },
    /// The usage reported on completion.
    Usage {
        /// The token counts.
        usage: TokenUsage,
    },
    /// The request fails before any event, with an error of this kind.
    Fail {
        /// The error's kind.
        code: ErrorCode,
        /// Its message.
        message: String,
    },
    /// After the items, the stream fails with an error of this kind instead of completing.
    ThenFail {
        /// The error's kind.
        code: ErrorCode,
        /// Its message.
        message: String,
    },
}

impl ScriptedModelSpec {
    /// Parses a spec from its JSON.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming what does not parse.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::InvalidInput(format!("scripted model: {e}")))
    }

    /// The model playing this script.
    #[must_use]
    pub fn build(self) -> ScriptedModel {
        let model = ScriptedModel::new(
            self.responses
                .into_iter()
                .map(|steps| steps.into_iter().collect::<ScriptedResponse>()),
        );
        match self.event_delay_ms {
            Some(ms) => model.with_event_delay(Duration::from_millis(ms)),
            None => model,
        }
    }
}

/// The response these steps build, in order (a host's `push` of one more response).
impl FromIterator<ScriptedStep> for ScriptedResponse {
    fn from_iter<I: IntoIterator<Item = ScriptedStep>>(steps: I) -> Self {
        steps
            .into_iter()
            .fold(Self::new(), |response, step| match step {
                ScriptedStep::Message { text } => response.message(text),
                ScriptedStep::Reasoning { text } => response.reasoning(text),
                ScriptedStep::FunctionCall { name, arguments } => {
                    response.function_call(name, arguments)
                }
                ScriptedStep::RawFunctionCall { name, arguments } => {
                    response.raw_function_call(name, arguments)
                }
                ScriptedStep::Item { item } => response.item(item),
                ScriptedStep::Usage { usage } => response.usage(usage),
                ScriptedStep::Fail { code, message } => Self::fail(Error::from_code(code, message)),
                ScriptedStep::ThenFail { code, message } => {
                    response.then_fail(Error::from_code(code, message))
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_steps_and_fields_are_errors_naming_them() {
        let err = ScriptedModelSpec::from_json(r#"{"responses": [[{"type": "nope"}]]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope"), "{err}");
        let err = ScriptedModelSpec::from_json(r#"{"responsez": []}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("responsez"), "{err}");
    }

    #[test]
    fn a_spec_round_trips_through_json() {
        let spec = ScriptedModelSpec {
            responses: vec![vec![
                ScriptedStep::Message { text: "hi".into() },
                ScriptedStep::ThenFail {
                    code: ErrorCode::Stream,
                    message: "cut".into(),
                },
            ]],
            event_delay_ms: Some(5),
        };
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(ScriptedModelSpec::from_json(&json).unwrap(), spec);
        assert_eq!(spec.build().remaining(), 1);
    }
}
