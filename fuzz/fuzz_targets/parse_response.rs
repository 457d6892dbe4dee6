//! `parse_response` for both vendors: any status, headers (Retry-After and
//! Date included) and body give the typed answer `docs/ARCHITECTURE.md#outcomes`
//! prescribes,
//! with bounded vendor text, and a `DeleteOp` fed the same answer agrees.
#![no_main]

use arbitrary::{Result, Unstructured};
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, DATE, RETRY_AFTER};
use idv_delete_core::{
    parse_response, retry_after, Action, ConfirmedBy, DeleteIntent, DeleteOp, Endpoint, Erasure,
    ErrorKind, RetryPolicy, Target,
};
use idv_delete_fuzz::{assert_bounded, at_once, credentials_for, is_bounded_form, valid_intent};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn header_value(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => u.int_in_range(0u64..=200)?.to_string().into_bytes(),
        1 => {
            let seconds = u.int_in_range(0u64..=253_402_300_799)?;
            let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
            httpdate::fmt_http_date(at).into_bytes()
        }
        2 => u.arbitrary::<String>()?.into_bytes(),
        _ => u.arbitrary::<Vec<u8>>()?,
    })
}

fn any_json(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    Ok(match u.int_in_range(0..=if depth > 2 { 3 } else { 5 })? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(u.arbitrary::<i64>()?),
        3 => Value::String(u.arbitrary()?),
        4 => Value::Array(
            (0..u.int_in_range(0..=4)?)
                .map(|_| any_json(u, depth + 1))
                .collect::<Result<_>>()?,
        ),
        _ => Value::Object(
            (0..u.int_in_range(0..=4)?)
                .map(|_| Ok((u.arbitrary()?, any_json(u, depth + 1)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

/// A body: raw bytes, or HyperVerge's JSON shape with fuzzed fields.
fn body(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    if u.ratio(1, 2)? {
        return u.arbitrary::<Vec<u8>>();
    }
    let mut object = serde_json::Map::new();
    for key in ["status", "statusCode", "message", "error", "deletedAudits"] {
        if !u.ratio(3, 4)? {
            continue;
        }
        let value = match (key, u.int_in_range(0..=3)?) {
            ("status", 0 | 1) => json!("success"),
            ("status", 2) => json!("failure"),
            ("statusCode", 0 | 1) => json!("200"),
            ("deletedAudits", 0 | 1) => Value::Array(
                (0..u.int_in_range(0..=1100)?)
                    .map(|_| {
                        Ok(if u.ratio(1, 16)? {
                            any_json(u, 1)?
                        } else {
                            Value::String(u.arbitrary()?)
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            ("message" | "error", 0) => {
                // Long enough to be cut, with characters of every width.
                let unit: String = u.arbitrary()?;
                Value::String(unit.repeat(u.int_in_range(1..=2000)?))
            }
            (_, 2) => Value::String(u.arbitrary()?),
            _ => any_json(u, 1)?,
        };
        object.insert(key.to_owned(), value);
    }
    let mut bytes = serde_json::to_vec(&Value::Object(object)).unwrap_or_default();
    if u.ratio(1, 8)? {
        // Leading and trailing garbage or whitespace.
        bytes.extend_from_slice(&u.arbitrary::<Vec<u8>>()?);
    }
    Ok(bytes)
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let intent = valid_intent(u)?;
    let status = match u.int_in_range(0..=3)? {
        0 => *u.choose(&[
            200u16, 201, 204, 299, 301, 304, 400, 401, 403, 404, 409, 422, 429, 500, 501, 502, 503,
            504, 599,
        ])?,
        _ => u.int_in_range(100u16..=999)?,
    };
    let mut builder = http::Response::builder().status(status);
    for _ in 0..u.int_in_range(0..=4)? {
        let name = match u.int_in_range(0..=3)? {
            0 | 1 => RETRY_AFTER,
            2 => DATE,
            _ => match HeaderName::from_bytes(&u.arbitrary::<Vec<u8>>()?) {
                Ok(name) => name,
                Err(_) => CONTENT_TYPE,
            },
        };
        if let Ok(value) = HeaderValue::from_bytes(&header_value(u)?) {
            builder = builder.header(name, value);
        }
    }
    let body = body(u)?;
    let response = builder.body(body.as_slice()).expect("valid parts");
    let headers = response.headers().clone();

    let result = at_once(parse_response(&intent, response));
    check(&intent, status, &headers, &body, &result);
    // Pure: the same answer gives the same result.
    let again = http::Response::builder().status(status);
    let mut again = again.body(body.as_slice()).expect("valid parts");
    *again.headers_mut() = headers.clone();
    assert_eq!(at_once(parse_response(&intent, again)), result);

    check_op(u, &intent, status, &headers, &body, &result)
}

fn check(
    intent: &DeleteIntent,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    result: &Result<idv_delete_core::Deleted, idv_delete_core::DeleteError>,
) {
    let json = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) if intent.target() == Target::HyperVerge => Some(object),
        _ => None,
    };
    let message = match result {
        Ok(deleted) => deleted.vendor_message.as_deref(),
        Err(error) => error.vendor_message(),
    };
    if let Some(message) = message {
        assert!(!message.is_empty(), "an empty vendor message is None");
        assert_bounded("the vendor message", message);
    }
    // The vendor's own words, where we can tell what they are.
    match &json {
        Some(object) => {
            let field = ["error", "message"]
                .iter()
                .find_map(|key| object.get(*key).and_then(Value::as_str));
            match (field, message) {
                (Some(field), Some(message)) => assert!(is_bounded_form(field, message)),
                (Some(field), None) => assert!(field.is_empty(), "message {field:?} lost"),
                (None, m) => assert_eq!(m, None, "a message out of nowhere"),
            }
        }
        None => {
            if let Ok(text) = std::str::from_utf8(body) {
                let text = text.trim();
                if text.len() <= 1024 {
                    assert!(
                        message.is_some_and(|m| is_bounded_form(text, m)) || text.is_empty(),
                        "body {text:?} gave message {message:?}"
                    );
                }
            }
        }
    }

    // A 2xx is the vendor's own answer only when it is no HTML page and,
    // for Jumio, has no or a JSON Content-Type and an empty or JSON body.
    let media = headers.get(CONTENT_TYPE).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let sniffed = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let sniffed = String::from_utf8_lossy(sniffed)
        .trim_start_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase();
    let html = matches!(
        media.as_deref(),
        Some("text/html" | "application/xhtml+xml")
    ) || sniffed.starts_with("<html")
        || sniffed.starts_with("<!doctype html");
    let jumio_answer = media.as_deref().is_none_or(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    }) && (body.iter().all(u8::is_ascii_whitespace)
        // JSON's grammar, not serde_json's values: a lone surrogate escape
        // or a number beyond f64 is still one JSON document.
        || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok());
    let expected = match status {
        200..=299 => None,
        404 => Some(ErrorKind::NotFound),
        401 => Some(ErrorKind::Unauthorized),
        403 => Some(ErrorKind::Forbidden),
        400 | 422 => Some(ErrorKind::InvalidInput),
        429 => Some(ErrorKind::RateLimited),
        500..=599 => Some(ErrorKind::Server),
        _ => Some(ErrorKind::UnexpectedResponse),
    };
    match result {
        Ok(deleted) => {
            assert_eq!(expected, None, "HTTP {status} reported as deleted");
            assert!(!html, "an HTML 2xx reported as deleted");
            if intent.target() != Target::HyperVerge {
                assert!(
                    jumio_answer,
                    "a Jumio 2xx that is not its answer reported as deleted"
                );
            }
            assert_eq!(deleted.confirmed_by, ConfirmedBy::Response);
            assert_eq!(deleted.attempts, 1);
            match &json {
                None => {
                    assert_ne!(
                        intent.target(),
                        Target::HyperVerge,
                        "HyperVerge 2xx without JSON"
                    );
                    assert!(deleted.audits.is_empty(), "Jumio reports no audits");
                }
                Some(object) => {
                    assert_eq!(
                        object.get("status").and_then(Value::as_str),
                        Some("success"),
                        "a HyperVerge 2xx not saying success reported as deleted"
                    );
                    let sent: Vec<&str> = object
                        .get("deletedAudits")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    assert_eq!(deleted.audits.len(), sent.len().min(1024));
                    for (kept, original) in deleted.audits.iter().zip(sent) {
                        assert_bounded("an audit id", kept);
                        assert!(is_bounded_form(original, kept));
                    }
                }
            }
        }
        Err(error) => {
            let kind = expected.unwrap_or(ErrorKind::UnexpectedResponse);
            assert_eq!(error.kind(), kind, "HTTP {status}");
            if expected.is_none() && !html {
                // Otherwise only a Jumio 2xx that is not its answer, or a
                // HyperVerge 2xx whose body does not say success.
                if intent.target() == Target::HyperVerge {
                    assert_ne!(
                        json.as_ref()
                            .and_then(|o| o.get("status"))
                            .and_then(Value::as_str),
                        Some("success")
                    );
                } else {
                    assert!(!jumio_answer, "Jumio's own 2xx answer refused");
                }
            }
            assert_eq!(error.status(), Some(status));
            assert_eq!(error.attempts(), 1);
            // Only a 2xx that is no proof may follow an applied deletion: an
            // HTML page, any refused Jumio 2xx, a HyperVerge 2xx that cannot
            // be read (no JSON object, no status).
            let unreadable = (200..=299).contains(&status)
                && (html
                    || intent.target() != Target::HyperVerge
                    || json
                        .as_ref()
                        .and_then(|o| o.get("status"))
                        .and_then(Value::as_str)
                        .is_none());
            assert_eq!(error.in_doubt(), unreadable, "in doubt after HTTP {status}");
            let wanted = if status == 429 || status == 503 {
                retry_after(headers)
            } else {
                None
            };
            assert_eq!(error.retry_after(), wanted, "Retry-After on HTTP {status}");
            // The detail names the intent (bounded) and our advice only.
            assert!(error.detail().len() <= 2048, "detail {:?}", error.detail());
            assert!(!error.detail().chars().any(char::is_control));
            let shown = error.to_string();
            assert!(shown.len() <= 8192, "error text of {} bytes", shown.len());
        }
    }
}

/// A `DeleteOp` fed the same answer ends or retries as the policy says.
fn check_op(
    u: &mut Unstructured<'_>,
    intent: &DeleteIntent,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    result: &Result<idv_delete_core::Deleted, idv_delete_core::DeleteError>,
) -> Result<()> {
    let in_doubt: bool = u.arbitrary()?;
    let policy = RetryPolicy::default();
    let credentials = credentials_for(intent.target());
    let make = if in_doubt {
        DeleteOp::resume_in_doubt
    } else {
        DeleteOp::new
    };
    let mut op = make(
        intent,
        &Endpoint::Documented,
        &credentials,
        policy,
        u.arbitrary()?,
    )
    .expect("valid op");
    let Action::Send(_) = op.poll_action() else {
        panic!("a fresh op does not send first")
    };
    let mut response = http::Response::builder()
        .status(status)
        .body(body.to_vec())
        .expect("valid parts");
    *response.headers_mut() = headers.clone();
    op.handle_response(response);
    match (op.poll_action(), result) {
        (Action::Send(_), _) => panic!("sent again without waiting"),
        (Action::Authorize, _) => panic!("a Netverify v2 or HyperVerge op asked for a token"),
        (Action::Done(Ok(Erasure::Scheduled(scheduled))), _) => {
            panic!("v2 and HyperVerge never schedule: {scheduled:?}")
        }
        (Action::Done(Ok(Erasure::Deleted(deleted))), Ok(parsed)) => assert_eq!(&deleted, parsed),
        (Action::Done(Ok(Erasure::Deleted(deleted))), Err(parsed)) => {
            assert!(in_doubt && parsed.kind() == ErrorKind::NotFound);
            assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence);
        }
        (Action::Done(Err(error)), Err(parsed)) => {
            assert!(!(in_doubt && parsed.kind() == ErrorKind::NotFound));
            assert_eq!(error.kind(), parsed.kind());
            assert_eq!(error.status(), parsed.status());
            assert_eq!(error.vendor_message(), parsed.vendor_message());
            let retryable = matches!(status, 429 | 500 | 502 | 503 | 504);
            // A retryable answer ends the op only when it asks to wait too long.
            if retryable {
                assert!(parsed
                    .retry_after()
                    .is_some_and(|w| w > policy.max_retry_after));
            }
        }
        (Action::Done(Err(error)), Ok(_)) => panic!("a deletion became {error}"),
        (Action::Wait(wait), Err(parsed)) => {
            assert!(matches!(status, 429 | 500 | 502 | 503 | 504));
            assert!(wait <= policy.longest_wait());
            if let Some(asked) = parsed.retry_after() {
                assert_eq!(wait, asked, "Retry-After not honoured");
            } else {
                assert!(wait <= policy.base_delay);
            }
        }
        (Action::Wait(_), Ok(_)) => panic!("waits after a deletion"),
    }
    Ok(())
}
