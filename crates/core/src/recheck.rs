//! Rechecking a scheduled erasure: the read that asks the vendor whether
//! it completed, where the vendor offers one (Onfido: the applicant is gone
//! or shows `delete_at`; Stripe: the session's `redaction.status`; Persona:
//! `redacted-at`). Veriff offers none: its session is gone at once.
//!
//! A recheck sends nothing that changes data, so it is never in doubt;
//! its [`Erasure::Deleted`] is confirmed by [`crate::ConfirmedBy::Recheck`].

use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::{DeleteError, ErrorKind};
use crate::evidence::AnswerEvidence;
use crate::intent::{DeleteIntent, Target};
use crate::outcome::Erasure;
use crate::response::{json_object, parse_response, with_evidence};

/// Whether `target`'s vendor offers a read to recheck a scheduled erasure
/// (Onfido, Persona, Stripe; not Veriff, whose session is gone at once, nor
/// the vendors that erase at once).
pub fn offers_recheck(target: Target) -> bool {
    crate::vendors::offers_recheck(target)
}

/// The read that rechecks `intent`'s scheduled erasure at `endpoint`, or
/// `None` when its vendor offers none (Veriff, and the vendors that erase
/// at once). Errors: [`ErrorKind::InvalidConfig`] for credentials of
/// another vendor.
pub fn recheck_request(
    intent: &DeleteIntent,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<Option<http::Request<Vec<u8>>>, DeleteError> {
    if credentials.vendor() != intent.vendor() {
        return Err(DeleteError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{} credentials cannot recheck {intent}; use {} credentials",
                credentials.vendor().as_str(),
                intent.vendor().as_str()
            ),
        ));
    }
    crate::vendors::recheck_request(intent, endpoint.record_url(intent), credentials).transpose()
}

/// What the answer to [`recheck_request`]'s read says: deleted (confirmed by
/// the recheck), still scheduled (Onfido's `delete_at`, Stripe's
/// `processing`), or an error: the vendor's own (401, 429, 5xx as for a
/// delete) or [`ErrorKind::UnexpectedResponse`] when the record shows the
/// erasure will not happen (an Onfido applicant restored). Every result
/// carries the read's [`crate::AnswerEvidence`].
pub fn parse_recheck(
    intent: &DeleteIntent,
    response: http::Response<&[u8]>,
) -> Result<Erasure, DeleteError> {
    let status = response.status().as_u16();
    if matches!(status, 200 | 404) {
        let evidence = AnswerEvidence::read(intent.vendor(), status, response.headers());
        let json = json_object(response.body());
        let result =
            crate::vendors::recheck(intent, status, json.as_ref()).map_err(|e| e.with_attempts(1));
        return with_evidence(result, evidence);
    }
    // Other statuses mean what they mean for a delete (401, 403, 429, 5xx).
    match parse_response(intent, response) {
        Ok(erasure) => Err(DeleteError::new(
            ErrorKind::UnexpectedResponse,
            format!("the recheck of {intent} was answered HTTP {status}, which says nothing about the erasure; run it again later"),
        )
        .with_status(status)
        .with_attempts(1)
        .with_evidence(erasure.evidence().cloned())),
        Err(error) => Err(error.with_in_doubt(false)),
    }
}
