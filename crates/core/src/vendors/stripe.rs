//! Stripe Identity: `POST https://api.stripe.com/v1/identity/verification_sessions/{vs_...}/redact`
//! with the secret key as `Authorization: Bearer`, a pinned
//! `Stripe-Version` and an `Idempotency-Key`; no parameters.
//!
//! Allowed when the session is `requires_input` or `verified`. The answer
//! is the VerificationSession with `redaction.status` `processing`, which
//! becomes `redacted` within four days: [`Scheduled`] until then (a
//! `redacted` answer is a deletion). A recheck (`GET` of the session)
//! reads `redaction.status`. A refusal because of the session's state
//! (Stripe documents no code; a 400 whose code or message names the
//! state) is "not deletable yet". Limit: 25 requests per second per
//! endpoint by default. Sources: `docs/ARCHITECTURE.md#stripe-identity`.

use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use super::{idempotency_key, sensitive, text, Json};
use crate::credentials::StripeCredentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::DeleteIntent;
use crate::outcome::{ConfirmedBy, Deleted, Erasure, Scheduled};

/// Stripe's documented host.
pub(crate) const HOST: &str = "api.stripe.com";
/// The sessions' path, before the id.
pub(crate) const PATH: &str = "/v1/identity/verification_sessions/";
/// The API version every request pins, so the answer's shape is the one
/// read here.
pub(crate) const VERSION: &str = "2024-06-20";
/// Stripe's documented longest redaction.
pub(crate) const WITHIN: Duration = Duration::from_secs(4 * 24 * 3600);

const COMPLETES: &str =
    "Stripe is redacting the session with its reports, events and request logs, within four days";

fn authorized(
    builder: http::request::Builder,
    credentials: &StripeCredentials,
) -> Result<http::request::Builder, http::Error> {
    let mut value = zeroize::Zeroizing::new(String::from("Bearer "));
    value.push_str(credentials.secret_key.expose());
    Ok(builder
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, sensitive(&value)?)
        .header("Stripe-Version", VERSION))
}

pub(crate) fn redact(
    intent: &DeleteIntent,
    url: String,
    credentials: &StripeCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    authorized(http::Request::post(url), credentials)?
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("Idempotency-Key", idempotency_key(intent))
        .body(Vec::new())
}

pub(crate) fn read(
    url: String,
    credentials: &StripeCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    authorized(http::Request::get(url), credentials)?.body(Vec::new())
}

/// `redaction.status` of a VerificationSession, if the answer is one.
fn redaction_status(json: Option<&Json>) -> Option<Option<String>> {
    let json = json?;
    if json.get("object").and_then(|o| o.as_str()) != Some("identity.verification_session") {
        return None;
    }
    Some(
        json.get("redaction")
            .and_then(|r| r.as_object())
            .and_then(|r| text(r, "status")),
    )
}

fn erasure(status: &str, confirmed_by: ConfirmedBy, message: Option<String>) -> Option<Erasure> {
    match status {
        "redacted" => Some(Erasure::Deleted(Deleted {
            audits: Vec::new(),
            vendor_message: message,
            confirmed_by,
            attempts: 1,
            evidence: None,
        })),
        "processing" => Some(Erasure::Scheduled(Scheduled {
            completes: COMPLETES.to_owned(),
            within: Some(WITHIN),
            until: None,
            vendor_status: Some(status.to_owned()),
            vendor_message: message,
            attempts: 1,
            evidence: None,
        })),
        _ => None,
    }
}

/// A 2xx to the redaction.
pub(crate) fn redacted(
    json: Option<&Json>,
    message: Option<String>,
) -> Result<Erasure, DeleteError> {
    match redaction_status(json) {
        Some(Some(status)) => erasure(&status, ConfirmedBy::Response, message.clone()).ok_or_else(|| {
            DeleteError::new(
                ErrorKind::UnexpectedResponse,
                format!("Stripe answered 2xx with redaction.status {status:?}, which is neither processing nor redacted; nothing is known to be redacted"),
            )
            .with_vendor_message(message)
        }),
        Some(None) => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "Stripe answered 2xx with the session but without its redaction: it is not being redacted; run it again",
        )
        .with_vendor_message(message)),
        None => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            "the server behind the Stripe base URL answered 2xx without a VerificationSession: check for a proxy or a wrong base URL. Nothing is known to be redacted",
        )
        .with_vendor_message(message)
        .with_in_doubt(true)),
    }
}

pub(crate) fn not_deletable_yet(status: u16, json: Option<&Json>) -> Option<String> {
    let error = json?.get("error")?.as_object()?;
    let says_state = ["code", "message"].iter().any(|key| {
        text(error, key).is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("state") || t.contains("status")
        })
    });
    (status == 400 && says_state).then(|| {
        "Stripe will not redact the session in its current state (only requires_input or verified sessions can be redacted); retry later".to_owned()
    })
}

/// A recheck's answer.
pub(crate) fn recheck(status: u16, json: Option<&Json>) -> Option<Result<Erasure, DeleteError>> {
    if status != 200 {
        return None;
    }
    let redaction = redaction_status(json)?;
    Some(
        redaction
            .as_deref()
            .and_then(|s| erasure(s, ConfirmedBy::Recheck, None))
            .ok_or_else(|| {
                DeleteError::new(
                    ErrorKind::UnexpectedResponse,
                    format!(
                        "Stripe shows the session with redaction {:?}: it is not being redacted; run the redaction again",
                        redaction.unwrap_or_default()
                    ),
                )
                .with_status(status)
            }),
    )
}
