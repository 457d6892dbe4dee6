//! Evidence per item and the run's chain of custody (issue 20 point 3):
//! a batch against the emulator journals, for each outcome, the deciding
//! answer's status, `Date` and request id (HyperVerge's audit ids,
//! Stripe's redaction status), nothing for a transport failure, and once
//! per run who ran it, where, and fingerprints of the accounts used: never
//! a secret, never a public id in clear.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use idv_delete_blocking::core::{
    Credentials, OnfidoCredentials, StripeCredentials, VeriffCredentials,
};
use idv_delete_blocking::journal::{
    Custody, Evidence, JournalOutcome, JournalReader, OutcomeRecord, Record, MAX_AUDIT_IDS,
};
use idv_delete_blocking::{
    BatchOptions, Client, DeleteIntent, HyperVergeCredentials, JumioCredentials, OnfidoRegion,
    MAX_EVIDENCE_VALUE,
};
use idv_delete_emulator::{Config, Emulator, SeedItem};

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("idv-delete-evidence-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn records(path: &Path) -> Vec<Record> {
    JournalReader::open(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn outcome_lines(path: &Path) -> Vec<OutcomeRecord> {
    records(path)
        .into_iter()
        .filter_map(|r| match r {
            Record::Outcome(o) => Some(o),
            _ => None,
        })
        .collect()
}

fn custodies(path: &Path) -> Vec<Option<Custody>> {
    records(path)
        .into_iter()
        .filter_map(|r| match r {
            Record::Run(run) => Some(run.custody),
            _ => None,
        })
        .collect()
}

/// The `Date` is an HTTP date as sent; the id the emulator's fresh one.
fn assert_answered(evidence: &Evidence, what: &str) {
    let date = evidence
        .date
        .as_deref()
        .unwrap_or_else(|| panic!("{what}: no Date"));
    assert!(httpdate::parse_http_date(date).is_ok(), "{what}: {date}");
    let id = evidence
        .request_id
        .as_deref()
        .unwrap_or_else(|| panic!("{what}: no request id"));
    assert!(
        id.starts_with("req_") && id.len() <= MAX_EVIDENCE_VALUE,
        "{what}: {id}"
    );
}

#[test]
fn every_answered_outcome_keeps_its_status_date_and_request_id() {
    let dir = temp_dir("answered");
    let journal = dir.join("run.journal");
    let emulator = emulator();
    let onfido = DeleteIntent::onfido(OnfidoRegion::Eu, &uuid(7)).unwrap();
    let stripe = DeleteIntent::stripe("vs_evidence").unwrap();
    let items = vec![
        scan("ev-scan"),
        hyperverge("ev-hv"),
        onfido.clone(),
        stripe.clone(),
        scan("ev-missing"),
    ];
    seed(&emulator, &items[..2]);
    emulator
        .seed(&[
            SeedItem::new("onfido", "applicant", &uuid(7)),
            SeedItem::new("stripe", "verification_session", "vs_evidence"),
        ])
        .unwrap();
    let client = builder(&emulator.base_url())
        .credentials(OnfidoCredentials::new(idv_delete_emulator::DEFAULT_ONFIDO_API_TOKEN).unwrap())
        .credentials(
            StripeCredentials::new(idv_delete_emulator::DEFAULT_STRIPE_SECRET_KEY).unwrap(),
        )
        .build()
        .unwrap();
    let report = client
        .delete_many(items, BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!(
        (report.deleted(), report.scheduled, report.not_found),
        (2, 2, 1)
    );

    let lines = outcome_lines(&journal);
    assert_eq!(lines.len(), 5);
    let mut ids = Vec::new();
    for line in &lines {
        let what = line.intent.to_string();
        assert_answered(&line.evidence, &what);
        ids.push(line.evidence.request_id.clone());
        match (line.position, &line.outcome) {
            (0, JournalOutcome::Deleted { status, .. }) => {
                assert_eq!(*status, Some(200));
                assert!(line.evidence.audit_ids.is_empty());
            }
            (1, JournalOutcome::Deleted { status, audits, .. }) => {
                assert_eq!(*status, Some(200));
                assert!(!line.evidence.audit_ids.is_empty(), "{line:?}");
                assert_eq!(line.evidence.audit_ids.len() as u32, *audits);
            }
            (2, JournalOutcome::Scheduled { status, .. }) => {
                assert_eq!(*status, Some(204));
                assert_eq!(line.evidence.vendor_status, None);
            }
            (3, JournalOutcome::Scheduled { status, .. }) => {
                assert_eq!(*status, Some(200));
                assert_eq!(line.evidence.vendor_status.as_deref(), Some("processing"));
            }
            // Not found: the 404's own evidence.
            (4, JournalOutcome::NotFound { .. }) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "a fresh request id per answer");

    // The run line has the custody: user, host, and the accounts.
    let custodies = custodies(&journal);
    assert_eq!(custodies.len(), 1);
    let custody = custodies[0].clone().expect("the run keeps its custody");
    assert!(
        custody.user.is_some() && custody.host.is_some(),
        "{custody:?}"
    );
    assert_eq!(custody, client.custody());
    let jumio: Credentials = jumio_credentials().into();
    assert_eq!(
        custody.credentials.get("jumio"),
        Some(&jumio.public_id_fingerprint())
    );
    assert_eq!(custody.credentials.get("onfido"), Some(&None));
    assert_eq!(custody.credentials.get("stripe"), Some(&None));
    // One entry per configured vendor (the common builder adds the
    // Jumio Platform), none other.
    assert!(custody.credentials.keys().eq(client.endpoints().keys()));
    assert_eq!(custody.credentials.len(), 5);
}

#[test]
fn a_transport_failure_has_no_evidence() {
    let dir = temp_dir("transport");
    let journal = dir.join("run.journal");
    // Nothing listens there once the emulator is stopped.
    let base_url = {
        let emulator = emulator();
        emulator.base_url()
    };
    let client = builder(&base_url)
        .retry_policy(fast_policy(1))
        .build()
        .unwrap();
    let report = client
        .delete_many(
            vec![scan("gone")],
            BatchOptions::default().journal(&journal),
        )
        .unwrap();
    assert_eq!(report.failed_total(), 1);
    let lines = outcome_lines(&journal);
    assert_eq!(lines.len(), 1);
    assert!(matches!(
        lines[0].outcome,
        JournalOutcome::Failed { status: None, .. }
    ));
    assert!(lines[0].evidence.is_empty(), "{:?}", lines[0].evidence);
}

#[test]
fn hostile_answers_keep_journal_lines_bounded() {
    let dir = temp_dir("hostile");
    let journal = dir.join("run.journal");
    let long_id = "i".repeat(5_000);
    let audits: Vec<String> = (0..200)
        .map(|n| format!("{n:04}{}", "a".repeat(300)))
        .collect();
    let body = serde_json::json!({
        "status": "success",
        "statusCode": "200",
        "message": "ok",
        "deletedAudits": audits,
    })
    .to_string();
    let server = RawServer::start(move |_| {
        response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Date", "Wed, 02 Dec 2026 10:00:00 GMT"),
                ("X-Request-Id", &long_id),
            ],
            body.as_bytes(),
        )
    });
    let client = builder(&server.base_url()).build().unwrap();
    let report = client
        .delete_many(
            vec![hyperverge("hostile")],
            BatchOptions::default().journal(&journal),
        )
        .unwrap();
    assert_eq!(report.deleted(), 1, "{report:?}");
    // The reader refuses lines over its limit: reading it back proves it.
    let lines = outcome_lines(&journal);
    let evidence = &lines[0].evidence;
    assert_eq!(evidence.audit_ids.len(), MAX_AUDIT_IDS);
    assert!(evidence
        .audit_ids
        .iter()
        .all(|id| id.len() <= MAX_EVIDENCE_VALUE));
    assert_eq!(
        evidence.request_id.as_ref().map(String::len),
        Some(MAX_EVIDENCE_VALUE)
    );
    let longest = fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(str::len)
        .max()
        .unwrap();
    assert!(longest < 8 * 1024, "{longest}");
}

#[test]
fn custody_holds_fingerprints_never_secrets_or_public_ids() {
    const TOKEN: &str = "CANARY-jumio-token-4e1f";
    const SECRET: &str = "CANARY-jumio-secret-8a2b";
    const APP_ID: &str = "CANARY-hv-appid-77c3";
    const APP_KEY: &str = "CANARY-hv-appkey-d9e0";
    const ONFIDO: &str = "CANARY-onfido-token-a1b2";
    const VERIFF_KEY: &str = "CANARY-veriff-key-c3d4";
    const VERIFF_SECRET: &str = "CANARY-veriff-secret-e5f6";
    let dir = temp_dir("canary");
    let journal = dir.join("run.journal");
    let emulator = Emulator::start(Config {
        jumio_token: TOKEN.into(),
        jumio_secret: SECRET.into(),
        hyperverge_app_id: APP_ID.into(),
        hyperverge_app_key: APP_KEY.into(),
        onfido_api_token: ONFIDO.into(),
        veriff_api_key: VERIFF_KEY.into(),
        veriff_shared_secret: VERIFF_SECRET.into(),
        ..Config::default()
    })
    .unwrap();
    let jumio = JumioCredentials::new(TOKEN, SECRET, USER_AGENT).unwrap();
    let hv = HyperVergeCredentials::new(APP_ID, APP_KEY).unwrap();
    let veriff = VeriffCredentials::new(VERIFF_KEY, VERIFF_SECRET).unwrap();
    let client = Client::builder()
        .jumio(jumio.clone())
        .hyperverge(hv.clone())
        .credentials(OnfidoCredentials::new(ONFIDO).unwrap())
        .credentials(veriff.clone())
        .base_url(&emulator.base_url())
        .build()
        .unwrap();
    let items = vec![
        scan("canary-1"),
        hyperverge("canary-2"),
        DeleteIntent::onfido(OnfidoRegion::Eu, &uuid(3)).unwrap(),
        DeleteIntent::veriff(&uuid(4)).unwrap(),
    ];
    seed(&emulator, &items[..2]);
    let report = client
        .delete_many(items, BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!(report.done(), 4);

    let text = fs::read_to_string(&journal).unwrap();
    for canary in [
        TOKEN,
        SECRET,
        APP_ID,
        APP_KEY,
        ONFIDO,
        VERIFF_KEY,
        VERIFF_SECRET,
        "CANARY",
    ] {
        assert!(!text.contains(canary), "{canary} leaked into the journal");
    }
    let custody = custodies(&journal)[0].clone().expect("custody");
    let expected = |c: Credentials| c.public_id_fingerprint().expect("a public id");
    let jumio_print = expected(jumio.into());
    for (vendor, print) in [
        ("jumio", jumio_print.clone()),
        ("hyperverge", expected(hv.into())),
        ("veriff", expected(veriff.into())),
    ] {
        assert_eq!(custody.credentials.get(vendor), Some(&Some(print.clone())));
        assert_eq!(print.len(), 32);
        assert!(text.contains(&print), "{vendor}'s fingerprint is journaled");
    }
    assert_eq!(custody.credentials.get("onfido"), Some(&None));

    // The same account gives the same fingerprint whatever its secret, so
    // two runs can be tied to one account.
    let other = JumioCredentials::new(TOKEN, "CANARY-another-secret", USER_AGENT).unwrap();
    assert_eq!(
        Credentials::from(other).public_id_fingerprint(),
        Some(jumio_print)
    );
}
