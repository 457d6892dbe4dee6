//! `http::Response` to a typed result: total, bounded, never panicking.

use std::time::{Duration, SystemTime};

use http::header::{CONTENT_TYPE, DATE, RETRY_AFTER};
use http::HeaderMap;

use crate::error::{DeleteError, ErrorKind};
use crate::evidence::AnswerEvidence;
use crate::intent::{DeleteIntent, Target};
use crate::outcome::Erasure;

/// Longest vendor message kept, in bytes of UTF-8.
pub const MAX_VENDOR_MESSAGE: usize = 1024;

/// Reads one answer to one attempt of `intent`'s deletion.
///
/// Every non-2xx answer is a [`DeleteError`] whose kind follows its status,
/// whatever the body (the table in `docs/ARCHITECTURE.md#error-kinds`). A 404 here is always
/// [`ErrorKind::NotFound`]: turning it into a deletion confirmed by absence
/// (absent after an uncertain attempt: erased by that attempt, or never
/// present at that endpoint) needs the history of earlier attempts, which
/// [`crate::DeleteOp`] keeps.
/// The result records one attempt.
///
/// # When a 2xx is proof of deletion
///
/// A 2xx is only proof when its body is what the vendor sends, because
/// something other than the vendor can answer 2xx: a captive portal, a
/// TLS-intercepting gateway's login page, or whatever server a wrong base
/// URL points at. Reporting such an answer as deleted is the worst failure
/// this crate can have, so the rule is strict and the cost of strictness is
/// small: every 2xx refused below is [`ErrorKind::UnexpectedResponse`] **in
/// doubt** (the request may have reached the vendor through the proxy and
/// been applied), never retried, and running it again in doubt
/// ([`crate::DeleteOp::resume_in_doubt`], a journal resume) turns a later
/// 404 into a deletion confirmed by absence.
///
/// Each vendor's module in `crate::vendors` reads its own 2xx; the rules:
///
/// - **HTML is never proof, for any vendor.** The answer is HTML when its
///   `Content-Type` media type is `text/html` or `application/xhtml+xml`
///   (any case, any parameters), or when its body, after leading
///   whitespace and a UTF-8 byte order mark, starts with `<!doctype html`
///   or `<html` (ASCII case-insensitive). No other sniffing is done: no
///   vendor sends markup, and the rules below refuse every other non-JSON
///   body anyway.
/// - **Jumio** (Netverify v2 and the Platform) documents 200 with no body (it is asked for
///   `application/json`). A Jumio 2xx is a deletion when its `Content-Type`
///   is absent or JSON (`application/json` or `application/*+json`) *and*
///   its body is empty (whitespace only) or one JSON document. Anything else
///   (`text/plain`, XML, a body that is not JSON, a body cut short) was not
///   written by Jumio's API or cannot be read, so it is not proof.
/// - **HyperVerge** is a deletion only when its body is its documented
///   success object (`"status":"success"`), whatever the `Content-Type`
///   (short of HTML). A body saying another status is HyperVerge refusing:
///   not in doubt. A body without a readable status is in doubt.
/// - **Onfido** (204), **Persona** (the redacted object), **Stripe** (the
///   session with its `redaction.status`) and **Veriff** (`"status":
///   "success"`): the documented shape, else in doubt; an accepted erasure
///   the vendor completes later is [`Erasure::Scheduled`].
///
/// Every result, deletion or error, carries the answer's
/// [`AnswerEvidence`] (status, `Date`, request id).
pub fn parse_response(
    intent: &DeleteIntent,
    response: http::Response<&[u8]>,
) -> Result<Erasure, DeleteError> {
    let evidence = AnswerEvidence::read(
        intent.vendor(),
        response.status().as_u16(),
        response.headers(),
    );
    with_evidence(read_answer(intent, response), evidence)
}

/// Attaches `evidence` to a result read from the answer it describes.
pub(crate) fn with_evidence(
    result: Result<Erasure, DeleteError>,
    evidence: AnswerEvidence,
) -> Result<Erasure, DeleteError> {
    match result {
        Ok(mut erasure) => {
            erasure.set_evidence(Some(evidence));
            Ok(erasure)
        }
        Err(error) => Err(error.with_evidence(Some(evidence))),
    }
}

/// [`parse_response`] without the evidence.
fn read_answer(
    intent: &DeleteIntent,
    response: http::Response<&[u8]>,
) -> Result<Erasure, DeleteError> {
    let status = response.status().as_u16();
    let body = *response.body();
    // HyperVerge answers JSON; parse it once for the message and the verdict.
    let json = match intent.target() {
        Target::Jumio { .. } | Target::JumioPlatform { .. } => None,
        _ => json_object(body),
    };
    let message = vendor_message(json.as_ref(), body);
    // A refusal that means "not deletable yet" (Persona 409, Stripe's and
    // Veriff's 400s naming the record's state).
    let not_yet = crate::vendors::not_deletable_yet(intent.target(), status, json.as_ref());
    // Onfido's 422 for an applicant already archived: scheduled, whoever
    // asked (a retry whose first answer was lost is the usual case).
    if let Some(erasure) = crate::vendors::already_scheduled(intent.target(), status, json.as_ref())
    {
        return Ok(erasure);
    }
    let error = |kind: ErrorKind, detail: String| {
        Err(DeleteError::new(kind, detail)
            .with_status(status)
            .with_vendor_message(message.clone())
            .with_attempts(1))
    };
    // A 2xx that is not the vendor's own answer: possibly applied behind a
    // proxy, so in doubt, and never a deletion.
    let not_proof = |detail: String| {
        error(ErrorKind::UnexpectedResponse, detail).map_err(|e| e.with_in_doubt(true))
    };
    match status {
        200..=299 if is_html(response.headers(), body) => not_proof(format!(
            "{} answered HTTP {status} for {intent} with an HTML page, which the vendor's API never sends: a proxy, captive portal or TLS-intercepting gateway answered, or the base URL is wrong; check them. Nothing is known to be deleted",
            crate::vendors::answerer(intent.target())
        )),
        200..=299 => crate::vendors::success(intent, status, response.headers(), json.as_ref(), body, message),
        _ if not_yet.is_some() => error(ErrorKind::NotDeletableYet, not_yet.unwrap_or_default()),
        404 => error(ErrorKind::NotFound, not_found_detail(intent)),
        401 => error(
            ErrorKind::Unauthorized,
            match intent.target() {
                Target::Jumio { .. } => "Jumio refused the credentials: check the API token and secret (Jumio recommends dedicated transaction-administration credentials for deletion)".into(),
                Target::JumioPlatform { .. } => "the Jumio Platform refused the access token; a deletion buys a new token and tries once more, so if this persists check that the client credentials may delete accounts and workflow executions".into(),
                Target::HyperVerge => "HyperVerge refused the credentials: check the appid and appkey".into(),
                other => format!("{} refused the credentials: check the {}", other.vendor().name(), credential_names(other)),
            },
        ),
        403 => error(
            ErrorKind::Forbidden,
            match intent.target() {
                Target::Jumio { .. } | Target::JumioPlatform { .. } => "Jumio refused the request: check that the User-Agent names your business and that the credentials may delete transactions".into(),
                Target::HyperVerge => "HyperVerge refused the request: HyperVerge only answers allow-listed IP addresses, so ask them to allow-list this machine's address".into(),
                Target::Veriff => "Veriff refused the request: its delete endpoint is off until Veriff enables it for the integration, and the API key must be active; ask Veriff support".into(),
                other => format!("{} refused the request: check that the {} may delete (its permissions)", other.vendor().name(), credential_names(other)),
            },
        ),
        400 | 422 => error(
            ErrorKind::InvalidInput,
            format!("the vendor rejected the request for {intent} as malformed"),
        ),
        429 => Err(DeleteError::new(
            ErrorKind::RateLimited,
            "the vendor is rate limiting; lower the request rate (the batch option `rate`) and retry later",
        )
        .with_status(status)
        .with_vendor_message(message)
        .with_retry_after(crate::vendors::rate_limit_wait(intent.target(), response.headers()))
        .with_attempts(1)),
        // RFC 9110 gives Retry-After meaning on 503 (and 429) only.
        500..=599 => Err(DeleteError::new(
            ErrorKind::Server,
            "the vendor failed to process the deletion; retry later",
        )
        .with_status(status)
        .with_vendor_message(message)
        .with_retry_after(if status == 503 {
            retry_after(response.headers())
        } else {
            None
        })
        .with_attempts(1)),
        _ => error(
            ErrorKind::UnexpectedResponse,
            format!("the vendor answered with the undocumented HTTP status {status}; nothing is known to be deleted"),
        ),
    }
}

/// The credentials a vendor's 401 or 403 is about, by their CLI names.
fn credential_names(target: Target) -> &'static str {
    match target {
        Target::Onfido { .. } => "API token (ONFIDO_API_TOKEN) and its region",
        Target::Persona { .. } => "API key (PERSONA_API_KEY) and its environment (sandbox or production)",
        Target::Stripe => "secret key (STRIPE_SECRET_KEY)",
        Target::Veriff => "API key and shared secret (VERIFF_API_KEY, VERIFF_SHARED_SECRET) and the integration's base URL (VERIFF_BASE_URL)",
        _ => "credentials",
    }
}

/// The body as a JSON object, if it is one.
pub(crate) fn json_object(body: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice(body) {
        Ok(serde_json::Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// The media type of the (first) `Content-Type`, lowercase, without
/// parameters; `None` when absent. Bytes that are not UTF-8 are decoded
/// lossily, so odd bytes in a parameter cannot hide `text/html`.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?;
    let text = String::from_utf8_lossy(value.as_bytes());
    let essence = text.split(';').next().unwrap_or("");
    Some(essence.trim().to_ascii_lowercase())
}

/// True when the answer is an HTML page: by its `Content-Type`, or by a
/// body that starts like an HTML document (see [`parse_response`]).
fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    if matches!(
        media_type(headers).as_deref(),
        Some("text/html" | "application/xhtml+xml")
    ) {
        return true;
    }
    let body = body
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = &body[start..];
    [&b"<!doctype html"[..], b"<html"].iter().any(|prefix| {
        body.len() >= prefix.len() && body[..prefix.len()].eq_ignore_ascii_case(prefix)
    })
}

fn not_found_detail(intent: &DeleteIntent) -> String {
    match intent.target() {
        Target::Jumio { region, .. } => format!(
            "Jumio has no {intent}: check the region ({}) and the reference; it may also have been deleted long ago",
            region.as_str()
        ),
        Target::JumioPlatform { region, .. } => format!(
            "the Jumio Platform has no {intent}: check the region ({}) and the ids; it may also have been deleted long ago",
            region.as_str()
        ),
        Target::HyperVerge => format!(
            "HyperVerge has no {intent}: check the id and the host; it may also have been deleted long ago"
        ),
        Target::Onfido { region } => format!(
            "Onfido has no {intent}: check the region ({}) and the id; it may also have been deleted long ago",
            region.as_str()
        ),
        other => format!(
            "{} has no {intent}: check the id and the account or environment it belongs to; it may also have been deleted long ago",
            other.vendor().name()
        ),
    }
}

/// The vendor's own words: HyperVerge's `error` or `message` field when the
/// body is its JSON shape, otherwise the body text. Bounded, valid UTF-8,
/// control characters replaced, `None` when empty.
fn vendor_message(
    json: Option<&serde_json::Map<String, serde_json::Value>>,
    body: &[u8],
) -> Option<String> {
    if let Some(object) = json {
        // HyperVerge and Veriff: `error` or `message`; Onfido and Stripe:
        // `error.message`; Persona: `errors[0].details` or `.title`.
        let nested = |outer: &str, inner: &[&str]| {
            let value = object.get(outer)?;
            let value = value.as_array().and_then(|a| a.first()).unwrap_or(value);
            inner
                .iter()
                .find_map(|key| value.get(*key).and_then(|v| v.as_str()))
        };
        let field = ["error", "message"]
            .iter()
            .find_map(|key| object.get(*key).and_then(|v| v.as_str()))
            .or_else(|| nested("error", &["message"]))
            .or_else(|| nested("errors", &["details", "title"]));
        return field.map(bound).filter(|m| !m.is_empty());
    }
    // Decoding is lossy and limited to the prefix that can matter.
    let prefix = &body[..body.len().min(MAX_VENDOR_MESSAGE * 4)];
    let text = bound(String::from_utf8_lossy(prefix).trim());
    (!text.is_empty()).then_some(text)
}

/// At most [`MAX_VENDOR_MESSAGE`] bytes of `text`, cut at a character
/// boundary, with control characters (newlines included) replaced by spaces
/// so a vendor message cannot forge log lines.
pub(crate) fn bound(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_VENDOR_MESSAGE));
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > MAX_VENDOR_MESSAGE {
            break;
        }
        out.push(c);
    }
    out
}

/// Reads `Retry-After` as delay-seconds or as an HTTP-date. A date is taken
/// relative to the response's own `Date` header, so no clock is read; a date
/// without a `Date` header, or a value that is neither, is ignored.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let until = httpdate::parse_http_date(value).ok()?;
    let now: SystemTime =
        httpdate::parse_http_date(headers.get(DATE)?.to_str().ok()?.trim()).ok()?;
    Some(until.duration_since(now).unwrap_or(Duration::ZERO))
}
