//! Which programs only read, and with which arguments.
//!
//! A program is on [`ALWAYS_SAFE`] only when no argument can make it write a file, run another program or
//! change the system (`sort -o`, `uniq IN OUT`, `date -s`, `tee`, `xargs`, `env` are therefore not).
//! Multi-purpose tools are accepted in read-only forms only, described next to each rule. GNU tools accept
//! unambiguous abbreviations of long options (`--out` for `--output`), so a forbidden long option is
//! matched by any prefix of its name as well.

/// Built into every shell whose `-c` scripts are classified (bash, dash, zsh): inside a script these run
/// in the shell itself, whatever `PATH` holds.
pub(super) const SHELL_BUILTINS: &[&str] = &["cd", "echo", "false", "printf", "pwd", "true"];

/// Programs that only read (or print), whatever their arguments.
const ALWAYS_SAFE: &[&str] = &[
    "basename", "cat", "cd", "cut", "df", "dirname", "du", "echo", "egrep", "false", "fgrep",
    "grep", "head", "id", "ls", "nl", "printf", "pwd", "readlink", "realpath", "seq", "stat",
    "tail", "tr", "true", "uname", "wc", "which", "whoami",
];

/// Whether `program` (a bare name) with `args` only reads.
pub(super) fn is_safe(program: &str, args: &[String]) -> bool {
    match program {
        _ if ALWAYS_SAFE.contains(&program) => true,
        "find" => find(args),
        "git" => git(args),
        "rg" => rg(args),
        "sed" => sed(args),
        "sort" => sort(args),
        "uniq" => uniq(args),
        _ => false,
    }
}

/// `find` without the actions that run programs, delete, or write files.
fn find(args: &[String]) -> bool {
    const WRITES_OR_RUNS: &[&str] = &[
        "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
    ];
    !args.iter().any(|a| WRITES_OR_RUNS.contains(&a.as_str()))
}

/// `rg` without a preprocessor (`--pre`), a hostname program, or decompression programs (`-z`).
fn rg(args: &[String]) -> bool {
    !args.iter().any(|a| {
        is_long_option(a, &["pre", "hostname-bin", "search-zip"]) || short_cluster_has(a, b'z')
    })
}

/// `sed -n Np FILE…` or `sed -n N,Mp FILE…` only (GNU sed reads options anywhere, so no file may start
/// with `-`: `sed -n 1p -i f` edits in place).
fn sed(args: &[String]) -> bool {
    match args {
        [quiet, script, files @ ..] if quiet == "-n" && is_print_range(script) => {
            files.iter().all(|f| !f.starts_with('-'))
        }
        _ => false,
    }
}

/// `Np` or `N,Mp` with decimal line numbers.
fn is_print_range(script: &str) -> bool {
    let Some(range) = script.strip_suffix('p') else {
        return false;
    };
    let mut ends = range.splitn(2, ',');
    ends.all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `sort` without an output file or a compression program.
fn sort(args: &[String]) -> bool {
    !args
        .iter()
        .any(|a| is_long_option(a, &["output", "compress-program"]) || short_cluster_has(a, b'o'))
}

/// `uniq` with at most one file: a second one is written.
fn uniq(args: &[String]) -> bool {
    let mut files = 0;
    let mut options_done = false;
    for arg in args {
        if options_done || arg == "-" || !arg.starts_with('-') {
            files += 1;
        } else if arg == "--" {
            options_done = true;
        }
    }
    files <= 1
}

/// Git's read-only subcommands. The subcommand comes first (no global option such as `-c`, `-C`,
/// `--git-dir`, `--exec-path` or `--paginate` may precede it), and no option may write a file, run an
/// external diff or text-conversion program, or verify signatures (which runs `gpg.program`).
fn git(args: &[String]) -> bool {
    const NEVER: &[&str] = &["output", "ext-diff", "textconv", "show-signature"];
    let Some((subcommand, rest)) = args.split_first() else {
        return false;
    };
    if rest
        .iter()
        .any(|a| is_long_option(a, NEVER) || a.contains("%G"))
    {
        return false;
    }
    match subcommand.as_str() {
        "status" | "log" | "diff" | "show" | "rev-parse" | "ls-files" => true,
        "branch" => git_branch_lists(rest),
        _ => false,
    }
}

/// `git branch` in a listing form: only listing flags, and patterns only after an explicit `--list`
/// (anything else names a branch to create, delete, rename, copy or configure).
fn git_branch_lists(args: &[String]) -> bool {
    const LISTING: &[&str] = &[
        "--list",
        "--all",
        "--remotes",
        "--verbose",
        "--show-current",
        "--color",
        "--no-color",
        "--no-column",
        "--no-abbrev",
        "--ignore-case",
    ];
    let mut list = false;
    let mut patterns = 0;
    for arg in args {
        let name = arg.split('=').next().unwrap_or(arg);
        if arg == "--list" {
            list = true;
            continue;
        }
        if LISTING.contains(&arg.as_str())
            || matches!(name, "--color" | "--format" | "--sort")
            || is_short_cluster_of(arg, b"arv")
        {
            continue;
        }
        if arg.starts_with('-') {
            return false;
        }
        patterns += 1;
    }
    patterns == 0 || list
}

/// Whether `arg` is `--NAME` or `--NAME=…` where NAME is one of `names` or an abbreviation of one.
fn is_long_option(arg: &str, names: &[&str]) -> bool {
    let Some(option) = arg.strip_prefix("--") else {
        return false;
    };
    let name = option.split('=').next().unwrap_or(option);
    !name.is_empty() && names.iter().any(|n| n.starts_with(name))
}

/// Whether `arg` is a cluster of short options (`-abc`) containing `flag` anywhere (a later letter may be
/// an attached value; rejecting it anyway errs on the safe side).
fn short_cluster_has(arg: &str, flag: u8) -> bool {
    arg.strip_prefix('-')
        .is_some_and(|rest| !rest.starts_with('-') && rest.bytes().any(|b| b == flag))
}

/// Whether `arg` is a non-empty cluster of short options, all from `allowed`.
fn is_short_cluster_of(arg: &str, allowed: &[u8]) -> bool {
    arg.strip_prefix('-')
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| allowed.contains(&b)))
}
