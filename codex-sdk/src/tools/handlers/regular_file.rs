//! Opening files the model names: regular files only, opened without blocking, read under a cap.
//!
//! A path chosen by the model may be a FIFO (opening or reading it waits for a writer that never comes), a
//! socket, a device (`/dev/zero` never ends), a symlink to one of those, or be swapped for one between a
//! check and an open. So the type is checked with `stat` before opening (a device is never opened), the file
//! is opened with `O_NONBLOCK` (a FIFO swapped in after the check does not block the open), the opened
//! descriptor's type is checked again with `fstat`, and every read stops at a cap.
//!
//! Everything here is blocking I/O: call it from `tokio::task::spawn_blocking`, never on an async task.

use std::fmt;
use std::fs::{File, FileType};
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};

/// The type of a filesystem object, for messages to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

impl FileKind {
    pub(crate) fn of(ty: FileType) -> Self {
        if ty.is_file() {
            Self::Regular
        } else if ty.is_dir() {
            Self::Directory
        } else if ty.is_symlink() {
            Self::Symlink
        } else if ty.is_fifo() {
            Self::Fifo
        } else if ty.is_socket() {
            Self::Socket
        } else if ty.is_char_device() {
            Self::CharDevice
        } else if ty.is_block_device() {
            Self::BlockDevice
        } else {
            Self::Other
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Regular => "regular file",
            Self::Directory => "directory",
            Self::Symlink => "symlink",
            Self::Fifo => "FIFO (named pipe)",
            Self::Socket => "socket",
            Self::CharDevice => "character device",
            Self::BlockDevice => "block device",
            Self::Other => "special file",
        })
    }
}

/// Why a file could not be read. The messages are written for the model.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is {}a {kind}, not a regular file",
        path.display(),
        if *via_symlink { "a symlink to " } else { "" }
    )]
    NotRegular {
        path: PathBuf,
        kind: FileKind,
        via_symlink: bool,
    },
    #[error("{} is too large (at least {size} bytes; the limit is {cap} bytes)", path.display())]
    TooLarge { path: PathBuf, size: u64, cap: u64 },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl FileError {
    /// Whether the path does not exist (a dangling symlink included).
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, Self::Open { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Opens `path` (following symlinks) for reading if it is a regular file; returns it with its length.
pub(crate) fn open_regular(path: &Path) -> Result<(File, u64), FileError> {
    let open_error = |source: std::io::Error| FileError::Open {
        path: path.to_path_buf(),
        source,
    };
    let link = std::fs::symlink_metadata(path).map_err(open_error)?;
    let via_symlink = link.file_type().is_symlink();
    let meta = if via_symlink {
        std::fs::metadata(path).map_err(open_error)?
    } else {
        link
    };
    let kind = FileKind::of(meta.file_type());
    if kind != FileKind::Regular {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind,
            via_symlink,
        });
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(|e| open_error(e.into()))?;
    let file = File::from(fd);
    let len = check_opened(&file, path)?;
    Ok((file, len))
}

/// The length of an opened file, after checking (with `fstat`) that it is a regular file: the path may
/// have been swapped since it was checked.
pub(crate) fn check_opened(file: &File, path: &Path) -> Result<u64, FileError> {
    let meta = file.metadata().map_err(|source| FileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    match FileKind::of(meta.file_type()) {
        FileKind::Regular => Ok(meta.len()),
        kind => Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind,
            via_symlink: false,
        }),
    }
}

/// The whole content of the regular file at `path`, refused when it holds more than `cap` bytes (checked
/// before reading, and again while reading in case the file grows).
pub(crate) fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let (file, len) = open_regular(path)?;
    let too_large = |size: u64| FileError::TooLarge {
        path: path.to_path_buf(),
        size,
        cap,
    };
    if len > cap {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| FileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > cap {
        return Err(too_large(read));
    }
    Ok(bytes)
}

/// At most the first `cap` bytes of the regular file at `path` (a longer file is cut, not refused).
pub(crate) fn read_regular_prefix(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let (file, len) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(cap)).unwrap_or(0));
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|source| FileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        rustix::fs::mknodat(
            rustix::fs::CWD,
            path,
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
    }

    #[test]
    fn the_opened_descriptor_is_checked_again() {
        // A FIFO that passed the path check (here: no check at all) is still refused by fstat, and opening
        // it the way `open_regular` does returns at once although no writer exists.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let file = File::from(rustix::fs::open(&fifo, flags, Mode::empty()).unwrap());
        let err = check_opened(&file, &fifo).unwrap_err();
        assert!(
            matches!(
                err,
                FileError::NotRegular {
                    kind: FileKind::Fifo,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("is a FIFO (named pipe)"), "{err}");
    }

    #[test]
    fn reads_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular(&path, 10).unwrap(), b"0123456789");
        let err = read_regular(&path, 9).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is too large (at least 10 bytes; the limit is 9 bytes)",
                path.display()
            )
        );
        let missing = read_regular(&dir.path().join("nope"), 9).unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
    }

    #[test]
    fn devices_and_symlinks_to_them_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = read_regular(&link, 1 << 30).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a symlink to a character device, not a regular file",
                link.display()
            )
        );
    }
}
