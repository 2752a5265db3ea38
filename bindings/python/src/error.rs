//! Errors: the one place that maps [`codex_sdk::Error`] onto the Python exception hierarchy.
//!
//! Each [`ErrorCode`] has one exception class in `codex_sdk.errors` (generated from the protocol schema),
//! all subclasses of `CodexError`. The exception carries the code and the message; when the Rust error has
//! a source chain, it becomes the exception's `__cause__` (a `codex_sdk.errors.RustError`).

use std::error::Error as _;

use codex_sdk::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// An error on its way to Python: from the core, or already a Python exception (a failed conversion, an
/// exception raised by a host callback).
#[derive(Debug)]
pub(crate) enum BindingError {
    /// An error of the core.
    Core(Error),
    /// A Python exception.
    Python(PyErr),
}

impl BindingError {
    /// A bug or an unexpected state in the binding, reported as the core's `internal` code.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Core(Error::Internal(message.into()))
    }

    /// The Python exception (needs the interpreter, to look the class up).
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Core(err) => core_error_to_py(py, &err),
            Self::Python(err) => err,
        }
    }
}

impl From<Error> for BindingError {
    fn from(err: Error) -> Self {
        Self::Core(err)
    }
}

impl From<PyErr> for BindingError {
    fn from(err: PyErr) -> Self {
        Self::Python(err)
    }
}

impl From<serde_json::Error> for BindingError {
    fn from(err: serde_json::Error) -> Self {
        Self::Core(Error::InvalidInput(err.to_string()))
    }
}

/// Converts a core error to its exception, keeping the code and the source chain.
pub(crate) fn core_error_to_py(py: Python<'_>, err: &Error) -> PyErr {
    build_exception(py, err.code(), &err.to_string(), &source_chain(err))
        .unwrap_or_else(|lookup_failed| lookup_failed)
}

/// Converts a core result for a synchronous method.
pub(crate) fn to_py<T>(py: Python<'_>, result: Result<T, Error>) -> PyResult<T> {
    result.map_err(|e| core_error_to_py(py, &e))
}

fn source_chain(err: &Error) -> Vec<String> {
    let mut chain = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    chain
}

fn build_exception(
    py: Python<'_>,
    code: ErrorCode,
    message: &str,
    chain: &[String],
) -> Result<PyErr, PyErr> {
    static FROM_CODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let from_code = FROM_CODE.import(py, "codex_sdk.errors", "_from_native")?;
    let kwargs = PyDict::new(py);
    if !chain.is_empty() {
        kwargs.set_item("chain", chain.to_vec())?;
    }
    let exception = from_code.call((code.as_str(), message), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}
