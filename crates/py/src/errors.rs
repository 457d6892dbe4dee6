//! Rust errors to Python exceptions.
//!
//! The exception classes live in `idv_delete/_errors.py` (two of them must
//! also be `ValueError`s, which pyo3 cannot create safely); this module only
//! hands each error's fields to `_errors._from_native`, which holds the one
//! table from kind name to class.

use idv_delete_blocking::{BatchError, DeleteError, ErrorKind, JournalError};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JOURNAL_TAMPERED: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception object for `error`, not raised (batch reports keep
/// one per failed item).
pub(crate) fn exception<'py>(py: Python<'py>, error: &DeleteError) -> PyResult<Bound<'py, PyAny>> {
    build(
        py,
        error.kind().as_str(),
        &error.to_string(),
        Fields {
            status: error.status(),
            vendor_message: error.vendor_message(),
            retry_after: error.retry_after().map(|d| d.as_secs_f64()),
            attempts: error.attempts(),
            in_doubt: error.in_doubt(),
        },
    )
}

/// The exception for `error` that a driver hands back to the core: the
/// error of a token request, given to `DeleteOp.token_failed`. It carries
/// the Rust error itself in its `_native` attribute (dropped by pickling),
/// so the op retries it exactly as Rust would: after its `Retry-After`,
/// with its status and vendor message intact.
pub(crate) fn exception_for_core<'py>(
    py: Python<'py>,
    error: &DeleteError,
) -> PyResult<Bound<'py, PyAny>> {
    let exception = exception(py, error)?;
    exception.setattr("_native", NativeError(error.clone()))?;
    Ok(exception)
}

/// The Rust error behind an `idv_delete.Error` given back by a driver: the
/// one it carries (see [`exception_for_core`]), or one rebuilt from its
/// kind and message (an exception built or unpickled by the caller).
pub(crate) fn from_py(error: &Bound<'_, PyAny>) -> PyResult<DeleteError> {
    if let Ok(native) = error.getattr("_native") {
        if let Ok(native) = native.cast::<NativeError>() {
            return Ok(native.get().0.clone());
        }
    }
    let kind = error
        .getattr("kind")
        .ok()
        .and_then(|kind| kind.extract::<String>().ok())
        .and_then(|kind| ErrorKind::from_name(&kind));
    match kind {
        Some(kind) if error.is_instance_of::<pyo3::exceptions::PyException>() => {
            Ok(DeleteError::new(kind, error.str()?.to_string()))
        }
        _ => Err(PyTypeError::new_err(format!(
            "expected an idv_delete.Error (the one TokenState returned), got {}",
            error.get_type().name()?
        ))),
    }
}

/// The Rust error an exception for the core carries. Private: only
/// [`from_py`] reads it.
#[pyclass(frozen, name = "_DeleteError", module = "idv_delete._native")]
pub(crate) struct NativeError(DeleteError);

#[pymethods]
impl NativeError {
    /// The error's message, which never holds a secret.
    fn __repr__(&self) -> String {
        format!("_DeleteError({:?})", self.0.to_string())
    }
}

/// `error` as a raisable `PyErr` of its kind's class.
pub(crate) fn to_py(py: Python<'_>, error: DeleteError) -> PyErr {
    exception(py, &error).map_or_else(|failed| failed, PyErr::from_value)
}

/// A batch-level failure: bad options are an `InvalidConfigError`, a
/// journal whose hash chain breaks a `JournalTampered` (a `JournalError`
/// with the file's `path` and the first bad `line`), anything else about
/// the journal a `JournalError`.
pub(crate) fn batch_to_py(py: Python<'_>, error: BatchError) -> PyErr {
    if let BatchError::Journal(JournalError::Tampered { path, line }) = &error {
        return tampered(py, &error.to_string(), path, *line);
    }
    let kind = match error {
        BatchError::InvalidOptions(_) => "invalid_config",
        _ => "journal",
    };
    build(py, kind, &error.to_string(), Fields::default())
        .map_or_else(|failed| failed, PyErr::from_value)
}

/// A journal that cannot be read whole (tampered, corrupt, unreadable),
/// from `read_journal(..., strict=True)`: a `JournalError` (a
/// `JournalTampered` for a broken hash chain) whose message names the
/// journal and its first bad line.
pub(crate) fn journal_to_py(py: Python<'_>, error: &JournalError) -> PyErr {
    if let JournalError::Tampered { path, line } = error {
        return tampered(py, &error.to_string(), path, *line);
    }
    build(py, "journal", &error.to_string(), Fields::default())
        .map_or_else(|failed| failed, PyErr::from_value)
}

/// A `JournalTampered` naming the journal and its first bad line.
fn tampered(py: Python<'_>, message: &str, path: &std::path::Path, line: u64) -> PyErr {
    JOURNAL_TAMPERED
        .import(py, "idv_delete._errors", "_journal_tampered")
        .and_then(|build| build.call1((message, path.display().to_string(), line)))
        .map_or_else(|failed| failed, PyErr::from_value)
}

/// An error of the emulator's API (bad seed or faults) or of its start.
pub(crate) fn emulator_to_py(error: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(error.to_string())
}

#[derive(Default)]
struct Fields<'a> {
    status: Option<u16>,
    vendor_message: Option<&'a str>,
    retry_after: Option<f64>,
    attempts: u32,
    in_doubt: bool,
}

fn build<'py>(
    py: Python<'py>,
    kind: &str,
    message: &str,
    fields: Fields<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let from_native = FROM_NATIVE.import(py, "idv_delete._errors", "_from_native")?;
    from_native.call1((
        kind,
        message,
        fields.status,
        fields.vendor_message,
        fields.retry_after,
        fields.attempts,
        fields.in_doubt,
    ))
}
