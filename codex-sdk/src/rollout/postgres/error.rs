//! PostgreSQL errors as the SDK's: I/O errors whose kind says whether the server was unreachable or the
//! connection broke, with the URL's password scrubbed from the text.

use std::io;

use crate::error::{Error, REDACTED};

/// The SDK error for a client error.
pub(super) fn pg_error(e: &tokio_postgres::Error, password: Option<&str>) -> Error {
    Error::Io(pg_io_error(e, password))
}

/// The I/O error for a client error (what an appender returns).
pub(super) fn pg_io_error(e: &tokio_postgres::Error, password: Option<&str>) -> io::Error {
    let kind = if e.is_closed() {
        io::ErrorKind::ConnectionAborted
    } else if let Some(source) =
        std::error::Error::source(e).and_then(|s| s.downcast_ref::<io::Error>())
    {
        source.kind()
    } else if e.as_db_error().is_some_and(is_connection_lost) {
        io::ErrorKind::ConnectionAborted
    } else {
        io::ErrorKind::Other
    };
    let mut text = match e.as_db_error() {
        Some(db) => format!("PostgreSQL: {} ({})", db.message(), db.code().code()),
        None => format!("PostgreSQL: {e}"),
    };
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        text = text.replace(password, REDACTED);
    }
    io::Error::new(kind, text)
}

/// Server errors that mean the session is gone (administrator command, shutdown, crash recovery).
fn is_connection_lost(db: &tokio_postgres::error::DbError) -> bool {
    matches!(
        db.code().code(),
        "57P01" | "57P02" | "57P03" | "08006" | "08003"
    )
}
