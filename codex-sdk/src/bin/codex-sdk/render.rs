//! Rendering events for a person at a terminal: answers on stdout, everything else on stderr.

use std::io::{self, Write};

use codex_sdk::protocol::{EventMsg, TokenUsage, format_tokens_compact, format_tokens_exact};

/// Prints one event; returns `true` when it ends the turn.
///
/// # Errors
/// When stdout cannot be written (e.g. the reader closed the pipe). Failed stderr writes are ignored.
pub(crate) fn human(msg: &EventMsg, usage: &mut TokenUsage) -> io::Result<bool> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    match msg {
        EventMsg::SessionConfigured(e) => {
            let _ = writeln!(
                err,
                "\x1b[2mmodel {} · conversation {}\x1b[0m",
                e.model, e.session_id
            );
        }
        EventMsg::AgentMessageDelta(e) => {
            write!(out, "{}", e.delta)?;
            out.flush()?;
        }
        EventMsg::AgentMessage(_) => {
            writeln!(out)?;
            out.flush()?;
        }
        EventMsg::AgentReasoning(e) => {
            let _ = writeln!(err, "\x1b[2mthinking: {}\x1b[0m", e.text);
        }
        EventMsg::ToolCallBegin(e) => {
            let _ = writeln!(err, "\x1b[36m→ {}\x1b[0m {}", e.tool, e.arguments);
        }
        EventMsg::ToolCallEnd(e) => {
            let status = if e.success {
                "\x1b[32m✓"
            } else {
                "\x1b[31m✗"
            };
            let first = e.output.lines().next().unwrap_or("");
            let more = e.output.lines().count().saturating_sub(1);
            let tail = if more > 0 {
                format!(" (+{more} lines)")
            } else {
                String::new()
            };
            let _ = writeln!(
                err,
                "{status} {}\x1b[0m {first}{tail} \x1b[2m{}ms\x1b[0m",
                e.tool, e.duration_ms
            );
        }
        EventMsg::ExecCommandOutputDelta(e) => {
            let _ = write!(err, "\x1b[2m{}\x1b[0m", e.chunk);
        }
        EventMsg::StreamError(e) => {
            let _ = writeln!(err, "\x1b[33m{}\x1b[0m", e.message);
        }
        EventMsg::Warning(e) => {
            let _ = writeln!(err, "\x1b[33mwarning: {}\x1b[0m", e.message);
        }
        EventMsg::PlanUpdate(e) => {
            for item in &e.plan {
                let _ = writeln!(err, "  [{:?}] {}", item.status, item.step);
            }
        }
        EventMsg::EnteredReviewMode(r) => {
            let _ = writeln!(err, "\x1b[1mreviewing: {}\x1b[0m", r.user_facing_hint);
        }
        EventMsg::ExitedReviewMode(e) => match &e.review_output {
            Some(review) => {
                writeln!(
                    out,
                    "{} — {}",
                    review.overall_correctness, review.overall_explanation
                )?;
                for f in &review.findings {
                    let loc = &f.code_location;
                    writeln!(
                        out,
                        "[P{}] {} ({}:{}-{}, confidence {:.2})\n    {}",
                        f.priority,
                        f.title,
                        loc.absolute_file_path.display(),
                        loc.line_range.start,
                        loc.line_range.end,
                        f.confidence_score,
                        f.body.replace('\n', "\n    ")
                    )?;
                }
                out.flush()?;
            }
            None => {
                let _ = writeln!(err, "\x1b[33mreview ended without output\x1b[0m");
            }
        },
        EventMsg::ContextCompactionBegin(_) => {
            let _ = writeln!(err, "\x1b[2mcompacting the conversation…\x1b[0m");
        }
        EventMsg::TokenCount(e) => {
            if let Some(info) = &e.info {
                usage.add_assign(&info.last_token_usage);
            }
        }
        EventMsg::Error(e) => {
            let _ = writeln!(err, "\x1b[31merror ({}): {}\x1b[0m", e.code, e.message);
            return Ok(true);
        }
        EventMsg::TurnAborted(e) => {
            let _ = writeln!(err, "\x1b[33mturn aborted: {:?}\x1b[0m", e.reason);
            return Ok(true);
        }
        EventMsg::TaskComplete(_) => {
            let _ = writeln!(
                err,
                "\x1b[2mtokens: {} in ({} cached), {} out, {} total\x1b[0m",
                format_tokens_compact(usage.input_tokens),
                format_tokens_compact(usage.cached_input_tokens),
                format_tokens_compact(usage.output_tokens),
                format_tokens_exact(usage.total_tokens)
            );
            return Ok(true);
        }
        _ => {}
    }
    Ok(false)
}
