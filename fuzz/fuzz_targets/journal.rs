//! The journal reader, its replay and a dry-run resume over the same file:
//! any bytes as a journal give records or a clear, bounded error naming
//! the line (corrupt, or tampered where the hash chain breaks, at a line
//! that exists), never a panic; a journal that reads clean has the
//! fingerprint its last line states; a torn last line is reported, not returned;
//! and the resume decides each item exactly as the replay's status says
//! (the one reading `verify` uses too), and writes nothing.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use idv_delete_blocking::journal::{
    ItemStatus, JournalError, JournalReader, JournalState, Record, TornTail, CHAIN_V1, FORMAT,
    VERSION,
};
use idv_delete_blocking::{
    BatchError, BatchOptions, Client, DeleteIntent, HyperVergeCredentials, ItemKey,
    JumioCredentials,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Longest journal line the reader accepts (`journal::MAX_LINE`).
const MAX_LINE: usize = 16 * 1024;
/// Most input items a dry-run resume is given per fuzz input.
const MAX_ITEMS: u64 = 2048;

fn journal_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("idv-delete-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir.join("journal.jsonl")
    })
}

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder()
            .jumio(
                JumioCredentials::new("fuzz-token", "fuzz-secret", "Acme KYC-Cleaner/1.0").unwrap(),
            )
            .hyperverge(HyperVergeCredentials::new("fuzz-appid", "fuzz-appkey").unwrap())
            .build()
            .expect("a client")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = journal_path();
    std::fs::write(path, data).expect("write the journal");
    let complete = data.iter().filter(|&&b| b == b'\n').count() as u64;
    complete_lines().store(complete, Ordering::Relaxed);
    let state = JournalState::read(path);
    if let Ok(state) = &state {
        check_fingerprint(data, state);
    }
    let named = match &state {
        Ok(state) if state.torn_tail() == Some(TornTail::Header) => BTreeMap::new(),
        _ => read_all(data, state.as_ref().err()),
    };
    check_resume(&state, named);
    // A dry run reads the journal and writes nothing.
    assert_eq!(std::fs::read(path).expect("read the journal back"), data);
});

/// Complete lines (newline-terminated) of the current input: the lines a
/// tampered-journal error may name (a torn last line is not chained).
fn complete_lines() -> &'static AtomicU64 {
    static COMPLETE: AtomicU64 = AtomicU64::new(0);
    &COMPLETE
}

/// The line a damaged-journal error names, after checking the error is
/// bounded, printable and about this file: a line that is not a record
/// (`Corrupt`), or one where the hash chain breaks (`Tampered`, which
/// names a complete line that exists).
fn check_corrupt(error: &JournalError) -> u64 {
    match error {
        JournalError::Tampered { path, line } => {
            assert_eq!(path, journal_path());
            let complete = complete_lines().load(Ordering::Relaxed);
            assert!(
                (1..=complete).contains(line),
                "tampered at line {line} of {complete} complete lines"
            );
            let shown = error.to_string();
            assert!(shown.contains(&format!("line {line}")), "{shown}");
            *line
        }
        JournalError::Corrupt { path, line, reason } => {
            assert_eq!(path, journal_path());
            assert!(!reason.is_empty());
            assert!(reason.len() <= 1024, "reason of {} bytes", reason.len());
            assert!(!reason.chars().any(char::is_control), "{reason:?}");
            let shown = error.to_string();
            assert!(shown.contains(&format!("line {line}")), "{shown}");
            *line
        }
        other => panic!("not a corrupt-journal error: {other}"),
    }
}

/// A journal that reads clean is chained exactly when its header declares
/// the chain, and its fingerprint is the `chain` its last complete line
/// states (each line's chain was recomputed by the reading).
fn check_fingerprint(data: &[u8], state: &JournalState) {
    let mut complete = data
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| l.ends_with(b"\n"));
    let header: Option<Value> = complete.next().and_then(|l| serde_json::from_slice(l).ok());
    let declared = header.is_some_and(|h| h["chaining"] == CHAIN_V1);
    assert_eq!(state.chained(), declared);
    let last = data
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| l.ends_with(b"\n"))
        .next_back()
        .and_then(|l| serde_json::from_slice::<Value>(l).ok());
    let stated = last.and_then(|l| l["chain"].as_str().map(str::to_owned));
    if state.chained() {
        assert_eq!(state.fingerprint(), stated);
    } else {
        assert_eq!(state.fingerprint(), None);
    }
}

/// Reads the records one by one and checks them against the raw lines;
/// returns the item each position names. `replay_error` is the replay's
/// verdict, which the reader's own errors must agree with.
fn read_all(data: &[u8], replay_error: Option<&JournalError>) -> BTreeMap<u64, DeleteIntent> {
    let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
    let mut named = BTreeMap::new();
    let mut reader = match JournalReader::open(journal_path()) {
        Ok(reader) => reader,
        Err(error) => {
            let line = check_corrupt(&error);
            assert!(line <= 1, "a header error on line {line}");
            assert_eq!(replay_error.map(check_corrupt), Some(line));
            return named;
        }
    };
    assert!(lines[0].ends_with(b"\n") && lines[0].len() <= MAX_LINE + 1);
    let header: Value = serde_json::from_slice(lines[0]).expect("the header is JSON");
    assert_eq!(header["format"], FORMAT);
    assert_eq!(header["version"], VERSION);

    let mut records = 0usize;
    let mut error_line = None;
    for item in reader.by_ref() {
        match item {
            Ok(record) => {
                let line = lines[records + 1];
                records += 1;
                assert!(line.ends_with(b"\n"), "a torn line returned as a record");
                let json: Value = serde_json::from_slice(line).expect("a record is JSON");
                let (event, position, intent) = match record {
                    Record::Run(_) => ("run", None, None),
                    Record::End(_) => ("end", None, None),
                    Record::Salvaged(_) => ("salvaged", None, None),
                    Record::Sent(r) => ("sent", Some(r.position), Some(r.intent)),
                    Record::Outcome(r) => ("outcome", Some(r.position), Some(r.intent)),
                    Record::Duplicate(r) => ("duplicate", Some(r.position), Some(r.intent)),
                };
                assert_eq!(json["event"], event);
                if let (Some(position), Some(intent)) = (position, intent) {
                    assert_eq!(json["pos"].as_u64(), Some(position));
                    assert_eq!(json["ref"], intent.reference());
                    assert_eq!(json["vendor"], intent.vendor().as_str());
                    named.entry(position).or_insert(intent);
                }
            }
            Err(error) => {
                let line = check_corrupt(&error);
                assert_eq!(line, records as u64 + 2, "the error names another line");
                error_line = Some(line);
            }
        }
    }
    // Fused: nothing after the end or an error.
    assert!(reader.next().is_none());
    match error_line {
        // A line the reader refuses, the replay refuses there, or earlier
        // at a line that breaks a rule.
        Some(line) => {
            let replayed = replay_error.map(check_corrupt);
            assert!(
                replayed.is_some_and(|l| l <= line),
                "{replayed:?} against {line}"
            );
        }
        None => {
            let complete = lines.iter().filter(|l| l.ends_with(b"\n")).count();
            assert_eq!(records + 1, complete, "lines skipped");
            let torn = !data.is_empty() && !data.ends_with(b"\n");
            assert_eq!(reader.torn_tail().is_some(), torn);
            // Any replay error is a rule broken by a readable line.
            if let Some(error) = replay_error {
                assert!(check_corrupt(error) <= records as u64 + 1);
            }
        }
    }
    named
}

/// A dry-run resume with the input the journal names (new items where it
/// names none) decides each position as the replay's status says.
fn check_resume(
    state: &Result<JournalState, JournalError>,
    mut named: BTreeMap<u64, DeleteIntent>,
) {
    let options = BatchOptions::default()
        .concurrency(1)
        .journal(journal_path())
        .dry_run(true);
    let state = match state {
        Err(error) => {
            let line = check_corrupt(error);
            let items = vec![DeleteIntent::hyperverge("fuzz-any").unwrap()];
            match client().delete_many(items, options) {
                Err(BatchError::Journal(resumed)) => assert_eq!(check_corrupt(&resumed), line),
                other => panic!("a journal corrupt at line {line} resumed: {other:?}"),
            }
            return;
        }
        Ok(state) => state,
    };
    let len = state.positions().min(MAX_ITEMS);
    let items: Vec<DeleteIntent> = (0..len)
        .map(|p| {
            named
                .remove(&p)
                .unwrap_or_else(|| DeleteIntent::hyperverge(&format!("fuzz-new-{p}")).unwrap())
        })
        .collect();
    // The input itself may repeat an item at a position the journal has
    // no record of: a resume journals that one as a duplicate.
    let mut first = std::collections::HashMap::new();
    let mut expected_duplicates = 0u64;
    for (p, item) in (0u64..).zip(&items) {
        let earlier = *first.entry(ItemKey::of(item)).or_insert(p);
        if earlier != p && state.status(p) == ItemStatus::NotAttempted {
            expected_duplicates += 1;
        }
    }
    // This client sends to the documented hosts: a last run that sent
    // elsewhere makes a resume refuse, unless the change is allowed.
    let moved = state.runs().last().is_some_and(|run| {
        run.start.endpoints.iter().any(|(vendor, place)| {
            ["jumio", "hyperverge"].contains(&vendor.as_str()) && place != "documented"
        })
    });
    if moved {
        match client().delete_many(items.clone(), options.clone()) {
            Err(BatchError::Journal(JournalError::EndpointChanged { .. })) => {}
            other => panic!("a resume against another endpoint was not refused: {other:?}"),
        }
    }
    let report = match client().delete_many(items, options.allow_endpoint_change(true)) {
        Ok(report) => report,
        Err(error) => panic!("a readable journal refused: {error}"),
    };
    let count =
        |f: &dyn Fn(ItemStatus) -> bool| (0..len).filter(|&p| f(state.status(p))).count() as u64;
    let finals = count(&|s| s.is_final());
    assert_eq!(report.skipped, finals, "{report:?}");
    assert_eq!(
        report.retried_failures,
        count(&|s| s == ItemStatus::Failed { in_doubt: false }),
        "{report:?}"
    );
    assert_eq!(report.duplicates, expected_duplicates, "{report:?}");
    assert_eq!(
        report.would_delete,
        len - finals - expected_duplicates,
        "{report:?}"
    );
    assert_eq!(report.attempts, 0);
    assert!(report.dry_run);
}
