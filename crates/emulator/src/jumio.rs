//! Jumio's Netverify delete API
//! (`docs/ARCHITECTURE.md#jumio-netverify-v2-legacy-delete-api`), as the
//! crate docs describe it: header checks (403), Basic credentials (401),
//! then 200 or 404.
//!
//! The `Accept` check follows Jumio's docs, which require
//! `Accept: application/json` and answer 403 to missing or suspicious
//! headers: a missing header, or one accepting only other types (or JSON
//! with `q=0`), is refused. Jumio documents no error bodies, so ours are one
//! line of plain text naming the problem: what a client must be ready to
//! keep verbatim.

use base64::Engine as _;

use crate::http::{Request, Response};
use crate::state::Deletion;
use crate::Config;

/// The vendor's checks; `Err` holds the 401 or 403 to answer.
pub(crate) fn check(req: &Request, config: &Config) -> Result<(), Response> {
    check_headers(req)?;
    let authorized = req
        .header("authorization")
        .and_then(basic_credentials)
        .is_some_and(|given| {
            given == format!("{}:{}", config.jumio_token, config.jumio_secret).as_bytes()
        });
    if !authorized {
        return Err(Response::text(
            401,
            "Unauthorized: missing or invalid Basic credentials",
        ));
    }
    Ok(())
}

/// The `User-Agent` and `Accept` checks (403), shared with the Jumio
/// Platform's delete routes, which Jumio documents alike.
pub(crate) fn check_headers(req: &Request) -> Result<(), Response> {
    if req.header("user-agent").is_none_or(str::is_empty) {
        return Err(Response::text(
            403,
            "Forbidden: a User-Agent header naming your business is required",
        ));
    }
    if !req.header("accept").is_some_and(accepts_json) {
        return Err(Response::text(
            403,
            "Forbidden: the Accept header must accept application/json",
        ));
    }
    Ok(())
}

/// The answer to a delete that passed the checks.
pub(crate) fn answer(deletion: Deletion) -> Response {
    match deletion {
        Deletion::Applied => Response::empty(200),
        Deletion::NotFound => Response::text(404, "Not Found: no transaction with this reference"),
    }
}

/// A bare error answer (405, 429, 5xx): the status's reason phrase.
pub(crate) fn error(status: u16) -> Response {
    let text = match status {
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    Response::text(status, text)
}

/// The decoded `token:secret` bytes of a Basic `Authorization` value.
pub(crate) fn basic_credentials(value: &str) -> Option<Vec<u8>> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
}

/// Whether an `Accept` header value accepts `application/json`.
fn accepts_json(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|param| {
            param
                .trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f64>().ok())
                == Some(0.0)
        });
        let matches = ["application/json", "application/*", "*/*"]
            .iter()
            .any(|m| media.eq_ignore_ascii_case(m));
        matches && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_variants() {
        assert!(accepts_json("application/json"));
        assert!(accepts_json("text/html, Application/JSON;q=0.5"));
        assert!(accepts_json("*/*"));
        assert!(!accepts_json("text/plain"));
        assert!(!accepts_json("application/json;q=0"));
        assert!(!accepts_json(""));
    }

    #[test]
    fn basic_credentials_decoding() {
        assert_eq!(
            basic_credentials("Basic dTpw").as_deref(),
            Some(&b"u:p"[..])
        );
        assert_eq!(
            basic_credentials("basic  dTpw").as_deref(),
            Some(&b"u:p"[..])
        );
        assert_eq!(basic_credentials("Bearer dTpw"), None);
        assert_eq!(basic_credentials("Basic !!"), None);
        assert_eq!(basic_credentials("Basic"), None);
    }
}
