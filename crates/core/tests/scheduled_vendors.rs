//! Onfido, Persona, Stripe Identity and Veriff in the core (issue 18): the
//! documented requests, what their answers mean (a scheduled erasure is
//! never a deletion; "not deletable yet" is its own kind), the rechecks,
//! and ids refused before any request.

use std::time::Duration;

use idv_delete_core::{
    parse_recheck, parse_response, recheck_request, to_request, veriff_signature, Action,
    ConfirmedBy, Credentials, DeleteIntent, DeleteOp, Endpoint, Erasure, ErrorKind,
    OnfidoCredentials, OnfidoRegion, PersonaCredentials, PersonaResource, RetryPolicy,
    StripeCredentials, Target, VeriffCredentials,
};

const UUID: &str = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20";
const SECRET: &str = "CANARYs3cr3tValue";

fn answer(status: u16, body: &str) -> http::Response<&[u8]> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes())
        .unwrap()
}

fn scheduled(result: Result<Erasure, idv_delete_core::DeleteError>) -> idv_delete_core::Scheduled {
    match result {
        Ok(Erasure::Scheduled(scheduled)) => scheduled,
        other => panic!("expected a scheduled erasure, got {other:?}"),
    }
}

fn header<'a>(request: &'a http::Request<Vec<u8>>, name: &str) -> &'a str {
    request.headers()[name].to_str().unwrap()
}

#[test]
fn onfido_deletes_softly_and_a_recheck_tells_archive_from_gone() {
    let intent = DeleteIntent::onfido(OnfidoRegion::Ca, UUID).unwrap();
    let credentials = Credentials::from(OnfidoCredentials::new(SECRET).unwrap());
    let request = to_request(&intent, &Endpoint::Documented, &credentials).unwrap();
    assert_eq!(request.method(), http::Method::DELETE);
    assert_eq!(
        request.uri(),
        &*format!("https://api.ca.onfido.com/v3.6/applicants/{UUID}")
    );
    assert_eq!(
        header(&request, "authorization"),
        format!("Token token={SECRET}")
    );
    assert!(request.headers()["authorization"].is_sensitive());
    assert!(request.body().is_empty());

    let erasure = scheduled(parse_response(&intent, answer(204, "")));
    assert!(
        erasure.completes.contains("20 days"),
        "{}",
        erasure.completes
    );
    assert_eq!((erasure.within, erasure.attempts), (None, 1));

    let error = parse_response(
        &intent,
        answer(
            401,
            r#"{"error":{"type":"authorization_error","message":"Invalid token"}}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.vendor_message(), Some("Invalid token"));
    assert!(error.detail().contains("ONFIDO_API_TOKEN"), "{error}");

    // A second delete of an archived applicant (the first answer lost).
    let again = scheduled(parse_response(
        &intent,
        answer(
            422,
            r#"{"error":{"type":"validation_error","message":"The applicant is already scheduled for deletion at 2027-01-01T00:00:00Z"}}"#,
        ),
    ));
    assert_eq!(again.until.as_deref(), Some("2027-01-01T00:00:00Z"));
    let other = parse_response(
        &intent,
        answer(
            422,
            r#"{"error":{"type":"validation_error","message":"Invalid applicant"}}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(other.kind(), ErrorKind::InvalidInput);

    let read = recheck_request(&intent, &Endpoint::Documented, &credentials)
        .unwrap()
        .expect("Onfido offers a read");
    assert_eq!(read.method(), http::Method::GET);
    assert_eq!(
        read.uri(),
        &*format!("https://api.ca.onfido.com/v3.6/applicants/{UUID}")
    );
    let archived = scheduled(parse_recheck(
        &intent,
        answer(
            200,
            &format!(r#"{{"id":"{UUID}","delete_at":"2027-01-01T00:00:00Z"}}"#),
        ),
    ));
    assert_eq!(archived.until.as_deref(), Some("2027-01-01T00:00:00Z"));
    let gone = parse_recheck(&intent, answer(404, "")).unwrap();
    assert_eq!(gone.deleted().unwrap().confirmed_by, ConfirmedBy::Recheck);
    let restored = parse_recheck(
        &intent,
        answer(200, &format!(r#"{{"id":"{UUID}","delete_at":null}}"#)),
    )
    .unwrap_err();
    assert!(restored.detail().contains("restored"), "{restored}");
}

#[test]
fn persona_redacts_at_once_its_children_later_and_409_is_not_yet() {
    let intent = DeleteIntent::persona(PersonaResource::Inquiry, "inq_ABC123def456").unwrap();
    let credentials = Credentials::from(PersonaCredentials::new(SECRET).unwrap());
    let request = to_request(&intent, &Endpoint::Documented, &credentials).unwrap();
    assert_eq!(request.method(), http::Method::DELETE);
    assert_eq!(
        request.uri(),
        "https://api.withpersona.com/api/v1/inquiries/inq_ABC123def456"
    );
    assert_eq!(
        header(&request, "authorization"),
        format!("Bearer {SECRET}")
    );
    assert_eq!(header(&request, "persona-version"), "2023-01-05");
    let key = header(&request, "idempotency-key").to_owned();
    let again = to_request(&intent, &Endpoint::Documented, &credentials).unwrap();
    assert_eq!(
        header(&again, "idempotency-key"),
        key,
        "the same item, the same key"
    );
    let other = DeleteIntent::persona(PersonaResource::Inquiry, "inq_other").unwrap();
    assert_ne!(
        header(
            &to_request(&other, &Endpoint::Documented, &credentials).unwrap(),
            "idempotency-key"
        ),
        key
    );

    let redacted = r#"{"data":{"type":"inquiry","id":"inq_ABC123def456","attributes":{"status":"completed","redacted-at":"2026-12-02T10:00:00.000Z"}}}"#;
    let erasure = scheduled(parse_response(&intent, answer(200, redacted)));
    assert!(erasure.completes.contains("asynchronously"));
    let busy = parse_response(
        &intent,
        answer(
            409,
            r#"{"errors":[{"title":"Conflict","details":"Inquiry is in progress"}]}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::NotDeletableYet);
    assert_eq!(busy.vendor_message(), Some("Inquiry is in progress"));
    assert!(!busy.in_doubt());

    let account = DeleteIntent::persona(PersonaResource::Account, "act_1").unwrap();
    assert_eq!(
        Endpoint::custom("http://127.0.0.1:9")
            .unwrap()
            .url_for(&account),
        "http://127.0.0.1:9/api/v1/accounts/act_1"
    );
    let confirmed = parse_recheck(&intent, answer(200, redacted)).unwrap();
    assert_eq!(
        confirmed.deleted().unwrap().confirmed_by,
        ConfirmedBy::Recheck
    );
}

#[test]
fn stripe_redaction_is_processing_then_redacted() {
    let intent = DeleteIntent::stripe("vs_1NuN4zGx").unwrap();
    let credentials = Credentials::from(StripeCredentials::new("sk_test_CANARY").unwrap());
    let request = to_request(&intent, &Endpoint::Documented, &credentials).unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        "https://api.stripe.com/v1/identity/verification_sessions/vs_1NuN4zGx/redact"
    );
    assert_eq!(header(&request, "authorization"), "Bearer sk_test_CANARY");
    assert_eq!(header(&request, "stripe-version"), "2024-06-20");
    assert!(header(&request, "idempotency-key").starts_with("idv-delete-"));

    let session = |redaction: &str| {
        format!(
            r#"{{"id":"vs_1NuN4zGx","object":"identity.verification_session","status":"verified","redaction":{redaction}}}"#
        )
    };
    let erasure = scheduled(parse_response(
        &intent,
        answer(200, &session(r#"{"status":"processing"}"#)),
    ));
    assert_eq!(erasure.vendor_status.as_deref(), Some("processing"));
    assert_eq!(erasure.within, Some(Duration::from_secs(4 * 24 * 3600)));
    let done = parse_response(&intent, answer(200, &session(r#"{"status":"redacted"}"#))).unwrap();
    assert_eq!(done.deleted().unwrap().confirmed_by, ConfirmedBy::Response);
    let not_proof = parse_response(&intent, answer(200, "{}")).unwrap_err();
    assert_eq!(not_proof.kind(), ErrorKind::UnexpectedResponse);
    assert!(not_proof.in_doubt());

    let refused = parse_response(
        &intent,
        answer(
            400,
            r#"{"error":{"type":"invalid_request_error","code":"verification_session_unexpected_state","message":"This VerificationSession is processing and cannot be redacted."}}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::NotDeletableYet);
    let malformed = parse_response(
        &intent,
        answer(
            400,
            r#"{"error":{"type":"invalid_request_error","message":"Unrecognized request URL"}}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(malformed.kind(), ErrorKind::InvalidInput);

    let read = recheck_request(&intent, &Endpoint::Documented, &credentials)
        .unwrap()
        .unwrap();
    assert_eq!(
        read.uri(),
        "https://api.stripe.com/v1/identity/verification_sessions/vs_1NuN4zGx"
    );
    let still = scheduled(parse_recheck(
        &intent,
        answer(200, &session(r#"{"status":"processing"}"#)),
    ));
    assert_eq!(still.vendor_status.as_deref(), Some("processing"));
    let redacted =
        parse_recheck(&intent, answer(200, &session(r#"{"status":"redacted"}"#))).unwrap();
    assert_eq!(
        redacted.deleted().unwrap().confirmed_by,
        ConfirmedBy::Recheck
    );
    let pk = StripeCredentials::new("pk_live_abc").unwrap_err();
    assert!(pk.detail().contains("publishable"), "{pk}");
}

#[test]
fn veriff_signs_the_session_id_and_deletes_within_12_hours() {
    // RFC 4231-style check of the primitive, then the documented payload.
    assert_eq!(
        veriff_signature("key", "The quick brown fox jumps over the lazy dog"),
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
    let intent = DeleteIntent::veriff(UUID).unwrap();
    let credentials = Credentials::from(
        VeriffCredentials::new("emulator-veriff-key", "emulator-veriff-secret").unwrap(),
    );
    let request = to_request(&intent, &Endpoint::Documented, &credentials).unwrap();
    assert_eq!(request.method(), http::Method::DELETE);
    assert_eq!(
        request.uri(),
        &*format!("https://stationapi.veriff.com/v1/sessions/{UUID}")
    );
    assert_eq!(header(&request, "x-auth-client"), "emulator-veriff-key");
    // Computed with Python's hmac module.
    assert_eq!(
        header(&request, "x-hmac-signature"),
        "af0bad305ea9e696905dd5a944d600f39653bd59663f7614e6d5f1cd75964d24"
    );
    assert_eq!(header(&request, "content-type"), "application/json");

    let erasure = scheduled(parse_response(
        &intent,
        answer(
            200,
            &format!(r#"{{"status":"success","verification":{{"id":"{UUID}"}}}}"#),
        ),
    ));
    assert_eq!(erasure.within, Some(Duration::from_secs(12 * 3600)));
    for code in [r#""1305""#, "1306"] {
        let error = parse_response(
            &intent,
            answer(400, &format!(r#"{{"status":400,"code":{code},"message":"Session is not in a completed status."}}"#)),
        )
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotDeletableYet, "{code}");
        assert_eq!(
            error.vendor_message(),
            Some("Session is not in a completed status.")
        );
    }
    assert!(
        recheck_request(&intent, &Endpoint::Documented, &credentials)
            .unwrap()
            .is_none()
    );
}

/// A 404 after an attempt that may have been applied: for Veriff, which
/// deletes a removed session's data within 12 hours, that absence is a
/// scheduled erasure, never a deletion; for the others it is a deletion
/// confirmed by absence (their erased records still answer).
#[test]
fn an_absence_after_an_uncertain_attempt_is_scheduled_for_veriff_only() {
    let cases: [(DeleteIntent, Credentials); 2] = [
        (
            DeleteIntent::veriff(UUID).unwrap(),
            VeriffCredentials::new("k", "s").unwrap().into(),
        ),
        (
            DeleteIntent::onfido(OnfidoRegion::Eu, UUID).unwrap(),
            OnfidoCredentials::new("t").unwrap().into(),
        ),
    ];
    for (intent, credentials) in cases {
        let mut op = DeleteOp::resume_in_doubt(
            &intent,
            &Endpoint::Documented,
            &credentials,
            RetryPolicy::default(),
            7,
        )
        .unwrap();
        assert!(matches!(op.poll_action(), Action::Send(_)));
        op.handle_response(answer(404, r#"{"error":"not found"}"#));
        let Action::Done(result) = op.poll_action() else {
            panic!("{intent}: not done after a 404");
        };
        match (intent.target(), result) {
            (Target::Veriff, Ok(Erasure::Scheduled(scheduled))) => {
                assert_eq!(scheduled.within, Some(Duration::from_secs(12 * 3600)));
                assert_eq!(scheduled.attempts, 1);
            }
            (Target::Onfido { .. }, Ok(Erasure::Deleted(deleted))) => {
                assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence);
            }
            (_, other) => panic!("{intent}: {other:?}"),
        }
    }
}

/// Persona's 429 names its wait in `ratelimit-reset`; `Retry-After` wins
/// when both are sent, and other vendors' `ratelimit-reset` is not read.
#[test]
fn persona_429_waits_for_ratelimit_reset() {
    let persona = DeleteIntent::persona(PersonaResource::Inquiry, "inq_ABC123").unwrap();
    let stripe = DeleteIntent::stripe("vs_ABC123").unwrap();
    let limited = |headers: &[(&str, &str)]| {
        let mut builder = http::Response::builder().status(429);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(&b"{}"[..]).unwrap()
    };
    for (intent, headers, wait) in [
        (&persona, &[("ratelimit-reset", "17")][..], Some(17)),
        (
            &persona,
            &[("ratelimit-reset", "17"), ("retry-after", "3")][..],
            Some(3),
        ),
        (&persona, &[("ratelimit-reset", "soon")][..], None),
        (&stripe, &[("ratelimit-reset", "17")][..], None),
    ] {
        let error = parse_response(intent, limited(headers)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::RateLimited);
        assert_eq!(
            error.retry_after(),
            wait.map(Duration::from_secs),
            "{intent} {headers:?}"
        );
    }
}

#[test]
fn malformed_ids_are_refused_and_texts_hold_no_secret() {
    for (target, bad) in [
        (
            Target::Onfido {
                region: OnfidoRegion::Eu,
            },
            "not-a-uuid",
        ),
        (
            Target::Onfido {
                region: OnfidoRegion::Eu,
            },
            "../applicants",
        ),
        (
            Target::Persona {
                resource: PersonaResource::Inquiry,
            },
            "act_123",
        ),
        (
            Target::Persona {
                resource: PersonaResource::Inquiry,
            },
            "inq_",
        ),
        (
            Target::Persona {
                resource: PersonaResource::Account,
            },
            "act_1/../x",
        ),
        (Target::Stripe, "vs_1?expand=x"),
        (Target::Stripe, "cs_123"),
        (Target::Veriff, "2b6f4c1e9d1a4f7e8a430c7d5e9b1f20"),
    ] {
        let error = DeleteIntent::new(target, bad).unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidReference,
            "{target:?} {bad}"
        );
    }
    let texts = [
        format!("{:?}", OnfidoCredentials::new(SECRET).unwrap()),
        format!("{:?}", PersonaCredentials::new(SECRET).unwrap()),
        format!(
            "{:?}",
            StripeCredentials::new(&format!("sk_{SECRET}")).unwrap()
        ),
        format!("{:?}", VeriffCredentials::new(SECRET, SECRET).unwrap()),
    ];
    for text in texts {
        assert!(!text.contains("CANARY"), "{text}");
    }
    for (vendor, product, region) in [
        ("onfido", "applicant", Some("ca")),
        ("persona", "account", None),
        ("stripe", "verification-session", None),
        ("veriff", "", None),
    ] {
        let target = Target::parse(vendor, product, region).unwrap();
        assert_eq!(target.vendor().as_str(), vendor);
    }
    assert!(Target::parse("onfido", "applicant", None).is_err());
    assert!(Target::parse("veriff", "session", Some("eu")).is_err());
}
