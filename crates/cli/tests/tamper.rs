//! The journal's hash chain through the command line: a journal written by
//! a real `idv-delete batch` against the emulator, then edited the ways a
//! hand could (one byte of an outcome, a line removed, two lines swapped,
//! a line inserted). `verify` must exit 1 naming the exact first bad line,
//! in text and in JSON (`kind` `tampered`); the untouched journal verifies
//! clean with the fingerprint the batch printed; a batch killed with
//! SIGKILL and resumed verifies clean and chained; an old journal written
//! before the chain verifies and says it is unchained.

use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::*;
use idv_delete_emulator::{Emulator, Faults};
use serde_json::Value;

fn batch(emulator: &Emulator, csv: &Path, journal: &Path) -> Command {
    let mut command = idv_delete(emulator);
    command
        .arg("batch")
        .arg(csv)
        .arg("--journal")
        .arg(journal)
        .args(["--yes", "--concurrency", "1", "--base-url"])
        .arg(emulator.base_url());
    command
}

/// Runs a batch to its end; its JSON summary.
fn batch_json(emulator: &Emulator, csv: &Path, journal: &Path) -> Value {
    let (code, stdout, stderr) = run(batch(emulator, csv, journal).args(["--output", "json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn verify_text(emulator: &Emulator, journal: &Path) -> (i32, String, String) {
    run(idv_delete(emulator).arg("verify").arg(journal))
}

fn verify_json(emulator: &Emulator, journal: &Path) -> (i32, Value) {
    let (code, stdout, _) = run(idv_delete(emulator)
        .arg("verify")
        .arg(journal)
        .args(["--output", "json"]));
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, report)
}

fn lines(journal: &Path) -> Vec<String> {
    std::fs::read_to_string(journal)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn rewrite(journal: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(journal, text).unwrap();
}

/// `verify` on an edited journal: exit 1, the first bad line named in the
/// text (on stderr) and in the JSON.
fn assert_tampered_at(emulator: &Emulator, journal: &Path, line: u64, what: &str) {
    let (code, stdout, stderr) = verify_text(emulator, journal);
    assert_eq!(code, 1, "{what}: {stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "line {line}: the hash chain breaks here: a line was edited, removed, inserted or moved at or before this line"
        )),
        "{what}: {stderr}"
    );
    assert!(stderr.contains("keep the file as evidence"), "{stderr}");
    assert!(!stdout.contains("complete: every item"), "{what}: {stdout}");
    let (code, report) = verify_json(emulator, journal);
    assert_eq!(code, 1, "{what}: {report}");
    assert_eq!(report["valid"], false, "{what}: {report}");
    assert_eq!(report["error"]["kind"], "tampered", "{what}: {report}");
    assert_eq!(report["error"]["line"], line, "{what}: {report}");
}

#[test]
fn each_edit_of_a_batch_journal_is_named_at_its_first_bad_line() {
    let emulator = emulator();
    let dir = scratch("tamper-edits");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 6));
    let summary = batch_json(&emulator, &csv, &journal);
    let printed = summary["journal_fingerprint"]
        .as_str()
        .unwrap_or_else(|| panic!("no fingerprint: {summary}"))
        .to_owned();
    assert_eq!(printed.len(), 64, "{printed}");
    assert!(printed.bytes().all(|b| b.is_ascii_hexdigit()), "{printed}");

    // Untouched: clean, chained, the fingerprint the batch printed.
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["valid"], true);
    assert_eq!(report["chained"], true);
    assert_eq!(report["fingerprint"], printed.as_str());
    let (code, stdout, stderr) = verify_text(&emulator, &journal);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "chained: every line follows from the one before; fingerprint {printed}"
        )),
        "{stdout}"
    );

    let original = lines(&journal);
    // With concurrency 1: header, run, then a sent and an outcome per
    // item, then end.
    assert_eq!(original.len(), 2 + 2 * 6 + 1, "{original:?}");
    let outcome = original
        .iter()
        .position(|l| l.contains(r#""event":"outcome""#))
        .unwrap();
    assert_eq!(outcome, 3, "the first outcome is line 4: {original:?}");

    // (a) One byte of an outcome: its attempts.
    let mut edited = original.clone();
    assert!(edited[outcome].contains(r#""attempts":1"#), "{edited:?}");
    edited[outcome] = edited[outcome].replacen(r#""attempts":1"#, r#""attempts":2"#, 1);
    rewrite(&journal, &edited);
    assert_tampered_at(&emulator, &journal, 4, "one byte edited in line 4");

    // (b) Line 5 removed: line 6 becomes line 5 and does not follow.
    let mut removed = original.clone();
    removed.remove(4);
    rewrite(&journal, &removed);
    assert_tampered_at(&emulator, &journal, 5, "line 5 removed");

    // (c) Lines 7 and 8 swapped.
    let mut swapped = original.clone();
    swapped.swap(6, 7);
    rewrite(&journal, &swapped);
    assert_tampered_at(&emulator, &journal, 7, "lines 7 and 8 swapped");

    // (d) A genuine earlier line copied in as line 10.
    let mut inserted = original.clone();
    inserted.insert(9, original[3].clone());
    rewrite(&journal, &inserted);
    assert_tampered_at(
        &emulator,
        &journal,
        10,
        "a copy of line 4 inserted as line 10",
    );

    // (d') A plain record without a chain inserted as line 3.
    let mut plain = original.clone();
    plain.insert(
        2,
        r#"{"event":"duplicate","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"batch-0001","at":"2026-01-01T00:00:00.000Z","of":1}"#.into(),
    );
    rewrite(&journal, &plain);
    assert_tampered_at(
        &emulator,
        &journal,
        3,
        "an unchained line inserted as line 3",
    );

    // Put back as written: clean again, the same fingerprint.
    rewrite(&journal, &original);
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["fingerprint"], printed.as_str());
}

#[test]
fn a_sigkilled_batch_resumes_and_verifies_clean_and_chained() {
    let emulator = emulator();
    let dir = scratch("tamper-kill");
    let (csv, journal) = (dir.join("in.csv"), dir.join("j"));
    write(&csv, &seed_batch(&emulator, 60));
    emulator
        .set_faults(Faults {
            latency_ms: 20,
            ..Faults::default()
        })
        .unwrap();
    let mut child = batch(&emulator, &csv, &journal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .matches(r#""event":"outcome""#)
        .count()
        < 10
    {
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        assert!(Instant::now() < deadline, "no 10 outcomes in 60 s");
        thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");

    // Killed mid-run: the chain still holds, the run is incomplete.
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["chained"], true, "{report}");

    emulator.set_faults(Faults::default()).unwrap();
    let summary = batch_json(&emulator, &csv, &journal);
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["valid"], true);
    assert_eq!(report["chained"], true);
    assert_eq!(report["summary"]["deleted"], 60, "{report}");
    assert_eq!(report["summary"]["runs"], 2, "{report}");
    assert_eq!(report["fingerprint"], summary["journal_fingerprint"]);
    assert!(report["fingerprint"].is_string(), "{report}");
}

/// A journal as idv-delete wrote them before the chain (format version 2,
/// no `chaining` in the header, no `chain` on the lines).
const UNCHAINED: &str = r#"{"event":"header","format":"idv-delete-journal","version":2,"created_at":"2025-06-01T09:00:00.000Z"}
{"event":"run","run":1,"at":"2025-06-01T09:00:00.001Z","tool_version":"0.1.0","pid":4242,"endpoints":{"jumio":"documented"}}
{"event":"sent","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"old-0","at":"2025-06-01T09:00:00.012Z"}
{"event":"outcome","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"old-0","at":"2025-06-01T09:00:00.101Z","result":"deleted","confirmed_by":"response","audits":0,"attempts":1}
{"event":"end","run":1,"at":"2025-06-01T09:00:00.251Z","how":"finished","items":1}
"#;

#[test]
fn an_old_unchained_journal_verifies_and_says_it_is_unchained() {
    let emulator = emulator();
    let dir = scratch("tamper-unchained");
    let journal = dir.join("old.journal");
    write(&journal, UNCHAINED);
    let (code, stdout, stderr) = verify_text(&emulator, &journal);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("unchained: written before idv-delete chained its journals; its lines cannot be proven unedited"),
        "{stdout}"
    );
    assert!(!stdout.contains("fingerprint"), "{stdout}");
    assert!(
        stdout.contains("complete: every item of the input (1)"),
        "{stdout}"
    );
    let (code, report) = verify_json(&emulator, &journal);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["valid"], true);
    assert_eq!(report["chained"], false);
    assert_eq!(report["fingerprint"], Value::Null);
    assert_eq!(report["summary"]["deleted"], 1, "{report}");
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("unchained: ")),
        "{report}"
    );
}
