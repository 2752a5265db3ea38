//! The checked-in protocol schema matches the Rust types (regenerate with `UPDATE_SCHEMA=1 cargo test schema`).

use std::path::PathBuf;

#[test]
fn checked_in_schema_matches_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/protocol.schema.json");
    let fresh = serde_json::to_string_pretty(&codex_sdk::protocol::schema::protocol_schema())
        .unwrap()
        + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "schema/protocol.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test -p codex-agent-sdk --features testing,schema --test all schema`"
    );
}

#[test]
fn checked_in_app_server_schema_matches_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/app_server.schema.json");
    let fresh = serde_json::to_string_pretty(&codex_sdk::app_server::schema::app_server_schema())
        .unwrap()
        + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "schema/app_server.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test -p codex-agent-sdk --features testing,schema --test all schema`"
    );
}
