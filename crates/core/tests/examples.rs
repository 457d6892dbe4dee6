//! Worked examples of the core's rules; the laws are in `properties.rs`.

use std::time::Duration;

use idv_delete_core::{
    parse_response, retry_after, to_request, Action, ConfirmedBy, Credentials, DeleteIntent,
    DeleteOp, Deleted, Endpoint, Erasure, ErrorKind, HyperVergeCredentials, JumioCredentials,
    JumioProduct, Region, RetryPolicy, TransportError, UserAgent,
};

/// Netverify v2 and HyperVerge erase at once: their erasures are deletions.
fn deleted(erasure: Erasure) -> Deleted {
    match erasure {
        Erasure::Deleted(deleted) => deleted,
        Erasure::Scheduled(scheduled) => panic!("v2 and HyperVerge never schedule: {scheduled:?}"),
    }
}

fn jumio_credentials() -> Credentials {
    JumioCredentials::new("token", "secret", "Acme KYC-Cleaner/1.0")
        .unwrap()
        .into()
}

fn hyperverge_credentials() -> Credentials {
    HyperVergeCredentials::new("app-id", "app-key")
        .unwrap()
        .into()
}

fn scan(reference: &str) -> DeleteIntent {
    DeleteIntent::jumio(JumioProduct::IdVerification, Region::Us, reference).unwrap()
}

/// A deletion of the Jumio scan `abc` with the default policy.
fn scan_op(jitter_seed: u64) -> DeleteOp {
    DeleteOp::new(
        &scan("abc"),
        &Endpoint::Documented,
        &jumio_credentials(),
        RetryPolicy::default(),
        jitter_seed,
    )
    .unwrap()
}

fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &'static [u8],
) -> http::Response<&'static [u8]> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body).unwrap()
}

#[test]
fn jumio_references_cannot_reach_the_path() {
    for bad in [
        "a#x",
        "a?x",
        "a/x",
        "..",
        "a%2Fx",
        "a x",
        "",
        "é",
        "a\0",
        &"a".repeat(37),
    ] {
        let error = DeleteIntent::jumio(JumioProduct::IdVerification, Region::Us, bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidReference, "{bad:?}");
        assert!(error.to_string().contains("1-36"), "{error}");
    }
    assert!(
        DeleteIntent::jumio(JumioProduct::Authentication, Region::Sgp, &"a".repeat(36)).is_ok()
    );
}

#[test]
fn hyperverge_ids_are_escaped_into_the_body() {
    let intent = DeleteIntent::hyperverge(r#"a"b\c/d#?é"#).unwrap();
    let request = to_request(&intent, &Endpoint::Documented, &hyperverge_credentials()).unwrap();
    assert_eq!(
        request.body(),
        r#"{"transactionId":"a\"b\\c/d#?é"}"#.as_bytes()
    );
    assert_eq!(request.uri().path(), "/api/v2/transaction/id");
    for bad in [
        "",
        "a\nb",
        "a\u{7f}",
        &"x".repeat(257),
        " HV-7",
        "HV-7 ",
        "\u{a0}HV-7",
    ] {
        let error = DeleteIntent::hyperverge(bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidReference, "{bad:?}");
    }
    assert!(DeleteIntent::hyperverge(&"é".repeat(256)).is_ok());
    assert!(
        DeleteIntent::hyperverge("HV 7").is_ok(),
        "inner spaces are the id's"
    );
    let error = DeleteIntent::hyperverge(" HV-7").unwrap_err();
    assert!(
        error.detail().contains("starts with whitespace (U+0020)"),
        "{error}"
    );
    let error = DeleteIntent::hyperverge("HV-7\u{3000}").unwrap_err();
    assert!(
        error.detail().contains("ends with whitespace (U+3000)"),
        "{error}"
    );
}

#[test]
fn custom_base_urls_keep_their_prefix_and_refuse_plain_http_off_loopback() {
    let intent = scan("abc");
    let ok = [
        (
            "https://proxy.example.com/kyc/",
            "https://proxy.example.com/kyc/api/netverify/v2/scans/abc",
        ),
        (
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/api/netverify/v2/scans/abc",
        ),
        (
            "http://127.9.9.9",
            "http://127.9.9.9/api/netverify/v2/scans/abc",
        ),
        (
            "http://localhost:1",
            "http://localhost:1/api/netverify/v2/scans/abc",
        ),
        (
            "http://[::1]:9",
            "http://[::1]:9/api/netverify/v2/scans/abc",
        ),
    ];
    for (base, url) in ok {
        assert_eq!(Endpoint::custom(base).unwrap().url_for(&intent), url);
    }
    for bad in [
        "http://example.com",
        "http://10.0.0.1",
        "http://128.0.0.1",
        "ftp://localhost",
        "https://user:pw@example.com",
        "https://example.com/?q=1",
        "https://example.com/#f",
        "https://exa mple.com",
        "example.com",
        "",
    ] {
        let error = Endpoint::custom(bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{bad:?}");
    }
    let host = Endpoint::hyperverge_host("ind.idv.hyperverge.co").unwrap();
    assert_eq!(
        host.url_for(&DeleteIntent::hyperverge("t").unwrap()),
        "https://ind.idv.hyperverge.co/api/v2/transaction/id"
    );
    assert!(Endpoint::hyperverge_host("evil.com/x").is_err());
}

#[test]
fn a_jumio_client_needs_a_printable_user_agent() {
    for bad in ["", "  ", "Acme\n", "Acmé", " Acme", &"a".repeat(257)] {
        let error = JumioCredentials::new("t", "s", bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{bad:?}");
    }
    assert!(UserAgent::new("Acme KYC-Cleaner/1.0").is_ok());
    assert!(JumioCredentials::new("t:x", "s", "Acme/1").is_err());
    assert!(JumioCredentials::new("", "s", "Acme/1").is_err());
    assert!(HyperVergeCredentials::new("id", "key\n").is_err());
}

#[test]
fn mismatched_credentials_are_a_config_error() {
    let error = to_request(
        &scan("abc"),
        &Endpoint::Documented,
        &hyperverge_credentials(),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
}

#[test]
fn statuses_map_to_kinds() {
    let table = [
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (400, ErrorKind::InvalidInput),
        (422, ErrorKind::InvalidInput),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
        (503, ErrorKind::Server),
        (599, ErrorKind::Server),
        (301, ErrorKind::UnexpectedResponse),
        (307, ErrorKind::UnexpectedResponse),
        (409, ErrorKind::UnexpectedResponse),
        (100, ErrorKind::UnexpectedResponse),
    ];
    for (status, kind) in table {
        let error = parse_response(&scan("abc"), response(status, &[], b"nope")).unwrap_err();
        assert_eq!(error.kind(), kind, "{status}");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.vendor_message(), Some("nope"));
    }
    let deleted = deleted(parse_response(&scan("abc"), response(200, &[], b"")).unwrap());
    assert_eq!(deleted.confirmed_by, ConfirmedBy::Response);
    assert_eq!(deleted.vendor_message, None);
}

#[test]
fn hyperverge_documented_bodies() {
    let intent = DeleteIntent::hyperverge("txn").unwrap();
    let ok = deleted(
        parse_response(
            &intent,
            response(
                200,
                &[],
                br#"{"status":"success","statusCode":"200","message":"Deleted","deletedAudits":["a1","a2"]}"#,
            ),
        )
        .unwrap(),
    );
    assert_eq!(ok.audits, ["a1", "a2"]);
    assert_eq!(ok.vendor_message.as_deref(), Some("Deleted"));

    let cases: [(u16, &[u8], ErrorKind, &str); 6] = [
        (401, br#"{"status":"failure","statusCode":"401","error":"Missing/Invalid credentials"}"#, ErrorKind::Unauthorized, "Missing/Invalid credentials"),
        (403, br#"{"status":"forbidden","statusCode":"403","message":"No whitelisted IPs match found"}"#, ErrorKind::Forbidden, "No whitelisted IPs match found"),
        (422, br#"{"status":"failure","statusCode":"422","error":"\"transactionId\" is required"}"#, ErrorKind::InvalidInput, "\"transactionId\" is required"),
        (500, br#"{"status":"failure","statusCode":"500","error":"Internal Server Error"}"#, ErrorKind::Server, "Internal Server Error"),
        (200, br#"{"status":"failure","statusCode":"200","error":"could not delete"}"#, ErrorKind::UnexpectedResponse, "could not delete"),
        (200, b"<html>proxy</html>", ErrorKind::UnexpectedResponse, "<html>proxy</html>"),
    ];
    for (status, body, kind, message) in cases {
        let error = parse_response(&intent, response(status, &[], body)).unwrap_err();
        assert_eq!(
            error.kind(),
            kind,
            "{status} {:?}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(error.vendor_message(), Some(message));
    }
}

#[test]
fn vendor_messages_are_bounded_and_control_free() {
    static HUGE: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
        let mut body = b"line1\r\nline2\x1b[31m".to_vec();
        body.extend("é".repeat(10_000).as_bytes());
        body
    });
    let error = parse_response(
        &scan("abc"),
        http::Response::builder()
            .status(500)
            .body(&HUGE[..])
            .unwrap(),
    )
    .unwrap_err();
    let message = error.vendor_message().unwrap();
    assert!(message.len() <= 1024 && message.len() > 1000);
    assert!(message.starts_with("line1  line2 [31m"));
    assert!(!message.chars().any(char::is_control));
}

#[test]
fn retry_after_seconds_and_dates() {
    let headers = |pairs: &[(&'static str, &'static str)]| {
        let mut map = http::HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    };
    assert_eq!(
        retry_after(&headers(&[("retry-after", "7")])),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        retry_after(&headers(&[("retry-after", " 0 ")])),
        Some(Duration::ZERO)
    );
    let date = "Sun, 22 Nov 2026 10:00:00 GMT";
    assert_eq!(
        retry_after(&headers(&[
            ("retry-after", "Sun, 22 Nov 2026 10:00:30 GMT"),
            ("date", date)
        ])),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        retry_after(&headers(&[
            ("retry-after", "Sun, 22 Nov 2026 09:00:00 GMT"),
            ("date", date)
        ])),
        Some(Duration::ZERO)
    );
    assert_eq!(
        retry_after(&headers(&[(
            "retry-after",
            "Sun, 22 Nov 2026 10:00:30 GMT"
        )])),
        None
    );
    assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    assert_eq!(retry_after(&headers(&[("retry-after", "-1")])), None);
    assert_eq!(
        retry_after(&headers(&[("retry-after", "99999999999999999999999")])),
        Some(Duration::from_secs(u64::MAX))
    );
}

fn drive(
    op: &mut DeleteOp,
    answers: &mut dyn FnMut(u32) -> Result<http::Response<&'static [u8]>, (TransportError, bool)>,
) -> (
    Result<idv_delete_core::Deleted, idv_delete_core::DeleteError>,
    Vec<Duration>,
) {
    let mut waits = Vec::new();
    for _ in 0..100 {
        match op.poll_action() {
            Action::Send(_) => match answers(op.attempts()) {
                Ok(response) => op.handle_response(response),
                Err((kind, sent)) => op.handle_transport_error(kind, sent),
            },
            Action::Wait(wait) => waits.push(wait),
            Action::Done(result) => return (result.map(deleted), waits),
            Action::Authorize => panic!("a Netverify v2 op asked for a token"),
        }
    }
    panic!("the op did not end");
}

#[test]
fn a_404_after_a_reset_after_sending_is_deleted_by_absence() {
    let mut op = scan_op(1);
    let (result, waits) = drive(&mut op, &mut |attempt| {
        if attempt == 1 {
            Err((TransportError::Io, true))
        } else {
            Ok(response(404, &[], b""))
        }
    });
    let deleted = result.unwrap();
    assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence);
    assert_eq!(deleted.attempts, 2);
    assert_eq!(waits.len(), 1);
    assert!(waits[0] <= Duration::from_millis(500));
}

#[test]
fn a_404_after_a_connect_failure_is_not_found() {
    let mut op = scan_op(1);
    let (result, _) = drive(&mut op, &mut |attempt| {
        if attempt == 1 {
            Err((TransportError::Connect, false))
        } else {
            Ok(response(404, &[], b""))
        }
    });
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.attempts(), 2);
    assert!(!error.in_doubt());
}

/// A HyperVerge 2xx whose body cannot be read (a proxy's page, a cut body)
/// may follow an applied deletion: in doubt, and not retried. Run again in
/// doubt (as a journal resume does), a 404 confirms the deletion; a 2xx
/// whose body says failure is not in doubt.
#[test]
fn an_unreadable_hyperverge_2xx_is_in_doubt() {
    let intent = DeleteIntent::hyperverge("txn-1").unwrap();
    let op = |policy| {
        DeleteOp::new(
            &intent,
            &Endpoint::Documented,
            &hyperverge_credentials(),
            policy,
            1,
        )
        .unwrap()
    };
    for body in [
        &b"<html>proxy</html>"[..],
        b"",
        br#"{"status":"succ"#,
        br#"{"message":"ok"}"#,
    ] {
        let mut unreadable = op(RetryPolicy::default());
        let (result, _) = drive(&mut unreadable, &mut |_| Ok(response(200, &[], body)));
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
        assert_eq!(error.attempts(), 1);
        assert!(error.in_doubt(), "{:?}", String::from_utf8_lossy(body));
    }
    let mut refused = op(RetryPolicy::default());
    let (result, _) = drive(&mut refused, &mut |_| {
        Ok(response(
            200,
            &[],
            br#"{"status":"failure","error":"could not delete"}"#,
        ))
    });
    assert!(
        !result.unwrap_err().in_doubt(),
        "the vendor says it did not delete"
    );

    let mut resumed = DeleteOp::resume_in_doubt(
        &intent,
        &Endpoint::Documented,
        &hyperverge_credentials(),
        RetryPolicy::default(),
        1,
    )
    .unwrap();
    let (result, _) = drive(&mut resumed, &mut |_| Ok(response(404, &[], b"")));
    assert_eq!(result.unwrap().confirmed_by, ConfirmedBy::Absence);
}

#[test]
fn resumed_in_doubt_items_are_confirmed_by_a_404() {
    let mut op = DeleteOp::resume_in_doubt(
        &scan("abc"),
        &Endpoint::Documented,
        &jumio_credentials(),
        RetryPolicy::default(),
        1,
    )
    .unwrap();
    let (result, _) = drive(&mut op, &mut |_| Ok(response(404, &[], b"")));
    assert_eq!(result.unwrap().confirmed_by, ConfirmedBy::Absence);
}

#[test]
fn retry_after_is_honoured_up_to_the_cap() {
    let mut op = scan_op(1);
    let (result, waits) = drive(&mut op, &mut |attempt| match attempt {
        1 => Ok(response(429, &[("retry-after", "3")], b"")),
        _ => Ok(response(200, &[], b"")),
    });
    assert!(result.is_ok());
    assert_eq!(waits, [Duration::from_secs(3)]);

    let mut op = scan_op(1);
    let (result, waits) = drive(&mut op, &mut |_| {
        Ok(response(429, &[("retry-after", "3600")], b""))
    });
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(error.attempts(), 1);
    assert!(waits.is_empty());
}

#[test]
fn timeouts_exhaust_the_attempts_and_stay_in_doubt() {
    let mut op = scan_op(9);
    let (result, waits) = drive(&mut op, &mut |_| Err((TransportError::Timeout, true)));
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 4);
    assert!(error.in_doubt());
    assert_eq!(waits.len(), 3);
    for (retry, wait) in waits.iter().enumerate() {
        assert!(
            *wait <= Duration::from_millis(500) * (1 << retry),
            "{waits:?}"
        );
    }
}

#[test]
fn tls_failures_are_not_retried() {
    let mut op = scan_op(1);
    let (result, _) = drive(&mut op, &mut |_| Err((TransportError::Tls, false)));
    assert_eq!(result.unwrap_err().attempts(), 1);
}

#[test]
fn an_abandoned_attempt_counts_as_in_doubt() {
    let mut op = scan_op(1);
    assert!(matches!(op.poll_action(), Action::Send(_)));
    assert!(matches!(op.poll_action(), Action::Wait(_)));
    assert!(matches!(op.poll_action(), Action::Send(_)));
    op.handle_response(response(404, &[], b""));
    let Action::Done(Ok(Erasure::Deleted(deleted))) = op.poll_action() else {
        panic!("expected a deletion")
    };
    assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence);
    assert!(
        matches!(op.poll_action(), Action::Done(Ok(_))),
        "Done repeats"
    );
}

#[test]
fn invalid_policies_are_refused() {
    for policy in [
        RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        },
        RetryPolicy {
            max_attempts: 101,
            ..RetryPolicy::default()
        },
        RetryPolicy {
            base_delay: Duration::from_secs(30),
            ..RetryPolicy::default()
        },
        RetryPolicy {
            max_retry_after: Duration::MAX,
            ..RetryPolicy::default()
        },
        RetryPolicy {
            max_delay: Duration::from_secs(3601),
            ..RetryPolicy::default()
        },
    ] {
        let error = DeleteOp::new(
            &scan("abc"),
            &Endpoint::Documented,
            &jumio_credentials(),
            policy,
            1,
        )
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    }
}

#[test]
fn error_kinds_have_stable_unique_names() {
    let names: std::collections::BTreeSet<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(names.len(), ErrorKind::ALL.len());
    for kind in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_name(kind.as_str()), Some(kind));
    }
}

#[test]
fn pending_retry_shows_the_error_about_to_be_retried_and_can_be_refused() {
    let mut op = scan_op(1);
    assert!(matches!(op.poll_action(), Action::Send(_)));
    assert!(
        op.pending_retry().is_none(),
        "nothing to retry while awaiting"
    );
    op.handle_response(response(503, &[], b"busy"));
    assert_eq!(op.pending_retry().map(|e| e.status()), Some(Some(503)));
    op.stop_retrying();
    assert!(op.pending_retry().is_none());
    let Action::Done(Err(error)) = op.poll_action() else {
        panic!("stop_retrying ends the op")
    };
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Server, 1));
}

#[test]
fn a_cancelled_op_ends_with_cancelled_and_is_in_doubt_only_after_an_uncertain_attempt() {
    // Before anything was sent: not in doubt, no attempts.
    let mut op = scan_op(1);
    op.cancel();
    let Action::Done(Err(error)) = op.poll_action() else {
        panic!("a cancelled op must be done");
    };
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(error.attempts(), 0);
    assert!(!error.in_doubt(), "{error}");

    // During the wait after a 429 (never applied): not in doubt.
    let mut op = scan_op(2);
    let Action::Send(_) = op.poll_action() else {
        panic!("expected a send");
    };
    op.handle_response(response(429, &[("retry-after", "60")], b""));
    assert!(matches!(op.poll_action(), Action::Wait(d) if d == Duration::from_secs(60)));
    op.cancel();
    let Action::Done(Err(error)) = op.poll_action() else {
        panic!("a cancelled op must be done");
    };
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(error.attempts(), 1);
    assert!(!error.in_doubt(), "{error}");

    // During the backoff after a 502 (may have been applied): in doubt.
    let mut op = scan_op(3);
    let Action::Send(_) = op.poll_action() else {
        panic!("expected a send");
    };
    op.handle_response(response(502, &[], b""));
    op.cancel();
    let Action::Done(Err(error)) = op.poll_action() else {
        panic!("a cancelled op must be done");
    };
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert!(error.in_doubt(), "{error}");

    // While an answer is awaited, the request may have arrived: in doubt.
    let mut op = scan_op(4);
    let Action::Send(_) = op.poll_action() else {
        panic!("expected a send");
    };
    op.cancel();
    let Action::Done(Err(error)) = op.poll_action() else {
        panic!("a cancelled op must be done");
    };
    assert!(error.in_doubt(), "{error}");

    // A finished op stays as it ended.
    let mut op = scan_op(5);
    let Action::Send(_) = op.poll_action() else {
        panic!("expected a send");
    };
    op.handle_response(response(200, &[], b""));
    op.cancel();
    assert!(matches!(op.poll_action(), Action::Done(Ok(_))));
}

/// A deletion confirmed by absence keeps the evidence of the 404 that
/// confirmed it, not of the 502 before it; a NotFound error keeps its own.
#[test]
fn evidence_is_the_answer_that_decided() {
    let mut op = scan_op(7);
    let Action::Send(_) = op.poll_action() else {
        panic!("the first action sends")
    };
    op.handle_response(response(
        502,
        &[
            ("date", "Wed, 02 Dec 2026 10:00:00 GMT"),
            ("x-request-id", "first"),
        ],
        b"",
    ));
    let Some(error) = op.pending_retry() else {
        panic!("a 502 is retried")
    };
    assert_eq!(error.evidence().map(|e| e.status), Some(502));
    let Action::Wait(_) = op.poll_action() else {
        panic!("a retry waits first")
    };
    let Action::Send(_) = op.poll_action() else {
        panic!("then sends")
    };
    op.handle_response(response(
        404,
        &[
            ("date", "Wed, 02 Dec 2026 10:00:01 GMT"),
            ("x-request-id", "second"),
        ],
        b"",
    ));
    let Action::Done(Ok(erasure)) = op.poll_action() else {
        panic!("a 404 after a 502 is a deletion confirmed by absence")
    };
    let deleted = deleted(erasure);
    assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence);
    let evidence = deleted.evidence.expect("the 404 is the evidence");
    assert_eq!(evidence.status, 404);
    assert_eq!(
        evidence.date.as_deref(),
        Some("Wed, 02 Dec 2026 10:00:01 GMT")
    );
    assert_eq!(evidence.request_id.as_deref(), Some("second"));

    let error = parse_response(
        &scan("abc"),
        response(404, &[("x-correlation-id", "c-1")], b""),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let evidence = error.evidence().expect("a 404 is an answer");
    assert_eq!((evidence.status, evidence.date.as_deref()), (404, None));
    assert_eq!(evidence.request_id.as_deref(), Some("c-1"));
}
