//! The core's specification, as proptest laws (`docs/ARCHITECTURE.md#the-core`, issue 2).
//! Run more cases with `PROPTEST_CASES=2000 cargo test -p idv-delete-core`.

use std::time::Duration;

use base64::Engine as _;
use idv_delete_core::{
    jumio_host, parse_response, to_request, Action, ConfirmedBy, Credentials, DeleteError,
    DeleteIntent, DeleteOp, Deleted, Endpoint, Erasure, ErrorKind, HyperVergeCredentials,
    JumioCredentials, JumioProduct, Region, RetryPolicy, Target, TransportError,
    MAX_EVIDENCE_VALUE,
};
use proptest::prelude::*;

/// Netverify v2 and HyperVerge erase at once: their erasures are deletions.
fn deleted(erasure: Erasure) -> Deleted {
    match erasure {
        Erasure::Deleted(deleted) => deleted,
        Erasure::Scheduled(scheduled) => panic!("v2 and HyperVerge never schedule: {scheduled:?}"),
    }
}

const CANARY_TOKEN: &str = "CANARYtok3n7f1d";
const CANARY_SECRET: &str = "CANARYs3cr3t9q2";

fn jumio_credentials() -> Credentials {
    JumioCredentials::new(CANARY_TOKEN, CANARY_SECRET, "Acme KYC-Cleaner/1.0")
        .unwrap()
        .into()
}

fn hyperverge_credentials() -> Credentials {
    HyperVergeCredentials::new(CANARY_TOKEN, CANARY_SECRET)
        .unwrap()
        .into()
}

fn product() -> impl Strategy<Value = JumioProduct> {
    prop::sample::select(JumioProduct::ALL.to_vec())
}

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(Region::ALL.to_vec())
}

/// Strings built to attack a URL path, plus arbitrary Unicode.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9/.#?%& \\-\\x00\\x7f\u{e9}\u{ff0f}]{0,40}",
        "[A-Za-z0-9-]{37,60}",
        (
            "[A-Za-z0-9-]{0,20}",
            "[/#?% .\\\\\\x00\\n\u{2215}]",
            "[A-Za-z0-9-]{0,15}"
        )
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

fn is_valid_jumio_reference(s: &str) -> bool {
    (1..=36).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn intent() -> impl Strategy<Value = DeleteIntent> {
    prop_oneof![
        (product(), region(), "[A-Za-z0-9-]{1,36}")
            .prop_map(|(p, r, s)| DeleteIntent::jumio(p, r, &s).unwrap()),
        "[^\\p{Cc}]{1,64}"
            .prop_filter("no whitespace at either end", |s| s.trim() == s)
            .prop_map(|s| DeleteIntent::hyperverge(&s).unwrap()),
    ]
}

/// The credentials for an intent of [`intent()`] (Netverify v2 and
/// HyperVerge; the Jumio Platform's laws are in `token_laws.rs`).
fn credentials_for(intent: &DeleteIntent) -> Credentials {
    match intent.target() {
        Target::Jumio { .. } => jumio_credentials(),
        Target::HyperVerge => hyperverge_credentials(),
        other => panic!("intent() makes no {} intents", other.vendor().as_str()),
    }
}

/// An arbitrary answer: any status, a few headers (often `Retry-After` and
/// `Date`, with good and garbage values), any bytes.
fn arbitrary_response() -> impl Strategy<Value = http::Response<Vec<u8>>> {
    let header_value = prop_oneof![
        "[0-9]{1,25}",
        Just("Sun, 22 Nov 2026 10:00:30 GMT".to_owned()),
        Just("Sun, 22 Nov 2026 10:00:00 GMT".to_owned()),
        "[ -~]{0,40}",
        Just("Text/HTML; charset=utf-8".to_owned()),
        Just("application/json".to_owned()),
    ];
    let header_name = prop::sample::select(vec![
        "retry-after",
        "date",
        "content-type",
        "x-other",
        "request-id",
        "x-request-id",
        "x-correlation-id",
    ]);
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        Just(
            br#"{"status":"success","statusCode":"200","message":"ok","deletedAudits":["a"]}"#
                .to_vec()
        ),
        Just(
            br#"{"status":"failure","statusCode":"500","error":"Internal Server Error"}"#.to_vec()
        ),
        "[ -~]{0,80}".prop_map(String::into_bytes),
        "[ \t\r\n]{0,3}<(?i:html|!doctype html)[ -~]{0,40}".prop_map(String::into_bytes),
        Just(Vec::new()),
    ];
    (
        100u16..1000,
        prop::collection::vec((header_name, header_value), 0..4),
        body,
    )
        .prop_map(|(status, headers, body)| {
            let mut builder = http::Response::builder().status(status);
            for (name, value) in headers {
                if let Ok(value) = http::HeaderValue::from_str(&value) {
                    builder = builder.header(name, value);
                }
            }
            builder.body(body).unwrap()
        })
}

#[derive(Clone, Debug)]
enum Event {
    Answer(u16, Option<u64>),
    Transport(TransportError, bool),
}

fn event() -> impl Strategy<Value = Event> {
    let status = prop::sample::select(vec![
        200u16, 204, 301, 307, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504, 599,
    ]);
    let transport = prop::sample::select(vec![
        TransportError::Timeout,
        TransportError::Connect,
        TransportError::Tls,
        TransportError::Io,
    ]);
    prop_oneof![
        (status, prop::option::of(0u64..400)).prop_map(|(s, r)| Event::Answer(s, r)),
        (transport, any::<bool>()).prop_map(|(t, sent)| Event::Transport(t, sent)),
    ]
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    (1u32..=10, 0u64..2_000, 0u64..60_000, 0u64..300).prop_map(|(attempts, base, max, ra)| {
        RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(base.min(max)),
            max_delay: Duration::from_millis(max),
            max_retry_after: Duration::from_secs(ra),
        }
    })
}

fn response_for(status: u16, retry_after: Option<u64>) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    if let Some(seconds) = retry_after {
        builder = builder.header("retry-after", seconds.to_string());
    }
    builder.body(Vec::new()).unwrap()
}

struct Run {
    result: Result<Deleted, DeleteError>,
    sends: u32,
    waits: Vec<Duration>,
}

/// Drives `op` through `events` (repeating the last one when they run out),
/// failing the property if the op does not end within a generous bound.
fn run(mut op: DeleteOp, events: &[Event]) -> Result<Run, TestCaseError> {
    let mut sends = 0u32;
    let mut waits = Vec::new();
    for _ in 0..1_000 {
        match op.poll_action() {
            Action::Send(_) => {
                let event = &events[(sends as usize).min(events.len() - 1)];
                sends += 1;
                match *event {
                    Event::Answer(status, retry_after) => {
                        op.handle_response(response_for(status, retry_after))
                    }
                    Event::Transport(kind, sent) => op.handle_transport_error(kind, sent),
                }
            }
            Action::Wait(wait) => waits.push(wait),
            Action::Authorize => {
                return Err(TestCaseError::fail(
                    "only Jumio Platform deletions ask for a token (see token_laws.rs)",
                ))
            }
            Action::Done(result) => {
                return Ok(Run {
                    result: result.map(deleted),
                    sends,
                    waits,
                })
            }
        }
    }
    Err(TestCaseError::fail(
        "DeleteOp did not end within 1,000 polls",
    ))
}

proptest! {
    /// Law 1: every valid reference gives a DELETE to the documented host
    /// whose last path segment is exactly that reference.
    #[test]
    fn valid_references_make_documented_requests(
        product in product(), region in region(), reference in "[A-Za-z0-9-]{1,36}"
    ) {
        let intent = DeleteIntent::jumio(product, region, &reference).unwrap();
        let request = to_request(&intent, &Endpoint::Documented, &jumio_credentials()).unwrap();
        let uri = request.uri();
        prop_assert_eq!(request.method(), http::Method::DELETE);
        prop_assert_eq!(uri.scheme_str(), Some("https"));
        prop_assert_eq!(uri.host(), Some(jumio_host(product, region)));
        prop_assert_eq!(uri.query(), None);
        prop_assert_eq!(uri.path().rsplit('/').next(), Some(reference.as_str()));
        prop_assert_eq!(uri.path().matches('/').count(), 5);
        prop_assert_eq!(request.headers().len(), 3);
        prop_assert!(request.body().is_empty());
    }

    /// Law 2a: a string is accepted as a Jumio reference exactly when it is
    /// 1-36 of [A-Za-z0-9-]; everything else is refused before a request exists.
    #[test]
    fn jumio_references_are_refused_unless_valid(
        product in product(), region in region(), candidate in hostile_string()
    ) {
        match DeleteIntent::jumio(product, region, &candidate) {
            Ok(intent) => {
                prop_assert!(is_valid_jumio_reference(&candidate));
                prop_assert_eq!(intent.reference(), candidate.as_str());
            }
            Err(error) => {
                prop_assert!(!is_valid_jumio_reference(&candidate));
                prop_assert_eq!(error.kind(), ErrorKind::InvalidReference);
                prop_assert_eq!(error.attempts(), 0);
            }
        }
    }

    /// Law 2b: any HyperVerge id of 1-256 characters without control
    /// characters or whitespace at either end round-trips exactly through
    /// the body, which has no other key; every other id is refused.
    #[test]
    fn hyperverge_ids_round_trip_through_the_body(id in any::<String>()) {
        let valid = !id.is_empty() && id.trim() == id && id.chars().count() <= 256 && !id.chars().any(char::is_control);
        match DeleteIntent::hyperverge(&id) {
            Ok(intent) => {
                prop_assert!(valid);
                let request = to_request(&intent, &Endpoint::Documented, &hyperverge_credentials()).unwrap();
                prop_assert_eq!(request.uri(), "https://review-api.idv.hyperverge.co/api/v2/transaction/id");
                let body: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(request.body()).unwrap();
                prop_assert_eq!(body.len(), 1);
                prop_assert_eq!(body["transactionId"].as_str(), Some(id.as_str()));
            }
            Err(error) => {
                prop_assert!(!valid);
                prop_assert_eq!(error.kind(), ErrorKind::InvalidReference);
            }
        }
    }

    /// Law 3: parse_response is total (this test would fail on a panic), its
    /// vendor text bounded and control-free; a 2xx is either Deleted or an
    /// UnexpectedResponse, and never Deleted when it is HTML (by its
    /// Content-Type or its body); a Jumio 2xx that is not a deletion is in
    /// doubt, and so is every HTML 2xx.
    #[test]
    fn parse_response_is_total_and_bounded(intent in intent(), response in arbitrary_response()) {
        let status = response.status().as_u16();
        let html_type = response.headers().get_all("content-type").iter().next().is_some_and(|v| {
            v.to_str().is_ok_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("text/html"))
        });
        let (parts, body) = response.into_parts();
        let text = String::from_utf8_lossy(&body).trim_start_matches(|c: char| c.is_ascii_whitespace()).to_ascii_lowercase();
        let html = html_type || text.starts_with("<html") || text.starts_with("<!doctype html");
        let result = parse_response(&intent, http::Response::from_parts(parts, &body[..]));
        // Every result, deletion or error, carries the answer's evidence:
        // its status, and bounded printable values.
        let evidence = match &result {
            Ok(erasure) => erasure.evidence().cloned(),
            Err(error) => error.evidence().cloned(),
        };
        prop_assert!(evidence.is_some());
        let evidence = evidence.unwrap_or_default();
        prop_assert_eq!(evidence.status, status);
        for value in [&evidence.date, &evidence.request_id].into_iter().flatten() {
            prop_assert!(!value.is_empty() && value.len() <= MAX_EVIDENCE_VALUE);
            prop_assert!(value.bytes().all(|b| (0x20..0x7f).contains(&b)), "{:?}", value);
        }
        let result = result.map(deleted);
        let message = match &result {
            Ok(deleted) => {
                prop_assert!((200..300).contains(&status));
                prop_assert!(!html, "an HTML 2xx is no proof");
                prop_assert_eq!(deleted.confirmed_by, ConfirmedBy::Response);
                deleted.vendor_message.clone()
            }
            Err(error) => {
                prop_assert_eq!(error.status(), Some(status));
                if (200..300).contains(&status) {
                    prop_assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
                    if html || intent.vendor() == idv_delete_core::Vendor::Jumio {
                        prop_assert!(error.in_doubt());
                    }
                }
                error.vendor_message().map(str::to_owned)
            }
        };
        if let Some(message) = message {
            prop_assert!(message.len() <= 1024);
            prop_assert!(!message.chars().any(char::is_control));
        }
    }

    /// Law 4: 400, 401, 403, 404 and 422 are never retried; 429, 500, 502,
    /// 503, 504 and transport failures other than TLS are (unless the vendor
    /// asks to wait longer than the cap); 2xx is
    /// Deleted; 404 is NotFound unless an earlier attempt was uncertain.
    #[test]
    fn statuses_are_retried_or_not_as_documented(intent in intent(), first in event(), second in event()) {
        let op = DeleteOp::new(&intent, &Endpoint::Documented, &credentials_for(&intent), RetryPolicy::default(), 3).unwrap();
        let run = run(op, &[first.clone(), second.clone(), Event::Answer(200, None)])?;
        let (retried, uncertain) = match first {
            // A Retry-After beyond the policy's cap (120 s) ends the op
            // instead of hammering the vendor.
            Event::Answer(status, retry_after) => (
                matches!(status, 429 | 500 | 502 | 503 | 504)
                    && (!matches!(status, 429 | 503) || retry_after.is_none_or(|s| s <= 120)),
                matches!(status, 500 | 502 | 504),
            ),
            Event::Transport(kind, sent) => (kind != TransportError::Tls, sent),
        };
        prop_assert_eq!(run.sends > 1, retried, "first event {:?}", first);
        if !retried {
            match first {
                Event::Answer(status, _) if (200..300).contains(&status) && intent.vendor() == idv_delete_core::Vendor::Jumio => {
                    prop_assert!(run.result.is_ok());
                }
                Event::Answer(404, _) => prop_assert_eq!(run.result.unwrap_err().kind(), ErrorKind::NotFound),
                _ => prop_assert!(run.result.is_err()),
            }
        } else if let Event::Answer(404, _) = second {
            match run.result {
                Ok(deleted) => {
                    prop_assert!(uncertain);
                    prop_assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence);
                }
                Err(error) => {
                    prop_assert!(!uncertain);
                    prop_assert_eq!(error.kind(), ErrorKind::NotFound);
                }
            }
        }
    }

    /// Law 5: under any sequence of answers and transport errors, DeleteOp
    /// sends at most max_attempts requests, never waits longer than the cap,
    /// always ends, and reports Absence only after an uncertain attempt.
    #[test]
    fn delete_op_is_bounded_and_ends(
        intent in intent(), policy in policy(), events in prop::collection::vec(event(), 1..12), seed in any::<u64>()
    ) {
        let op = DeleteOp::new(&intent, &Endpoint::Documented, &credentials_for(&intent), policy, seed).unwrap();
        let run = run(op, &events)?;
        prop_assert!(run.sends >= 1);
        prop_assert!(run.sends <= policy.max_attempts);
        prop_assert_eq!(run.waits.len() as u32, run.sends - 1);
        for wait in &run.waits {
            prop_assert!(*wait <= policy.longest_wait(), "{:?} > {:?}", wait, policy.longest_wait());
        }
        // The evidence is that of the answer that decided: the last event,
        // when it was an answer; a transport failure has none.
        let last = &events[(run.sends as usize - 1).min(events.len() - 1)];
        let evidence_status = match &run.result {
            Ok(deleted) => deleted.evidence.as_ref().map(|e| e.status),
            Err(error) => error.evidence().map(|e| e.status),
        };
        match last {
            Event::Answer(status, _) => prop_assert_eq!(evidence_status, Some(*status)),
            Event::Transport(..) => prop_assert_eq!(evidence_status, None),
        }
        let attempts = match &run.result {
            Ok(deleted) => {
                if deleted.confirmed_by == ConfirmedBy::Absence {
                    let uncertain_before = events[..(run.sends as usize - 1).min(events.len())].iter().any(|e| matches!(e,
                        Event::Transport(_, true) | Event::Answer(500 | 502 | 504, _)));
                    prop_assert!(uncertain_before);
                }
                deleted.attempts
            }
            Err(error) => error.attempts(),
        };
        prop_assert_eq!(attempts, run.sends);
    }

    /// Law 6: no Debug, Display or error text contains a canary secret, in
    /// clear or as the Basic credentials it encodes to.
    #[test]
    fn no_text_contains_a_secret(intent in intent(), events in prop::collection::vec(event(), 1..6), response in arbitrary_response()) {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CANARY_TOKEN}:{CANARY_SECRET}"));
        let credentials = credentials_for(&intent);
        let mut texts = vec![format!("{credentials:?}"), format!("{intent:?}"), format!("{intent}")];
        let op = DeleteOp::new(&intent, &Endpoint::Documented, &credentials, RetryPolicy::default(), 1).unwrap();
        texts.push(format!("{op:?}"));
        let request = to_request(&intent, &Endpoint::Documented, &credentials).unwrap();
        texts.push(format!("{request:?}"));
        let run = run(op, &events)?;
        match run.result {
            Ok(deleted) => texts.push(format!("{deleted:?}")),
            Err(error) => texts.extend([format!("{error}"), format!("{error:?}")]),
        }
        let (parts, body) = response.into_parts();
        match parse_response(&intent, http::Response::from_parts(parts, &body[..])) {
            Ok(deleted) => texts.push(format!("{deleted:?}")),
            Err(error) => texts.extend([format!("{error}"), format!("{error:?}")]),
        }
        let wrong = match intent.target() {
            Target::Jumio { .. } => hyperverge_credentials(),
            _ => jumio_credentials(),
        };
        let mismatch = to_request(&intent, &Endpoint::Documented, &wrong).unwrap_err();
        texts.extend([format!("{mismatch}"), format!("{mismatch:?}")]);
        for text in &texts {
            for secret in [CANARY_TOKEN, CANARY_SECRET, basic.as_str()] {
                prop_assert!(!text.contains(secret), "{} leaks in {}", secret, text);
            }
        }
    }
}

#[test]
fn invalid_credentials_never_echo_the_value() {
    let canary = "CANARY-with space";
    for error in [
        JumioCredentials::new(canary, "s", "Acme/1").unwrap_err(),
        JumioCredentials::new("t", canary, "Acme/1").unwrap_err(),
        HyperVergeCredentials::new(canary, "k").unwrap_err(),
        HyperVergeCredentials::new("i", &format!("{canary}\n")).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::InvalidConfig);
        assert!(!format!("{error} {error:?}").contains("CANARY"), "{error}");
    }
}
