//! Commands known to only read: under the `untrusted` approval policy
//! ([`AskForApproval::UnlessTrusted`](crate::protocol::AskForApproval::UnlessTrusted)) these run without
//! asking. The one place the tools (`shell`, `unified_exec`) ask; everything it cannot prove harmless asks.
//!
//! A command is known safe when:
//! - its program is a *bare name* (no `/`: never `./cat` or `/tmp/x/cat`, which could be a script the
//!   model just wrote) that `PATH` resolves through absolute entries only ([`path`]);
//! - its arguments keep it read-only ([`rules`]: `find` without `-exec`/`-delete`, `git` in read-only
//!   forms, `sed -n Np`, …);
//! - or it is `bash|sh|zsh -c|-lc SCRIPT` (the shell itself named bare and resolved the same way) where
//!   SCRIPT, read by a real bash parser (tree-sitter-bash, [`parse`]), is nothing but plain words and
//!   quoted strings without expansions, joined by `&&`, `||`, `;`, `|` or newlines, and every command in it
//!   is itself known safe. Redirections, substitutions, subshells, groups, heredocs, variables,
//!   assignments, globs, braces, tildes, comments, background jobs, control flow and parse errors all make
//!   the script unknown, hence not safe.

mod parse;
mod path;
mod rules;
#[cfg(test)]
mod tests;

use path::{ProgramLookup, SearchPath};

/// The shells whose `-c` scripts are classified.
const SHELLS: &[&str] = &["bash", "sh", "zsh"];

/// Whether `argv` is known to only read, so it may run without approval under the `untrusted` policy.
/// Programs are resolved through this process's `PATH` (the one the tools' commands inherit).
#[must_use]
pub(crate) fn is_known_safe(argv: &[String]) -> bool {
    classify(argv, &SearchPath::of_process())
}

fn classify(argv: &[String], lookup: &dyn ProgramLookup) -> bool {
    let Some((program, args)) = argv.split_first() else {
        return false;
    };
    if !is_bare_name(program) || !lookup.trusts(program) {
        return false;
    }
    match shell_script(program, args) {
        Some(script) => parse::plain_commands(script)
            .is_some_and(|commands| commands.iter().all(|c| is_safe_in_script(c, lookup))),
        None => rules::is_safe(program, args),
    }
}

/// The script of `SHELL -c SCRIPT` / `SHELL -lc SCRIPT`.
fn shell_script<'a>(program: &str, args: &'a [String]) -> Option<&'a str> {
    match args {
        [flag, script] if SHELLS.contains(&program) && (flag == "-c" || flag == "-lc") => {
            Some(script)
        }
        _ => None,
    }
}

/// One command of a script: builtins run in the shell, other programs are resolved like argv programs.
fn is_safe_in_script(words: &[String], lookup: &dyn ProgramLookup) -> bool {
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    is_bare_name(program)
        && (rules::SHELL_BUILTINS.contains(&program.as_str()) || lookup.trusts(program))
        && rules::is_safe(program, args)
}

/// A program name without any path: letters, digits, `-`, `_`, `.`, `+`, not starting with `-` or `.`.
fn is_bare_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric() || first == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
}
