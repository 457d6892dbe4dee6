//! Value semantics of the frozen result classes: they compare and hash by
//! value, and they pickle, so a `multiprocessing` worker can return a
//! `Deleted` or a `BatchReport` to its parent.
//!
//! Each class pickles as `(cls._restore, fields)`: `_restore` is a private
//! classmethod that rebuilds the snapshot from plain Python values and
//! checks the closed sets (a `confirmed_by`, an error kind) on the way in.
//! A classmethod, not a public constructor, because a result is made by a
//! deletion: users never build one, and a report's counts must stay the
//! runner's. Pickle finds `_restore` through the class, which the package
//! exports under its `module` name (`idv_delete` or `idv_delete.testing`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::PyClass;

/// What `__reduce__` returns: the class's `_restore` and its arguments.
pub(crate) type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

/// `(type(obj)._restore, args)`, the pickle recipe of `obj`.
pub(crate) fn reduce<'py, T, A>(obj: &Bound<'py, T>, args: A) -> PyResult<Reduced<'py>>
where
    T: PyClass,
    A: IntoPyObject<'py, Target = PyTuple, Output = Bound<'py, PyTuple>, Error = PyErr>,
{
    let restore = obj.as_any().get_type().getattr("_restore")?;
    Ok((restore, args.into_pyobject(obj.py())?))
}

/// A hash of `value` for `__hash__`; equal values hash equally within a
/// process, which is all Python asks of it.
pub(crate) fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Whether two exceptions are the same value: same class, same `args` and
/// the same attributes (`status`, `attempts`...). Exceptions compare by
/// identity in Python, and a pickled copy is another object, so a
/// `FailedItem` compares its error this way rather than with `==`.
pub(crate) fn same_exception(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(a.get_type().is(b.get_type())
        && a.getattr("args")?.eq(b.getattr("args")?)?
        && a.getattr("__dict__")?.eq(b.getattr("__dict__")?)?)
}
