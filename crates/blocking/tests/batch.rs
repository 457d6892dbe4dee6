//! The batch runner and its journal against the emulator.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::journal::{
    ItemStatus, JournalError, JournalOutcome, JournalReader, JournalState, Record,
};
use idv_delete_blocking::{
    BatchError, BatchOptions, CancelToken, Client, ConfirmedBy, DeleteIntent, ErrorKind,
    HyperVergeCredentials, JumioCredentials,
};
use idv_delete_emulator::{Config, Emulator, Faults};

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("idv-delete-blocking-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every record of a journal, panicking on corruption.
fn records(path: &Path) -> Vec<Record> {
    JournalReader::open(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Outcomes by position; panics on a second outcome for one position.
fn outcomes(path: &Path) -> HashMap<u64, JournalOutcome> {
    let mut map = HashMap::new();
    for record in records(path) {
        if let Record::Outcome(o) = record {
            assert!(
                map.insert(o.position, o.outcome).is_none(),
                "two outcomes for {}",
                o.position
            );
        }
    }
    map
}

#[test]
fn batch_deletes_with_bounded_concurrency_and_progress() {
    let emulator = emulator_with(Faults {
        latency_ms: 2,
        ..Faults::default()
    });
    let client = client(&emulator);
    let items = mixed("batch", 150);
    seed(&emulator, &items[..120]); // the last 30 are unknown
    let max_in_flight = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let (max, n) = (Arc::clone(&max_in_flight), Arc::clone(&calls));
    let report = client
        .delete_many(
            items.clone(),
            BatchOptions::default().concurrency(6).progress(move |p| {
                max.fetch_max(p.in_flight + 1, Ordering::Relaxed);
                n.fetch_add(1, Ordering::Relaxed);
                assert!(p.done >= 1 && p.done <= 150);
                assert_eq!(p.done, p.deleted + p.not_found + p.failed);
            }),
        )
        .unwrap();
    assert_eq!(report.deleted_by_response, 120);
    assert_eq!(report.not_found, 30);
    assert_eq!(report.failed_total(), 0);
    assert_eq!(report.attempts, 150);
    assert_eq!(report.done(), 150);
    assert_eq!(calls.load(Ordering::Relaxed), 150);
    let max = max_in_flight.load(Ordering::Relaxed);
    assert!((2..=6).contains(&max), "in flight at most 6, saw {max}");
    assert_eq!(emulator.stats().deletes_applied, 120);
}

#[test]
fn rate_limit_paces_requests() {
    let emulator = emulator();
    let client = client(&emulator);
    let items = mixed("rate", 100);
    seed(&emulator, &items);
    let started = Instant::now();
    let report = client
        .delete_many(items, BatchOptions::default().concurrency(16).rate(200.0))
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.deleted(), 100);
    // 100 slots 5 ms apart: about 0.5 s. Loose bounds, no flaky timing.
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// The first request gets 429 with `Retry-After: 1`; with a 50 ms pacer
/// the next request would leave 50 ms later, but the pause holds every
/// worker for the second.
#[test]
fn a_429_with_retry_after_pauses_every_worker() {
    let server = RawServer::start(|n| {
        if n == 0 {
            response(
                "429 Too Many Requests",
                &[("retry-after", "1")],
                b"slow down",
            )
        } else {
            response("200 OK", &[], b"")
        }
    });
    let client = builder(&server.base_url()).build().unwrap();
    let items: Vec<DeleteIntent> = (0..6).map(|i| scan(&format!("p-{i}"))).collect();
    let report = client
        .delete_many(items, BatchOptions::default().concurrency(4).rate(20.0))
        .unwrap();
    assert_eq!(report.deleted(), 6);
    assert_eq!(report.attempts, 7);
    let seen = server.seen();
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_millis(900),
        "second request after {gap:?}"
    );
}

/// A vendor limit the batch is not told (100/s, burst 5, `Retry-After: 1`):
/// without adapting, every burst of 5 would meet a 429 and a second's
/// pause, one request in six answered 429 and about 5 deletions a second.
/// The adaptive rate finds the limit instead: few 429s, and the 400 items
/// done in seconds, not the 80 s of the pauses alone.
#[test]
fn an_unknown_vendor_limit_is_found_with_few_429s() {
    let emulator = emulator_with(Faults {
        rate_limit: Some(100.0),
        rate_burst: 5,
        ..Faults::default()
    });
    let client = client(&emulator);
    let items = mixed("adaptive", 400);
    seed(&emulator, &items);
    let started = Instant::now();
    let report = client
        .delete_many(
            items,
            BatchOptions::default().concurrency(8).adaptive_rate(true),
        )
        .unwrap();
    let elapsed = started.elapsed();
    let stats = emulator.stats();
    assert_eq!(report.deleted(), 400);
    assert_eq!(stats.deletes_applied, 400);
    let limited = stats.faults.rate_limited;
    assert!((1..=12).contains(&limited), "{limited} answered 429");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

#[test]
fn cancellation_finishes_in_flight_and_resume_completes() {
    let dir = temp_dir("cancel");
    let journal = dir.join("run.journal");
    let emulator = emulator_with(Faults {
        latency_ms: 5,
        ..Faults::default()
    });
    let client = client(&emulator);
    let items = mixed("cancel", 200);
    seed(&emulator, &items);
    let token = CancelToken::new();
    let cancel = token.clone();
    let report = client
        .delete_many(
            items.clone(),
            BatchOptions::default()
                .concurrency(4)
                .journal(&journal)
                .cancel(token)
                .progress(move |p| {
                    if p.done >= 20 {
                        cancel.cancel();
                    }
                }),
        )
        .unwrap();
    assert!(report.cancelled);
    let first = report.deleted();
    assert!((20..200).contains(&first), "{first}");
    // Requests on the wire finish; an item whose `sent` record was written
    // but whose request had not left when the cancel came ends cancelled
    // (and is not in doubt: nothing was sent for it).
    let cut_short = report.failed_total();
    assert_eq!(
        report
            .failed
            .get(&ErrorKind::Cancelled)
            .copied()
            .unwrap_or(0),
        cut_short,
        "{report:?}"
    );
    assert!(cut_short <= 4, "at most one per worker: {report:?}");
    assert_eq!(report.in_doubt, 0);
    // Consistent: every sent item has its outcome.
    let done = outcomes(&journal);
    assert_eq!(done.len() as u64, first + cut_short);
    let sent = records(&journal)
        .iter()
        .filter(|r| matches!(r, Record::Sent(_)))
        .count();
    assert_eq!(sent as u64, first + cut_short);

    let report = client
        .delete_many(items.clone(), BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!(report.skipped, first);
    assert_eq!(report.retried_failures, cut_short);
    assert_eq!(report.deleted(), 200 - first);
    assert!(!report.cancelled);
    // A cancelled item has two outcomes, the second final: the replay says
    // each item is deleted.
    let state = JournalState::read(&journal).unwrap();
    assert_eq!(state.positions(), 200);
    assert!((0..200).all(|p| matches!(state.status(p), ItemStatus::Deleted(_))));
    for intent in &items {
        assert_eq!(counts(&emulator, intent), (1, 0));
    }
    // A third run finds everything done.
    let report = client
        .delete_many(items, BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!((report.skipped, report.done()), (200, 0));
    assert_eq!(emulator.stats().total_requests, 200);
}

#[test]
fn resume_runs_failed_items_again_and_confirms_in_doubt_ones() {
    let dir = temp_dir("retry-failed");
    let journal = dir.join("run.journal");
    let emulator = emulator();
    let client = builder(&emulator.base_url())
        .retry_policy(fast_policy(1))
        .build()
        .unwrap();
    let items = mixed("retry", 20);
    seed(&emulator, &items);
    let run = |faults: Faults| {
        emulator.set_faults(faults).unwrap();
        client
            .delete_many(items.clone(), BatchOptions::default().journal(&journal))
            .unwrap()
    };
    // First run: every item fails; a 503 cannot have deleted anything, a
    // reset after sending may have (and here did).
    let report = run(Faults {
        seed: 3,
        p503: 0.5,
        // Drawn after the 503s: every other request is reset.
        p_reset_after: 1.0,
        ..Faults::default()
    });
    assert_eq!(report.failed_total(), 20);
    let in_doubt = report.in_doubt;
    assert!(in_doubt > 0 && in_doubt < 20, "{in_doubt}");

    // The resume runs all of them again: the 503s are deleted by response,
    // the in-doubt ones are confirmed by their absence.
    let report = run(Faults::default());
    assert_eq!(report.skipped, 0);
    assert_eq!(report.retried_failures, 20 - in_doubt);
    assert_eq!(report.resumed_in_doubt, in_doubt);
    assert_eq!(report.deleted_by_response, 20 - in_doubt);
    assert_eq!(report.deleted_by_absence, in_doubt);
    for intent in &items {
        assert_eq!(counts(&emulator, intent).0, 1, "{intent} applied once");
    }
    // Now everything is final and skipped.
    let report = run(Faults::default());
    assert_eq!((report.skipped, report.done()), (20, 0));
}

#[test]
fn dry_run_sends_nothing_and_writes_no_journal() {
    let dir = temp_dir("dry");
    let journal = dir.join("dry.journal");
    let emulator = emulator();
    let jumio_only = Client::builder()
        .jumio(jumio_credentials())
        .base_url(&emulator.base_url())
        .build()
        .unwrap();
    let report = jumio_only
        .delete_many(
            mixed("dry", 30),
            BatchOptions::default().dry_run(true).journal(&journal),
        )
        .unwrap();
    assert!(report.dry_run);
    assert_eq!(report.would_delete, 20);
    assert_eq!(report.failed.get(&ErrorKind::InvalidConfig), Some(&10));
    assert_eq!(report.failures.len(), 10);
    assert_eq!(emulator.stats().total_requests, 0);
    assert!(!journal.exists());
}

#[test]
fn torn_last_line_is_cut_and_corrupt_lines_are_errors() {
    let dir = temp_dir("torn");
    let journal = dir.join("torn.journal");
    let emulator = emulator();
    let client = client(&emulator);
    let items = mixed("torn", 12);
    seed(&emulator, &items);
    client
        .delete_many(
            items[..10].to_vec(),
            BatchOptions::default().journal(&journal),
        )
        .unwrap();
    let complete = fs::read(&journal).unwrap();

    // A crash in the middle of writing a record.
    let mut torn = complete.clone();
    torn.extend_from_slice(br#"{"event":"sent","pos":10,"vendor":"jum"#);
    fs::write(&journal, &torn).unwrap();
    let report = client
        .delete_many(items.clone(), BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!(report.skipped, 10);
    assert_eq!(report.deleted(), 2);
    assert_eq!(report.journal_notes.len(), 1, "{:?}", report.journal_notes);
    assert!(report.journal_notes[0].contains("torn"));
    assert_eq!(outcomes(&journal).len(), 12);

    // Any other damaged line is an error naming it; nothing is sent.
    let requests = emulator.stats().total_requests;
    let text = String::from_utf8(complete).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = "{\"event\":\"sent\",\"pos\":1,garbage";
    fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let error = client
        .delete_many(items.clone(), BatchOptions::default().journal(&journal))
        .unwrap_err();
    match &error {
        BatchError::Journal(JournalError::Corrupt { line, path, .. }) => {
            assert_eq!(*line, 4);
            assert_eq!(path, &journal);
        }
        other => panic!("expected a corrupt journal, got {other}"),
    }
    assert!(error.to_string().contains("line 4"), "{error}");
    assert_eq!(emulator.stats().total_requests, requests);
}

#[test]
fn resume_refuses_another_input() {
    let dir = temp_dir("changed");
    let journal = dir.join("changed.journal");
    let emulator = emulator();
    let client = client(&emulator);
    let items = mixed("changed", 5);
    client
        .delete_many(items.clone(), BatchOptions::default().journal(&journal))
        .unwrap();
    let mut other = items;
    other[2] = scan("something-else");
    let error = client
        .delete_many(other, BatchOptions::default().journal(&journal))
        .unwrap_err();
    assert!(
        matches!(
            error,
            BatchError::Journal(JournalError::InputChanged {
                position: Some(2),
                ..
            })
        ),
        "{error}"
    );
}

#[test]
fn journal_records_outcomes_and_never_a_secret() {
    const TOKEN: &str = "CANARY-jumio-token-7f3a";
    const SECRET: &str = "CANARY-jumio-secret-91bc";
    const APP_ID: &str = "CANARY-hv-appid-55d1";
    const APP_KEY: &str = "CANARY-hv-appkey-c0de";
    let dir = temp_dir("canary");
    let journal = dir.join("canary.journal");
    let emulator = Emulator::start(Config {
        jumio_token: TOKEN.into(),
        jumio_secret: SECRET.into(),
        hyperverge_app_id: APP_ID.into(),
        hyperverge_app_key: APP_KEY.into(),
        faults: Faults {
            seed: 11,
            p503: 0.2,
            p_reset_after: 0.1,
            ..Faults::default()
        },
        ..Config::default()
    })
    .unwrap();
    let client = Client::builder()
        .jumio(JumioCredentials::new(TOKEN, SECRET, USER_AGENT).unwrap())
        .hyperverge(HyperVergeCredentials::new(APP_ID, APP_KEY).unwrap())
        .base_url(&emulator.base_url())
        .retry_policy(fast_policy(2))
        .build()
        .unwrap();
    let items = mixed("canary", 60);
    seed(&emulator, &items[..50]);
    let report = client
        .delete_many(items, BatchOptions::default().journal(&journal))
        .unwrap();
    // Which items the seeded faults hit depends on the workers' order, so
    // only totals are certain.
    assert_eq!(report.done(), 60);
    assert!(report.not_found <= 10);
    assert!(report.failed_total() > 0 || report.deleted_by_absence > 0);

    let text = fs::read_to_string(&journal).unwrap();
    use base64_free::encode;
    for canary in [TOKEN, SECRET, APP_ID, APP_KEY, "CANARY"] {
        assert!(!text.contains(canary), "{canary} leaked into the journal");
    }
    assert!(!text.contains(&encode(&format!("{TOKEN}:{SECRET}"))));
    let shown = format!("{report:?}");
    assert!(!shown.contains("CANARY"), "{shown}");

    let reader = JournalReader::open(&journal).unwrap();
    assert_eq!(
        reader.header().version,
        idv_delete_blocking::journal::VERSION
    );
    let outcomes = outcomes(&journal);
    assert_eq!(outcomes.len(), 60);
    let absent = outcomes
        .values()
        .filter(|o| {
            matches!(
                o,
                JournalOutcome::Deleted {
                    confirmed_by: ConfirmedBy::Absence,
                    ..
                }
            )
        })
        .count() as u64;
    assert_eq!(absent, report.deleted_by_absence);
}

/// Base64 without a dependency, to look for an encoded `token:secret`.
mod base64_free {
    pub fn encode(input: &str) -> String {
        const TABLE: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = input.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[test]
fn invalid_options_are_refused() {
    let emulator = emulator();
    let client = client(&emulator);
    for options in [
        BatchOptions::default().concurrency(0),
        BatchOptions::default().concurrency(257),
        BatchOptions::default().rate(0.0),
        BatchOptions::default().rate(f64::NAN),
    ] {
        assert!(matches!(
            client.delete_many(Vec::new(), options),
            Err(BatchError::InvalidOptions(_))
        ));
    }
}

#[test]
fn a_repeated_item_is_sent_once_and_journaled_as_a_duplicate() {
    let emulator = emulator();
    let client = client(&emulator);
    let unique = mixed("dup", 4);
    seed(&emulator, &unique);
    // Positions 4 and 5 repeat 1 and 0.
    let mut items = unique.clone();
    items.push(unique[1].clone());
    items.push(unique[0].clone());
    let dir = temp_dir("duplicates");
    let found = dir.join("found.journal");
    let known = dir.join("known.journal");
    let options = [
        (&found, BatchOptions::default()),
        (
            &known,
            BatchOptions::default().known_duplicates([(4, 1), (5, 0)].into()),
        ),
    ];
    for (journal, options) in options {
        emulator.reset();
        seed(&emulator, &unique);
        let report = client
            .delete_many(items.clone(), options.journal(journal))
            .unwrap();
        assert_eq!((report.deleted(), report.duplicates), (4, 2), "{report:?}");
        assert_eq!(report.not_found, 0);
        for intent in &unique {
            assert_eq!(counts(&emulator, intent), (1, 0), "{intent}");
        }
        let state = JournalState::read(journal).unwrap();
        assert_eq!(state.status(4), ItemStatus::Duplicate { of: 1 });
        assert_eq!(state.status(5), ItemStatus::Duplicate { of: 0 });
        assert_eq!(state.totals().duplicates, 2);
    }
}
