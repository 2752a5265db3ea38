//! Approvals at the terminal: a person answers each request; without a terminal every request is denied.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use async_trait::async_trait;
use codex_sdk::conversation::approval::{ApprovalHandler, ApprovalRequest};
use codex_sdk::protocol::ReviewDecision;

/// Asks at the terminal when there is one; denies otherwise (fail closed).
pub(crate) fn handler() -> Arc<dyn ApprovalHandler> {
    if std::io::stdin().is_terminal() {
        Arc::new(Terminal)
    } else {
        Arc::new(DenyAll)
    }
}

struct DenyAll;

#[async_trait]
impl ApprovalHandler for DenyAll {
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision {
        crate::output::errln!(
            "\x1b[33mdenied (no terminal to ask): {}\x1b[0m",
            describe(&request)
        );
        ReviewDecision::Denied
    }
}

struct Terminal;

#[async_trait]
impl ApprovalHandler for Terminal {
    async fn decide(&self, request: ApprovalRequest) -> ReviewDecision {
        let question = describe(&request);
        tokio::task::spawn_blocking(move || {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\x1b[1mallow {question}?\x1b[0m [y]es / [a]lways this session / [n]o / [q]uit turn: "
            );
            let _ = err.flush();
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).is_err() {
                return ReviewDecision::Denied;
            }
            match line.trim() {
                "y" | "yes" => ReviewDecision::Approved,
                "a" | "always" => ReviewDecision::ApprovedForSession,
                "q" | "quit" => ReviewDecision::Abort,
                _ => ReviewDecision::Denied,
            }
        })
        .await
        .unwrap_or(ReviewDecision::Denied)
    }
}

fn describe(request: &ApprovalRequest) -> String {
    match request {
        ApprovalRequest::Exec(e) => {
            let reason = e
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            format!(
                "running `{}` in {}{reason}",
                e.command.join(" "),
                e.cwd.display()
            )
        }
        ApprovalRequest::ApplyPatch(p) => {
            let files: Vec<String> = p.changes.keys().map(|k| k.display().to_string()).collect();
            format!("changing {}", files.join(", "))
        }
        _ => "an action".to_owned(),
    }
}
