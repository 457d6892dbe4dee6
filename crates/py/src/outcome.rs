//! What deletions return: [`Deleted`] or [`Scheduled`] for one (see
//! [`Erasure`]), [`BatchReport`] (with its [`FailedItem`]s) for a batch, and
//! the [`Progress`] a batch reports.
//!
//! All are frozen snapshots: they copy the Rust values once and never
//! change, so they compare and hash by value and pickle (see `value`).

use std::time::Duration;

use idv_delete_blocking::{self as blocking, ConfirmedBy, ErrorKind};
use pyo3::exceptions::{PyBaseException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::errors;
use crate::repr::py_repr;
use crate::value::{hash_of, reduce, same_exception, Reduced};

/// A deletion that happened: the vendor no longer holds the transaction.
///
/// ``confirmed_by`` is ``"response"`` (the vendor answered 2xx with its own
/// answer), ``"absence"`` (a 404 after an earlier attempt of the same
/// deletion may have been applied: absent after an uncertain attempt, so
/// erased by it or never present at that endpoint) or ``"recheck"`` (a later
/// read of the vendor showed a ``Scheduled`` erasure completed). ``audits`` are the audit ids
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

    /// ``"response"``, ``"absence"`` or ``"recheck"``: how the deletion was
    /// confirmed.
    #[getter]
    fn confirmed_by(&self) -> &'static str {
        self.0.confirmed_by.as_str()
    }

    /// Requests sent, including the confirming one.
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    fn __hash__(&self) -> u64 {
        let d = &self.0;
        hash_of(&(&d.audits, &d.vendor_message, d.confirmed_by, d.attempts))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let d = &slf.get().0;
        let audits = PyTuple::new(slf.py(), &d.audits)?;
        let fields = (
            audits,
            d.vendor_message.clone(),
            d.confirmed_by.as_str(),
            d.attempts,
        );
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``Deleted``.
    #[classmethod]
    #[pyo3(name = "_restore")]
    fn restore(
        _cls: &Bound<'_, PyType>,
        audits: Vec<String>,
        vendor_message: Option<String>,
        confirmed_by: &str,
        attempts: u32,
    ) -> PyResult<Deleted> {
        let confirmed_by = ConfirmedBy::from_name(confirmed_by).ok_or_else(|| {
            PyValueError::new_err(format!(
                "confirmed_by must be \"response\", \"absence\" or \"recheck\", not {confirmed_by:?}"
            ))
        })?;
        Ok(Deleted(blocking::Deleted {
            audits,
            vendor_message,
            confirmed_by,
            attempts,
            evidence: None,
        }))
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

/// An erasure the vendor accepted and completes later: never a deletion.
///
/// Onfido archives an applicant and hard-deletes it after the account's
/// deletion delay, Stripe redacts a session within four days, Veriff
/// deletes a session's data within 12 hours, Persona redacts an inquiry's
/// child objects asynchronously. A single deletion returns ``Deleted`` or
/// ``Scheduled``: tell them apart with ``isinstance(result,
/// idv_delete.Scheduled)``, and never count a ``Scheduled`` as deleted.
///
/// ``completes`` says in one sentence what the vendor does and when;
/// ``within`` is the longest the vendor documents, in seconds (``None`` if
/// it documents none); ``until`` the vendor's own date for it, as it wrote
/// it (Onfido's ``delete_at``), or ``None``; ``vendor_status`` the vendor's
/// state of the erasure (Stripe's ``"processing"``), or ``None``;
/// ``vendor_message`` the vendor's message, if any; ``attempts`` the
/// requests sent, retries included.
#[pyclass(frozen, module = "idv_delete")]
pub struct Scheduled(pub(crate) blocking::Scheduled);

/// `within` as pickled: whole seconds and nanoseconds, so the copy is exact.
type Exact = Option<(u64, u32)>;

#[pymethods]
impl Scheduled {
    /// What the vendor does and when, in one sentence.
    #[getter]
    fn completes(&self) -> &str {
        &self.0.completes
    }

    /// The longest the vendor documents for completing the erasure, in
    /// seconds, or ``None`` if it documents none.
    #[getter]
    fn within(&self) -> Option<f64> {
        self.0.within.map(|d| d.as_secs_f64())
    }

    /// The vendor's own date for the completion, as it wrote it, or ``None``.
    #[getter]
    fn until(&self) -> Option<&str> {
        self.0.until.as_deref()
    }

    /// The vendor's own state of the erasure (Stripe's ``"processing"``),
    /// or ``None``.
    #[getter]
    fn vendor_status(&self) -> Option<&str> {
        self.0.vendor_status.as_deref()
    }

    /// The vendor's message, bounded and control-free, or ``None``.
    #[getter]
    fn vendor_message(&self) -> Option<&str> {
        self.0.vendor_message.as_deref()
    }

    /// Requests sent, including the accepted one.
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    fn __hash__(&self) -> u64 {
        let s = &self.0;
        hash_of(&(
            &s.completes,
            s.within,
            &s.until,
            &s.vendor_status,
            &s.vendor_message,
            s.attempts,
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let s = &slf.get().0;
        let within: Exact = s.within.map(|d| (d.as_secs(), d.subsec_nanos()));
        let fields = (
            s.completes.clone(),
            within,
            s.until.clone(),
            s.vendor_status.clone(),
            s.vendor_message.clone(),
            s.attempts,
        );
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``Scheduled``.
    #[classmethod]
    #[pyo3(name = "_restore")]
    fn restore(
        _cls: &Bound<'_, PyType>,
        completes: String,
        within: Exact,
        until: Option<String>,
        vendor_status: Option<String>,
        vendor_message: Option<String>,
        attempts: u32,
    ) -> PyResult<Scheduled> {
        let within = within
            .map(|(secs, nanos)| {
                // `Duration::new` would carry nanoseconds over into the
                // seconds (and panic on overflow): a pickle of ours never
                // has a billion or more.
                (nanos < 1_000_000_000)
                    .then(|| Duration::new(secs, nanos))
                    .ok_or_else(|| {
                        PyValueError::new_err(format!(
                            "within's nanoseconds must be below 1000000000, not {nanos}"
                        ))
                    })
            })
            .transpose()?;
        Ok(Scheduled(blocking::Scheduled {
            completes,
            within,
            until,
            vendor_status,
            vendor_message,
            attempts,
            evidence: None,
        }))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Scheduled(completes={}, within={}, until={}, vendor_status={}, vendor_message={}, attempts={})",
            py_repr(py, self.completes())?,
            py_repr(py, self.within())?,
            py_repr(py, self.until())?,
            py_repr(py, self.vendor_status())?,
            py_repr(py, self.vendor_message())?,
            self.0.attempts,
        ))
    }
}

/// What a single deletion returns to Python: a new ``Deleted`` or
/// ``Scheduled`` object, the Rust [`blocking::Erasure`] it copies.
#[derive(IntoPyObject)]
pub(crate) enum Erasure {
    Deleted(Deleted),
    Scheduled(Scheduled),
}

impl From<blocking::Erasure> for Erasure {
    fn from(erasure: blocking::Erasure) -> Erasure {
        match erasure {
            blocking::Erasure::Deleted(deleted) => Erasure::Deleted(Deleted(deleted)),
            blocking::Erasure::Scheduled(scheduled) => Erasure::Scheduled(Scheduled(scheduled)),
        }
    }
}

/// Counts so far of a running batch, given to its progress callback.
///
/// ``done`` items finished in this run (``deleted`` + ``scheduled`` +
/// ``not_found`` + ``failed``), ``in_flight`` being deleted now, ``skipped``
/// because the journal already has their outcome. ``scheduled`` items the
/// vendor completes later are never counted in ``deleted``.
#[pyclass(frozen, eq, hash, get_all, module = "idv_delete")]
#[derive(PartialEq, Eq, Hash)]
pub struct Progress {
    /// Items finished in this run.
    done: u64,
    /// Items deleted (confirmed by response or absence).
    deleted: u64,
    /// Items the vendor accepted to erase later (never in ``deleted``).
    scheduled: u64,
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
            scheduled: p.scheduled,
            not_found: p.not_found,
            failed: p.failed,
            in_flight: p.in_flight,
            skipped: p.skipped,
        }
    }
}

#[pymethods]
impl Progress {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let p = slf.get();
        let fields = (
            p.done,
            p.deleted,
            p.scheduled,
            p.not_found,
            p.failed,
            p.in_flight,
            p.skipped,
        );
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``Progress``.
    #[classmethod]
    #[pyo3(name = "_restore")]
    #[allow(clippy::too_many_arguments)] // one per pickled field
    fn restore(
        _cls: &Bound<'_, PyType>,
        done: u64,
        deleted: u64,
        scheduled: u64,
        not_found: u64,
        failed: u64,
        in_flight: u64,
        skipped: u64,
    ) -> Progress {
        Progress {
            done,
            deleted,
            scheduled,
            not_found,
            failed,
            in_flight,
            skipped,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Progress(done={}, deleted={}, scheduled={}, not_found={}, failed={}, in_flight={}, skipped={})",
            self.done,
            self.deleted,
            self.scheduled,
            self.not_found,
            self.failed,
            self.in_flight,
            self.skipped
        )
    }
}

/// A failed item of a batch or a recheck: its position in the input (from
/// 0), its reference, its data subject's key (``None`` when it has none),
/// and the exception (an ``idv_delete.Error``) it failed with.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct FailedItem {
    /// Position in the input, from 0.
    position: u64,
    /// The reference or transaction id.
    reference: String,
    /// The data subject's key the item was given, or ``None``.
    subject: Option<String>,
    /// Why it failed: an ``idv_delete.Error`` instance (not raised).
    error: Py<PyAny>,
}

impl FailedItem {
    /// Rust's failed items as a tuple of `FailedItem`s, each error turned
    /// into its exception (not raised).
    pub(crate) fn tuple(py: Python<'_>, items: Vec<blocking::FailedItem>) -> PyResult<Py<PyTuple>> {
        let items = items
            .into_iter()
            .map(|item| {
                let failed = FailedItem {
                    position: item.position,
                    reference: item.intent.reference().to_owned(),
                    subject: item.intent.subject().map(str::to_owned),
                    error: errors::exception(py, &item.error)?.unbind(),
                };
                Py::new(py, failed)
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(py, items)?.unbind())
    }
}

#[pymethods]
impl FailedItem {
    /// Equal when position, reference, subject and the error's class,
    /// message and attributes are (the error is compared by value, see
    /// `value`).
    fn __eq__(&self, py: Python<'_>, other: &Self) -> PyResult<bool> {
        Ok(self.position == other.position
            && self.reference == other.reference
            && self.subject == other.subject
            && same_exception(self.error.bind(py), other.error.bind(py))?)
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(self.position, &self.reference, &self.subject))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let f = slf.get();
        let fields = (
            f.position,
            f.reference.clone(),
            f.error.clone_ref(slf.py()),
            f.subject.clone(),
        );
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``FailedItem`` (the subject last and optional, so
    /// a pickle made before subjects existed still loads).
    #[classmethod]
    #[pyo3(name = "_restore", signature = (position, reference, error, subject = None))]
    fn restore(
        _cls: &Bound<'_, PyType>,
        position: u64,
        reference: String,
        error: Bound<'_, PyBaseException>,
        subject: Option<String>,
    ) -> FailedItem {
        FailedItem {
            position,
            reference,
            subject,
            error: error.into_any().unbind(),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "FailedItem(position={}, reference={}, subject={}, error={})",
            self.position,
            py_repr(py, &self.reference)?,
            py_repr(py, &self.subject)?,
            self.error.bind(py).repr()?
        ))
    }
}

/// What a batch did.
///
/// Every item finished in this run is counted once: ``deleted`` (by
/// ``deleted_by_response`` or ``deleted_by_absence``), ``scheduled`` (the
/// vendor completes the erasure later: never counted as deleted),
/// ``not_found`` or in ``failed`` (a dict from error kind to count). ``failures`` keeps the first
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
        let failures = FailedItem::tuple(py, std::mem::take(&mut report.failures))?;
        Ok(BatchReport { report, failures })
    }
}

/// A report's counts, in the order `__reduce__` and `_restore` use.
type Counts = [u64; 14];

/// What two reports are compared and hashed by (besides `failures`).
type Key<'a> = (
    Counts,
    &'a std::collections::BTreeMap<ErrorKind, u64>,
    Duration,
    bool,
    bool,
    &'a [String],
    Option<WindowFullState>,
    Option<&'a str>,
);

/// A report's window-full state as pickled: the vendor's name, the
/// window's count and span in seconds, and when it frees up in
/// milliseconds since the Unix epoch.
type WindowFullState = (&'static str, u32, u64, u64);

fn window_full_state(full: &blocking::WindowFull) -> WindowFullState {
    let until = full
        .until
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    (
        full.vendor.as_str(),
        full.window.count,
        u64::try_from(full.window.span.as_millis()).unwrap_or(u64::MAX),
        until,
    )
}

impl BatchReport {
    fn counts(&self) -> Counts {
        let r = &self.report;
        [
            r.deleted_by_response,
            r.deleted_by_absence,
            r.scheduled,
            r.not_found,
            r.in_doubt,
            r.would_delete,
            r.skipped,
            r.resumed_in_doubt,
            r.attempts,
            r.failures_omitted,
            r.token_requests,
            r.retried_failures,
            r.duplicates,
            u64::from(r.run),
        ]
    }

    /// Every value the report shows but its failures.
    fn key(&self) -> Key<'_> {
        let r = &self.report;
        (
            self.counts(),
            &r.failed,
            r.elapsed,
            r.dry_run,
            r.cancelled,
            &r.journal_notes,
            r.window_full.as_ref().map(window_full_state),
            r.journal_fingerprint.as_deref(),
        )
    }
}

#[pymethods]
impl BatchReport {
    fn __eq__(&self, py: Python<'_>, other: &Self) -> PyResult<bool> {
        Ok(self.key() == other.key() && self.failures.bind(py).eq(other.failures.bind(py))?)
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.key())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let (py, this) = (slf.py(), slf.get());
        let r = &this.report;
        // Nanoseconds, not float seconds: the copy's elapsed is exact.
        let elapsed_ns = u64::try_from(r.elapsed.as_nanos()).unwrap_or(u64::MAX);
        let fields = (
            this.counts(),
            r.failed
                .iter()
                .map(|(kind, count)| (kind.as_str(), *count))
                .collect::<Vec<_>>(),
            elapsed_ns,
            (r.dry_run, r.cancelled),
            PyTuple::new(py, &r.journal_notes)?,
            this.failures.clone_ref(py),
            r.window_full.as_ref().map(window_full_state),
            r.journal_fingerprint.clone(),
        );
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``BatchReport``.
    #[classmethod]
    #[pyo3(name = "_restore", signature = (counts, failed, elapsed_ns, flags, journal_notes, failures, window_full = None, journal_fingerprint = None))]
    #[allow(clippy::too_many_arguments)] // the pickled fields
    fn restore(
        _cls: &Bound<'_, PyType>,
        counts: Vec<u64>,
        failed: Vec<(String, u64)>,
        elapsed_ns: u64,
        flags: (bool, bool),
        journal_notes: Vec<String>,
        failures: Bound<'_, PyTuple>,
        window_full: Option<(String, u32, u64, u64)>,
        journal_fingerprint: Option<String>,
    ) -> PyResult<BatchReport> {
        if let Some(item) = failures.iter().find(|f| !f.is_instance_of::<FailedItem>()) {
            return Err(PyValueError::new_err(format!(
                "a BatchReport's failures are FailedItem objects, not {}",
                item.get_type().name()?
            )));
        }
        let mut report = blocking::BatchReport::default();
        // 11 counts: pickled before `retried_failures`, `duplicates` and
        // `run` were shown; they restore as 0.
        let counts: Counts = match counts.len() {
            11 => {
                let mut all = [0; 14];
                all[..11].copy_from_slice(&counts);
                all
            }
            14 => counts.try_into().unwrap_or([0; 14]),
            n => {
                return Err(PyValueError::new_err(format!(
                    "a BatchReport pickles 14 counts (11 in builds before it showed retried_failures, duplicates and run), not {n}"
                )))
            }
        };
        let run;
        [
            report.deleted_by_response,
            report.deleted_by_absence,
            report.scheduled,
            report.not_found,
            report.in_doubt,
            report.would_delete,
            report.skipped,
            report.resumed_in_doubt,
            report.attempts,
            report.failures_omitted,
            report.token_requests,
            report.retried_failures,
            report.duplicates,
            run,
        ] = counts;
        report.run = u32::try_from(run)
            .map_err(|_| PyValueError::new_err(format!("a run number of {run} is too large")))?;
        for (name, count) in failed {
            let kind = ErrorKind::ALL
                .into_iter()
                .find(|k| k.as_str() == name)
                .ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "{name:?} is not an error kind: see idv_delete.ERROR_KINDS"
                    ))
                })?;
            report.failed.insert(kind, count);
        }
        report.elapsed = Duration::from_nanos(elapsed_ns);
        (report.dry_run, report.cancelled) = flags;
        report.journal_notes = journal_notes;
        report.journal_fingerprint = journal_fingerprint;
        if let Some((vendor, count, span_ms, until_ms)) = window_full {
            let vendor = vendor
                .parse()
                .map_err(|e: blocking::DeleteError| PyValueError::new_err(e.detail().to_owned()))?;
            report.window_full = Some(blocking::WindowFull {
                vendor,
                window: blocking::Window::new(count, Duration::from_millis(span_ms)),
                until: std::time::UNIX_EPOCH + Duration::from_millis(until_ms),
            });
        }
        Ok(BatchReport {
            report,
            failures: failures.unbind(),
        })
    }

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

    /// Items the vendor accepted to erase and completes later (Onfido's
    /// archive, Stripe's ``processing``, Veriff's 12 hours): a success, but
    /// never counted in ``deleted``.
    #[getter]
    fn scheduled(&self) -> u64 {
        self.report.scheduled
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

    /// Failed items of a resumed journal that were run again (failures
    /// not in doubt, sent again as new attempts).
    #[getter]
    fn retried_failures(&self) -> u64 {
        self.report.retried_failures
    }

    /// Items that repeat an earlier item of the input (same vendor,
    /// product, region and reference): not sent, journaled as duplicates;
    /// the first occurrence's outcome is theirs.
    #[getter]
    fn duplicates(&self) -> u64 {
        self.report.duplicates
    }

    /// The run's number in its journal (1 for a new journal); 0 without a
    /// journal or in a dry run.
    #[getter]
    fn run(&self) -> u32 {
        self.report.run
    }

    /// Requests sent, retries included.
    #[getter]
    fn attempts(&self) -> u64 {
        self.report.attempts
    }

    /// Jumio Platform access tokens requested during the batch: one per
    /// token lifetime when all goes well, none when the client already held
    /// a fresh one (always 0 for the other vendors).
    #[getter]
    fn token_requests(&self) -> u64 {
        self.report.token_requests
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

    /// ``None``, or, when the batch stopped because a vendor's request
    /// window was full for longer than 2 minutes (see ``wait_for_windows=``
    /// of ``delete_many``; ``cancelled`` is then true too), a dict:
    /// ``vendor`` (its name, as in ``windows=``), the window's ``count`` and
    /// ``seconds``, and ``until``, a timezone-aware UTC ``datetime`` after
    /// which the same batch with the same journal may run again.
    #[getter]
    fn window_full<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(full) = &self.report.window_full else {
            return Ok(None);
        };
        let (vendor, count, span_ms, until_ms) = window_full_state(full);
        let datetime = py.import("datetime")?;
        let utc = datetime.getattr("timezone")?.getattr("utc")?;
        let until = datetime
            .getattr("datetime")?
            .call_method1("fromtimestamp", (until_ms as f64 / 1000.0, utc))?;
        let dict = PyDict::new(py);
        dict.set_item("vendor", vendor)?;
        dict.set_item("count", count)?;
        dict.set_item("seconds", span_ms as f64 / 1000.0)?;
        dict.set_item("until", until)?;
        Ok(Some(dict))
    }

    /// True when every item finished in this run was deleted, scheduled or
    /// not found (and the batch was not cancelled).
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

    /// The journal's fingerprint after this run (64 hex digits, the chain
    /// value of its last line): store it elsewhere to prove the journal
    /// unchanged later. ``None`` without a journal, in a dry run, or for a
    /// journal started before the chain existed.
    #[getter]
    fn journal_fingerprint(&self) -> Option<&str> {
        self.report.journal_fingerprint.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.report;
        Ok(format!(
            "BatchReport(deleted={}, scheduled={}, not_found={}, failed={}, in_doubt={}, skipped={}, attempts={}, elapsed={:.3}, cancelled={})",
            r.deleted(),
            r.scheduled,
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
