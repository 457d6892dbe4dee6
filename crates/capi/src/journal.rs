//! The typed view of journals: [`delete_journal_view`], Rust's
//! [`JournalView`] for C. One or more journals (the shards of one job) are
//! read as one; counts, subjects and items are taken by index.
//!
//! Unlike Rust's view, which reads each item back from its journal when
//! asked, the handle materialises every item when it is read (a few dozen
//! bytes and two strings each): C callers index items, and a handle whose
//! strings live as long as it does is the C API's rule.

use std::ffi::{c_char, CString};
use std::path::Path;

use idv_delete_blocking::journal::{Counts, ItemStatus, JournalView, SubjectStatus, SubjectView};
use idv_delete_blocking::JournalError;

use crate::client::{delete_product, delete_region, product_code, region_code};
use crate::ffi::{self, arg, c_string, guard, into_handle, slice_arg, str_arg, Out};
use crate::last_error::detailed;
use crate::result::delete_result::{self, *};

/// Items by what the journals prove about them. A scheduled erasure is
/// never counted as deleted.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct delete_counts {
    /// Every item counted below.
    pub items: u64,
    /// Erased (confirmed by the vendor's answer, by absence after an
    /// uncertain attempt, or by a recheck).
    pub deleted: u64,
    /// Accepted by the vendor, completed later.
    pub scheduled: u64,
    /// Not held by the vendor.
    pub not_found: u64,
    /// Failed; no attempt may have erased them.
    pub failed: u64,
    /// An attempt may have erased them: run them again to confirm.
    pub in_doubt: u64,
    /// Part of the input but never attempted.
    pub not_attempted: u64,
    /// Repeats of an item counted elsewhere (in the same journal or
    /// another).
    pub duplicates: u64,
}

impl From<Counts> for delete_counts {
    fn from(c: Counts) -> delete_counts {
        delete_counts {
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

/// Where a data subject's erasure stands: one of the
/// `DELETE_SUBJECT_STATUS_*` constants.
pub type delete_subject_status = u32;
/// Some record failed, is in doubt or was never attempted.
pub const DELETE_SUBJECT_STATUS_INCOMPLETE: delete_subject_status = 1;
/// Every record is erased or not held, but a vendor completes some later:
/// never shown as erased.
pub const DELETE_SUBJECT_STATUS_SCHEDULED: delete_subject_status = 2;
/// Every record is erased or not held by its vendor.
pub const DELETE_SUBJECT_STATUS_ERASED: delete_subject_status = 3;

/// What a journal says about an item: one of the
/// `DELETE_JOURNAL_STATUS_*` constants.
pub type delete_journal_status = u32;
/// Erased.
pub const DELETE_JOURNAL_STATUS_DELETED: delete_journal_status = 1;
/// Accepted by the vendor, completed later.
pub const DELETE_JOURNAL_STATUS_SCHEDULED: delete_journal_status = 2;
/// Not held by the vendor.
pub const DELETE_JOURNAL_STATUS_NOT_FOUND: delete_journal_status = 3;
/// Failed; no attempt may have erased it.
pub const DELETE_JOURNAL_STATUS_FAILED: delete_journal_status = 4;
/// An attempt may have erased it: run it again to confirm.
pub const DELETE_JOURNAL_STATUS_IN_DOUBT: delete_journal_status = 5;
/// Repeats an earlier item of the same journal, whose outcome is its own.
pub const DELETE_JOURNAL_STATUS_DUPLICATE: delete_journal_status = 6;

/// One item as the journals leave it (`delete_journal_view_item`). Its
/// strings belong to the view and live as long as it does.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct delete_journal_item {
    /// The index of its journal in the paths given.
    pub journal: usize,
    /// Its position in that journal's input, from 0.
    pub position: u64,
    /// A `DELETE_PRODUCT_*` constant: its vendor and product.
    pub product: delete_product,
    /// A `DELETE_REGION_*` constant, or 0 for a vendor without regions.
    pub region: delete_region,
    /// The reference, NUL-terminated UTF-8.
    pub reference: *const c_char,
    /// The data subject's key, or NULL for none.
    pub subject: *const c_char,
    /// A `DELETE_JOURNAL_STATUS_*` constant.
    pub status: delete_journal_status,
    /// False when the same item in another journal is the one counted.
    pub counted: bool,
    /// When its last record was written (RFC 3339 UTC).
    pub at: *const c_char,
    /// For a failed or in-doubt item, its kind of failure (a code from 100
    /// to 199), else `DELETE_RESULT_OK`.
    pub error: delete_result,
}

/// One or more journals read as one erasure job. Immutable and
/// thread-safe; free it with `delete_journal_view_free`.
pub struct delete_journal_view {
    trusted: bool,
    totals: delete_counts,
    journals: Vec<JournalRow>,
    subjects: Vec<SubjectRow>,
    items: Vec<ItemRow>,
    cross_duplicates: Vec<((usize, u64), (usize, u64))>,
}

struct JournalRow {
    path: CString,
    chained: bool,
    fingerprint: Option<CString>,
    /// The code, line (0: none) and message of why it could not be read.
    problem: Option<(delete_result, u64, CString)>,
}

struct SubjectRow {
    subject: CString,
    status: delete_subject_status,
    counts: delete_counts,
    scheduled_until: Option<CString>,
}

struct ItemRow {
    item: delete_journal_item,
    // The strings `item` points into.
    _reference: CString,
    _subject: Option<CString>,
    _at: CString,
}

// SAFETY: the raw pointers of each `ItemRow::item` point into the row's
// own strings, which never change or move (a `CString`'s bytes are on the
// heap) while the view lives; the view is never changed after it is made.
unsafe impl Send for delete_journal_view {}
// SAFETY: as above: shared reads only.
unsafe impl Sync for delete_journal_view {}

/// The code of a journal that cannot be read: `DELETE_RESULT_JOURNAL_IO`
/// when it cannot be opened or read, `DELETE_RESULT_JOURNAL_TAMPERED` when
/// a line breaks its hash chain (an edited, removed, inserted or moved
/// line), `DELETE_RESULT_JOURNAL_CORRUPT` when a line breaks its rules.
fn journal_code(error: &JournalError) -> delete_result {
    match error {
        JournalError::Io { .. } => DELETE_RESULT_JOURNAL_IO,
        JournalError::Tampered { .. } => DELETE_RESULT_JOURNAL_TAMPERED,
        _ => DELETE_RESULT_JOURNAL_CORRUPT,
    }
}

fn status_code(status: ItemStatus) -> delete_journal_status {
    match status {
        ItemStatus::Deleted(_) => DELETE_JOURNAL_STATUS_DELETED,
        ItemStatus::Scheduled => DELETE_JOURNAL_STATUS_SCHEDULED,
        ItemStatus::NotFound => DELETE_JOURNAL_STATUS_NOT_FOUND,
        ItemStatus::Failed { in_doubt: false } => DELETE_JOURNAL_STATUS_FAILED,
        ItemStatus::Failed { in_doubt: true } | ItemStatus::InDoubt => {
            DELETE_JOURNAL_STATUS_IN_DOUBT
        }
        ItemStatus::Duplicate { .. } => DELETE_JOURNAL_STATUS_DUPLICATE,
        // `items()` lists only positions with a record.
        ItemStatus::NotAttempted => 0,
    }
}

fn subject_row(subject: SubjectView) -> SubjectRow {
    SubjectRow {
        subject: c_string(&subject.subject),
        status: match subject.status {
            SubjectStatus::Incomplete => DELETE_SUBJECT_STATUS_INCOMPLETE,
            SubjectStatus::Scheduled => DELETE_SUBJECT_STATUS_SCHEDULED,
            SubjectStatus::Erased => DELETE_SUBJECT_STATUS_ERASED,
        },
        counts: subject.counts.into(),
        scheduled_until: subject.scheduled_until.as_deref().map(c_string),
    }
}

/// Reads the `count` journals at `paths` (UTF-8) as one erasure job:
/// several are the shards of one job, and the same item in two of them is
/// counted once and listed by `delete_journal_view_cross_duplicate`.
///
/// A journal that cannot be read whole (missing, corrupt, or tampered:
/// its hash chain broken by an edited, removed, inserted or moved line)
/// does not fail the call: it contributes no item,
/// `delete_journal_view_journal_problem` says why and at which line, and
/// `delete_journal_view_trusted` is false. `DELETE_RESULT_INVALID_ARGUMENT`
/// when `count` is 0; a journal that changes while it is read is its
/// `DELETE_RESULT_JOURNAL_*` code. Free the view with
/// `delete_journal_view_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_read(
    paths: *const *const c_char,
    count: usize,
    view_out: *mut *mut delete_journal_view,
) -> delete_result {
    const CALL: &str = "delete_journal_view_read";
    guard(|| {
        let out = Out::new(view_out)?;
        if count == 0 {
            return Err(detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                format!("{CALL}: count is 0: give at least one journal path"),
            ));
        }
        let paths = slice_arg(paths, count)?
            .iter()
            .enumerate()
            .map(|(i, path)| {
                str_arg(*path).map_err(|code| {
                    detailed(code, format!("{CALL}: paths[{i}] is NULL or not UTF-8"))
                })
            })
            .collect::<ffi::Result<Vec<&str>>>()?;
        let view = JournalView::read(paths.iter().map(Path::new));
        let journals = view
            .journals()
            .iter()
            .map(|shard| match shard.state() {
                Ok(state) => JournalRow {
                    path: c_string(&shard.path().to_string_lossy()),
                    chained: state.chained(),
                    fingerprint: state.fingerprint().as_deref().map(c_string),
                    problem: None,
                },
                Err(error) => JournalRow {
                    path: c_string(&shard.path().to_string_lossy()),
                    chained: false,
                    fingerprint: None,
                    problem: Some((
                        journal_code(error),
                        match error {
                            JournalError::Tampered { line, .. }
                            | JournalError::Corrupt { line, .. } => *line,
                            _ => 0,
                        },
                        c_string(&error.to_string()),
                    )),
                },
            })
            .collect();
        let mut items = Vec::new();
        for item in view.items() {
            let item = item.map_err(|e| detailed(journal_code(&e), format!("{CALL}: {e}")))?;
            let target = item.intent.target();
            let reference = c_string(item.intent.reference());
            let subject = item.intent.subject().map(c_string);
            let at = c_string(&item.at);
            let error = match &item.outcome {
                Some(idv_delete_blocking::JournalOutcome::Failed { kind, .. }) => {
                    delete_result::from_kind(*kind)
                }
                _ => DELETE_RESULT_OK,
            };
            items.push(ItemRow {
                item: delete_journal_item {
                    journal: item.journal,
                    position: item.position,
                    product: product_code(item.intent.vendor(), target.product_name()),
                    region: region_code(item.intent.vendor(), target.region_name()),
                    reference: reference.as_ptr(),
                    subject: subject.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
                    status: status_code(item.status),
                    counted: item.counted,
                    at: at.as_ptr(),
                    error,
                },
                _reference: reference,
                _subject: subject,
                _at: at,
            });
        }
        out.write(into_handle(delete_journal_view {
            trusted: view.trusted(),
            totals: view.totals().into(),
            journals,
            subjects: view.subjects().map(subject_row).collect(),
            items,
            cross_duplicates: view
                .cross_duplicates()
                .iter()
                .map(|d| (d.first, d.also))
                .collect(),
        }));
        Ok(())
    })
}

/// Frees a journal view. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_journal_view_free(view: *mut delete_journal_view) {
    ffi::free(view);
}

/// Writes whether every journal was read whole: its hash chain (if it has
/// one) verified and its records follow the journal's rules.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_trusted(
    view: *const delete_journal_view,
    trusted_out: *mut bool,
) -> delete_result {
    guard(|| {
        let view = arg(view)?;
        Out::new(trusted_out)?.write(view.trusted);
        Ok(())
    })
}

/// Writes the counts of every item of every journal.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_totals(
    view: *const delete_journal_view,
    counts_out: *mut delete_counts,
) -> delete_result {
    guard(|| {
        let view = arg(view)?;
        Out::new(counts_out)?.write(view.totals);
        Ok(())
    })
}

/// Writes how many journals the view read (the `count` given).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_journal_count(
    view: *const delete_journal_view,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let view = arg(view)?;
        Out::new(count_out)?.write(view.journals.len());
        Ok(())
    })
}

fn journal_at<'a>(view: *const delete_journal_view, index: usize) -> ffi::Result<&'a JournalRow> {
    arg(view)?
        .journals
        .get(index)
        .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)
}

/// Writes journal `index`'s path (owned by the view) and whether it has a
/// hash chain (false for a journal written before chains, or one that
/// could not be read). `DELETE_RESULT_INDEX_OUT_OF_RANGE` past the end.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_journal(
    view: *const delete_journal_view,
    index: usize,
    path_out: *mut *const c_char,
    chained_out: *mut bool,
) -> delete_result {
    guard(|| {
        let (path, chained) = (Out::new(path_out)?, Out::new(chained_out)?);
        let journal = journal_at(view, index)?;
        path.write(journal.path.as_ptr());
        chained.write(journal.chained);
        Ok(())
    })
}

/// Writes journal `index`'s fingerprint, the last hash of its chain (64
/// lowercase hex digits, owned by the view): store it elsewhere to prove
/// later that the journal is unchanged. `DELETE_RESULT_ABSENT` (nothing
/// written) for an unchained journal or one that could not be read.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_journal_fingerprint(
    view: *const delete_journal_view,
    index: usize,
    fingerprint_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let out = Out::new(fingerprint_out)?;
        let journal = journal_at(view, index)?;
        let fingerprint = journal.fingerprint.as_ref().ok_or(DELETE_RESULT_ABSENT)?;
        out.write(fingerprint.as_ptr());
        Ok(())
    })
}

/// Writes why journal `index` could not be read whole: its code
/// (`DELETE_RESULT_JOURNAL_IO` for a missing or unreadable file,
/// `DELETE_RESULT_JOURNAL_TAMPERED` for a line that breaks its hash chain,
/// `DELETE_RESULT_JOURNAL_CORRUPT` for one that breaks the journal's
/// rules), the first bad line (from 1; 0 when no line
/// is to blame) and a message naming the file and the line (owned by the
/// view). `DELETE_RESULT_ABSENT` (nothing written) when it was read whole.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_journal_problem(
    view: *const delete_journal_view,
    index: usize,
    code_out: *mut delete_result,
    line_out: *mut u64,
    message_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let (code, line) = (Out::new(code_out)?, Out::new(line_out)?);
        let message = Out::new(message_out)?;
        let journal = journal_at(view, index)?;
        let (c, l, m) = journal.problem.as_ref().ok_or(DELETE_RESULT_ABSENT)?;
        code.write(*c);
        line.write(*l);
        message.write(m.as_ptr());
        Ok(())
    })
}

/// Writes how many data subjects the journals name.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_subject_count(
    view: *const delete_journal_view,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let view = arg(view)?;
        Out::new(count_out)?.write(view.subjects.len());
        Ok(())
    })
}

/// Writes data subject number `index` (incomplete ones first, then
/// scheduled, then erased; by key within each): its key (owned by the
/// view), a `DELETE_SUBJECT_STATUS_*` constant, its items' counts (each
/// once; a duplicate record of another subject's item counts as that
/// item's outcome) and, for a scheduled erasure, the latest time a vendor completes
/// one of its records (RFC 3339 UTC, owned by the view), or NULL when no
/// vendor gives one. `DELETE_RESULT_INDEX_OUT_OF_RANGE` past the end.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_subject(
    view: *const delete_journal_view,
    index: usize,
    subject_out: *mut *const c_char,
    status_out: *mut delete_subject_status,
    counts_out: *mut delete_counts,
    scheduled_until_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let (subject, status) = (Out::new(subject_out)?, Out::new(status_out)?);
        let (counts, until) = (Out::new(counts_out)?, Out::new(scheduled_until_out)?);
        let row = arg(view)?
            .subjects
            .get(index)
            .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
        subject.write(row.subject.as_ptr());
        status.write(row.status);
        counts.write(row.counts);
        until.write(
            row.scheduled_until
                .as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr()),
        );
        Ok(())
    })
}

/// Writes how many items have a record, over every journal read whole.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_item_count(
    view: *const delete_journal_view,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let view = arg(view)?;
        Out::new(count_out)?.write(view.items.len());
        Ok(())
    })
}

/// Writes item number `index` (journal by journal, in input order; its
/// strings owned by the view). `DELETE_RESULT_INDEX_OUT_OF_RANGE` past
/// the end.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_item(
    view: *const delete_journal_view,
    index: usize,
    item_out: *mut delete_journal_item,
) -> delete_result {
    guard(|| {
        let out = Out::new(item_out)?;
        let row = arg(view)?
            .items
            .get(index)
            .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
        out.write(row.item);
        Ok(())
    })
}

/// Writes how many items are recorded in more than one journal.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_cross_duplicate_count(
    view: *const delete_journal_view,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let view = arg(view)?;
        Out::new(count_out)?.write(view.cross_duplicates.len());
        Ok(())
    })
}

/// Writes cross-journal duplicate number `index`: the occurrence counted
/// (journal index, position) and another, counted as a duplicate.
/// `DELETE_RESULT_INDEX_OUT_OF_RANGE` past the end.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_journal_view_cross_duplicate(
    view: *const delete_journal_view,
    index: usize,
    first_journal_out: *mut usize,
    first_position_out: *mut u64,
    also_journal_out: *mut usize,
    also_position_out: *mut u64,
) -> delete_result {
    guard(|| {
        let (fj, fp) = (Out::new(first_journal_out)?, Out::new(first_position_out)?);
        let (aj, ap) = (Out::new(also_journal_out)?, Out::new(also_position_out)?);
        let (first, also) = *arg(view)?
            .cross_duplicates
            .get(index)
            .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
        fj.write(first.0);
        fp.write(first.1);
        aj.write(also.0);
        ap.write(also.1);
        Ok(())
    })
}
