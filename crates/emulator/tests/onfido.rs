//! Onfido: soft delete into the archive, `delete_at`, restore, the hard
//! delete after the configured delay, and the error shapes, over raw HTTP.

mod common;

use std::time::Duration;

use common::*;
use idv_delete_emulator::{Config, Emulator, SeedItem};

const AUTH: (&str, &str) = ("Authorization", "Token token=emulator-onfido-token");
const ID: &str = "0f9b8c2e-1a2b-4c3d-8e4f-5a6b7c8d9e0f";

fn emulator(delay: Duration) -> Emulator {
    Emulator::start(Config {
        onfido_deletion_delay: delay,
        ..Config::default()
    })
    .expect("start")
}

fn call(conn: &mut Conn, line: &str) -> Resp {
    conn.send(line, &[AUTH], b"").expect("response")
}

fn error_type(resp: &Resp) -> String {
    resp.json()["error"]["type"]
        .as_str()
        .expect("type")
        .to_owned()
}

#[test]
fn an_applicant_with_a_check_is_archived_then_hard_deleted_after_the_delay() {
    let emu = emulator(Duration::from_millis(700));
    emu.seed_one("onfido", "applicant", ID).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = format!("/v3.6/applicants/{ID}");

    let before = call(&mut conn, &format!("GET {path}"));
    assert_eq!(before.status, 200);
    assert_eq!(before.json()["id"], ID);
    assert!(before.json()["delete_at"].is_null());

    let deleted = call(&mut conn, &format!("DELETE {path}"));
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_eq!(emu.stats().erasures_pending, 1);

    let archived = call(&mut conn, &format!("GET {path}"));
    assert_eq!(archived.status, 200);
    let delete_at = archived.json()["delete_at"]
        .as_str()
        .expect("set")
        .to_owned();
    assert!(
        delete_at.ends_with('Z') && delete_at.len() == 24,
        "{delete_at}"
    );

    // A second delete while archived: 422, naming when.
    let again = call(&mut conn, &format!("DELETE {path}"));
    assert_eq!(again.status, 422);
    assert_eq!(error_type(&again), "validation_error");
    let message = again.json()["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned();
    assert!(message.contains(&delete_at), "{message}");
    assert!(again.json()["error"]["fields"].is_object());

    std::thread::sleep(Duration::from_millis(800));
    let gone = call(&mut conn, &format!("GET {path}"));
    assert_eq!(gone.status, 404);
    assert_eq!(error_type(&gone), "resource_not_found");
    assert_eq!(call(&mut conn, &format!("DELETE {path}")).status, 404);
    assert_eq!(call(&mut conn, &format!("POST {path}/restore")).status, 404);

    let stats = emu.stats();
    let counts = stats.reference("onfido", "applicant", ID).expect("counted");
    assert_eq!(
        (counts.applied, counts.refused, counts.not_found),
        (1, 1, 1)
    );
    assert_eq!(stats.erasures_pending, 0);
    assert_eq!(stats.requests["onfido/applicant"][&204], 1);
    assert_eq!(stats.requests["onfido/applicant/read"][&404], 1);
}

#[test]
fn an_applicant_without_a_check_is_deleted_at_once() {
    let emu = emulator(Duration::from_secs(3600));
    emu.seed(&[SeedItem::new("onfido", "applicant", ID).with_state("no_check")])
        .expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = format!("/v3.6/applicants/{ID}");
    assert_eq!(call(&mut conn, &format!("DELETE {path}")).status, 204);
    assert_eq!(call(&mut conn, &format!("GET {path}")).status, 404);
    assert_eq!(emu.stats().erasures_pending, 0);
}

#[test]
fn an_archived_applicant_can_be_restored() {
    let emu = emulator(Duration::from_secs(3600));
    emu.seed_one("onfido", "applicant", ID).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = format!("/v3.6/applicants/{ID}");
    let not_archived = call(&mut conn, &format!("POST {path}/restore"));
    assert_eq!(not_archived.status, 422);
    assert_eq!(call(&mut conn, &format!("DELETE {path}")).status, 204);
    assert_eq!(emu.stats().transactions_present, 0);
    let restored = call(&mut conn, &format!("POST {path}/restore"));
    assert_eq!(restored.status, 204);
    assert!(call(&mut conn, &format!("GET {path}")).json()["delete_at"].is_null());
    assert_eq!(emu.stats().transactions_present, 1);
    // Deletable again, and archived again.
    assert_eq!(call(&mut conn, &format!("DELETE {path}")).status, 204);
    let counts = emu.stats();
    let counts = counts
        .reference("onfido", "applicant", ID)
        .expect("counted");
    assert_eq!(counts.applied, 2);
}

#[test]
fn bad_tokens_unknown_applicants_and_wrong_methods() {
    let emu = emulator(Duration::from_secs(3600));
    emu.seed_one("onfido", "applicant", ID).expect("seed");
    let mut conn = Conn::open(emu.addr());
    let path = format!("/v3.6/applicants/{ID}");
    for auth in [
        vec![],
        vec![("Authorization", "Token token=wrong")],
        vec![("Authorization", "Bearer emulator-onfido-token")],
    ] {
        let resp = conn
            .send(&format!("DELETE {path}"), &auth, b"")
            .expect("response");
        assert_eq!(resp.status, 401, "{auth:?}");
        assert_eq!(error_type(&resp), "authorization_error");
        assert!(!resp.text().contains("emulator-onfido-token"));
    }
    let unknown = call(&mut conn, "DELETE /v3.6/applicants/no-such-applicant");
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "resource_not_found");
    let put = call(&mut conn, &format!("PUT {path}"));
    assert_eq!(
        (put.status, put.header("Allow")),
        (405, Some("GET, DELETE"))
    );
    let get_restore = call(&mut conn, &format!("GET {path}/restore"));
    assert_eq!(
        (get_restore.status, get_restore.header("Allow")),
        (405, Some("POST"))
    );
    // Nothing above deleted the applicant.
    assert_eq!(emu.stats().transactions_present, 1);
}
