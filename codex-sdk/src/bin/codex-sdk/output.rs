//! Writing without panicking. `println!` panics when stdout is closed (`exec --json … | head -1`), so
//! everything goes through fallible writes: a failed stdout write ends the run (see `main`), a failed
//! stderr write is dropped (there is nowhere left to report it).

use std::io::{self, Write};

/// Writes one formatted piece to stdout and flushes it, so a closed pipe is noticed at once.
pub(crate) fn out(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_fmt(args)?;
    stdout.flush()
}

/// Writes one formatted piece to stderr, ignoring failures.
pub(crate) fn err(args: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `println!` to stdout that returns `io::Result<()>` instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, outln};
