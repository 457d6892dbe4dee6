//! Veriff: `DELETE {integration base URL}/v1/sessions/{session_id}` (the
//! base URL comes from the customer's Veriff integration page; the common
//! one, `https://stationapi.veriff.com`, is the documented endpoint here),
//! with `X-AUTH-CLIENT: <API key>`, `X-HMAC-SIGNATURE: <lowercase hex
//! HMAC-SHA256 of the session id, keyed with the shared secret>` and
//! `Content-Type: application/json`.
//!
//! Success is 200 `{"status": "success", "verification": {"id": ...}}`:
//! the session disappears at once and its data is deleted within 12 hours,
//! so it is [`Scheduled`]; Veriff offers no read to recheck it. A session
//! still in progress is refused with 400 and code `1305` ("Session is not
//! in a completed status.") or `1306`: not deletable yet. Limits: 5
//! deletions per hour and 10 per 24 hours per integration, and the
//! endpoint must be enabled by Veriff. Sources:
//! `docs/ARCHITECTURE.md#veriff`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use http::header::{ACCEPT, CONTENT_TYPE};
use sha2::Sha256;

use super::{sensitive, text, Json};
use crate::credentials::VeriffCredentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::DeleteIntent;
use crate::outcome::{Erasure, Scheduled};

/// Veriff's common host (each integration's is on its integration page).
pub(crate) const HOST: &str = "stationapi.veriff.com";
/// The sessions' path, before the id.
pub(crate) const PATH: &str = "/v1/sessions/";
/// Veriff's documented longest deletion.
pub(crate) const WITHIN: Duration = Duration::from_secs(12 * 3600);

const COMPLETES: &str = "Veriff removed the session at once and deletes its data within 12 hours";

/// The lowercase hex HMAC-SHA256 of `payload` keyed with `secret`: what
/// Veriff's `X-HMAC-SIGNATURE` carries (for a delete, the payload is the
/// session id).
pub fn signature(secret: &str, payload: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(payload.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in mac.finalize().into_bytes() {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

pub(crate) fn delete(
    intent: &DeleteIntent,
    url: String,
    credentials: &VeriffCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    let signed = signature(credentials.shared_secret.expose(), intent.reference());
    http::Request::delete(url)
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/json")
        .header("X-AUTH-CLIENT", sensitive(credentials.api_key.expose())?)
        .header("X-HMAC-SIGNATURE", sensitive(&signed)?)
        .body(Vec::new())
}

/// A 2xx to the delete.
pub(crate) fn deleted(
    json: Option<&Json>,
    message: Option<String>,
) -> Result<Erasure, DeleteError> {
    match json.and_then(|j| text(j, "status")).as_deref() {
        Some("success") => Ok(Erasure::Scheduled(Scheduled {
            completes: COMPLETES.to_owned(),
            within: Some(WITHIN),
            until: None,
            vendor_status: None,
            vendor_message: message,
            attempts: 1,
            evidence: None,
        })),
        Some(other) => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            format!("Veriff answered 2xx but its body says status {other:?}; the session was not deleted"),
        )
        .with_vendor_message(message)),
        None => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "the server behind the Veriff base URL answered 2xx without Veriff's status: check for a proxy or a wrong base URL. Nothing is known to be deleted",
        )
        .with_vendor_message(message)
        .with_in_doubt(true)),
    }
}

/// A 404 after an attempt that may have been applied: the session is gone,
/// so that attempt removed it (or it never existed), and Veriff deletes a
/// removed session's data within 12 hours: scheduled, not deleted.
pub(crate) fn absent(message: Option<String>) -> Scheduled {
    Scheduled {
        completes: "Veriff no longer has the session after an attempt that may have removed it; if that attempt removed it, Veriff deletes its data within 12 hours".to_owned(),
        within: Some(WITHIN),
        until: None,
        vendor_status: None,
        vendor_message: message,
        attempts: 1,
        evidence: None,
    }
}

pub(crate) fn not_deletable_yet(status: u16, json: Option<&Json>) -> Option<String> {
    let code = match json?.get("code")? {
        serde_json::Value::String(code) => code.clone(),
        serde_json::Value::Number(code) => code.to_string(),
        _ => return None,
    };
    (status == 400 && matches!(code.as_str(), "1305" | "1306")).then(|| {
        format!("Veriff will not delete the session yet (code {code}: it is not in a completed status); retry once the session is finished")
    })
}
