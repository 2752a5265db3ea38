//! Unit tests of the classifier: a corpus of bypass attempts and legitimate scripts, a grammar fuzzer, and
//! the `PATH` rule on real files.

mod corpus;
mod fuzz;

use std::ffi::OsStr;
use std::path::Path;

use super::path::{ProgramLookup, SearchPath};
use super::{classify, is_known_safe, parse};

/// Trusts every bare name, as if each were installed in `/usr/bin`: tests the rules, not the machine.
pub(super) struct Installed;

impl ProgramLookup for Installed {
    fn trusts(&self, _name: &str) -> bool {
        true
    }
}

pub(super) fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Whether `words` is safe with every bare name installed.
pub(super) fn safe(words: &[&str]) -> bool {
    classify(&argv(words), &Installed)
}

/// Whether `bash -lc SCRIPT` is safe with every bare name installed.
pub(super) fn script_safe(script: &str) -> bool {
    safe(&["bash", "-lc", script])
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn path_trusts_names_found_through_absolute_entries_only() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    make_executable(&bin.join("cat"));
    std::fs::write(bin.join("plain"), "not executable").unwrap();
    let search = |path: String| SearchPath::new(Some(OsStr::new(&path)));
    let abs = bin.display().to_string();
    assert!(search(abs.clone()).trusts("cat"));
    assert!(!search(abs.clone()).trusts("plain"), "not executable");
    assert!(!search(abs.clone()).trusts("missing"));
    // A relative or empty entry searched before the program is found: could be the model's file.
    for path in [
        format!(".:{abs}"),
        format!("bin:{abs}"),
        format!(":{abs}"),
        format!("/nonexistent::{abs}"),
    ] {
        assert!(!search(path.clone()).trusts("cat"), "{path}");
    }
    // After the match, relative entries do not matter.
    assert!(search(format!("{abs}:.")).trusts("cat"));
}

#[test]
fn argv_and_shell_programs_resolve_through_path() {
    let dir = tempfile::tempdir().unwrap();
    make_executable(&dir.path().join("ls"));
    make_executable(&dir.path().join("bash"));
    let trusted = SearchPath::new(Some(dir.path().as_os_str()));
    let relative = SearchPath::new(Some(OsStr::new(".")));
    assert!(classify(&argv(&["ls", "-la"]), &trusted));
    assert!(classify(&argv(&["bash", "-lc", "ls && pwd"]), &trusted));
    assert!(!classify(&argv(&["ls"]), &relative));
    assert!(!classify(&argv(&["bash", "-lc", "pwd"]), &relative));
    // `cat` is not installed in this PATH: a script's `cat` could only be something else.
    assert!(!classify(&argv(&["bash", "-lc", "ls && cat x"]), &trusted));
}

#[test]
fn the_process_path_finds_real_programs() {
    // The test machine has coreutils and bash in absolute PATH entries.
    assert!(is_known_safe(&argv(&["ls", "-la"])));
    assert!(is_known_safe(&argv(&[
        "bash",
        "-lc",
        "cd src && ls | wc -l"
    ])));
    assert!(!is_known_safe(&argv(&["/bin/ls"])));
}

#[test]
fn scripts_split_into_their_commands_in_order() {
    let commands =
        parse::plain_commands("ls -la && echo \"a b\" 'c d' | wc -l\ncat x'y'\"z\" || true; pwd")
            .unwrap();
    let expected: Vec<Vec<String>> = vec![
        argv(&["ls", "-la"]),
        argv(&["echo", "a b", "c d"]),
        argv(&["wc", "-l"]),
        argv(&["cat", "xyz"]),
        argv(&["true"]),
        argv(&["pwd"]),
    ];
    assert_eq!(commands, expected);
}

#[test]
fn long_chains_parse_without_deep_recursion() {
    let script = vec!["true"; 2000].join(" && ");
    assert_eq!(parse::plain_commands(&script).map(|c| c.len()), Some(2000));
    assert!(script_safe(&script));
    let too_long = "x".repeat(parse::MAX_SCRIPT_BYTES + 1);
    assert!(parse::plain_commands(&too_long).is_none());
}

#[test]
fn parsers_are_reused_across_threads() {
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                (0..50).all(|_| script_safe(&format!("echo {i} | wc -c")) && !script_safe("ls >x"))
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap());
    }
}
