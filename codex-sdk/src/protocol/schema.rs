//! The JSON Schema of the protocol (feature `schema`): one document whose `$defs` hold every public wire
//! type, and the listing of recorded conversations (`ConversationsPage`) that hosts receive too. The
//! bindings' host types (Python dataclasses, TypeScript unions, Swift enums) are generated from it, and CI
//! fails when the checked-in copy (`schema/protocol.schema.json`) drifts from the Rust types.

use schemars::generate::SchemaSettings;

use super::*;

/// Builds the protocol schema document.
#[must_use]
pub fn protocol_schema() -> serde_json::Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let roots = [
        ("Event", generator.subschema_for::<Event>()),
        ("Op", generator.subschema_for::<Op>()),
        ("Submission", generator.subschema_for::<Submission>()),
        ("ResponseItem", generator.subschema_for::<ResponseItem>()),
        ("ErrorCode", generator.subschema_for::<ErrorCode>()),
        (
            "TurnResult",
            generator.subschema_for::<crate::conversation::TurnResult>(),
        ),
        (
            "CodexOptions",
            generator.subschema_for::<crate::config::CodexOptions>(),
        ),
        (
            "AuthStatus",
            generator.subschema_for::<crate::auth::AuthStatus>(),
        ),
        (
            "ConversationsPage",
            generator.subschema_for::<ConversationsPage>(),
        ),
    ];
    let defs = generator.take_definitions(true);
    let roots: serde_json::Map<String, serde_json::Value> = roots
        .into_iter()
        .map(|(name, schema)| (name.to_owned(), schema.to_value()))
        .collect();
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "codex-sdk protocol",
        "roots": roots,
        "$defs": defs,
    })
}
