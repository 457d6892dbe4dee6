//! The tokio driver against the embedded emulator: 500 mixed items
//! (Netverify v2, HyperVerge, Jumio Platform accounts in two regions,
//! Onfido, Stripe), 64 in flight, 20 ms latency and injected faults
//! (5xx, 429 with Retry-After, resets before and after the delete is
//! applied, truncated bodies, token endpoint 503s). Every item's outcome is
//! checked against the emulator's own counts.

use std::time::Duration;

use idv_delete_core::{
    Credentials, DeleteIntent, Erasure, HyperVergeCredentials, JumioCredentials,
    JumioPlatformCredentials, OnfidoCredentials, RetryPolicy, StripeCredentials, Target,
};
use idv_delete_emulator::{self as emulator, Emulator, Faults};
use idv_delete_example_tokio::{delete_all, Config};

const PER_KIND: usize = 100;

/// `(vendor, product, region, reference)` of the items, 100 of each kind.
fn items() -> Vec<(&'static str, &'static str, &'static str, String)> {
    let uuid = |kind: u32, i: usize| format!("{kind:08x}-0000-4000-8000-{i:012x}");
    let mut items = Vec::new();
    for i in 0..PER_KIND {
        let jumio_product = if i % 2 == 0 { "scan" } else { "document" };
        items.push(("jumio", jumio_product, "eu", uuid(1, i)));
        items.push(("hyperverge", "transaction", "", format!("journey-{i}")));
        let platform_region = if i % 2 == 0 { "us" } else { "eu" };
        items.push(("jumio-platform", "account", platform_region, uuid(3, i)));
        items.push(("onfido", "applicant", "eu", uuid(4, i)));
        items.push(("stripe", "verification_session", "", format!("vs_tokio{i}")));
    }
    items
}

fn credentials() -> Vec<Credentials> {
    let user_agent = "Acme KYC-Cleaner/1.0";
    vec![
        JumioCredentials::new(
            emulator::DEFAULT_JUMIO_TOKEN,
            emulator::DEFAULT_JUMIO_SECRET,
            user_agent,
        )
        .unwrap()
        .into(),
        JumioPlatformCredentials::new(
            emulator::DEFAULT_JUMIO_CLIENT_ID,
            emulator::DEFAULT_JUMIO_CLIENT_SECRET,
            user_agent,
        )
        .unwrap()
        .into(),
        HyperVergeCredentials::new(
            emulator::DEFAULT_HYPERVERGE_APP_ID,
            emulator::DEFAULT_HYPERVERGE_APP_KEY,
        )
        .unwrap()
        .into(),
        OnfidoCredentials::new(emulator::DEFAULT_ONFIDO_API_TOKEN)
            .unwrap()
            .into(),
        StripeCredentials::new(emulator::DEFAULT_STRIPE_SECRET_KEY)
            .unwrap()
            .into(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_mixed_items_are_each_erased_once() {
    let server = Emulator::start(emulator::Config {
        // Stripe's 25 per second would only slow the test down: its
        // Retry-After is the core's business, covered by the vectors.
        stripe_rate_limit: None,
        faults: Faults {
            seed: 19,
            latency_ms: 20,
            p500: 0.02,
            p503: 0.02,
            p429: 0.02,
            retry_after_secs: 1,
            p_reset_before: 0.02,
            p_reset_after: 0.02,
            p_truncate: 0.01,
            token_p503: 0.3,
            ..Faults::default()
        },
        ..emulator::Config::default()
    })
    .unwrap();
    let items = items();
    for (vendor, product, _, reference) in &items {
        server.seed_one(vendor, product, reference).unwrap();
    }
    let intents: Vec<DeleteIntent> = items
        .iter()
        .map(|(vendor, product, region, reference)| {
            let target = Target::parse(vendor, product, Some(region)).unwrap();
            DeleteIntent::new(target, reference).unwrap()
        })
        .collect();

    let config = Config {
        base_url: server.base_url(),
        credentials: credentials(),
        // Enough attempts that ~11% faulty answers cannot exhaust one
        // (0.11^8 per item), short backoffs to keep the test quick.
        policy: RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        concurrency: 64,
        timeout: Duration::from_secs(10),
        seed: 19,
    };
    let report = delete_all(config, intents).await.unwrap();
    let stats = server.stats();
    println!("{report}faults: {:?}", stats.faults);

    assert_eq!(report.outcomes.len(), 5 * PER_KIND);
    assert_eq!(report.failed(), 0, "{report}");
    for ((vendor, product, _, reference), (intent, outcome)) in items.iter().zip(&report.outcomes) {
        assert_eq!(
            intent.reference(),
            reference,
            "outcomes keep the items' order"
        );
        let counts = stats
            .reference(vendor, product, reference)
            .unwrap_or_else(|| panic!("the emulator saw no delete of {vendor} {reference}"));
        assert_eq!(
            counts.applied, 1,
            "{vendor} {reference} erased once: {counts:?}"
        );
        let scheduled = matches!(*vendor, "onfido" | "stripe");
        match outcome {
            Ok(Erasure::Scheduled(_)) => assert!(scheduled, "{vendor} {reference} scheduled"),
            Ok(Erasure::Deleted(deleted)) => {
                assert!(!scheduled, "{vendor} {reference} deleted, not scheduled");
                assert!(deleted.attempts >= 1);
            }
            Err(error) => panic!("{vendor} {reference}: {error}"),
        }
    }
    assert_eq!(report.deleted(), 3 * PER_KIND, "{report}");
    assert_eq!(report.scheduled(), 2 * PER_KIND, "scheduled counted apart");
    assert_eq!(stats.deletes_applied, (5 * PER_KIND) as u64);
    // A 404 after a reset that followed the delete: only such an item may
    // be deleted by absence, and the emulator answered it 404.
    assert!(
        report.deleted_by_absence() as u64 <= stats.faults.reset_after + stats.faults.truncated
    );
    // Single flight: one token bought per region used, however many of the
    // 64 workers needed it at once; every token request reached the emulator.
    assert_eq!(stats.tokens_issued, 2, "{stats:?}");
    assert_eq!(report.token_requests, stats.token_requests);
    // The faults did happen, so the retries were exercised.
    let faults = &stats.faults;
    assert!(faults.status + faults.rate_limited > 0, "{faults:?}");
    assert!(faults.reset_before + faults.reset_after > 0, "{faults:?}");
    server.shutdown();
}
