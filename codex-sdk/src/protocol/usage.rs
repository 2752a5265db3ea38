use serde::{Deserialize, Serialize};

/// Token counts of one model response (or a running total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TokenUsage {
    /// Tokens sent, including cached ones.
    pub input_tokens: u64,
    /// Of `input_tokens`, how many were served from the prompt cache.
    pub cached_input_tokens: u64,
    /// Tokens generated, including reasoning.
    pub output_tokens: u64,
    /// Of `output_tokens`, how many were reasoning.
    pub reasoning_output_tokens: u64,
    /// Input plus output.
    pub total_tokens: u64,
}

impl TokenUsage {
    /// Adds another usage to this one, field by field.
    pub fn add_assign(&mut self, other: &TokenUsage) {
        self.input_tokens += other.input_tokens;
        self.cached_input_tokens += other.cached_input_tokens;
        self.output_tokens += other.output_tokens;
        self.reasoning_output_tokens += other.reasoning_output_tokens;
        self.total_tokens += other.total_tokens;
    }

    /// Input tokens not served from cache.
    #[must_use]
    pub fn non_cached_input(&self) -> u64 {
        self.input_tokens.saturating_sub(self.cached_input_tokens)
    }

    /// How many tokens the last request occupied in the context window.
    #[must_use]
    pub fn tokens_in_context_window(&self) -> u64 {
        self.total_tokens
            .saturating_sub(self.reasoning_output_tokens)
    }
}

/// Token accounting for a conversation: the running total, the last response, and the window size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TokenUsageInfo {
    /// Sum over every response of the conversation.
    pub total_token_usage: TokenUsage,
    /// The most recent response.
    pub last_token_usage: TokenUsage,
    /// The model's context window, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_context_window: Option<u64>,
}

impl TokenUsageInfo {
    /// Adds one response's usage.
    pub fn append(&mut self, last: &TokenUsage) {
        self.total_token_usage.add_assign(last);
        self.last_token_usage = *last;
    }

    /// Marks the context window as completely full (sent when the model rejects the input as too long, so a
    /// client shows 100 %).
    pub fn fill_to_window(&mut self, window: u64) {
        let previous = self.total_token_usage.total_tokens;
        let delta = window.saturating_sub(self.last_token_usage.total_tokens);
        self.last_token_usage = TokenUsage {
            total_tokens: window,
            input_tokens: window,
            ..TokenUsage::default()
        };
        self.total_token_usage.total_tokens = previous + delta;
        self.total_token_usage.input_tokens += delta;
        self.model_context_window = Some(window);
    }
}

/// Usage of one rate-limit window, from the `x-codex-{primary,secondary}-*` response headers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RateLimitWindow {
    /// Percentage of the window used (0–100).
    pub used_percent: f64,
    /// Length of the window in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<u64>,
    /// Seconds until the window resets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_in_seconds: Option<u64>,
}

/// The rate-limit state reported by the server with a response.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RateLimitSnapshot {
    /// The short window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<RateLimitWindow>,
    /// The long window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary: Option<RateLimitWindow>,
}
