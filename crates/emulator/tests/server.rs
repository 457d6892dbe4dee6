//! HTTP/1.1 handling, the admin API and stopping, over raw HTTP.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_emulator::{Config, Emulator, Faults};
use serde_json::json;

fn emulator() -> Emulator {
    Emulator::start(Config::default()).expect("start")
}

#[test]
fn keep_alive_and_pipelining_serve_many_requests_on_one_connection() {
    let emu = emulator();
    let mut conn = Conn::open(emu.addr());
    for i in 0..5 {
        let resp = jumio_delete(&mut conn, &format!("/api/netverify/v2/scans/k{i}")).expect("r");
        assert_eq!(resp.status, 404);
        assert_eq!(resp.header("Connection"), None);
    }
    let two = b"DELETE /nowhere HTTP/1.1\r\n\r\nGET /__emulator/stats HTTP/1.1\r\n\r\n";
    assert_eq!(conn.raw(two).expect("first").status, 404);
    let stats = conn.read_response().expect("second").json();
    assert_eq!(stats["connections_accepted"], 1);
    assert_eq!(stats["total_requests"], 6);
    assert!(emu.base_url().starts_with("http://127.0.0.1:"));
}

#[test]
fn connection_close_is_honoured() {
    let emu = emulator();
    let mut conn = Conn::open(emu.addr());
    let resp = conn
        .send("DELETE /x", &[("Connection", "close")], b"")
        .expect("r");
    assert_eq!(
        (resp.status, resp.header("Connection")),
        (404, Some("close"))
    );
    assert!(conn.is_closed());
}

#[test]
fn malformed_requests_get_clear_errors_and_a_close() {
    let emu = emulator();
    let cases: [(&[u8], u16, &str); 5] = [
        (
            b"DELETE /api/v2/transaction/id HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            411,
            "Content-Length",
        ),
        (b"DELETE /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"),
        (b"DELETE /x HTTP/1.1\r\nbroken header\r\n\r\n", 400, "header"),
        (b"garbage\r\n\r\n", 400, "request line"),
        (b"DELETE /x HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", 413, "too large"),
    ];
    for (request, status, needle) in cases {
        let mut conn = Conn::open(emu.addr());
        let resp = conn.raw(request).expect("an answer");
        assert_eq!(resp.status, status, "{}", String::from_utf8_lossy(request));
        assert!(resp.text().contains(needle), "{}", resp.text());
        assert_eq!(resp.header("Connection"), Some("close"));
        assert!(resp.header("Date").is_some());
        assert!(conn.is_closed());
    }
    // A head that never ends is bounded.
    let mut conn = Conn::open(emu.addr());
    let mut big = b"DELETE /x HTTP/1.1\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 20_000));
    assert_eq!(conn.raw(&big).expect("an answer").status, 431);
    // The server is still fine.
    let resp = jumio_delete(&mut Conn::open(emu.addr()), "/api/netverify/v2/scans/x").expect("r");
    assert_eq!(resp.status, 404);
}

#[test]
fn admin_api_seeds_sets_faults_reports_and_resets() {
    let emu = emulator();
    let mut conn = Conn::open(emu.addr());
    let items = json!([
        {"vendor": "jumio", "product": "authentication", "reference": "a1"},
        {"vendor": "hyperverge", "product": "transaction", "reference": "h1"},
    ]);
    let resp = conn
        .send("POST /__emulator/seed", &[], items.to_string().as_bytes())
        .expect("seed");
    assert_eq!((resp.status, resp.json()), (200, json!({"seeded": 2})));

    // Invalid items are refused as a whole.
    for bad in [
        json!([{"vendor": "jumio", "product": "scan", "reference": "ok"},
               {"vendor": "jumio", "product": "selfie", "reference": "x"}]),
        json!([{"vendor": "jumio", "product": "scan", "reference": ""}]),
        json!({"vendor": "jumio"}),
    ] {
        let resp = conn
            .send("POST /__emulator/seed", &[], bad.to_string().as_bytes())
            .expect("seed");
        assert_eq!(resp.status, 400, "{bad}");
        assert!(resp.json()["error"].is_string());
    }
    assert_eq!(emu.stats().transactions_present, 2);

    let resp = jumio_delete(&mut conn, "/api/netverify/v2/authentications/a1").expect("r");
    assert_eq!(resp.status, 200);
    let stats = conn
        .send("GET /__emulator/stats", &[], b"")
        .expect("stats")
        .json();
    assert_eq!(stats["transactions_present"], 1);
    assert_eq!(stats["total_requests"], 1);
    assert_eq!(stats["connections_accepted"], 1);
    assert_eq!(stats["deletes_applied"], 1);
    assert_eq!(stats["requests"]["jumio/authentication"]["200"], 1);
    assert_eq!(
        stats["references"],
        json!([{"vendor":"jumio","product":"authentication","reference":"a1","applied":1,"not_found":0}])
    );
    assert_eq!(stats["faults"]["reset_after"], 0);

    let resp = conn
        .send("PUT /__emulator/faults", &[], br#"{"p500": 1, "seed": 9}"#)
        .expect("faults");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["p500"], 1.0);
    assert_eq!(emu.faults().seed, 9);
    let resp = conn
        .send("GET /__emulator/faults", &[], b"")
        .expect("faults");
    assert_eq!(resp.json()["seed"], 9);
    for bad in [&br#"{"p500": 2}"#[..], br#"{"p_500": 1}"#, b"nope"] {
        let resp = conn
            .send("PUT /__emulator/faults", &[], bad)
            .expect("faults");
        assert_eq!(resp.status, 400, "{}", String::from_utf8_lossy(bad));
    }
    assert_eq!(emu.faults().p500, 1.0);
    assert_eq!(
        hyperverge_delete(&mut conn, &hv_body("h1"))
            .expect("r")
            .status,
        500
    );
    emu.set_faults(Faults::default()).expect("faults");

    let resp = conn
        .send("POST /__emulator/reset", &[], b"")
        .expect("reset");
    assert_eq!((resp.status, resp.json()), (200, json!({"reset": true})));
    assert_eq!(emu.stats(), Default::default());
    assert_eq!(
        hyperverge_delete(&mut conn, &hv_body("h1"))
            .expect("r")
            .status,
        404
    );

    let resp = conn.send("GET /__emulator/seed", &[], b"").expect("r");
    assert_eq!((resp.status, resp.header("Allow")), (405, Some("POST")));
    let resp = conn.send("DELETE /__emulator/faults", &[], b"").expect("r");
    assert_eq!((resp.status, resp.header("Allow")), (405, Some("GET, PUT")));
    assert_eq!(
        conn.send("GET /__emulator/nothing", &[], b"")
            .expect("r")
            .status,
        404
    );
}

#[test]
fn library_seed_validates_everything_first() {
    let emu = emulator();
    let err = emu
        .seed(&[
            idv_delete_emulator::SeedItem::new("jumio", "scan", "fine"),
            idv_delete_emulator::SeedItem::new("acme", "scan", "x"),
        ])
        .expect_err("unknown vendor");
    assert!(err.to_string().contains("acme"));
    assert_eq!(emu.stats().transactions_present, 0);
    assert!(emu
        .set_faults(Faults {
            p429: -0.1,
            ..Faults::default()
        })
        .is_err());
    let invalid = Emulator::start(Config {
        faults: Faults {
            rate_limit: Some(-1.0),
            ..Faults::default()
        },
        ..Config::default()
    });
    assert_eq!(
        invalid.expect_err("invalid").kind(),
        std::io::ErrorKind::InvalidInput
    );
}

#[test]
fn shutdown_is_prompt_with_idle_and_sleeping_connections() {
    let emu = Emulator::start(Config {
        faults: Faults {
            latency_ms: 30_000,
            ..Faults::default()
        },
        ..Config::default()
    })
    .expect("start");
    let addr = emu.addr();
    // An idle keep-alive connection after one admin request.
    let mut idle = Conn::open(addr);
    assert_eq!(
        idle.send("GET /__emulator/stats", &[], b"")
            .expect("r")
            .status,
        200
    );
    // A connection whose request sleeps in the injected latency.
    let mut sleeping = TcpStream::connect(addr).expect("connect");
    sleeping
        .write_all(b"DELETE /api/netverify/v2/scans/x HTTP/1.1\r\n\r\n")
        .expect("write");
    std::thread::sleep(Duration::from_millis(100));

    let start = Instant::now();
    emu.shutdown();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(idle.is_closed());
    let mut rest = Vec::new();
    sleeping
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let _ = sleeping.read_to_end(&mut rest);
    assert!(rest.is_empty());
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
}

#[test]
fn drop_stops_the_server() {
    let addr = {
        let emu = emulator();
        let _idle = Conn::open(emu.addr());
        emu.addr()
    };
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn expect_continue_and_head_keep_the_connection_in_sync() {
    let emu = emulator();
    let mut conn = Conn::open(emu.addr());
    let body = json!([{"vendor": "jumio", "product": "scan", "reference": "e"}]).to_string();
    let head = format!(
        "POST /__emulator/seed HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    conn.stream.write_all(head.as_bytes()).expect("write head");
    let mut interim = [0u8; 25];
    conn.stream
        .read_exact(&mut interim)
        .expect("interim answer");
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    conn.stream.write_all(body.as_bytes()).expect("write body");
    assert_eq!(
        conn.read_response().expect("seeded").json(),
        json!({"seeded": 1})
    );

    // HEAD gets the head only (Content-Length of the body it would have).
    conn.stream
        .write_all(b"HEAD /api/netverify/v2/scans/e HTTP/1.1\r\n\r\n")
        .expect("write");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        conn.stream.read_exact(&mut byte).expect("head byte");
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 405"));
    let resp = jumio_delete(&mut conn, "/api/netverify/v2/scans/e").expect("r");
    assert_eq!(resp.status, 200);
}
