//! Persona's redactions (`/work/shared/VENDORS.md` §5, from Persona's API
//! reference), as the crate docs describe them.
//!
//! What Persona documents and we follow:
//! - `DELETE /api/v1/inquiries/{inquiry-id}` ("Redact an Inquiry") and
//!   `DELETE /api/v1/accounts/{account-id}` ("Redact an Account", which
//!   cascades to the account's inquiries), `Authorization: Bearer <API
//!   key>`, optional `Persona-Version`;
//! - the answer is the redacted object in JSON:API form; the object is
//!   redacted at once and "redaction of the Inquiry's associated child
//!   objects are done asynchronously": here an account's inquiries show
//!   `redacted-at` [`Config::persona_children_delay`] after the account's
//!   redaction;
//! - a redacted object stays readable, with a non-null `redacted-at`;
//! - errors `{"errors": [{"title", "details"}]}` with 401, 403, 404, 409,
//!   422 and 429; 300 requests per minute with `ratelimit-limit`,
//!   `ratelimit-remaining` and `ratelimit-reset` headers.
//!
//! Where Persona's docs are silent, we chose:
//! - 200 for a redaction (the docs show the object, not the status);
//! - 409 for an inquiry still in progress (seed state `pending`);
//! - 403 for a key without the redact permission
//!   ([`Config::persona_read_only_key`], which may still read);
//! - 422 for a `Persona-Version` not among the documented ones;
//! - a second redaction answers 200 with the object as it is, its
//!   `redacted-at` unchanged (counted as `repeated` in [`Stats`]);
//! - the rate limit counts every request on these routes in fixed
//!   one-minute windows; `ratelimit-reset` is the whole seconds left in
//!   the window. The headers come with every answer of these routes.
//!
//! [`Stats`]: crate::Stats

use serde_json::{json, Value};

use crate::date::Stamp;
use crate::http::{Request, Response};
use crate::product::{ObjectState, Product};
use crate::state::{Erasure, State};
use crate::Config;

/// Prefix of the inquiry routes. Accounts share
/// [`ACCOUNTS_PREFIX`](crate::jumio_platform::ACCOUNTS_PREFIX) with the
/// Jumio Platform, told apart by the `act_` of Persona's ids.
pub(crate) const INQUIRIES_PREFIX: &str = "/api/v1/inquiries/";

/// The `Persona-Version` values Persona documents.
const VERSIONS: [&str; 9] = [
    "2026-09-29",
    "2025-12-08",
    "2025-10-27",
    "2023-01-05",
    "2022-09-01",
    "2021-08-18",
    "2021-07-05",
    "2021-02-21",
    "2020-05-18",
];

/// The key and version checks; `redact` says whether the request
/// redacts (a read-only key may read). `Err` holds the 401, 403 or 422.
pub(crate) fn check(req: &Request, config: &Config, redact: bool) -> Result<(), Response> {
    let key = req
        .header("authorization")
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    if key == Some(config.persona_read_only_key.as_str()) {
        if redact {
            return Err(error_with(
                403,
                "Forbidden",
                "This API key does not have the permission to redact objects",
            ));
        }
    } else if key != Some(config.persona_api_key.as_str()) {
        return Err(error_with(
            401,
            "Unauthorized",
            "Missing or invalid API key: send Authorization: Bearer YOUR_API_KEY",
        ));
    }
    if let Some(version) = req.header("persona-version") {
        if !VERSIONS.contains(&version) {
            return Err(error_with(
                422,
                "Invalid Persona-Version",
                &format!("Persona-Version must be one of {}", VERSIONS.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Redacts an inquiry or account: 200 with the object, 404, or 409 for an
/// inquiry still pending.
/// `version` is the `Persona-Version` received (checked), counted.
pub(crate) fn redact(
    state: &mut State,
    product: Product,
    id: &str,
    version: Option<&str>,
    config: &Config,
    now: Stamp,
) -> Response {
    if let Some(version) = version {
        state.count_version("persona", version);
    }
    let Some(object) = state.object(product, id) else {
        state.count_not_found(product, id);
        return not_found(product);
    };
    match object.erasure {
        _ if object.present && object.state == ObjectState::Pending => {
            state.count_refused(product, id);
            error_with(
                409,
                "Conflict",
                "The inquiry is still in progress: redact it once it is completed, \
                 failed or expired",
            )
        }
        _ if object.present => {
            let erasure = Erasure {
                started: now,
                completes: now.after(config.persona_children_delay),
            };
            state.erase(product, id, Some(erasure));
            Response::json(200, body(product, id, object.state, Some(now)))
        }
        Some(erasure) => {
            // An inquiry whose account's redaction has not reached it yet
            // is redacted now; its own children keep their time.
            if !erasure.started.reached(now) {
                let erasure = Erasure {
                    started: now,
                    ..erasure
                };
                state.set_erasure(product, id, erasure);
            }
            state.count_repeated(product, id);
            let started = if erasure.started.reached(now) {
                erasure.started
            } else {
                now
            };
            Response::json(200, body(product, id, object.state, Some(started)))
        }
        None => {
            state.count_not_found(product, id);
            not_found(product)
        }
    }
}

/// `GET` of an inquiry or account: 200 with `redacted-at` null until its
/// redaction shows, or 404.
pub(crate) fn read(state: &State, product: Product, id: &str, now: Stamp) -> Response {
    match state.object(product, id) {
        Some(object) => {
            let redacted = object
                .erasure
                .map(|e| e.started)
                .filter(|started| started.reached(now));
            Response::json(200, body(product, id, object.state, redacted))
        }
        None => not_found(product),
    }
}

/// A bare error answer (405, 429, 5xx) in Persona's shape.
pub(crate) fn error(status: u16) -> Response {
    let (title, details) = match status {
        405 => ("Method Not Allowed", "This route takes GET or DELETE"),
        429 => (
            "Too Many Requests",
            "Rate limit exceeded: wait for ratelimit-reset seconds",
        ),
        503 => ("Service Unavailable", "Please try again later"),
        _ => ("Internal Server Error", "Something went wrong"),
    };
    error_with(status, title, details)
}

/// The JSON:API document of an object.
fn body(product: Product, id: &str, state: ObjectState, redacted: Option<Stamp>) -> String {
    let redacted_at = redacted.map_or(Value::Null, |at| Value::String(at.rfc3339()));
    let attributes = match product {
        Product::PersonaInquiry => {
            let status = match state {
                ObjectState::Pending => "pending",
                _ => "completed",
            };
            json!({ "status": status, "redacted-at": redacted_at })
        }
        _ => json!({ "redacted-at": redacted_at }),
    };
    let body = json!({ "data": { "type": product.name(), "id": id, "attributes": attributes } });
    body.to_string()
}

fn not_found(product: Product) -> Response {
    let details = match product {
        Product::PersonaInquiry => "No inquiry with this id",
        _ => "No account with this id",
    };
    error_with(404, "Record not found", details)
}

/// `{"errors": [{"title", "details"}]}`.
fn error_with(status: u16, title: &str, details: &str) -> Response {
    let body = json!({ "errors": [{ "title": title, "details": details }] });
    Response::json(status, body.to_string())
}
