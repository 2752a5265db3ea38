//! placeholder
/// placeholder
#[derive(Debug)]
pub struct ScriptedModel;
/// placeholder
#[derive(Debug)]
pub struct ScriptedResponse;
