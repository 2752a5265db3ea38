//! What the model sees of an MCP tool: its qualified name and an input schema the APIs accept.

use serde_json::{Map, Value};

/// Between the server's name and the tool's name.
pub const DELIMITER: &str = "__";
/// The API's limit on tool names.
const MAX_NAME: usize = 64;

/// `<server>__<tool>` with every character the API rejects replaced by `_`; a name over 64 characters is
/// cut and ends with a hash of the full name, so it stays unique and the same from run to run.
#[must_use]
pub fn qualified_tool_name(server: &str, tool: &str) -> String {
    let full = format!("{server}{DELIMITER}{tool}");
    let clean: String = full
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.len() <= MAX_NAME && clean == full {
        return clean;
    }
    if clean.len() <= MAX_NAME {
        // Sanitised names may collide ("a.b" and "a-b"...): those that changed carry the hash too when
        // they would still fit, which keeps them apart from a tool literally named the sanitised way.
        let hash = format!("{:016x}", fnv1a(full.as_bytes()));
        let keep = MAX_NAME.saturating_sub(hash.len() + 1).min(clean.len());
        return format!("{}_{}", &clean[..keep], hash);
    }
    let hash = format!("{:016x}", fnv1a(full.as_bytes()));
    let keep = MAX_NAME - hash.len() - 1;
    format!("{}_{}", &clean[..keep], hash)
}

/// 64-bit FNV-1a: stable across runs and platforms (unlike `std`'s hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// An input schema both the Responses and the Chat Completions APIs accept: an object schema at the top
/// (`properties` present), every nested schema with a `type` (inferred from its keywords, else `string`),
/// `integer` kept, unknown `type`s replaced, boolean schemas turned into empty object schemas.
#[must_use]
pub fn sanitize_input_schema(schema: &Value) -> Value {
    let mut out = sanitize(schema);
    if let Value::Object(map) = &mut out {
        map.insert("type".to_owned(), Value::String("object".to_owned()));
        let properties = map
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if !properties.is_object() {
            *properties = Value::Object(Map::new());
        }
        if let Some(required) = map.get("required")
            && !required.is_array()
        {
            map.remove("required");
        }
    }
    out
}

const TYPES: [&str; 7] = [
    "object", "array", "string", "number", "integer", "boolean", "null",
];

fn sanitize(schema: &Value) -> Value {
    let Value::Object(input) = schema else {
        // `true`/`false` or garbage: "anything" is the closest the APIs take.
        return Value::Object(
            [("type".to_owned(), Value::String("string".to_owned()))]
                .into_iter()
                .collect(),
        );
    };
    let mut map = input.clone();
    if let Some(Value::Object(props)) = map.get("properties") {
        let clean: Map<String, Value> = props
            .iter()
            .map(|(k, v)| (k.clone(), sanitize(v)))
            .collect();
        map.insert("properties".to_owned(), Value::Object(clean));
    }
    if let Some(items) = map.get("items") {
        let clean = match items {
            Value::Array(list) => list
                .first()
                .map_or_else(|| sanitize(&Value::Null), sanitize),
            other => sanitize(other),
        };
        map.insert("items".to_owned(), clean);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(list)) = map.get(key) {
            let clean: Vec<Value> = list.iter().map(sanitize).collect();
            map.insert(key.to_owned(), Value::Array(clean));
        }
    }
    if let Some(Value::Object(extra)) = map.get("additionalProperties") {
        let clean = sanitize(&Value::Object(extra.clone()));
        map.insert("additionalProperties".to_owned(), clean);
    }
    let combinator = ["anyOf", "oneOf", "allOf", "enum", "const", "$ref"]
        .iter()
        .any(|k| map.contains_key(*k));
    let ty = match map.get("type") {
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => Some(Value::String(t.clone())),
        Some(Value::Array(list)) => {
            let kept: Vec<Value> = list
                .iter()
                .filter(|t| t.as_str().is_some_and(|t| TYPES.contains(&t)))
                .cloned()
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    };
    match ty {
        Some(t) => {
            map.insert("type".to_owned(), t);
        }
        None if combinator => {
            map.remove("type");
        }
        None => {
            let inferred = if map.contains_key("properties") {
                "object"
            } else if map.contains_key("items") {
                "array"
            } else if ["minimum", "maximum", "multipleOf"]
                .iter()
                .any(|k| map.contains_key(*k))
            {
                "number"
            } else {
                "string"
            };
            map.insert("type".to_owned(), Value::String(inferred.to_owned()));
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("object") && !map.contains_key("properties")
    {
        map.insert("properties".to_owned(), Value::Object(Map::new()));
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_names_are_kept() {
        assert_eq!(qualified_tool_name("docs", "search"), "docs__search");
    }

    #[test]
    fn rejected_characters_are_replaced_and_kept_apart() {
        let a = qualified_tool_name("srv", "get.file");
        let b = qualified_tool_name("srv", "get file");
        assert!(a.starts_with("srv__get_file_"), "{a}");
        assert_ne!(a, b);
        assert_ne!(a, qualified_tool_name("srv", "get_file"));
        for name in [&a, &b] {
            assert!(name.len() <= 64);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            );
        }
    }

    #[test]
    fn long_names_get_a_stable_hash_suffix() {
        let tool = "a".repeat(80);
        let name = qualified_tool_name("server", &tool);
        assert_eq!(name.len(), 64);
        assert_eq!(name, qualified_tool_name("server", &tool));
        assert_ne!(name, qualified_tool_name("server", &"a".repeat(81)));
        // Stable across releases: a fixed value, not a per-process hash.
        assert_eq!(
            &name[47..],
            format!("_{:016x}", fnv1a(format!("server__{tool}").as_bytes()))
        );
    }

    #[test]
    fn schemas_become_acceptable() {
        assert_eq!(
            sanitize_input_schema(&json!({})),
            json!({"type": "object", "properties": {}})
        );
        assert_eq!(
            sanitize_input_schema(&json!({
                "properties": {
                    "n": {"minimum": 1},
                    "tags": {"items": {}},
                    "any": true,
                    "mode": {"enum": ["a", "b"]},
                    "t": {"type": "datetime"}
                },
                "required": "n"
            })),
            json!({
                "type": "object",
                "properties": {
                    "n": {"type": "number", "minimum": 1},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "any": {"type": "string"},
                    "mode": {"enum": ["a", "b"]},
                    "t": {"type": "string"}
                }
            })
        );
    }
}
