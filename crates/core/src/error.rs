//! Typed deletion errors.
//!
//! Every way a deletion can fail is one [`ErrorKind`]. The kind is `Copy` and
//! field-less so that bindings can map it through one table (and walk
//! [`ErrorKind::ALL`] in a test); the data that some kinds carry (the HTTP
//! status, a `Retry-After`) lives on [`DeleteError`] instead.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::evidence::AnswerEvidence;

/// What went wrong, as one of a fixed set of kinds.
///
/// The string forms ([`ErrorKind::as_str`]) are stable: journals, the CLI's
/// JSON output, Python and C expose them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The reference or transaction id is malformed; nothing was sent.
    InvalidReference,
    /// The client configuration (credentials, User-Agent, base URL, policy)
    /// is unusable; nothing was sent.
    InvalidConfig,
    /// The vendor answered 404 and no earlier attempt may have deleted the
    /// data: a wrong region, a typo, or a reference deleted long ago. Never
    /// reported as deleted.
    NotFound,
    /// 401: the credentials were refused.
    Unauthorized,
    /// 403: refused for this caller (Jumio: missing or suspicious headers;
    /// HyperVerge: the caller's IP is not allow-listed).
    Forbidden,
    /// 400 or 422: the vendor rejected the request as malformed.
    InvalidInput,
    /// 429: the vendor is rate limiting; see [`DeleteError::retry_after`].
    RateLimited,
    /// 5xx: the vendor failed; see [`DeleteError::status`].
    Server,
    /// Any other answer: a 3xx, an undocumented status, or a 2xx that is no
    /// proof of deletion: its body says the deletion failed, cannot be read,
    /// or is not the vendor's (an HTML page from a proxy or a wrong base URL).
    UnexpectedResponse,
    /// The vendor did not answer in time.
    Timeout,
    /// No connection could be made (DNS, refused, unreachable).
    Connect,
    /// TLS failed (certificate, handshake); never retried.
    Tls,
    /// The connection broke (reset, truncated body, other I/O failure).
    Io,
    /// The caller stopped the deletion (a cancel token, Ctrl-C, SIGTERM)
    /// before it finished; see [`DeleteError::in_doubt`] for whether an
    /// earlier attempt may have been applied. Run it again to finish it.
    Cancelled,
    /// The vendor will not delete the record yet (Veriff: a session not
    /// in a completed status; Stripe: a session still processing; Persona:
    /// 409). Not retried within a run: run it again later.
    NotDeletableYet,
    /// The data-subject key given with an item is unusable (empty, too
    /// long, control characters, whitespace at either end); nothing was
    /// sent.
    InvalidSubject,
}

impl ErrorKind {
    /// Every kind, in declaration order: bindings walk this in a test to
    /// prove their mapping table is complete.
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::InvalidReference,
        ErrorKind::InvalidConfig,
        ErrorKind::NotFound,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::InvalidInput,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::UnexpectedResponse,
        ErrorKind::Timeout,
        ErrorKind::Connect,
        ErrorKind::Tls,
        ErrorKind::Io,
        ErrorKind::Cancelled,
        ErrorKind::NotDeletableYet,
        ErrorKind::InvalidSubject,
    ];

    /// The stable snake_case name of the kind, e.g. `"not_found"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidReference => "invalid_reference",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::UnexpectedResponse => "unexpected_response",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Io => "io",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::NotDeletableYet => "not_deletable_yet",
            ErrorKind::InvalidSubject => "invalid_subject",
        }
    }

    /// Parses a name produced by [`ErrorKind::as_str`].
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// A short human description used at the start of error messages.
    const fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidReference => "invalid reference",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::NotFound => "not found at the vendor",
            ErrorKind::Unauthorized => "credentials refused",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::InvalidInput => "request rejected as invalid",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "vendor server error",
            ErrorKind::UnexpectedResponse => "unexpected response",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Connect => "could not connect",
            ErrorKind::Tls => "TLS failure",
            ErrorKind::Io => "connection failed",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::NotDeletableYet => "not deletable yet",
            ErrorKind::InvalidSubject => "invalid subject",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A deletion that did not happen (or whose request could not be built).
///
/// Carries what is known: the HTTP status, the vendor's own message (bounded
/// to [`crate::MAX_VENDOR_MESSAGE`] bytes of valid UTF-8), a `Retry-After`,
/// and how many requests were sent, and, for a transport failure, its cause
/// ([`std::error::Error::source`]: the HTTP client's own error, set by the
/// driver, since the core does no I/O). It never contains a credential.
///
/// Two errors are equal when they say the same: the same fields and the
/// same cause text (a cause has no equality of its own). The
/// [`evidence`](DeleteError::evidence) is not compared, so an error
/// restored without it (from a journal, across an FFI boundary) equals the
/// original.
#[derive(Clone, Debug)]
#[must_use]
pub struct DeleteError {
    kind: ErrorKind,
    detail: String,
    status: Option<u16>,
    vendor_message: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
    in_doubt: bool,
    /// Boxed: most errors carry none, and it keeps `DeleteError` small.
    evidence: Option<Box<AnswerEvidence>>,
    source: Option<Cause>,
}

/// The error behind a [`DeleteError`], shared so the error stays `Clone`.
type Cause = Arc<dyn StdError + Send + Sync + 'static>;

impl DeleteError {
    /// A new error of `kind` with our own explanation `detail` (what was
    /// wrong and what to do). Status, vendor message and attempts are unset.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> DeleteError {
        DeleteError {
            kind,
            detail: detail.into(),
            status: None,
            vendor_message: None,
            retry_after: None,
            attempts: 0,
            in_doubt: false,
            evidence: None,
            source: None,
        }
    }

    /// Sets the cause: the error of the HTTP client that made this a
    /// transport failure (a TLS alert, a refused connection), so that
    /// [`std::error::Error::source`] and the message name it. Its text must
    /// hold no credential: drivers give the client's error, which names at
    /// most the URL, and URLs never hold credentials here.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> DeleteError {
        self.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> DeleteError {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_vendor_message(mut self, message: Option<String>) -> DeleteError {
        self.vendor_message = message;
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> DeleteError {
        self.retry_after = retry_after;
        self
    }

    /// Sets how many requests were sent for this deletion; drivers that
    /// restore an error (from a journal, across an FFI boundary) use it.
    pub fn with_attempts(mut self, attempts: u32) -> DeleteError {
        self.attempts = attempts;
        self
    }

    /// Marks whether an attempt may have been applied; drivers restoring an
    /// error from a journal or across an FFI boundary use it.
    pub fn with_in_doubt(mut self, in_doubt: bool) -> DeleteError {
        self.in_doubt = in_doubt;
        self
    }

    /// Sets the facts of the answer behind this error; drivers restoring
    /// an error from a journal or across an FFI boundary use it.
    pub fn with_evidence(mut self, evidence: Option<AnswerEvidence>) -> DeleteError {
        self.evidence = evidence.map(Box::new);
        self
    }

    /// The facts of the vendor's answer behind this error (its status,
    /// `Date` and request id), when the error came from an answer (a 404,
    /// a 401, a 5xx, a 2xx that was no proof); `None` for a failure with no
    /// answer (a timeout, a refused connection, an invalid reference).
    pub fn evidence(&self) -> Option<&AnswerEvidence> {
        self.evidence.as_deref()
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Our explanation: what was wrong and, where it helps, what to do.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The HTTP status of the last response, if one was received.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The vendor's own message from the last response (HyperVerge `error`
    /// or `message`, Jumio's body text), bounded and control-free.
    pub fn vendor_message(&self) -> Option<&str> {
        self.vendor_message.as_deref()
    }

    /// How long the vendor asked us to wait (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// How many requests were sent; 0 when the error came before any I/O.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// True when an attempt may have deleted the data although this error
    /// ends the op (a timeout or reset after sending, a 500, 502 or 504, or
    /// a 2xx that is no proof: an HTML page, a Jumio body that is not JSON,
    /// a HyperVerge body that cannot be read). Re-run it with
    /// [`crate::DeleteOp::resume_in_doubt`]: a 404 then counts as deleted,
    /// confirmed by absence (erased by the earlier attempt, or never present
    /// at that endpoint).
    pub fn in_doubt(&self) -> bool {
        self.in_doubt
    }
}

impl fmt::Display for DeleteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.describe(), self.detail)?;
        if let Some(source) = &self.source {
            write!(f, "; cause: {source}")?;
        }
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(message) = &self.vendor_message {
            write!(f, "; vendor said: {message:?}")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; retry after {}s", wait.as_secs_f64())?;
        }
        if self.attempts > 1 {
            write!(f, "; after {} attempts", self.attempts)?;
        }
        if self.in_doubt {
            f.write_str("; an attempt may have deleted it, so run it again to confirm")?;
        }
        Ok(())
    }
}

impl PartialEq for DeleteError {
    fn eq(&self, other: &DeleteError) -> bool {
        let cause = |e: &DeleteError| e.source.as_ref().map(|s| s.to_string());
        self.kind == other.kind
            && self.detail == other.detail
            && self.status == other.status
            && self.vendor_message == other.vendor_message
            && self.retry_after == other.retry_after
            && self.attempts == other.attempts
            && self.in_doubt == other.in_doubt
            && cause(self) == cause(other)
    }
}

impl Eq for DeleteError {}

impl StdError for DeleteError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_is_the_source_and_is_named_once() {
        let cause = std::io::Error::other("invalid peer certificate: UnknownIssuer");
        let error = DeleteError::new(ErrorKind::Tls, "the TLS handshake failed")
            .with_attempts(1)
            .with_source(cause);
        let source = StdError::source(&error).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("invalid peer certificate: UnknownIssuer")
        );
        let text = error.to_string();
        assert_eq!(
            text,
            "TLS failure: the TLS handshake failed; cause: invalid peer certificate: UnknownIssuer"
        );
        assert_eq!(error.clone(), error);
    }

    #[test]
    fn errors_with_other_causes_differ() {
        let plain = DeleteError::new(ErrorKind::Io, "the connection broke");
        let reset = plain
            .clone()
            .with_source(std::io::Error::other("connection reset"));
        let eof = plain.clone().with_source(std::io::Error::other("eof"));
        assert!(StdError::source(&plain).is_none());
        assert_ne!(plain, reset);
        assert_ne!(reset, eof);
        assert_eq!(
            reset,
            plain.with_source(std::io::Error::other("connection reset"))
        );
    }
}
