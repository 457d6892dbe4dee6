//! What deletions return: [`Deleted`] for one, [`BatchReport`] (with its
//! [`FailedItem`]s) for a batch, and the [`Progress`] a batch reports.
//!
//! All are frozen snapshots: they copy the Rust values once and never change.

use idv_delete_blocking as blocking;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors;
use crate::repr::py_repr;

/// A deletion that happened: the vendor no longer holds the transaction.
///
/// ``confirmed_by`` is ``"response"`` (the vendor answered 2xx with its own
/// answer) or ``"absence"`` (a 404 after an earlier attempt of the same
/// deletion may have been applied: absent after an uncertain attempt, so
/// erased by it or never present at that endpoint). ``audits`` are the audit ids
/// HyperVerge reported deleted (empty for Jumio); ``vendor_message`` the
/// vendor's message, if any; ``attempts`` the requests sent, retries included.
#[pyclass(frozen, module = "idv_delete")]
pub struct Deleted(pub(crate) blocking::Deleted);

#[pymethods]
impl Deleted {
    /// Audit ids the vendor reported deleted (HyperVerge), as a tuple.
    #[getter]
    fn audits<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.audits)
    }

    /// The vendor's message, bounded and control-free, or ``None``.
    #[getter]
    fn vendor_message(&self) -> Option<&str> {
        self.0.vendor_message.as_deref()
    }

    /// ``"response"`` or ``"absence"``: how the deletion was confirmed.
    #[getter]
    fn confirmed_by(&self) -> &'static str {
        self.0.confirmed_by.as_str()
    }

    /// Requests sent, including the confirming one.
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Deleted(confirmed_by={}, attempts={}, audits={}, vendor_message={})",
            py_repr(py, self.confirmed_by())?,
            self.0.attempts,
            self.audits(py)?.repr()?,
            py_repr(py, self.vendor_message())?,
        ))
    }
}

/// Counts so far of a running batch, given to its progress callback.
///
/// ``done`` items finished in this run (``deleted`` + ``not_found`` +
/// ``failed``), ``in_flight`` being deleted now, ``skipped`` because the
/// journal already has their outcome.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct Progress {
    /// Items finished in this run.
    done: u64,
    /// Items deleted (confirmed by response or absence).
    deleted: u64,
    /// Items the vendor does not hold.
    not_found: u64,
    /// Items that failed.
    failed: u64,
    /// Items being deleted right now.
    in_flight: u64,
    /// Items skipped because the journal has their outcome.
    skipped: u64,
}

impl From<&blocking::Progress> for Progress {
    fn from(p: &blocking::Progress) -> Progress {
        Progress {
            done: p.done,
            deleted: p.deleted,
            not_found: p.not_found,
            failed: p.failed,
            in_flight: p.in_flight,
            skipped: p.skipped,
        }
    }
}

#[pymethods]
impl Progress {
    fn __repr__(&self) -> String {
        format!(
            "Progress(done={}, deleted={}, not_found={}, failed={}, in_flight={}, skipped={})",
            self.done, self.deleted, self.not_found, self.failed, self.in_flight, self.skipped
        )
    }
}

/// A failed item of a batch: its position in the input (from 0), its
/// reference, and the exception (an ``idv_delete.Error``) it failed with.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct FailedItem {
    /// Position in the input, from 0.
    position: u64,
    /// The reference or transaction id.
    reference: String,
    /// Why it failed: an ``idv_delete.Error`` instance (not raised).
    error: Py<PyAny>,
}

#[pymethods]
impl FailedItem {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "FailedItem(position={}, reference={}, error={})",
            self.position,
            py_repr(py, &self.reference)?,
            self.error.bind(py).repr()?
        ))
    }
}

/// What a batch did.
///
/// Every item finished in this run is counted once: ``deleted`` (by
/// ``deleted_by_response`` or ``deleted_by_absence``), ``not_found`` or in
/// ``failed`` (a dict from error kind to count). ``failures`` keeps the first
/// 1,000 failed items. ``in_doubt`` counts failed items whose attempt may
/// have deleted them (a timeout or reset after sending, a 500, 502 or 504, a
/// 2xx that is no proof): run the batch again with the same journal, where
/// a 404 then counts as deleted by absence (erased by that attempt, or never
/// present at that endpoint).
#[pyclass(frozen, module = "idv_delete")]
pub struct BatchReport {
    report: blocking::BatchReport,
    failures: Py<PyTuple>,
}

impl BatchReport {
    /// Converts a Rust report, turning each failure into its exception.
    pub(crate) fn new(py: Python<'_>, mut report: blocking::BatchReport) -> PyResult<BatchReport> {
        let failures = std::mem::take(&mut report.failures)
            .into_iter()
            .map(|item| {
                let failed = FailedItem {
                    position: item.position,
                    reference: item.intent.reference().to_owned(),
                    error: errors::exception(py, &item.error)?.unbind(),
                };
                Py::new(py, failed)
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(BatchReport {
            report,
            failures: PyTuple::new(py, failures)?.unbind(),
        })
    }
}

#[pymethods]
impl BatchReport {
    /// Items deleted, by response or by absence.
    #[getter]
    fn deleted(&self) -> u64 {
        self.report.deleted()
    }

    /// Items deleted, confirmed by a 2xx answer.
    #[getter]
    fn deleted_by_response(&self) -> u64 {
        self.report.deleted_by_response
    }

    /// Items deleted, confirmed by a 404 after an attempt that may have
    /// been applied (including in-doubt items of a resumed journal).
    #[getter]
    fn deleted_by_absence(&self) -> u64 {
        self.report.deleted_by_absence
    }

    /// Items the vendor does not hold (never counted as deleted).
    #[getter]
    fn not_found(&self) -> u64 {
        self.report.not_found
    }

    /// Failed items by error kind (``"not_found"`` is never here).
    #[getter]
    fn failed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let failed = PyDict::new(py);
        for (kind, count) in &self.report.failed {
            failed.set_item(kind.as_str(), count)?;
        }
        Ok(failed)
    }

    /// Items failed, all kinds.
    #[getter]
    fn failed_total(&self) -> u64 {
        self.report.failed_total()
    }

    /// The first 1,000 failed items, in the order they finished.
    #[getter]
    fn failures<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        self.failures.bind(py).clone()
    }

    /// Failed items beyond those kept in ``failures``.
    #[getter]
    fn failures_omitted(&self) -> u64 {
        self.report.failures_omitted
    }

    /// Failed items whose attempt may have deleted them (a timeout or reset
    /// after sending, a 500, 502 or 504, a 2xx that is no proof): running the
    /// batch again with the same journal confirms them.
    #[getter]
    fn in_doubt(&self) -> u64 {
        self.report.in_doubt
    }

    /// Dry run: items that would have been sent.
    #[getter]
    fn would_delete(&self) -> u64 {
        self.report.would_delete
    }

    /// Items skipped because the journal has their outcome.
    #[getter]
    fn skipped(&self) -> u64 {
        self.report.skipped
    }

    /// In-doubt items of a resumed journal that were run again.
    #[getter]
    fn resumed_in_doubt(&self) -> u64 {
        self.report.resumed_in_doubt
    }

    /// Requests sent, retries included.
    #[getter]
    fn attempts(&self) -> u64 {
        self.report.attempts
    }

    /// Items finished in this run.
    #[getter]
    fn done(&self) -> u64 {
        self.report.done()
    }

    /// Wall time of the batch, in seconds.
    #[getter]
    fn elapsed(&self) -> f64 {
        self.report.elapsed.as_secs_f64()
    }

    /// True for a dry run (nothing was sent).
    #[getter]
    fn dry_run(&self) -> bool {
        self.report.dry_run
    }

    /// True when the batch stopped before the input ended.
    #[getter]
    fn cancelled(&self) -> bool {
        self.report.cancelled
    }

    /// True when every item finished in this run was deleted or not found.
    #[getter]
    fn all_succeeded(&self) -> bool {
        self.report.all_succeeded()
    }

    /// Things to know about the journal (a torn last line cut away, an
    /// input shorter than the journal).
    #[getter]
    fn journal_notes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.report.journal_notes)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.report;
        Ok(format!(
            "BatchReport(deleted={}, not_found={}, failed={}, in_doubt={}, skipped={}, attempts={}, elapsed={:.3}, cancelled={})",
            r.deleted(),
            r.not_found,
            self.failed(py)?.repr()?,
            r.in_doubt,
            r.skipped,
            r.attempts,
            r.elapsed.as_secs_f64(),
            if r.cancelled { "True" } else { "False" },
        ))
    }
}
