//! The environment of processes the agent starts (`[shell_environment_policy]` in `config.toml`).
//!
//! A command never inherits the host's environment as is: it gets the variables its
//! [`ShellEnvironmentPolicy`] computes from it, and nothing else.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};

use serde::{Deserialize, Serialize};

/// Names excluded unless [`ShellEnvironmentPolicy::ignore_default_excludes`] is set.
pub const DEFAULT_EXCLUDES: [&str; 3] = ["*KEY*", "*SECRET*", "*TOKEN*"];

/// The variables [`EnvironmentInherit::Core`] keeps (globs).
pub const CORE_VARIABLES: [&str; 13] = [
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "TMPDIR", "TEMP", "TMP", "LANG",
    "LANGUAGE", "LC_*", "TZ",
];

/// Which of the host's variables a command starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum EnvironmentInherit {
    /// Every variable of the host process.
    #[default]
    All,
    /// Only [`CORE_VARIABLES`] (home, user, shell, path, temporary directories, locale, time zone).
    Core,
    /// None: the command sees only what `set` adds.
    None,
}

/// How the environment of every process the agent starts is computed from the host's. The steps, in order
/// (as Codex CLI applies them):
///
/// 1. **inherit** — start from all of the host's variables ([`EnvironmentInherit::All`], the default), only
///    the [core ones](CORE_VARIABLES) ([`EnvironmentInherit::Core`]), or none ([`EnvironmentInherit::None`]);
/// 2. **default excludes** — drop names matching `*KEY*`, `*SECRET*` or `*TOKEN*` (so `OPENAI_API_KEY` never
///    reaches a tool) unless `ignore_default_excludes` is set;
/// 3. **exclude** — drop names matching any of the `exclude` globs;
/// 4. **set** — add (or replace) the `set` variables;
/// 5. **include_only** — when not empty, keep only names matching one of its globs.
///
/// Globs match whole names, case-insensitively; `*` matches any run of characters and `?` one character.
/// In `config.toml`: `[shell_environment_policy]` with the same keys (`inherit = "core"`,
/// `exclude = ["AWS_*"]`, `[shell_environment_policy.set]`…); `-c shell_environment_policy.inherit=none`.
///
/// ```
/// use codex_sdk::sandbox::{EnvironmentInherit, ShellEnvironmentPolicy};
///
/// let mut policy = ShellEnvironmentPolicy::default();
/// policy.inherit = EnvironmentInherit::Core;
/// policy.set.insert("CI".into(), "1".into());
/// let env = policy.apply([("PATH", "/bin"), ("OPENAI_API_KEY", "sk-…"), ("EDITOR", "vi")]);
/// assert_eq!(env.len(), 2); // PATH and CI
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
#[non_exhaustive]
pub struct ShellEnvironmentPolicy {
    /// The starting set: `all` (default), `core` or `none`.
    pub inherit: EnvironmentInherit,
    /// Keep names matching [`DEFAULT_EXCLUDES`] (`*KEY*`, `*SECRET*`, `*TOKEN*`).
    pub ignore_default_excludes: bool,
    /// Globs of names to drop.
    pub exclude: Vec<String>,
    /// Variables to add or replace.
    pub set: BTreeMap<String, String>,
    /// When not empty, only names matching one of these globs are kept (applied last).
    pub include_only: Vec<String>,
}

impl ShellEnvironmentPolicy {
    /// A policy starting from `inherit`, otherwise the default.
    #[must_use]
    pub fn inheriting(inherit: EnvironmentInherit) -> Self {
        Self {
            inherit,
            ..Self::default()
        }
    }

    /// The environment a command gets when the host's is `host`.
    #[must_use]
    pub fn apply<K, V>(
        &self,
        host: impl IntoIterator<Item = (K, V)>,
    ) -> BTreeMap<OsString, OsString>
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        let mut env: BTreeMap<OsString, OsString> = host
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(name, _)| match self.inherit {
                EnvironmentInherit::All => true,
                EnvironmentInherit::Core => matches_any(CORE_VARIABLES, name),
                EnvironmentInherit::None => false,
            })
            .collect();
        if !self.ignore_default_excludes {
            env.retain(|name, _| !matches_any(DEFAULT_EXCLUDES, name));
        }
        env.retain(|name, _| !matches_any(&self.exclude, name));
        for (name, value) in &self.set {
            env.insert(name.into(), value.into());
        }
        if !self.include_only.is_empty() {
            env.retain(|name, _| matches_any(&self.include_only, name));
        }
        env
    }

    /// The environment a command started now gets (from this process's variables).
    #[must_use]
    pub fn apply_to_current(&self) -> BTreeMap<OsString, OsString> {
        self.apply(std::env::vars_os())
    }
}

fn matches_any<S: AsRef<str>>(globs: impl IntoIterator<Item = S>, name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    globs.into_iter().any(|g| glob_matches(g.as_ref(), &name))
}

/// Whether `name` matches `pattern` as a whole, ignoring ASCII case; `*` is any run, `?` any one character.
#[must_use]
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let n: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Iterative matcher with one backtrack point (the last `*`): linear in practice, no recursion.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(env: &BTreeMap<OsString, OsString>) -> Vec<&str> {
        env.keys().filter_map(|k| k.to_str()).collect()
    }

    const HOST: [(&str, &str); 6] = [
        ("PATH", "/usr/bin"),
        ("HOME", "/home/me"),
        ("OPENAI_API_KEY", "sk-secret"),
        ("GITHUB_TOKEN", "ghp"),
        ("my_secret_thing", "x"),
        ("EDITOR", "vi"),
    ];

    #[test]
    fn globs_match_whole_names_case_insensitively() {
        assert!(glob_matches("*KEY*", "openai_api_key"));
        assert!(glob_matches("LC_*", "LC_ALL"));
        assert!(glob_matches("a?c", "ABC"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("LC_*", "XLC_ALL"));
        assert!(!glob_matches("HOME", "HOMEDIR"));
        assert!(glob_matches("*a*b*", "xxaxxbxx"));
        assert!(!glob_matches("*a*b", "xxaxxbxxc"));
    }

    #[test]
    fn default_drops_secrets_and_keeps_the_rest() {
        let env = ShellEnvironmentPolicy::default().apply(HOST);
        assert_eq!(names(&env), ["EDITOR", "HOME", "PATH"]);
    }

    #[test]
    fn ignore_default_excludes_keeps_secrets() {
        let policy = ShellEnvironmentPolicy {
            ignore_default_excludes: true,
            ..ShellEnvironmentPolicy::default()
        };
        assert_eq!(policy.apply(HOST).len(), HOST.len());
    }

    #[test]
    fn core_none_exclude_set_and_include_only_apply_in_order() {
        let core = ShellEnvironmentPolicy::inheriting(EnvironmentInherit::Core).apply(HOST);
        assert_eq!(names(&core), ["HOME", "PATH"]);

        let mut none = ShellEnvironmentPolicy::inheriting(EnvironmentInherit::None);
        none.set.insert("API_KEY".into(), "set wins".into());
        let env = none.apply(HOST);
        assert_eq!(
            env.get(OsStr::new("API_KEY")),
            Some(&OsString::from("set wins"))
        );
        assert_eq!(env.len(), 1);

        let policy = ShellEnvironmentPolicy {
            exclude: vec!["ed*".into()],
            include_only: vec!["P*".into(), "E*".into(), "NEW".into()],
            set: BTreeMap::from([("NEW".into(), "1".into())]),
            ..ShellEnvironmentPolicy::default()
        };
        assert_eq!(names(&policy.apply(HOST)), ["NEW", "PATH"]);
    }
}
