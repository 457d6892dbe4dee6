//! The Jumio Platform through the blocking client (issue 17): one token
//! per lifetime for a whole batch, refreshes when tokens expire or are
//! revoked, and bad client credentials found before any delete.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::{
    BatchOptions, Client, ConfirmedBy, DeleteIntent, ErrorKind, JumioPlatformCredentials, Region,
    Vendor,
};
use idv_delete_emulator::{Config, Emulator, SeedItem};

fn platform_emulator(token_lifetime: Duration) -> Emulator {
    Emulator::start(Config {
        token_lifetime,
        ..Config::default()
    })
    .expect("emulator starts")
}

/// Seeds `count` accounts and returns their intents.
fn accounts(emulator: &Emulator, count: u64) -> Vec<DeleteIntent> {
    let ids: Vec<String> = (0..count).map(uuid).collect();
    let seed: Vec<SeedItem> = ids
        .iter()
        .map(|id| SeedItem::new("jumio-platform", "account", id))
        .collect();
    emulator.seed(&seed).expect("seeded");
    ids.iter()
        .map(|id| DeleteIntent::jumio_platform_account(Region::Eu, id).expect("valid"))
        .collect()
}

/// Batch options without the platform's documented 15 requests per second
/// (the emulator has no tenant limit): these tests measure the token's
/// sharing over thousands of deletions, which that window would stretch
/// over minutes.
fn unwindowed() -> BatchOptions {
    BatchOptions::default().vendor_windows(Vendor::JumioPlatform, Vec::new())
}

#[test]
fn a_10000_item_batch_buys_exactly_one_token() {
    let emulator = platform_emulator(Duration::from_secs(3600));
    let items = accounts(&emulator, 10_000);
    let report = client(&emulator)
        .delete_many(items, unwindowed().concurrency(16))
        .expect("batch runs");
    assert_eq!(report.deleted_by_response, 10_000, "{report:?}");
    assert_eq!(report.failed_total(), 0);
    assert_eq!(report.token_requests, 1);
    let stats = emulator.stats();
    assert_eq!((stats.token_requests, stats.tokens_issued), (1, 1));
}

#[test]
fn two_second_tokens_are_renewed_within_the_lifetimes_plus_one() {
    let emulator = platform_emulator(Duration::from_secs(2));
    let items = accounts(&emulator, 1_000);
    let started = Instant::now();
    let report = client(&emulator)
        .delete_many(items, unwindowed().concurrency(8).rate(100.0))
        .expect("batch runs");
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(report.deleted_by_response, 1_000, "{report:?}");
    let lifetimes = (elapsed / 2.0).ceil() as u64;
    eprintln!("{} token requests in {elapsed:.1} s", report.token_requests);
    assert!(
        elapsed >= 9.0,
        "the batch was meant to last about 10 s: {elapsed}"
    );
    assert!(
        report.token_requests <= lifetimes + 1 && report.token_requests >= lifetimes,
        "{} token requests in {elapsed:.1} s",
        report.token_requests
    );
    assert_eq!(emulator.stats().token_requests, report.token_requests);
}

#[test]
fn a_revoked_token_costs_one_refresh_and_no_item() {
    let emulator = Arc::new(platform_emulator(Duration::from_secs(3600)));
    let items = accounts(&emulator, 400);
    let revoker = Arc::clone(&emulator);
    let revoked = std::sync::atomic::AtomicBool::new(false);
    let report = client(&emulator)
        .delete_many(
            items,
            unwindowed()
                .concurrency(8)
                .rate(400.0)
                .progress(move |progress| {
                    if progress.done >= 200
                        && !revoked.swap(true, std::sync::atomic::Ordering::SeqCst)
                    {
                        assert_eq!(revoker.revoke_tokens(), 1);
                    }
                }),
        )
        .expect("batch runs");
    assert_eq!(report.deleted_by_response, 400, "{report:?}");
    assert_eq!(report.failed_total(), 0);
    assert_eq!(report.token_requests, 2);
    // Each worker holding the old token got one 401 and resent once.
    let stats = emulator.stats();
    eprintln!(
        "{} deletes sent for 400 items after a revocation",
        report.attempts
    );
    assert!(
        report.attempts > 400 && report.attempts <= 408,
        "{}",
        report.attempts
    );
    assert_eq!(stats.tokens_issued, 2);
}

#[test]
fn bad_client_credentials_are_found_before_any_delete() {
    let emulator = platform_emulator(Duration::from_secs(3600));
    let items = accounts(&emulator, 20);
    let client = Client::builder()
        .jumio_platform(
            JumioPlatformCredentials::new("emulator-client-id", "wrong-secret", USER_AGENT)
                .unwrap(),
        )
        .base_url(&emulator.base_url())
        .retry_policy(fast_policy(4))
        .build()
        .unwrap();
    let error = client
        .check_token(Region::Eu, &idv_delete_blocking::CancelToken::new())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(error.to_string().contains("JUMIO_CLIENT_ID"), "{error}");
    assert!(!error.to_string().contains("wrong-secret"));
    // A batch run anyway fails every item without sending a delete or
    // asking for another token.
    let report = client
        .delete_many(items, BatchOptions::default().concurrency(4))
        .expect("batch runs");
    assert_eq!(report.failed.get(&ErrorKind::Unauthorized), Some(&20));
    assert_eq!(report.attempts, 0);
    let stats = emulator.stats();
    assert_eq!(stats.token_requests, 1);
    assert_eq!(stats.total_requests, 1);
}

#[test]
fn workflows_and_accounts_delete_as_documented() {
    let emulator = platform_emulator(Duration::from_secs(3600));
    let (account, workflow) = (uuid(1), uuid(2));
    emulator
        .seed(&[SeedItem::new(
            "jumio-platform",
            "workflow",
            &format!("{account}/{workflow}"),
        )])
        .unwrap();
    let client = client(&emulator);
    let intent = DeleteIntent::jumio_platform_workflow(Region::Us, &account, &workflow).unwrap();
    let deleted = client.delete(&intent).at_once().expect("deleted");
    assert_eq!(
        (deleted.confirmed_by, deleted.attempts),
        (ConfirmedBy::Response, 1)
    );
    assert_eq!(
        client.delete(&intent).at_once().unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let account = DeleteIntent::jumio_platform_account(Region::Us, &account).unwrap();
    let deleted = client
        .delete(&account)
        .at_once()
        .expect("the account is left");
    assert_eq!(deleted.confirmed_by, ConfirmedBy::Response);
    assert_eq!(client.token_requests(), 1);
}
