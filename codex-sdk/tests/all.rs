//! Integration tests: one binary, one module per feature (see `suite/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
