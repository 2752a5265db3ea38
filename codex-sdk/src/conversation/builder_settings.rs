//! The [`CodexBuilder`] setters for what Codex's `config.toml` also sets: instruction files, the hosted web
//! search, verbosity, output limits, reasoning visibility and the turn-complete notifier.

use std::path::PathBuf;

use super::builder::CodexBuilder;
use crate::config::{ProjectDocOptions, Verbosity};

impl CodexBuilder {
    /// The user's own instructions, sent with the `AGENTS.md` files as the message that starts each new
    /// conversation.
    pub fn user_instructions(mut self, text: impl Into<String>) -> Self {
        self.config.user_instructions = Some(text.into());
        self
    }

    /// Which instruction files new conversations read (see [`ProjectDocOptions`]).
    pub fn project_docs(mut self, options: ProjectDocOptions) -> Self {
        self.config.project_doc = options;
        self
    }

    /// The cap on the project `AGENTS.md` bytes sent (`project_doc_max_bytes`; `0` reads none, the user's
    /// `CODEX_HOME/AGENTS.md` is still sent).
    pub fn project_doc_max_bytes(mut self, max_bytes: usize) -> Self {
        self.config.project_doc.max_bytes = max_bytes;
        self
    }

    /// Reads these files (relative paths from the working directory), in order, instead of discovering
    /// `AGENTS.md` files.
    pub fn project_doc_files<P: Into<PathBuf>>(
        mut self,
        files: impl IntoIterator<Item = P>,
    ) -> Self {
        self.config.project_doc.files = Some(files.into_iter().map(Into::into).collect());
        self
    }

    /// Reads no instruction file at all: neither the project's `AGENTS.md` files nor `CODEX_HOME/AGENTS.md`.
    pub fn no_project_docs(mut self) -> Self {
        self.config.project_doc = ProjectDocOptions::disabled();
        self
    }

    /// Offers OpenAI's hosted `web_search` tool (Responses API only; never sent to Chat Completions).
    pub fn web_search(mut self, enabled: bool) -> Self {
        self.config.web_search = enabled;
        self
    }

    /// `text.verbosity` for the models that take it (`model_verbosity`).
    pub fn model_verbosity(mut self, verbosity: Option<Verbosity>) -> Self {
        self.config.model_verbosity = verbosity;
        self
    }

    /// The response's output token limit (`model_max_output_tokens`).
    pub fn model_max_output_tokens(mut self, limit: Option<u64>) -> Self {
        self.config.model_max_output_tokens = limit;
        self
    }

    /// Keeps every reasoning event from the host (`hide_agent_reasoning`).
    pub fn hide_agent_reasoning(mut self, hide: bool) -> Self {
        self.config.hide_agent_reasoning = hide;
        self
    }

    /// Sends raw reasoning events to the host (`show_raw_agent_reasoning`; off by default).
    pub fn show_raw_agent_reasoning(mut self, show: bool) -> Self {
        self.config.show_raw_agent_reasoning = show;
        self
    }

    /// Runs `argv` (with Codex's `agent-turn-complete` JSON appended) after each completed turn
    /// (`notify`); an empty `argv` turns it off.
    pub fn notify<S: Into<String>>(mut self, argv: impl IntoIterator<Item = S>) -> Self {
        let argv: Vec<String> = argv.into_iter().map(Into::into).collect();
        self.config.notify = (!argv.is_empty()).then_some(argv);
        self
    }
}
