//! One reading of a journal: every journal kept in the tests
//! (`tests/journals`) and in the fuzz seeds (`fuzz/seeds/journal`) is
//! replayed, read by `idv-delete verify --output json`, and resumed by a
//! dry run, and the three must agree item by item: an item verify calls
//! deleted is skipped by a resume, one it calls in doubt or failed is sent
//! again, and the counts are equal. A damaged journal is refused by both,
//! naming the same line, and verify's JSON stays JSON. A journal whose
//! hash chain is broken (named `tampered-LINE-*`, and only those) is
//! refused by both as tampered at exactly that line; a chained one
//! (`chained-*`) reads clean with the fingerprint of its last line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use idv_delete_blocking::journal::{
    ItemStatus, JournalError, JournalReader, JournalState, Record, TornTail,
};
use idv_delete_blocking::{
    BatchError, BatchOptions, Client, ConfirmedBy, DeleteIntent, HyperVergeCredentials,
    JumioCredentials, OnfidoCredentials, PersonaCredentials, StripeCredentials, VeriffCredentials,
};
use serde_json::{json, Value};

fn journals() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["tests/journals", "fuzz/seeds/journal"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    assert!(files.len() >= 15, "journals found: {files:?}");
    files
}

fn verify(journal: &Path) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_idv-delete"))
        .args(["verify", "--output", "json"])
        .arg(journal)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{}: verify printed no JSON ({e}): {stdout}",
            journal.display()
        )
    });
    (output.status.code().unwrap(), report)
}

fn client() -> Client {
    Client::builder()
        .jumio(JumioCredentials::new("token", "secret", "Acme KYC-Cleaner/1.0").unwrap())
        .hyperverge(HyperVergeCredentials::new("appid", "appkey").unwrap())
        // The journals name every vendor, those that erase later included.
        .credentials(OnfidoCredentials::new("onfido-token").unwrap())
        .credentials(PersonaCredentials::new("persona-key").unwrap())
        .credentials(StripeCredentials::new("sk_test_key").unwrap())
        .credentials(VeriffCredentials::new("veriff-key", "veriff-secret").unwrap())
        .build()
        .unwrap()
}

/// The input the journal was written for: each position's item from its
/// records, a distinct new item where no record names it.
fn input_of(journal: &Path, state: &JournalState) -> Vec<DeleteIntent> {
    let mut named = BTreeMap::new();
    let reader = match state.torn_tail() {
        Some(TornTail::Header) => None,
        _ => Some(JournalReader::open(journal).unwrap()),
    };
    for record in reader.into_iter().flatten() {
        match record.unwrap() {
            Record::Sent(r) => {
                named.insert(r.position, r.intent);
            }
            Record::Outcome(r) => {
                named.insert(r.position, r.intent);
            }
            Record::Duplicate(r) => {
                named.insert(r.position, r.intent);
            }
            _ => {}
        }
    }
    let len = state.input_items().unwrap_or(0).max(state.positions());
    (0..len)
        .map(|p| {
            named.remove(&p).unwrap_or_else(|| {
                DeleteIntent::hyperverge(&format!("never-journaled-{p}")).unwrap()
            })
        })
        .collect()
}

/// The first bad line a journal named `tampered-LINE-*` is edited at;
/// `None` for every other journal, which must not read as tampered.
fn tampered_line(name: &str) -> Option<u64> {
    let rest = name.strip_prefix("tampered-")?;
    rest.split('-').next()?.parse().ok()
}

/// The `chain` of the last complete line, as written.
fn last_chain(bytes: &[u8]) -> Option<String> {
    let mut complete = bytes
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| l.ends_with(b"\n"));
    let last: Value = serde_json::from_slice(complete.next_back()?).ok()?;
    last["chain"].as_str().map(str::to_owned)
}

fn result_name(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::NotAttempted => "not_attempted",
        ItemStatus::InDoubt => "in_doubt",
        ItemStatus::Failed { .. } => "failed",
        ItemStatus::Deleted(_) => "deleted",
        ItemStatus::Scheduled => "scheduled",
        ItemStatus::NotFound => "not_found",
        ItemStatus::Duplicate { .. } => "duplicate",
    }
}

#[test]
fn resume_and_verify_read_every_journal_alike() {
    let scratch = std::env::temp_dir().join(format!("idv-delete-readings-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let client = client();
    let (mut read, mut chained, mut tampered) = (0, 0, 0);
    for journal in journals() {
        let name = journal.file_name().unwrap().to_string_lossy().into_owned();
        let (code, report) = verify(&journal);
        // The dry run reads a copy, so a bug that writes cannot hide.
        let copy = scratch.join(&name);
        std::fs::copy(&journal, &copy).unwrap();
        let bytes = std::fs::read(&copy).unwrap();
        let state = match JournalState::read(&journal) {
            Ok(state) => state,
            Err(JournalError::Corrupt { line, .. }) => {
                assert_eq!(code, 1, "{name}: {report}");
                assert_eq!(report["valid"], false, "{name}");
                assert_eq!(report["error"]["line"], line, "{name}: {report}");
                let items = vec![DeleteIntent::hyperverge("any").unwrap()];
                match client
                    .delete_many(items, BatchOptions::default().journal(&copy).dry_run(true))
                {
                    Err(BatchError::Journal(JournalError::Corrupt { line: resumed, .. })) => {
                        assert_eq!(resumed, line, "{name}")
                    }
                    other => panic!("{name}: a damaged journal resumed: {other:?}"),
                }
                assert_eq!(std::fs::read(&copy).unwrap(), bytes, "{name}: written");
                continue;
            }
            Err(JournalError::Tampered { line, .. }) => {
                let expected = tampered_line(&name).unwrap_or_else(|| {
                    panic!("{name}: tampered at line {line}, yet not a tampered-LINE-* journal")
                });
                assert_eq!(line, expected, "{name}");
                assert_eq!(code, 1, "{name}: {report}");
                assert_eq!(report["valid"], false, "{name}");
                assert_eq!(report["error"]["kind"], "tampered", "{name}: {report}");
                assert_eq!(report["error"]["line"], line, "{name}: {report}");
                let items = vec![DeleteIntent::hyperverge("any").unwrap()];
                match client
                    .delete_many(items, BatchOptions::default().journal(&copy).dry_run(true))
                {
                    Err(BatchError::Journal(JournalError::Tampered { line: resumed, .. })) => {
                        assert_eq!(resumed, line, "{name}")
                    }
                    other => panic!("{name}: a tampered journal resumed: {other:?}"),
                }
                assert_eq!(std::fs::read(&copy).unwrap(), bytes, "{name}: written");
                tampered += 1;
                continue;
            }
            Err(other) => panic!("{name}: {other}"),
        };
        read += 1;
        assert_eq!(tampered_line(&name), None, "{name} reads clean");
        assert_eq!(report["valid"], true, "{name}");
        // Chained journals (chained-*) give the chain value of their last
        // complete line as fingerprint; older ones are unchained.
        assert_eq!(state.chained(), name.starts_with("chained-"), "{name}");
        assert_eq!(report["chained"], state.chained(), "{name}");
        assert_eq!(
            state.fingerprint(),
            last_chain(&bytes),
            "{name}: the fingerprint is the last complete line's chain"
        );
        assert_eq!(report["fingerprint"], json!(state.fingerprint()), "{name}");
        chained += usize::from(state.chained());

        // Verify: one line per item, the replay's status, the same totals.
        let mut shown: BTreeMap<u64, String> = BTreeMap::new();
        for item in report["items"].as_array().unwrap() {
            let position = item["position"].as_u64().unwrap();
            let result = item["result"].as_str().unwrap().to_owned();
            assert!(
                shown.insert(position, result).is_none(),
                "{name}: item {position} shown twice: {report}"
            );
        }
        let totals = state.totals();
        for position in 0..state.positions() {
            let status = state.status(position);
            match shown.get(&position) {
                Some(result) => assert_eq!(result, result_name(status), "{name} item {position}"),
                None => assert_eq!(status, ItemStatus::NotAttempted, "{name} item {position}"),
            }
        }
        let summary = &report["summary"];
        for (field, count) in [
            ("deleted_by_response", totals.deleted_by_response),
            ("deleted_by_absence", totals.deleted_by_absence),
            ("deleted_by_recheck", totals.deleted_by_recheck),
            ("scheduled", totals.scheduled),
            ("not_found", totals.not_found),
            ("failed", totals.failed),
            ("in_doubt", totals.in_doubt),
            ("duplicates", totals.duplicates),
            ("not_attempted", totals.not_attempted),
        ] {
            assert_eq!(summary[field], count, "{name}: {field} in {report}");
        }
        let complete = state.gaps().is_empty();
        assert_eq!(report["complete"], complete, "{name}");
        let expected_code = if !complete {
            6
        } else if totals.failed + totals.in_doubt > 0 {
            4
        } else if totals.not_found > 0 {
            3
        } else {
            0
        };
        assert_eq!(code, expected_code, "{name}: {report}");

        // Resume: skips exactly the final items, runs the failed ones
        // again, would send the rest; writes nothing.
        let input = input_of(&journal, &state);
        let len = input.len() as u64;
        // (A resume elsewhere is refused: journal_proof.rs tests that.)
        let options = BatchOptions::default()
            .journal(&copy)
            .dry_run(true)
            .allow_endpoint_change(true);
        let resumed = client
            .delete_many(input, options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(std::fs::read(&copy).unwrap(), bytes, "{name}: written");
        let final_items = (0..len).filter(|&p| state.status(p).is_final()).count() as u64;
        let retried = (0..len)
            .filter(|&p| state.status(p) == ItemStatus::Failed { in_doubt: false })
            .count() as u64;
        assert_eq!(resumed.skipped, final_items, "{name}: {resumed:?}");
        assert_eq!(resumed.retried_failures, retried, "{name}: {resumed:?}");
        assert_eq!(
            resumed.would_delete,
            len - final_items,
            "{name}: {resumed:?}"
        );
        let deleted_by_absence = (0..len)
            .filter(|&p| state.status(p) == ItemStatus::Deleted(ConfirmedBy::Absence))
            .count() as u64;
        assert_eq!(deleted_by_absence, totals.deleted_by_absence, "{name}");
    }
    assert!(read >= 10, "only {read} readable journals");
    assert!(chained >= 3, "only {chained} chained journals read clean");
    assert!(tampered >= 4, "only {tampered} tampered journals");
    let _ = std::fs::remove_dir_all(&scratch);
}
