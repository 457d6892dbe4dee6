//! Veriff: the signed delete, sessions not completed, the endpoint left
//! disabled, and the two sliding windows scaled down to seconds.

mod common;

/// Header lines of one request.
type Headers<'a> = Vec<(&'a str, &'a str)>;

use std::time::{Duration, Instant};

use common::*;
use hmac::{Hmac, Mac};
use idv_delete_emulator::{Config, Emulator, SeedItem};
use sha2::Sha256;

/// A session id and its signature with the default shared secret,
/// computed with Python's `hmac` module:
/// `hmac.new(b"emulator-veriff-secret", ID.encode(), hashlib.sha256).hexdigest()`.
const ID: &str = "5e3d1f0a-8c1b-4b7e-9d2a-0c6f1e2d3b4a";
const ID_SIGNATURE: &str = "7131e2433d4e92212054434d22e854321120da2b3bf0d4a7d90418fcd160153f";

fn emulator(config: Config) -> Emulator {
    Emulator::start(config).expect("start")
}

fn signature(id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(b"emulator-veriff-secret").expect("any key");
    mac.update(id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn delete_with(conn: &mut Conn, id: &str, headers: &[(&str, &str)]) -> Resp {
    conn.send(&format!("DELETE /v1/sessions/{id}"), headers, b"")
        .expect("response")
}

fn delete(conn: &mut Conn, id: &str) -> Resp {
    let signature = signature(id);
    delete_with(
        conn,
        id,
        &[
            ("X-AUTH-CLIENT", "emulator-veriff-key"),
            ("X-HMAC-SIGNATURE", &signature),
            ("Content-Type", "application/json"),
        ],
    )
}

#[test]
fn a_signed_delete_removes_the_session_at_once() {
    assert_eq!(signature(ID), ID_SIGNATURE);
    let emu = emulator(Config::default());
    emu.seed_one("veriff", "session", ID).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let ok = delete_with(
        &mut conn,
        ID,
        &[
            ("X-AUTH-CLIENT", "emulator-veriff-key"),
            ("X-HMAC-SIGNATURE", ID_SIGNATURE),
            ("Content-Type", "application/json"),
        ],
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(
        ok.json(),
        serde_json::json!({ "status": "success", "verification": { "id": ID } })
    );
    let again = delete(&mut conn, ID);
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["status"], "fail");
    let stats = emu.stats();
    let counts = stats.reference("veriff", "session", ID).expect("counted");
    assert_eq!((counts.applied, counts.not_found), (1, 1));
    assert_eq!(stats.transactions_present, 0);
}

#[test]
fn keys_signatures_and_content_type_are_checked() {
    let emu = emulator(Config::default());
    emu.seed_one("veriff", "session", ID).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let upper = ID_SIGNATURE.to_uppercase();
    let other = signature("another-session");
    let json = ("Content-Type", "application/json");
    let key = ("X-AUTH-CLIENT", "emulator-veriff-key");
    let cases: Vec<(Headers, u16, Option<&str>)> = vec![
        (
            vec![("X-HMAC-SIGNATURE", ID_SIGNATURE), json],
            401,
            Some("1801"),
        ),
        (
            vec![
                ("X-AUTH-CLIENT", "wrong"),
                ("X-HMAC-SIGNATURE", ID_SIGNATURE),
                json,
            ],
            401,
            Some("1803"),
        ),
        (vec![key, json], 401, Some("1812")),
        (
            vec![key, ("X-HMAC-SIGNATURE", &upper), json],
            401,
            Some("1812"),
        ),
        (
            vec![key, ("X-HMAC-SIGNATURE", "abc"), json],
            401,
            Some("1812"),
        ),
        (
            vec![key, ("X-HMAC-SIGNATURE", &other), json],
            401,
            Some("1818"),
        ),
        (vec![key, ("X-HMAC-SIGNATURE", ID_SIGNATURE)], 400, None),
    ];
    for (headers, status, code) in cases {
        let resp = delete_with(&mut conn, ID, &headers);
        assert_eq!(resp.status, status, "{headers:?}: {}", resp.text());
        assert_eq!(resp.json()["status"], "fail");
        assert_eq!(resp.json()["code"].as_str(), code, "{headers:?}");
        assert!(!resp.text().contains("emulator-veriff-secret"));
    }
    assert_eq!(emu.stats().transactions_present, 1);
    assert_eq!(delete(&mut conn, ID).status, 200);
}

#[test]
fn sessions_not_completed_are_refused_with_their_codes() {
    let emu = emulator(Config::default());
    emu.seed(&[
        SeedItem::new("veriff", "session", "s-started").with_state("in_progress"),
        SeedItem::new("veriff", "session", "s-submitted").with_state("submitted"),
    ])
    .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let started = delete(&mut conn, "s-started");
    assert_eq!(started.status, 400);
    assert_eq!(
        started.json(),
        serde_json::json!({ "status": 400, "code": "1305",
                            "message": "Session is not in a completed status." })
    );
    assert_eq!(delete(&mut conn, "s-submitted").json()["code"], "1306");
    // Once completed (seeded again in its new state), it can be deleted.
    emu.seed(&[SeedItem::new("veriff", "session", "s-started")])
        .expect("seed");
    assert_eq!(delete(&mut conn, "s-started").status, 200);
    let stats = emu.stats();
    let counts = stats
        .reference("veriff", "session", "s-started")
        .expect("counted");
    assert_eq!((counts.refused, counts.applied), (1, 1));
}

#[test]
fn a_disabled_endpoint_answers_403() {
    let emu = emulator(Config {
        veriff_delete_enabled: false,
        ..Config::default()
    });
    emu.seed_one("veriff", "session", ID).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let resp = delete(&mut conn, ID);
    assert_eq!(resp.status, 403);
    assert!(resp.json()["message"]
        .as_str()
        .expect("message")
        .contains("enable"));
    assert_eq!(emu.stats().transactions_present, 1);
}

#[test]
fn both_sliding_windows_hold() {
    // 2 per 0.5 s and 3 per 1.5 s, so the test runs in about 1.6 s.
    let emu = emulator(Config {
        veriff_windows: vec![
            (2, Duration::from_millis(500)),
            (3, Duration::from_millis(1500)),
        ],
        ..Config::default()
    });
    let ids: Vec<String> = (0..5).map(|i| format!("session-{i}")).collect();
    let items: Vec<SeedItem> = ids
        .iter()
        .map(|id| SeedItem::new("veriff", "session", id))
        .collect();
    emu.seed(&items).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let start = Instant::now();
    assert_eq!(delete(&mut conn, &ids[0]).status, 200);
    assert_eq!(delete(&mut conn, &ids[1]).status, 200);
    // The short window is full; a refused or missing session does not count.
    let limited = delete(&mut conn, &ids[2]);
    assert_eq!(limited.status, 429);
    assert!(limited.json()["message"]
        .as_str()
        .expect("message")
        .contains("2 session deletions"));
    assert_eq!(limited.header("Retry-After"), None);
    std::thread::sleep(Duration::from_millis(550).saturating_sub(start.elapsed()));
    assert_eq!(delete(&mut conn, &ids[2]).status, 200);
    // Three in the long window: refused until 1.5 s after the first.
    let long = delete(&mut conn, &ids[3]);
    assert_eq!(long.status, 429);
    assert!(long.json()["message"]
        .as_str()
        .expect("message")
        .contains("3 session deletions"));
    std::thread::sleep(Duration::from_millis(1050).saturating_sub(start.elapsed()));
    assert_eq!(
        delete(&mut conn, &ids[3]).status,
        429,
        "still 3 within 1.5 s"
    );
    std::thread::sleep(Duration::from_millis(1550).saturating_sub(start.elapsed()));
    assert_eq!(delete(&mut conn, &ids[3]).status, 200);
    let stats = emu.stats();
    assert_eq!(stats.requests["veriff/session"][&200], 4);
    assert_eq!(stats.requests["veriff/session"][&429], 3);
}

/// The emulator's options as a command of their own.
#[derive(clap::Parser)]
struct Cli {
    #[command(flatten)]
    args: idv_delete_emulator::cli::Args,
}

#[test]
fn command_line_flags_make_the_later_vendors_configuration() {
    use clap::Parser;
    let parse = |args: &[&str]| {
        Cli::try_parse_from([&["emulator"], args].concat()).map(|cli| cli.args.config())
    };
    let default = parse(&[]).expect("defaults");
    assert_eq!(
        default.veriff_windows,
        idv_delete_emulator::DEFAULT_VERIFF_WINDOWS.to_vec()
    );
    assert_eq!(
        default.onfido_deletion_delay,
        Duration::from_secs(20 * 86_400)
    );
    assert_eq!(
        default.stripe_redaction_delay,
        Duration::from_secs(4 * 86_400)
    );
    assert_eq!(
        (default.persona_rate_limit, default.stripe_rate_limit),
        (Some(300), Some(25.0))
    );
    assert!(default.veriff_delete_enabled);
    let config = parse(&[
        "--veriff-window",
        "5/2",
        "--veriff-window",
        "10/10",
        "--veriff-delete-disabled",
        "--onfido-deletion-delay",
        "1.5",
        "--persona-children-delay",
        "0",
        "--no-persona-rate-limit",
        "--stripe-rate-limit",
        "3",
        "--veriff-shared-secret",
        "s3",
    ])
    .expect("valid");
    assert_eq!(
        config.veriff_windows,
        [(5, Duration::from_secs(2)), (10, Duration::from_secs(10))]
    );
    assert!(!config.veriff_delete_enabled);
    assert_eq!(config.onfido_deletion_delay, Duration::from_millis(1500));
    assert_eq!(config.persona_children_delay, Duration::ZERO);
    assert_eq!(
        (config.persona_rate_limit, config.stripe_rate_limit),
        (None, Some(3.0))
    );
    assert_eq!(config.veriff_shared_secret, "s3");
    assert!(parse(&["--no-veriff-limit"])
        .expect("valid")
        .veriff_windows
        .is_empty());
    for bad in [
        &["--veriff-window", "5"][..],
        &["--veriff-window", "0/10"],
        &["--veriff-window", "5/-1"],
        &["--onfido-deletion-delay", "soon"],
        &["--persona-rate-limit", "0"],
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}
