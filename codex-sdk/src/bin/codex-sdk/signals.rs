//! The signals that stop a run: SIGINT (Ctrl-C) and, on Unix, SIGTERM.

/// A signal that asks the run to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGINT.
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Stop {
    /// The signal's number (the exit status is 128 plus it, as shells report).
    pub(crate) fn number(self) -> u8 {
        match self {
            Stop::Interrupt => 2,
            Stop::Terminate => 15,
        }
    }
}

/// Resolves with the first stop signal, or with `None` when no handler could be installed (then the run
/// goes on; the signals keep their default effect).
pub(crate) async fn stop() -> Option<Stop> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return None;
        };
        tokio::select! {
            _ = interrupt.recv() => Some(Stop::Interrupt),
            _ = terminate.recv() => Some(Stop::Terminate),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.ok().map(|()| Stop::Interrupt)
    }
}
