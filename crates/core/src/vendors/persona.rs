//! Persona: `DELETE https://api.withpersona.com/api/v1/inquiries/{inq_...}`
//! redacts an inquiry, `DELETE .../api/v1/accounts/{act_...}` an account
//! with its inquiries, verifications and reports. `Authorization: Bearer
//! <API key>`, a pinned `Persona-Version` and an `Idempotency-Key`.
//!
//! The answer is the redacted object (JSON:API, `data.attributes`); the
//! object is redacted at once but its child objects asynchronously, so an
//! accepted redaction is [`Scheduled`]. A redacted object has a non-null
//! `redacted-at`, which a recheck (`GET` of the same path) reads; it
//! cannot see the children, so a recheck confirms what Persona shows.
//! 409 means the object cannot be redacted yet. Errors: `{"errors":
//! [{"title", "details"}]}`. Limit: 300 requests per minute. Sources:
//! `docs/ARCHITECTURE.md#persona`.

use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION};

use super::{idempotency_key, sensitive, Json};
use crate::credentials::PersonaCredentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{DeleteIntent, PersonaResource};
use crate::outcome::{ConfirmedBy, Deleted, Erasure, Scheduled};

/// Persona's documented host.
pub(crate) const HOST: &str = "api.withpersona.com";
/// The API version every request pins, so that answers keep the shape read
/// here (`data.attributes.redacted-at`) whatever the key's default.
pub(crate) const VERSION: &str = "2023-01-05";

pub(crate) fn record_path(resource: PersonaResource, id: &str) -> String {
    let collection = match resource {
        PersonaResource::Inquiry => "inquiries",
        PersonaResource::Account => "accounts",
    };
    format!("/api/v1/{collection}/{id}")
}

fn authorized(
    builder: http::request::Builder,
    credentials: &PersonaCredentials,
) -> Result<http::request::Builder, http::Error> {
    let mut value = zeroize::Zeroizing::new(String::from("Bearer "));
    value.push_str(credentials.api_key.expose());
    Ok(builder
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, sensitive(&value)?)
        .header("Persona-Version", VERSION))
}

pub(crate) fn delete(
    intent: &DeleteIntent,
    url: String,
    credentials: &PersonaCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    authorized(http::Request::delete(url), credentials)?
        .header("Idempotency-Key", idempotency_key(intent))
        .body(Vec::new())
}

pub(crate) fn read(
    url: String,
    credentials: &PersonaCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    authorized(http::Request::get(url), credentials)?.body(Vec::new())
}

fn completes(resource: PersonaResource) -> &'static str {
    match resource {
        PersonaResource::Inquiry => "Persona redacted the inquiry's personal data at once and redacts its verifications and reports asynchronously",
        PersonaResource::Account => "Persona redacted the account at once and redacts its inquiries, verifications and reports asynchronously",
    }
}

/// `data.attributes.redacted-at`, if the answer is the JSON:API object.
fn redacted_at(json: Option<&Json>) -> Option<Option<String>> {
    let attributes = json?.get("data")?.get("attributes")?.as_object()?;
    match attributes.get("redacted-at") {
        Some(serde_json::Value::String(at)) => Some(Some(crate::response::bound(at))),
        _ => Some(None),
    }
}

/// A 2xx to the redaction: scheduled when the body is the redacted object.
pub(crate) fn redacted(
    resource: PersonaResource,
    json: Option<&Json>,
    message: Option<String>,
) -> Result<Erasure, DeleteError> {
    match redacted_at(json) {
        Some(Some(_)) => Ok(Erasure::Scheduled(Scheduled {
            completes: completes(resource).to_owned(),
            within: None,
            until: None,
            vendor_status: None,
            vendor_message: message,
            attempts: 1,
            evidence: None,
        })),
        Some(None) => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "Persona answered 2xx with the object but without redacted-at: it was not redacted; run it again",
        )
        .with_vendor_message(message)),
        None => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "the server behind the Persona base URL answered 2xx without Persona's JSON:API object: check for a proxy or a wrong base URL. Nothing is known to be redacted",
        )
        .with_vendor_message(message)
        .with_in_doubt(true)),
    }
}

pub(crate) fn not_deletable_yet(status: u16) -> Option<String> {
    (status == 409).then(|| {
        "Persona will not redact it yet (409: it is in use, for example an inquiry still in progress); retry later".to_owned()
    })
}

/// A recheck's answer: `redacted-at` set, deleted (as far as Persona
/// shows); 404, gone.
pub(crate) fn recheck(status: u16, json: Option<&Json>) -> Option<Result<Erasure, DeleteError>> {
    let deleted = |message| {
        Ok(Erasure::Deleted(Deleted {
            audits: Vec::new(),
            vendor_message: message,
            confirmed_by: ConfirmedBy::Recheck,
            attempts: 1,
            evidence: None,
        }))
    };
    match (status, redacted_at(json)) {
        (404, _) => Some(deleted(None)),
        (200, Some(Some(at))) => Some(deleted(Some(format!("redacted-at {at}")))),
        (200, Some(None)) => Some(Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "Persona shows the object without redacted-at: it is not redacted; run the deletion again",
        )
        .with_status(status))),
        _ => None,
    }
}

/// The wait a 429 asks for in Persona's `ratelimit-reset` header (seconds
/// until the window resets), read when the answer has no `Retry-After`.
pub(crate) fn rate_limit_reset(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get("ratelimit-reset")?.to_str().ok()?.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Duration::from_secs(
        value.parse::<u64>().unwrap_or(u64::MAX),
    ))
}
