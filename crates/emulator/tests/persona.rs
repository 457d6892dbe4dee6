//! Persona: redactions of inquiries and accounts in JSON:API form, the
//! account's inquiries redacted later, refusals, and the rate limit with
//! its headers, over raw HTTP.

mod common;

/// Header lines of one request.
type Headers<'a> = Vec<(&'a str, &'a str)>;

use std::time::Duration;

use common::*;
use idv_delete_emulator::{Config, Emulator, SeedItem};

const KEY: (&str, &str) = ("Authorization", "Bearer emulator-persona-key");

fn emulator(config: Config) -> Emulator {
    Emulator::start(config).expect("start")
}

fn call(conn: &mut Conn, line: &str, headers: &[(&str, &str)]) -> Resp {
    conn.send(line, headers, b"").expect("response")
}

fn redacted_at(resp: &Resp) -> serde_json::Value {
    resp.json()["data"]["attributes"]["redacted-at"].clone()
}

#[test]
fn an_inquiry_is_redacted_at_once_and_stays_readable() {
    let emu = emulator(Config::default());
    emu.seed_one("persona", "inquiry", "inq_A1").expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = "/api/v1/inquiries/inq_A1";
    assert!(redacted_at(&call(&mut conn, &format!("GET {path}"), &[KEY])).is_null());

    let version = ("Persona-Version", "2023-01-05");
    let redacted = call(&mut conn, &format!("DELETE {path}"), &[KEY, version]);
    assert_eq!(redacted.status, 200, "{}", redacted.text());
    let data = &redacted.json()["data"];
    assert_eq!(
        (data["type"].as_str(), data["id"].as_str()),
        (Some("inquiry"), Some("inq_A1"))
    );
    assert_eq!(data["attributes"]["status"], "completed");
    let at = redacted_at(&redacted);
    assert!(at.as_str().is_some_and(|s| s.ends_with('Z')), "{at}");

    let read = call(&mut conn, &format!("GET {path}"), &[KEY]);
    assert_eq!(redacted_at(&read), at);
    // A repeat answers the object again, its redacted-at unchanged.
    let again = call(&mut conn, &format!("DELETE {path}"), &[KEY]);
    assert_eq!((again.status, redacted_at(&again)), (200, at));

    let stats = emu.stats();
    let counts = stats
        .reference("persona", "inquiry", "inq_A1")
        .expect("counted");
    assert_eq!((counts.applied, counts.repeated), (1, 1));
    assert_eq!(stats.api_versions["persona"]["2023-01-05"], 1);
}

#[test]
fn an_accounts_inquiries_are_redacted_after_the_children_delay() {
    let emu = emulator(Config {
        persona_children_delay: Duration::from_millis(600),
        ..Config::default()
    });
    emu.seed(&[
        SeedItem::new("persona", "inquiry", "act_B1/inq_B1"),
        SeedItem::new("persona", "inquiry", "act_B1/inq_B2"),
    ])
    .expect("seed");
    assert_eq!(emu.stats().transactions_present, 3);
    let mut conn = Conn::open(emu.addr());
    let account = call(&mut conn, "DELETE /api/v1/accounts/act_B1", &[KEY]);
    assert_eq!(account.status, 200, "{}", account.text());
    assert_eq!(account.json()["data"]["type"], "account");
    assert!(redacted_at(&account).is_string());
    assert_eq!(emu.stats().erasures_pending, 3);

    let child = call(&mut conn, "GET /api/v1/inquiries/inq_B1", &[KEY]);
    assert_eq!(child.status, 200);
    assert!(redacted_at(&child).is_null(), "not yet: {}", child.text());
    // Redacting a child directly shows it redacted at once.
    let direct = call(&mut conn, "DELETE /api/v1/inquiries/inq_B2", &[KEY]);
    assert!(redacted_at(&direct).is_string());

    std::thread::sleep(Duration::from_millis(700));
    let child = call(&mut conn, "GET /api/v1/inquiries/inq_B1", &[KEY]);
    assert!(redacted_at(&child).is_string(), "{}", child.text());
    let stats = emu.stats();
    assert_eq!((stats.erasures_pending, stats.transactions_present), (0, 0));
    // The cascade is not an applied delete of the inquiries.
    assert_eq!(stats.deletes_applied, 1);
}

#[test]
fn refusals_have_the_documented_shape() {
    let emu = emulator(Config::default());
    emu.seed(&[
        SeedItem::new("persona", "inquiry", "inq_P").with_state("pending"),
        SeedItem::new("persona", "account", "act_C"),
    ])
    .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let cases: Vec<(&str, Headers, u16)> = vec![
        ("DELETE /api/v1/accounts/act_C", vec![], 401),
        (
            "DELETE /api/v1/accounts/act_C",
            vec![("Authorization", "Bearer nope")],
            401,
        ),
        (
            "DELETE /api/v1/accounts/act_C",
            vec![("Authorization", "Bearer emulator-persona-read-only-key")],
            403,
        ),
        (
            "DELETE /api/v1/accounts/act_C",
            vec![KEY, ("Persona-Version", "1999-01-01")],
            422,
        ),
        ("DELETE /api/v1/inquiries/inq_P", vec![KEY], 409),
        ("DELETE /api/v1/inquiries/inq_nothing", vec![KEY], 404),
        ("GET /api/v1/accounts/act_nothing", vec![KEY], 404),
    ];
    for (line, headers, status) in cases {
        let resp = call(&mut conn, line, &headers);
        assert_eq!(resp.status, status, "{line} {headers:?}: {}", resp.text());
        let error = &resp.json()["errors"][0];
        assert!(
            error["title"].is_string() && error["details"].is_string(),
            "{}",
            resp.text()
        );
        assert!(!resp.text().contains("emulator-persona"));
    }
    // The read-only key may read.
    let read_only = ("Authorization", "Bearer emulator-persona-read-only-key");
    assert_eq!(
        call(&mut conn, "GET /api/v1/accounts/act_C", &[read_only]).status,
        200
    );
    let counts = emu.stats();
    let counts = counts
        .reference("persona", "inquiry", "inq_P")
        .expect("counted");
    assert_eq!((counts.refused, counts.applied), (1, 0));
    // Once completed, the inquiry can be redacted.
    emu.seed(&[SeedItem::new("persona", "inquiry", "inq_P")])
        .expect("seed");
    assert_eq!(
        call(&mut conn, "DELETE /api/v1/inquiries/inq_P", &[KEY]).status,
        200
    );
}

#[test]
fn the_rate_limit_counts_every_request_and_says_so_in_headers() {
    let emu = emulator(Config {
        persona_rate_limit: Some(3),
        ..Config::default()
    });
    emu.seed_one("persona", "inquiry", "inq_R").expect("seed");
    let mut conn = Conn::open(emu.addr());
    let mut remaining = Vec::new();
    for line in [
        "GET /api/v1/inquiries/inq_R",
        "DELETE /api/v1/inquiries/inq_R",
        "DELETE /api/v1/inquiries/inq_none",
        "DELETE /api/v1/inquiries/inq_R",
    ] {
        let resp = call(&mut conn, line, &[KEY]);
        assert_eq!(resp.header("ratelimit-limit"), Some("3"), "{line}");
        let reset: u64 = resp
            .header("ratelimit-reset")
            .expect("reset")
            .parse()
            .expect("secs");
        assert!((1..=60).contains(&reset), "{reset}");
        remaining.push((
            resp.status,
            resp.header("ratelimit-remaining").map(str::to_owned),
        ));
    }
    let expected = [(200, "2"), (200, "1"), (404, "0"), (429, "0")];
    for ((status, left), (want_status, want_left)) in remaining.iter().zip(expected) {
        assert_eq!((*status, left.as_deref()), (want_status, Some(want_left)));
    }
    let limited = call(&mut conn, "GET /api/v1/inquiries/inq_R", &[KEY]);
    assert_eq!(limited.status, 429);
    assert!(limited.header("Retry-After").is_some());
    assert_eq!(limited.json()["errors"][0]["title"], "Too Many Requests");
}
