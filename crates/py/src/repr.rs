//! Python-style `repr` of values inside our own `__repr__`s.

use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

/// `repr(value)` as Python would write it (quotes, escapes, `None`).
pub(crate) fn py_repr<'py, T>(py: Python<'py>, value: T) -> PyResult<String>
where
    T: IntoPyObject<'py>,
{
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}
