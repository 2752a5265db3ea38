//! Events and other protocol values on their way to Python.
//!
//! Protocol values cross the boundary in their serde form. Batches of events cross as one JSON text, which
//! the package parses with `json.loads` and turns into the generated dataclasses (`codex_sdk._types`);
//! measured against building the dicts in Rust with [`JsonValue`], JSON was about twice as fast
//! (0.7 µs vs 1.4 µs per event from Rust values to Python dicts).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use serde_json::Value;

use crate::error::BindingError;

/// Serializes a protocol value as JSON text.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, BindingError> {
    serde_json::to_string(value)
        .map_err(|e| BindingError::internal(format!("cannot serialize for Python: {e}")))
}

/// Parses a protocol value from the JSON text a Python host sent.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, BindingError> {
    serde_json::from_str(text).map_err(|e| {
        BindingError::Core(codex_sdk::Error::InvalidInput(format!(
            "invalid {what}: {e}"
        )))
    })
}

/// A JSON value converted to plain Python objects (dict, list, str, int, float, bool, None) when it
/// crosses into Python.
pub(crate) struct JsonValue(pub(crate) Value);

impl<'py> IntoPyObject<'py> for JsonValue {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    const OUTPUT_TYPE: pyo3::inspect::PyStaticExpr = pyo3::type_hint_identifier!("typing", "Any");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        value_to_py(py, &self.0)
    }
}

fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, value_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}
