//! Prompt stops: a cancel during a 60 s `Retry-After` pause ends a single
//! deletion and a batch at once, and a resume finishes what was cut short.

mod common;

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::{BatchOptions, CancelToken, ErrorKind};
use idv_delete_emulator::Faults;

/// Every answer is a 429 asking for a minute's wait.
fn rate_limited_for_a_minute() -> Faults {
    Faults {
        p429: 1.0,
        retry_after_secs: 60,
        ..Faults::default()
    }
}

/// Cancels `token` after `delay`, from another thread.
fn cancel_after(token: &CancelToken, delay: Duration) -> thread::JoinHandle<()> {
    let token = token.clone();
    thread::spawn(move || {
        thread::sleep(delay);
        token.cancel();
    })
}

#[test]
fn a_cancel_during_a_retry_after_pause_ends_a_deletion_at_once() {
    let emulator = emulator_with(rate_limited_for_a_minute());
    let client = client(&emulator);
    let intent = scan("paused-1");
    seed(&emulator, std::slice::from_ref(&intent));
    let token = CancelToken::new();
    let canceller = cancel_after(&token, Duration::from_millis(500));
    let start = Instant::now();
    let error = client
        .delete_cancellable(&intent, &token)
        .at_once()
        .expect_err("a cancelled deletion is an error");
    let took = start.elapsed();
    canceller.join().unwrap();
    println!("single deletion stopped {took:?} after it started (cancel at 0.5 s)");
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
    assert_eq!(error.attempts(), 1, "{error}");
    // A 429 is never applied: nothing may have been deleted.
    assert!(!error.in_doubt(), "{error}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(counts(&emulator, &intent), (0, 0));
}

#[test]
fn a_token_cancelled_before_the_call_sends_nothing() {
    let emulator = emulator();
    let client = client(&emulator);
    let intent = scan("never-sent");
    seed(&emulator, std::slice::from_ref(&intent));
    let token = CancelToken::new();
    token.cancel();
    let error = client
        .delete_cancellable(&intent, &token)
        .at_once()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(error.attempts(), 0);
    assert!(!error.in_doubt());
    assert_eq!(emulator.stats().total_requests, 0);
}

#[test]
fn a_cancel_during_a_pause_journals_the_items_in_flight_and_a_resume_finishes_them() {
    let emulator = emulator_with(rate_limited_for_a_minute());
    let client = client(&emulator);
    let items = mixed("stop", 20);
    seed(&emulator, &items);
    let dir = std::env::temp_dir().join(format!("idv-delete-cancel-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("stop.journal");

    let token = CancelToken::new();
    let canceller = cancel_after(&token, Duration::from_millis(500));
    let start = Instant::now();
    let report = client
        .delete_many(
            items.clone(),
            BatchOptions::default()
                .concurrency(4)
                .journal(&journal)
                .cancel(token.clone()),
        )
        .unwrap();
    let took = start.elapsed();
    canceller.join().unwrap();
    println!("batch stopped {took:?} after it started (cancel at 0.5 s)");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(report.cancelled);
    let cancelled = report
        .failed
        .get(&ErrorKind::Cancelled)
        .copied()
        .unwrap_or(0);
    assert!(
        (1..=4).contains(&cancelled),
        "the items in flight end cancelled: {report:?}"
    );
    assert_eq!(report.failed_total(), cancelled, "{report:?}");
    assert_eq!(report.deleted(), 0);
    let text = fs::read_to_string(&journal).unwrap();
    let cancelled_outcomes = text
        .lines()
        .filter(|line| line.contains("\"event\":\"outcome\"") && line.contains("\"cancelled\""))
        .count() as u64;
    assert_eq!(cancelled_outcomes, cancelled, "{text}");

    // The vendor lifts its limit: the resume deletes everything, the
    // cancelled items included.
    emulator.set_faults(Faults::default()).unwrap();
    let report = client
        .delete_many(items.clone(), BatchOptions::default().journal(&journal))
        .unwrap();
    assert!(!report.cancelled);
    assert_eq!(report.deleted(), 20, "{report:?}");
    assert_eq!(report.retried_failures, cancelled, "{report:?}");
    for intent in &items {
        assert_eq!(counts(&emulator, intent).0, 1, "{intent}");
    }
    let _ = fs::remove_dir_all(&dir);
}
