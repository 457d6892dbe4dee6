//! Kill and resume: a journaled batch runs in a child process (this test
//! binary re-executed in child mode) and is killed with SIGKILL at several
//! points; the emulator lives in the parent. Resuming must end with exactly
//! one outcome per item, every item deleted exactly once at the emulator,
//! and no deleted item reported as not found.

mod common;

use std::collections::HashMap;
use std::env;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::journal::{JournalOutcome, JournalReader, Record};
use idv_delete_blocking::BatchOptions;
use idv_delete_emulator::Faults;

const CHILD_ENV: &str = "IDV_DELETE_BLOCKING_CRASH_CHILD";
const ITEMS: usize = 400;

/// Child mode: runs the batch described by the environment, then exits.
/// Without the variable (a normal test run) it does nothing.
#[test]
fn crash_child() {
    let Ok(spec) = env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.split('|');
    let (Some(base_url), Some(journal)) = (parts.next(), parts.next()) else {
        panic!("bad child spec {spec:?}");
    };
    let client = builder(base_url)
        .retry_policy(fast_policy(10))
        .build()
        .unwrap();
    let report = client
        .delete_many(
            mixed("crash", ITEMS),
            BatchOptions::default().concurrency(8).journal(journal),
        )
        .unwrap();
    assert!(report.all_succeeded(), "{report:?}");
}

fn spawn_child(base_url: &str, journal: &Path) -> Child {
    Command::new(env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{base_url}|{}", journal.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn lines(journal: &Path) -> usize {
    fs::read(journal)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Positions sent without an outcome, right now.
fn in_doubt(journal: &Path) -> usize {
    let mut sent: HashMap<u64, bool> = HashMap::new();
    for record in JournalReader::open(journal).unwrap() {
        match record.unwrap() {
            Record::Sent(s) => {
                sent.entry(s.position).or_insert(false);
            }
            Record::Outcome(o) => {
                sent.insert(o.position, true);
            }
            _ => {}
        }
    }
    sent.values().filter(|done| !**done).count()
}

#[test]
fn killed_batches_resume_to_exactly_once() {
    let emulator = emulator_with(Faults {
        seed: 5,
        latency_ms: 8,
        p503: 0.03,
        p_reset_after: 0.03,
        ..Faults::default()
    });
    let items = mixed("crash", ITEMS);
    seed(&emulator, &items);
    let dir = env::temp_dir().join(format!("idv-delete-blocking-crash-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("crash.journal");

    // Kill when the journal reaches these line counts (about 2 per item).
    let mut kills = 0;
    let mut doubted = 0;
    for kill_at in [60, 300, 560] {
        let mut child = spawn_child(&emulator.base_url(), &journal);
        let deadline = Instant::now() + Duration::from_secs(20);
        while lines(&journal) < kill_at && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            thread::sleep(Duration::from_millis(1));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let status = child.wait().unwrap();
        assert!(!status.success() || lines(&journal) >= kill_at);
        doubted += in_doubt(&journal);
    }
    assert_eq!(kills, 3, "every kill hit a running batch");
    assert!(doubted > 0, "some kill left items in doubt");

    // The last run goes to the end.
    let status = spawn_child(&emulator.base_url(), &journal).wait().unwrap();
    assert!(status.success());

    let mut outcomes: HashMap<u64, JournalOutcome> = HashMap::new();
    for record in JournalReader::open(&journal).unwrap() {
        if let Record::Outcome(o) = record.unwrap() {
            assert_eq!(o.intent, items[o.position as usize]);
            assert!(
                outcomes.insert(o.position, o.outcome).is_none(),
                "two outcomes for position {}",
                o.position
            );
        }
    }
    assert_eq!(outcomes.len(), ITEMS, "one outcome per item");
    for (position, outcome) in &outcomes {
        assert!(
            matches!(outcome, JournalOutcome::Deleted { .. }),
            "item {position} ended {outcome:?}"
        );
    }
    let stats = emulator.stats();
    for intent in &items {
        let target = intent.target();
        let counts = stats
            .reference(
                target.vendor().as_str(),
                target.product_name(),
                intent.reference(),
            )
            .unwrap();
        assert_eq!(counts.applied, 1, "{intent} deleted exactly once");
    }
    assert_eq!(stats.deletes_applied, ITEMS as u64);
    let _ = fs::remove_dir_all(&dir);
}
