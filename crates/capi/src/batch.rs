//! The batch: [`delete_batch_options`], [`delete_client_delete_many`] and
//! [`delete_batch_report`].

use std::ffi::{c_char, c_uint, c_void, CString};
use std::path::PathBuf;

use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;

use idv_delete_blocking::{
    BatchError, BatchOptions, BatchReport, CancelToken, FailedItem, JournalError, Progress, Vendor,
    Window,
};

use crate::cancel::delete_cancel;
use crate::client::{delete_client, delete_product};
use crate::ffi::{self, arg, arg_mut, c_string, guard, into_handle, named_str_arg, slice_arg, Out};
use crate::last_error::detailed;
use crate::result::delete_result::{self, *};

/// Counts so far, given to a `delete_progress_callback`. Filled by
/// libdelete; new fields are only ever added at the end.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct delete_progress {
    /// Items finished in this run: deleted, scheduled, not found or failed.
    pub done: u64,
    /// Items deleted (confirmed by the vendor's answer or by absence);
    /// never the scheduled ones.
    pub deleted: u64,
    /// Items the vendor does not hold (404).
    pub not_found: u64,
    /// Items that failed.
    pub failed: u64,
    /// Items being deleted right now.
    pub in_flight: u64,
    /// Items skipped because the journal has their outcome.
    pub skipped: u64,
    /// Items the vendor accepted to erase later (not counted in
    /// `deleted`). Added after `skipped`, as new fields are.
    pub scheduled: u64,
}

/// Called after each finished item of a batch, from the batch's worker
/// threads (one call at a time per thread, several threads at once): it
/// must be thread-safe and quick. `progress` is valid during the call only.
/// Return true to go on, false to cancel the batch: no new item starts,
/// items in flight finish and are journaled.
pub type delete_progress_callback =
    Option<extern "C" fn(user_data: *mut c_void, progress: *const delete_progress) -> bool>;

/// Which number `delete_batch_report_count` reads: one of the
/// `DELETE_BATCH_COUNT_*` constants.
pub type delete_batch_count = u32;
/// Items deleted, by response or by absence (never the scheduled ones).
pub const DELETE_BATCH_COUNT_DELETED: delete_batch_count = 1;
/// Items deleted, confirmed by a 2xx answer.
pub const DELETE_BATCH_COUNT_DELETED_BY_RESPONSE: delete_batch_count = 2;
/// Items deleted, confirmed by a 404 after an attempt that may have been
/// applied (including in-doubt items of a resumed journal): absent after
/// an uncertain attempt, so erased by it or never present at that endpoint.
pub const DELETE_BATCH_COUNT_DELETED_BY_ABSENCE: delete_batch_count = 3;
/// Items not found at the vendor (never counted as deleted).
pub const DELETE_BATCH_COUNT_NOT_FOUND: delete_batch_count = 4;
/// Items that failed, all kinds (`delete_batch_report_failed_kind` splits
/// them).
pub const DELETE_BATCH_COUNT_FAILED: delete_batch_count = 5;
/// Failed items whose attempt may have deleted them: run the batch again
/// with the same journal to confirm.
pub const DELETE_BATCH_COUNT_IN_DOUBT: delete_batch_count = 6;
/// Items skipped because the journal has their outcome.
pub const DELETE_BATCH_COUNT_SKIPPED: delete_batch_count = 7;
/// In-doubt items of a resumed journal that were run again.
pub const DELETE_BATCH_COUNT_RESUMED_IN_DOUBT: delete_batch_count = 8;
/// Requests sent, retries included.
pub const DELETE_BATCH_COUNT_ATTEMPTS: delete_batch_count = 9;
/// Jumio Platform access tokens requested during the batch: one per token
/// lifetime when all goes well, none when the client already held a fresh
/// one (not counted in `DELETE_BATCH_COUNT_ATTEMPTS`).
pub const DELETE_BATCH_COUNT_TOKEN_REQUESTS: delete_batch_count = 10;
/// Items the vendor accepted to erase later (Onfido's archive, Stripe's
/// `processing`, Veriff's 12 hours): a success, never counted in
/// `DELETE_BATCH_COUNT_DELETED`.
pub const DELETE_BATCH_COUNT_SCHEDULED: delete_batch_count = 11;
/// Items a dry run (`delete_batch_options_set_dry_run`) checked and would
/// have sent; 0 for a batch that ran.
pub const DELETE_BATCH_COUNT_WOULD_DELETE: delete_batch_count = 12;
/// Failed items of a resumed journal that were run again (a failure not in
/// doubt is sent again by a resume, as a new attempt).
pub const DELETE_BATCH_COUNT_RETRIED_FAILURES: delete_batch_count = 13;
/// Items that repeat an earlier item of the input (same product, region
/// and reference): not sent, journaled as duplicates; the first
/// occurrence's outcome is theirs.
pub const DELETE_BATCH_COUNT_DUPLICATES: delete_batch_count = 14;
/// The run's number in its journal (1 for a new journal); 0 without a
/// journal or in a dry run.
pub const DELETE_BATCH_COUNT_RUN: delete_batch_count = 15;
/// Failed items beyond the 1000 that `delete_batch_report_failure` lists.
pub const DELETE_BATCH_COUNT_FAILURES_OMITTED: delete_batch_count = 16;
/// Items finished in this run: deleted, scheduled, not found, failed, or
/// in a dry run would be deleted.
pub const DELETE_BATCH_COUNT_DONE: delete_batch_count = 17;

/// How to run a batch: concurrency, rate limit, journal and progress
/// callback. Not thread-safe; free it with `delete_batch_options_free`.
pub struct delete_batch_options {
    concurrency: Option<usize>,
    rate: Option<f64>,
    journal: Option<PathBuf>,
    progress: Option<Callback>,
    cancel: Option<CancelToken>,
    /// The vendors whose windows the caller set (an empty list lifts them).
    windows: BTreeMap<Vendor, Vec<Window>>,
    wait_for_windows: bool,
    adaptive_rate: bool,
    dry_run: bool,
    allow_endpoint_change: bool,
}

/// The caller's progress callback and its user data.
#[derive(Clone, Copy)]
struct Callback {
    function: extern "C" fn(*mut c_void, *const delete_progress) -> bool,
    user_data: *mut c_void,
}

// SAFETY: the header requires the callback to be thread-safe with its user
// data; libdelete only passes the pointer back.
unsafe impl Send for Callback {}
// SAFETY: as above.
unsafe impl Sync for Callback {}

impl Callback {
    /// Calls back with `progress`; false asks to cancel.
    fn call(&self, progress: &Progress) -> bool {
        let snapshot = delete_progress {
            done: progress.done,
            deleted: progress.deleted,
            not_found: progress.not_found,
            failed: progress.failed,
            in_flight: progress.in_flight,
            skipped: progress.skipped,
            scheduled: progress.scheduled,
        };
        (self.function)(self.user_data, &snapshot)
    }
}

/// What a batch did: counts, failures by kind, and the first 1000 failed
/// items. Immutable and thread-safe; free it with
/// `delete_batch_report_free`.
pub struct delete_batch_report {
    report: BatchReport,
    /// `report.journal_notes`, NUL-terminated for `delete_batch_report_journal_note`.
    notes: Vec<CString>,
    /// `report.journal_fingerprint`, NUL-terminated for
    /// `delete_batch_report_journal_fingerprint`.
    fingerprint: Option<CString>,
}

/// Makes batch options with the defaults: 8 workers, no rate limit (not
/// adaptive), no journal, no progress callback, no cancel, a real run (not
/// dry).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_new(
    options_out: *mut *mut delete_batch_options,
) -> delete_result {
    guard(|| {
        Out::new(options_out)?.write(into_handle(delete_batch_options {
            concurrency: None,
            rate: None,
            journal: None,
            progress: None,
            cancel: None,
            windows: BTreeMap::new(),
            wait_for_windows: false,
            adaptive_rate: false,
            dry_run: false,
            allow_endpoint_change: false,
        }));
        Ok(())
    })
}

/// Frees batch options. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_batch_options_free(options: *mut delete_batch_options) {
    ffi::free(options);
}

/// Sets the number of worker threads, 1 to 256 (default 8); the batch
/// refuses others with `DELETE_RESULT_INVALID_BATCH_OPTIONS`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_concurrency(
    options: *mut delete_batch_options,
    workers: u32,
) -> delete_result {
    guard(|| {
        let workers = usize::try_from(workers).unwrap_or(usize::MAX);
        arg_mut(options)?.concurrency = Some(workers);
        Ok(())
    })
}

/// Limits requests per second across all workers, retries included
/// (default: no limit). The batch refuses a rate that is not above 0 and at
/// most 1000000 with `DELETE_RESULT_INVALID_BATCH_OPTIONS`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_rate(
    options: *mut delete_batch_options,
    per_second: f64,
) -> delete_result {
    guard(|| {
        arg_mut(options)?.rate = Some(per_second);
        Ok(())
    })
}

/// Whether the batch adapts its rate to the vendors' 429s (default
/// false): the first 429 makes the batch pace itself from the rate the
/// vendor accepted so far and search for the highest rate it accepts
/// (slow start, then CUBIC as TCP does), never above the rate of
/// `delete_batch_options_set_rate`, so that an unknown limit costs a few
/// 429s rather than one in every few requests. Off, a 429 with
/// `Retry-After` pauses every worker and the batch goes on at its former
/// rate. Turn it on where a vendor's 429s mean a rate limit.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_adaptive_rate(
    options: *mut delete_batch_options,
    adaptive: bool,
) -> delete_result {
    guard(|| {
        arg_mut(options)?.adaptive_rate = adaptive;
        Ok(())
    })
}

/// Whether the batch only checks (default false): true reads, never
/// writes. Every item is checked (credentials for its vendor) and counted
/// as `DELETE_BATCH_COUNT_WOULD_DELETE`; an existing journal is read and
/// replayed as a resume would (its finished items counted as skipped, a
/// changed input or endpoint refused). Nothing is sent, and no journal,
/// record or lock file is written.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_dry_run(
    options: *mut delete_batch_options,
    dry_run: bool,
) -> delete_result {
    guard(|| {
        arg_mut(options)?.dry_run = dry_run;
        Ok(())
    })
}

/// Whether a resume may send to another endpoint than the journal's last
/// run did (default false: refused with
/// `DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED`, since a 404 at another
/// endpoint proves nothing about the first). Set it only when the vendor
/// moved the same data to the new endpoint.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_allow_endpoint_change(
    options: *mut delete_batch_options,
    allow: bool,
) -> delete_result {
    guard(|| {
        arg_mut(options)?.allow_endpoint_change = allow;
        Ok(())
    })
}

/// Journals the batch to the file at `path` (UTF-8): created if absent,
/// resumed if present. Each item's `sent` record is on disk before its
/// request leaves, and its outcome follows; running the same references
/// again with the same journal skips finished items and re-runs in-doubt
/// ones, so a crash at any instant loses no deletion. The journal never
/// holds a credential.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_journal(
    options: *mut delete_batch_options,
    path: *const c_char,
) -> delete_result {
    guard(|| {
        let options = arg_mut(options)?;
        let path = named_str_arg("delete_batch_options_set_journal", "path", path)?;
        options.journal = Some(PathBuf::from(path));
        Ok(())
    })
}

/// Calls `callback(user_data, &progress)` after each finished item (see
/// `delete_progress_callback`); a NULL `callback` removes it. `user_data`
/// is passed back untouched and may be NULL.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_progress(
    options: *mut delete_batch_options,
    callback: delete_progress_callback,
    user_data: *mut c_void,
) -> delete_result {
    guard(|| {
        arg_mut(options)?.progress = callback.map(|function| Callback {
            function,
            user_data,
        });
        Ok(())
    })
}

/// Lets `cancel` stop the batch (see `delete_cancel`): once
/// `delete_cancel_cancel` is called, from any thread, no new item starts,
/// pauses and backoffs end at once, and items cut short are journaled as
/// failed with `DELETE_RESULT_CANCELLED` so that running the batch again
/// with the same journal finishes them; `delete_batch_report_cancelled` is
/// then true. The options keep their own reference: `cancel` may be freed
/// before them. NULL removes it. A progress callback returning false
/// cancels `cancel` too.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_cancel(
    options: *mut delete_batch_options,
    cancel: *const delete_cancel,
) -> delete_result {
    guard(|| {
        let options = arg_mut(options)?;
        options.cancel = if cancel.is_null() {
            None
        } else {
            Some(arg(cancel)?.token.clone())
        };
        Ok(())
    })
}

/// Adds a request window for `vendor` (its lowercase name: `"jumio"`,
/// `"jumio-platform"`, `"hyperverge"`, `"onfido"`, `"persona"`, `"stripe"`
/// or `"veriff"`): at most `count` requests in any `seconds`, retries and
/// the journal's earlier runs included. The first call for a vendor
/// replaces its documented windows (Jumio Platform 15 per second, Persona
/// 300 per minute, Stripe 25 per second, Veriff 5 per hour and 10 per 24
/// hours), which apply otherwise; each further call adds one. An unknown
/// vendor is `DELETE_RESULT_INVALID_ARGUMENT`; a count of 0 or a span not
/// above 0 s and at most 31 days `DELETE_RESULT_INVALID_BATCH_OPTIONS`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_window(
    options: *mut delete_batch_options,
    vendor: *const c_char,
    count: u32,
    seconds: f64,
) -> delete_result {
    guard(|| {
        let options = arg_mut(options)?;
        let vendor = vendor_arg("delete_batch_options_set_window", vendor)?;
        let window = Window::checked(count, seconds).map_err(|e| {
            detailed(
                DELETE_RESULT_INVALID_BATCH_OPTIONS,
                format!("delete_batch_options_set_window: {}", e.detail()),
            )
        })?;
        options.windows.entry(vendor).or_default().push(window);
        Ok(())
    })
}

/// Lifts every request window of `vendor` (named as for
/// `delete_batch_options_set_window`), its documented ones included: for a
/// contract with a higher limit, or the emulator. A later
/// `delete_batch_options_set_window` for the vendor sets one again.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_lift_windows(
    options: *mut delete_batch_options,
    vendor: *const c_char,
) -> delete_result {
    guard(|| {
        let options = arg_mut(options)?;
        let vendor = vendor_arg("delete_batch_options_lift_windows", vendor)?;
        options.windows.insert(vendor, Vec::new());
        Ok(())
    })
}

/// Whether a batch waits for a window full for longer than 2 minutes
/// (true), or stops there (false, the default: `delete_batch_report_cancelled`
/// is then true and `delete_batch_report_window_full` says when to run it
/// again with the same journal). Shorter waits are always taken.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_options_set_wait_for_windows(
    options: *mut delete_batch_options,
    wait: bool,
) -> delete_result {
    guard(|| {
        arg_mut(options)?.wait_for_windows = wait;
        Ok(())
    })
}

/// A vendor's lowercase name, or `DELETE_RESULT_INVALID_ARGUMENT` naming
/// the accepted ones.
fn vendor_arg(call: &str, vendor: *const c_char) -> ffi::Result<Vendor> {
    named_str_arg(call, "vendor", vendor)?
        .parse()
        .map_err(|e: idv_delete_blocking::DeleteError| {
            detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                format!("{call}: {}", e.detail()),
            )
        })
}

/// Deletes `count` references of `product` (a `DELETE_PRODUCT_*` constant;
/// Jumio references in the client's region) with bounded concurrency,
/// retries, the rate limit, the journal and the progress callback of
/// `options` (NULL: the defaults). Blocks until the batch ends.
///
/// Every reference is checked first: a NULL one is
/// `DELETE_RESULT_NULL_ARGUMENT`, a malformed one
/// `DELETE_RESULT_INVALID_REFERENCE`, and then nothing is sent. Failed
/// items do not fail the call: `DELETE_RESULT_OK` means the batch ran, and
/// `*report_out` counts what was deleted, scheduled, not found and failed. Journal
/// problems are `DELETE_RESULT_JOURNAL_*` codes. Free the report with
/// `delete_batch_report_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_many(
    client: *const delete_client,
    product: delete_product,
    references: *const *const c_char,
    count: usize,
    options: *const delete_batch_options,
    report_out: *mut *mut delete_batch_report,
) -> delete_result {
    guard(|| {
        let client = arg(client)?;
        let references = slice_arg(references, count)?;
        let out = Out::new(report_out)?;
        let intents = references
            .iter()
            .enumerate()
            .map(|(index, reference)| {
                let name = format!("references[{index}]");
                let reference = named_str_arg("delete_client_delete_many", &name, *reference)?;
                let resolved = client.resolve(product, reference).inspect_err(|&code| {
                    // Say which of the references it is.
                    let why = crate::last_error::take().unwrap_or_default();
                    detailed(code, format!("delete_client_delete_many: {name}: {why}"));
                })?;
                Ok(resolved)
            })
            .collect::<ffi::Result<Vec<_>>>()?;
        let batch = batch_options(options)?;
        let report = client
            .rust()
            .delete_many(intents, batch)
            .map_err(|error| batch_error("delete_client_delete_many", &error))?;
        out.write(into_handle(delete_batch_report::new(report)));
        Ok(())
    })
}

/// The Rust batch options of `options` (NULL: the defaults).
pub(crate) fn batch_options(options: *const delete_batch_options) -> ffi::Result<BatchOptions> {
    let mut batch = BatchOptions::default();
    if options.is_null() {
        return Ok(batch);
    }
    let options = arg(options)?;
    if let Some(workers) = options.concurrency {
        batch = batch.concurrency(workers);
    }
    if let Some(rate) = options.rate {
        batch = batch.rate(rate);
    }
    if let Some(journal) = &options.journal {
        batch = batch.journal(journal);
    }
    for (vendor, windows) in &options.windows {
        batch = batch.vendor_windows(*vendor, windows.clone());
    }
    batch = batch
        .wait_for_windows(options.wait_for_windows)
        .adaptive_rate(options.adaptive_rate)
        .dry_run(options.dry_run)
        .allow_endpoint_change(options.allow_endpoint_change);
    let cancel = options.cancel.clone().unwrap_or_default();
    batch = batch.cancel(cancel.clone());
    if let Some(callback) = options.progress {
        batch = batch.progress(move |progress| {
            if !callback.call(progress) {
                cancel.cancel();
            }
        });
    }
    Ok(batch)
}

impl delete_batch_report {
    /// The C handle's contents for `report`.
    pub(crate) fn new(report: BatchReport) -> delete_batch_report {
        let notes = report.journal_notes.iter().map(|n| c_string(n)).collect();
        let fingerprint = report.journal_fingerprint.as_deref().map(c_string);
        delete_batch_report {
            report,
            notes,
            fingerprint,
        }
    }
}

/// The code of a batch or journal recheck that could not run, its message
/// (the journal's path and line, the lock's holder, both endpoints) the
/// last error, prefixed by the C call.
pub(crate) fn batch_error(call: &str, error: &BatchError) -> delete_result {
    let code = match error {
        BatchError::InvalidOptions(_) => DELETE_RESULT_INVALID_BATCH_OPTIONS,
        BatchError::Journal(JournalError::Io { .. }) => DELETE_RESULT_JOURNAL_IO,
        BatchError::Journal(JournalError::Corrupt { .. }) => DELETE_RESULT_JOURNAL_CORRUPT,
        BatchError::Journal(JournalError::Tampered { .. }) => DELETE_RESULT_JOURNAL_TAMPERED,
        BatchError::Journal(JournalError::InputChanged { .. }) => {
            DELETE_RESULT_JOURNAL_INPUT_CHANGED
        }
        BatchError::Journal(JournalError::Locked { .. }) => DELETE_RESULT_JOURNAL_LOCKED,
        BatchError::Journal(
            JournalError::EndpointChanged { .. } | JournalError::RecheckEndpointChanged { .. },
        ) => DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED,
        _ => DELETE_RESULT_UNKNOWN_ERROR,
    };
    detailed(code, format!("{call}: {error}"))
}

/// Frees a batch report. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_batch_report_free(report: *mut delete_batch_report) {
    ffi::free(report);
}

/// Writes the number `which` (a `DELETE_BATCH_COUNT_*` constant) of the
/// report; `DELETE_RESULT_INVALID_ARGUMENT` for an unknown constant.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_count(
    report: *const delete_batch_report,
    which: delete_batch_count,
    count_out: *mut u64,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        let out = Out::new(count_out)?;
        out.write(match which {
            DELETE_BATCH_COUNT_DELETED => report.deleted(),
            DELETE_BATCH_COUNT_DELETED_BY_RESPONSE => report.deleted_by_response,
            DELETE_BATCH_COUNT_DELETED_BY_ABSENCE => report.deleted_by_absence,
            DELETE_BATCH_COUNT_NOT_FOUND => report.not_found,
            DELETE_BATCH_COUNT_FAILED => report.failed_total(),
            DELETE_BATCH_COUNT_IN_DOUBT => report.in_doubt,
            DELETE_BATCH_COUNT_SKIPPED => report.skipped,
            DELETE_BATCH_COUNT_RESUMED_IN_DOUBT => report.resumed_in_doubt,
            DELETE_BATCH_COUNT_ATTEMPTS => report.attempts,
            DELETE_BATCH_COUNT_TOKEN_REQUESTS => report.token_requests,
            DELETE_BATCH_COUNT_SCHEDULED => report.scheduled,
            DELETE_BATCH_COUNT_WOULD_DELETE => report.would_delete,
            DELETE_BATCH_COUNT_RETRIED_FAILURES => report.retried_failures,
            DELETE_BATCH_COUNT_DUPLICATES => report.duplicates,
            DELETE_BATCH_COUNT_RUN => u64::from(report.run),
            DELETE_BATCH_COUNT_FAILURES_OMITTED => report.failures_omitted,
            DELETE_BATCH_COUNT_DONE => report.done(),
            _ => return Err(DELETE_RESULT_INVALID_ARGUMENT),
        });
        Ok(())
    })
}

/// Writes how many items failed with `kind`, a code from 100 to 199 such as
/// `DELETE_RESULT_SERVER` (not-found items are counted by
/// `DELETE_BATCH_COUNT_NOT_FOUND`, so 0 for `DELETE_RESULT_NOT_FOUND`);
/// `DELETE_RESULT_INVALID_ARGUMENT` for any other number.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_failed_kind(
    report: *const delete_batch_report,
    kind: c_uint,
    count_out: *mut u64,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        let out = Out::new(count_out)?;
        let kind = delete_result::from_code(kind)
            .and_then(delete_result::kind)
            .ok_or(DELETE_RESULT_INVALID_ARGUMENT)?;
        out.write(report.failed.get(&kind).copied().unwrap_or(0));
        Ok(())
    })
}

/// Writes whether the batch was cancelled (by the progress callback)
/// before every item ran.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_cancelled(
    report: *const delete_batch_report,
    cancelled_out: *mut bool,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        Out::new(cancelled_out)?.write(report.cancelled);
        Ok(())
    })
}

/// Writes whether the batch stopped at a vendor's request window full for
/// longer than 2 minutes (see `delete_batch_options_set_wait_for_windows`)
/// and, if it did, when that window lets a request go again, in
/// milliseconds since the Unix epoch (UTC; 0 if it did not stop there).
/// Run the batch again with the same journal after that time.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_window_full(
    report: *const delete_batch_report,
    full_out: *mut bool,
    until_unix_ms_out: *mut u64,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        let full = Out::new(full_out)?;
        let until = Out::new(until_unix_ms_out)?;
        let at = report.window_full.map(|full| {
            full.until
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        });
        full.write(at.is_some());
        until.write(at.unwrap_or(0));
        Ok(())
    })
}

/// Writes whether the batch was a dry run (`delete_batch_options_set_dry_run`):
/// nothing was sent and nothing written.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_dry_run(
    report: *const delete_batch_report,
    dry_run_out: *mut bool,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        Out::new(dry_run_out)?.write(report.dry_run);
        Ok(())
    })
}

/// Writes the batch's wall time in milliseconds.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_elapsed_ms(
    report: *const delete_batch_report,
    elapsed_ms_out: *mut u64,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        let ms = u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX);
        Out::new(elapsed_ms_out)?.write(ms);
        Ok(())
    })
}

/// Writes how many notes about the journal the batch left: a torn last
/// line that was cut away, an input shorter than the journal, a salvaged
/// journal. Show them to whoever runs the batch.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_journal_note_count(
    report: *const delete_batch_report,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let report = arg(report)?;
        Out::new(count_out)?.write(report.notes.len());
        Ok(())
    })
}

/// Writes note number `index` (below
/// `delete_batch_report_journal_note_count`), one line of English, owned
/// by the report; `DELETE_RESULT_INDEX_OUT_OF_RANGE` past the end.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_journal_note(
    report: *const delete_batch_report,
    index: usize,
    note_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let report = arg(report)?;
        let out = Out::new(note_out)?;
        let note = report
            .notes
            .get(index)
            .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
        out.write(note.as_ptr());
        Ok(())
    })
}

/// Writes the journal's fingerprint after this run (64 lowercase hex
/// digits, the hash chain value of its last line), owned by the report:
/// store it elsewhere (a ticket, a log) to prove later that the journal is
/// unchanged (`idv-delete verify` prints it again).
/// `DELETE_RESULT_ABSENT` without a journal, in a dry run, or for a
/// journal started before the chain existed.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_journal_fingerprint(
    report: *const delete_batch_report,
    fingerprint_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let report = arg(report)?;
        let out = Out::new(fingerprint_out)?;
        let fingerprint = report.fingerprint.as_ref().ok_or(DELETE_RESULT_ABSENT)?;
        out.write(fingerprint.as_ptr());
        Ok(())
    })
}

/// Writes how many failed items the report lists: the first 1000 failures
/// (`DELETE_BATCH_COUNT_FAILED` counts them all).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_failure_count(
    report: *const delete_batch_report,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        Out::new(count_out)?.write(report.failures.len());
        Ok(())
    })
}

/// Writes failed item number `index` (below
/// `delete_batch_report_failure_count`): its position in the references
/// given (from 0) and its kind of failure (a code from 100 to 199). Returns
/// `DELETE_RESULT_INDEX_OUT_OF_RANGE` past the end; nothing is written
/// unless both pointers are valid.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_batch_report_failure(
    report: *const delete_batch_report,
    index: usize,
    position_out: *mut u64,
    error_out: *mut delete_result,
) -> delete_result {
    guard(|| {
        write_failure(
            &arg(report)?.report.failures,
            index,
            position_out,
            error_out,
        )
    })
}

/// Writes `failures[index]`'s position and kind of failure (for a batch's
/// and a recheck's report alike).
pub(crate) fn write_failure(
    failures: &[FailedItem],
    index: usize,
    position_out: *mut u64,
    error_out: *mut delete_result,
) -> Result<(), delete_result> {
    let (position, error) = (Out::new(position_out)?, Out::new(error_out)?);
    let failure = failures
        .get(index)
        .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
    position.write(failure.position);
    error.write(delete_result::from_kind(failure.error.kind()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made report shows the scheduled count is its own and never
    /// in `DELETED`.
    #[test]
    fn scheduled_items_are_counted_apart_from_deleted() {
        let mut report = BatchReport::default();
        report.deleted_by_response = 2;
        report.scheduled = 3;
        let handle = into_handle(delete_batch_report::new(report));
        let count = |which| {
            let mut count = u64::MAX;
            assert_eq!(
                delete_batch_report_count(handle, which, &mut count),
                DELETE_RESULT_OK
            );
            count
        };
        assert_eq!(count(DELETE_BATCH_COUNT_SCHEDULED), 3);
        assert_eq!(count(DELETE_BATCH_COUNT_DELETED), 2);
        assert_eq!(count(DELETE_BATCH_COUNT_DELETED_BY_RESPONSE), 2);
        let mut count = 0;
        assert_eq!(
            delete_batch_report_count(handle, DELETE_BATCH_COUNT_DONE + 1, &mut count),
            DELETE_RESULT_INVALID_ARGUMENT
        );
        delete_batch_report_free(handle);
    }

    extern "C" fn record(user_data: *mut c_void, progress: *const delete_progress) -> bool {
        // SAFETY: the test passes a `delete_progress` as user data, and
        // libdelete a valid snapshot.
        unsafe { *user_data.cast::<delete_progress>() = *progress };
        true
    }

    #[test]
    fn progress_passes_on_the_scheduled_count() {
        let mut seen = delete_progress::default();
        let callback = Callback {
            function: record,
            user_data: (&raw mut seen).cast(),
        };
        let mut progress = Progress::default();
        progress.done = 5;
        progress.deleted = 1;
        progress.scheduled = 4;
        assert!(callback.call(&progress));
        assert_eq!(seen.done, 5);
        assert_eq!(seen.deleted, 1);
        assert_eq!(seen.scheduled, 4);
    }
}
