//! HyperVerge: `DELETE https://review-api.idv.hyperverge.co/api/v2/transaction/id`
//! with `content-type: application/json`, the `appid` and `appkey` headers
//! and the body `{"transactionId":"<id>"}` (no other key: HyperVerge
//! answers 422 to any). Success is 200 `{"status": "success", ...}` with the
//! ids of the deleted audit records in `deletedAudits`; the deletion is
//! immediate. HyperVerge serves some customers from other hosts
//! ([`crate::Endpoint::hyperverge_host`]) and answers only allow-listed IP
//! addresses (a 403 otherwise). Sources:
//! `docs/ARCHITECTURE.md#hyperverge`.

use http::header::CONTENT_TYPE;

use super::{sensitive, Json};
use crate::credentials::HyperVergeCredentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{bounded_for_display, DeleteIntent};
use crate::outcome::{ConfirmedBy, Deleted, Erasure};
use crate::response::bound;

/// HyperVerge's documented host.
pub const HOST: &str = "review-api.idv.hyperverge.co";
/// HyperVerge's delete path (the transaction id travels in the body).
pub const PATH: &str = "/api/v2/transaction/id";
/// The longest transaction id accepted, in characters.
pub const MAX_ID: usize = 256;
/// Most audit ids kept from one answer.
const MAX_AUDITS: usize = 1024;

pub(crate) fn delete(
    intent: &DeleteIntent,
    url: String,
    credentials: &HyperVergeCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    http::Request::delete(url)
        .header(CONTENT_TYPE, "application/json")
        .header("appid", sensitive(credentials.app_id.expose())?)
        .header("appkey", sensitive(credentials.app_key.expose())?)
        .body(body(intent.reference()))
}

/// `{"transactionId":"<id>"}` with the id JSON-escaped, and no other key.
fn body(transaction_id: &str) -> Vec<u8> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        transaction_id: &'a str,
    }
    serde_json::to_vec(&Body { transaction_id }).unwrap_or_default()
}

/// A 2xx is a deletion only if its body is the documented success shape; a
/// 2xx that says failure, or that cannot be read, is not. One that cannot
/// be read (no JSON object, no `status`) is in doubt: HyperVerge may have
/// applied the deletion and the body been lost on the way.
pub(crate) fn deleted(
    intent: &DeleteIntent,
    status: u16,
    json: Option<&Json>,
    message: Option<String>,
) -> Result<Erasure, DeleteError> {
    let unexpected = |detail: String| {
        Err(DeleteError::new(ErrorKind::UnexpectedResponse, detail)
            .with_status(status)
            .with_vendor_message(message.clone())
            .with_attempts(1))
    };
    // A 2xx that cannot be read may follow an applied deletion: in doubt,
    // so that running it again confirms a deletion by a 404.
    let unconfirmed = |detail: String| unexpected(detail).map_err(|e| e.with_in_doubt(true));
    let Some(object) = json else {
        return unconfirmed(format!(
            "the server behind the HyperVerge base URL answered HTTP {status} for {intent} without HyperVerge's documented JSON body: check for a proxy or a wrong base URL. Nothing is known to be deleted"
        ));
    };
    match object.get("status").and_then(|s| s.as_str()) {
        Some("success") => {}
        Some(other) => {
            return unexpected(format!(
                "HyperVerge answered HTTP {status} but its body says status {:?}; the transaction was not deleted",
                bound(other)
            ))
        }
        None => {
            return unconfirmed(format!(
                "HyperVerge answered HTTP {status} without a status in its body: nothing is known to be deleted"
            ))
        }
    }
    let audits = object
        .get("deletedAudits")
        .and_then(|a| a.as_array())
        .map(|audits| {
            audits
                .iter()
                .filter_map(|a| a.as_str())
                .take(MAX_AUDITS)
                .map(bound)
                .collect()
        })
        .unwrap_or_default();
    Ok(Erasure::Deleted(Deleted {
        audits,
        vendor_message: message,
        confirmed_by: ConfirmedBy::Response,
        attempts: 1,
        evidence: None,
    }))
}

/// Non-empty, at most [`MAX_ID`] characters, no control characters, no
/// whitespace at either end (why: [`crate::DeleteIntent::hyperverge`]).
pub(crate) fn validate(id: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "HyperVerge transaction id {:?} {why}; a transaction id is 1-{MAX_ID} characters without control characters or surrounding whitespace",
                bounded_for_display(id)
            ),
        )
    };
    if id.is_empty() {
        return Err(invalid("is empty".into()));
    }
    // A blank CSV cell or a stray space is never a transaction id.
    if id.trim().is_empty() {
        return Err(invalid("is only whitespace".into()));
    }
    if let Some((position, c)) = id.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(invalid(format!(
            "has the control character U+{:04X} at position {position}",
            c as u32
        )));
    }
    if let Some(c) = id.chars().next().filter(|c| c.is_whitespace()) {
        return Err(invalid(format!(
            "starts with whitespace (U+{:04X}); remove the whitespace around the id",
            c as u32
        )));
    }
    if let Some(c) = id.chars().next_back().filter(|c| c.is_whitespace()) {
        return Err(invalid(format!(
            "ends with whitespace (U+{:04X}); remove the whitespace around the id",
            c as u32
        )));
    }
    let length = id.chars().count();
    if length > MAX_ID {
        return Err(invalid(format!("is {length} characters long")));
    }
    Ok(())
}
