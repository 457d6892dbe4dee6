//! Veriff's session deletion (`/work/shared/VENDORS.md` §3, from Veriff's
//! API reference and HMAC guide), as the crate docs describe it.
//!
//! What Veriff documents and we follow:
//! - `DELETE /v1/sessions/{id}` with `X-AUTH-CLIENT: <API key>`,
//!   `X-HMAC-SIGNATURE: <hex HMAC-SHA256 of the session id, keyed with the
//!   shared secret>` and `Content-Type: application/json`;
//! - the endpoint is off until Veriff enables it
//!   ([`Config::veriff_delete_enabled`]);
//! - success 200 `{"status": "success", "verification": {"id": ...}}`, the
//!   session gone at once (its data is deleted within 12 hours, which no
//!   route can observe);
//! - a session not completed gets 400 `{"status": 400, "code": "1305",
//!   "message": "Session is not in a completed status."}` (seed state
//!   `in_progress`) or code 1306 (seed state `submitted`);
//! - codes 1801/1803 (missing or unknown API key), 1812 (the signature is
//!   not a SHA-256 hash), 1818 (the signature does not match);
//! - at most 5 deletions per hour and 10 per 24 hours
//!   ([`Config::veriff_windows`]), else 429 "Too many requests".
//!
//! Where Veriff's docs are silent, we chose:
//! - 403 `{"status": "fail", "message": ...}` while the endpoint is not
//!   enabled;
//! - 401 with `{"status": "fail", "code", "message"}` for the auth codes;
//!   a signature must be 64 lowercase hex digits (Veriff's own demo sends
//!   Node's lowercase hex);
//! - 400 `{"status": "fail", ...}` without a code when `Content-Type` is
//!   not `application/json`, so a client that forgets it is told;
//! - 1306's message, truncated in the public copy, as "Session in
//!   progress.";
//! - the windows are sliding, count successful deletions only, and are
//!   checked before the session is looked up; the 429 has no
//!   `Retry-After` (Veriff documents none) and names the window;
//! - a second delete gets 404 "Session not found", since the session is
//!   "unavailable via public API endpoints" at once.

use std::time::Instant;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::http::{Request, Response};
use crate::product::{ObjectState, Product};
use crate::state::{Object, State};
use crate::window::SlidingWindows;
use crate::Config;

/// Prefix of the session route.
pub(crate) const PREFIX: &str = "/v1/sessions/";

const PRODUCT: Product = Product::VeriffSession;

/// The checks before the session: enabled (403), API key (401), signature
/// of `id` (401), content type (400).
pub(crate) fn check(req: &Request, config: &Config, id: &str) -> Result<(), Response> {
    if !config.veriff_delete_enabled {
        return Err(fail(
            403,
            None,
            "Session deletion is not enabled for this integration: ask Veriff to enable it",
        ));
    }
    match req.header("x-auth-client") {
        None => return Err(fail(
            401,
            Some("1801"),
            "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.",
        )),
        Some(key) if key != config.veriff_api_key => {
            return Err(fail(
                401,
                Some("1803"),
                "Integration with the API key was not found.",
            ))
        }
        Some(_) => {}
    }
    let Some(signature) = req.header("x-hmac-signature").and_then(lowercase_hex) else {
        return Err(fail(
            401,
            Some("1812"),
            "Signature is not a valid SHA256 hash: send 64 lowercase hex digits",
        ));
    };
    if !signature_matches(&config.veriff_shared_secret, id, &signature) {
        return Err(fail(
            401,
            Some("1818"),
            "Signature does not match the HMAC-SHA256 of query ID and integration API secret.",
        ));
    }
    let json = req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return Err(fail(400, None, "Content-Type must be application/json"));
    }
    Ok(())
}

/// Deletes a session: 429 when a window is full, then 200, 400 (not
/// completed) or 404. Only a 200 counts in the windows.
pub(crate) fn delete(
    state: &mut State,
    windows: &mut SlidingWindows,
    id: &str,
    now: Instant,
) -> Response {
    if let Some((count, window)) = windows.full(now) {
        return fail(
            429,
            None,
            &format!(
                "Too many requests: at most {count} session deletions per {} s",
                window.as_secs_f64()
            ),
        );
    }
    match state.object(PRODUCT, id) {
        Some(Object {
            present: true,
            state: session,
            ..
        }) => match session {
            ObjectState::InProgress => {
                state.count_refused(PRODUCT, id);
                not_completed("1305", "Session is not in a completed status.")
            }
            ObjectState::Submitted => {
                state.count_refused(PRODUCT, id);
                not_completed("1306", "Session in progress.")
            }
            _ => {
                state.erase(PRODUCT, id, None);
                windows.record(now);
                let body = json!({ "status": "success", "verification": { "id": id } });
                Response::json(200, body.to_string())
            }
        },
        _ => {
            state.count_not_found(PRODUCT, id);
            fail(404, None, "Session not found")
        }
    }
}

/// A bare error answer (405, 429, 5xx) in Veriff's shape.
pub(crate) fn error(status: u16) -> Response {
    let message = match status {
        405 => "Method not allowed: sessions are deleted with DELETE",
        429 => "Too many requests",
        _ => "Something went wrong",
    };
    fail(status, None, message)
}

/// The 32 bytes of a signature written as 64 lowercase hex digits.
fn lowercase_hex(text: &str) -> Option<Vec<u8>> {
    let ok = text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then(|| {
        (0..64)
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect()
    })
}

/// Whether `signature` is the HMAC-SHA256 of `id` keyed with `secret`
/// (compared in constant time).
fn signature_matches(secret: &str, id: &str, signature: &[u8]) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(id.as_bytes());
    mac.verify_slice(signature).is_ok()
}

/// The documented 400 of a session not completed.
fn not_completed(code: &str, message: &str) -> Response {
    let body = json!({ "status": 400, "code": code, "message": message });
    Response::json(400, body.to_string())
}

/// `{"status": "fail", "code"?, "message"}`.
fn fail(status: u16, code: Option<&str>, message: &str) -> Response {
    let mut body = json!({ "status": "fail", "message": message });
    if let Some(code) = code {
        body["code"] = code.into();
    }
    Response::json(status, body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_id_in_lowercase_hex() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let bytes = lowercase_hex(expected).expect("hex");
        assert!(signature_matches(
            "Jefe",
            "what do ya want for nothing?",
            &bytes
        ));
        assert!(!signature_matches(
            "Jefe",
            "what do ya want for nothing!",
            &bytes
        ));
        assert_eq!(lowercase_hex(&expected.to_uppercase()), None);
        assert_eq!(lowercase_hex(&expected[2..]), None);
    }
}
