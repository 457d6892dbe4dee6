//! One job in two journals (a retention job split across two machines):
//! `verify` and `report` read them as one, count an item found in both
//! once and flag it, and group every record by data subject. The batches
//! run against an emulator on a loopback port, one item failing for good.

use std::path::Path;
use std::process::Command;

mod common;

use common::{idv_delete_with, run, scratch, write};
use idv_delete_emulator::{Config, Emulator, SeedItem};
use serde_json::Value;

fn idv_delete(home: &Path) -> Command {
    idv_delete_with(home, idv_delete_emulator::DEFAULT_JUMIO_SECRET)
}

/// Shard 1: alice's two Jumio scans and bob's HyperVerge transaction.
/// Shard 2: alice's first scan again (the overlap), carol's scan, and
/// dave's scan, which the emulator never held (not found).
fn two_shards(dir: &Path, emulator: &Emulator) -> (std::path::PathBuf, std::path::PathBuf) {
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ref-a1"),
            SeedItem::new("jumio", "scan", "ref-a2"),
            SeedItem::new("hyperverge", "transaction", "HV-b1"),
            SeedItem::new("jumio", "scan", "ref-c1"),
        ])
        .unwrap();
    let shards = [
        "vendor,product,region,reference,subject\n\
         jumio,scan,eu,ref-a1,alice\n\
         jumio,scan,eu,ref-a2,alice\n\
         hyperverge,transaction,,HV-b1,bob\n",
        "vendor,product,region,reference,subject\n\
         jumio,scan,eu,ref-a1,alice\n\
         jumio,scan,eu,ref-c1,carol\n\
         jumio,scan,eu,ref-d1,dave\n",
    ];
    let mut journals = Vec::new();
    for (i, rows) in shards.iter().enumerate() {
        let csv = dir.join(format!("shard-{i}.csv"));
        write(&csv, rows);
        let journal = dir.join(format!("shard-{i}.journal"));
        let (code, stdout, stderr) = run(idv_delete(dir)
            .arg("batch")
            .arg(&csv)
            .arg("--journal")
            .arg(&journal)
            .args([
                "--base-url",
                &emulator.base_url(),
                "--yes",
                "--output",
                "json",
            ]));
        assert!(code == 0 || code == 3, "{code}\n{stdout}\n{stderr}");
        journals.push(journal);
    }
    (journals.remove(0), journals.remove(0))
}

#[test]
fn two_shards_verify_and_report_as_one_job_counting_the_overlap_once() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("shards-one-job");
    let (first, second) = two_shards(&dir, &emulator);

    let (code, stdout, stderr) = run(idv_delete(&dir)
        .arg("verify")
        .arg(&first)
        .arg(&second)
        .args(["--output", "json"]));
    // Dave's scan was not found anywhere: exit 3.
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    let verified: Value = serde_json::from_str(&stdout).unwrap();
    let summary = &verified["summary"];
    assert_eq!(
        (
            &summary["items"],
            &summary["deleted"],
            &summary["not_found"],
            &summary["duplicates"]
        ),
        (
            &Value::from(6),
            &Value::from(4),
            &Value::from(1),
            &Value::from(1)
        ),
        "{verified}"
    );
    let overlap = &verified["cross_duplicates"];
    assert_eq!(overlap.as_array().unwrap().len(), 1, "{verified}");
    assert_eq!(overlap[0]["item"], "jumio/scan/eu/ref-a1");
    assert_eq!(overlap[0]["counted_in"]["journal"], 0);
    assert_eq!(overlap[0]["also_in"]["journal"], 1);
    let subjects: Vec<(String, String, u64)> = verified["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["subject"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
                s["records"]["items"].as_u64().unwrap(),
            )
        })
        .collect();
    // Alice's first scan is in both journals and counts once for her;
    // dave's scan, not found, leaves nothing of his at the vendor.
    assert_eq!(
        subjects,
        [
            ("alice".to_owned(), "erased".to_owned(), 2),
            ("bob".to_owned(), "erased".to_owned(), 1),
            ("carol".to_owned(), "erased".to_owned(), 1),
            ("dave".to_owned(), "erased".to_owned(), 1),
        ]
    );

    let (html, json) = (dir.join("report.html"), dir.join("report.json"));
    let (code, stdout, stderr) = run(idv_delete(&dir)
        .arg("report")
        .arg(&first)
        .arg(&second)
        .arg("--html")
        .arg(&html)
        .arg("--json")
        .arg(&json));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let totals = &report["totals"];
    assert_eq!(
        (
            &totals["items"],
            &totals["deleted"],
            &totals["not_found"],
            &totals["duplicates"]
        ),
        (
            &Value::from(5),
            &Value::from(4),
            &Value::from(1),
            &Value::from(1)
        ),
        "distinct items: the overlap is a duplicate, not a sixth item: {totals}"
    );
    assert_eq!(report["cross_duplicates"].as_array().unwrap().len(), 1);
    assert_eq!(report["subjects_total"], 4);
    assert_eq!(report["items"].as_array().unwrap().len(), 6);
    assert_eq!(report["verdict"]["status"], "erased");
    for journal in report["journals"].as_array().unwrap() {
        assert_eq!(journal["verified"], true, "{journal}");
        assert_eq!(journal["fingerprint"].as_str().unwrap().len(), 64);
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("alice") && page.contains("ref-a1"),
        "the page names them"
    );
}

#[test]
fn a_tampered_shard_makes_the_report_untrusted_and_exit_1() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("shards-tampered");
    let (first, second) = two_shards(&dir, &emulator);
    // The second journal's first record of alice's scan changes one byte.
    let text = std::fs::read_to_string(&second).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let edited = lines.iter().position(|l| l.contains("ref-a1")).unwrap();
    lines[edited] = lines[edited].replacen("ref-a1", "ref-a9", 1);
    std::fs::write(&second, lines.join("\n") + "\n").unwrap();
    let line = format!("line {}", edited + 1);

    let json = dir.join("report.json");
    let (code, stdout, stderr) = run(idv_delete(&dir)
        .arg("report")
        .arg(&first)
        .arg(&second)
        .arg("--json")
        .arg(&json));
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["verdict"]["status"], "untrusted");
    let broken = &report["journals"][1];
    assert_eq!(broken["verified"], false);
    assert!(
        broken["problem"].as_str().unwrap().contains(&line),
        "{broken}"
    );
    assert_eq!(
        report["totals"]["items"], 3,
        "only the first journal's items"
    );

    let (code, stdout, _) = run(idv_delete(&dir).arg("verify").arg(&first).arg(&second));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("UNTRUSTED"), "{stdout}");
}
