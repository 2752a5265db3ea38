/// What the SDK knows about a model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelInfo {
    /// Tokens that fit in the context window, when known.
    pub context_window: Option<u64>,
    /// Whether the model reasons (and accepts a `reasoning` block).
    pub reasoning: bool,
}

/// Looks a model up by name prefix. Unknown models: no window, no reasoning block.
#[must_use]
pub fn model_info(model: &str) -> ModelInfo {
    let m = model.rsplit('/').next().unwrap_or(model);
    let (context_window, reasoning) = if m.starts_with("gpt-5") || m.starts_with("codex-") {
        (Some(272_000), true)
    } else if m.starts_with("o3") || m.starts_with("o4") || m.starts_with("o1") {
        (Some(200_000), true)
    } else if m.starts_with("gpt-4.1") {
        (Some(1_047_576), false)
    } else if m.starts_with("gpt-4o") {
        (Some(128_000), false)
    } else if m.starts_with("gpt-oss") {
        (Some(96_000), true)
    } else {
        (None, false)
    };
    ModelInfo {
        context_window,
        reasoning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_models() {
        assert_eq!(model_info("gpt-5-codex").context_window, Some(272_000));
        assert!(model_info("o3").reasoning);
        assert!(!model_info("gpt-4o-mini").reasoning);
        assert_eq!(model_info("my-local-model").context_window, None);
    }
}
