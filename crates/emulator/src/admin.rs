//! The admin API under `/__emulator/` (seed, reset, faults, stats, token
//! revocation), for
//! tests and demos in any language; the request and answer shapes are in the
//! crate docs. It shares every operation with the library API through
//! [`Service`], so both behave the same.

use serde::Serialize;
use serde_json::json;

use crate::faults::Faults;
use crate::http::Request;
use crate::http::Response;
use crate::service::Service;
use crate::state::SeedItem;

/// Answers the admin request for `/__emulator/{path}`.
pub(crate) fn handle(service: &Service, req: &Request, path: &str) -> Response {
    let method = req.method.as_str();
    match (path, method) {
        ("seed", "POST") => match serde_json::from_slice::<Vec<SeedItem>>(&req.body) {
            Err(e) => error(400, &format!("seed body: {e}")),
            Ok(items) => match service.seed(&items) {
                Ok(seeded) => Response::json(200, json!({ "seeded": seeded }).to_string()),
                Err(e) => error(400, &e.to_string()),
            },
        },
        ("reset", "POST") => {
            service.reset();
            Response::json(200, r#"{"reset":true}"#)
        }
        ("faults", "GET") => to_json(&service.faults()),
        ("faults", "PUT") => match serde_json::from_slice::<Faults>(&req.body) {
            Err(e) => error(400, &format!("faults body: {e}")),
            Ok(faults) => match service.set_faults(faults) {
                Ok(()) => to_json(&service.faults()),
                Err(e) => error(400, &e.to_string()),
            },
        },
        ("stats", "GET") => to_json(&service.stats()),
        ("tokens/revoke", "POST") => {
            let revoked = service.revoke_tokens();
            Response::json(200, json!({ "revoked": revoked }).to_string())
        }
        ("seed" | "reset" | "tokens/revoke", _) => not_allowed("POST"),
        ("faults", _) => not_allowed("GET, PUT"),
        ("stats", _) => not_allowed("GET"),
        _ => error(404, "unknown admin route"),
    }
}

fn to_json(value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => Response::json(200, body),
        Err(e) => error(500, &e.to_string()),
    }
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, json!({ "error": message }).to_string())
}

fn not_allowed(allow: &'static str) -> Response {
    Response {
        allow: Some(allow),
        ..error(405, "method not allowed")
    }
}
