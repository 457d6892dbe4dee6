//! [`AnswerEvidence`]: the facts of the vendor's answer that settled a
//! deletion, read from its status line and headers, so a journal or a
//! receipt can show *which* answer proves the outcome and the vendor can
//! find that request in its own logs.
//!
//! Which header names the request, by vendor:
//!
//! - **Stripe** and **Persona** document `Request-Id` on every answer.
//! - **Jumio** (Netverify v2 and the Platform), **HyperVerge**, **Onfido**
//!   and **Veriff** document no request-id header (the Jumio Platform puts a
//!   `correlationId` in its error bodies only), so for them a short generic
//!   list is tried: `X-Request-Id`, then `X-Correlation-Id`. A vendor that
//!   sends neither gives no request id; the `Date` and status remain.

use http::header::DATE;
use http::HeaderMap;

use crate::intent::Vendor;

/// Longest evidence value kept (a `Date`, a request id), in bytes. Real
/// values are 29 bytes (an HTTP date) or under 64 (an id); the bound keeps
/// a hostile or broken server from growing journal lines.
pub const MAX_EVIDENCE_VALUE: usize = 128;

/// What the vendor's answer said about itself: its HTTP status, its `Date`
/// as sent, and its request or correlation id. Kept with the outcome so an
/// auditor can tie the journal's claim to one answer of the vendor (and ask
/// the vendor about that request). Values are bounded to
/// [`MAX_EVIDENCE_VALUE`] bytes of printable ASCII; a header that is absent,
/// empty or not printable ASCII is `None`, never guessed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AnswerEvidence {
    /// The answer's HTTP status.
    pub status: u16,
    /// The answer's `Date` header, as the vendor wrote it (not parsed: the
    /// vendor's own words are the evidence).
    pub date: Option<String>,
    /// The vendor's id of the request (`Request-Id`, `X-Request-Id` or
    /// `X-Correlation-Id`, see the module docs).
    pub request_id: Option<String>,
}

impl AnswerEvidence {
    /// Reads the evidence of an answer of `vendor` with `status` and
    /// `headers`. Total: never fails, never panics.
    pub fn read(vendor: Vendor, status: u16, headers: &HeaderMap) -> AnswerEvidence {
        AnswerEvidence {
            status,
            date: header(headers, DATE.as_str()),
            request_id: request_id_headers(vendor)
                .iter()
                .find_map(|name| header(headers, name)),
        }
    }
}

/// The headers that may carry `vendor`'s request id, in the order tried.
pub fn request_id_headers(vendor: Vendor) -> &'static [&'static str] {
    match vendor {
        Vendor::Stripe | Vendor::Persona => &["request-id"],
        _ => &["x-request-id", "x-correlation-id"],
    }
}

/// The first value of header `name`, sanitised, if it has a usable one.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| sanitise(value.as_bytes()))
}

/// `raw` trimmed, as printable ASCII (a tab becomes a space, any other
/// byte that is not printable ASCII becomes `?`), cut to [`MAX_EVIDENCE_VALUE`] bytes; `None` when empty.
/// Printable ASCII only, so a value cannot forge a log line or a report's
/// markup beyond what escaping handles.
pub(crate) fn sanitise(raw: &[u8]) -> Option<String> {
    let text: String = raw
        .iter()
        .take(MAX_EVIDENCE_VALUE * 4)
        .map(|&b| match b {
            b'\t' => ' ',
            0x20..=0x7e => char::from(b),
            _ => '?',
        })
        .collect();
    let text = text.trim();
    let cut: String = text.chars().take(MAX_EVIDENCE_VALUE).collect();
    let cut = cut.trim_end();
    (!cut.is_empty()).then(|| cut.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn stripe_and_persona_read_request_id() {
        let map = headers(&[
            ("date", b"Wed, 02 Dec 2026 10:00:00 GMT"),
            ("request-id", b"req_123"),
            ("x-request-id", b"other"),
        ]);
        for vendor in [Vendor::Stripe, Vendor::Persona] {
            let evidence = AnswerEvidence::read(vendor, 200, &map);
            assert_eq!(evidence.status, 200);
            assert_eq!(
                evidence.date.as_deref(),
                Some("Wed, 02 Dec 2026 10:00:00 GMT")
            );
            assert_eq!(evidence.request_id.as_deref(), Some("req_123"));
        }
    }

    #[test]
    fn other_vendors_try_x_request_id_then_x_correlation_id() {
        let both = headers(&[("x-correlation-id", b"corr"), ("x-request-id", b"req")]);
        let corr = headers(&[("x-correlation-id", b"corr"), ("request-id", b"ignored")]);
        for vendor in [
            Vendor::Jumio,
            Vendor::JumioPlatform,
            Vendor::HyperVerge,
            Vendor::Onfido,
            Vendor::Veriff,
        ] {
            let read = |map| AnswerEvidence::read(vendor, 404, map).request_id;
            assert_eq!(read(&both).as_deref(), Some("req"), "{vendor:?}");
            assert_eq!(read(&corr).as_deref(), Some("corr"), "{vendor:?}");
            assert_eq!(read(&HeaderMap::new()), None, "{vendor:?}");
        }
    }

    #[test]
    fn values_are_bounded_printable_and_never_empty() {
        let long = vec![b'a'; 1000];
        let map = headers(&[("x-request-id", &long), ("date", b"  \t ")]);
        let evidence = AnswerEvidence::read(Vendor::Onfido, 204, &map);
        assert_eq!(
            evidence.request_id.map(|v| v.len()),
            Some(MAX_EVIDENCE_VALUE)
        );
        assert_eq!(evidence.date, None);
        assert_eq!(
            sanitise("id\u{e9}\u{7f}x".as_bytes()).as_deref(),
            Some("id???x")
        );
        assert_eq!(sanitise(b" \x7f "), Some("?".to_owned()));
        assert_eq!(sanitise(b""), None);
    }
}
