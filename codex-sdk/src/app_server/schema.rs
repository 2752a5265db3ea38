//! The JSON Schema of the app server protocol (feature `schema`), generated from the Rust types: every
//! request as `{id, method, params?}` (no `params` member for methods without any), the response type of
//! each method, the server's notifications and requests. The checked-in copy
//! (`schema/app_server.schema.json`) drives the generated TypeScript; CI fails when either drifts.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::jsonrpc::{ErrorObject, RequestId};
use super::v1::{ClientRequest, ServerNotification, ServerRequest};
use super::v2;

type MethodSchemas = Vec<(&'static str, &'static str, Option<Schema>, Schema)>;

/// Builds the app server schema document.
#[must_use]
pub fn app_server_schema() -> Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let id = generator.subschema_for::<RequestId>().to_value();
    let error = generator.subschema_for::<ErrorObject>().to_value();
    let client = ClientRequest::schemas(&mut generator);
    let server = ServerRequest::schemas(&mut generator);
    let notification = generator.subschema_for::<ServerNotification>().to_value();
    let client_v2 = v2::ClientRequest::schemas(&mut generator);
    let server_v2 = v2::ServerRequest::schemas(&mut generator);
    let notification_v2 = generator
        .subschema_for::<v2::ServerNotification>()
        .to_value();
    let defs = generator.take_definitions(true);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "codex-sdk app server protocol",
        "roots": {
            "RequestId": id,
            "JsonRpcErrorObject": error,
            "ClientRequest": requests(&client, &id),
            "ClientResponses": responses(&client),
            "ServerRequest": requests(&server, &id),
            "ServerResponses": responses(&server),
            "ServerNotification": notification,
            "ClientRequestV2": requests(&client_v2, &id),
            "ClientResponsesV2": responses(&client_v2),
            "ServerRequestV2": requests(&server_v2, &id),
            "ServerResponsesV2": responses(&server_v2),
            "ServerNotificationV2": notification_v2,
        },
        "$defs": defs,
    })
}

/// `oneOf` the request shapes, one per method.
fn requests(methods: &MethodSchemas, id: &Value) -> Value {
    let variants: Vec<Value> = methods
        .iter()
        .map(|(method, _, params, _)| {
            let mut properties = Map::new();
            properties.insert("id".into(), id.clone());
            properties.insert("method".into(), json!({"type": "string", "const": method}));
            let mut required = vec![json!("id"), json!("method")];
            if let Some(params) = params {
                properties.insert("params".into(), params.clone().to_value());
                required.push(json!("params"));
            }
            json!({
                "type": "object",
                "title": method,
                "properties": properties,
                "required": required,
            })
        })
        .collect();
    json!({ "oneOf": variants })
}

/// The response type of each method, by method name.
fn responses(methods: &MethodSchemas) -> Value {
    let map: Map<String, Value> = methods
        .iter()
        .map(|(method, _, _, response)| ((*method).to_owned(), response.clone().to_value()))
        .collect();
    Value::Object(map)
}
