//! placeholder (replaced on the model branch)
use super::{ApiKey, ModelClient, ModelProviderInfo, Prompt, ResponseStream};
use crate::error::{Error, Result};
/// placeholder
#[derive(Debug)]
pub struct ResponsesClient {
    provider: ModelProviderInfo,
}
impl ResponsesClient {
    /// placeholder
    pub fn new(
        provider: ModelProviderInfo,
        _key: Option<ApiKey>,
        _originator: impl Into<String>,
    ) -> Self {
        Self { provider }
    }
    /// placeholder
    #[must_use]
    pub fn with_user_agent_suffix(self, _s: impl Into<String>) -> Self {
        self
    }
}
#[async_trait::async_trait]
impl ModelClient for ResponsesClient {
    async fn stream(&self, _prompt: &Prompt) -> Result<ResponseStream> {
        Err(Error::Internal("not built yet".into()))
    }
    fn provider(&self) -> &ModelProviderInfo {
        &self.provider
    }
}
