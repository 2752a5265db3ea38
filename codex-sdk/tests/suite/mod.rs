//! Integration test modules.

mod testing_server;
