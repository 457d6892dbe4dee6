//! The vendors that erase asynchronously (issue 18), one module each:
//! [`onfido`], [`persona`], [`stripe`] and [`veriff`]. Each module holds all
//! its vendor knows: the record's path, the request's headers (and
//! signature), what its success answer means, which refusals mean "not
//! deletable yet", and the read that rechecks a scheduled erasure. This
//! module only dispatches; `request`, `response` and `endpoint` call it.
//!
//! (Netverify v2, the Jumio Platform and HyperVerge predate this layout and
//! are still spread over `intent`, `endpoint`, `request` and `response`.)

pub(crate) mod onfido;
pub(crate) mod persona;
pub(crate) mod stripe;
pub(crate) mod veriff;

use http::header::HeaderValue;
use sha2::{Digest, Sha256};

use crate::credentials::Credentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{DeleteIntent, Target};
use crate::outcome::Erasure;

type Json = serde_json::Map<String, serde_json::Value>;

/// The path of the record `intent` erases (without the vendor's delete
/// suffix), for one of this module's vendors.
pub(crate) fn record_path(intent: &DeleteIntent) -> String {
    let id = intent.reference();
    match intent.target() {
        Target::Onfido { .. } => format!("{}{id}", onfido::PATH),
        Target::Persona { resource } => persona::record_path(resource, id),
        Target::Stripe => format!("{}{id}", stripe::PATH),
        Target::Veriff => format!("{}{id}", veriff::PATH),
        _ => String::new(),
    }
}

/// What follows the record's path in the delete call: Stripe redacts with
/// `POST .../redact`; the others delete the record itself.
pub(crate) fn delete_suffix(target: Target) -> &'static str {
    match target {
        Target::Stripe => "/redact",
        _ => "",
    }
}

/// The delete request of one of this module's vendors, or `None` for the
/// others (or credentials of another vendor, which the caller refuses).
pub(crate) fn request(
    intent: &DeleteIntent,
    url: String,
    credentials: &Credentials,
) -> Option<Result<http::Request<Vec<u8>>, DeleteError>> {
    let request = match (intent.target(), credentials) {
        (Target::Onfido { .. }, Credentials::Onfido(c)) => onfido::delete(url, c),
        (Target::Persona { .. }, Credentials::Persona(c)) => persona::delete(intent, url, c),
        (Target::Stripe, Credentials::Stripe(c)) => stripe::redact(intent, url, c),
        (Target::Veriff, Credentials::Veriff(c)) => veriff::delete(intent, url, c),
        _ => return None,
    };
    Some(request.map_err(unassembled))
}

/// Every part of a request was validated when its type was built, so the
/// builder cannot fail; this maps it anyway rather than panic.
fn unassembled(_: http::Error) -> DeleteError {
    DeleteError::new(
        ErrorKind::InvalidConfig,
        "the request could not be assembled from the validated parts",
    )
}

/// The read that rechecks `intent`'s scheduled erasure, or `None` when its
/// vendor offers none (Veriff: the session is gone at once).
pub(crate) fn recheck_request(
    intent: &DeleteIntent,
    url: String,
    credentials: &Credentials,
) -> Option<Result<http::Request<Vec<u8>>, DeleteError>> {
    let request = match (intent.target(), credentials) {
        (Target::Onfido { .. }, Credentials::Onfido(c)) => onfido::read(url, c),
        (Target::Persona { .. }, Credentials::Persona(c)) => persona::read(url, c),
        (Target::Stripe, Credentials::Stripe(c)) => stripe::read(url, c),
        _ => return None,
    };
    Some(request.map_err(unassembled))
}

/// What a 2xx answer (not HTML) to a delete means for one of this module's
/// vendors (the others' 2xx are read in `response`).
pub(crate) fn success(
    intent: &DeleteIntent,
    json: Option<&Json>,
    body: &[u8],
    message: Option<String>,
) -> Result<Erasure, DeleteError> {
    match intent.target() {
        Target::Onfido { .. } => onfido::deleted(body, message),
        Target::Persona { resource } => persona::redacted(resource, json, message),
        Target::Stripe => stripe::redacted(json, message),
        Target::Veriff => veriff::deleted(json, message),
        other => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            format!("{} answers are not read here", other.vendor().name()),
        )),
    }
}

/// A refusal that means the erasure is already scheduled (Onfido's 422 for
/// an archived applicant).
pub(crate) fn already_scheduled(
    target: Target,
    status: u16,
    json: Option<&Json>,
) -> Option<Erasure> {
    match target {
        Target::Onfido { .. } => onfido::already_scheduled(status, json).map(Erasure::Scheduled),
        _ => None,
    }
}

/// Whether the vendor of `target` offers a read to recheck a scheduled
/// erasure (Onfido, Persona, Stripe; not Veriff, nor the vendors that erase
/// at once).
pub(crate) fn offers_recheck(target: Target) -> bool {
    matches!(
        target,
        Target::Onfido { .. } | Target::Persona { .. } | Target::Stripe
    )
}

/// A refusal that means "not deletable yet", with our explanation: Persona's
/// 409, Stripe's refused states, Veriff's 1305 and 1306.
pub(crate) fn not_deletable_yet(
    target: Target,
    status: u16,
    json: Option<&Json>,
) -> Option<String> {
    match target {
        Target::Persona { .. } => persona::not_deletable_yet(status),
        Target::Stripe => stripe::not_deletable_yet(status, json),
        Target::Veriff => veriff::not_deletable_yet(status, json),
        _ => None,
    }
}

/// What a recheck's answer says: the erasure completed
/// ([`crate::ConfirmedBy::Recheck`]), is still scheduled, or an error.
pub(crate) fn recheck(
    intent: &DeleteIntent,
    status: u16,
    json: Option<&Json>,
) -> Result<Erasure, DeleteError> {
    let answer = match intent.target() {
        Target::Onfido { .. } => onfido::recheck(status, json),
        Target::Persona { .. } => persona::recheck(status, json),
        Target::Stripe => stripe::recheck(status, json),
        _ => None,
    };
    answer.unwrap_or_else(|| {
        Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            format!(
                "the recheck of {intent} was answered HTTP {status}, which says nothing about the erasure; run it again later"
            ),
        )
        .with_status(status))
    })
}

/// A deterministic `Idempotency-Key` for `intent`: the same item gets the
/// same key in every attempt and every run, so a vendor that keeps keys
/// (Persona, Stripe) applies a repeated request once. The core draws no
/// randomness, and needs none here.
pub(crate) fn idempotency_key(intent: &DeleteIntent) -> String {
    let digest = Sha256::digest(intent.to_string().as_bytes());
    let mut key = String::from("idv-delete-");
    for byte in &digest[..16] {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

/// A credential as a header value, marked sensitive.
pub(crate) fn sensitive(value: &str) -> Result<HeaderValue, http::Error> {
    let mut header = HeaderValue::from_str(value)?;
    header.set_sensitive(true);
    Ok(header)
}

/// A string field of a JSON object, bounded.
pub(crate) fn text(object: &Json, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(|v| v.as_str())
        .map(crate::response::bound)
}
