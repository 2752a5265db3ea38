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
            "ScriptedModelSpec",
            generator.subschema_for::<crate::model::ScriptedModelSpec>(),
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
    let mut defs = generator.take_definitions(true);
    for def in defs.values_mut() {
        tagged_any_of_as_one_of(def);
    }
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

/// A tagged enum with an untagged catch-all variant that the schema skips (`ResponseItem::Other`) comes out
/// of schemars as `anyOf`; its listed variants are still told apart by their constant tag, so it is the same
/// exclusive union as every other tagged enum: written as `oneOf`, which the host-type generators read.
fn tagged_any_of_as_one_of(def: &mut serde_json::Value) {
    let Some(object) = def.as_object_mut() else {
        return;
    };
    let tagged = object
        .get("anyOf")
        .and_then(serde_json::Value::as_array)
        .is_some_and(|variants| {
            variants.len() > 1
                && variants
                    .iter()
                    .all(|v| v.pointer("/properties/type/const").is_some())
        });
    if tagged && let Some(variants) = object.remove("anyOf") {
        object.insert("oneOf".to_owned(), variants);
    }
}
