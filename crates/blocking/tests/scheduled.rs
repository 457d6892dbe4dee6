//! Onfido, Persona, Stripe Identity and Veriff through the blocking client
//! against the emulator (issue 18): accepted erasures are scheduled, never
//! deleted; a recheck after the vendor's delay confirms them; a record the
//! vendor will not delete yet is its own kind; a batch counts them apart
//! and its journal keeps them.

mod common;

use std::time::Duration;

use common::*;
use idv_delete_blocking::core::{
    OnfidoCredentials, PersonaCredentials, StripeCredentials, VeriffCredentials,
};
use idv_delete_blocking::{
    BatchError, BatchOptions, CancelToken, Client, ConfirmedBy, DeleteIntent, Erasure, ErrorKind,
    JournalError, JournalState, OnfidoRegion, PersonaResource,
};
use idv_delete_emulator::{Config, Emulator, SeedItem};

const DELAY: Duration = Duration::from_millis(600);

fn emulator_with_delays() -> Emulator {
    Emulator::start(Config {
        onfido_deletion_delay: DELAY,
        stripe_redaction_delay: DELAY,
        persona_children_delay: DELAY,
        ..Config::default()
    })
    .expect("emulator starts")
}

fn client(emulator: &Emulator) -> Client {
    vendors_builder(emulator).build().expect("client builds")
}

fn vendors_builder(emulator: &Emulator) -> idv_delete_blocking::ClientBuilder {
    builder(&emulator.base_url())
        .credentials(OnfidoCredentials::new(idv_delete_emulator::DEFAULT_ONFIDO_API_TOKEN).unwrap())
        .credentials(PersonaCredentials::new(idv_delete_emulator::DEFAULT_PERSONA_API_KEY).unwrap())
        .credentials(
            StripeCredentials::new(idv_delete_emulator::DEFAULT_STRIPE_SECRET_KEY).unwrap(),
        )
        .credentials(
            VeriffCredentials::new(
                idv_delete_emulator::DEFAULT_VERIFF_API_KEY,
                idv_delete_emulator::DEFAULT_VERIFF_SHARED_SECRET,
            )
            .unwrap(),
        )
}

fn items() -> Vec<(DeleteIntent, SeedItem)> {
    vec![
        (
            DeleteIntent::onfido(OnfidoRegion::Eu, &uuid(1)).unwrap(),
            SeedItem::new("onfido", "applicant", &uuid(1)),
        ),
        (
            DeleteIntent::persona(PersonaResource::Inquiry, "inq_one").unwrap(),
            SeedItem::new("persona", "inquiry", "inq_one"),
        ),
        (
            DeleteIntent::stripe("vs_one").unwrap(),
            SeedItem::new("stripe", "verification_session", "vs_one"),
        ),
        (
            DeleteIntent::veriff(&uuid(2)).unwrap(),
            SeedItem::new("veriff", "session", &uuid(2)),
        ),
    ]
}

#[test]
fn accepted_erasures_are_scheduled_and_a_recheck_confirms_them() {
    let emulator = emulator_with_delays();
    let client = client(&emulator);
    let items = items();
    emulator
        .seed(&items.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>())
        .unwrap();
    for (intent, _) in &items {
        let erasure = client.delete(intent).expect("accepted");
        let Erasure::Scheduled(scheduled) = &erasure else {
            panic!("{intent}: an asynchronous vendor's erasure reported {erasure:?}");
        };
        assert!(!scheduled.completes.is_empty());
    }
    std::thread::sleep(DELAY + Duration::from_millis(300));
    for (intent, _) in &items {
        match client.recheck(intent).expect("recheck answered") {
            Some(Erasure::Deleted(deleted)) => {
                assert_eq!(deleted.confirmed_by, ConfirmedBy::Recheck, "{intent}")
            }
            None => assert_eq!(intent.target(), idv_delete_blocking::Target::Veriff),
            other => panic!("{intent}: after the delay the recheck says {other:?}"),
        }
    }
}

#[test]
fn records_the_vendor_will_not_delete_yet_are_their_own_kind() {
    let emulator = emulator_with_delays();
    let client = client(&emulator);
    let cases = [
        (
            DeleteIntent::veriff(&uuid(3)).unwrap(),
            SeedItem::new("veriff", "session", &uuid(3)).with_state("in_progress"),
        ),
        (
            DeleteIntent::stripe("vs_busy").unwrap(),
            SeedItem::new("stripe", "verification_session", "vs_busy").with_state("processing"),
        ),
        (
            DeleteIntent::persona(PersonaResource::Inquiry, "inq_busy").unwrap(),
            SeedItem::new("persona", "inquiry", "inq_busy").with_state("pending"),
        ),
    ];
    for (intent, seed) in cases {
        emulator.seed(&[seed]).unwrap();
        let error = client.delete(&intent).expect_err("not deletable yet");
        assert_eq!(
            error.kind(),
            ErrorKind::NotDeletableYet,
            "{intent}: {error}"
        );
        assert_eq!(error.attempts(), 1, "not retried within the run: {intent}");
        assert!(!error.in_doubt());
    }
}

#[test]
fn a_batch_counts_scheduled_apart_and_journals_them() {
    let emulator = emulator_with_delays();
    let client = client(&emulator);
    let mut items = items();
    items.push((scan("v2-now"), SeedItem::new("jumio", "scan", "v2-now")));
    emulator
        .seed(&items.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>())
        .unwrap();
    let dir = std::env::temp_dir().join(format!("idv-delete-scheduled-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("erasures.journal");
    let _ = std::fs::remove_file(&journal);
    let report = client
        .delete_many(
            items.iter().map(|(i, _)| i.clone()),
            BatchOptions::default().journal(&journal),
        )
        .expect("batch runs");
    assert_eq!((report.scheduled, report.deleted()), (4, 1), "{report:?}");
    assert!(report.all_succeeded());
    let state = JournalState::read(&journal).unwrap();
    let totals = state.totals();
    assert_eq!((totals.scheduled, totals.deleted_by_response), (4, 1));
    // A resume has nothing to send for scheduled items.
    let again = client
        .delete_many(
            items.iter().map(|(i, _)| i.clone()),
            BatchOptions::default().journal(&journal),
        )
        .expect("resume runs");
    assert_eq!((again.skipped, again.attempts), (5, 0), "{again:?}");

    // After the vendors' delays a recheck appends what they say.
    std::thread::sleep(DELAY + Duration::from_millis(300));
    let recheck = client
        .recheck_journal(&journal, &CancelToken::new())
        .expect("recheck runs");
    assert_eq!(
        (
            recheck.scheduled,
            recheck.deleted,
            recheck.still_scheduled,
            recheck.not_offered
        ),
        (4, 3, 0, 1),
        "{recheck:?}"
    );
    assert!(recheck.failures.is_empty(), "{recheck:?}");
    let totals = JournalState::read(&journal).unwrap().totals();
    assert_eq!(
        (
            totals.deleted_by_recheck,
            totals.scheduled,
            totals.deleted_by_response
        ),
        (3, 1, 1)
    );
    // A second recheck asks only about what is still scheduled.
    let second = client
        .recheck_journal(&journal, &CancelToken::new())
        .unwrap();
    assert_eq!((second.scheduled, second.not_offered), (1, 1));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A recheck reads at the journal's endpoint only: elsewhere it is refused
/// before any read, with the journal's endpoint to recheck at (a recheck
/// has no switch to allow the change, unlike a batch's resume).
#[test]
fn a_recheck_at_another_endpoint_is_refused_with_the_journals() {
    let emulator = emulator_with_delays();
    let other = emulator_with_delays();
    let client = client(&emulator);
    let (intent, seed) = items().remove(1);
    emulator.seed(&[seed]).unwrap();
    let dir = std::env::temp_dir().join(format!("idv-delete-recheck-at-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("erasures.journal");
    let _ = std::fs::remove_file(&journal);
    let report = client
        .delete_many([intent], BatchOptions::default().journal(&journal))
        .expect("batch runs");
    assert_eq!(report.scheduled, 1, "{report:?}");
    let error = self::client(&other)
        .recheck_journal(&journal, &CancelToken::new())
        .expect_err("another endpoint is refused");
    let BatchError::Journal(JournalError::RecheckEndpointChanged { journaled, now, .. }) = &error
    else {
        panic!("not RecheckEndpointChanged: {error:?}");
    };
    assert!(journaled.starts_with(&emulator.base_url()), "{journaled}");
    assert!(now.starts_with(&other.base_url()), "{now}");
    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "recheck with the journal's endpoint, the base URL {journaled}"
        )),
        "{message}"
    );
    assert!(!message.contains("allow-endpoint-change"), "{message}");
    assert_eq!(other.stats().total_requests, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A resume compares each vendor's endpoint with the last run that
/// recorded one, not only with the last run: a recheck by a client for
/// fewer vendors must not let a later resume move the others elsewhere.
#[test]
fn a_resume_checks_each_vendors_endpoint_across_runs() {
    use idv_delete_blocking::core::{Endpoint, Vendor};
    let emulator = emulator_with_delays();
    let other = emulator_with_delays();
    let chosen: Vec<(DeleteIntent, SeedItem)> = items()
        .into_iter()
        .filter(|(intent, _)| matches!(intent.vendor(), Vendor::Onfido | Vendor::Stripe))
        .collect();
    emulator
        .seed(
            &chosen
                .iter()
                .map(|(_, seed)| seed.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let intents: Vec<DeleteIntent> = chosen.into_iter().map(|(intent, _)| intent).collect();
    let dir = std::env::temp_dir().join(format!("idv-delete-resume-at-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("erasures.journal");
    let _ = std::fs::remove_file(&journal);
    let report = client(&emulator)
        .delete_many(intents.clone(), BatchOptions::default().journal(&journal))
        .expect("batch runs");
    assert_eq!(report.scheduled, 2, "{report:?}");

    // Run 2: a Stripe-only client rechecks; its run records Stripe's endpoint only.
    let stripe_only = Client::builder()
        .credentials(
            StripeCredentials::new(idv_delete_emulator::DEFAULT_STRIPE_SECRET_KEY).unwrap(),
        )
        .base_url(&emulator.base_url())
        .build()
        .unwrap();
    stripe_only
        .recheck_journal(&journal, &CancelToken::new())
        .expect("the recheck runs");

    // Run 3 would send Onfido's items elsewhere: refused, nothing sent there.
    let moved = vendors_builder(&emulator)
        .endpoint(Vendor::Onfido, Endpoint::custom(&other.base_url()).unwrap())
        .build()
        .unwrap();
    let error = moved
        .delete_many(intents, BatchOptions::default().journal(&journal))
        .expect_err("Onfido's endpoint changed since run 1");
    let BatchError::Journal(JournalError::EndpointChanged { vendor, .. }) = &error else {
        panic!("not EndpointChanged: {error:?}");
    };
    assert_eq!(vendor, "onfido");
    assert_eq!(other.stats().total_requests, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
