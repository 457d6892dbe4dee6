//! The Jumio Platform: OAuth2 tokens, account and workflow deletes, token
//! expiry and revocation, over raw HTTP.

mod common;

use std::time::Duration;

use clap::Parser;
use common::*;
use idv_delete_emulator::{cli, Config, Emulator, Faults};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn emulator(config: Config) -> Emulator {
    Emulator::start(config).expect("start")
}

/// A token request with these credentials, content type and body.
fn token_request(conn: &mut Conn, auth: &str, content_type: &str, body: &str) -> Resp {
    conn.send(
        "POST /oauth2/token",
        &[
            ("Authorization", auth),
            ("Accept", "application/json"),
            ("Content-Type", content_type),
        ],
        body.as_bytes(),
    )
    .expect("token response")
}

/// A new token with the default credentials.
fn token(conn: &mut Conn) -> String {
    let auth = basic("emulator-client-id", "emulator-client-secret");
    let resp = token_request(conn, &auth, FORM.1, "grant_type=client_credentials");
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.json()["access_token"]
        .as_str()
        .expect("a string token")
        .to_owned()
}

/// A delete with every header right and this bearer token.
fn delete(conn: &mut Conn, path: &str, token: &str) -> Resp {
    conn.send(
        &format!("DELETE {path}"),
        &[
            ("User-Agent", "Acme KYC-Cleaner/1.0"),
            ("Accept", "application/json"),
            ("Authorization", &format!("Bearer {token}")),
        ],
        b"",
    )
    .expect("delete response")
}

const ACCOUNT: &str = "0e4b1c2a-7f3d-4c51-9a8e-1234567890ab";
const WF1: &str = "11111111-2222-4333-8444-555555555555";
const WF2: &str = "66666666-7777-4888-9999-aaaaaaaaaaaa";

fn account_path(account: &str) -> String {
    format!("/api/v1/accounts/{account}")
}

fn workflow_path(account: &str, workflow: &str) -> String {
    format!("/api/v1/accounts/{account}/workflow-executions/{workflow}")
}

#[test]
fn a_token_deletes_a_workflow_then_its_account_with_the_rest() {
    let emu = emulator(Config::default());
    let mut conn = Conn::open(emu.addr());
    let auth = basic("emulator-client-id", "emulator-client-secret");
    let resp = token_request(&mut conn, &auth, FORM.1, "grant_type=client_credentials");
    assert_eq!(resp.status, 200);
    assert!(resp
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("application/json")));
    let body = resp.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().expect("token").to_owned();
    assert!(token.len() >= 32, "{token}");
    assert_ne!(token, self::token(&mut conn), "tokens are unique");

    for workflow in [WF1, WF2] {
        emu.seed_one(
            "jumio-platform",
            "workflow",
            &format!("{ACCOUNT}/{workflow}"),
        )
        .expect("seed");
    }
    assert_eq!(
        emu.stats().transactions_present,
        3,
        "an account, two workflows"
    );

    let first = delete(&mut conn, &workflow_path(ACCOUNT, WF1), &token);
    assert_eq!(first.status, 200);
    assert!(first.body.is_empty());
    assert_eq!(first.header("Content-Length"), Some("0"));
    let again = delete(&mut conn, &workflow_path(ACCOUNT, WF1), &token);
    assert_eq!(again.status, 404);
    assert!(
        again.text().contains("workflow execution"),
        "{}",
        again.text()
    );
    assert_eq!(emu.stats().transactions_present, 2, "the account stays");

    assert_eq!(
        delete(&mut conn, &account_path(ACCOUNT), &token).status,
        200
    );
    let gone = delete(&mut conn, &workflow_path(ACCOUNT, WF2), &token);
    assert_eq!(gone.status, 404, "deleted with its account");
    assert_eq!(
        delete(&mut conn, &account_path(ACCOUNT), &token).status,
        404
    );

    let stats = emu.stats();
    assert_eq!(stats.transactions_present, 0);
    let counts = |product, reference: &str| {
        stats
            .reference("jumio-platform", product, reference)
            .map(|r| (r.applied, r.not_found))
    };
    assert_eq!(
        counts("workflow", &format!("{ACCOUNT}/{WF1}")),
        Some((1, 1))
    );
    assert_eq!(
        counts("workflow", &format!("{ACCOUNT}/{WF2}")),
        Some((0, 1))
    );
    assert_eq!(counts("account", ACCOUNT), Some((1, 1)));
    assert_eq!((stats.deletes_applied, stats.deletes_not_found), (2, 3));
    assert_eq!(stats.requests["jumio-platform/workflow"][&200], 1);
    assert_eq!(stats.requests["jumio-platform/workflow"][&404], 2);
    assert_eq!(stats.requests["jumio-platform/account"][&404], 1);
    assert_eq!(stats.requests["jumio-platform/token"][&200], 2);
    assert_eq!((stats.token_requests, stats.tokens_issued), (2, 2));
    assert_eq!(stats.total_requests, 7);
}

#[test]
fn token_route_checks_credentials_form_and_method() {
    let emu = emulator(Config {
        jumio_client_id: "id".into(),
        jumio_client_secret: "se:cret".into(),
        token_rate_limit: None,
        ..Config::default()
    });
    let mut conn = Conn::open(emu.addr());
    let good = basic("id", "se:cret");
    let grant = "grant_type=client_credentials";
    let cases = [
        (basic("id", "wrong"), FORM.1, grant, 401, "invalid_client"),
        (
            basic("emulator-client-id", "emulator-client-secret"),
            FORM.1,
            grant,
            401,
            "invalid_client",
        ),
        ("Bearer x".to_owned(), FORM.1, grant, 401, "invalid_client"),
        (
            good.clone(),
            "application/json",
            grant,
            400,
            "invalid_request",
        ),
        (good.clone(), FORM.1, "scope=all", 400, "invalid_request"),
        (
            good.clone(),
            FORM.1,
            "grant_type=a&grant_type=b",
            400,
            "invalid_request",
        ),
        (
            good.clone(),
            FORM.1,
            "grant_type=%zz",
            400,
            "invalid_request",
        ),
        (
            good.clone(),
            FORM.1,
            "grant_type=password",
            400,
            "unsupported_grant_type",
        ),
    ];
    for (auth, content_type, body, status, error) in &cases {
        let resp = token_request(&mut conn, auth, content_type, body);
        assert_eq!(resp.status, *status, "{auth} {content_type} {body}");
        assert_eq!(resp.json()["error"], *error, "{body}");
        assert!(resp.json()["error_description"].is_string());
        assert!(!resp.text().contains("se:cret"), "no secret echoed");
        let challenge = resp.header("WWW-Authenticate");
        assert_eq!(challenge.is_some(), *status == 401, "{challenge:?}");
    }
    // Other parameters in any order, and a charset, are fine.
    let resp = token_request(
        &mut conn,
        &good,
        "application/x-www-form-urlencoded; charset=utf-8",
        "scope=a+b&grant_type=client_credentials",
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let get = conn.send("GET /oauth2/token", &[], b"").expect("r");
    assert_eq!((get.status, get.header("Allow")), (405, Some("POST")));

    let stats = emu.stats();
    assert_eq!(stats.token_requests, cases.len() as u64 + 2);
    assert_eq!(stats.token_refused, cases.len() as u64);
    assert_eq!((stats.tokens_issued, stats.token_rate_limited), (1, 0));
    assert_eq!(stats.requests["jumio-platform/token"][&405], 1);
}

#[test]
fn token_route_allows_ten_requests_per_second() {
    let emu = emulator(Config::default());
    let mut conn = Conn::open(emu.addr());
    // Fifteen requests pipelined in one write, so they arrive well within a
    // second even on a loaded machine.
    let auth = basic("emulator-client-id", "emulator-client-secret");
    let body = "grant_type=client_credentials";
    let one = format!(
        "POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
         Content-Type: {}\r\nContent-Length: {}\r\n\r\n{body}",
        FORM.1,
        body.len()
    );
    std::io::Write::write_all(&mut conn.stream, one.repeat(15).as_bytes()).expect("write");
    let mut limited = 0;
    for _ in 0..15 {
        let resp = conn.read_response().expect("response");
        match resp.status {
            200 => {}
            429 => {
                limited += 1;
                assert_eq!(resp.header("Retry-After"), Some("1"));
                assert_eq!(resp.json()["error"], "too_many_requests");
            }
            other => panic!("unexpected {other}: {}", resp.text()),
        }
    }
    let stats = emu.stats();
    assert!((1..=5).contains(&limited), "{limited} of 15 limited");
    assert_eq!(stats.token_rate_limited, limited);
    assert_eq!(stats.tokens_issued, 15 - limited);
    assert_eq!(stats.token_requests, 15);
}

#[test]
fn delete_checks_headers_then_bearer_then_existence() {
    let emu = emulator(Config::default());
    let mut conn = Conn::open(emu.addr());
    let token = token(&mut conn);
    emu.seed_one("jumio-platform", "workflow", &format!("{ACCOUNT}/{WF1}"))
        .expect("seed");
    let path = format!("DELETE {}", account_path(ACCOUNT));
    let bearer = format!("Bearer {token}");
    let legacy = basic("emulator-token", "emulator-secret");
    type Headers<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Headers, u16, &str)> = vec![
        (
            vec![("Accept", "application/json"), ("Authorization", &bearer)],
            403,
            "User-Agent",
        ),
        (
            vec![
                ("User-Agent", "A/1"),
                ("Accept", "text/html"),
                ("Authorization", &bearer),
            ],
            403,
            "Accept",
        ),
        (
            vec![("User-Agent", "A/1"), ("Accept", "application/json")],
            403,
            "OAuth2",
        ),
        (
            vec![
                ("User-Agent", "A/1"),
                ("Accept", "application/json"),
                ("Authorization", &legacy),
            ],
            403,
            "OAuth2",
        ),
        (
            vec![
                ("User-Agent", "A/1"),
                ("Accept", "application/json"),
                ("Authorization", "Bearer not-issued"),
            ],
            401,
            "invalid_token",
        ),
    ];
    for (headers, status, needle) in &cases {
        let resp = conn.send(&path, headers, b"").expect("response");
        assert_eq!(resp.status, *status, "{headers:?}");
        assert!(resp.text().contains(needle), "{}", resp.text());
    }
    // Nothing was deleted by the refused requests.
    assert_eq!(emu.stats().transactions_present, 2);
    let not_found = [
        workflow_path("unknown-account", WF1),
        workflow_path(ACCOUNT, WF2),
        account_path("unknown-account"),
    ];
    for path in &not_found {
        assert_eq!(delete(&mut conn, path, &token).status, 404, "{path}");
    }
    let post = conn
        .send(&format!("POST {}", account_path(ACCOUNT)), &[], b"")
        .expect("r");
    assert_eq!((post.status, post.header("Allow")), (405, Some("DELETE")));
    let odd = delete(
        &mut conn,
        &format!("{}/other/x", account_path(ACCOUNT)),
        &token,
    );
    assert_eq!(odd.status, 404);
    assert_eq!(emu.stats().transactions_present, 2);
}

#[test]
fn expired_and_revoked_tokens_get_401_and_new_ones_work() {
    let emu = emulator(Config {
        token_lifetime: Duration::from_secs(1),
        ..Config::default()
    });
    let mut conn = Conn::open(emu.addr());
    let auth = basic("emulator-client-id", "emulator-client-secret");
    let resp = token_request(&mut conn, &auth, FORM.1, "grant_type=client_credentials");
    assert_eq!(resp.json()["expires_in"], 1);
    let old = resp.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let path = account_path(ACCOUNT);
    assert_eq!(
        delete(&mut conn, &path, &old).status,
        404,
        "valid, not seeded"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let expired = delete(&mut conn, &path, &old);
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["error"], "invalid_token");
    assert_eq!(
        expired.header("WWW-Authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );

    // Revocation, mid-way through a series of deletes.
    let emu = emulator(Config::default());
    let mut conn = Conn::open(emu.addr());
    for account in ["acc-1", "acc-2", "acc-3"] {
        emu.seed_one("jumio-platform", "account", account)
            .expect("seed");
    }
    let first = token(&mut conn);
    let second = token(&mut conn);
    assert_eq!(
        delete(&mut conn, &account_path("acc-1"), &first).status,
        200
    );
    assert_eq!(emu.revoke_tokens(), 2);
    assert_eq!(
        delete(&mut conn, &account_path("acc-2"), &second).status,
        401
    );
    let fresh = token(&mut conn);
    assert_eq!(
        delete(&mut conn, &account_path("acc-2"), &fresh).status,
        200
    );
    let revoked = conn
        .send("POST /__emulator/tokens/revoke", &[], b"")
        .expect("r");
    assert_eq!(revoked.json(), serde_json::json!({"revoked": 1}));
    assert_eq!(
        delete(&mut conn, &account_path("acc-3"), &fresh).status,
        401
    );
    let get = conn
        .send("GET /__emulator/tokens/revoke", &[], b"")
        .expect("r");
    assert_eq!(get.status, 405);
    let stats = emu.stats();
    assert_eq!(stats.transactions_present, 1, "acc-3 is left");
    assert_eq!(stats.requests["jumio-platform/account"][&401], 2);
    // A reset forgets counters, not tokens.
    let kept = token(&mut conn);
    emu.reset();
    assert_eq!(delete(&mut conn, &account_path("acc-3"), &kept).status, 404);
}

#[test]
fn faults_apply_to_deletes_and_token_faults_to_the_token_route_only() {
    let emu = emulator(Config {
        faults: Faults {
            token_p503: 1.0,
            ..Faults::default()
        },
        ..Config::default()
    });
    let mut conn = Conn::open(emu.addr());
    let auth = basic("emulator-client-id", "emulator-client-secret");
    let resp = token_request(&mut conn, &auth, FORM.1, "grant_type=client_credentials");
    assert_eq!(resp.status, 503);
    assert_eq!(resp.json()["error"], "temporarily_unavailable");
    let stats = emu.stats();
    assert_eq!((stats.token_requests, stats.tokens_issued), (1, 0));
    assert_eq!(stats.faults.status, 1);

    emu.set_faults(Faults {
        p500: 1.0,
        ..Faults::default()
    })
    .expect("faults");
    let token = token(&mut conn);
    emu.seed_one("jumio-platform", "account", ACCOUNT)
        .expect("seed");
    assert_eq!(
        delete(&mut conn, &account_path(ACCOUNT), &token).status,
        500
    );
    assert_eq!(emu.stats().transactions_present, 1, "not deleted");
    assert_eq!(emu.stats().faults.status, 2);
}

#[test]
fn the_retrieval_rate_limit_answers_429() {
    let emu = emulator(Config {
        retrieval_rate_limit: Some(1.0),
        ..Config::default()
    });
    let mut conn = Conn::open(emu.addr());
    let token = token(&mut conn);
    assert_eq!(delete(&mut conn, &account_path("a"), &token).status, 404);
    let limited = delete(&mut conn, &account_path("a"), &token);
    assert_eq!(
        (limited.status, limited.header("Retry-After")),
        (429, Some("1"))
    );
    assert_eq!(emu.stats().faults.rate_limited, 1);
}

#[test]
fn seeding_and_configuration_are_validated() {
    let emu = emulator(Config::default());
    let mut conn = Conn::open(emu.addr());
    let body = r#"[{"vendor":"jumio-platform","product":"workflow","reference":"a/b"}]"#;
    let seeded = conn
        .send("POST /__emulator/seed", &[], body.as_bytes())
        .expect("r");
    assert_eq!(seeded.json(), serde_json::json!({"seeded": 1}));
    assert_eq!(
        emu.stats().transactions_present,
        2,
        "the workflow and its account"
    );
    for reference in ["a/b/c", "a/", "a"] {
        let err = emu
            .seed_one("jumio-platform", "workflow", reference)
            .expect_err(reference);
        assert!(err.to_string().contains("ACCOUNT_ID/WORKFLOW_ID"), "{err}");
    }
    assert!(emu.seed_one("jumio-platform", "account", "a/b").is_err());

    for config in [
        Config {
            token_lifetime: Duration::from_millis(999),
            ..Config::default()
        },
        Config {
            token_rate_limit: Some(0.0),
            ..Config::default()
        },
        Config {
            retrieval_rate_limit: Some(f64::NAN),
            ..Config::default()
        },
    ] {
        let err = Emulator::start(config).expect_err("invalid");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: cli::Args,
}

#[test]
fn command_line_flags_make_the_configuration() {
    let parse = |args: &[&str]| {
        Cli::try_parse_from([&["emulator"], args].concat()).map(|cli| cli.args.config())
    };
    let default = parse(&[]).expect("defaults");
    assert_eq!(default.token_lifetime, Duration::from_secs(3600));
    assert_eq!(default.token_rate_limit, Some(10.0));
    assert_eq!(default.retrieval_rate_limit, None);
    let config = parse(&[
        "--jumio-client-id",
        "cid",
        "--jumio-client-secret",
        "cs",
        "--token-lifetime",
        "5",
        "--no-token-rate-limit",
        "--retrieval-rate-limit",
        "15",
        "--token-p500",
        "0.5",
    ])
    .expect("valid");
    assert_eq!(
        (
            config.jumio_client_id.as_str(),
            config.jumio_client_secret.as_str()
        ),
        ("cid", "cs")
    );
    assert_eq!(config.token_lifetime, Duration::from_secs(5));
    assert_eq!(config.token_rate_limit, None);
    assert_eq!(config.retrieval_rate_limit, Some(15.0));
    assert_eq!(config.faults.token_p500, 0.5);
    let limited = parse(&["--token-rate-limit", "2.5"]).expect("valid");
    assert_eq!(limited.token_rate_limit, Some(2.5));
    assert!(parse(&["--token-lifetime", "0"]).is_err());
    assert!(parse(&["--token-lifetime", "1.5"]).is_err());
}
