//! Files replaced in one step (a temporary file renamed over the old one), shared by `config.toml` and
//! `auth.json` so neither module depends on the other for it.

use std::path::Path;

use crate::error::Result;

/// Writes `bytes` to a temporary file next to `path` and renames it over `path`. The file gets `mode`, else
/// the existing file's mode, else `0600`.
pub(crate) fn write_atomically(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> Result<()> {
    use std::io::Write;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("config");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(not(unix))]
    let _ = mode;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = mode.unwrap_or_else(|| {
            std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o777)
        });
        options.mode(mode);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(result?)
}

/// Atomically writes a file that must stay private (`0600`), creating `dir` (`0700`) when missing.
pub(crate) fn write_atomically_private(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(dir, path, bytes, Some(0o600))
}
