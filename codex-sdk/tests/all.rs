//! Integration tests.

mod suite;
