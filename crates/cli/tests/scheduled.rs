//! Scheduled erasures in `idv-delete verify`: journals kept in
//! `tests/journals` with `scheduled` outcomes, a deletion confirmed by a
//! recheck and a record the vendor will not delete yet. A scheduled item is
//! a success that is never shown or counted as deleted.
//!
//! These journals are written by hand, to pin exact records; the runs
//! against the emulator, `verify --recheck` included, are in `vendors.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn journal(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/journals")
        .join(name)
}

fn verify(journal: &Path, json: bool) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idv-delete"));
    command.env_clear().arg("verify").arg(journal);
    if json {
        command.args(["--output", "json"]);
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn verify_json(journal: &Path) -> (i32, Value) {
    let (code, stdout) = verify(journal, true);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, report)
}

#[test]
fn verify_counts_scheduled_apart_and_they_exit_0() {
    let journal = journal("scheduled.jsonl");
    let (code, report) = verify_json(&journal);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["exit_code"], 0, "{report}");
    assert_eq!(report["complete"], true, "{report}");
    let summary = &report["summary"];
    assert_eq!(summary["scheduled"], 2, "{summary}");
    assert_eq!(summary["deleted"], 2, "{summary}");
    assert_eq!(summary["deleted_by_response"], 1, "{summary}");
    assert_eq!(summary["deleted_by_recheck"], 1, "{summary}");
    assert_eq!(summary["deleted_by_absence"], 0, "{summary}");

    let items = report["items"].as_array().unwrap();
    let results: Vec<(&str, &Value)> = items
        .iter()
        .map(|item| (item["result"].as_str().unwrap(), &item["within_seconds"]))
        .collect();
    assert_eq!(
        results,
        [
            ("deleted", &Value::Null),
            ("scheduled", &Value::from(43_200)),
            ("scheduled", &Value::Null),
            ("deleted", &Value::Null),
        ],
        "{report}"
    );
    assert!(items[1].as_object().unwrap().contains_key("within_seconds"));
    assert!(!items[0].as_object().unwrap().contains_key("within_seconds"));
    assert!(
        items[3]["detail"]
            .as_str()
            .unwrap()
            .starts_with("confirmed by a recheck"),
        "{report}"
    );

    let (code, text) = verify(&journal, false);
    assert_eq!(code, 0, "{text}");
    let scheduled: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("  scheduled  "))
        .collect();
    assert_eq!(scheduled.len(), 2, "{text}");
    assert!(scheduled[0].contains("within 12 h"), "{text}");
    assert!(
        scheduled.iter().all(|line| !line.contains("  deleted  ")),
        "{text}"
    );
    assert!(text.contains("2 deleted ("), "{text}");
    assert!(text.contains("1 confirmed by a recheck"), "{text}");
    assert!(text.contains("2 scheduled ("), "{text}");
    assert!(
        text.contains("2 of them scheduled, not erased yet"),
        "{text}"
    );
}

#[test]
fn a_record_not_deletable_yet_fails_the_verdict_and_says_retry_later() {
    let journal = journal("not-deletable-yet.jsonl");
    let (code, report) = verify_json(&journal);
    assert_eq!(code, 4, "{report}");
    assert_eq!(report["summary"]["scheduled"], 1, "{report}");
    assert_eq!(report["summary"]["failed"], 1, "{report}");
    assert_eq!(report["summary"]["deleted"], 0, "{report}");
    let failed = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["result"] == "failed")
        .unwrap_or_else(|| panic!("no failed item: {report}"));
    let detail = failed["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("not_deletable_yet (HTTP 400)"),
        "{detail}"
    );
    assert!(detail.ends_with("retry later"), "{detail}");
}
