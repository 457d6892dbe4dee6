//! Each fault kind, the rate limit, and the reproducibility of the schedule.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_emulator::{Config, Emulator, Faults, RetryAfterFormat};

fn with_faults(faults: Faults) -> Emulator {
    Emulator::start(Config {
        faults,
        ..Config::default()
    })
    .expect("start")
}

#[test]
fn injected_statuses_for_both_vendors_leave_the_state_alone() {
    for status in [500, 502, 503, 504] {
        let mut faults = Faults::default();
        *match status {
            500 => &mut faults.p500,
            502 => &mut faults.p502,
            503 => &mut faults.p503,
            _ => &mut faults.p504,
        } = 1.0;
        let emu = with_faults(faults);
        emu.seed_one("jumio", "scan", "r").expect("seed");
        emu.seed_one("hyperverge", "transaction", "t")
            .expect("seed");
        let mut conn = Conn::open(emu.addr());
        let jumio = jumio_delete(&mut conn, "/api/netverify/v2/scans/r").expect("jumio");
        assert_eq!(jumio.status, status);
        assert_eq!(jumio.header("Retry-After"), None);
        let hv = hyperverge_delete(&mut conn, &hv_body("t")).expect("hyperverge");
        assert_eq!(hv.status, status);
        let body = hv.json();
        assert_eq!(
            (body["status"].as_str(), body["statusCode"].as_str()),
            (Some("failure"), Some(&*status.to_string()))
        );
        if status == 500 {
            assert_eq!(
                body,
                serde_json::json!({"status":"failure","statusCode":"500","error":"Internal Server Error"})
            );
        }
        let stats = emu.stats();
        assert_eq!((stats.transactions_present, stats.faults.status), (2, 2));
        assert_eq!(stats.requests["jumio/scan"][&status], 1);
    }
}

#[test]
fn retry_after_in_seconds_and_as_http_date() {
    let emu = with_faults(Faults {
        p429: 1.0,
        retry_after_secs: 3,
        ..Faults::default()
    });
    let mut conn = Conn::open(emu.addr());
    let resp = jumio_delete(&mut conn, "/api/netverify/v2/scans/r").expect("r");
    assert_eq!((resp.status, resp.header("Retry-After")), (429, Some("3")));
    let resp = hyperverge_delete(&mut conn, &hv_body("t")).expect("r");
    assert_eq!((resp.status, resp.header("Retry-After")), (429, Some("3")));
    assert_eq!(resp.json()["statusCode"], "429");

    emu.set_faults(Faults {
        p503_retry_after: 1.0,
        retry_after_secs: 7,
        retry_after_format: RetryAfterFormat::HttpDate,
        ..Faults::default()
    })
    .expect("faults");
    let resp = jumio_delete(&mut conn, "/api/netverify/v2/scans/r").expect("r");
    assert_eq!(resp.status, 503);
    let date = httpdate::parse_http_date(resp.header("Date").expect("Date")).expect("date");
    let after = httpdate::parse_http_date(resp.header("Retry-After").expect("Retry-After"))
        .expect("an HTTP-date");
    assert_eq!(
        after.duration_since(date).expect("later"),
        Duration::from_secs(7)
    );
}

#[test]
fn latency_is_fixed_plus_bounded_jitter() {
    let emu = with_faults(Faults {
        latency_ms: 120,
        latency_jitter_ms: 30,
        ..Faults::default()
    });
    let mut conn = Conn::open(emu.addr());
    for _ in 0..3 {
        let start = Instant::now();
        assert_eq!(
            jumio_delete(&mut conn, "/api/netverify/v2/scans/r")
                .expect("r")
                .status,
            404
        );
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(120), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
    }
}

fn assert_reset(result: io::Result<Resp>) {
    let err = result.expect_err("no answer");
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
}

#[test]
fn reset_before_apply_leaves_the_transaction() {
    let emu = with_faults(Faults {
        p_reset_before: 1.0,
        ..Faults::default()
    });
    emu.seed_one("hyperverge", "transaction", "t")
        .expect("seed");
    assert_reset(hyperverge_delete(
        &mut Conn::open(emu.addr()),
        &hv_body("t"),
    ));
    let stats = emu.stats();
    assert_eq!((stats.transactions_present, stats.deletes_applied), (1, 0));
    assert_eq!(stats.faults.reset_before, 1);
    assert!(stats.references.is_empty());

    emu.set_faults(Faults::default()).expect("faults");
    let resp = hyperverge_delete(&mut Conn::open(emu.addr()), &hv_body("t")).expect("r");
    assert_eq!(resp.status, 200);
}

#[test]
fn reset_after_apply_leaves_the_transaction_deleted() {
    let emu = with_faults(Faults {
        p_reset_after: 1.0,
        ..Faults::default()
    });
    emu.seed_one("jumio", "document", "d").expect("seed");
    assert_reset(jumio_delete(
        &mut Conn::open(emu.addr()),
        "/api/netverify/v2/documents/d",
    ));
    let stats = emu.stats();
    assert_eq!(
        (stats.transactions_present, stats.faults.reset_after),
        (0, 1)
    );
    let counts = stats.reference("jumio", "document", "d").expect("counted");
    assert_eq!((counts.applied, counts.not_found), (1, 0));
    assert!(stats.requests.is_empty(), "no status was sent");

    emu.set_faults(Faults::default()).expect("faults");
    let resp =
        jumio_delete(&mut Conn::open(emu.addr()), "/api/netverify/v2/documents/d").expect("r");
    assert_eq!(resp.status, 404);
    let counts = emu.stats();
    let counts = counts.reference("jumio", "document", "d").expect("counted");
    assert_eq!((counts.applied, counts.not_found), (1, 1));
}

#[test]
fn truncated_body_announces_more_than_it_sends_then_closes() {
    let emu = with_faults(Faults {
        p_truncate: 1.0,
        ..Faults::default()
    });
    emu.seed_one("hyperverge", "transaction", "t")
        .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let err = hyperverge_delete(&mut conn, &hv_body("t")).expect_err("truncated");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    // Read it again byte for byte to see the announced and received lengths.
    emu.seed_one("hyperverge", "transaction", "t2")
        .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let body = hv_body("t2");
    let request = format!(
        "DELETE {HV_PATH} HTTP/1.1\r\nappid: emulator-app-id\r\nappkey: emulator-app-key\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    use std::io::{Read, Write};
    conn.stream.write_all(request.as_bytes()).expect("write");
    let mut raw = Vec::new();
    conn.stream.read_to_end(&mut raw).expect("read to EOF");
    let raw = String::from_utf8(raw).expect("UTF-8");
    let (head, received) = raw.split_once("\r\n\r\n").expect("head");
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    let announced: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .expect("Content-Length")
        .parse()
        .expect("number");
    assert!(
        received.len() < announced,
        "{} < {announced}",
        received.len()
    );
    // The delete itself was applied.
    let stats = emu.stats();
    assert_eq!((stats.deletes_applied, stats.faults.truncated), (2, 2));
}

#[test]
fn token_bucket_rate_limit_answers_429_with_retry_after() {
    let emu = with_faults(Faults {
        rate_limit: Some(0.5),
        rate_burst: 2,
        ..Faults::default()
    });
    emu.seed_one("jumio", "scan", "r").expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = "/api/netverify/v2/scans/r";
    assert_eq!(jumio_delete(&mut conn, path).expect("r").status, 200);
    assert_eq!(jumio_delete(&mut conn, path).expect("r").status, 404);
    let limited = jumio_delete(&mut conn, path).expect("r");
    assert_eq!(
        (limited.status, limited.header("Retry-After")),
        (429, Some("2"))
    );
    let limited = hyperverge_delete(&mut conn, &hv_body("t")).expect("r");
    assert_eq!(limited.status, 429);
    let secs: u64 = limited
        .header("Retry-After")
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&secs));
    assert_eq!(emu.stats().faults.rate_limited, 2);
    // The admin API is never limited.
    let stats = conn.send("GET /__emulator/stats", &[], b"").expect("r");
    assert_eq!(stats.status, 200);
}

/// The outcome of each of `n` sequential requests: a status, or 0 for a reset.
fn outcomes(emu: &Emulator, n: usize) -> Vec<u16> {
    let mut conn = Conn::open(emu.addr());
    (0..n)
        .map(
            |i| match jumio_delete(&mut conn, &format!("/api/netverify/v2/scans/r{i}")) {
                Ok(resp) if resp.header("Connection") == Some("close") => {
                    conn = Conn::open(emu.addr());
                    resp.status
                }
                Ok(resp) => resp.status,
                Err(_) => {
                    conn = Conn::open(emu.addr());
                    0
                }
            },
        )
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_fault_sequence() {
    let faults = Faults {
        seed: 42,
        p500: 0.15,
        p503: 0.1,
        p429: 0.15,
        p_reset_before: 0.1,
        p_truncate: 0.1,
        ..Faults::default()
    };
    let a = with_faults(faults.clone());
    let b = with_faults(faults.clone());
    let first = outcomes(&a, 60);
    assert_eq!(first, outcomes(&b, 60));
    for kind in [404, 500, 503, 429, 0] {
        assert!(first.contains(&kind), "{kind} in {first:?}");
    }
    // Setting the same faults again restarts the schedule; so does a reset.
    a.set_faults(faults.clone()).expect("faults");
    assert_eq!(first, outcomes(&a, 60));
    a.reset();
    assert_eq!(first, outcomes(&a, 60));
    // Another seed, another schedule.
    a.set_faults(Faults { seed: 43, ..faults }).expect("faults");
    assert_ne!(first, outcomes(&a, 60));
}

#[test]
fn faults_apply_to_the_later_vendors_deletes_in_their_shapes_but_not_to_reads() {
    let emu = with_faults(Faults {
        p503_retry_after: 1.0,
        ..Faults::default()
    });
    emu.seed(&[
        idv_delete_emulator::SeedItem::new("onfido", "applicant", "a-1"),
        idv_delete_emulator::SeedItem::new("persona", "inquiry", "inq_1"),
        idv_delete_emulator::SeedItem::new("stripe", "verification_session", "vs_1"),
        idv_delete_emulator::SeedItem::new("veriff", "session", "s-1"),
    ])
    .expect("seed");
    let mut conn = Conn::open(emu.addr());
    type Shaped = fn(&serde_json::Value) -> bool;
    let cases: [(&str, Shaped); 4] = [
        ("DELETE /v3.6/applicants/a-1", |b| {
            b["error"]["type"].is_string()
        }),
        ("DELETE /api/v1/inquiries/inq_1", |b| {
            b["errors"][0]["title"].is_string()
        }),
        ("POST /v1/identity/verification_sessions/vs_1/redact", |b| {
            b["error"]["type"] == "api_error"
        }),
        ("DELETE /v1/sessions/s-1", |b| b["status"] == "fail"),
    ];
    for (line, shaped) in cases {
        let resp = conn.send(line, &[], b"").expect("response");
        assert_eq!(resp.status, 503, "{line}");
        assert_eq!(resp.header("Retry-After"), Some("1"), "{line}");
        assert!(shaped(&resp.json()), "{line}: {}", resp.text());
    }
    let read = conn
        .send(
            "GET /v3.6/applicants/a-1",
            &[("Authorization", "Token token=emulator-onfido-token")],
            b"",
        )
        .expect("read");
    assert_eq!(read.status, 200);
    let stats = emu.stats();
    assert_eq!((stats.faults.status, stats.transactions_present), (4, 4));
}
