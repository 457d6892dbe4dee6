//! One module per vendor: [`jumio`] (Netverify v2), [`jumio_platform`],
//! [`hyperverge`], [`onfido`], [`persona`], [`stripe`] and [`veriff`]. Each
//! module holds what its vendor documents: the host and path, the id
//! rules it needs beyond the shared ones, the request's headers (and
//! signature), what its success answer means, which refusals mean "not
//! deletable yet", and the read that rechecks a scheduled erasure. This
//! module only dispatches; `intent`, `endpoint`, `request`, `response` and
//! `recheck` call it, and keep the rules all vendors share.

pub(crate) mod hyperverge;
pub(crate) mod jumio;
pub(crate) mod jumio_platform;
pub(crate) mod onfido;
pub(crate) mod persona;
pub(crate) mod stripe;
pub(crate) mod veriff;

use http::header::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

use crate::credentials::Credentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{DeleteIntent, Target};
use crate::outcome::{ConfirmedBy, Deleted, Erasure};

type Json = serde_json::Map<String, serde_json::Value>;

/// `target`'s documented host, appended to `url`.
pub(crate) fn push_host(url: &mut String, target: Target) {
    match target {
        Target::Jumio { product, region } => url.push_str(jumio::host(product, region)),
        Target::JumioPlatform { region, .. } => jumio_platform::push_host(url, region),
        Target::HyperVerge => url.push_str(hyperverge::HOST),
        Target::Onfido { region } => onfido::push_host(url, region),
        Target::Persona { .. } => url.push_str(persona::HOST),
        Target::Stripe => url.push_str(stripe::HOST),
        Target::Veriff => url.push_str(veriff::HOST),
    }
}

/// The path of `intent`'s delete call, appended to `url`.
pub(crate) fn push_delete_path(url: &mut String, intent: &DeleteIntent) {
    match intent.target() {
        Target::Jumio { product, .. } => jumio::push_path(url, product, intent.reference()),
        Target::JumioPlatform { .. } => {
            let (account, workflow) = intent.platform_ids();
            jumio_platform::push_path(url, account, workflow);
        }
        Target::HyperVerge => url.push_str(hyperverge::PATH),
        target => {
            url.push_str(&record_path(intent));
            url.push_str(delete_suffix(target));
        }
    }
}

/// The path of the record `intent` erases (without the vendor's delete
/// suffix), for the vendors that offer a read (and Veriff, whose delete is
/// on the record itself).
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
fn delete_suffix(target: Target) -> &'static str {
    match target {
        Target::Stripe => "/redact",
        _ => "",
    }
}

/// The delete request for `intent` (a Jumio Platform one still lacks its
/// `Authorization`, which the token adds), or [`ErrorKind::InvalidConfig`]
/// when the credentials are another vendor's.
pub(crate) fn request(
    intent: &DeleteIntent,
    url: String,
    credentials: &Credentials,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    let request = match (intent.target(), credentials) {
        (Target::Jumio { .. }, Credentials::Jumio(c)) => return jumio::delete(url, c),
        (Target::JumioPlatform { .. }, Credentials::JumioPlatform(c)) => {
            jumio_platform::delete(url, c)
        }
        (Target::HyperVerge, Credentials::HyperVerge(c)) => hyperverge::delete(intent, url, c),
        (Target::Onfido { .. }, Credentials::Onfido(c)) => onfido::delete(url, c),
        (Target::Persona { .. }, Credentials::Persona(c)) => persona::delete(intent, url, c),
        (Target::Stripe, Credentials::Stripe(c)) => stripe::redact(intent, url, c),
        (Target::Veriff, Credentials::Veriff(c)) => veriff::delete(intent, url, c),
        (target, credentials) => {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{} credentials cannot delete a {} transaction; use a client configured for {}",
                    credentials.vendor().as_str(),
                    target.vendor().as_str(),
                    target.vendor().as_str()
                ),
            ))
        }
    };
    request.map_err(unassembled)
}

/// Every part of a request was validated when its type was built, so the
/// builder cannot fail; this maps it anyway rather than panic.
pub(crate) fn unassembled(_: http::Error) -> DeleteError {
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

/// What a 2xx answer (not HTML) to a delete means. The result records one
/// attempt, with the answer's status on an error.
pub(crate) fn success(
    intent: &DeleteIntent,
    status: u16,
    headers: &HeaderMap,
    json: Option<&Json>,
    body: &[u8],
    message: Option<String>,
) -> Result<Erasure, DeleteError> {
    let erasure = match intent.target() {
        Target::Jumio { .. } | Target::JumioPlatform { .. } => {
            match jumio::success_problem(headers, body) {
                None => Ok(Erasure::Deleted(Deleted {
                    audits: Vec::new(),
                    vendor_message: message,
                    confirmed_by: ConfirmedBy::Response,
                    attempts: 1,
                    evidence: None,
                })),
                // Possibly applied behind a proxy: in doubt, never a deletion.
                Some(problem) => Err(DeleteError::new(
                    ErrorKind::UnexpectedResponse,
                    format!(
                        "{} answered HTTP {status} for {intent} with {problem}, not Jumio's empty or JSON answer: check for a proxy or a wrong base URL. Nothing is known to be deleted",
                        answerer(intent.target())
                    ),
                )
                .with_vendor_message(message)
                .with_in_doubt(true)),
            }
        }
        Target::HyperVerge => return hyperverge::deleted(intent, status, json, message),
        Target::Onfido { .. } => onfido::deleted(body, message),
        Target::Persona { resource } => persona::redacted(resource, json, message),
        Target::Stripe => stripe::redacted(json, message),
        Target::Veriff => veriff::deleted(json, message),
    };
    erasure.map_err(|e| e.with_status(status).with_attempts(1))
}

/// Who answered, as far as we know, for error texts about answers that
/// may not be the vendor's.
pub(crate) fn answerer(target: Target) -> &'static str {
    match target {
        Target::Jumio { .. } => "the server behind the Jumio base URL",
        Target::JumioPlatform { .. } => "the server behind the Jumio Platform base URL",
        Target::HyperVerge => "the server behind the HyperVerge base URL",
        Target::Onfido { .. } => "the server behind the Onfido base URL",
        Target::Persona { .. } => "the server behind the Persona base URL",
        Target::Stripe => "the server behind the Stripe base URL",
        Target::Veriff => "the server behind the Veriff base URL",
    }
}

/// What a 404 after an attempt that may have been applied means: the
/// record is gone, so that attempt erased it (or it was never there). For
/// most vendors the data went with the record: deleted, confirmed by
/// absence. Veriff removes the session at once but deletes its data within
/// 12 hours, so its absence is only a scheduled erasure. (Onfido's,
/// Persona's and Stripe's erased records still answer, archived or
/// redacted, so their 404 means the data is gone.)
pub(crate) fn absent(intent: &DeleteIntent, message: Option<String>) -> Erasure {
    match intent.target() {
        Target::Veriff => Erasure::Scheduled(veriff::absent(message)),
        _ => Erasure::Deleted(Deleted {
            audits: Vec::new(),
            vendor_message: message,
            confirmed_by: ConfirmedBy::Absence,
            attempts: 1,
            evidence: None,
        }),
    }
}

/// The wait a 429 asks for: `Retry-After`, else a vendor's own header
/// (Persona's `ratelimit-reset`).
pub(crate) fn rate_limit_wait(target: Target, headers: &HeaderMap) -> Option<std::time::Duration> {
    crate::response::retry_after(headers).or_else(|| match target {
        Target::Persona { .. } => persona::rate_limit_reset(headers),
        _ => None,
    })
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
