//! [`delete_outcome`]: how one deletion ended, and its accessors.
//!
//! A deletion ends deleted, scheduled (the vendor accepted the erasure and
//! completes it later) or failed; `delete_outcome_status` says which. A
//! scheduled erasure is a success but never a deletion: every accessor
//! that existed before it answers "not deleted" for it
//! (`delete_outcome_deleted` false, `delete_outcome_error` and
//! `delete_outcome_confirmed_by` `DELETE_RESULT_ABSENT`), so a program
//! written before it cannot count one as deleted by accident.

use std::ffi::{c_char, CString};
use std::time::Duration;

use idv_delete_blocking::{ConfirmedBy, DeleteError, Erasure, Scheduled};

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
    /// A later read of the vendor's record showed that an erasure it had
    /// scheduled is complete (Stripe's `redaction.status` is `redacted`,
    /// Onfido no longer holds the archived applicant, Persona shows
    /// `redacted-at`).
    DELETE_CONFIRMED_BY_RECHECK = 3,
}

/// What became of one deletion (`delete_outcome_status`). New values may
/// be added; treat an unknown one as not deleted.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum delete_status {
    /// The vendor no longer holds the data (see
    /// `delete_outcome_confirmed_by`).
    DELETE_OUTCOME_DELETED = 1,
    /// The vendor accepted the erasure and completes it later (Onfido's
    /// archive, Stripe's `processing`, Veriff's 12 hours): a success, but
    /// **not a deletion** until a recheck confirms it. See
    /// `delete_outcome_completes`, `delete_outcome_within_secs`,
    /// `delete_outcome_until` and `delete_outcome_vendor_status`.
    DELETE_OUTCOME_SCHEDULED = 2,
    /// The deletion failed, not found included: `delete_outcome_error`
    /// says how.
    DELETE_OUTCOME_FAILED = 3,
}

/// How one deletion ended: deleted, scheduled by the vendor for later, or
/// failed with a kind (`delete_outcome_status`, `delete_outcome_error`),
/// and what is known (HTTP status, the vendor's message, audit ids,
/// attempts, when a scheduled erasure completes). Immutable and
/// thread-safe; strings it hands out live until `delete_outcome_free`. It
/// never holds a credential.
pub struct delete_outcome {
    result: Result<Erasure, DeleteError>,
    message: CString,
    vendor_message: Option<CString>,
    audits: Vec<CString>,
    scheduled: Option<ScheduledText>,
}

/// The strings of a scheduled erasure, as C strings the outcome owns.
struct ScheduledText {
    completes: CString,
    until: Option<CString>,
    vendor_status: Option<CString>,
}

impl delete_outcome {
    pub(crate) fn new(result: Result<Erasure, DeleteError>) -> delete_outcome {
        let (message, vendor_message) = match &result {
            Ok(Erasure::Deleted(deleted)) => (
                match deleted.confirmed_by {
                    ConfirmedBy::Response => "deleted: the vendor confirmed it".to_owned(),
                    ConfirmedBy::Absence => "deleted: confirmed by absence (absent after an uncertain attempt: erased by that attempt, or never present at that endpoint)".to_owned(),
                    ConfirmedBy::Recheck => "deleted: a recheck of the vendor's record confirmed the erasure it had scheduled".to_owned(),
                },
                deleted.vendor_message.as_deref(),
            ),
            Ok(Erasure::Scheduled(scheduled)) => {
                (scheduled_message(scheduled), scheduled.vendor_message.as_deref())
            }
            Err(error) => (error.to_string(), error.vendor_message()),
        };
        let audits = match &result {
            Ok(Erasure::Deleted(deleted)) => deleted.audits.iter().map(|a| c_string(a)).collect(),
            _ => Vec::new(),
        };
        let scheduled = match &result {
            Ok(Erasure::Scheduled(scheduled)) => Some(ScheduledText {
                completes: c_string(&scheduled.completes),
                until: scheduled.until.as_deref().map(c_string),
                vendor_status: scheduled.vendor_status.as_deref().map(c_string),
            }),
            _ => None,
        };
        delete_outcome {
            message: c_string(&message),
            vendor_message: vendor_message.map(c_string),
            audits,
            scheduled,
            result,
        }
    }

    /// The error the deletion ended with, if it failed.
    pub(crate) fn error(&self) -> Option<&DeleteError> {
        self.result.as_ref().err()
    }

    /// The deletion's status.
    fn status(&self) -> delete_status {
        match &self.result {
            Ok(Erasure::Deleted(_)) => delete_status::DELETE_OUTCOME_DELETED,
            Ok(Erasure::Scheduled(_)) => delete_status::DELETE_OUTCOME_SCHEDULED,
            Err(_) => delete_status::DELETE_OUTCOME_FAILED,
        }
    }

    /// The scheduled erasure's strings, or `DELETE_RESULT_ABSENT` when the
    /// outcome is not a scheduled erasure.
    fn scheduled(&self) -> ffi::Result<&ScheduledText> {
        self.scheduled.as_ref().ok_or(DELETE_RESULT_ABSENT)
    }
}

/// The message of a scheduled erasure: that it is not yet a deletion,
/// what the vendor does, and every date or state it gave.
fn scheduled_message(scheduled: &Scheduled) -> String {
    let mut message = format!(
        "scheduled, not yet deleted: the vendor accepted the erasure and completes it later: {}",
        scheduled.completes.trim_end_matches('.')
    );
    if let Some(within) = scheduled.within {
        message.push_str(&format!("; within at most {}", span(within)));
    }
    if let Some(until) = &scheduled.until {
        message.push_str(&format!("; the vendor's date: {until}"));
    }
    if let Some(status) = &scheduled.vendor_status {
        message.push_str(&format!("; the vendor's status: {status}"));
    }
    message
}

/// A duration in the largest whole unit that states it exactly ("12
/// hours", "4 days"), as vendors document them.
fn span(duration: Duration) -> String {
    let secs = duration.as_secs();
    let (count, unit) = [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| secs >= *size && secs.is_multiple_of(*size))
        .map_or((secs, "second"), |(size, unit)| (secs / size, unit));
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

/// Frees an outcome and the strings it handed out. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_outcome_free(outcome: *mut delete_outcome) {
    ffi::free(outcome);
}

/// Writes what became of the deletion: `DELETE_OUTCOME_DELETED`,
/// `DELETE_OUTCOME_SCHEDULED` (the vendor completes the erasure later: a
/// success, not a deletion) or `DELETE_OUTCOME_FAILED` (see
/// `delete_outcome_error`). A batch or program succeeded when every item
/// is deleted or scheduled.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_status(
    outcome: *const delete_outcome,
    status_out: *mut delete_status,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        Out::new(status_out)?.write(outcome.status());
        Ok(())
    })
}

/// Writes whether the transaction was deleted (confirmed by the vendor's
/// answer, by absence or by a recheck). False for a scheduled erasure,
/// which is not deleted yet (see `delete_outcome_status`), and for every
/// failure, `DELETE_RESULT_NOT_FOUND` included.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_deleted(
    outcome: *const delete_outcome,
    deleted_out: *mut bool,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let deleted = outcome.status() == delete_status::DELETE_OUTCOME_DELETED;
        Out::new(deleted_out)?.write(deleted);
        Ok(())
    })
}

/// Writes `DELETE_RESULT_OK` if the transaction was deleted, otherwise the
/// kind of failure: a code from 100 to 199 (`DELETE_RESULT_NOT_FOUND`,
/// `DELETE_RESULT_UNAUTHORIZED`, `DELETE_RESULT_TIMEOUT`,
/// `DELETE_RESULT_NOT_DELETABLE_YET`...). Returns `DELETE_RESULT_ABSENT`
/// and writes nothing for a scheduled erasure, which neither failed nor is
/// deleted yet (`DELETE_RESULT_OK` always means deleted).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_error(
    outcome: *const delete_outcome,
    error_out: *mut delete_result,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(error_out)?;
        out.write(match &outcome.result {
            Ok(Erasure::Deleted(_)) => DELETE_RESULT_OK,
            Ok(Erasure::Scheduled(_)) => return Err(DELETE_RESULT_ABSENT),
            Err(error) => delete_result::from_kind(error.kind()),
        });
        Ok(())
    })
}

/// Writes a one-line English explanation of the outcome: for a failure,
/// what went wrong, the HTTP status, the vendor's message and what to do;
/// for a scheduled erasure, that it is not deleted yet, what the vendor
/// does and by when. It never contains a credential. Owned by the outcome.
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
/// failure), for deletions and for scheduled erasures.
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
/// `deletedAudits`; always 0 for Jumio, for scheduled erasures and for
/// failures).
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
            Ok(erasure) => erasure.attempts(),
            Err(error) => error.attempts(),
        };
        Out::new(attempts_out)?.write(attempts);
        Ok(())
    })
}

/// Writes how the deletion was confirmed; `DELETE_RESULT_ABSENT` when the
/// transaction was not deleted (a failure, or a scheduled erasure).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_confirmed_by(
    outcome: *const delete_outcome,
    confirmed_by_out: *mut delete_confirmed_by,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(confirmed_by_out)?;
        let deleted = outcome
            .result
            .as_ref()
            .ok()
            .and_then(Erasure::deleted)
            .ok_or(DELETE_RESULT_ABSENT)?;
        out.write(match deleted.confirmed_by {
            ConfirmedBy::Response => delete_confirmed_by::DELETE_CONFIRMED_BY_RESPONSE,
            ConfirmedBy::Absence => delete_confirmed_by::DELETE_CONFIRMED_BY_ABSENCE,
            ConfirmedBy::Recheck => delete_confirmed_by::DELETE_CONFIRMED_BY_RECHECK,
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
/// or never present at that endpoint). False for deletions and scheduled
/// erasures.
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

/// Writes what the vendor does to complete a scheduled erasure and when,
/// as its documentation says: one English sentence, such as "Veriff
/// deletes the session's data within 12 hours.". `DELETE_RESULT_ABSENT`
/// unless the outcome is `DELETE_OUTCOME_SCHEDULED`. Owned by the outcome.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_completes(
    outcome: *const delete_outcome,
    completes_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(completes_out)?;
        out.write(outcome.scheduled()?.completes.as_ptr());
        Ok(())
    })
}

/// Writes the longest time, in seconds, the vendor documents for completing
/// a scheduled erasure (Veriff: 43200, 12 hours; Stripe: 345600, four
/// days), counted from its answer. `DELETE_RESULT_ABSENT` when the vendor
/// documents no bound, and unless the outcome is `DELETE_OUTCOME_SCHEDULED`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_within_secs(
    outcome: *const delete_outcome,
    seconds_out: *mut u64,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(seconds_out)?;
        let within = outcome
            .result
            .as_ref()
            .ok()
            .and_then(Erasure::scheduled)
            .and_then(|scheduled| scheduled.within)
            .ok_or(DELETE_RESULT_ABSENT)?;
        out.write(within.as_secs());
        Ok(())
    })
}

/// Writes the vendor's own date for completing a scheduled erasure, as the
/// vendor wrote it (Onfido's `delete_at`). `DELETE_RESULT_ABSENT` when the
/// vendor gave none, and unless the outcome is `DELETE_OUTCOME_SCHEDULED`.
/// Owned by the outcome.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_until(
    outcome: *const delete_outcome,
    until_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(until_out)?;
        let until = outcome.scheduled()?.until.as_ref();
        out.write(until.ok_or(DELETE_RESULT_ABSENT)?.as_ptr());
        Ok(())
    })
}

/// Writes the vendor's own state of a scheduled erasure (Stripe's
/// `redaction.status`, such as `"processing"`). `DELETE_RESULT_ABSENT` when
/// the vendor gave none, and unless the outcome is
/// `DELETE_OUTCOME_SCHEDULED`. Owned by the outcome.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_outcome_vendor_status(
    outcome: *const delete_outcome,
    status_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let outcome = arg(outcome)?;
        let out = Out::new(status_out)?;
        let status = outcome.scheduled()?.vendor_status.as_ref();
        out.write(status.ok_or(DELETE_RESULT_ABSENT)?.as_ptr());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    //! No vendor answers "scheduled" through libdelete yet, so these read
    //! hand-made erasures through the same accessors C calls.

    use std::ffi::CStr;
    use std::ptr;

    use idv_delete_blocking::{Deleted, ErrorKind};

    use super::*;
    use crate::ffi::into_handle;

    fn veriff_like() -> Scheduled {
        Scheduled {
            completes: "Veriff deletes the session's data within 12 hours.".to_owned(),
            within: Some(Duration::from_secs(12 * 3600)),
            until: None,
            vendor_status: None,
            vendor_message: Some("success".to_owned()),
            attempts: 2,
            evidence: None,
        }
    }

    fn stripe_like() -> Scheduled {
        Scheduled {
            completes: "Stripe redacts the verification session within four days.".to_owned(),
            within: Some(Duration::from_secs(4 * 86_400)),
            until: Some("2031-01-02T03:04:05Z".to_owned()),
            vendor_status: Some("processing".to_owned()),
            vendor_message: None,
            attempts: 1,
            evidence: None,
        }
    }

    /// An outcome handle, freed by [`Handle`]'s drop.
    struct Handle(*mut delete_outcome);

    impl Handle {
        fn new(result: Result<Erasure, DeleteError>) -> Handle {
            Handle(into_handle(delete_outcome::new(result)))
        }
    }

    impl Drop for Handle {
        fn drop(&mut self) {
            delete_outcome_free(self.0);
        }
    }

    fn text(
        outcome: &Handle,
        accessor: extern "C" fn(*const delete_outcome, *mut *const c_char) -> delete_result,
    ) -> Result<String, delete_result> {
        let mut out = ptr::null();
        match accessor(outcome.0, &mut out) {
            DELETE_RESULT_OK => Ok(unsafe { CStr::from_ptr(out) }
                .to_str()
                .expect("UTF-8")
                .to_owned()),
            code => Err(code),
        }
    }

    fn status(outcome: &Handle) -> delete_status {
        let mut status = delete_status::DELETE_OUTCOME_FAILED;
        assert_eq!(
            delete_outcome_status(outcome.0, &mut status),
            DELETE_RESULT_OK
        );
        status
    }

    fn within(outcome: &Handle) -> Result<u64, delete_result> {
        let mut seconds = u64::MAX;
        match delete_outcome_within_secs(outcome.0, &mut seconds) {
            DELETE_RESULT_OK => Ok(seconds),
            code => {
                assert_eq!(seconds, u64::MAX, "nothing written on {code:?}");
                Err(code)
            }
        }
    }

    #[test]
    fn a_scheduled_erasure_never_answers_deleted() {
        let outcome = Handle::new(Ok(Erasure::Scheduled(veriff_like())));
        assert_eq!(status(&outcome), delete_status::DELETE_OUTCOME_SCHEDULED);

        let mut deleted = true;
        assert_eq!(
            delete_outcome_deleted(outcome.0, &mut deleted),
            DELETE_RESULT_OK
        );
        assert!(!deleted);

        let mut error = DELETE_RESULT_PANIC;
        assert_eq!(
            delete_outcome_error(outcome.0, &mut error),
            DELETE_RESULT_ABSENT
        );
        assert_eq!(error, DELETE_RESULT_PANIC, "nothing written");

        let mut confirmed_by = delete_confirmed_by::DELETE_CONFIRMED_BY_RESPONSE;
        assert_eq!(
            delete_outcome_confirmed_by(outcome.0, &mut confirmed_by),
            DELETE_RESULT_ABSENT
        );

        let mut in_doubt = true;
        assert_eq!(
            delete_outcome_in_doubt(outcome.0, &mut in_doubt),
            DELETE_RESULT_OK
        );
        assert!(!in_doubt);

        let mut count = usize::MAX;
        assert_eq!(
            delete_outcome_audit_count(outcome.0, &mut count),
            DELETE_RESULT_OK
        );
        assert_eq!(count, 0);

        let mut http_status = 0;
        assert_eq!(
            delete_outcome_http_status(outcome.0, &mut http_status),
            DELETE_RESULT_ABSENT
        );

        let message = text(&outcome, delete_outcome_message).expect("a message");
        assert!(
            message.starts_with("scheduled, not yet deleted: "),
            "{message}"
        );
        assert!(!message.contains("deleted: the vendor confirmed"));
    }

    #[test]
    fn a_scheduled_erasure_says_what_the_vendor_said() {
        let veriff = Handle::new(Ok(Erasure::Scheduled(veriff_like())));
        assert_eq!(
            text(&veriff, delete_outcome_completes).as_deref(),
            Ok("Veriff deletes the session's data within 12 hours.")
        );
        assert_eq!(within(&veriff), Ok(43_200));
        assert_eq!(
            text(&veriff, delete_outcome_until),
            Err(DELETE_RESULT_ABSENT)
        );
        assert_eq!(
            text(&veriff, delete_outcome_vendor_status),
            Err(DELETE_RESULT_ABSENT)
        );
        assert_eq!(
            text(&veriff, delete_outcome_vendor_message).as_deref(),
            Ok("success")
        );
        let mut attempts = 0;
        assert_eq!(
            delete_outcome_attempts(veriff.0, &mut attempts),
            DELETE_RESULT_OK
        );
        assert_eq!(attempts, 2);
        assert_eq!(
            text(&veriff, delete_outcome_message).as_deref(),
            Ok("scheduled, not yet deleted: the vendor accepted the erasure and completes it later: Veriff deletes the session's data within 12 hours; within at most 12 hours")
        );

        let stripe = Handle::new(Ok(Erasure::Scheduled(stripe_like())));
        assert_eq!(within(&stripe), Ok(345_600));
        assert_eq!(
            text(&stripe, delete_outcome_until).as_deref(),
            Ok("2031-01-02T03:04:05Z")
        );
        assert_eq!(
            text(&stripe, delete_outcome_vendor_status).as_deref(),
            Ok("processing")
        );
        let message = text(&stripe, delete_outcome_message).expect("a message");
        assert!(message.contains("within at most 4 days"), "{message}");
        assert!(message.contains("the vendor's date: 2031-01-02T03:04:05Z"));
        assert!(message.contains("the vendor's status: processing"));

        let unbounded = Handle::new(Ok(Erasure::Scheduled(Scheduled {
            within: None,
            ..veriff_like()
        })));
        assert_eq!(within(&unbounded), Err(DELETE_RESULT_ABSENT));
    }

    #[test]
    fn only_a_scheduled_erasure_has_its_details() {
        let deleted = Handle::new(Ok(Erasure::Deleted(Deleted {
            confirmed_by: ConfirmedBy::Response,
            audits: Vec::new(),
            vendor_message: None,
            attempts: 1,
            evidence: None,
        })));
        let failed = Handle::new(Err(DeleteError::new(
            ErrorKind::NotDeletableYet,
            "session not completed",
        )));
        for outcome in [&deleted, &failed] {
            assert_eq!(within(outcome), Err(DELETE_RESULT_ABSENT));
            for accessor in [
                delete_outcome_completes,
                delete_outcome_until,
                delete_outcome_vendor_status,
            ] {
                assert_eq!(text(outcome, accessor), Err(DELETE_RESULT_ABSENT));
            }
        }
        assert_eq!(status(&deleted), delete_status::DELETE_OUTCOME_DELETED);
        assert_eq!(status(&failed), delete_status::DELETE_OUTCOME_FAILED);
        let mut error = DELETE_RESULT_OK;
        assert_eq!(delete_outcome_error(failed.0, &mut error), DELETE_RESULT_OK);
        assert_eq!(error, DELETE_RESULT_NOT_DELETABLE_YET);
    }

    #[test]
    fn a_recheck_confirms_a_deletion() {
        let outcome = Handle::new(Ok(Erasure::Deleted(Deleted {
            confirmed_by: ConfirmedBy::Recheck,
            audits: Vec::new(),
            vendor_message: None,
            attempts: 1,
            evidence: None,
        })));
        assert_eq!(status(&outcome), delete_status::DELETE_OUTCOME_DELETED);
        let mut confirmed_by = delete_confirmed_by::DELETE_CONFIRMED_BY_RESPONSE;
        assert_eq!(
            delete_outcome_confirmed_by(outcome.0, &mut confirmed_by),
            DELETE_RESULT_OK
        );
        assert_eq!(
            confirmed_by,
            delete_confirmed_by::DELETE_CONFIRMED_BY_RECHECK
        );
        let message = text(&outcome, delete_outcome_message).expect("a message");
        assert!(message.starts_with("deleted: a recheck"), "{message}");
    }

    #[test]
    fn the_new_accessors_refuse_null() {
        let outcome = Handle::new(Ok(Erasure::Scheduled(stripe_like())));
        let mut status = delete_status::DELETE_OUTCOME_FAILED;
        assert_eq!(
            delete_outcome_status(ptr::null(), &mut status),
            DELETE_RESULT_NULL_ARGUMENT
        );
        assert_eq!(
            delete_outcome_status(outcome.0, ptr::null_mut()),
            DELETE_RESULT_NULL_ARGUMENT
        );
        let mut seconds = 0;
        assert_eq!(
            delete_outcome_within_secs(ptr::null(), &mut seconds),
            DELETE_RESULT_NULL_ARGUMENT
        );
        assert_eq!(
            delete_outcome_within_secs(outcome.0, ptr::null_mut()),
            DELETE_RESULT_NULL_ARGUMENT
        );
        for accessor in [
            delete_outcome_completes,
            delete_outcome_until,
            delete_outcome_vendor_status,
        ] {
            let mut out = ptr::null();
            assert_eq!(accessor(ptr::null(), &mut out), DELETE_RESULT_NULL_ARGUMENT);
            assert_eq!(
                accessor(outcome.0, ptr::null_mut()),
                DELETE_RESULT_NULL_ARGUMENT
            );
        }
    }

    #[test]
    fn spans_read_as_vendors_document_them() {
        assert_eq!(span(Duration::from_secs(43_200)), "12 hours");
        assert_eq!(span(Duration::from_secs(345_600)), "4 days");
        assert_eq!(span(Duration::from_secs(86_400)), "1 day");
        assert_eq!(span(Duration::from_secs(90)), "90 seconds");
        assert_eq!(span(Duration::from_secs(120)), "2 minutes");
        assert_eq!(span(Duration::from_secs(0)), "0 seconds");
    }
}
