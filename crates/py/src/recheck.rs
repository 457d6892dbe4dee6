//! `recheck_journal` of the clients that erase later, and the
//! [`RecheckReport`] it returns: Rust's
//! [`Client::recheck_journal`](idv_delete_blocking::Client::recheck_journal)
//! run with the GIL released, on a worker thread so that Ctrl-C and the
//! caller's `threading.Event` stop it between two reads (see `interrupt`).

use std::path::PathBuf;

use idv_delete_blocking::{self as blocking, CancelToken, Client};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};

use crate::errors;
use crate::interrupt;
use crate::outcome::FailedItem;
use crate::value::{hash_of, reduce, Reduced};

/// What ``recheck_journal`` learnt, as Rust's ``RecheckReport``.
///
/// Of the ``scheduled`` items the journal held: ``deleted`` the vendor now
/// shows erased (journaled as deleted, ``confirmed_by == "recheck"``),
/// ``still_scheduled`` it completes later (journaled again, with its new
/// date or state), ``not_offered`` whose vendor offers no read (Veriff:
/// still scheduled, nothing journaled), and ``failures`` whose read failed
/// (nothing journaled: run the recheck again later). ``run`` is the
/// recheck's run number in the journal; ``cancelled`` is true when it
/// stopped before asking about every item (the rest stay scheduled).
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct RecheckReport {
    /// Scheduled items in the journal.
    scheduled: u64,
    /// Items the vendor now shows erased (journaled as deleted).
    deleted: u64,
    /// Items the vendor still completes later (journaled as scheduled).
    still_scheduled: u64,
    /// Items whose vendor offers no read (nothing journaled).
    not_offered: u64,
    /// The items whose read failed, as ``FailedItem``s.
    failures: Py<PyTuple>,
    /// The recheck's run number in the journal.
    run: u32,
    /// True when the recheck stopped before asking about every item.
    cancelled: bool,
}

/// What two reports are compared and hashed by (besides `failures`).
type Key = (u64, u64, u64, u64, u32, bool);

impl RecheckReport {
    fn new(py: Python<'_>, report: blocking::RecheckReport) -> PyResult<RecheckReport> {
        Ok(RecheckReport {
            scheduled: report.scheduled,
            deleted: report.deleted,
            still_scheduled: report.still_scheduled,
            not_offered: report.not_offered,
            failures: FailedItem::tuple(py, report.failures)?,
            run: report.run,
            cancelled: report.cancelled,
        })
    }

    fn key(&self) -> Key {
        (
            self.scheduled,
            self.deleted,
            self.still_scheduled,
            self.not_offered,
            self.run,
            self.cancelled,
        )
    }
}

#[pymethods]
impl RecheckReport {
    fn __eq__(&self, py: Python<'_>, other: &Self) -> PyResult<bool> {
        Ok(self.key() == other.key() && self.failures.bind(py).eq(other.failures.bind(py))?)
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.key())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let this = slf.get();
        let fields = (this.key(), this.failures.clone_ref(slf.py()));
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``RecheckReport``.
    #[classmethod]
    #[pyo3(name = "_restore")]
    fn restore(
        _cls: &Bound<'_, PyType>,
        key: Key,
        failures: Bound<'_, PyTuple>,
    ) -> PyResult<RecheckReport> {
        if let Some(item) = failures.iter().find(|f| !f.is_instance_of::<FailedItem>()) {
            return Err(PyValueError::new_err(format!(
                "a RecheckReport's failures are FailedItem objects, not {}",
                item.get_type().name()?
            )));
        }
        let (scheduled, deleted, still_scheduled, not_offered, run, cancelled) = key;
        Ok(RecheckReport {
            scheduled,
            deleted,
            still_scheduled,
            not_offered,
            failures: failures.unbind(),
            run,
            cancelled,
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "RecheckReport(run={}, scheduled={}, deleted={}, still_scheduled={}, not_offered={}, failures={}, cancelled={})",
            self.run,
            self.scheduled,
            self.deleted,
            self.still_scheduled,
            self.not_offered,
            self.failures.bind(py).repr()?,
            if self.cancelled { "True" } else { "False" },
        ))
    }
}

/// Rechecks the journal at `journal` with `client` (see the method's
/// docstring in `client`): on a worker thread, the GIL released, Ctrl-C
/// and `cancel` (an object with `is_set()`, such as a `threading.Event`)
/// watched every 50 ms. Ctrl-C raises `KeyboardInterrupt` with the partial
/// report as its `report` attribute, as `delete_many` does; `cancel` set
/// ends the recheck with `cancelled` true and no exception.
pub(crate) fn recheck_journal(
    py: Python<'_>,
    client: &Client,
    journal: PathBuf,
    cancel: Option<Bound<'_, PyAny>>,
) -> PyResult<Py<RecheckReport>> {
    let mut set = interrupt::event_watcher(cancel.as_ref())?;
    let token = CancelToken::new();
    if set(py)? {
        token.cancel();
    }
    let (result, interrupt) =
        interrupt::run_watching(py, &token, set, || client.recheck_journal(&journal, &token));
    if let Some(interrupt) = interrupt {
        let report = match result {
            Ok(report) => Some(Py::new(py, RecheckReport::new(py, report)?)?),
            Err(_) => None,
        };
        interrupt.value(py).setattr("report", report)?;
        return Err(interrupt);
    }
    let report = result.map_err(|e| errors::batch_to_py(py, e))?;
    Py::new(py, RecheckReport::new(py, report)?)
}
