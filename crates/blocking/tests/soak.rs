//! Fault soak: 10,000 deletions (every Jumio product and region, and
//! HyperVerge) through one journaled `Client::delete_many` against the
//! emulator injecting 5xx, 429 and 503 with `Retry-After`, latency, resets
//! before and after applying, and truncated bodies. The journal, the
//! report and the emulator's own counts must agree:
//!
//! - every item has exactly one `sent` and then exactly one `outcome`, and
//!   the report's counts are the journal's;
//! - every item reported deleted was applied exactly once by the emulator;
//!   nothing reported deleted is still held (a deletion confirmed by the
//!   vendor's answer names a transaction the emulator held and removed);
//! - no item the emulator applied is reported not found, and an item that
//!   was seeded is never reported not found;
//! - retries stay within the policy (`attempts <= max_attempts` per item,
//!   so at most items x max_attempts in all) and within the retry budget's
//!   bound; the emulator saw no request the client did not count;
//! - a failed item is consistent with the emulator. Precisely: a failure
//!   *not* in doubt means every attempt was answered before the emulator
//!   applied anything (the only such answers here are 503 and 429, which
//!   the emulator gives instead of handling the request), so the emulator
//!   must still hold the item (`applied == 0`). A failure in doubt had an
//!   attempt that may have been applied (a 500/502/504, a reset before or
//!   after applying, a truncated body: the client cannot tell a reset
//!   before from one after), so the emulator may or may not have applied
//!   it (`applied <= 1`); a resume confirms it.
//!
//! Then the journal is resumed without faults: every seeded item ends
//! deleted, applied exactly once, and an in-doubt failure that the emulator
//! had applied is confirmed by absence, never reported not found.
//!
//! Fast by design (well under a minute in debug on two busy cores): quick
//! backoff, the emulator's smallest useful `Retry-After` (1 s; every 429
//! pauses all workers that long, so 429s are rare), 0-3 ms latency, 32
//! workers.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::journal::{JournalOutcome, JournalReader, Record};
use idv_delete_blocking::{
    BatchOptions, CancelToken, ConfirmedBy, DeleteIntent, ErrorKind, JumioProduct, Region,
    RetryBudget, RetryPolicy, RETRY_COST, STANDARD_CAPACITY,
};
use idv_delete_emulator::{Faults, RetryAfterFormat};

const ITEMS: usize = 10_000;
const MAX_ATTEMPTS: u32 = 3;
const CONCURRENCY: usize = 32;
/// The batch is cancelled (and the test fails) if it runs longer.
const TIME_LIMIT: Duration = Duration::from_secs(90);

/// Item `i`: six Jumio items (every product, every region) for every four
/// HyperVerge ones; one in 41 is never seeded (an unknown reference).
fn item(i: usize) -> (DeleteIntent, bool) {
    const PRODUCTS: [JumioProduct; 3] = [
        JumioProduct::IdVerification,
        JumioProduct::Authentication,
        JumioProduct::DocumentVerification,
    ];
    const REGIONS: [Region; 3] = [Region::Us, Region::Eu, Region::Sgp];
    let intent = if i % 10 < 6 {
        DeleteIntent::jumio(
            PRODUCTS[i % 3],
            REGIONS[(i / 3) % 3],
            &format!("soak-{i:05}"),
        )
        .unwrap()
    } else {
        DeleteIntent::hyperverge(&format!("soak txn \"{i:05}\"")).unwrap()
    };
    (intent, i % 41 != 7)
}

fn faults() -> Faults {
    Faults {
        seed: 0x50a4,
        p500: 0.01,
        p502: 0.01,
        p503: 0.07,
        p504: 0.01,
        p429: 0.0003,
        p503_retry_after: 0.002,
        retry_after_secs: 1,
        retry_after_format: RetryAfterFormat::Seconds,
        latency_ms: 0,
        latency_jitter_ms: 3,
        p_reset_before: 0.01,
        p_reset_after: 0.015,
        p_truncate: 0.01,
        ..Faults::default()
    }
}

type Key = (String, String, String);

fn key(intent: &DeleteIntent) -> Key {
    let target = intent.target();
    (
        target.vendor().as_str().to_owned(),
        target.product_name().to_owned(),
        intent.reference().to_owned(),
    )
}

#[test]
fn ten_thousand_deletions_through_faults_agree_with_the_emulator() {
    let items: Vec<(DeleteIntent, bool)> = (0..ITEMS).map(item).collect();
    let emulator = emulator_with(faults());
    let seeded: Vec<DeleteIntent> = items
        .iter()
        .filter(|(_, seeded)| *seeded)
        .map(|(intent, _)| intent.clone())
        .collect();
    seed(&emulator, &seeded);

    let dir = std::env::temp_dir().join(format!("idv-delete-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("soak.journal");

    let policy = RetryPolicy {
        max_attempts: MAX_ATTEMPTS,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(2),
    };
    let client = builder(&emulator.base_url())
        .retry_policy(policy)
        .retry_budget(RetryBudget::standard())
        .build()
        .unwrap();

    // A watchdog bounds the run: past the limit it cancels the batch.
    let cancel = CancelToken::new();
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let (cancel, finished) = (cancel.clone(), Arc::clone(&finished));
        thread::spawn(move || {
            let deadline = Instant::now() + TIME_LIMIT;
            while !finished.load(Ordering::SeqCst) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
            if !finished.load(Ordering::SeqCst) {
                cancel.cancel();
            }
        })
    };
    let progressed = Arc::new(AtomicU64::new(0));
    let on_progress = Arc::clone(&progressed);
    let started = Instant::now();
    let report = client
        .delete_many(
            items.iter().map(|(intent, _)| intent.clone()),
            BatchOptions::default()
                .concurrency(CONCURRENCY)
                .journal(&journal)
                .cancel(cancel)
                .progress(move |_| {
                    on_progress.fetch_add(1, Ordering::Relaxed);
                }),
        )
        .unwrap();
    let elapsed = started.elapsed();
    finished.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    let stats = emulator.stats();
    eprintln!(
        "soak: {ITEMS} items in {elapsed:.1?}: {} by response, {} by absence, {} not found, failed {:?} ({} in doubt), {} attempts; emulator: {} requests, {} connections, faults {:?}, responses {:?}",
        report.deleted_by_response,
        report.deleted_by_absence,
        report.not_found,
        report.failed,
        report.in_doubt,
        report.attempts,
        stats.total_requests,
        stats.connections_accepted,
        stats.faults,
        stats.requests,
    );
    assert!(
        !report.cancelled,
        "the soak did not finish within {TIME_LIMIT:?}"
    );
    assert_eq!(report.done(), ITEMS as u64, "{report:?}");
    assert_eq!(progressed.load(Ordering::Relaxed), ITEMS as u64);
    assert_eq!(
        (
            report.skipped,
            report.resumed_in_doubt,
            report.retried_failures
        ),
        (0, 0, 0)
    );

    // The journal: one sent, then one outcome, per item.
    let mut sent = vec![0u32; ITEMS];
    let mut outcomes: Vec<Option<JournalOutcome>> = vec![None; ITEMS];
    let mut reader = JournalReader::open(&journal).unwrap();
    for record in &mut reader {
        match record.unwrap() {
            Record::Sent(s) => {
                let p = s.position as usize;
                assert_eq!(s.intent, items[p].0, "sent record of position {p}");
                assert!(!s.resumed);
                assert!(outcomes[p].is_none(), "sent after the outcome of {p}");
                sent[p] += 1;
            }
            Record::Outcome(o) => {
                let p = o.position as usize;
                assert_eq!(o.intent, items[p].0, "outcome record of position {p}");
                assert_eq!(sent[p], 1, "outcome of {p} without exactly one sent");
                assert!(
                    outcomes[p].replace(o.outcome).is_none(),
                    "two outcomes for position {p}"
                );
            }
            Record::Run(r) => assert_eq!(r.run, 1, "a single run has one run record"),
            Record::End(e) => assert_eq!(e.items, items.len() as u64),
            other => panic!("unexpected record in a single run: {other:?}"),
        }
    }
    assert!(reader.torn_tail().is_none());
    let outcomes: Vec<JournalOutcome> = outcomes
        .into_iter()
        .enumerate()
        .map(|(p, o)| o.unwrap_or_else(|| panic!("no outcome for position {p}")))
        .collect();

    // The report agrees with the journal.
    let mut by_response = 0;
    let mut by_absence = 0;
    let mut not_found = 0;
    let mut in_doubt = 0;
    let mut failed: BTreeMap<ErrorKind, u64> = BTreeMap::new();
    let mut attempts_total = 0u64;
    for outcome in &outcomes {
        let attempts = match *outcome {
            JournalOutcome::Deleted {
                confirmed_by,
                attempts,
                ..
            } => {
                match confirmed_by {
                    ConfirmedBy::Response => by_response += 1,
                    ConfirmedBy::Absence => by_absence += 1,
                    ConfirmedBy::Recheck => panic!("a batch never rechecks"),
                }
                attempts
            }
            JournalOutcome::Scheduled { .. } => panic!("v2 and HyperVerge never schedule"),
            JournalOutcome::NotFound { attempts } => {
                not_found += 1;
                attempts
            }
            JournalOutcome::Failed {
                kind,
                attempts,
                in_doubt: doubt,
                ..
            } => {
                *failed.entry(kind).or_default() += 1;
                in_doubt += u64::from(doubt);
                attempts
            }
        };
        assert!(
            (1..=MAX_ATTEMPTS).contains(&attempts),
            "{outcome:?} is outside the policy"
        );
        attempts_total += u64::from(attempts);
    }
    assert_eq!(report.deleted_by_response, by_response);
    assert_eq!(report.deleted_by_absence, by_absence);
    assert_eq!(report.not_found, not_found);
    assert_eq!(report.in_doubt, in_doubt);
    assert_eq!(report.failed, failed, "failures by kind");
    assert_eq!(report.attempts, attempts_total);
    assert_eq!(
        report.failures.len() as u64 + report.failures_omitted,
        report.failed_total()
    );
    for failure in &report.failures {
        let p = failure.position as usize;
        assert_eq!(failure.intent, items[p].0);
        assert_eq!(
            outcomes[p],
            JournalOutcome::Failed {
                kind: failure.error.kind(),
                status: failure.error.status(),
                attempts: failure.error.attempts(),
                in_doubt: failure.error.in_doubt(),
            },
            "the report's failure of position {p} is the journal's"
        );
    }

    // The journal agrees with the emulator.
    let counts = applied_counts(&stats);
    let before = counts.clone();
    let mut applied_total = 0u64;
    let mut failed_in_doubt_applied = 0u64;
    for (p, ((intent, seeded), outcome)) in items.iter().zip(&outcomes).enumerate() {
        let (applied, answered_404) = counts.get(&key(intent)).copied().unwrap_or((0, 0));
        let what = format!("item {p} ({intent}, seeded: {seeded}): {outcome:?}, emulator applied {applied}, 404 {answered_404}");
        assert!(applied <= 1, "applied more than once: {what}");
        if !seeded {
            assert_eq!(applied, 0, "{what}");
        }
        applied_total += applied;
        let attempts = match *outcome {
            JournalOutcome::Deleted {
                confirmed_by,
                attempts,
                ..
            } => {
                // Nothing reported deleted that the emulator still holds.
                if *seeded {
                    assert_eq!(applied, 1, "deleted but still held: {what}");
                }
                if confirmed_by == ConfirmedBy::Response {
                    assert!(*seeded, "a 2xx for a transaction never held: {what}");
                } else {
                    assert!(attempts >= 2, "absence needs an earlier attempt: {what}");
                }
                attempts
            }
            JournalOutcome::Scheduled { .. } => panic!("v2 and HyperVerge never schedule: {what}"),
            JournalOutcome::NotFound { attempts } => {
                assert_eq!(applied, 0, "applied but reported not found: {what}");
                assert!(!seeded, "a held transaction reported not found: {what}");
                attempts
            }
            JournalOutcome::Failed {
                in_doubt, attempts, ..
            } => {
                if in_doubt {
                    failed_in_doubt_applied += applied;
                } else {
                    assert_eq!(applied, 0, "failed, not in doubt, yet applied: {what}");
                }
                attempts
            }
        };
        // Every delete the emulator handled for this item was one of the
        // attempts the client counted: no hidden resends.
        assert!(
            applied + answered_404 <= u64::from(attempts),
            "the emulator handled more deletes than attempts: {what}"
        );
    }
    eprintln!(
        "soak: {} failed in doubt ({failed_in_doubt_applied} of them applied by the emulator), {} failed not in doubt (all still held)",
        report.in_doubt,
        report.failed_total() - report.in_doubt
    );
    let seeded_deleted = items
        .iter()
        .zip(&outcomes)
        .filter(|((_, seeded), o)| *seeded && matches!(o, JournalOutcome::Deleted { .. }))
        .count() as u64;
    assert_eq!(stats.deletes_applied, applied_total);
    assert_eq!(applied_total, seeded_deleted + failed_in_doubt_applied);
    assert_eq!(
        stats.transactions_present,
        seeded.len() as u64 - applied_total
    );

    // Retries within the policy and the budget.
    assert!(attempts_total <= ITEMS as u64 * u64::from(MAX_ATTEMPTS));
    assert!(
        stats.total_requests <= attempts_total,
        "the emulator saw {} requests, the client counted {attempts_total}",
        stats.total_requests
    );
    // Each retry costs at least RETRY_COST; a success refunds 1 (first
    // attempt) or the cost of its last retry. So the retries that were not
    // refunded cost at most the capacity plus the first-attempt successes.
    let retries: u64 = outcomes.iter().map(|o| u64::from(attempts_of(o) - 1)).sum();
    let first_try_successes = outcomes
        .iter()
        .filter(|o| matches!(o, JournalOutcome::Deleted { attempts: 1, .. }))
        .count() as u64;
    let refunded_retries = outcomes
        .iter()
        .filter(|o| matches!(o, JournalOutcome::Deleted { attempts, .. } if *attempts > 1))
        .count() as u64;
    assert!(
        (retries - refunded_retries) * u64::from(RETRY_COST)
            <= u64::from(STANDARD_CAPACITY) + first_try_successes,
        "{retries} retries, {refunded_retries} refunded, {first_try_successes} first-try successes: over the budget"
    );

    // The soak exercised what it claims to.
    let faults = &stats.faults;
    assert!(faults.status > 0 && faults.reset_before > 0, "{faults:?}");
    assert!(faults.reset_after > 0 && faults.truncated > 0, "{faults:?}");
    assert!(
        by_absence > 0,
        "resets after applying were confirmed by absence"
    );
    assert!(not_found > 0, "unknown references were not found");
    assert!(
        elapsed < TIME_LIMIT,
        "took {elapsed:?}, the limit is {TIME_LIMIT:?}"
    );

    // Resuming the journal without faults finishes the failed items: those
    // in doubt that the emulator applied are confirmed by absence (never
    // "not found"), the others are deleted by the vendor's answer.
    emulator.set_faults(Faults::default()).unwrap();
    let failed_total = report.failed_total();
    let resumed = client
        .delete_many(
            items.iter().map(|(intent, _)| intent.clone()),
            BatchOptions::default()
                .concurrency(CONCURRENCY)
                .journal(&journal),
        )
        .unwrap();
    assert_eq!(resumed.skipped, ITEMS as u64 - failed_total, "{resumed:?}");
    assert_eq!(resumed.resumed_in_doubt, in_doubt);
    assert_eq!(resumed.retried_failures, failed_total - in_doubt);
    assert_eq!(resumed.failed_total(), 0, "{resumed:?}");
    let stats = emulator.stats();
    emulator.shutdown();
    let counts = applied_counts(&stats);
    let mut last: Vec<Option<JournalOutcome>> = vec![None; ITEMS];
    for record in JournalReader::open(&journal).unwrap() {
        if let Record::Outcome(o) = record.unwrap() {
            let p = o.position as usize;
            if let Some(previous) = &last[p] {
                assert!(
                    matches!(previous, JournalOutcome::Failed { .. }),
                    "position {p}: {:?} after the final {previous:?}",
                    o.outcome
                );
            }
            last[p] = Some(o.outcome);
        }
    }
    for (p, ((intent, seeded), first)) in items.iter().zip(&outcomes).enumerate() {
        let (applied, _) = counts.get(&key(intent)).copied().unwrap_or((0, 0));
        let now = last[p].clone().unwrap();
        let what = format!("item {p} ({intent}, seeded: {seeded}): first {first:?}, now {now:?}, applied {applied}");
        if *seeded {
            assert!(matches!(now, JournalOutcome::Deleted { .. }), "{what}");
            assert_eq!(applied, 1, "{what}");
        } else {
            assert_eq!(applied, 0, "{what}");
            assert!(
                !matches!(
                    now,
                    JournalOutcome::Deleted {
                        confirmed_by: ConfirmedBy::Response,
                        ..
                    }
                ),
                "{what}"
            );
        }
        if let JournalOutcome::Failed { in_doubt: true, .. } = first {
            if *seeded && was_applied(&before, intent) {
                assert!(
                    matches!(
                        now,
                        JournalOutcome::Deleted {
                            confirmed_by: ConfirmedBy::Absence,
                            ..
                        }
                    ),
                    "an in-doubt failure the emulator applied is confirmed by absence: {what}"
                );
            }
        }
    }
    assert_eq!(stats.transactions_present, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn applied_counts(stats: &idv_delete_emulator::Stats) -> HashMap<Key, (u64, u64)> {
    stats
        .references
        .iter()
        .map(|r| {
            (
                (r.vendor.clone(), r.product.clone(), r.reference.clone()),
                (r.applied, r.not_found),
            )
        })
        .collect()
}

fn was_applied(counts: &HashMap<Key, (u64, u64)>, intent: &DeleteIntent) -> bool {
    counts
        .get(&key(intent))
        .is_some_and(|(applied, _)| *applied > 0)
}

fn attempts_of(outcome: &JournalOutcome) -> u32 {
    match *outcome {
        JournalOutcome::Deleted { attempts, .. }
        | JournalOutcome::Scheduled { attempts, .. }
        | JournalOutcome::NotFound { attempts }
        | JournalOutcome::Failed { attempts, .. } => attempts,
    }
}
