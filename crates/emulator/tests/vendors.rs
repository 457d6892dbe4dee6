//! Every documented response shape and check of both vendors, over raw HTTP.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::*;
use idv_delete_emulator::{Config, Emulator};

fn emulator() -> Emulator {
    Emulator::start(Config::default()).expect("start")
}

#[test]
fn jumio_delete_is_200_then_404_for_every_product() {
    let emu = emulator();
    let mut conn = Conn::open(emu.addr());
    for (product, path) in JUMIO_PATHS {
        let reference = format!("{product}-0e4b1c2a-7f3d-4c51-9a8e-1234567890ab");
        emu.seed_one("jumio", product, &reference).expect("seed");
        let first = jumio_delete(&mut conn, &format!("{path}{reference}")).expect("first");
        assert_eq!(first.status, 200, "{product}");
        assert!(first.body.is_empty());
        assert!(first.header("Date").is_some());
        assert_eq!(first.header("Content-Length"), Some("0"));
        let second = jumio_delete(&mut conn, &format!("{path}{reference}")).expect("second");
        assert_eq!(second.status, 404, "{product}");
        assert!(second.text().starts_with("Not Found"));
        let counts = emu.stats();
        let counts = counts
            .reference("jumio", product, &reference)
            .expect("counted");
        assert_eq!((counts.applied, counts.not_found), (1, 1));
    }
    // A reference seeded for one product does not exist for another.
    emu.seed_one("jumio", "scan", "shared-ref").expect("seed");
    let other = jumio_delete(&mut conn, "/api/netverify/v2/documents/shared-ref").expect("doc");
    assert_eq!(other.status, 404);
    let scan = jumio_delete(&mut conn, "/api/netverify/v2/scans/shared-ref").expect("scan");
    assert_eq!(scan.status, 200);
    let stats = emu.stats();
    assert_eq!(stats.requests["jumio/scan"][&200], 2);
    assert_eq!(stats.requests["jumio/document"][&404], 2);
    assert_eq!(stats.total_requests, 8);
}

#[test]
fn jumio_header_and_credential_checks() {
    let emu = emulator();
    emu.seed_one("jumio", "scan", "r1").expect("seed");
    let path = "DELETE /api/netverify/v2/scans/r1";
    let good_auth = basic("emulator-token", "emulator-secret");
    type Headers<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Headers, u16, &str)> = vec![
        (
            vec![
                ("Accept", "application/json"),
                ("Authorization", &good_auth),
            ],
            403,
            "User-Agent",
        ),
        (
            vec![
                ("User-Agent", ""),
                ("Accept", "application/json"),
                ("Authorization", &good_auth),
            ],
            403,
            "User-Agent",
        ),
        (
            vec![("User-Agent", "Acme/1"), ("Authorization", &good_auth)],
            403,
            "Accept",
        ),
        (
            vec![
                ("User-Agent", "Acme/1"),
                ("Accept", "text/html"),
                ("Authorization", &good_auth),
            ],
            403,
            "Accept",
        ),
        (
            vec![("User-Agent", "Acme/1"), ("Accept", "application/json")],
            401,
            "Unauthorized",
        ),
        (
            vec![
                ("User-Agent", "Acme/1"),
                ("Accept", "application/json"),
                ("Authorization", "Basic ZW11bGF0b3ItdG9rZW46d3Jvbmc="),
            ],
            401,
            "Unauthorized",
        ),
        (
            vec![
                ("User-Agent", "Acme/1"),
                ("Accept", "application/json"),
                ("Authorization", "Bearer emulator-token"),
            ],
            401,
            "Unauthorized",
        ),
    ];
    let mut conn = Conn::open(emu.addr());
    for (headers, status, needle) in &cases {
        let resp = conn.send(path, headers, b"").expect("response");
        assert_eq!(resp.status, *status, "{headers:?}");
        assert!(resp.text().contains(needle), "{}", resp.text());
        assert!(resp
            .header("Content-Type")
            .is_some_and(|ct| ct.starts_with("text/plain")));
    }
    // Nothing was deleted by the refused requests; a wildcard Accept is fine.
    let resp = conn
        .send(
            path,
            &[
                ("User-Agent", "Acme/1"),
                ("Accept", "*/*"),
                ("Authorization", &good_auth),
            ],
            b"",
        )
        .expect("response");
    assert_eq!(resp.status, 200);
}

#[test]
fn custom_credentials_are_the_only_ones_accepted() {
    let emu = Emulator::start(Config {
        jumio_token: "t".into(),
        jumio_secret: "s:with:colons".into(),
        hyperverge_app_id: "id".into(),
        hyperverge_app_key: "key".into(),
        ..Config::default()
    })
    .expect("start");
    let mut conn = Conn::open(emu.addr());
    assert_eq!(
        jumio_delete(&mut conn, "/api/netverify/v2/scans/x")
            .expect("r")
            .status,
        401
    );
    let auth = basic("t", "s:with:colons");
    let resp = conn
        .send(
            "DELETE /api/netverify/v2/scans/x",
            &[
                ("User-Agent", "A/1"),
                ("Accept", "application/json"),
                ("Authorization", &auth),
            ],
            b"",
        )
        .expect("r");
    assert_eq!(resp.status, 404);
    assert_eq!(
        hyperverge_delete(&mut conn, &hv_body("x"))
            .expect("r")
            .status,
        401
    );
    let resp = conn
        .send(
            &format!("DELETE {HV_PATH}"),
            &[
                ("appid", "id"),
                ("appkey", "key"),
                ("content-type", "application/json"),
            ],
            hv_body("x").as_bytes(),
        )
        .expect("r");
    assert_eq!(resp.status, 404);
}

#[test]
fn hyperverge_success_then_documented_not_found() {
    let emu = emulator();
    emu.seed_one("hyperverge", "transaction", "txn-1")
        .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let ok = hyperverge_delete(&mut conn, &hv_body("txn-1")).expect("first");
    assert_eq!(ok.status, 200);
    assert!(ok
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("application/json")));
    let body = ok.json();
    assert_eq!(body["status"], "success");
    assert_eq!(body["statusCode"], "200");
    assert_eq!(body["message"], "Transaction deleted successfully");
    let audits = body["deletedAudits"].as_array().expect("array");
    assert!(!audits.is_empty() && audits.iter().all(|a| a.is_string()));
    assert_eq!(body.as_object().expect("object").len(), 4);

    let gone = hyperverge_delete(&mut conn, &hv_body("txn-1")).expect("second");
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json(),
        serde_json::json!({"status":"failure","statusCode":"404","error":"Transaction not found"})
    );
    let stats = emu.stats();
    let counts = stats
        .reference("hyperverge", "transaction", "txn-1")
        .expect("counted");
    assert_eq!((counts.applied, counts.not_found), (1, 1));
}

#[test]
fn hyperverge_credential_and_body_checks() {
    let emu = emulator();
    emu.seed_one("hyperverge", "transaction", "t")
        .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let line = format!("DELETE {HV_PATH}");
    let unauthorized = serde_json::json!({"status":"failure","statusCode":"401","error":"Missing/Invalid credentials"});
    for headers in [
        vec![
            ("appid", "emulator-app-id"),
            ("content-type", "application/json"),
        ],
        vec![
            ("appkey", "emulator-app-key"),
            ("content-type", "application/json"),
        ],
        vec![
            ("appid", "emulator-app-id"),
            ("appkey", "wrong"),
            ("content-type", "application/json"),
        ],
    ] {
        let resp = conn
            .send(&line, &headers, hv_body("t").as_bytes())
            .expect("r");
        assert_eq!(resp.status, 401);
        assert_eq!(resp.json(), unauthorized);
    }

    let required = serde_json::json!({
        "status":"failure","statusCode":"422","error":"\"transactionId\" is required"
    });
    for body in [
        "",
        "not json",
        "[]",
        "{}",
        r#"{"transactionId":7}"#,
        r#"{"transactionId":""}"#,
        r#"{"transactionId":null,"x":1}"#,
    ] {
        let resp = hyperverge_delete(&mut conn, body).expect("r");
        assert_eq!(
            (resp.status, resp.json()),
            (422, required.clone()),
            "{body}"
        );
    }
    let resp = hyperverge_delete(&mut conn, r#"{"transactionId":"t","someKey":1}"#).expect("r");
    assert_eq!(resp.status, 422);
    assert_eq!(
        resp.json(),
        serde_json::json!({"status":"failure","statusCode":"422","error":"\"someKey\" is not allowed"})
    );
    // Without content-type: application/json the body is not read.
    let resp = conn
        .send(
            &line,
            &[("appid", "emulator-app-id"), ("appkey", "emulator-app-key")],
            hv_body("t").as_bytes(),
        )
        .expect("r");
    assert_eq!((resp.status, resp.json()), (422, required));
    // None of that deleted anything.
    assert_eq!(emu.stats().transactions_present, 1);
    let resp = conn
        .send(
            &line,
            &[
                ("appid", "emulator-app-id"),
                ("appkey", "emulator-app-key"),
                ("content-type", "application/json; charset=utf-8"),
            ],
            hv_body("t").as_bytes(),
        )
        .expect("r");
    assert_eq!(resp.status, 200);
}

#[test]
fn hyperverge_ip_allow_list() {
    let forbidden = serde_json::json!({
        "status":"forbidden","statusCode":"403","message":"No whitelisted IPs match found"
    });
    let elsewhere = Emulator::start(Config {
        hyperverge_allowed_ips: Some(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))]),
        ..Config::default()
    })
    .expect("start");
    elsewhere
        .seed_one("hyperverge", "transaction", "t")
        .expect("seed");
    let mut conn = Conn::open(elsewhere.addr());
    let resp = hyperverge_delete(&mut conn, &hv_body("t")).expect("r");
    assert_eq!((resp.status, resp.json()), (403, forbidden));
    // The allow-list is HyperVerge's: Jumio does not have one.
    assert_eq!(
        jumio_delete(&mut conn, "/api/netverify/v2/scans/x")
            .expect("r")
            .status,
        404
    );

    let here = Emulator::start(Config {
        hyperverge_allowed_ips: Some(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]),
        ..Config::default()
    })
    .expect("start");
    here.seed_one("hyperverge", "transaction", "t")
        .expect("seed");
    let mut conn = Conn::open(here.addr());
    assert_eq!(
        hyperverge_delete(&mut conn, &hv_body("t"))
            .expect("r")
            .status,
        200
    );
}

#[test]
fn wrong_methods_get_405_with_allow_and_unknown_paths_404() {
    let emu = emulator();
    emu.seed_one("jumio", "scan", "r").expect("seed");
    let mut conn = Conn::open(emu.addr());
    for line in [
        "GET /api/netverify/v2/scans/r",
        "POST /api/v2/transaction/id",
        "PUT /api/netverify/v2/documents/r",
    ] {
        let resp = conn.send(line, &[], b"").expect("r");
        assert_eq!(resp.status, 405, "{line}");
        assert_eq!(resp.header("Allow"), Some("DELETE"));
    }
    for line in [
        "DELETE /",
        "DELETE /api/netverify/v2/scans/",
        "DELETE /api/netverify/v2/scans/r/extra",
        "DELETE /api/netverify/v3/scans/r",
    ] {
        assert_eq!(conn.send(line, &[], b"").expect("r").status, 404, "{line}");
    }
    // A query string is not part of the reference.
    assert_eq!(
        jumio_delete(&mut conn, "/api/netverify/v2/scans/r?x=1")
            .expect("r")
            .status,
        200
    );
    assert_eq!(emu.stats().requests["unknown"][&404], 4);
}
