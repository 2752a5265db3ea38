//! Commands known to only read: run without asking under the `untrusted` approval policy.
//!
//! Conservative by design: a command is safe only when its program is on the list *and* none of its
//! arguments turns it into something that writes or runs other programs. `bash -c`/`sh -c` scripts are
//! accepted only when they are plain words joined by `&&`, `||`, `;` or `|` (no redirections, substitutions,
//! variables or globs) and every part is itself safe.

/// Programs that only read, whatever their arguments.
const ALWAYS_SAFE: &[&str] = &[
    "cat", "cd", "echo", "false", "grep", "egrep", "fgrep", "head", "id", "ls", "nl", "pwd",
    "tail", "true", "wc", "which", "whoami", "basename", "dirname", "realpath", "readlink", "stat",
    "uname", "cut", "tr", "du", "df", "printf", "seq",
];

/// Whether `argv` is known to only read.
#[must_use]
pub(crate) fn is_known_safe(argv: &[String]) -> bool {
    let Some((program, args)) = argv.split_first() else {
        return false;
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    if matches!(name, "bash" | "sh" | "zsh") {
        return match args {
            [flag, script] if flag == "-c" || flag == "-lc" => is_safe_script(script),
            _ => false,
        };
    }
    is_safe_simple(name, args)
}

fn is_safe_simple(name: &str, args: &[String]) -> bool {
    let has = |bad: &[&str]| {
        args.iter().any(|a| {
            bad.iter()
                .any(|b| a == b || a.starts_with(&format!("{b}=")))
        })
    };
    match name {
        _ if ALWAYS_SAFE.contains(&name) => true,
        "find" => !has(&[
            "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0",
            "-fprintf",
        ]),
        "rg" => !has(&["--pre", "--hostname-bin", "--search-zip", "-z"]),
        "sed" => matches!(args, [flag, cmd] | [flag, cmd, _] if flag == "-n" && is_sed_print(cmd)),
        "git" => {
            matches!(
                args.first().map(String::as_str),
                Some("status" | "log" | "diff" | "show" | "branch" | "rev-parse" | "ls-files")
            ) && !has(&["--output", "-o", "--ext-diff"])
                && !(args.first().is_some_and(|a| a == "branch")
                    && has(&[
                        "-d", "-D", "-m", "-M", "-c", "-C", "--delete", "--move", "--copy",
                    ]))
        }
        _ => false,
    }
}

/// `Np` or `N,Mp` with decimal N, M.
fn is_sed_print(cmd: &str) -> bool {
    let Some(range) = cmd.strip_suffix('p') else {
        return false;
    };
    let mut parts = range.splitn(2, ',');
    parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A script of plain words and the connectors `&&`, `||`, `;`, `|`, every command safe.
fn is_safe_script(script: &str) -> bool {
    let Some(words) = split_plain_words(script) else {
        return false;
    };
    let mut commands: Vec<Vec<String>> = vec![Vec::new()];
    for word in words {
        match word {
            Word::Connector => commands.push(Vec::new()),
            Word::Text(text) => {
                if let Some(last) = commands.last_mut() {
                    last.push(text);
                }
            }
        }
    }
    commands.iter().all(|c| !c.is_empty() && is_known_safe(c))
}

enum Word {
    Text(String),
    Connector,
}

/// Splits a shell script into words; `None` when it uses anything but plain or single/double-quoted words
/// without expansions, and the connectors.
fn split_plain_words(script: &str) -> Option<Vec<Word>> {
    let mut words = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if let Some(w) = current.take() {
                    words.push(Word::Text(w));
                }
            }
            '&' | '|' | ';' => {
                if let Some(w) = current.take() {
                    words.push(Word::Text(w));
                }
                match c {
                    '&' if chars.next_if_eq(&'&').is_none() => return None, // background job
                    '|' => {
                        chars.next_if_eq(&'|');
                    }
                    _ => {}
                }
                words.push(Word::Connector);
            }
            '\'' => {
                let w = current.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        ch => w.push(ch),
                    }
                }
            }
            '"' => {
                let w = current.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' | '\\' | '!' => return None,
                        ch => w.push(ch),
                    }
                }
            }
            c if c.is_alphanumeric() || "-_./,:=+@%^".contains(c) => {
                current.get_or_insert_with(String::new).push(c);
            }
            _ => return None,
        }
    }
    if let Some(w) = current.take() {
        words.push(Word::Text(w));
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::is_known_safe;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn read_only_commands_are_safe() {
        for cmd in [
            &["ls", "-la"][..],
            &["/bin/cat", "x"],
            &["git", "status"],
            &["sed", "-n", "1,5p", "f"],
            &["find", ".", "-name", "*.rs"],
            &["bash", "-lc", "ls && grep -n foo 'a b.txt' | wc -l"],
        ] {
            assert!(is_known_safe(&argv(cmd)), "{cmd:?}");
        }
    }

    #[test]
    fn writing_or_executing_commands_are_not() {
        for cmd in [
            &["rm", "-rf", "/"][..],
            &["find", ".", "-delete"],
            &["rg", "--pre", "sh", "x"],
            &["sed", "-i", "s/a/b/", "f"],
            &["git", "commit"],
            &["git", "branch", "-D", "x"],
            &["bash", "-lc", "ls > out"],
            &["bash", "-lc", "echo $(rm x)"],
            &["bash", "-lc", "ls & rm x"],
            &["bash", "-c", "rm x"],
            &["bash", "script.sh"],
            &[],
        ] {
            assert!(!is_known_safe(&argv(cmd)), "{cmd:?}");
        }
    }
}
