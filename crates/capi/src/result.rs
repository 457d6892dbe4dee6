//! [`delete_result`]: the code every entry point returns, its messages, and
//! the one table from the core's `ErrorKind` to codes.

use std::ffi::{c_char, c_uint, CStr};

use idv_delete_blocking::ErrorKind;

/// What a call did. Every entry point returns one, except
/// `delete_version`, `delete_result_message` and the `*_free` functions.
///
/// The numbers are fixed and never reused: 0 is success, 1-99 are misuses
/// of the API, 100-199 are the kinds of failed deletion (the same kinds as
/// the Rust `ErrorKind` and the Python exceptions), 200-299 are batch and
/// journal failures. New codes may be added; treat an unknown one as a
/// failure.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum delete_result {
    /// Success.
    DELETE_RESULT_OK = 0,
    /// A required pointer argument was NULL.
    DELETE_RESULT_NULL_ARGUMENT = 1,
    /// A string argument is not valid UTF-8.
    DELETE_RESULT_INVALID_UTF8 = 2,
    /// A bug in libdelete stopped the call (a Rust panic, caught at the
    /// boundary); the handles passed in are still valid. Please report it.
    DELETE_RESULT_PANIC = 3,
    /// An argument is outside its range: an unknown `DELETE_PRODUCT_*`,
    /// `DELETE_REGION_*` or `DELETE_BATCH_COUNT_*` constant, an HTTP status
    /// outside 100-999, or a header name or value HTTP does not allow.
    DELETE_RESULT_INVALID_ARGUMENT = 4,
    /// An index is not below the matching count.
    DELETE_RESULT_INDEX_OUT_OF_RANGE = 5,
    /// The value asked for does not exist for this handle, such as the HTTP
    /// status of an outcome that never got an answer. Nothing was written.
    DELETE_RESULT_ABSENT = 6,
    /// A failure this version of libdelete has no code for (the Rust crates
    /// are newer than this table): a failure all the same.
    DELETE_RESULT_UNKNOWN_ERROR = 7,
    /// The reference or transaction id is malformed; nothing was sent.
    DELETE_RESULT_INVALID_REFERENCE = 100,
    /// The configuration (credentials, User-Agent, base URL, timeouts,
    /// attempts, or no credentials for the vendor asked for) is unusable;
    /// nothing was sent.
    DELETE_RESULT_INVALID_CONFIG = 101,
    /// The vendor answered 404 and no earlier attempt may have deleted the
    /// data: a wrong region, a typo, or deleted long ago. Never a deletion.
    DELETE_RESULT_NOT_FOUND = 102,
    /// 401: the vendor refused the credentials.
    DELETE_RESULT_UNAUTHORIZED = 103,
    /// 403: the vendor refused this caller (Jumio: User-Agent or
    /// permissions; HyperVerge: the IP address is not allow-listed).
    DELETE_RESULT_FORBIDDEN = 104,
    /// 400 or 422: the vendor rejected the request as malformed.
    DELETE_RESULT_INVALID_INPUT = 105,
    /// 429: the vendor is rate limiting (see `delete_outcome_retry_after_ms`).
    DELETE_RESULT_RATE_LIMITED = 106,
    /// 5xx: the vendor failed (see `delete_outcome_http_status`).
    DELETE_RESULT_SERVER = 107,
    /// Another answer: a 3xx, an undocumented status, or a 2xx that is no
    /// proof of deletion: its body says the deletion failed, cannot be
    /// read, or is not the vendor's (an HTML page from a proxy or a wrong
    /// base URL; see `delete_outcome_in_doubt`).
    DELETE_RESULT_UNEXPECTED_RESPONSE = 108,
    /// The vendor did not answer in time.
    DELETE_RESULT_TIMEOUT = 109,
    /// No connection could be made (DNS, refused, unreachable).
    DELETE_RESULT_CONNECT = 110,
    /// TLS failed (certificate, handshake); never retried.
    DELETE_RESULT_TLS = 111,
    /// The connection broke (reset, truncated answer, other I/O failure).
    DELETE_RESULT_IO = 112,
    /// The deletion was stopped with `delete_cancel_cancel` before it
    /// finished (see `delete_outcome_in_doubt`); run it again to finish it.
    DELETE_RESULT_CANCELLED = 113,
    /// The vendor will not delete the record yet (Veriff: a session not in
    /// a completed status, codes 1305 and 1306; Stripe: a session in a
    /// state it refuses to redact; Persona: 409). Not retried: run it
    /// again later.
    DELETE_RESULT_NOT_DELETABLE_YET = 114,
    /// The data-subject key of an item is unusable (empty, over 128
    /// characters, a control character, whitespace at either end); nothing
    /// was sent.
    DELETE_RESULT_INVALID_SUBJECT = 115,
    /// The batch options are unusable (concurrency outside 1-256, a rate
    /// that is not a positive number); nothing was done.
    DELETE_RESULT_INVALID_BATCH_OPTIONS = 200,
    /// Reading or writing the journal failed. Items already finished are
    /// journaled: fix the cause and run again with the same journal.
    DELETE_RESULT_JOURNAL_IO = 201,
    /// A journal line cannot be read (not a torn last line, which is cut
    /// away); nothing was sent.
    DELETE_RESULT_JOURNAL_CORRUPT = 202,
    /// The journal was written for another input: the same position names
    /// another item. Resume with the same references in the same order.
    DELETE_RESULT_JOURNAL_INPUT_CHANGED = 203,
    /// Another run holds the journal's lock (`<journal>.lock` names its
    /// process id); nothing was sent.
    DELETE_RESULT_JOURNAL_LOCKED = 204,
    /// The journal's last run sent requests to another endpoint (base
    /// URL); nothing was sent. Use the same endpoint.
    DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED = 205,
    /// The journal's hash chain breaks at a line (the last error names
    /// it): a line was edited, removed, inserted or moved at or before it;
    /// nothing was sent. Keep the file as evidence.
    DELETE_RESULT_JOURNAL_TAMPERED = 206,
}

use delete_result::*;

/// Every code, for turning a number from C back into a code.
const ALL: [delete_result; 31] = [
    DELETE_RESULT_OK,
    DELETE_RESULT_NULL_ARGUMENT,
    DELETE_RESULT_INVALID_UTF8,
    DELETE_RESULT_PANIC,
    DELETE_RESULT_INVALID_ARGUMENT,
    DELETE_RESULT_INDEX_OUT_OF_RANGE,
    DELETE_RESULT_ABSENT,
    DELETE_RESULT_UNKNOWN_ERROR,
    DELETE_RESULT_INVALID_REFERENCE,
    DELETE_RESULT_INVALID_CONFIG,
    DELETE_RESULT_NOT_FOUND,
    DELETE_RESULT_UNAUTHORIZED,
    DELETE_RESULT_FORBIDDEN,
    DELETE_RESULT_INVALID_INPUT,
    DELETE_RESULT_RATE_LIMITED,
    DELETE_RESULT_SERVER,
    DELETE_RESULT_UNEXPECTED_RESPONSE,
    DELETE_RESULT_TIMEOUT,
    DELETE_RESULT_CONNECT,
    DELETE_RESULT_TLS,
    DELETE_RESULT_IO,
    DELETE_RESULT_CANCELLED,
    DELETE_RESULT_NOT_DELETABLE_YET,
    DELETE_RESULT_INVALID_SUBJECT,
    DELETE_RESULT_INVALID_BATCH_OPTIONS,
    DELETE_RESULT_JOURNAL_IO,
    DELETE_RESULT_JOURNAL_CORRUPT,
    DELETE_RESULT_JOURNAL_INPUT_CHANGED,
    DELETE_RESULT_JOURNAL_LOCKED,
    DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED,
    DELETE_RESULT_JOURNAL_TAMPERED,
];

/// The one table from the core's error kinds to codes; a test walks
/// `ErrorKind::ALL` through it.
const KINDS: [(ErrorKind, delete_result); 16] = [
    (ErrorKind::InvalidReference, DELETE_RESULT_INVALID_REFERENCE),
    (ErrorKind::InvalidConfig, DELETE_RESULT_INVALID_CONFIG),
    (ErrorKind::NotFound, DELETE_RESULT_NOT_FOUND),
    (ErrorKind::Unauthorized, DELETE_RESULT_UNAUTHORIZED),
    (ErrorKind::Forbidden, DELETE_RESULT_FORBIDDEN),
    (ErrorKind::InvalidInput, DELETE_RESULT_INVALID_INPUT),
    (ErrorKind::RateLimited, DELETE_RESULT_RATE_LIMITED),
    (ErrorKind::Server, DELETE_RESULT_SERVER),
    (
        ErrorKind::UnexpectedResponse,
        DELETE_RESULT_UNEXPECTED_RESPONSE,
    ),
    (ErrorKind::Timeout, DELETE_RESULT_TIMEOUT),
    (ErrorKind::Connect, DELETE_RESULT_CONNECT),
    (ErrorKind::Tls, DELETE_RESULT_TLS),
    (ErrorKind::Io, DELETE_RESULT_IO),
    (ErrorKind::Cancelled, DELETE_RESULT_CANCELLED),
    (ErrorKind::NotDeletableYet, DELETE_RESULT_NOT_DELETABLE_YET),
    (ErrorKind::InvalidSubject, DELETE_RESULT_INVALID_SUBJECT),
];

impl delete_result {
    /// The code numbered `code`, if there is one.
    pub(crate) fn from_code(code: c_uint) -> Option<delete_result> {
        ALL.into_iter().find(|result| *result as c_uint == code)
    }

    /// The code of a failed deletion of `kind`.
    pub(crate) fn from_kind(kind: ErrorKind) -> delete_result {
        KINDS
            .iter()
            .find(|(known, _)| *known == kind)
            .map_or(DELETE_RESULT_UNKNOWN_ERROR, |(_, code)| *code)
    }

    /// The kind of failed deletion this code stands for, if it is one.
    pub(crate) fn kind(self) -> Option<ErrorKind> {
        KINDS
            .iter()
            .find(|(_, code)| *code == self)
            .map(|(kind, _)| *kind)
    }

    /// The static message of this code (`delete_result_message`).
    pub(crate) fn message(self) -> &'static CStr {
        match self {
            DELETE_RESULT_OK => c"ok",
            DELETE_RESULT_NULL_ARGUMENT => c"a required pointer argument is NULL",
            DELETE_RESULT_INVALID_UTF8 => c"a string argument is not valid UTF-8",
            DELETE_RESULT_PANIC => {
                c"internal error in libdelete (a Rust panic was caught); please report it"
            }
            DELETE_RESULT_INVALID_ARGUMENT => {
                c"an argument is out of range (an unknown constant, HTTP status or header)"
            }
            DELETE_RESULT_INDEX_OUT_OF_RANGE => c"the index is not below the count",
            DELETE_RESULT_ABSENT => c"no such value for this handle",
            DELETE_RESULT_UNKNOWN_ERROR => {
                c"a failure this version of libdelete cannot name; upgrade libdelete"
            }
            DELETE_RESULT_INVALID_REFERENCE => {
                c"invalid reference: a Jumio reference is 1-36 letters, digits or '-'; a HyperVerge id is 1-256 characters, without control characters or whitespace at either end; Jumio Platform, Onfido and Veriff ids are UUIDs (a workflow is ACCOUNT_ID/WORKFLOW_ID); a Persona id is inq_ or act_ and a Stripe one vs_, then 1-64 letters or digits; nothing was sent"
            }
            DELETE_RESULT_INVALID_CONFIG => {
                c"invalid configuration (credentials, User-Agent, base URL, timeouts, attempts, or no credentials for this vendor); nothing was sent"
            }
            DELETE_RESULT_NOT_FOUND => {
                c"not found at the vendor (HTTP 404): check the region and the reference; never reported as deleted"
            }
            DELETE_RESULT_UNAUTHORIZED => c"the vendor refused the credentials (HTTP 401)",
            DELETE_RESULT_FORBIDDEN => {
                c"the vendor refused this caller (HTTP 403): Jumio checks the User-Agent, HyperVerge the IP allow-list"
            }
            DELETE_RESULT_INVALID_INPUT => {
                c"the vendor rejected the request as malformed (HTTP 400 or 422)"
            }
            DELETE_RESULT_RATE_LIMITED => c"the vendor is rate limiting (HTTP 429); retry later",
            DELETE_RESULT_SERVER => c"the vendor failed (HTTP 5xx); retry later",
            DELETE_RESULT_UNEXPECTED_RESPONSE => {
                c"unexpected answer from the vendor; nothing is known to be deleted"
            }
            DELETE_RESULT_TIMEOUT => c"the vendor did not answer in time",
            DELETE_RESULT_CONNECT => c"could not connect to the vendor",
            DELETE_RESULT_TLS => c"TLS failure (certificate or handshake)",
            DELETE_RESULT_IO => c"the connection broke",
            DELETE_RESULT_CANCELLED => {
                c"cancelled before it finished (delete_cancel_cancel); run it again to finish it"
            }
            DELETE_RESULT_NOT_DELETABLE_YET => {
                c"the vendor will not delete the record yet (a session still in progress or processing); not retried: retry later"
            }
            DELETE_RESULT_INVALID_SUBJECT => {
                c"invalid subject: a data-subject key is 1-128 characters, without control characters or whitespace at either end (or NULL for none); nothing was sent"
            }
            DELETE_RESULT_INVALID_BATCH_OPTIONS => {
                c"invalid batch options (concurrency 1-256, rate above 0); nothing was done"
            }
            DELETE_RESULT_JOURNAL_IO => {
                c"reading or writing the journal failed; fix the cause and run again with the same journal"
            }
            DELETE_RESULT_JOURNAL_CORRUPT => {
                c"the journal has an unreadable line; nothing was sent"
            }
            DELETE_RESULT_JOURNAL_INPUT_CHANGED => {
                c"the journal was written for another input; resume with the same references in the same order"
            }
            DELETE_RESULT_JOURNAL_LOCKED => {
                c"another run is using the journal (see <journal>.lock); nothing was sent"
            }
            DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED => {
                c"the journal's last run sent requests to another endpoint; nothing was sent: use the same base URL"
            }
            DELETE_RESULT_JOURNAL_TAMPERED => {
                c"the journal's hash chain breaks: a line was edited, removed, inserted or moved; nothing was sent: keep the file as evidence"
            }
        }
    }
}

/// A short English description of `code` (a `delete_result`), as a static
/// string that is never freed. It never contains a credential. Unknown
/// numbers get a description too.
#[no_mangle]
pub extern "C" fn delete_result_message(code: c_uint) -> *const c_char {
    // Cannot panic: a lookup in constant tables.
    delete_result::from_code(code)
        .map_or(c"unknown delete_result code", delete_result::message)
        .as_ptr()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_error_kind_has_its_own_code_and_back() {
        let mut codes = HashSet::new();
        for kind in ErrorKind::ALL {
            let code = delete_result::from_kind(kind);
            assert_ne!(code, DELETE_RESULT_UNKNOWN_ERROR, "{kind:?} has no code");
            assert!((100..200).contains(&(code as c_uint)), "{kind:?}: {code:?}");
            assert_eq!(code.kind(), Some(kind));
            assert!(codes.insert(code as c_uint), "{kind:?} shares {code:?}");
        }
        assert_eq!(KINDS.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn codes_are_distinct_and_round_trip() {
        let numbers: HashSet<c_uint> = ALL.iter().map(|r| *r as c_uint).collect();
        assert_eq!(numbers.len(), ALL.len());
        for code in ALL {
            assert_eq!(delete_result::from_code(code as c_uint), Some(code));
            assert!(!code.message().is_empty());
        }
        assert_eq!(delete_result::from_code(99), None);
    }

    #[test]
    fn the_numbers_never_change() {
        assert_eq!(DELETE_RESULT_OK as c_uint, 0);
        assert_eq!(DELETE_RESULT_PANIC as c_uint, 3);
        assert_eq!(DELETE_RESULT_UNKNOWN_ERROR as c_uint, 7);
        assert_eq!(DELETE_RESULT_INVALID_REFERENCE as c_uint, 100);
        assert_eq!(DELETE_RESULT_IO as c_uint, 112);
        assert_eq!(DELETE_RESULT_CANCELLED as c_uint, 113);
        assert_eq!(DELETE_RESULT_NOT_DELETABLE_YET as c_uint, 114);
        assert_eq!(DELETE_RESULT_INVALID_SUBJECT as c_uint, 115);
        assert_eq!(DELETE_RESULT_JOURNAL_INPUT_CHANGED as c_uint, 203);
        assert_eq!(DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED as c_uint, 205);
        assert_eq!(DELETE_RESULT_JOURNAL_TAMPERED as c_uint, 206);
    }

    #[test]
    fn a_panic_becomes_a_code() {
        let code = crate::ffi::guard(|| panic!("a bug"));
        assert_eq!(code, DELETE_RESULT_PANIC);
    }

    #[test]
    fn messages_are_static_c_strings() {
        let unknown = unsafe { CStr::from_ptr(delete_result_message(9999)) };
        assert_eq!(unknown.to_str().unwrap(), "unknown delete_result code");
        let not_found = unsafe { CStr::from_ptr(delete_result_message(102)) };
        assert!(not_found.to_str().unwrap().starts_with("not found"));
        let not_yet = unsafe { CStr::from_ptr(delete_result_message(114)) };
        assert!(not_yet.to_str().unwrap().ends_with("retry later"));
    }
}
