//! Single deletions end to end against the emulator (and a raw server for
//! answers the emulator never gives): every outcome and error kind, retries,
//! redirects, connection reuse.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::*;
use idv_delete_blocking::{
    Client, ConfirmedBy, ErrorKind, HyperVergeCredentials, JumioCredentials, RetryBudget,
    RetryPolicy,
};
use idv_delete_emulator::{Config, Emulator, Faults};

#[test]
fn deletes_then_not_found_for_every_product() {
    let emulator = emulator();
    let client = client(&emulator);
    let intents = [scan("s-1"), document("d-1"), hyperverge("hv 1 \"quoted\"")];
    seed(&emulator, &intents);
    for intent in &intents {
        let deleted = client.delete(intent).at_once().expect("deleted");
        assert_eq!(deleted.confirmed_by, ConfirmedBy::Response);
        assert_eq!(deleted.attempts, 1);
        if intent.target() == idv_delete_blocking::Target::HyperVerge {
            assert!(!deleted.audits.is_empty(), "HyperVerge reports audits");
        }
        let again = client
            .delete(intent)
            .at_once()
            .expect_err("already deleted");
        assert_eq!(again.kind(), ErrorKind::NotFound);
        assert_eq!(again.status(), Some(404));
        assert!(!again.in_doubt());
        assert_eq!(counts(&emulator, intent), (1, 1));
    }
    // A never-seeded reference is not found, never deleted, even resumed
    // without doubt... but resumed in doubt, its absence confirms it.
    let unknown = scan("never-seeded");
    assert_eq!(
        client.delete(&unknown).at_once().unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let resumed = client
        .delete_resumed(&unknown)
        .at_once()
        .expect("absence confirms");
    assert_eq!(resumed.confirmed_by, ConfirmedBy::Absence);
}

#[test]
fn refused_credentials_are_unauthorized() {
    let emulator = emulator();
    let client = Client::builder()
        .jumio(JumioCredentials::new("wrong", "creds", USER_AGENT).unwrap())
        .hyperverge(HyperVergeCredentials::new("wrong", "creds").unwrap())
        .base_url(&emulator.base_url())
        .build()
        .unwrap();
    for intent in [scan("a"), hyperverge("a")] {
        seed(&emulator, std::slice::from_ref(&intent));
        let error = client.delete(&intent).at_once().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
        assert_eq!(error.status(), Some(401));
        assert_eq!(error.attempts(), 1, "401 is never retried");
        assert_eq!(counts(&emulator, &intent), (0, 0));
    }
}

#[test]
fn hyperverge_allow_list_is_forbidden() {
    let emulator = Emulator::start(Config {
        hyperverge_allowed_ips: Some(vec!["192.0.2.7".parse().unwrap()]),
        ..Config::default()
    })
    .unwrap();
    let intent = hyperverge("allow-listed");
    seed(&emulator, std::slice::from_ref(&intent));
    let error = client(&emulator).delete(&intent).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.status(), Some(403));
    assert_eq!(
        error.vendor_message(),
        Some("No whitelisted IPs match found")
    );
}

/// Our client always sends the headers Jumio checks, so the emulator never
/// answers it 403; a raw server stands in for Jumio refusing them.
#[test]
fn jumio_header_refusal_is_forbidden_and_headers_are_sent() {
    let server = RawServer::start(|_| {
        response(
            "403 Forbidden",
            &[("content-type", "text/plain")],
            b"Forbidden: missing User-Agent",
        )
    });
    let client = builder(&server.base_url()).build().unwrap();
    let error = client.delete(&scan("ref")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.attempts(), 1);
    let head = server.seen()[0].head.to_ascii_lowercase();
    assert!(
        head.starts_with("delete /api/netverify/v2/scans/ref http/1.1"),
        "{head}"
    );
    assert!(head.contains("user-agent: acme kyc-cleaner/1.0"), "{head}");
    assert!(head.contains("accept: application/json"), "{head}");
    assert!(head.contains("authorization: basic "), "{head}");
    assert!(
        !head.contains("content-length"),
        "no body on a Jumio DELETE: {head}"
    );
}

/// The client never sends a body HyperVerge rejects, so a raw server gives
/// the documented 422.
#[test]
fn rejected_body_is_invalid_input() {
    let server = RawServer::start(|_| {
        response(
            "422 Unprocessable Entity",
            &[("content-type", "application/json")],
            br#"{"status":"failure","statusCode":"422","error":"\"transactionId\" is required"}"#,
        )
    });
    let error = builder(&server.base_url())
        .build()
        .unwrap()
        .delete(&hyperverge("x"))
        .at_once()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.status(), Some(422));
    assert_eq!(
        error.vendor_message(),
        Some("\"transactionId\" is required")
    );
    assert_eq!(error.attempts(), 1);
}

#[test]
fn rate_limited_honours_retry_after_then_gives_up() {
    let emulator = emulator_with(Faults {
        p429: 1.0,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let client = builder(&emulator.base_url())
        .retry_policy(fast_policy(3))
        .build()
        .unwrap();
    let error = client.delete(&scan("limited")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert_eq!(error.attempts(), 3);
    assert_eq!(emulator.stats().faults.status, 3);
}

#[test]
fn server_errors_are_retried_then_reported() {
    let emulator = emulator_with(Faults {
        p500: 1.0,
        ..Faults::default()
    });
    let client = builder(&emulator.base_url())
        .retry_policy(fast_policy(3))
        .build()
        .unwrap();
    let error = client.delete(&hyperverge("down")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.attempts(), 3);
    assert!(error.in_doubt(), "a 500 may follow an applied delete");
}

#[test]
fn slow_answer_times_out() {
    let emulator = emulator_with(Faults {
        latency_ms: 400,
        ..Faults::default()
    });
    let client = builder(&emulator.base_url())
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();
    let intent = scan("slow");
    seed(&emulator, std::slice::from_ref(&intent));
    let error = client.delete(&intent).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.in_doubt(), "the request was sent");
}

#[test]
fn closed_port_is_connect_error_not_sent() {
    // Released on 127.0.0.2, where nothing of these tests listens
    // (emulators bind 127.0.0.1), so no parallel test can take it over.
    let port = {
        let listener = TcpListener::bind("127.0.0.2:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = builder(&format!("http://127.0.0.2:{port}"))
        .retry_policy(fast_policy(2))
        .build()
        .unwrap();
    let error = client.delete(&scan("nowhere")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect, "{error}");
    assert_eq!(error.attempts(), 2, "connect errors are retried");
    assert!(!error.in_doubt(), "nothing was sent");
}

#[test]
fn reset_and_truncated_body_are_io_errors() {
    for faults in [
        Faults {
            p_reset_before: 1.0,
            ..Faults::default()
        },
        Faults {
            p_truncate: 1.0,
            ..Faults::default()
        },
    ] {
        let emulator = emulator_with(faults);
        let client = builder(&emulator.base_url())
            .retry_policy(RetryPolicy::no_retries())
            .build()
            .unwrap();
        let intent = hyperverge("broken");
        seed(&emulator, std::slice::from_ref(&intent));
        let error = client.delete(&intent).at_once().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Io, "{error}");
        assert!(error.in_doubt(), "a broken exchange may have been applied");
    }
}

/// https to a port where a plain-http server listens. A server that
/// answers the ClientHello with a plain-text 400 (as most HTTP servers do)
/// makes rustls fail the handshake: `Tls`, never retried, not sent. The
/// emulator instead waits for the end of a request head that never comes,
/// so the handshake times out: `Timeout` in the connect phase, not sent.
#[test]
fn https_to_plain_http_is_tls_error_or_handshake_timeout() {
    let addr = plain_http_server();
    let client = builder(&format!("https://{addr}")).build().unwrap();
    let error = client.delete(&scan("tls")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Tls, "{error}");
    assert_eq!(error.attempts(), 1, "TLS errors are never retried");
    assert!(!error.in_doubt());

    let emulator = emulator();
    let client = builder(&format!("https://{}", emulator.addr()))
        .connect_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();
    let error = client.delete(&scan("tls")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(!error.in_doubt(), "the handshake never finished");
    assert_eq!(emulator.stats().total_requests, 0);
}

#[test]
fn retries_through_injected_faults() {
    let emulator = emulator_with(Faults {
        seed: 7,
        p500: 0.15,
        p503: 0.15,
        p_reset_before: 0.1,
        ..Faults::default()
    });
    let client = builder(&emulator.base_url())
        .retry_policy(fast_policy(10))
        .build()
        .unwrap();
    let intents = mixed("retry", 30);
    seed(&emulator, &intents);
    let mut attempts = 0;
    for intent in &intents {
        let deleted = client
            .delete(intent)
            .at_once()
            .expect("retries get through");
        attempts += deleted.attempts;
        assert_eq!(counts(&emulator, intent).0, 1, "applied exactly once");
    }
    assert!(attempts > 30, "some retries happened: {attempts}");
}

/// The emulator applies the delete, then resets the connection: the retry
/// gets 404, which confirms the deletion by absence.
#[test]
fn reset_after_apply_is_confirmed_by_absence() {
    let emulator = emulator_with(Faults {
        seed: 3,
        p_reset_after: 0.5,
        ..Faults::default()
    });
    let client = builder(&emulator.base_url())
        .retry_policy(fast_policy(10))
        .build()
        .unwrap();
    let intents = mixed("reset-after", 20);
    seed(&emulator, &intents);
    let mut by_absence = 0;
    for intent in &intents {
        let deleted = client.delete(intent).at_once().expect("deleted");
        let (applied, not_found) = counts(&emulator, intent);
        assert_eq!(applied, 1, "exactly one applied delete for {intent}");
        if deleted.confirmed_by == ConfirmedBy::Absence {
            by_absence += 1;
            assert!(deleted.attempts >= 2);
            assert!(not_found >= 1);
        }
    }
    assert!(
        by_absence > 0,
        "the seeded schedule resets some applied deletes"
    );
    assert_eq!(emulator.stats().deletes_applied, 20);
}

#[test]
fn redirect_is_not_followed() {
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let location = format!(
        "http://{}/api/netverify/v2/scans/ref",
        elsewhere.local_addr().unwrap()
    );
    let server = RawServer::start(move |_| {
        response("307 Temporary Redirect", &[("location", &location)], b"")
    });
    let error = builder(&server.base_url())
        .build()
        .unwrap()
        .delete(&scan("ref"))
        .at_once()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    assert_eq!(error.status(), Some(307));
    assert_eq!(server.seen().len(), 1, "not retried");
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        elsewhere.accept().is_err(),
        "nothing may arrive at the redirect target"
    );
}

#[test]
fn plain_http_off_loopback_is_refused_at_build() {
    for url in [
        "http://192.0.2.1:8080",
        "http://example.com",
        "ftp://127.0.0.1",
    ] {
        let error = builder(url).build().unwrap_err();
        assert_eq!(
            error.kind(),
            idv_delete_blocking::ErrorKind::InvalidConfig,
            "{url}"
        );
    }
    assert!(builder("https://proxy.example.com/prefix/").build().is_ok());
}

#[test]
fn configuration_is_checked_at_build() {
    let none = Client::builder().build().unwrap_err();
    assert_eq!(none.kind(), ErrorKind::InvalidConfig);
    let zero = builder("http://127.0.0.1:1")
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(zero.kind(), ErrorKind::InvalidConfig);
    let policy = builder("http://127.0.0.1:1")
        .retry_policy(RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap_err();
    assert_eq!(policy.kind(), ErrorKind::InvalidConfig);
    assert!(builder("http://127.0.0.1:1")
        .max_response_body(0)
        .build()
        .is_err());
}

#[test]
fn missing_vendor_credentials_name_what_to_configure() {
    let emulator = emulator();
    let client = Client::builder()
        .jumio(jumio_credentials())
        .base_url(&emulator.base_url())
        .build()
        .unwrap();
    let error = client.delete(&hyperverge("x")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    assert!(error.to_string().contains("hyperverge"), "{error}");
    assert_eq!(emulator.stats().total_requests, 0);
}

#[test]
fn long_bodies_are_cut_not_failed() {
    let server = RawServer::start(|n| {
        let status = if n == 0 {
            "200 OK"
        } else {
            "500 Internal Server Error"
        };
        response(status, &[], &vec![b'x'; 1 << 20])
    });
    let client = builder(&server.base_url())
        .max_response_body(1024)
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();
    // The cut body is read, not an I/O failure; 1 MiB of "x" is not
    // Jumio's empty or JSON answer, so the 200 is no proof: in doubt.
    let error = client.delete(&scan("big")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    assert_eq!(error.status(), Some(200));
    assert!(error.in_doubt());
    assert!(error.vendor_message().is_some_and(|m| m.len() <= 1024));
    let error = client.delete(&scan("big")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert!(error.vendor_message().is_some_and(|m| m.len() <= 1024));
}

#[test]
fn connections_are_reused() {
    let emulator = emulator();
    let client = client(&emulator);
    let intents = mixed("reuse", 300);
    seed(&emulator, &intents);
    std::thread::scope(|s| {
        for chunk in intents.chunks(75) {
            let client = client.clone();
            s.spawn(move || {
                for intent in chunk {
                    let _ = client.delete(intent).at_once().expect("deleted");
                }
            });
        }
    });
    let stats = emulator.stats();
    assert_eq!(stats.deletes_applied, 300);
    assert!(
        stats.connections_accepted <= 8,
        "300 deletions over {} connections",
        stats.connections_accepted
    );
}

#[test]
fn retry_budget_stops_retries_when_spent() {
    let emulator = emulator_with(Faults {
        p503: 1.0,
        ..Faults::default()
    });
    // 12 tokens pay for two retries (5 each), then none.
    let client = builder(&emulator.base_url())
        .retry_policy(fast_policy(4))
        .retry_budget(RetryBudget::with_capacity(12))
        .build()
        .unwrap();
    assert_eq!(
        client.delete(&scan("a")).at_once().unwrap_err().attempts(),
        3
    );
    assert_eq!(
        client.delete(&scan("b")).at_once().unwrap_err().attempts(),
        1
    );
    assert_eq!(client.retry_budget().available(), Some(2));
}

#[test]
fn debug_output_holds_no_secret() {
    let client = Client::builder()
        .jumio(JumioCredentials::new("CANARYTOKEN", "CANARYSECRET", USER_AGENT).unwrap())
        .hyperverge(HyperVergeCredentials::new("CANARYAPPID", "CANARYAPPKEY").unwrap())
        .build()
        .unwrap();
    let shown = format!("{client:?} {:?}", client.clone());
    assert!(!shown.contains("CANARY"), "{shown}");
}
