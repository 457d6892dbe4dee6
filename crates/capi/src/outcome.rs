//! [`delete_outcome`]: how one deletion ended, and its accessors.

use std::ffi::{c_char, CString};

use idv_delete_blocking::{ConfirmedBy, DeleteError, Deleted};

use crate::ffi::{self, arg, c_string, guard, Out};
use crate::result::delete_result::{self, *};

/// How a deletion was confirmed (`delete_outcome_confirmed_by`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum delete_confirmed_by {
    /// The vendor answered 2xx to the request.
    DELETE_CONFIRMED_BY_RESPONSE = 1,
    /// The vendor answered 404 after an earlier attempt of the same deletion
    /// may have been applied (a timeout or reset after the request was sent,
    /// a 500, 502 or 504, a 2xx that was no proof, or an in-doubt item):
    /// absent after an uncertain attempt. The data is not at that endpoint
    /// now, either because that attempt erased it or because it was never
    /// there (a wrong reference, region or host looks the same).
    DELETE_CONFIRMED_BY_ABSENCE = 2,
}

/// How one deletion ended: deleted, or failed with a kind
/// (`delete_outcome_error`), and what is known (HTTP status, the vendor's
/// message, audit ids, attempts). Immutable and thread-safe; strings it
/// hands out live until `delete_outcome_free`. It never holds a credential.
pub struct delete_outcome {
    result: Result<Deleted, DeleteError>,
    message: CString,
    vendor_message: Option<CString>,
    audits: Vec<CString>,
}

impl delete_outcome {
    pub(crate) fn new(result: Result<Deleted, DeleteError>) -> delete_outcome {
        let (message, vendor_message, audits) = match &result {
            Ok(deleted) => (
                match deleted.confirmed_by {
                    ConfirmedBy::Response => "deleted: the vendor confirmed it".to_owned(),
                    ConfirmedBy::Absence => "deleted: confirmed by absence (absent after an uncertain attempt: erased by that attempt, or never present at that endpoint)".to_owned(),
                },
                deleted.vendor_message.as_deref(),
                deleted.audits.iter().map(|a| c_string(a)).collect(),
            ),
            Err(error) => (error.to_string(), error.vendor_message(), Vec::new()),
        };
        delete_outcome {
            message: c_string(&message),
            vendor_message: vendor_message.map(c_string),
            audits,
            result,
        }
    }
}

/// Frees an outcome and the strings it handed out. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_outcome_free(outcome: *mut delete_outcome) {
    ffi::free(outcome);
}

/// Writes whether the transaction was deleted (confirmed by the vendor's
/// answer or by absence). False for every failure, `DELETE_RESULT_NOT_FOUND`
/// included.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_deleted(
    outcome: *const delete_outcome,
    deleted_out: *mut bool,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        Out::new(deleted_out)?.write(outcome.result.is_ok());
        Ok(())
    })
}

/// Writes `DELETE_RESULT_OK` if the transaction was deleted, otherwise the
/// kind of failure: a code from 100 to 199 (`DELETE_RESULT_NOT_FOUND`,
/// `DELETE_RESULT_UNAUTHORIZED`, `DELETE_RESULT_TIMEOUT`...).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_error(
    outcome: *const delete_outcome,
    error_out: *mut delete_result,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let code = match &outcome.result {
            Ok(_) => DELETE_RESULT_OK,
            Err(error) => delete_result::from_kind(error.kind()),
        };
        Out::new(error_out)?.write(code);
        Ok(())
    })
}

/// Writes a one-line English explanation of the outcome: for a failure,
/// what went wrong, the HTTP status, the vendor's message and what to do.
/// It never contains a credential. Owned by the outcome.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_message(
    outcome: *const delete_outcome,
    message_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        Out::new(message_out)?.write(outcome.message.as_ptr());
        Ok(())
    })
}

/// Writes the HTTP status of the last answer of a failed deletion;
/// `DELETE_RESULT_ABSENT` when none was received (a timeout, a connection
/// failure) and for deletions.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_http_status(
    outcome: *const delete_outcome,
    status_out: *mut u16,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(status_out)?;
        let status = outcome.result.as_ref().err().and_then(DeleteError::status);
        out.write(status.ok_or(DELETE_RESULT_ABSENT)?);
        Ok(())
    })
}

/// Writes the vendor's own message from the last answer (HyperVerge's
/// `message` or `error`, Jumio's body text): at most 1024 bytes, without
/// control characters. `DELETE_RESULT_ABSENT` when the vendor sent none.
/// Owned by the outcome.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_vendor_message(
    outcome: *const delete_outcome,
    message_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(message_out)?;
        let message = outcome
            .vendor_message
            .as_ref()
            .ok_or(DELETE_RESULT_ABSENT)?;
        out.write(message.as_ptr());
        Ok(())
    })
}

/// Writes how many audit ids the vendor reported deleted (HyperVerge's
/// `deletedAudits`; always 0 for Jumio and for failures).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_audit_count(
    outcome: *const delete_outcome,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        Out::new(count_out)?.write(outcome.audits.len());
        Ok(())
    })
}

/// Writes audit id number `index` (from 0, below
/// `delete_outcome_audit_count`), or returns
/// `DELETE_RESULT_INDEX_OUT_OF_RANGE`. Owned by the outcome.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_audit(
    outcome: *const delete_outcome,
    index: usize,
    audit_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(audit_out)?;
        let audit = outcome
            .audits
            .get(index)
            .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
        out.write(audit.as_ptr());
        Ok(())
    })
}

/// Writes how long the vendor asked to wait (`Retry-After` of a 429 or 503),
/// in milliseconds; `DELETE_RESULT_ABSENT` when it did not ask.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_retry_after_ms(
    outcome: *const delete_outcome,
    milliseconds_out: *mut u64,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(milliseconds_out)?;
        let wait = outcome
            .result
            .as_ref()
            .err()
            .and_then(DeleteError::retry_after);
        let wait = wait.ok_or(DELETE_RESULT_ABSENT)?;
        out.write(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
        Ok(())
    })
}

/// Writes how many requests were sent for this deletion, retries and the
/// confirming request included; 0 when it failed before any was sent.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_attempts(
    outcome: *const delete_outcome,
    attempts_out: *mut u32,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let attempts = match &outcome.result {
            Ok(deleted) => deleted.attempts,
            Err(error) => error.attempts(),
        };
        Out::new(attempts_out)?.write(attempts);
        Ok(())
    })
}

/// Writes how the deletion was confirmed; `DELETE_RESULT_ABSENT` when the
/// transaction was not deleted.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_confirmed_by(
    outcome: *const delete_outcome,
    confirmed_by_out: *mut delete_confirmed_by,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(confirmed_by_out)?;
        let deleted = outcome.result.as_ref().map_err(|_| DELETE_RESULT_ABSENT)?;
        out.write(match deleted.confirmed_by {
            ConfirmedBy::Response => delete_confirmed_by::DELETE_CONFIRMED_BY_RESPONSE,
            ConfirmedBy::Absence => delete_confirmed_by::DELETE_CONFIRMED_BY_ABSENCE,
        });
        Ok(())
    })
}

/// Writes whether a failed deletion may nevertheless have been applied: a
/// timeout or reset after the request was sent, a 500, 502 or 504, a 2xx
/// that is no proof (an HTML page, a Jumio body that is not JSON, a
/// HyperVerge body that cannot be read); a cancelled deletion is in doubt
/// when such an attempt came before the cancel. Delete it again with `delete_client_delete_resumed` (or
/// run the batch again with the same journal): a 404 then counts as
/// deleted, `DELETE_CONFIRMED_BY_ABSENCE` (erased by the earlier attempt,
/// or never present at that endpoint). False for deletions.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_in_doubt(
    outcome: *const delete_outcome,
    in_doubt_out: *mut bool,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let in_doubt = outcome
            .result
            .as_ref()
            .err()
            .is_some_and(DeleteError::in_doubt);
        Out::new(in_doubt_out)?.write(in_doubt);
        Ok(())
    })
}
