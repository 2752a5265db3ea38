//! Grammar fuzzing: random scripts from safe words and hostile fragments, checked against an independent
//! model of the script (a small quote-aware scanner written for this test, not the classifier's parser).

use super::script_safe;

/// Programs the rules accept whatever their arguments.
const SAFE_PROGRAMS: &[&str] = &["cat", "ls", "echo", "wc", "head", "grep", "pwd", "true"];
/// Programs (or program-like words) that must never pass.
const UNSAFE_PROGRAMS: &[&str] = &[
    "rm", "touch", "./cat", "/bin/ls", "python3", "sh", "tee", "x=1", "'./ls'", "$x", "(ls)", "{",
    "!", "c*t", "~/ls",
];
/// Arguments that mean themselves.
const SAFE_ARGS: &[&str] = &[
    "-n",
    "-la",
    "foo.txt",
    "src/lib.rs",
    "'a b'",
    "\"a b\"",
    "'$HOME'",
    "'*'",
    "'>'",
    "\"x;y\"",
    "a'b'\"c\"",
    "--color=never",
    "1,5p",
    "x=1",
    "@a",
    "%s",
    "\"\"",
    "''",
    "'a\nb'",
    "\"#\"",
];
/// Arguments with something a shell would act on.
const HOSTILE_ARGS: &[&str] = &[
    ">",
    "> out",
    ">>x",
    "2>&1",
    "<in",
    "<<<x",
    "$HOME",
    "\"$x\"",
    "${x}",
    "`id`",
    "\"`id`\"",
    "$(id)",
    "\"$(id)\"",
    "<(id)",
    ">(id)",
    "(x)",
    "*",
    "x*",
    "?",
    "[x]",
    "{a,b}",
    "{1..2}",
    "~",
    "~root",
    "#c",
    "\\;",
    "a\\ b",
    "!!",
    "\"a\\\"b\"",
    "&",
    "$'x'",
    "$((1))",
    "\"!x\"",
    "=x",
    "a\u{b}",
];
/// Separators between commands that keep every command in the foreground.
const SAFE_SEPARATORS: &[&str] = &[" && ", " || ", "; ", " | ", "\n", " ;\n", "|\n"];
/// Separators that background a command, pipe stderr, or are not separators at all.
const HOSTILE_SEPARATORS: &[&str] = &[" & ", " |& ", " ;; ", "\r\n", " \\\n", "\n&", " &>"];

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// True with probability 1/n.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// A random script and whether the generator used only safe parts.
fn generate(rng: &mut Rng) -> (String, bool) {
    let mut script = String::new();
    let mut clean = true;
    let commands = 1 + rng.below(4);
    for i in 0..commands {
        if i > 0 {
            if rng.one_in(12) {
                clean = false;
                script.push_str(rng.pick(HOSTILE_SEPARATORS));
            } else {
                script.push_str(rng.pick(SAFE_SEPARATORS));
            }
        }
        if rng.one_in(10) {
            clean = false;
            script.push_str(rng.pick(UNSAFE_PROGRAMS));
        } else {
            script.push_str(rng.pick(SAFE_PROGRAMS));
        }
        for _ in 0..rng.below(4) {
            script.push(' ');
            if rng.one_in(12) {
                clean = false;
                script.push_str(rng.pick(HOSTILE_ARGS));
            } else {
                script.push_str(rng.pick(SAFE_ARGS));
            }
        }
    }
    (script, clean)
}

/// The independent model: scans the script with shell quoting rules, fails on any byte a shell would
/// act on outside quotes (or on `$`, `` ` ``, `\`, `!` inside double quotes), splits commands at `;`, `|`,
/// `&&`, `||` and newlines, and requires each command's first word to be a safe program.
fn model_says_safe(script: &str) -> bool {
    let bytes = script.as_bytes();
    let mut commands: Vec<Vec<String>> = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut i = 0;
    let end_word = |word: &mut Option<String>, commands: &mut Vec<Vec<String>>| {
        if let (Some(w), Some(last)) = (word.take(), commands.last_mut()) {
            last.push(w);
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' => end_word(&mut word, &mut commands),
            b'\n' | b';' | b'|' => {
                end_word(&mut word, &mut commands);
                if commands.last().is_some_and(Vec::is_empty) {
                    // A blank line (or a line break after an operator) separates nothing; an operator
                    // with no command before it is a syntax error.
                    if b == b'\n' {
                        i += 1;
                        continue;
                    }
                    return false;
                }
                if b == b';' && bytes.get(i + 1) == Some(&b';') {
                    return false;
                }
                if b == b'|' && bytes.get(i + 1) == Some(&b'&') {
                    return false;
                }
                if b == b'|' && bytes.get(i + 1) == Some(&b'|') {
                    i += 1;
                }
                commands.push(Vec::new());
            }
            b'&' if bytes.get(i + 1) == Some(&b'&') => {
                end_word(&mut word, &mut commands);
                if commands.last().is_some_and(Vec::is_empty) {
                    return false;
                }
                commands.push(Vec::new());
                i += 1;
            }
            b'\'' => {
                let Some(close) = script[i + 1..].find('\'') else {
                    return false;
                };
                word.get_or_insert_with(String::new)
                    .push_str(&script[i + 1..i + 1 + close]);
                i += close + 1;
            }
            b'"' => {
                let Some(close) = script[i + 1..].find('"') else {
                    return false;
                };
                let inner = &script[i + 1..i + 1 + close];
                if inner.contains(['$', '`', '\\', '!']) {
                    return false;
                }
                word.get_or_insert_with(String::new).push_str(inner);
                i += close + 1;
            }
            b'>' | b'<' | b'$' | b'`' | b'(' | b')' | b'*' | b'?' | b'[' | b']' | b'{' | b'}'
            | b'~' | b'#' | b'\\' | b'!' | b'&' => return false,
            b'=' if word.is_none() => return false,
            _ if b.is_ascii_control() || !b.is_ascii() => return false,
            _ => word.get_or_insert_with(String::new).push(char::from(b)),
        }
        i += 1;
    }
    end_word(&mut word, &mut commands);
    if commands.len() > 1 && commands.last().is_some_and(Vec::is_empty) {
        commands.pop();
    }
    commands.iter().all(|c| {
        c.first()
            .is_some_and(|program| SAFE_PROGRAMS.contains(&program.as_str()))
    })
}

#[test]
fn model_agrees_on_hand_picked_scripts() {
    assert!(model_says_safe("ls -la && echo 'a b' | wc -l"));
    assert!(!model_says_safe("ls > x"));
    assert!(!model_says_safe("ls\nrm x"));
    assert!(!model_says_safe("ls & rm x"));
}

#[test]
fn random_scripts_judged_safe_are_safe_in_the_model() {
    const ITERATIONS: usize = 50_000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut safe = 0;
    let mut hostile = 0;
    for _ in 0..ITERATIONS {
        let (script, clean) = generate(&mut rng);
        let classified = script_safe(&script);
        let modelled = model_says_safe(&script);
        assert!(
            !classified || modelled,
            "classifier accepts what the model rejects: {script:?}"
        );
        if clean {
            assert!(
                classified,
                "a script of safe parts was rejected: {script:?}"
            );
        } else {
            hostile += 1;
        }
        safe += usize::from(classified);
    }
    // Both kinds must be well represented, or the property says little.
    assert!(safe > ITERATIONS / 4, "{safe} safe");
    assert!(hostile > ITERATIONS / 4, "{hostile} hostile");
}
