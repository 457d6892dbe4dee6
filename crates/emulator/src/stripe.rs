//! Stripe Identity's redaction (`/work/shared/VENDORS.md` §6, from Stripe's
//! API reference), as the crate docs describe it.
//!
//! What Stripe documents and we follow:
//! - `POST /v1/identity/verification_sessions/{id}/redact`, the secret key
//!   as HTTP Basic user with an empty password or as `Authorization:
//!   Bearer`; `Stripe-Version` and `Idempotency-Key` optional;
//! - allowed when the session is `requires_input` or `verified`; the answer
//!   is the VerificationSession with `redaction.status = "processing"`,
//!   which becomes `"redacted"` later ("may take up to four days":
//!   [`Config::stripe_redaction_delay`]); the session stays retrievable
//!   with `GET /v1/identity/verification_sessions/{id}`;
//! - Stripe's example shows a redacted session `canceled`: a
//!   `requires_input` session becomes `canceled`, a `verified` one stays
//!   `verified`;
//! - errors `{"error": {"type", "code", "message"}}`: 401 for a bad key
//!   (the key is never echoed), 404 `resource_missing`, 429 `rate_limit`
//!   beyond 25 requests per second ([`Config::stripe_rate_limit`]).
//!
//! Where Stripe's docs are silent, we chose:
//! - a `processing` or `canceled` session gets 400 `invalid_request_error`
//!   with code `verification_session_unexpected_state`, named after
//!   Stripe's `payment_intent_unexpected_state`;
//! - a second redaction answers 200 with the session as it is (its
//!   redaction `processing` or `redacted`), counted as `repeated` in
//!   [`Stats`]: the state check applies to sessions not yet redacted;
//! - any `Stripe-Version` is accepted, and counted in [`Stats`].
//!
//! [`Stats`]: crate::Stats

use serde_json::{json, Value};

use crate::date::Stamp;
use crate::http::{Request, Response};
use crate::jumio;
use crate::product::{ObjectState, Product};
use crate::state::{Erasure, Object, State};
use crate::Config;

/// Prefix of the session routes.
pub(crate) const PREFIX: &str = "/v1/identity/verification_sessions/";
/// Suffix of the redact route, after the session id.
pub(crate) const REDACT_SUFFIX: &str = "/redact";

const PRODUCT: Product = Product::StripeSession;

/// The key check; `Err` holds the 401.
pub(crate) fn check(req: &Request, config: &Config) -> Result<(), Response> {
    let Some(value) = req.header("authorization") else {
        return Err(error_with(
            401,
            "invalid_request_error",
            None,
            "You did not provide an API key: send it as HTTP Basic user \
             (YOUR_SECRET_KEY:) or as Authorization: Bearer YOUR_SECRET_KEY",
        ));
    };
    let key = config.stripe_secret_key.as_bytes();
    let basic = jumio::basic_credentials(value)
        .is_some_and(|given| given.strip_suffix(b":").unwrap_or(&given) == key);
    let bearer = value.split_once(' ').is_some_and(|(scheme, given)| {
        scheme.eq_ignore_ascii_case("bearer") && given.trim().as_bytes() == key
    });
    if basic || bearer {
        Ok(())
    } else {
        Err(error_with(
            401,
            "invalid_request_error",
            None,
            "Invalid API Key provided",
        ))
    }
}

/// Redacts a session: 200 with the session, 400 for a state that cannot be
/// redacted, 404. `version` is the `Stripe-Version` received, counted.
pub(crate) fn redact(
    state: &mut State,
    id: &str,
    version: Option<&str>,
    config: &Config,
    now: Stamp,
) -> Response {
    if let Some(version) = version {
        state.count_version("stripe", version);
    }
    match state.object(PRODUCT, id) {
        Some(Object {
            present: true,
            state: session,
            ..
        }) => match session {
            ObjectState::Processing | ObjectState::Canceled => {
                state.count_refused(PRODUCT, id);
                error_with(
                    400,
                    "invalid_request_error",
                    Some("verification_session_unexpected_state"),
                    &format!(
                        "This VerificationSession is {}: only sessions in requires_input \
                         or verified can be redacted",
                        status(session)
                    ),
                )
            }
            _ => {
                let erasure = Erasure {
                    started: now,
                    completes: now.after(config.stripe_redaction_delay),
                };
                let session = if session == ObjectState::RequiresInput {
                    ObjectState::Canceled
                } else {
                    session
                };
                state.set_state(PRODUCT, id, session);
                state.erase(PRODUCT, id, Some(erasure));
                Response::json(200, body(id, session, Some(erasure), now))
            }
        },
        Some(object) => {
            state.count_repeated(PRODUCT, id);
            Response::json(200, body(id, object.state, object.erasure, now))
        }
        None => {
            state.count_not_found(PRODUCT, id);
            missing(id)
        }
    }
}

/// `GET /v1/identity/verification_sessions/{id}`: 200 with the session
/// (redacted or not), or 404.
pub(crate) fn read(state: &State, id: &str, now: Stamp) -> Response {
    match state.object(PRODUCT, id) {
        Some(object) => Response::json(200, body(id, object.state, object.erasure, now)),
        None => missing(id),
    }
}

/// A bare error answer (405, 429, 5xx) in Stripe's shape.
pub(crate) fn error(status: u16) -> Response {
    match status {
        405 => error_with(
            405,
            "invalid_request_error",
            None,
            "Unrecognized request method for this URL",
        ),
        429 => error_with(
            429,
            "invalid_request_error",
            Some("rate_limit"),
            "Too many requests hit the API too quickly: retry after a short delay",
        ),
        _ => error_with(
            status,
            "api_error",
            None,
            "An error occurred with our connection to Stripe",
        ),
    }
}

/// The session's `status` name.
fn status(session: ObjectState) -> &'static str {
    match session {
        ObjectState::RequiresInput => "requires_input",
        ObjectState::Processing => "processing",
        ObjectState::Canceled => "canceled",
        _ => "verified",
    }
}

/// The VerificationSession JSON.
fn body(id: &str, session: ObjectState, erasure: Option<Erasure>, now: Stamp) -> String {
    let redaction = erasure.map_or(Value::Null, |e| {
        let done = e.completes.reached(now);
        json!({ "status": if done { "redacted" } else { "processing" } })
    });
    let body = json!({
        "id": id,
        "object": "identity.verification_session",
        "livemode": false,
        "status": status(session),
        "redaction": redaction,
    });
    body.to_string()
}

fn missing(id: &str) -> Response {
    error_with(
        404,
        "invalid_request_error",
        Some("resource_missing"),
        &format!("No such verification session: '{id}'"),
    )
}

/// `{"error": {"type", "code", "message"}}`, without `code` when `None`.
fn error_with(status: u16, kind: &str, code: Option<&str>, message: &str) -> Response {
    let mut error = json!({ "type": kind, "message": message });
    if let Some(code) = code {
        error["code"] = Value::String(code.to_owned());
    }
    Response::json(status, json!({ "error": error }).to_string())
}
