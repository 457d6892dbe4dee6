//! Kill and resume through the command line: `idv-delete batch` with a
//! journal, against the emulator started in this process (with latency, so
//! that kills land mid-batch, and faults), is killed with SIGKILL at seeded
//! random instants, at least ten times, and resumed each time by running
//! the same command again, until a run exits 0. Then the journal (read
//! with `JournalReader` and through `idv-delete verify --output json`) and
//! the emulator's counts must agree: exactly one final outcome per item,
//! every seeded item applied exactly once and reported deleted, no item the
//! emulator applied reported not found, nothing reported deleted that the
//! emulator still holds.
//!
//! The seed can be changed with `IDV_DELETE_KILL_SEED` to explore other
//! kill points; the test prints the one it used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use idv_delete_blocking::journal::{
    ItemStatus, JournalOutcome, JournalReader, JournalState, Record,
};
use idv_delete_blocking::ConfirmedBy;
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

const BIN: &str = env!("CARGO_BIN_EXE_idv-delete");
const ITEMS: usize = 400;
const CONCURRENCY: usize = 8;
/// Every this many items, one is never seeded (an unknown reference).
const UNSEEDED_EVERY: usize = 40;
const KILLS: usize = 12;
/// Kills come this long after the start of a run, uniformly at random.
const KILL_AFTER_MS: (u64, u64) = (20, 180);
/// Emulator latency per request: `LATENCY_MS` plus up to as much again.
const LATENCY_MS: u64 = 50;
/// Runs after the kills, to let the batch finish (failed items are run
/// again by each).
const MAX_FINAL_RUNS: usize = 10;
/// The whole test, kills and resumes, ends within this.
const TIME_LIMIT: Duration = Duration::from_secs(60);
const DEFAULT_SEED: u64 = 0x6b11_2e5e;

/// SplitMix64: reproducible kill instants without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// Row `i` of the CSV: (vendor, product, region, reference, seeded).
fn row(i: usize) -> (&'static str, &'static str, &'static str, String, bool) {
    let seeded = i % UNSEEDED_EVERY != 13;
    let reference = format!("kill-{i:04}");
    let (vendor, product, region) = match i % 5 {
        0 => ("jumio", "scan", "eu"),
        1 => ("jumio", "document", "us"),
        2 => ("jumio", "authentication", "sgp"),
        _ => ("hyperverge", "transaction", ""),
    };
    (vendor, product, region, reference, seeded)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("idv-delete-kill-resume-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The batch command, with the emulator's credentials and nothing else
/// from our environment.
fn batch_command(emulator: &Emulator, home: &Path, csv: &Path, journal: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("JUMIO_API_TOKEN", idv_delete_emulator::DEFAULT_JUMIO_TOKEN)
        .env(
            "JUMIO_API_SECRET",
            idv_delete_emulator::DEFAULT_JUMIO_SECRET,
        )
        .env("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0")
        .env(
            "HYPERVERGE_APP_ID",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_ID,
        )
        .env(
            "HYPERVERGE_APP_KEY",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
        )
        .arg("batch")
        .arg(csv)
        .arg("--journal")
        .arg(journal)
        .args([
            "--yes",
            "--concurrency",
            &CONCURRENCY.to_string(),
            "--output",
            "json",
            "--base-url",
            &emulator.base_url(),
        ])
        .stdin(Stdio::null());
    command
}

/// Waits for `child` until `deadline`; kills it (and fails) past it.
fn wait_until(child: &mut Child, deadline: Instant) -> std::process::ExitStatus {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a run of the batch did not end within the test's time limit");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Positions sent without an outcome since their last one: in doubt.
/// `None` while the journal has no complete header (a kill before it).
fn in_doubt(journal: &Path) -> Option<usize> {
    let state = JournalState::read(journal).ok()?;
    Some(
        (0..state.positions())
            .filter(|&p| state.status(p) == ItemStatus::InDoubt)
            .count(),
    )
}

#[test]
fn sigkilled_batches_resume_to_exactly_once_erasure() {
    let started = Instant::now();
    let deadline = started + TIME_LIMIT;
    let seed = std::env::var("IDV_DELETE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    eprintln!("kill-resume: seed {seed} (set IDV_DELETE_KILL_SEED to change it)");
    let mut rng = Rng(seed);
    // The kill instants, drawn up front. Their sum stays below the least
    // time the whole batch can take (ITEMS x LATENCY_MS / CONCURRENCY, not
    // counting retries), so every kill lands on a running batch.
    let kill_after: Vec<Duration> = (0..KILLS)
        .map(|_| Duration::from_millis(rng.between(KILL_AFTER_MS.0, KILL_AFTER_MS.1)))
        .collect();
    let least_batch = Duration::from_millis(ITEMS as u64 * LATENCY_MS / CONCURRENCY as u64);
    assert!(kill_after.iter().sum::<Duration>() < least_batch);

    let emulator = Emulator::start(Config {
        faults: Faults {
            seed,
            latency_ms: LATENCY_MS,
            latency_jitter_ms: LATENCY_MS,
            p500: 0.02,
            p503: 0.03,
            p_reset_before: 0.02,
            p_reset_after: 0.03,
            p_truncate: 0.02,
            ..Faults::default()
        },
        ..Config::default()
    })
    .unwrap();
    let dir = scratch("run");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let csv = dir.join("erasures.csv");
    let journal = dir.join("erasures.journal");
    let rows: Vec<_> = (0..ITEMS).map(row).collect();
    let mut text = String::from("vendor,product,region,reference\n");
    let mut seeds = Vec::new();
    for (vendor, product, region, reference, seeded) in &rows {
        text.push_str(&format!("{vendor},{product},{region},{reference}\n"));
        if *seeded {
            seeds.push(SeedItem::new(vendor, product, reference));
        }
    }
    std::fs::write(&csv, text).unwrap();
    emulator.seed(&seeds).unwrap();

    // Kill, resume, kill again...
    let mut kills = 0;
    let mut doubted = 0;
    let mut exits = Vec::new();
    for after in &kill_after {
        let mut child = batch_command(&emulator, &home, &csv, &journal)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(*after);
        match child.try_wait().unwrap() {
            None => {
                child.kill().unwrap(); // SIGKILL
                let status = child.wait().unwrap();
                assert_eq!(status.code(), None, "killed by a signal");
                kills += 1;
            }
            Some(status) => exits.push(status.code()),
        }
        if let Some(n) = in_doubt(&journal) {
            doubted += n;
        }
        assert!(Instant::now() < deadline, "out of time after {kills} kills");
    }
    assert!(
        kills >= 10,
        "only {kills} kills landed on a running batch (others exited {exits:?})"
    );

    // ...then the same command until it exits 0.
    let mut finals = Vec::new();
    let summary = loop {
        assert!(
            finals.len() < MAX_FINAL_RUNS,
            "no clean exit after {MAX_FINAL_RUNS} runs: {finals:?}"
        );
        let mut child = batch_command(&emulator, &home, &csv, &journal)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
        let stderr = child.stderr.take().unwrap();
        let err_reader = thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
        let status = wait_until(&mut child, deadline);
        let (stdout, stderr) = (reader.join().unwrap(), err_reader.join().unwrap());
        let code = status.code();
        finals.push(code);
        // 3: unknown references were found missing in this run; 4: some
        // items failed through the faults. Both finish on a later run.
        assert!(
            matches!(code, Some(0 | 3 | 4)),
            "exit {code:?}:\n{stdout}\n{stderr}"
        );
        if code == Some(0) {
            break serde_json::from_str::<serde_json::Value>(&stdout)
                .unwrap_or_else(|e| panic!("{e}: {stdout}"));
        }
    };
    assert_eq!(summary["failed_total"], 0, "{summary}");
    assert_eq!(summary["cancelled"], false);

    // The journal: exactly one final outcome per item, nothing after it.
    let mut finals_by_position: HashMap<usize, JournalOutcome> = HashMap::new();
    let mut resumed_sent = 0;
    let mut runs = 0;
    for record in JournalReader::open(&journal).unwrap() {
        match record.unwrap() {
            Record::Run(_) => runs += 1,
            Record::End(_) | Record::Duplicate(_) | Record::Salvaged(_) => {}
            Record::Sent(s) => {
                let p = s.position as usize;
                assert!(
                    !finals_by_position.contains_key(&p),
                    "position {p} sent again after its final outcome"
                );
                assert_eq!(s.intent.reference(), rows[p].3);
                resumed_sent += usize::from(s.resumed);
            }
            Record::Outcome(o) => {
                let p = o.position as usize;
                assert_eq!(o.intent.reference(), rows[p].3);
                assert!(
                    !finals_by_position.contains_key(&p),
                    "position {p} has two final outcomes"
                );
                if !matches!(o.outcome, JournalOutcome::Failed { .. }) {
                    finals_by_position.insert(p, o.outcome);
                }
            }
        }
    }
    assert_eq!(
        finals_by_position.len(),
        ITEMS,
        "one final outcome per item"
    );

    // The journal against the emulator.
    let stats = emulator.stats();
    let counts: HashMap<(String, String, String), u64> = stats
        .references
        .iter()
        .map(|r| {
            (
                (r.vendor.clone(), r.product.clone(), r.reference.clone()),
                r.applied,
            )
        })
        .collect();
    let mut deleted = 0;
    let mut by_absence = 0;
    let mut not_found = 0;
    for (p, (vendor, product, _, reference, seeded)) in rows.iter().enumerate() {
        let applied = counts
            .get(&(vendor.to_string(), product.to_string(), reference.clone()))
            .copied()
            .unwrap_or(0);
        let outcome = finals_by_position[&p].clone();
        let what = format!("row {p} {vendor}/{product}/{reference} (seeded: {seeded}): {outcome:?}, applied {applied}");
        match outcome {
            JournalOutcome::Deleted { confirmed_by, .. } => {
                deleted += 1;
                if confirmed_by == ConfirmedBy::Absence {
                    by_absence += 1;
                }
                if *seeded {
                    assert_eq!(applied, 1, "deleted exactly once: {what}");
                } else {
                    assert_eq!(applied, 0, "{what}");
                    assert_eq!(
                        confirmed_by,
                        ConfirmedBy::Absence,
                        "never held, so never confirmed by a 2xx: {what}"
                    );
                }
            }
            JournalOutcome::NotFound { .. } => {
                not_found += 1;
                assert!(!seeded, "a held transaction reported not found: {what}");
                assert_eq!(applied, 0, "applied but reported not found: {what}");
            }
            // Jumio and HyperVerge erase at once: nothing is scheduled.
            JournalOutcome::Failed { .. } | JournalOutcome::Scheduled { .. } => {
                panic!("not a final outcome of this batch: {what}")
            }
        }
    }
    assert_eq!(
        stats.transactions_present, 0,
        "nothing is still held: every seeded item was deleted"
    );
    assert_eq!(stats.deletes_applied, seeds.len() as u64);

    // `verify` tells the same story.
    let output = Command::new(BIN)
        .env_clear()
        .arg("verify")
        .arg(&journal)
        .args(["--output", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let expected_code = if not_found > 0 { 3 } else { 0 };
    assert_eq!(output.status.code(), Some(expected_code), "{text}");
    let summary = &report["summary"];
    assert_eq!(summary["deleted"], deleted, "{summary}");
    assert_eq!(summary["deleted_by_absence"], by_absence, "{summary}");
    assert_eq!(summary["not_found"], not_found, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["in_doubt"], 0, "{summary}");
    assert_eq!(summary["runs"], runs, "{summary}");
    let listed = report["items"].as_array().unwrap();
    assert_eq!(listed.len(), ITEMS, "one line per item");
    let mut positions: Vec<u64> = listed
        .iter()
        .map(|item| item["position"].as_u64().unwrap())
        .collect();
    positions.sort_unstable();
    positions.dedup();
    assert_eq!(positions.len(), ITEMS, "no item listed twice");
    for item in listed {
        let p = item["position"].as_u64().unwrap() as usize;
        let expected = match finals_by_position[&p] {
            JournalOutcome::Deleted { .. } => "deleted",
            _ => "not_found",
        };
        assert_eq!(item["result"], expected, "{item}");
    }

    let elapsed = started.elapsed();
    eprintln!(
        "kill-resume: {kills} kills, {doubted} in-doubt items seen after kills, {resumed_sent} re-sent in doubt, {} final runs {finals:?}, {runs} runs in the journal; {deleted} deleted ({by_absence} by absence), {not_found} not found; {} requests; {elapsed:.1?}",
        finals.len(),
        stats.total_requests,
    );
    assert!(doubted > 0, "some kill left items in doubt");
    assert!(resumed_sent > 0, "in-doubt items were re-run as such");
    assert!(elapsed < TIME_LIMIT, "took {elapsed:?}");
    emulator.shutdown();
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}
