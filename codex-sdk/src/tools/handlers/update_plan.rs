//! `update_plan`: the model publishes its plan; the host sees a `PlanUpdate` event.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use crate::protocol::{EventMsg, PlanItem, PlanUpdateEvent, StepStatus};
use crate::tools::{ToolCall, ToolContext, ToolError, ToolHandler, ToolOutput, ToolSpec};

/// The tool's name.
pub const UPDATE_PLAN_TOOL_NAME: &str = "update_plan";

/// The `update_plan` tool. Arguments: `{explanation?: string, plan: [{step: string, status:
/// "pending" | "in_progress" | "completed"}]}`. At most one step may be `in_progress`. Emits
/// `PlanUpdate`; the model sees "Plan updated".
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdatePlanTool;

#[derive(Debug, Deserialize)]
struct UpdatePlanArgs {
    #[serde(default)]
    explanation: Option<String>,
    plan: Vec<PlanItem>,
}

#[async_trait]
impl ToolHandler for UpdatePlanTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec::Function {
            name: UPDATE_PLAN_TOOL_NAME.to_owned(),
            description:
                "Records the task plan: a list of short steps, each pending, in_progress or \
                          completed (at most one in_progress). Send the whole plan each time."
                    .to_owned(),
            strict: false,
            parameters: json!({
                "type": "object",
                "properties": {
                    "explanation": {"type": "string"},
                    "plan": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "step": {"type": "string"},
                                "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]}
                            },
                            "required": ["step", "status"],
                            "additionalProperties": false
                        }
                    }
                },
                "required": ["plan"],
                "additionalProperties": false
            }),
        }
    }

    async fn handle(&self, call: ToolCall, ctx: ToolContext) -> Result<ToolOutput, ToolError> {
        let args: UpdatePlanArgs = call.parse_arguments()?;
        let in_progress = args
            .plan
            .iter()
            .filter(|s| s.status == StepStatus::InProgress)
            .count();
        if in_progress > 1 {
            return Err(ToolError::RespondToModel(format!(
                "at most one step can be in_progress; {in_progress} are"
            )));
        }
        ctx.emit(EventMsg::PlanUpdate(PlanUpdateEvent {
            explanation: args.explanation,
            plan: args.plan,
        }))
        .await;
        Ok(ToolOutput::success("Plan updated"))
    }
}
