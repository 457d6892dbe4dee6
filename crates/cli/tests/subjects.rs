//! Data subjects on the command line: the batch CSV's optional `subject`
//! column (found by its header anywhere, a blank cell meaning none, a bad
//! one refused by line with nothing sent), journaled with the items and
//! printed with them; a resume whose subject column changed is accepted
//! (the subject is a label, not part of the input's identity); `--subject`
//! on a single command. Each test starts its own emulator on a loopback
//! port.

use std::path::Path;
use std::process::Command;

mod common;

use common::{applied, idv_delete_with, run, scratch, write};
use idv_delete_emulator::{Config, Emulator, SeedItem};
use serde_json::Value;

fn idv_delete(home: &Path) -> Command {
    idv_delete_with(home, idv_delete_emulator::DEFAULT_JUMIO_SECRET)
}

/// `idv-delete batch CSV --journal JOURNAL --base-url BASE --yes --output json`.
fn batch(dir: &Path, csv: &Path, journal: &Path, base: &str) -> Command {
    let mut command = idv_delete(dir);
    command
        .arg("batch")
        .arg(csv)
        .arg("--journal")
        .arg(journal)
        .args(["--base-url", base, "--yes", "--output", "json"]);
    command
}

/// The journal's lines as JSON (the lines of `kind`).
fn journal_lines(journal: &Path, kind: &str) -> Vec<Value> {
    std::fs::read_to_string(journal)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|line| line["event"] == kind)
        .collect()
}

/// The subject journaled on the `kind` line of `reference` (null: none).
fn journaled_subject(lines: &[Value], reference: &str) -> Value {
    let line = lines
        .iter()
        .find(|line| line["ref"] == reference)
        .unwrap_or_else(|| panic!("no line of {reference} in {lines:?}"));
    line.get("subject").cloned().unwrap_or(Value::Null)
}

#[test]
fn a_subject_column_anywhere_is_journaled_and_a_blank_cell_means_none() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("subjects-column");
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ref-s1"),
            SeedItem::new("hyperverge", "transaction", "HV-s2"),
            SeedItem::new("jumio", "scan", "ref-s3"),
        ])
        .unwrap();
    // The subject column first; line 5 names line 2's item under another
    // subject: one item, the second a duplicate journaled with its own.
    let csv = dir.join("in.csv");
    write(
        &csv,
        "subject,vendor,product,region,reference\n\
         customer-1,jumio,scan,eu,ref-s1\n\
         ,hyperverge,transaction,,HV-s2\n\
         \" customer 3 \",jumio,scan,eu,ref-s3\n\
         customer-2,jumio,scan,eu,ref-s1\n",
    );
    let journal = dir.join("j");
    let (code, stdout, stderr) = run(&mut batch(&dir, &csv, &journal, &emulator.base_url()));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(applied(&emulator, "jumio", "scan", "ref-s1"), 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["deleted"], 3, "{report}");

    let sent = journal_lines(&journal, "sent");
    assert_eq!(journaled_subject(&sent, "ref-s1"), "customer-1");
    assert_eq!(journaled_subject(&sent, "HV-s2"), Value::Null);
    // Spaces around a field are CSV noise, trimmed as for every column.
    assert_eq!(journaled_subject(&sent, "ref-s3"), "customer 3");
    let outcomes = journal_lines(&journal, "outcome");
    assert_eq!(journaled_subject(&outcomes, "ref-s1"), "customer-1");
    assert_eq!(journaled_subject(&outcomes, "HV-s2"), Value::Null);
    let duplicates = journal_lines(&journal, "duplicate");
    assert_eq!(duplicates.len(), 1, "{duplicates:?}");
    assert_eq!(journaled_subject(&duplicates, "ref-s1"), "customer-2");

    // Another subject column resumes the same journal: the subject is a
    // label, so the input is the same; nothing is sent again.
    write(
        &csv,
        "vendor,product,region,reference,subject\n\
         jumio,scan,eu,ref-s1,customer-9\n\
         hyperverge,transaction,,HV-s2,customer-9\n\
         jumio,scan,eu,ref-s3,\n\
         jumio,scan,eu,ref-s1,customer-9\n",
    );
    let (code, stdout, stderr) = run(&mut batch(&dir, &csv, &journal, &emulator.base_url()));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    // Four rows, the duplicate included, all finished before.
    assert_eq!(report["skipped"], 4, "{report}");
    assert_eq!(report["attempts"], 0, "{report}");
    assert_eq!(applied(&emulator, "jumio", "scan", "ref-s1"), 1);
}

#[test]
fn a_bad_subject_is_a_bad_row_named_by_its_line_and_nothing_is_sent() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("subjects-bad");
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ref-b1"),
            SeedItem::new("jumio", "scan", "ref-b2"),
            SeedItem::new("jumio", "scan", "ref-b3"),
        ])
        .unwrap();
    let long = "x".repeat(129);
    let csv = dir.join("in.csv");
    write(
        &csv,
        &format!(
            "vendor,product,region,reference,subject\n\
             jumio,scan,eu,ref-b1,customer-1\n\
             jumio,scan,eu,ref-b2,{long}\n\
             jumio,scan,eu,ref-b3,\"customer\u{7}3\"\n"
        ),
    );
    let journal = dir.join("j");
    let (code, stdout, stderr) = run(&mut batch(&dir, &csv, &journal, &emulator.base_url()));
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    for expected in [
        "has 2 invalid rows",
        "line 3: subject \"xxxx",
        "is 129 characters long; a subject is 1-128 characters",
        "line 4: subject \"customer\\u{7}3\" has the control character U+0007 at position 8",
        "nothing was sent; fix these rows",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing:\n{stderr}");
    }
    assert!(!journal.exists());
    for reference in ["ref-b1", "ref-b2", "ref-b3"] {
        assert_eq!(applied(&emulator, "jumio", "scan", reference), 0);
    }
}

#[test]
fn a_single_command_takes_subject_and_prints_it() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("subjects-single");
    let base = emulator.base_url();
    emulator
        .seed(&[
            SeedItem::new("hyperverge", "transaction", "HV-x1"),
            SeedItem::new("hyperverge", "transaction", "HV-x2"),
        ])
        .unwrap();

    // A bad key: exit 2, nothing sent.
    let (code, stdout, stderr) =
        run(idv_delete(&dir).args(["hyperverge", "HV-x1", "--subject", "", "--base-url", &base]));
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("invalid subject: subject \"\" is empty"),
        "{stderr}"
    );
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "HV-x1"), 0);

    let (code, stdout, stderr) = run(idv_delete(&dir).args([
        "hyperverge",
        "HV-x1",
        "--subject",
        "customer 42",
        "--base-url",
        &base,
    ]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("deleted    hyperverge/transaction/\"HV-x1\" (subject \"customer 42\")"),
        "{stdout}"
    );

    let (code, stdout, stderr) = run(idv_delete(&dir).args([
        "hyperverge",
        "HV-x2",
        "--subject",
        "customer 42",
        "--base-url",
        &base,
        "--output",
        "json",
    ]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let items: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(items[0]["subject"], "customer 42", "{items}");
    assert_eq!(items[0]["result"], "deleted", "{items}");
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "HV-x2"), 1);
}
