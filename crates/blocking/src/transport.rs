//! One HTTP exchange over ureq, and the mapping of every ureq failure to a
//! core [`TransportError`] plus whether the request may have been sent.
//!
//! "Sent" decides whether a later 404 may confirm a deletion
//! ([`ConfirmedBy::Absence`](crate::ConfirmedBy::Absence)), so when ureq
//! cannot tell, we say "sent": calling an unsent request "sent" can at worst
//! turn a later 404 into a deletion confirmed by absence (absent after an
//! uncertain attempt: erased by it, or never present at that endpoint; the
//! data is not there either way), while calling a sent request "unsent"
//! could report data we erased as never found.
//!
//! | ureq error | kind | sent |
//! |---|---|---|
//! | `Timeout(Resolve \| Connect)` | Timeout | no |
//! | `Timeout(any other phase)` | Timeout | yes |
//! | `HostNotFound`, `ConnectionFailed`, `ConnectProxyFailed` | Connect | no |
//! | `BadUri`, `InvalidProxyUrl`, `RequireHttpsOnly`, `Http` (ureq refused to make the request: nothing left) | Connect | no |
//! | `Tls`, `TlsRequired`; `Rustls`, `Pem` (feature `rustls`); `NativeTls`, `Der` (feature `native-tls`) | Tls | no |
//! | `Io` wrapping a rustls error | Tls | no |
//! | `Io` connection refused, address not available, address in use, network unreachable, host unreachable, network down | Connect | no |
//! | `Io` timed out | Timeout | yes |
//! | any other `Io` (reset, broken pipe, EOF), `Protocol`, any other ureq error | Io | yes |
//! | an error while reading the body (truncated, reset) | Io (Timeout if timed out) | yes |
//!
//! TLS failures count as "not sent" because the handshake precedes the
//! request: a TLS error after the handshake (a corrupt record) is practically
//! unheard of, and calling every TLS error "sent" would mark certificate
//! problems as possibly applied.

use std::io::{self, Read};

use idv_delete_core::TransportError;
use ureq::Timeout;

/// How one attempt ended.
pub(crate) enum Exchange {
    /// An answer, with at most the body cap's bytes of its body.
    Answered(http::Response<Vec<u8>>),
    /// A transport failure; `sent` is true when the vendor may have received
    /// the request. `cause` is ureq's own error, kept so that the
    /// [`DeleteError`](idv_delete_core::DeleteError) can name it (which TLS
    /// alert, which I/O error): its text names at most the URL, which never
    /// holds a credential (see `Endpoint::custom`).
    Failed {
        error: TransportError,
        sent: bool,
        cause: ureq::Error,
    },
}

/// Sends `request` on `agent` and reads at most `max_body` bytes of the
/// answer's body. A longer body is cut (the connection is then dropped
/// rather than reused), never an error: a 2xx Jumio deletion must not fail
/// because of a chatty proxy.
pub(crate) fn exchange(
    agent: &ureq::Agent,
    request: http::Request<Vec<u8>>,
    max_body: usize,
) -> Exchange {
    let (parts, body) = request.into_parts();
    // An empty body is sent as no body at all (Jumio's DELETE has none),
    // rather than as `Content-Length: 0`; but a POST (Stripe's redact)
    // always has a body, empty or not, framed by its length.
    let result = if body.is_empty() && parts.method != http::Method::POST {
        agent.run(http::Request::from_parts(parts, ()))
    } else {
        agent.run(http::Request::from_parts(parts, body))
    };
    let response = match result {
        Ok(response) => response,
        Err(cause) => {
            let (error, sent) = classify(&cause);
            return Exchange::Failed { error, sent, cause };
        }
    };
    let (parts, mut body) = response.into_parts();
    match read_bounded(body.as_reader(), max_body) {
        Ok(bytes) => Exchange::Answered(http::Response::from_parts(parts, bytes)),
        Err(cause) => Exchange::Failed {
            error: if is_timeout(&cause) {
                TransportError::Timeout
            } else {
                TransportError::Io
            },
            sent: true,
            cause: ureq::Error::Io(cause),
        },
    }
}

/// Reads until the end of the body or `max` bytes, whichever comes first.
fn read_bounded(mut reader: impl Read, max: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let room = max - bytes.len();
        if room == 0 {
            return Ok(bytes);
        }
        let want = room.min(chunk.len());
        match reader.read(&mut chunk[..want]) {
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn is_timeout(error: &io::Error) -> bool {
    if error.kind() == io::ErrorKind::TimedOut {
        return true;
    }
    matches!(
        error
            .get_ref()
            .and_then(|e| e.downcast_ref::<ureq::Error>()),
        Some(ureq::Error::Timeout(_))
    )
}

/// The table in the module docs.
pub(crate) fn classify(error: &ureq::Error) -> (TransportError, bool) {
    use TransportError::{Connect, Io, Timeout as TimedOut, Tls};
    match error {
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => (TimedOut, false),
        ureq::Error::Timeout(_) => (TimedOut, true),
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::BadUri(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::RequireHttpsOnly(_)
        | ureq::Error::Http(_) => (Connect, false),
        ureq::Error::Tls(_) | ureq::Error::TlsRequired => (Tls, false),
        #[cfg(feature = "rustls")]
        ureq::Error::Rustls(_) | ureq::Error::Pem(_) => (Tls, false),
        #[cfg(feature = "native-tls")]
        ureq::Error::NativeTls(_) | ureq::Error::Der(_) => (Tls, false),
        ureq::Error::Io(io) => classify_io(io),
        _ => (Io, true),
    }
}

fn classify_io(error: &io::Error) -> (TransportError, bool) {
    use io::ErrorKind as K;
    if is_tls(error) {
        return (TransportError::Tls, false);
    }
    match error.kind() {
        K::ConnectionRefused
        | K::AddrNotAvailable
        | K::AddrInUse
        | K::NetworkUnreachable
        | K::HostUnreachable
        | K::NetworkDown => (TransportError::Connect, false),
        K::TimedOut => (TransportError::Timeout, true),
        _ => (TransportError::Io, true),
    }
}

/// A rustls error surfaces as an I/O error from the handshake.
fn is_tls(error: &io::Error) -> bool {
    #[cfg(feature = "rustls")]
    if error
        .get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
    {
        return true;
    }
    #[cfg(not(feature = "rustls"))]
    let _ = error;
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_phase_failures_are_not_sent() {
        let refused = ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&refused), (TransportError::Connect, false));
        assert_eq!(
            classify(&ureq::Error::Timeout(Timeout::Connect)),
            (TransportError::Timeout, false)
        );
        assert_eq!(
            classify(&ureq::Error::HostNotFound),
            (TransportError::Connect, false)
        );
    }

    #[test]
    fn later_failures_are_sent() {
        let reset = ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionReset));
        assert_eq!(classify(&reset), (TransportError::Io, true));
        assert_eq!(
            classify(&ureq::Error::Timeout(Timeout::RecvResponse)),
            (TransportError::Timeout, true)
        );
    }

    #[test]
    fn bounded_read_cuts_long_bodies() {
        let body = vec![b'x'; 100_000];
        assert_eq!(
            read_bounded(&body[..], 1000).map(|b| b.len()).ok(),
            Some(1000)
        );
        assert_eq!(
            read_bounded(&body[..10], 1000).map(|b| b.len()).ok(),
            Some(10)
        );
    }
}
