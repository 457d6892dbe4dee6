//! `read_journal`: Rust's typed [`JournalView`](blocking::journal::JournalView)
//! of one or more journals (the shards of one job), for users who build
//! their own reports.
//!
//! The view is read with the GIL released and copied into frozen snapshots
//! (counts, journals, subjects) at once. Items are many (a million for a
//! large job), so `items()` and `failures()` do not copy them: a worker
//! thread owning the Rust view reads them back one by one into a small
//! bounded channel, and the Python iterator takes them from it (the GIL
//! released while it waits); dropping the iterator stops the thread.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use idv_delete_blocking::journal::{
    self as journal, ItemStatus, ItemView, JournalOutcome, JournalView as View,
};
use idv_delete_blocking::JournalError;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::credentials::Item;
use crate::errors;
use crate::repr::py_repr;

/// Items read ahead of the Python iterator.
const READ_AHEAD: usize = 256;

/// Items by what the journals prove about them, as Rust's ``Counts``: a
/// scheduled erasure is never counted as deleted; ``duplicates`` are
/// repeats of an item counted elsewhere (in the same journal or another).
#[pyclass(frozen, eq, hash, get_all, module = "idv_delete")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Counts {
    /// Every item counted below.
    items: u64,
    /// Erased (confirmed by the answer, by absence, or by a recheck).
    deleted: u64,
    /// Accepted by the vendor, completed later: never deleted.
    scheduled: u64,
    /// Not held by the vendor.
    not_found: u64,
    /// Failed; no attempt may have erased them.
    failed: u64,
    /// An attempt may have erased them: run them again to confirm.
    in_doubt: u64,
    /// Part of the input but never attempted.
    not_attempted: u64,
    /// Repeats of an item counted elsewhere.
    duplicates: u64,
}

impl From<journal::Counts> for Counts {
    fn from(c: journal::Counts) -> Counts {
        Counts {
            items: c.items,
            deleted: c.deleted,
            scheduled: c.scheduled,
            not_found: c.not_found,
            failed: c.failed,
            in_doubt: c.in_doubt,
            not_attempted: c.not_attempted,
            duplicates: c.duplicates,
        }
    }
}

#[pymethods]
impl Counts {
    /// True when nothing is failed, in doubt or never attempted.
    #[getter]
    fn settled(&self) -> bool {
        self.failed == 0 && self.in_doubt == 0 && self.not_attempted == 0
    }

    fn __repr__(&self) -> String {
        format!(
            "Counts(items={}, deleted={}, scheduled={}, not_found={}, failed={}, in_doubt={}, not_attempted={}, duplicates={})",
            self.items,
            self.deleted,
            self.scheduled,
            self.not_found,
            self.failed,
            self.in_doubt,
            self.not_attempted,
            self.duplicates
        )
    }
}

/// One run of a journal (the first, or a resume) and its chain of
/// custody: who ran it (``user``, ``host``) and, by vendor name, the
/// fingerprint of each configured credential's public identifier (``None``
/// for a vendor whose credential is a secret alone, which is never
/// fingerprinted). ``end`` is ``"finished"``, ``"cancelled"``, ``"failed"``
/// or ``None`` when the run was killed before it ended.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct JournalRun {
    /// The run's number in its journal, from 1.
    run: u32,
    /// When it started (RFC 3339 UTC).
    started_at: String,
    /// The version of the tool that ran it.
    tool_version: String,
    /// The operating-system user that ran it, if known.
    user: Option<String>,
    /// The machine's host name, if known.
    host: Option<String>,
    /// By vendor name: the fingerprint of the credential's public
    /// identifier, or ``None`` for a secret-only credential (a new dict at
    /// each access).
    credentials: BTreeMap<String, Option<String>>,
    /// ``"finished"``, ``"cancelled"``, ``"failed"``, or ``None`` when killed.
    end: Option<&'static str>,
}

#[pymethods]
impl JournalRun {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "JournalRun(run={}, started_at={}, user={}, host={}, credentials={}, end={})",
            self.run,
            py_repr(py, &self.started_at)?,
            py_repr(py, &self.user)?,
            py_repr(py, &self.host)?,
            py_repr(py, &self.credentials)?,
            py_repr(py, self.end)?,
        ))
    }
}

/// One journal of a view: its ``path``, whether it has a hash chain
/// (``chained``) and its ``fingerprint`` (the last hash, to store
/// elsewhere and compare later), its ``runs``; ``problem`` is why it could
/// not be read whole (tampered, corrupt, unreadable; ``problem_line`` the
/// first bad line when one is known), ``None`` when it was. A journal with
/// a problem contributes no item to the view.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct JournalInfo {
    /// The journal's path, as given.
    path: String,
    /// True when its lines carry a hash chain (and it was read).
    chained: bool,
    /// The last hash of its chain (64 hex digits), or ``None``.
    fingerprint: Option<String>,
    /// Why it could not be read whole, or ``None``.
    problem: Option<String>,
    /// The first bad line (from 1), when one is to blame.
    problem_line: Option<u64>,
    /// Its runs, as :class:`JournalRun`.
    runs: Py<PyTuple>,
}

#[pymethods]
impl JournalInfo {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "JournalInfo(path={}, chained={}, fingerprint={}, problem={}, runs={})",
            py_repr(py, &self.path)?,
            py_repr(py, self.chained)?,
            py_repr(py, &self.fingerprint)?,
            py_repr(py, &self.problem)?,
            self.runs.bind(py).len(),
        ))
    }
}

/// One data subject's records across every journal: ``status`` is
/// ``"erased"`` (every record erased or not held), ``"scheduled"`` (so,
/// but a vendor completes some later: never shown as erased) or
/// ``"incomplete"`` (some record failed, is in doubt or was never
/// attempted); ``counts`` its items by outcome, each once (a duplicate
/// record of another subject's item counts as that item's outcome);
/// ``vendors`` the vendor names holding its records;
/// ``scheduled_until`` the latest time (RFC 3339 UTC) a vendor completes
/// one of them, when a vendor gives one.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct Subject {
    /// The subject's key, as the items gave it.
    subject: String,
    /// ``"erased"``, ``"scheduled"`` or ``"incomplete"``.
    status: &'static str,
    /// Its records by outcome, as :class:`Counts`.
    counts: Py<Counts>,
    /// The vendor names holding its records.
    vendors: Py<PyTuple>,
    /// The latest time a vendor completes one of its records, or ``None``.
    scheduled_until: Option<String>,
}

#[pymethods]
impl Subject {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Subject(subject={}, status={}, vendors={}, scheduled_until={})",
            py_repr(py, &self.subject)?,
            py_repr(py, self.status)?,
            self.vendors.bind(py).repr()?,
            py_repr(py, &self.scheduled_until)?,
        ))
    }
}

/// The same item recorded in two journals: counted once, at ``first``
/// (``(journal index, position)``); ``also`` is another occurrence,
/// counted as a duplicate.
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct CrossDuplicate {
    /// The item, its subject as ``first`` recorded it.
    item: Py<Item>,
    /// The occurrence counted: ``(journal index, position)``.
    first: (usize, u64),
    /// Another occurrence, counted as a duplicate.
    also: (usize, u64),
}

#[pymethods]
impl CrossDuplicate {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "CrossDuplicate(item={}, first={:?}, also={:?})",
            self.item.bind(py).repr()?,
            self.first,
            self.also,
        ))
    }
}

/// One item as the journals leave it, read back from its last record.
///
/// ``journal`` is its journal's index in the view and ``position`` its
/// position in that journal's input (from 0); ``item`` the :class:`Item`
/// with its subject; ``status`` what the journal says (``"deleted"``,
/// ``"scheduled"``, ``"not_found"``, ``"failed"``, ``"in_doubt"``,
/// ``"duplicate"`` of the item at ``duplicate_of``); ``counted`` is false
/// when the same item in another journal is the one counted; ``at`` when
/// its last record was written.
///
/// Its last outcome, if it has one: ``result`` (``"deleted"``,
/// ``"scheduled"``, ``"not_found"``, ``"failed"``, or ``None`` for an item
/// sent without a recorded answer or a duplicate), ``confirmed_by``,
/// ``http_status``, ``attempts``, ``error_kind`` and ``in_doubt`` of a
/// failure, ``within_secs`` and ``until`` of a scheduled erasure; and the
/// vendor's evidence: its ``date`` header, ``request_id``, ``audit_ids``
/// (HyperVerge) and ``vendor_status`` (Stripe).
#[pyclass(frozen, get_all, module = "idv_delete")]
pub struct JournalItem {
    /// The index of its journal in the view.
    journal: usize,
    /// Its position in that journal's input, from 0.
    position: u64,
    /// The :class:`Item`, with its subject.
    item: Py<Item>,
    /// What the journal says about it.
    status: &'static str,
    /// For a duplicate: the position of the item it repeats.
    duplicate_of: Option<u64>,
    /// False when another journal's occurrence is the one counted.
    counted: bool,
    /// When its last record was written (RFC 3339 UTC).
    at: String,
    /// Its last outcome: ``"deleted"``, ``"scheduled"``, ``"not_found"``,
    /// ``"failed"``, or ``None``.
    result: Option<&'static str>,
    /// How a deletion was confirmed: ``"response"``, ``"absence"``, ``"recheck"``.
    confirmed_by: Option<&'static str>,
    /// The HTTP status of the deciding answer, if any.
    http_status: Option<u16>,
    /// Requests sent.
    attempts: u32,
    /// A failure's kind (``idv_delete.ERROR_KINDS``).
    error_kind: Option<&'static str>,
    /// True when an attempt may have erased it: run it again to confirm.
    in_doubt: bool,
    /// A scheduled erasure: the longest the vendor documents, in seconds.
    within_secs: Option<u64>,
    /// A scheduled erasure: the vendor's own completion date, if learnt.
    until: Option<String>,
    /// The vendor's ``Date`` header.
    date: Option<String>,
    /// The vendor's request or correlation id.
    request_id: Option<String>,
    /// The audit ids the vendor reported erased (HyperVerge).
    audit_ids: Py<PyTuple>,
    /// The vendor's own state of the erasure (Stripe).
    vendor_status: Option<String>,
}

impl JournalItem {
    fn new(py: Python<'_>, view: ItemView) -> PyResult<JournalItem> {
        let mut item = JournalItem {
            journal: view.journal,
            position: view.position,
            item: Py::new(py, Item(view.intent))?,
            status: view.status.as_str(),
            duplicate_of: match view.status {
                ItemStatus::Duplicate { of } => Some(of),
                _ => None,
            },
            counted: view.counted,
            at: view.at,
            result: None,
            confirmed_by: None,
            http_status: None,
            attempts: 0,
            error_kind: None,
            in_doubt: matches!(
                view.status,
                ItemStatus::InDoubt | ItemStatus::Failed { in_doubt: true }
            ),
            within_secs: None,
            until: None,
            date: view.evidence.date,
            request_id: view.evidence.request_id,
            audit_ids: PyTuple::new(py, view.evidence.audit_ids)?.unbind(),
            vendor_status: view.evidence.vendor_status,
        };
        match view.outcome {
            None => {}
            Some(JournalOutcome::Deleted {
                confirmed_by,
                status,
                attempts,
                ..
            }) => {
                item.result = Some("deleted");
                item.confirmed_by = Some(confirmed_by.as_str());
                item.http_status = status;
                item.attempts = attempts;
            }
            Some(JournalOutcome::Scheduled {
                within_secs,
                until,
                status,
                attempts,
            }) => {
                item.result = Some("scheduled");
                item.within_secs = within_secs;
                item.until = until;
                item.http_status = status;
                item.attempts = attempts;
            }
            Some(JournalOutcome::NotFound { attempts }) => {
                item.result = Some("not_found");
                item.attempts = attempts;
            }
            Some(JournalOutcome::Failed {
                kind,
                status,
                attempts,
                in_doubt,
            }) => {
                item.result = Some("failed");
                item.error_kind = Some(kind.as_str());
                item.http_status = status;
                item.attempts = attempts;
                item.in_doubt |= in_doubt;
            }
        }
        Ok(item)
    }
}

#[pymethods]
impl JournalItem {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "JournalItem(journal={}, position={}, item={}, status={}, counted={}, at={})",
            self.journal,
            self.position,
            self.item.bind(py).repr()?,
            py_repr(py, self.status)?,
            py_repr(py, self.counted)?,
            py_repr(py, &self.at)?,
        ))
    }
}

/// Several journals (or one) read as one erasure job, as Rust's
/// ``JournalView``; made by :func:`read_journal`.
///
/// ``trusted`` is true when every journal was read whole (its hash chain,
/// if it has one, verified); ``journals`` are the :class:`JournalInfo` of
/// each, in the order given; ``totals`` the :class:`Counts` of every item,
/// ``by_vendor`` per vendor name (items with a record); ``subjects`` every
/// data subject (incomplete first, then scheduled, then erased);
/// ``items_without_subject`` the items with a record but no subject;
/// ``cross_duplicates`` the items recorded in more than one journal (each
/// counted once). ``items()`` and ``failures()`` iterate over the items.
#[pyclass(frozen, module = "idv_delete")]
pub struct JournalView {
    /// True when every journal was read whole.
    #[pyo3(get)]
    trusted: bool,
    /// Each journal, as :class:`JournalInfo`, in the order given.
    #[pyo3(get)]
    journals: Py<PyTuple>,
    /// Every item, as :class:`Counts`.
    #[pyo3(get)]
    totals: Py<Counts>,
    /// Counts per vendor name, for items with a record (a new dict at
    /// each access).
    #[pyo3(get)]
    by_vendor: BTreeMap<&'static str, Counts>,
    /// Every data subject: incomplete, then scheduled, then erased.
    #[pyo3(get)]
    subjects: Py<PyTuple>,
    /// Items with a record but no subject.
    #[pyo3(get)]
    items_without_subject: u64,
    /// The items recorded in more than one journal.
    #[pyo3(get)]
    cross_duplicates: Py<PyTuple>,
    view: Arc<View>,
}

#[pymethods]
impl JournalView {
    /// Every item that has a record, journal by journal, in input order:
    /// an iterator of :class:`JournalItem`, read back as it is taken.
    /// Raises ``JournalError`` if a journal changed since it was read.
    fn items(&self) -> ItemIter {
        ItemIter::start(self.view.clone(), false)
    }

    /// The items counted as failed or in doubt, as ``items()`` reads them.
    fn failures(&self) -> ItemIter {
        ItemIter::start(self.view.clone(), true)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "JournalView(trusted={}, journals={}, totals={}, subjects={})",
            py_repr(py, self.trusted)?,
            self.journals.bind(py).len(),
            self.totals.bind(py).repr()?,
            self.subjects.bind(py).len(),
        ))
    }
}

/// The iterator of ``JournalView.items()`` and ``failures()``: private,
/// typed as ``Iterator[JournalItem]`` in the stubs.
#[pyclass(frozen, name = "_JournalItems", module = "idv_delete._native")]
pub struct ItemIter(Mutex<Receiver<Result<ItemView, JournalError>>>);

impl ItemIter {
    fn start(view: Arc<View>, failures: bool) -> ItemIter {
        let (send, receive) = sync_channel(READ_AHEAD);
        std::thread::spawn(move || {
            let items: Box<dyn Iterator<Item = _>> = if failures {
                Box::new(view.failures())
            } else {
                Box::new(view.items())
            };
            for item in items {
                // A send fails once the Python iterator is dropped: stop.
                if send.send(item).is_err() {
                    break;
                }
            }
        });
        ItemIter(Mutex::new(receive))
    }
}

#[pymethods]
impl ItemIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<JournalItem>> {
        let next = py.detach(|| match self.0.lock() {
            Ok(receive) => receive.recv().ok(),
            Err(_) => None,
        });
        match next {
            None => Ok(None),
            Some(Ok(item)) => JournalItem::new(py, item).map(Some),
            Some(Err(e)) => Err(errors::journal_to_py(py, &e)),
        }
    }
}

/// Reads the journals at ``paths`` (see the stub's docstring).
#[pyfunction]
#[pyo3(signature = (*paths, strict = false))]
pub(crate) fn read_journal(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    strict: bool,
) -> PyResult<JournalView> {
    if paths.is_empty() {
        return Err(PyTypeError::new_err(
            "read_journal needs at least one journal path (str or os.PathLike)",
        ));
    }
    let view = py.detach(|| View::read(&paths));
    if strict {
        if let Some(error) = view.journals().iter().find_map(|s| s.state().err()) {
            return Err(errors::journal_to_py(py, error));
        }
    }
    let (subjects, by_vendor) = py.detach(|| {
        let subjects: Vec<_> = view.subjects().collect();
        (subjects, view.by_vendor())
    });
    let journals = view
        .journals()
        .iter()
        .map(|shard| journal_info(py, shard))
        .collect::<PyResult<Vec<_>>>()?;
    let subjects = subjects
        .into_iter()
        .map(|s| {
            Py::new(
                py,
                Subject {
                    subject: s.subject,
                    status: s.status.as_str(),
                    counts: Py::new(py, Counts::from(s.counts))?,
                    vendors: PyTuple::new(py, s.vendors.iter().map(|v| v.as_str()))?.unbind(),
                    scheduled_until: s.scheduled_until,
                },
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    let cross_duplicates = view
        .cross_duplicates()
        .iter()
        .map(|d| {
            Py::new(
                py,
                CrossDuplicate {
                    item: Py::new(py, Item(d.intent.clone()))?,
                    first: d.first,
                    also: d.also,
                },
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(JournalView {
        trusted: view.trusted(),
        journals: PyTuple::new(py, journals)?.unbind(),
        totals: Py::new(py, Counts::from(view.totals()))?,
        by_vendor: by_vendor
            .into_iter()
            .map(|(vendor, counts)| (vendor.as_str(), Counts::from(counts)))
            .collect(),
        subjects: PyTuple::new(py, subjects)?.unbind(),
        items_without_subject: view.items_without_subject(),
        cross_duplicates: PyTuple::new(py, cross_duplicates)?.unbind(),
        view: Arc::new(view),
    })
}

fn journal_info(py: Python<'_>, shard: &journal::Shard) -> PyResult<Py<JournalInfo>> {
    let (chained, fingerprint, runs, problem, problem_line) = match shard.state() {
        Ok(state) => {
            let runs = state
                .runs()
                .iter()
                .map(|run| journal_run(py, run))
                .collect::<PyResult<Vec<_>>>()?;
            (state.chained(), state.fingerprint(), runs, None, None)
        }
        Err(error) => {
            let line = match error {
                JournalError::Tampered { line, .. } | JournalError::Corrupt { line, .. } => {
                    Some(*line)
                }
                _ => None,
            };
            (false, None, Vec::new(), Some(error.to_string()), line)
        }
    };
    Py::new(
        py,
        JournalInfo {
            path: shard.path().to_string_lossy().into_owned(),
            chained,
            fingerprint,
            problem,
            problem_line,
            runs: PyTuple::new(py, runs)?.unbind(),
        },
    )
}

fn journal_run(py: Python<'_>, run: &journal::Run) -> PyResult<Py<JournalRun>> {
    let custody = run.start.custody.clone().unwrap_or_default();
    Py::new(
        py,
        JournalRun {
            run: run.start.run,
            started_at: run.start.at.clone(),
            tool_version: run.start.tool_version.clone(),
            user: custody.user,
            host: custody.host,
            credentials: custody.credentials,
            end: run.end.as_ref().map(|end| end.how.as_str()),
        },
    )
}
