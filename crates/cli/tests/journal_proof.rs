//! The journal as proof, attacked the ways an auditor found: two runs on
//! one journal, an interrupted run, a journal cut in half, duplicate rows,
//! a resume against another endpoint, a stale lock, a damaged line.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::*;
use idv_delete_emulator::{Emulator, Faults};
use serde_json::Value;

fn batch(emulator: &Emulator, csv: &Path, journal: &Path, base_url: &str) -> Command {
    let mut command = idv_delete(emulator);
    command
        .arg("batch")
        .arg(csv)
        .arg("--journal")
        .arg(journal)
        .args(["--yes", "--base-url", base_url]);
    command
}

fn verify(emulator: &Emulator, journal: &Path) -> (i32, String) {
    let (code, stdout, _) = run(idv_delete(emulator).arg("verify").arg(journal));
    (code, stdout)
}

fn verify_json(emulator: &Emulator, journal: &Path) -> (i32, Value) {
    let (code, stdout, _) = run(idv_delete(emulator)
        .arg("verify")
        .arg(journal)
        .args(["--output", "json"]));
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, report)
}

fn slow(emulator: &Emulator, latency_ms: u64) {
    emulator
        .set_faults(Faults {
            latency_ms,
            ..Faults::default()
        })
        .unwrap();
}

/// Waits until the journal holds `count` lines containing `needle`.
fn wait_for(journal: &Path, needle: &str, count: usize, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(journal).unwrap_or_default();
        if text.matches(needle).count() >= count {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        assert!(
            Instant::now() < deadline,
            "{needle} x{count} never appeared"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> (i32, String, String) {
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_second_run_on_the_same_journal_refuses_at_once_and_the_first_verifies() {
    let emulator = emulator();
    let dir = scratch("proof-lock");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 200));
    slow(&emulator, 10);
    let base = emulator.base_url();
    let mut first = spawn(batch(&emulator, &csv, &journal, &base).args(["--concurrency", "2"]));
    wait_for(&journal, "\"event\":\"sent\"", 5, &mut first);

    let started = Instant::now();
    let (code, _, stderr) =
        run(batch(&emulator, &csv, &journal, &base).args(["--concurrency", "2"]));
    let refused_in = started.elapsed();
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("in use by another run (pid {}", first.id())),
        "{stderr}"
    );
    assert!(refused_in < Duration::from_secs(10), "{refused_in:?}");

    let (code, stdout, stderr) = finish(first);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout) = verify(&emulator, &journal);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("complete: every item of the input (200)"),
        "{stdout}"
    );
    assert_eq!(emulator.stats().total_requests, 200);
    assert!(!dir.join("j.lock").exists());
}

#[test]
fn an_interrupted_run_is_incomplete_and_verify_names_the_items_never_attempted() {
    let emulator = emulator();
    let dir = scratch("proof-interrupted");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 100));
    slow(&emulator, 20);
    let base = emulator.base_url();
    let mut child = spawn(batch(&emulator, &csv, &journal, &base).args(["--concurrency", "1"]));
    wait_for(&journal, "\"event\":\"outcome\"", 16, &mut child);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, 130, "{stdout}{stderr}");

    let (code, stdout) = verify(&emulator, &journal);
    assert_eq!(code, 6, "{stdout}");
    assert!(stdout.contains("INCOMPLETE"), "{stdout}");
    assert!(stdout.contains("was cancelled after"), "{stdout}");
    assert!(
        stdout.contains("items were never attempted: items"),
        "{stdout}"
    );
    let (_, report) = verify_json(&emulator, &journal);
    let missing = report["summary"]["not_attempted"].as_u64().unwrap();
    assert!(missing > 0 && missing < 100, "{report}");

    // The same command finishes it; then the journal proves it all.
    slow(&emulator, 0);
    let (code, stdout, stderr) = run(&mut batch(&emulator, &csv, &journal, &base));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout) = verify(&emulator, &journal);
    assert_eq!(code, 0, "{stdout}");
    for reference in (0..100).map(|i| format!("batch-{i:04}")) {
        let applied_once = applied(&emulator, "jumio", "scan", &reference)
            + applied(&emulator, "hyperverge", "transaction", &reference);
        assert_eq!(applied_once, 1, "{reference}");
    }
}

#[test]
fn a_journal_cut_in_half_does_not_verify() {
    let emulator = emulator();
    let dir = scratch("proof-cut");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 40));
    let (code, _, stderr) = run(&mut batch(&emulator, &csv, &journal, &emulator.base_url()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(verify(&emulator, &journal).0, 0);

    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = dir.join("cut");
    write(&cut, &(lines[..lines.len() / 2].join("\n") + "\n"));
    let (code, stdout) = verify(&emulator, &cut);
    assert_eq!(code, 6, "{stdout}");
    assert!(stdout.contains("run 1 did not end"), "{stdout}");
    assert!(
        stdout.contains("of the input's 40 items were never attempted"),
        "{stdout}"
    );
}

#[test]
fn duplicate_rows_are_deleted_once() {
    let emulator = emulator();
    let dir = scratch("proof-duplicates");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    let rows = seed_batch(&emulator, 6);
    let body: Vec<&str> = rows.lines().skip(1).collect();
    // Rows 1 and 4 again, at the end, and row 1 a third time.
    let text = format!("{rows}{}\n{}\n{}\n", body[0], body[3], body[0]);
    write(&csv, &text);
    let (code, stdout, stderr) =
        run(batch(&emulator, &csv, &journal, &emulator.base_url()).args(["--output", "json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted"], 6, "{summary}");
    assert_eq!(summary["duplicates"], 3, "{summary}");
    assert_eq!(summary["not_found"], 0, "{summary}");
    assert_eq!(emulator.stats().total_requests, 6);

    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["duplicates"], 3);
    assert_eq!(report["summary"]["deleted"], 6);
    assert_eq!(report["complete"], true);
}

#[test]
fn a_resume_against_another_endpoint_is_refused_unless_allowed() {
    let first = emulator();
    let other = emulator();
    let dir = scratch("proof-endpoint");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    let rows = seed_batch(&first, 10);
    write(&csv, &rows);
    // Every answer is lost after the deletion: the items end in doubt.
    first
        .set_faults(Faults {
            p_reset_after: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let (code, _, _) =
        run(batch(&first, &csv, &journal, &first.base_url()).args(["--max-attempts", "1"]));
    assert_eq!(code, 4);

    let (code, _, stderr) = run(&mut batch(&other, &csv, &journal, &other.base_url()));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("requests to {}, this run", first.base_url())),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-endpoint-change"), "{stderr}");
    assert_eq!(other.stats().total_requests, 0);

    // Back at the first endpoint, the in-doubt items are confirmed.
    first.set_faults(Faults::default()).unwrap();
    let (code, stdout, stderr) =
        run(batch(&first, &csv, &journal, &first.base_url()).args(["--output", "json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted_by_absence"], 10, "{summary}");

    // Allowed explicitly, another endpoint is accepted (nothing left to send).
    let (code, _, stderr) =
        run(batch(&other, &csv, &journal, &other.base_url()).arg("--allow-endpoint-change"));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_stale_lock_of_a_dead_run_does_not_block() {
    let emulator = emulator();
    let dir = scratch("proof-stale-lock");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 5));
    let lock = dir.join("j.lock");
    write(&lock, "pid 999999 on a-machine-that-crashed\n");
    let (code, _, stderr) = run(&mut batch(&emulator, &csv, &journal, &emulator.base_url()));
    assert_eq!(code, 0, "{stderr}");
    assert!(!lock.exists(), "the lock file is removed when the run ends");
}

#[test]
fn a_damaged_journal_is_salvaged_and_its_items_confirmed_not_called_not_found() {
    let emulator = emulator();
    let dir = scratch("proof-salvage");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 20));
    let base = emulator.base_url();
    let (code, _, stderr) = run(&mut batch(&emulator, &csv, &journal, &base));
    assert_eq!(code, 0, "{stderr}");

    // Damage the outcome of one deleted item.
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let damaged = lines
        .iter()
        .position(|l| l.contains("\"event\":\"outcome\""))
        .unwrap();
    lines[damaged] = "{\"event\":\"outcome\",garbage".into();
    write(&journal, &(lines.join("\n") + "\n"));

    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 1);
    assert_eq!(report["valid"], false);
    assert_eq!(report["error"]["line"], damaged as u64 + 1, "{report}");
    let (code, _, stderr) = run(&mut batch(&emulator, &csv, &journal, &base));
    assert_eq!(code, 1);
    assert!(stderr.contains("idv-delete salvage"), "{stderr}");
    let requests = emulator.stats().total_requests;

    let (code, stdout, _) = run(idv_delete(&emulator).arg("salvage").arg(&journal));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("dropped 1 lines"), "{stdout}");
    let kept = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("j.damaged-"))
        .count();
    assert_eq!(kept, 1, "the damaged original is kept");
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 4, "{report}");
    assert_eq!(report["summary"]["in_doubt"], 1, "{report}");
    assert_eq!(emulator.stats().total_requests, requests);

    // The next run confirms the item by absence instead of calling it
    // not found, and the journal proves everything again.
    let (code, stdout, stderr) =
        run(batch(&emulator, &csv, &journal, &base).args(["--output", "json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted_by_absence"], 1, "{summary}");
    assert_eq!(summary["not_found"], 0, "{summary}");
    let (code, stdout) = verify(&emulator, &journal);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn the_failed_resent_killed_item_is_counted_once() {
    let emulator = emulator();
    let journal = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/journals/failed-resent-killed.jsonl");
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["summary"]["in_doubt"], 3, "{report}");
    assert_eq!(report["summary"]["failed"], 0, "{report}");
    assert_eq!(report["items"].as_array().unwrap().len(), 3, "{report}");
}
