//! placeholder
/// placeholder
#[derive(Debug)]
pub struct ResponsesClient;
