//! Profiles: named sets of settings laid over `config.toml`.
//!
//! Two forms exist. Codex CLI 0.169 keeps a profile in its own file, `CODEX_HOME/NAME.config.toml`, selected
//! with `--profile NAME`; earlier versions kept `[profiles.NAME]` tables in `config.toml`, selected by
//! `profile = "NAME"` (or `--profile`). Both are read: the file wins when both exist. The order is
//! `config.toml`, then the profile, then the `-c` overrides.

use std::path::{Path, PathBuf};

use super::{CONFIG_FILE, Config, ConfigToml, LoadedConfig};
use crate::error::{Error, Result};
use crate::tools::handlers::regular_file::read_regular;

/// The file name suffix of a profile file: `CODEX_HOME/NAME.config.toml`.
pub const PROFILE_FILE_SUFFIX: &str = ".config.toml";

/// The largest configuration file read (a bigger one is refused rather than read).
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Loads a configuration the way Codex CLI does: `CODEX_HOME/config.toml`, the selected profile, then
/// `-c` overrides. Built with [`Config::loader`].
///
/// ```
/// # fn demo() -> codex_sdk::Result<()> {
/// use codex_sdk::config::{Config, parse_override};
/// let home = std::env::temp_dir().join("codex-sdk-doc-loader");
/// let (key, value) = parse_override("model=o3")?;
/// let loaded = Config::loader(&home).override_value(key, value).load()?;
/// assert_eq!(loaded.config.model, "o3");
/// # Ok(()) }
/// # demo().unwrap();
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ConfigLoader {
    codex_home: PathBuf,
    profile: Option<String>,
    overrides: Vec<(String, toml::Value)>,
}

impl Config {
    /// A loader for `codex_home/config.toml` (see [`ConfigLoader`]).
    pub fn loader(codex_home: impl Into<PathBuf>) -> ConfigLoader {
        ConfigLoader {
            codex_home: codex_home.into(),
            profile: None,
            overrides: Vec::new(),
        }
    }
}

impl ConfigLoader {
    /// Selects a profile (`--profile NAME`): `CODEX_HOME/NAME.config.toml`, else `[profiles.NAME]`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Adds one `-c key=value` override (applied last, in order).
    pub fn override_value(mut self, key: impl Into<String>, value: toml::Value) -> Self {
        self.overrides.push((key.into(), value));
        self
    }

    /// Adds `-c key=value` overrides (see [`parse_override`](super::parse_override)).
    pub fn overrides(mut self, overrides: impl IntoIterator<Item = (String, toml::Value)>) -> Self {
        self.overrides.extend(overrides);
        self
    }

    /// Loads. See [`Config::load`] for what is read and how the API key is found.
    ///
    /// # Errors
    /// As [`Config::load`], plus [`Error::Config`] with key `profile` naming the profiles that exist when
    /// the selected one does not.
    pub fn load(self) -> Result<LoadedConfig> {
        Config::load_layers(
            &self.codex_home,
            self.profile.as_deref(),
            &self.overrides,
            true,
        )
    }
}

/// `config.toml` as a TOML table (a missing file is an empty one).
pub(super) fn read_config_table(codex_home: &Path) -> Result<toml::Table> {
    read_table(&codex_home.join(CONFIG_FILE), CONFIG_FILE)?
        .map_or_else(|| Ok(toml::Table::new()), Ok)
}

fn read_table(path: &Path, name: &str) -> Result<Option<toml::Table>> {
    let bytes = match read_regular(path, MAX_CONFIG_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(Error::Io(std::io::Error::other(e.to_string()))),
    };
    let text = String::from_utf8(bytes).map_err(|_| Error::Config {
        key: name.to_owned(),
        message: "not UTF-8".to_owned(),
    })?;
    toml::from_str(&text).map(Some).map_err(|e| Error::Config {
        key: name.to_owned(),
        message: e.to_string(),
    })
}

/// Builds the layered table: `base`, the profile (`explicit`, else `profile = "NAME"` after the overrides),
/// then the overrides. Returns it with the profile's name.
pub(super) fn layer(
    codex_home: &Path,
    base: toml::Table,
    explicit: Option<&str>,
    overrides: &[(String, toml::Value)],
) -> Result<(toml::Table, Option<String>)> {
    let mut selected = base.clone();
    apply_overrides(&mut selected, overrides)?;
    let name = match explicit {
        Some(name) => Some(name.to_owned()),
        None => match selected.get("profile") {
            Some(toml::Value::String(name)) => Some(name.clone()),
            Some(_) => {
                return Err(Error::Config {
                    key: "profile".to_owned(),
                    message: "must be a string".to_owned(),
                });
            }
            None => None,
        },
    };
    let Some(name) = name else {
        return Ok((selected, None));
    };
    let overlay = profile_table(codex_home, &base, &name)?;
    let mut table = base;
    merge(&mut table, overlay);
    apply_overrides(&mut table, overrides)?;
    Ok((table, Some(name)))
}

fn apply_overrides(table: &mut toml::Table, overrides: &[(String, toml::Value)]) -> Result<()> {
    for (key, value) in overrides {
        ConfigToml::set_path(table, key, value.clone())?;
    }
    Ok(())
}

/// The profile's settings: its file, else its `[profiles.NAME]` table, else an error naming those that exist.
fn profile_table(codex_home: &Path, base: &toml::Table, name: &str) -> Result<toml::Table> {
    let valid = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0']);
    if valid {
        let file = format!("{name}{PROFILE_FILE_SUFFIX}");
        if let Some(table) = read_table(&codex_home.join(&file), &file)? {
            return Ok(table);
        }
    }
    match base
        .get("profiles")
        .and_then(|p| p.as_table())
        .and_then(|p| p.get(name))
    {
        Some(toml::Value::Table(table)) => Ok(table.clone()),
        Some(_) => Err(Error::Config {
            key: format!("profiles.{name}"),
            message: "must be a table".to_owned(),
        }),
        None => {
            let known = known_profiles(codex_home, base);
            let list = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            Err(Error::Config {
                key: "profile".to_owned(),
                message: format!(
                    "no profile `{name}`: neither {}/{name}{PROFILE_FILE_SUFFIX} nor [profiles.{name}] in \
                     {CONFIG_FILE}; profiles that exist: {list}",
                    codex_home.display()
                ),
            })
        }
    }
}

/// The profile names found in `CODEX_HOME` files and `[profiles]` tables, sorted.
pub(super) fn known_profiles(codex_home: &Path, base: &toml::Table) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(codex_home)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(PROFILE_FILE_SUFFIX)?;
            (!stem.is_empty() && !stem.starts_with('.')).then(|| stem.to_owned())
        })
        .collect();
    if let Some(profiles) = base.get("profiles").and_then(|p| p.as_table()) {
        names.extend(profiles.keys().cloned());
    }
    names.sort();
    names.dedup();
    names
}

/// Lays `overlay` over `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(into)), toml::Value::Table(from)) => merge(into, from),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn file_profile_then_overrides_win() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("fast.config.toml"),
            "model = \"o4-mini\"\nmodel_reasoning_effort = \"low\"\n[tools]\nweb_search = true\n",
        )
        .unwrap();
        let base = table("model = \"gpt-5\"\n[tools]\nview_image = false\n");
        let overrides = [(
            "model_reasoning_effort".to_owned(),
            toml::Value::from("high"),
        )];
        let (out, name) = layer(home.path(), base, Some("fast"), &overrides).unwrap();
        assert_eq!(name.as_deref(), Some("fast"));
        assert_eq!(
            out,
            table(
                "model = \"o4-mini\"\nmodel_reasoning_effort = \"high\"\n\
                 [tools]\nview_image = false\nweb_search = true\n"
            )
        );
    }

    #[test]
    fn legacy_table_selected_by_key_or_override() {
        let home = tempfile::tempdir().unwrap();
        let base =
            table("profile = \"a\"\n[profiles.a]\nmodel = \"o3\"\n[profiles.b]\nmodel = \"o4\"\n");
        let (out, _) = layer(home.path(), base.clone(), None, &[]).unwrap();
        assert_eq!(out.get("model"), Some(&toml::Value::from("o3")));
        let pick_b = [("profile".to_owned(), toml::Value::from("b"))];
        let (out, name) = layer(home.path(), base, None, &pick_b).unwrap();
        assert_eq!(out.get("model"), Some(&toml::Value::from("o4")));
        assert_eq!(name.as_deref(), Some("b"));
    }

    #[test]
    fn unknown_profile_names_the_existing_ones() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("work.config.toml"), "").unwrap();
        let base = table("[profiles.legacy]\nmodel = \"o3\"\n");
        match layer(home.path(), base, Some("../etc/x"), &[]) {
            Err(Error::Config { key, message }) => {
                assert_eq!(key, "profile");
                assert!(
                    message.ends_with("profiles that exist: legacy, work"),
                    "{message}"
                );
            }
            other => panic!("expected a config error, got {other:?}"),
        }
    }
}
