//! The journal reader and the resume state built from it: any bytes as a
//! journal file give records or a clear, bounded error naming the line,
//! never a panic; a torn last line is reported, not returned; and a dry-run
//! resume over the same file skips, re-runs and refuses exactly what the
//! journal's records say, and writes nothing.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;

use idv_delete_blocking::journal::{JournalReader, Record, FORMAT, VERSION};
use idv_delete_blocking::{
    BatchError, BatchOptions, Client, DeleteIntent, HyperVergeCredentials, JournalOutcome,
    JumioCredentials, JumioProduct, Region, Target,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Longest journal line the reader accepts (`journal::MAX_LINE`).
const MAX_LINE: usize = 16 * 1024;
/// How far past the highest position a record may point.
const MAX_POSITION_GAP: u64 = 1 << 20;
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
    let read = read_all(data);
    check_resume(data, &read);
    // A dry run reads the journal and writes nothing.
    assert_eq!(std::fs::read(path).expect("read the journal back"), data);
});

/// What reading the whole journal gave: its records, and the line of the
/// error that stopped it, if one did.
struct Read {
    records: Vec<Record>,
    error_line: Option<u64>,
}

fn check_corrupt(error: &BatchError) -> u64 {
    match error {
        BatchError::CorruptJournal { path, line, reason } => {
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

fn read_all(data: &[u8]) -> Read {
    let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
    let complete = |i: usize| lines.get(i).is_some_and(|l| l.ends_with(b"\n"));
    let mut reader = match JournalReader::open(journal_path()) {
        Ok(reader) => reader,
        Err(error) => {
            let line = check_corrupt(&error);
            assert!(line <= 1, "a header error on line {line}");
            return Read {
                records: Vec::new(),
                error_line: Some(line),
            };
        }
    };
    // The header is a complete first line, a known format and version.
    assert!(complete(0) && lines[0].len() <= MAX_LINE + 1);
    let header: Value = serde_json::from_slice(lines[0]).expect("the header is JSON");
    assert_eq!(header["event"], "header");
    assert_eq!(header["format"], FORMAT);
    assert_eq!(header["version"], VERSION);
    assert_eq!(reader.header().version, VERSION);
    assert_eq!(
        header["tool_version"],
        reader.header().tool_version.as_str()
    );

    let mut records = Vec::new();
    let mut error_line = None;
    for item in reader.by_ref() {
        match item {
            Ok(record) => {
                let line = lines[records.len() + 1];
                assert!(line.ends_with(b"\n"), "a torn line returned as a record");
                check_record(&record, line);
                records.push(record);
            }
            Err(error) => {
                let line = check_corrupt(&error);
                assert_eq!(
                    line,
                    records.len() as u64 + 2,
                    "the error names another line"
                );
                error_line = Some(line);
            }
        }
    }
    // Fused: nothing after the end or an error.
    assert!(reader.next().is_none());
    if error_line.is_none() {
        let complete_lines = lines.iter().filter(|l| l.ends_with(b"\n")).count();
        assert_eq!(records.len() + 1, complete_lines, "lines skipped");
        let torn = !data.is_empty() && !data.ends_with(b"\n");
        assert_eq!(reader.torn_tail(), torn);
        if torn {
            assert!(lines.last().unwrap().len() <= MAX_LINE);
        }
    }
    Read {
        records,
        error_line,
    }
}

/// A record agrees with its line read as plain JSON.
fn check_record(record: &Record, line: &[u8]) {
    let json: Value = serde_json::from_slice(line).expect("a record is JSON");
    let (event, position, intent) = match record {
        Record::Resumed { tool_version, at } => {
            assert_eq!(json["tool_version"], tool_version.as_str());
            assert_eq!(json["at"], at.as_str());
            ("resumed", None, None)
        }
        Record::Sent(sent) => ("sent", Some(sent.position), Some(&sent.intent)),
        Record::Outcome(outcome) => {
            let result = match outcome.outcome {
                JournalOutcome::Deleted { .. } => "deleted",
                JournalOutcome::NotFound { .. } => "not_found",
                JournalOutcome::Failed { kind, status, .. } => {
                    assert_eq!(json["error"], kind.as_str());
                    assert_eq!(
                        json.get("status").and_then(Value::as_u64),
                        status.map(u64::from)
                    );
                    "failed"
                }
            };
            assert_eq!(json["result"], result);
            ("outcome", Some(outcome.position), Some(&outcome.intent))
        }
    };
    assert_eq!(json["event"], event);
    if let (Some(position), Some(intent)) = (position, intent) {
        assert_eq!(json["pos"].as_u64(), Some(position));
        assert_eq!(json["ref"], intent.reference());
        assert_eq!(json["vendor"], intent.vendor().as_str());
        let target = intent.target();
        // Names are read as the CLI reads them: any case, and aliases.
        let region = json.get("region").and_then(Value::as_str);
        assert_eq!(
            region.map(|r| Region::from_str(r).expect("a region")),
            target.region()
        );
        if let Target::Jumio { product, .. } = target {
            assert_eq!(
                json["product"].as_str().map(JumioProduct::from_str),
                Some(Ok(product))
            );
        } else {
            assert_eq!(json["product"], "transaction");
        }
        assert_eq!(
            DeleteIntent::new(target, intent.reference()).as_ref(),
            Ok(intent)
        );
    }
}

/// What the journal says about one position, by DESIGN.md §4: finished
/// items are skipped, failed ones run again, the rest are in doubt.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Last {
    Sent,
    Failed { in_doubt: bool },
    Finished,
}

/// The resume state by the journal's documented rules, or the line that
/// makes the journal unusable.
fn model(read: &Read) -> Result<BTreeMap<u64, (Last, DeleteIntent)>, u64> {
    let mut state: BTreeMap<u64, (Last, DeleteIntent)> = BTreeMap::new();
    for (index, record) in read.records.iter().enumerate() {
        let line = index as u64 + 2;
        let (position, intent, next) = match record {
            Record::Resumed { .. } => continue,
            Record::Sent(r) => (r.position, &r.intent, Last::Sent),
            Record::Outcome(r) => (
                r.position,
                &r.intent,
                match r.outcome {
                    JournalOutcome::Failed { in_doubt, .. } => Last::Failed { in_doubt },
                    _ => Last::Finished,
                },
            ),
        };
        let positions = state.keys().next_back().map_or(0, |p| p + 1);
        if position >= positions.saturating_add(MAX_POSITION_GAP) {
            return Err(line);
        }
        match state.get(&position) {
            Some((_, earlier)) if earlier != intent => return Err(line),
            Some((Last::Finished, _)) => return Err(line),
            // Re-sent after failing in doubt: still in doubt.
            Some((Last::Failed { in_doubt: true }, _)) if next == Last::Sent => continue,
            _ => {}
        }
        state.insert(position, (next, intent.clone()));
    }
    if let Some(line) = read.error_line {
        return Err(line);
    }
    Ok(state)
}

/// Mixes the input into a number to pick the input variations.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn check_resume(data: &[u8], read: &Read) {
    // A crash inside the header line leaves a journal to start afresh.
    let start = &data[..data.len().min(MAX_LINE)];
    let header_start = format!(r#"{{"event":"header","format":"{FORMAT}""#);
    let fresh = !start.contains(&b'\n')
        && (start.starts_with(header_start.as_bytes())
            || header_start.as_bytes().starts_with(start));
    let expected = if fresh {
        Ok(BTreeMap::new())
    } else {
        model(read)
    };

    let positions = match &expected {
        Ok(state) => state.keys().next_back().map_or(0, |p| p + 1),
        Err(_) => 0,
    };
    let mut items: Vec<DeleteIntent> = (0..positions.min(MAX_ITEMS))
        .map(|p| match &expected {
            Ok(state) => state.get(&p).map_or_else(
                || DeleteIntent::hyperverge(&format!("fuzz-new-{p}")).unwrap(),
                |(_, intent)| intent.clone(),
            ),
            Err(_) => unreachable!(),
        })
        .collect();
    // Vary the input: a changed item, or a shortened input.
    let pick = fnv(data);
    let mut changed = None;
    match pick % 4 {
        0 if !items.is_empty() => {
            let at = (pick / 4) % items.len() as u64;
            let other = DeleteIntent::hyperverge(&format!("fuzz-changed-{at}")).unwrap();
            if items[at as usize] != other {
                items[at as usize] = other;
                changed = Some(at);
            }
        }
        1 => items.truncate(((pick / 4) % (items.len() as u64 + 1)) as usize),
        _ => {}
    }
    let input_len = items.len() as u64;

    let options = BatchOptions::default()
        .concurrency(1)
        .journal(journal_path())
        .dry_run(true);
    let result = client().delete_many(items, options);
    let state = match (expected, result) {
        (Err(line), Err(error)) => {
            assert_eq!(check_corrupt(&error), line);
            return;
        }
        (Err(line), Ok(report)) => panic!("a journal corrupt at line {line} resumed: {report:?}"),
        (Ok(_), Err(BatchError::InputChanged { position, .. })) => {
            assert_eq!(
                Some(position),
                changed,
                "InputChanged at the wrong position"
            );
            return;
        }
        (Ok(_), Err(error)) => panic!("a readable journal refused: {error}"),
        (Ok(state), Ok(report)) => {
            let report_ok = &report;
            if let Some(at) = changed {
                assert!(
                    !state.contains_key(&at),
                    "a changed item at {at} not noticed: {report_ok:?}"
                );
            }
            (state, report)
        }
    };
    let (state, report) = state;
    let mut skipped = 0;
    let mut retried = 0;
    for (_, (last, _)) in state.range(..input_len) {
        match last {
            Last::Finished => skipped += 1,
            Last::Failed { in_doubt: false } => retried += 1,
            _ => {}
        }
    }
    assert_eq!(report.skipped, skipped, "{report:?}");
    assert_eq!(report.retried_failures, retried, "{report:?}");
    assert_eq!(report.would_delete, input_len - skipped, "{report:?}");
    assert_eq!(report.attempts, 0);
    assert!(report.dry_run);
    let torn = !fresh && !data.is_empty() && !data.ends_with(b"\n");
    let torn_noted = report.journal_notes.iter().any(|n| n.contains("torn"));
    assert_eq!(torn_noted, torn, "{:?}", report.journal_notes);
    let short_noted = report.journal_notes.iter().any(|n| n.contains("shortened"));
    assert_eq!(
        short_noted,
        input_len < positions,
        "{:?}",
        report.journal_notes
    );
}
