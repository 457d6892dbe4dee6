//! HyperVerge's delete API (`docs/ARCHITECTURE.md#hyperverge`), as the crate
//! docs describe it: allow-list (403), credentials (401), body (422), then
//! 200 or 404, every answer in the documented JSON shapes.
//!
//! Unless `content-type` is `application/json` the body is not parsed, as a
//! JSON body parser in front of the vendor's validation would skip it, so it
//! counts as missing: a client that forgets the header sees the same 422 it
//! would get from the vendor, not a silent success. The 404 body is our
//! assumption, since HyperVerge documents none.

use std::net::IpAddr;

use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::rng::SplitMix64;
use crate::state::Deletion;
use crate::Config;

/// The vendor's checks; `Ok` holds the transaction id, `Err` the answer.
pub(crate) fn check(
    req: &Request,
    peer: Option<IpAddr>,
    config: &Config,
) -> Result<String, Response> {
    if let Some(allowed) = &config.hyperverge_allowed_ips {
        let peer = peer.map(|ip| ip.to_canonical());
        if !allowed.iter().any(|ip| Some(ip.to_canonical()) == peer) {
            return Err(Response::json(
                403,
                r#"{"status":"forbidden","statusCode":"403","message":"No whitelisted IPs match found"}"#,
            ));
        }
    }
    if req.header("appid") != Some(config.hyperverge_app_id.as_str())
        || req.header("appkey") != Some(config.hyperverge_app_key.as_str())
    {
        return Err(failure(401, "Missing/Invalid credentials"));
    }
    transaction_id(req).map_err(|message| failure(422, &message))
}

/// The transaction id of a valid body, or the 422 message.
fn transaction_id(req: &Request) -> Result<String, String> {
    let required = || "\"transactionId\" is required".to_owned();
    let is_json = req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    if !is_json {
        return Err(required());
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
        return Err(required());
    };
    let id = match body.get("transactionId") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err(required()),
    };
    if let Some(key) = body.keys().find(|k| *k != "transactionId") {
        return Err(format!("\"{key}\" is not allowed"));
    }
    Ok(id)
}

/// The answer to a delete that passed the checks.
pub(crate) fn answer(deletion: Deletion, transaction_id: &str) -> Response {
    match deletion {
        Deletion::Applied => {
            let body = json!({
                "status": "success",
                "statusCode": "200",
                "message": "Transaction deleted successfully",
                "deletedAudits": audit_ids(transaction_id),
            });
            Response::json(200, body.to_string())
        }
        Deletion::NotFound => failure(404, "Transaction not found"),
    }
}

/// A bare error answer (405, 429, 5xx) in the documented failure shape.
pub(crate) fn error(status: u16) -> Response {
    let text = match status {
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    failure(status, text)
}

/// `{"status":"failure","statusCode":"<status>","error":"<error>"}`.
fn failure(status: u16, error: &str) -> Response {
    let body = json!({"status": "failure", "statusCode": status.to_string(), "error": error});
    Response::json(status, body.to_string())
}

/// One to three audit ids, the same for the same transaction id every time,
/// so a test can predict them and a client cannot confuse two transactions.
fn audit_ids(transaction_id: &str) -> Vec<String> {
    // FNV-1a, then SplitMix64 to spread it.
    let hash = transaction_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let mut rng = SplitMix64::new(hash);
    let count = 1 + rng.next_u64() % 3;
    (0..count)
        .map(|_| format!("audit-{:016x}", rng.next_u64()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_ids_are_stable_and_distinct() {
        let a = audit_ids("txn-1");
        assert!((1..=3).contains(&a.len()));
        assert_eq!(a, audit_ids("txn-1"));
        assert_ne!(a, audit_ids("txn-2"));
    }

    #[test]
    fn failure_bodies_escape_keys() {
        let r = failure(422, "\"a\\\"b\" is not allowed");
        let v: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["error"], "\"a\\\"b\" is not allowed");
        assert_eq!(v["statusCode"], "422");
    }
}
