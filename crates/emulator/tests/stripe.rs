//! Stripe Identity: redaction `processing` then `redacted` after the
//! configured delay, the states that cannot be redacted, the keys, and the
//! rate limit, over raw HTTP.

mod common;

use std::time::Duration;

use common::*;
use idv_delete_emulator::{Config, Emulator, SeedItem};

const BEARER: (&str, &str) = ("Authorization", "Bearer sk_test_emulator");

fn emulator(config: Config) -> Emulator {
    Emulator::start(config).expect("start")
}

fn call(conn: &mut Conn, line: &str, headers: &[(&str, &str)]) -> Resp {
    conn.send(line, headers, b"").expect("response")
}

fn redact(conn: &mut Conn, id: &str) -> Resp {
    call(
        conn,
        &format!("POST /v1/identity/verification_sessions/{id}/redact"),
        &[BEARER, ("Stripe-Version", "2024-06-20")],
    )
}

fn read(conn: &mut Conn, id: &str) -> Resp {
    call(
        conn,
        &format!("GET /v1/identity/verification_sessions/{id}"),
        &[BEARER],
    )
}

#[test]
fn a_redaction_is_processing_then_redacted_after_the_delay() {
    let emu = emulator(Config {
        stripe_redaction_delay: Duration::from_millis(600),
        ..Config::default()
    });
    emu.seed(&[
        SeedItem::new("stripe", "verification_session", "vs_V"),
        SeedItem::new("stripe", "verification-session", "vs_I").with_state("requires_input"),
    ])
    .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let before = read(&mut conn, "vs_V").json();
    assert_eq!(
        (before["status"].as_str(), before["redaction"].is_null()),
        (Some("verified"), true)
    );

    let redacted = redact(&mut conn, "vs_V");
    assert_eq!(redacted.status, 200, "{}", redacted.text());
    let session = redacted.json();
    assert_eq!(session["object"], "identity.verification_session");
    assert_eq!(session["id"], "vs_V");
    assert_eq!(session["status"], "verified");
    assert_eq!(session["redaction"]["status"], "processing");
    let input = redact(&mut conn, "vs_I").json();
    assert_eq!(
        (
            input["status"].as_str(),
            input["redaction"]["status"].as_str()
        ),
        (Some("canceled"), Some("processing"))
    );
    assert_eq!(emu.stats().erasures_pending, 2);

    // A repeat answers the session as it is.
    let again = redact(&mut conn, "vs_V");
    assert_eq!(
        (again.status, again.json()["redaction"]["status"].as_str()),
        (200, Some("processing"))
    );
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        read(&mut conn, "vs_V").json()["redaction"]["status"],
        "redacted"
    );
    assert_eq!(
        read(&mut conn, "vs_I").json()["redaction"]["status"],
        "redacted"
    );

    let stats = emu.stats();
    assert_eq!(stats.erasures_pending, 0);
    let counts = stats
        .reference("stripe", "verification_session", "vs_V")
        .expect("counted");
    assert_eq!((counts.applied, counts.repeated), (1, 1));
    assert_eq!(stats.api_versions["stripe"]["2024-06-20"], 3);
    assert_eq!(stats.requests["stripe/verification_session"][&200], 3);
}

#[test]
fn processing_and_canceled_sessions_cannot_be_redacted() {
    let emu = emulator(Config::default());
    emu.seed(&[
        SeedItem::new("stripe", "verification_session", "vs_P").with_state("processing"),
        SeedItem::new("stripe", "verification_session", "vs_C").with_state("canceled"),
    ])
    .expect("seed");
    let mut conn = Conn::open(emu.addr());
    for (id, status) in [("vs_P", "processing"), ("vs_C", "canceled")] {
        let resp = redact(&mut conn, id);
        assert_eq!(resp.status, 400);
        let error = &resp.json()["error"];
        assert_eq!(error["type"], "invalid_request_error");
        assert_eq!(error["code"], "verification_session_unexpected_state");
        assert!(error["message"].as_str().expect("message").contains(status));
        assert!(read(&mut conn, id).json()["redaction"].is_null());
    }
    let counts = emu.stats();
    let counts = counts
        .reference("stripe", "verification_session", "vs_P")
        .expect("counted");
    assert_eq!((counts.refused, counts.applied), (1, 0));
}

#[test]
fn keys_unknown_sessions_and_methods() {
    let emu = emulator(Config::default());
    emu.seed_one("stripe", "verification_session", "vs_K")
        .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = "POST /v1/identity/verification_sessions/vs_K/redact";
    let wrong_basic = basic("sk_test_wrong", "");
    for headers in [
        vec![],
        vec![("Authorization", "Bearer sk_test_wrong")],
        vec![("Authorization", wrong_basic.as_str())],
    ] {
        let resp = call(&mut conn, path, &headers);
        assert_eq!(resp.status, 401, "{headers:?}");
        assert_eq!(resp.json()["error"]["type"], "invalid_request_error");
        assert!(!resp.text().contains("sk_test"), "{}", resp.text());
    }
    let missing = redact(&mut conn, "vs_missing");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "resource_missing");
    assert_eq!(read(&mut conn, "vs_missing").status, 404);
    let get = call(
        &mut conn,
        "GET /v1/identity/verification_sessions/vs_K/redact",
        &[BEARER],
    );
    assert_eq!((get.status, get.header("Allow")), (405, Some("POST")));
    // HTTP Basic with the key as user and an empty password works.
    let basic_auth = basic("sk_test_emulator", "");
    let ok = call(&mut conn, path, &[("Authorization", basic_auth.as_str())]);
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[test]
fn the_rate_limit_answers_429_with_retry_after() {
    let emu = emulator(Config {
        stripe_rate_limit: Some(2.0),
        ..Config::default()
    });
    let mut conn = Conn::open(emu.addr());
    let statuses: Vec<u16> = (0..3)
        .map(|_| redact(&mut conn, "vs_none").status)
        .collect();
    assert_eq!(statuses, [404, 404, 429]);
    let limited = redact(&mut conn, "vs_none");
    assert_eq!(limited.header("Retry-After"), Some("1"));
    assert_eq!(limited.json()["error"]["code"], "rate_limit");
    assert_eq!(emu.stats().faults.rate_limited, 2);
}
