//! `delete_many` for both clients: a Python iterable in, a [`BatchReport`]
//! out, run by the Rust batch runner with the GIL released.
//!
//! The runner runs on a Rust thread of its own (see `interrupt`): it reads
//! its input there and calls the progress callback from its worker threads;
//! both hold the GIL only while they touch Python (one `next()`, one
//! callback call). The calling thread waits with the GIL released and runs
//! Python's signal handlers every 50 ms. Python exceptions cannot cross the
//! runner, so the first one is kept and raised once the batch has drained
//! (resume with the same journal after fixing the cause):
//!
//! - the input raising, or yielding a non-`str` or an invalid reference,
//!   ends the input there: every item read before it is still deleted;
//! - the progress callback raising cancels the batch: items in flight
//!   finish and are journaled, items not yet started are left for a resume;
//! - Ctrl-C (or any exception from a signal handler) cancels the batch at
//!   once, pauses included: items cut short are journaled as `cancelled`,
//!   and the exception is raised within a fraction of a second with the
//!   partial report as its `report` attribute (`None` if the batch could
//!   not start).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use idv_delete_blocking::{
    self as blocking, BatchOptions, CancelToken, Client, DeleteError, DeleteIntent, Vendor, Window,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyIterator, PyMapping, PyString};

use crate::errors;
use crate::interrupt;
use crate::outcome::{BatchReport, Progress};

/// The Python-side options of `delete_many`, shared by both clients.
pub(crate) struct BatchArgs<'py> {
    pub journal: Option<PathBuf>,
    pub concurrency: usize,
    pub rate: Option<f64>,
    /// Rust's `BatchOptions::adaptive_rate`.
    pub adaptive_rate: bool,
    pub progress: Option<Bound<'py, PyAny>>,
    pub dry_run: bool,
    /// `windows=`: vendor name -> list of `(count, seconds)`, or `None`.
    pub windows: Option<Bound<'py, PyAny>>,
    pub wait_for_windows: bool,
    /// Rust's `BatchOptions::allow_endpoint_change`.
    pub allow_endpoint_change: bool,
    /// `cancel=`: a `threading.Event` (anything with `is_set()`) whose
    /// setting stops the batch as Ctrl-C does, without an exception.
    pub cancel: Option<Bound<'py, PyAny>>,
}

/// Reads `windows=`: a mapping of vendor names (`"veriff"`, ...) to lists
/// of `(count, seconds)` tuples, each vendor's replacing its documented
/// windows; an empty list lifts them. Bad entries are refused by name.
fn read_windows(windows: &Bound<'_, PyAny>) -> PyResult<BTreeMap<Vendor, Vec<Window>>> {
    let usage = "windows must map vendor names to lists of (count, seconds) tuples, e.g. {\"veriff\": [(5, 3600), (10, 86400)]}; an empty list lifts the vendor's windows";
    let mapping = windows
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err(usage))?;
    let mut read = BTreeMap::new();
    for item in mapping.items()?.iter() {
        let (name, list): (String, Vec<(Bound<'_, PyAny>, f64)>) =
            item.extract().map_err(|_| PyTypeError::new_err(usage))?;
        let vendor: Vendor = name
            .parse()
            .map_err(|e: DeleteError| PyValueError::new_err(format!("windows: {}", e.detail())))?;
        let mut parsed = Vec::new();
        for (count, seconds) in list {
            let count: u32 = count.extract().map_err(|_| {
                PyValueError::new_err(format!(
                    "windows[{name:?}]: the count {count} is not a whole number of requests of at least 1"
                ))
            })?;
            let window = Window::checked(count, seconds)
                .map_err(|e| PyValueError::new_err(format!("windows[{name:?}]: {}", e.detail())))?;
            parsed.push(window);
        }
        read.insert(vendor, parsed);
    }
    Ok(read)
}

/// Reads the items of a per-vendor client: each a `str` reference, turned
/// into an intent by `intent`.
pub(crate) fn references<F>(
    intent: F,
) -> impl Fn(Python<'_>, &Bound<'_, PyAny>) -> PyResult<DeleteIntent> + Send
where
    F: Fn(&str) -> Result<DeleteIntent, DeleteError> + Send,
{
    move |py: Python<'_>, item: &Bound<'_, PyAny>| {
        let reference = match item.cast::<PyString>() {
            Ok(reference) => reference.to_cow()?,
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "references must be str, got {}",
                    item.get_type().name()?
                )))
            }
        };
        intent(&reference).map_err(|e| errors::to_py(py, e))
    }
}

/// Deletes every item of `references` (any iterable, read lazily), turning
/// each into an intent with `intent` (see [`references`]; `Client` reads
/// `Item`s).
pub(crate) fn delete_many<F>(
    py: Python<'_>,
    client: &Client,
    references: &Bound<'_, PyAny>,
    intent: F,
    args: BatchArgs<'_>,
) -> PyResult<Py<BatchReport>>
where
    F: Fn(Python<'_>, &Bound<'_, PyAny>) -> PyResult<DeleteIntent> + Send,
{
    if references.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "references must be an iterable of str, not one str: wrap a single reference in a list",
        ));
    }
    let windows = args.windows.as_ref().map(read_windows).transpose()?;
    let mut event = interrupt::event_watcher(args.cancel.as_ref())?;
    let stop = Arc::new(Stop::default());
    if event(py)? {
        stop.cancel.cancel();
    }
    let mut options = BatchOptions::new()
        .concurrency(args.concurrency)
        .adaptive_rate(args.adaptive_rate)
        .dry_run(args.dry_run)
        .wait_for_windows(args.wait_for_windows)
        .allow_endpoint_change(args.allow_endpoint_change)
        .cancel(stop.cancel.clone());
    for (vendor, windows) in windows.into_iter().flatten() {
        options = options.vendor_windows(vendor, windows);
    }
    if let Some(rate) = args.rate {
        options = options.rate(rate);
    }
    if let Some(journal) = args.journal {
        options = options.journal(journal);
    }
    // `progress=True` draws a bar on stderr: a callback like any other, but
    // it is told when the batch ends (`close`) to print its last line.
    let bar =
        match args.progress {
            Some(progress) if progress.is_instance_of::<PyBool>() => progress
                .is_truthy()?
                .then(|| progress_bar(py, references))
                .transpose()?,
            Some(progress) if progress.is_callable() => {
                options = options.progress(progress_fn(progress.unbind(), Arc::clone(&stop)));
                None
            }
            Some(_) => return Err(PyTypeError::new_err(
                "progress must be a callable taking a Progress, True for a progress bar, or None",
            )),
            None => None,
        };
    if let Some(bar) = &bar {
        options = options.progress(progress_fn(bar.clone_ref(py), Arc::clone(&stop)));
    }
    let input = Input {
        items: references.try_iter()?.unbind(),
        intent,
        stop: Arc::clone(&stop),
    };
    let cancel = stop.cancel.clone();
    let (result, interrupt) = interrupt::run_watching(py, &cancel, event, move || {
        client.delete_many(input, options)
    });
    if let Some(interrupt) = interrupt {
        return Err(with_report(py, interrupt, result, bar)?);
    }
    let report = result.map_err(|e| errors::batch_to_py(py, e))?;
    if let Some(error) = stop.take() {
        return Err(error);
    }
    let report = Py::new(py, BatchReport::new(py, report)?)?;
    if let Some(bar) = bar {
        bar.call_method1(py, "close", (report.clone_ref(py),))?;
    }
    Ok(report)
}

/// `interrupt` with the batch's partial report as its `report` attribute
/// (`None` when the batch failed as a whole), the progress bar closed.
fn with_report(
    py: Python<'_>,
    interrupt: PyErr,
    result: Result<blocking::BatchReport, blocking::BatchError>,
    bar: Option<Py<PyAny>>,
) -> PyResult<PyErr> {
    let report = match result {
        Ok(report) => Some(Py::new(py, BatchReport::new(py, report)?)?),
        Err(_) => None,
    };
    if let (Some(bar), Some(report)) = (bar, &report) {
        bar.call_method1(py, "close", (report.clone_ref(py),))?;
    }
    interrupt.value(py).setattr("report", report)?;
    Ok(interrupt)
}

/// The first Python exception of a batch, and the token that cancels it.
#[derive(Default)]
struct Stop {
    error: Mutex<Option<PyErr>>,
    cancel: CancelToken,
}

impl Stop {
    /// Keeps `error` (the first one wins) and, if `cancel`, cancels the batch.
    fn fail(&self, error: PyErr, cancel: bool) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(error);
        if cancel {
            self.cancel.cancel();
        }
    }

    fn failed(&self) -> bool {
        self.error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn take(&self) -> Option<PyErr> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The callback the Rust runner calls from its workers: it attaches to
/// Python only for the call, and an exception cancels the batch.
fn progress_fn(
    callback: Py<PyAny>,
    stop: Arc<Stop>,
) -> impl Fn(&blocking::Progress) + Send + Sync + 'static {
    move |progress| {
        if stop.cancel.is_cancelled() {
            return;
        }
        Python::attach(|py| {
            if let Err(error) = callback.call1(py, (Progress::from(progress),)) {
                stop.fail(error, true);
            }
        });
    }
}

/// `idv_delete._progress.ProgressBar(total)`, with the input's length as the
/// total when it has one.
fn progress_bar(py: Python<'_>, references: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let total = references.len().ok();
    let bar = py
        .import("idv_delete._progress")?
        .getattr("ProgressBar")?
        .call1((total,))?;
    Ok(bar.unbind())
}

/// The batch's input: the Python iterator, read one item at a time on the
/// runner's thread, each turned into a validated intent. The first failure
/// ends the input.
struct Input<F> {
    items: Py<PyIterator>,
    intent: F,
    stop: Arc<Stop>,
}

impl<F> Input<F>
where
    F: Fn(Python<'_>, &Bound<'_, PyAny>) -> PyResult<DeleteIntent>,
{
    fn next_intent(&self, py: Python<'_>) -> PyResult<Option<DeleteIntent>> {
        let Some(item) = self.items.bind(py).into_iter().next().transpose()? else {
            return Ok(None);
        };
        (self.intent)(py, &item).map(Some)
    }
}

impl<F> Iterator for Input<F>
where
    F: Fn(Python<'_>, &Bound<'_, PyAny>) -> PyResult<DeleteIntent>,
{
    type Item = DeleteIntent;

    fn next(&mut self) -> Option<DeleteIntent> {
        if self.stop.failed() {
            return None;
        }
        Python::attach(|py| {
            self.next_intent(py).unwrap_or_else(|error| {
                self.stop.fail(error, false);
                None
            })
        })
    }
}
