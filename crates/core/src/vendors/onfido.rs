//! Onfido (Entrust): `DELETE https://api.{eu|us|ca}.onfido.com/v3.6/applicants/{applicant_id}`
//! with `Authorization: Token token=<API token>`, no body, answered 204.
//!
//! The deletion is soft: the applicant and its documents, photos, videos,
//! checks and reports move to an archive and are hard-deleted after the
//! account's deletion delay (Onfido recommends at least 20 days); the
//! applicant can be restored meanwhile (`POST .../restore`), and
//! `GET .../applicants/{id}` shows `delete_at`. An applicant without a
//! check is deleted at once, but the 204 does not say which case it was,
//! so every accepted deletion is [`Scheduled`]; a recheck (the `GET`) tells
//! a hard-deleted applicant (404, [`ConfirmedBy::Recheck`]) from an
//! archived one (`delete_at`). Errors: `{"error": {"type", "message",
//! "fields"}}`. Sources: `docs/ARCHITECTURE.md#onfido`.

use http::header::{ACCEPT, AUTHORIZATION};

use super::{sensitive, text, Json};
use crate::credentials::OnfidoCredentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::OnfidoRegion;
use crate::outcome::{ConfirmedBy, Deleted, Erasure, Scheduled};

/// `api.{eu|us|ca}.onfido.com`, appended to `url`.
pub(crate) fn push_host(url: &mut String, region: OnfidoRegion) {
    url.push_str("api.");
    url.push_str(region.as_str());
    url.push_str(".onfido.com");
}

/// The applicants' path, before the id.
pub(crate) const PATH: &str = "/v3.6/applicants/";

/// What an accepted deletion means, for receipts.
pub(crate) const COMPLETES: &str = "Onfido archived the applicant with its documents, photos, videos, checks and reports and hard-deletes them after the account's deletion delay (at least 20 days recommended; at once for an applicant without a check); until then it can be restored";

fn authorized(
    builder: http::request::Builder,
    credentials: &OnfidoCredentials,
) -> Result<http::request::Builder, http::Error> {
    let mut value = zeroize::Zeroizing::new(String::from("Token token="));
    value.push_str(credentials.api_token.expose());
    Ok(builder
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, sensitive(&value)?))
}

pub(crate) fn delete(
    url: String,
    credentials: &OnfidoCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    authorized(http::Request::delete(url), credentials)?.body(Vec::new())
}

pub(crate) fn read(
    url: String,
    credentials: &OnfidoCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    authorized(http::Request::get(url), credentials)?.body(Vec::new())
}

/// A 2xx to the delete: scheduled, when its body is empty or JSON (204 is
/// documented; anything else is no answer of Onfido's API).
pub(crate) fn deleted(body: &[u8], message: Option<String>) -> Result<Erasure, DeleteError> {
    let json = body.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
    if !json {
        return Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "the server behind the Onfido base URL answered 2xx with a body that is not JSON, not Onfido's empty 204: check for a proxy or a wrong base URL. Nothing is known to be deleted",
        )
        .with_vendor_message(message)
        .with_in_doubt(true));
    }
    Ok(Erasure::Scheduled(Scheduled {
        completes: COMPLETES.to_owned(),
        within: None,
        until: None,
        vendor_status: None,
        vendor_message: message,
        attempts: 1,
        evidence: None,
    }))
}

/// A 422 whose message says the applicant is already scheduled for
/// deletion (a second delete of an archived applicant, as when the first
/// one's answer was lost): the erasure is scheduled, whoever asked for it.
/// Onfido does not document this answer; we read the message, and take its
/// last word as the date when it looks like one.
pub(crate) fn already_scheduled(status: u16, json: Option<&Json>) -> Option<Scheduled> {
    let message = json?
        .get("error")?
        .as_object()
        .and_then(|e| text(e, "message"))?;
    if status != 422
        || !message
            .to_ascii_lowercase()
            .contains("scheduled for deletion")
    {
        return None;
    }
    let until = message
        .split_whitespace()
        .last()
        .filter(|word| word.len() >= 10 && word.as_bytes()[..4].iter().all(u8::is_ascii_digit))
        .map(str::to_owned);
    Some(Scheduled {
        completes: COMPLETES.to_owned(),
        within: None,
        until,
        vendor_status: None,
        vendor_message: Some(message),
        attempts: 1,
        evidence: None,
    })
}

/// A recheck's answer: 404, hard-deleted; 200 with `delete_at`, still
/// archived until then; 200 without it, restored (the erasure will not
/// happen).
pub(crate) fn recheck(status: u16, json: Option<&Json>) -> Option<Result<Erasure, DeleteError>> {
    match status {
        404 => Some(Ok(Erasure::Deleted(Deleted {
            audits: Vec::new(),
            vendor_message: None,
            confirmed_by: ConfirmedBy::Recheck,
            attempts: 1,
            evidence: None,
        }))),
        200 => {
            let json = json?;
            Some(match text(json, "delete_at") {
                Some(until) => Ok(Erasure::Scheduled(Scheduled {
                    completes: COMPLETES.to_owned(),
                    within: None,
                    until: Some(until),
                    vendor_status: None,
                    vendor_message: None,
                    attempts: 1,
                    evidence: None,
                })),
                None => Err(DeleteError::new(
                    ErrorKind::UnexpectedResponse,
                    "Onfido holds the applicant and no longer schedules its deletion: it was restored; delete it again",
                )
                .with_status(status)),
            })
        }
        _ => None,
    }
}
