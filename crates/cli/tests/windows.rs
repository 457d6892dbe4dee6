//! Request windows through the command line (issue 18): `--window` and the
//! config file's `[windows]` refuse bad values with exit 2 before anything
//! is sent, and Veriff's windows, scaled down to 5 per 2 s and 10 per 10 s,
//! hold for a 12-session batch killed with SIGKILL while a window holds it
//! and resumed: the emulator, keeping the same windows, never answers 429.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::journal::{JournalOutcome, JournalReader, Record};
use idv_delete_emulator::{Config, Emulator, SeedItem};

const SESSIONS: usize = 12;
/// The scaled windows, as `--window` values and as the emulator's.
const WINDOWS: [(u32, u64); 2] = [(5, 2), (10, 10)];
/// The whole test stops itself within this.
const TIME_LIMIT: Duration = Duration::from_secs(40);

fn veriff_emulator() -> Emulator {
    Emulator::start(Config {
        jumio_secret: CANARY_SECRET.into(),
        veriff_windows: WINDOWS
            .iter()
            .map(|&(count, secs)| (count, Duration::from_secs(secs)))
            .collect(),
        ..Config::default()
    })
    .unwrap()
}

/// Seeds the sessions and writes their CSV; returns its path.
fn sessions_csv(emulator: &Emulator, dir: &Path) -> PathBuf {
    let mut csv = CSV_HEADER.to_owned();
    let mut seeds = Vec::new();
    for n in 0..SESSIONS {
        let id = format!("5e2a7c1d-3b2f-4a6e-9d8c-{n:012x}");
        csv.push_str(&format!("veriff,session,,{id}\n"));
        seeds.push(SeedItem::new("veriff", "session", &id));
    }
    emulator.seed(&seeds).unwrap();
    let input = dir.join("sessions.csv");
    write(&input, &csv);
    input
}

fn veriff_responses(emulator: &Emulator, status: u16) -> u64 {
    emulator
        .stats()
        .requests
        .get("veriff/session")
        .and_then(|by_status| by_status.get(&status))
        .copied()
        .unwrap_or(0)
}

/// The journal's `sent` records and its outcomes (with their times, in
/// seconds since the epoch).
fn journal_records(path: &Path) -> (usize, Vec<(f64, JournalOutcome)>) {
    let (mut sent, mut outcomes) = (0, Vec::new());
    for record in JournalReader::open(path).unwrap() {
        match record.unwrap() {
            Record::Sent(_) => sent += 1,
            Record::Outcome(outcome) => outcomes.push((seconds(&outcome.at), outcome.outcome)),
            _ => {}
        }
    }
    (sent, outcomes)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` in seconds since the epoch.
fn seconds(at: &str) -> f64 {
    let number = |range: std::ops::Range<usize>| at[range].parse::<i64>().unwrap();
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let clock: f64 = at[17..at.len() - 1].parse().unwrap();
    (days * 86_400 + number(11..13) * 3600 + number(14..16) * 60) as f64 + clock
}

#[test]
fn bad_windows_exit_2_before_anything_is_sent() {
    let emulator = veriff_emulator();
    let dir = scratch("bad-windows");
    let input = sessions_csv(&emulator, &dir);
    let base = emulator.base_url();
    let batch = |extra: &[&str]| {
        run(idv_delete(&emulator)
            .arg("batch")
            .arg(&input)
            .arg("--journal")
            .arg(dir.join("bad.journal"))
            .args(["--yes", "--base-url", &base])
            .args(extra))
    };
    for (args, says) in [
        (&["--window", "acme=5/60"][..], "unknown vendor \"acme\""),
        (&["--window", "veriff=0/60"], "0 requests"),
        (&["--window", "veriff=five/60"], "not a whole number"),
        (&["--window", "veriff=5/an-hour"], "not a number of seconds"),
        (&["--window", "veriff"], "VENDOR=COUNT/SECONDS"),
        (
            &["--window", "veriff=none", "--window", "veriff=5/60"],
            "--window veriff=none lifts",
        ),
    ] {
        let (code, stdout, stderr) = batch(args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let config = dir.join("config.toml");
    for (table, says) in [
        ("veriff = [\"5/0\"]", "veriff under [windows]"),
        ("acme = []", "acme under [windows]"),
    ] {
        write(&config, &format!("[windows]\n{table}\n"));
        let (code, stdout, stderr) = batch(&["--config", config.to_str().unwrap()]);
        assert_eq!(code, 2, "{table}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{table}: {stderr}");
    }
    assert_eq!(emulator.stats().total_requests, 0, "nothing was sent");
    assert!(!dir.join("bad.journal").exists());
}

/// Run 1 is killed (SIGKILL) once it has journaled 5 outcomes, while the
/// 2-second window holds the rest; its journal then has exactly 5 `sent`
/// records (the held items took no window slot and wrote none). Run 2
/// resumes: it counts those 5 in its windows, sends 5 more after 2 s and
/// the last 2 after 10 s. Every session ends scheduled; the emulator, with
/// the same windows, answered no 429; and no 2 s span of the journal's
/// outcomes holds more than 5 sends, no 10 s span more than 10.
#[test]
fn scaled_veriff_windows_hold_across_a_kill_and_a_resume() {
    let started = Instant::now();
    let emulator = veriff_emulator();
    let dir = scratch("veriff-kill");
    let input = sessions_csv(&emulator, &dir);
    let journal = dir.join("sessions.journal");
    let base = emulator.base_url();
    let batch = || {
        let mut command = idv_delete(&emulator);
        command
            .arg("batch")
            .arg(&input)
            .arg("--journal")
            .arg(&journal)
            .args(["--yes", "--base-url", &base, "--output", "json"]);
        for (count, secs) in WINDOWS {
            command.args(["--window", &format!("veriff={count}/{secs}")]);
        }
        command
    };

    let mut first = batch()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        let answered = journal.exists() && journal_records(&journal).1.len() >= 5;
        if answered {
            break;
        }
        assert!(
            first.try_wait().unwrap().is_none(),
            "run 1 ended before it was killed"
        );
        assert!(started.elapsed() < TIME_LIMIT, "run 1 sent nothing");
        thread::sleep(Duration::from_millis(10));
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let (sent, outcomes) = journal_records(&journal);
    assert_eq!(
        (sent, outcomes.len(), veriff_responses(&emulator, 200)),
        (5, 5, 5),
        "killed while the window held the rest: only the 5 answered were sent"
    );

    let (code, stdout, stderr) = run(&mut batch());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["scheduled"], 7, "{report}");
    assert_eq!(report["skipped"], 5, "{report}");

    let (_, outcomes) = journal_records(&journal);
    assert_eq!(outcomes.len(), SESSIONS);
    assert!(
        outcomes
            .iter()
            .all(|(_, outcome)| matches!(outcome, JournalOutcome::Scheduled { attempts: 1, .. })),
        "{outcomes:?}"
    );
    assert_eq!(veriff_responses(&emulator, 429), 0, "a window was exceeded");
    assert_eq!(veriff_responses(&emulator, 200), SESSIONS as u64);
    assert_eq!(emulator.stats().deletes_applied, SESSIONS as u64);
    // Each outcome is journaled a few milliseconds after its answer, the
    // time the client counts it at: allow that much.
    let mut times: Vec<f64> = outcomes.iter().map(|(at, _)| *at).collect();
    times.sort_by(f64::total_cmp);
    for (count, secs) in WINDOWS {
        let count = count as usize;
        for (earlier, later) in times.iter().zip(&times[count..]) {
            assert!(
                later - earlier > secs as f64 - 0.1,
                "{} sends within {secs} s: {times:?}",
                count + 1
            );
        }
    }
    assert!(started.elapsed() < TIME_LIMIT, "{:?}", started.elapsed());
}
