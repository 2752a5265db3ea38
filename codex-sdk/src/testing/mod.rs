//! Test support (feature `testing`): a loopback mock model server and SSE builders.
