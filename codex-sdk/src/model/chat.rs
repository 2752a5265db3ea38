//! placeholder
/// placeholder
#[derive(Debug)]
pub struct ChatClient;
