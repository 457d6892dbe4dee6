//! Onfido's applicant deletion (`/work/shared/VENDORS.md` §2, from Onfido's
//! OpenAPI spec and its data-deletion guide), as the crate docs describe it.
//!
//! What Onfido documents and we follow:
//! - `DELETE /v3.6/applicants/{applicant_id}`, `Authorization: Token
//!   token=<API token>`, no body, success 204 with no body;
//! - a soft delete: the applicant moves to an archive and is hard-deleted
//!   after the account's deletion delay ([`Config::onfido_deletion_delay`],
//!   20 days by default, Onfido's recommended minimum), and `GET
//!   /v3.6/applicants/{id}` shows when in `delete_at`;
//! - "Deleting an applicant that does not have an associated check will
//!   immediately delete the applicant": seed state `no_check`;
//! - `POST /v3.6/applicants/{id}/restore` restores an archived applicant
//!   (204);
//! - errors are `{"error": {"type", "message", "fields"}}`.
//!
//! Where Onfido's docs are silent, we chose:
//! - a second DELETE of an archived applicant gets 422 `validation_error`
//!   whose message names the scheduled `delete_at`: the applicant still
//!   exists (a GET shows it), so 404 would contradict the read, and the
//!   spec lists no other status;
//! - restoring an applicant that is not archived gets 422 too; one that
//!   is gone (hard-deleted, or never there) 404;
//! - the error types `authorization_error` (401), `resource_not_found`
//!   (404), `validation_error` (422), and for injected faults
//!   `rate_limit` (429) and `internal_server_error` or
//!   `service_unavailable` (5xx);
//! - the applicant JSON holds only `id`, `href` and `delete_at`;
//! - Onfido publishes no rate limit, so none is applied.

use serde_json::json;

use crate::date::Stamp;
use crate::http::{Request, Response};
use crate::product::{ObjectState, Product};
use crate::state::{Erasure, Object, State};
use crate::Config;

/// Prefix of the applicant routes.
pub(crate) const PREFIX: &str = "/v3.6/applicants/";
/// Suffix of the restore route, after the applicant id.
pub(crate) const RESTORE_SUFFIX: &str = "/restore";

const PRODUCT: Product = Product::OnfidoApplicant;

/// The token check; `Err` holds the 401 to answer.
pub(crate) fn check(req: &Request, config: &Config) -> Result<(), Response> {
    let expected = format!("Token token={}", config.onfido_api_token);
    if req.header("authorization") == Some(expected.as_str()) {
        Ok(())
    } else {
        Err(error_with(
            401,
            "Authorization error: please re-check your credentials \
             (Authorization: Token token=YOUR_API_TOKEN)",
        ))
    }
}

/// Deletes an applicant: archived until its `delete_at` if it has a check,
/// gone at once otherwise. 204, 404, or 422 if already archived.
pub(crate) fn delete(state: &mut State, id: &str, config: &Config, now: Stamp) -> Response {
    match state.object(PRODUCT, id) {
        Some(Object {
            present: true,
            state: applicant,
            ..
        }) => {
            let erasure = (applicant != ObjectState::NoCheck).then(|| Erasure {
                started: now,
                completes: now.after(config.onfido_deletion_delay),
            });
            state.erase(PRODUCT, id, erasure);
            Response::empty(204)
        }
        Some(Object {
            erasure: Some(archived),
            ..
        }) if !archived.completes.reached(now) => {
            state.count_refused(PRODUCT, id);
            error_with(
                422,
                &format!(
                    "The applicant is already scheduled for deletion at {}",
                    archived.completes.rfc3339()
                ),
            )
        }
        _ => {
            state.count_not_found(PRODUCT, id);
            error_with(404, "The applicant could not be found")
        }
    }
}

/// `GET /v3.6/applicants/{id}`: 200 with `delete_at` null (present) or set
/// (archived), 404 once hard-deleted or never there.
pub(crate) fn read(state: &State, id: &str, now: Stamp) -> Response {
    let delete_at = match state.object(PRODUCT, id) {
        Some(Object { present: true, .. }) => None,
        Some(Object {
            erasure: Some(archived),
            ..
        }) if !archived.completes.reached(now) => Some(archived.completes.rfc3339()),
        _ => return error_with(404, "The applicant could not be found"),
    };
    let body = json!({
        "id": id,
        "href": format!("{PREFIX}{id}"),
        "delete_at": delete_at,
    });
    Response::json(200, body.to_string())
}

/// `POST /v3.6/applicants/{id}/restore`: 204 for an archived applicant,
/// 422 for one not archived, 404 for one gone.
pub(crate) fn restore(state: &mut State, id: &str, now: Stamp) -> Response {
    match state.object(PRODUCT, id) {
        Some(Object { present: true, .. }) => {
            error_with(422, "The applicant is not scheduled for deletion")
        }
        Some(Object {
            erasure: Some(archived),
            ..
        }) if !archived.completes.reached(now) => {
            state.restore(PRODUCT, id);
            Response::empty(204)
        }
        _ => error_with(404, "The applicant could not be found"),
    }
}

/// A bare error answer (405, 429, 5xx) in Onfido's shape.
pub(crate) fn error(status: u16) -> Response {
    let message = match status {
        405 => "Method not allowed on this route",
        429 => "Rate limit exceeded: retry after the Retry-After delay",
        503 => "Service unavailable",
        _ => "Something went wrong on our side",
    };
    error_with(status, message)
}

/// `{"error": {"type", "message", "fields"}}` with the type of `status`.
fn error_with(status: u16, message: &str) -> Response {
    let kind = match status {
        401 => "authorization_error",
        404 => "resource_not_found",
        405 => "method_not_allowed",
        422 => "validation_error",
        429 => "rate_limit",
        503 => "service_unavailable",
        _ => "internal_server_error",
    };
    let body = json!({ "error": { "type": kind, "message": message, "fields": {} } });
    Response::json(status, body.to_string())
}
