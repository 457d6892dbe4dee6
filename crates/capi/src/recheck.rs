//! The recheck of a journal: [`delete_client_recheck_journal`] and its
//! [`delete_recheck_report`], in the style of the batch report (counts by
//! constant, the listed failures by index).

use std::ffi::c_char;
use std::path::Path;

use idv_delete_blocking::{CancelToken, RecheckReport};

use crate::batch::{batch_error, write_failure};

use crate::cancel::delete_cancel;
use crate::client::delete_client;
use crate::ffi::{self, arg, guard, into_handle, named_str_arg, Out};
use crate::result::delete_result::{self, *};

/// Which number `delete_recheck_report_count` reads: one of the
/// `DELETE_RECHECK_COUNT_*` constants.
pub type delete_recheck_count = u32;
/// Items the journal held as scheduled when the recheck began.
pub const DELETE_RECHECK_COUNT_SCHEDULED: delete_recheck_count = 1;
/// Items the vendor now shows erased: journaled as deleted, confirmed by
/// recheck (`DELETE_CONFIRMED_BY_RECHECK`).
pub const DELETE_RECHECK_COUNT_DELETED: delete_recheck_count = 2;
/// Items the vendor still completes later: journaled again as scheduled,
/// with the vendor's new date or state.
pub const DELETE_RECHECK_COUNT_STILL_SCHEDULED: delete_recheck_count = 3;
/// Items whose vendor offers no read to recheck with (Veriff): still
/// scheduled, nothing journaled.
pub const DELETE_RECHECK_COUNT_NOT_OFFERED: delete_recheck_count = 4;
/// Items whose read failed (no answer, credentials refused or missing, an
/// Onfido applicant restored): nothing journaled; recheck again later.
/// `delete_recheck_report_failure` lists them.
pub const DELETE_RECHECK_COUNT_FAILED: delete_recheck_count = 5;
/// The recheck's run number in the journal.
pub const DELETE_RECHECK_COUNT_RUN: delete_recheck_count = 6;

/// What `delete_client_recheck_journal` learnt. Immutable and thread-safe;
/// free it with `delete_recheck_report_free`.
pub struct delete_recheck_report {
    report: RecheckReport,
}

/// Rechecks every item that the journal at `path` (UTF-8) holds as
/// scheduled: one read each, sequential, never retried (a read changes
/// nothing, so running it again is always safe), and appends what the
/// vendors say to the journal as a run of its own: deleted, confirmed by
/// recheck, or still scheduled with the vendor's new date. Blocks until it
/// ends.
///
/// An item of a vendor this client has no credentials for is a failure
/// (`DELETE_RESULT_INVALID_CONFIG`, nothing sent), unless its vendor offers
/// no read (Veriff), which is counted in `DELETE_RECHECK_COUNT_NOT_OFFERED`.
/// `cancel` (NULL: none) stops it between two reads once
/// `delete_cancel_cancel` is called; the items not asked about stay
/// scheduled and `delete_recheck_report_cancelled` is true.
///
/// Failed reads do not fail the call: `DELETE_RESULT_OK` means the recheck
/// ran, and `*report_out` counts what it learnt. Before anything is sent:
/// a missing or unreadable journal is `DELETE_RESULT_JOURNAL_IO`, a damaged
/// one `DELETE_RESULT_JOURNAL_CORRUPT`, one whose hash chain breaks
/// `DELETE_RESULT_JOURNAL_TAMPERED`, one in use
/// `DELETE_RESULT_JOURNAL_LOCKED`, and one whose last run sent a vendor's
/// requests to another base URL `DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED`
/// (recheck with a client set to that base URL); the last error says which
/// file, line or endpoint. Free the report with `delete_recheck_report_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_recheck_journal(
    client: *const delete_client,
    path: *const c_char,
    cancel: *const delete_cancel,
    report_out: *mut *mut delete_recheck_report,
) -> delete_result {
    const CALL: &str = "delete_client_recheck_journal";
    guard(|| {
        let client = arg(client)?;
        let path = named_str_arg(CALL, "path", path)?;
        let token = if cancel.is_null() {
            CancelToken::new()
        } else {
            arg(cancel)?.token.clone()
        };
        let out = Out::new(report_out)?;
        let report = client
            .rust()
            .recheck_journal(Path::new(path), &token)
            .map_err(|error| batch_error(CALL, &error))?;
        out.write(into_handle(delete_recheck_report { report }));
        Ok(())
    })
}

/// Frees a recheck report. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_recheck_report_free(report: *mut delete_recheck_report) {
    ffi::free(report);
}

/// Writes the number `which` (a `DELETE_RECHECK_COUNT_*` constant) of the
/// report; `DELETE_RESULT_INVALID_ARGUMENT` for an unknown constant.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_recheck_report_count(
    report: *const delete_recheck_report,
    which: delete_recheck_count,
    count_out: *mut u64,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        let out = Out::new(count_out)?;
        out.write(match which {
            DELETE_RECHECK_COUNT_SCHEDULED => report.scheduled,
            DELETE_RECHECK_COUNT_DELETED => report.deleted,
            DELETE_RECHECK_COUNT_STILL_SCHEDULED => report.still_scheduled,
            DELETE_RECHECK_COUNT_NOT_OFFERED => report.not_offered,
            DELETE_RECHECK_COUNT_FAILED => report.failures.len() as u64,
            DELETE_RECHECK_COUNT_RUN => u64::from(report.run),
            _ => return Err(DELETE_RESULT_INVALID_ARGUMENT),
        });
        Ok(())
    })
}

/// Writes whether the recheck was cancelled before it asked about every
/// item (those not asked about stay scheduled: run it again).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_recheck_report_cancelled(
    report: *const delete_recheck_report,
    cancelled_out: *mut bool,
) -> delete_result {
    guard(|| {
        let report = &arg(report)?.report;
        Out::new(cancelled_out)?.write(report.cancelled);
        Ok(())
    })
}

/// Writes failed item number `index` (below `DELETE_RECHECK_COUNT_FAILED`):
/// its position in the journal's input (from 0) and its kind of failure (a
/// code from 100 to 199). Returns `DELETE_RESULT_INDEX_OUT_OF_RANGE` past
/// the end; nothing is written unless both pointers are valid.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_recheck_report_failure(
    report: *const delete_recheck_report,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_count_reads_its_own_field() {
        let report = RecheckReport {
            scheduled: 9,
            deleted: 4,
            still_scheduled: 2,
            not_offered: 1,
            run: 3,
            ..RecheckReport::default()
        };
        let handle = into_handle(delete_recheck_report { report });
        let count = |which| {
            let mut count = u64::MAX;
            assert_eq!(
                delete_recheck_report_count(handle, which, &mut count),
                DELETE_RESULT_OK
            );
            count
        };
        assert_eq!(count(DELETE_RECHECK_COUNT_SCHEDULED), 9);
        assert_eq!(count(DELETE_RECHECK_COUNT_DELETED), 4);
        assert_eq!(count(DELETE_RECHECK_COUNT_STILL_SCHEDULED), 2);
        assert_eq!(count(DELETE_RECHECK_COUNT_NOT_OFFERED), 1);
        assert_eq!(count(DELETE_RECHECK_COUNT_FAILED), 0);
        assert_eq!(count(DELETE_RECHECK_COUNT_RUN), 3);
        let mut count = 7;
        assert_eq!(
            delete_recheck_report_count(handle, DELETE_RECHECK_COUNT_RUN + 1, &mut count),
            DELETE_RESULT_INVALID_ARGUMENT
        );
        assert_eq!(count, 7, "nothing written");
        delete_recheck_report_free(handle);
    }
}
