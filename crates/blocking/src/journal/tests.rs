//! The hash chain: small journals written by the writer, then edited;
//! and the round trip of every field a record carries.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use idv_delete_core::{ConfirmedBy, DeleteIntent, JumioProduct, Region};

use super::format::{
    Chainer, Custody, EndRecord, Evidence, JournalOutcome, OutcomeRecord, Record, RunEnd,
    RunRecord, SentRecord,
};
use super::{
    open_file, salvage, JournalError, JournalReader, JournalState, JournalWriter, TornTail,
};

fn temp_journal(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("idv-delete-chain-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir.join("j.journal")
}

fn intent(i: u64) -> DeleteIntent {
    DeleteIntent::jumio(
        JumioProduct::IdVerification,
        Region::Eu,
        &format!("ref-{i}"),
    )
    .unwrap()
    .with_subject(&format!("customer-{}", i / 2))
    .unwrap()
}

fn run_records(run: u32, positions: std::ops::Range<u64>) -> Vec<Record> {
    let at = || "2026-01-01T00:00:00.000Z".to_owned();
    let mut records = vec![Record::Run(RunRecord {
        run,
        at: at(),
        tool_version: "test".into(),
        pid: 1,
        input: None,
        endpoints: BTreeMap::new(),
        custody: Some(Custody {
            user: Some("auditor".into()),
            host: Some("erasure-host".into()),
            credentials: BTreeMap::from([
                ("jumio".to_owned(), Some("0123456789abcdef".to_owned())),
                ("onfido".to_owned(), None),
            ]),
        }),
    })];
    for position in positions.clone() {
        records.push(Record::Sent(SentRecord {
            position,
            intent: intent(position),
            at: at(),
            resumed: false,
        }));
        records.push(Record::Outcome(OutcomeRecord {
            position,
            intent: intent(position),
            at: at(),
            outcome: JournalOutcome::Deleted {
                confirmed_by: ConfirmedBy::Response,
                audits: 0,
                status: Some(204),
                attempts: 1,
            },
            evidence: Evidence {
                date: Some("Wed, 02 Dec 2026 10:00:00 GMT".into()),
                request_id: Some(format!("req-{position}")),
                audit_ids: vec![format!("audit-{position}")],
                vendor_status: None,
            },
        }));
    }
    records.push(Record::End(EndRecord {
        run,
        at: at(),
        how: RunEnd::Finished,
        items: positions.end,
        sha256: None,
    }));
    records
}

/// Appends `records` through the writer: to a new journal (`resume`
/// `None`) or after the complete lines of an existing one.
fn write(path: &Path, resume: Option<(u64, Chainer)>, records: &[Record]) {
    let (file, chainer) = open_file(path, resume).unwrap();
    let writer = JournalWriter::start(Box::new(file), path, chainer).unwrap();
    for record in records {
        writer.append(record).unwrap();
    }
    writer.close().unwrap();
}

/// A new chained journal of 3 items: line 1 header, 2 run, 3-8 sent and
/// outcome pairs, 9 end.
fn chained(name: &str) -> (PathBuf, Vec<String>) {
    let path = temp_journal(name);
    write(&path, None, &run_records(1, 0..3));
    let lines = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (path, lines)
}

fn rewrite(path: &Path, lines: &[String]) {
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn tampered_at(path: &Path) -> u64 {
    match JournalState::read(path) {
        Err(JournalError::Tampered { line, path: p }) => {
            assert_eq!(p, path);
            line
        }
        Err(other) => panic!("expected a broken chain, got {other}"),
        Ok(_) => panic!("expected a broken chain, the journal read clean"),
    }
}

fn stated_chain(line: &str) -> &str {
    let start = line.rfind(r#","chain":""#).unwrap() + 10;
    &line[start..start + 64]
}

#[test]
fn every_line_is_chained_and_the_last_chain_is_the_fingerprint() {
    let (path, lines) = chained("clean");
    assert_eq!(lines.len(), 9);
    assert!(
        lines[0].contains(r#""chaining":"sha256-v1","chain":""#),
        "{}",
        lines[0]
    );
    for line in &lines {
        assert!(line.ends_with("\"}"), "{line}");
        assert_eq!(line.matches(r#","chain":""#).count(), 1, "{line}");
    }
    let state = JournalState::read(&path).unwrap();
    assert!(state.chained());
    assert_eq!(
        state.fingerprint().as_deref(),
        Some(stated_chain(&lines[8]))
    );
    assert_eq!(state.totals().deleted_by_response, 3);
}

#[test]
fn one_edited_byte_is_reported_at_its_line() {
    let (path, lines) = chained("byte");
    // A change that still parses: without the chain nothing would notice.
    for line in [1, 4, 9] {
        let mut edited = lines.clone();
        let target = &mut edited[line - 1];
        // The last digit of the year of its time (created_at or at).
        let at = target.find(r#"at":""#).unwrap() + 5 + 3;
        let mut bytes = target.clone().into_bytes();
        bytes[at] = if bytes[at] == b'7' { b'8' } else { b'7' };
        *target = String::from_utf8(bytes).unwrap();
        assert_ne!(edited[line - 1], lines[line - 1]);
        rewrite(&path, &edited);
        assert_eq!(tampered_at(&path), line as u64, "{}", edited[line - 1]);
    }
    // An edit of the stated chain itself.
    let mut edited = lines.clone();
    let cut = edited[5].len() - 3;
    let end = edited[5].split_off(cut);
    let hex = end.as_bytes()[0];
    edited[5].push(if hex == b'0' { '1' } else { '0' });
    edited[5].push_str(&end[1..]);
    rewrite(&path, &edited);
    assert_eq!(tampered_at(&path), 6);
}

#[test]
fn a_removed_line_is_reported_where_it_was() {
    let (path, mut lines) = chained("removed");
    lines.remove(3);
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 4);
}

#[test]
fn two_swapped_lines_are_reported_at_the_first() {
    let (path, mut lines) = chained("swapped");
    lines.swap(4, 6);
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 5);
    let (path, mut lines) = chained("swapped-neighbours");
    lines.swap(6, 7);
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 7);
}

#[test]
fn an_inserted_line_is_reported_at_its_line() {
    // A copy of a genuine chained line.
    let (path, mut lines) = chained("inserted-copy");
    let copy = lines[3].clone();
    lines.insert(5, copy);
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 6);
    // A well-formed record without a chain.
    let (path, mut lines) = chained("inserted-plain");
    lines.insert(
        2,
        r#"{"event":"sent","pos":7,"vendor":"jumio","product":"scan","region":"eu","ref":"x","at":"2026-01-01T00:00:00.000Z"}"#.into(),
    );
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 3);
}

#[test]
fn a_line_that_is_not_json_is_still_corrupt() {
    let (path, mut lines) = chained("garbage");
    lines[3] = r#"{"event":"sent","pos":1,garbage"#.into();
    rewrite(&path, &lines);
    assert!(matches!(
        JournalState::read(&path),
        Err(JournalError::Corrupt { line: 4, .. })
    ));
}

#[test]
fn a_torn_last_line_is_recovered_and_a_resume_continues_the_chain() {
    let (path, lines) = chained("torn");
    let before = JournalState::read(&path).unwrap().fingerprint().unwrap();
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(br#"{"event":"sent","pos":3,"vendor":"jum"#);
    fs::write(&path, &bytes).unwrap();
    let state = JournalState::read(&path).unwrap();
    assert_eq!(state.torn_tail(), Some(TornTail::Sent));
    assert_eq!(state.fingerprint().as_deref(), Some(before.as_str()));
    assert_eq!(
        state.fingerprint().as_deref(),
        Some(stated_chain(&lines[8]))
    );

    // The resumed run cuts the torn tail and chains on from line 9.
    write(
        &path,
        Some((state.complete_len(), state.chainer())),
        &run_records(2, 3..4),
    );
    let resumed = JournalState::read(&path).unwrap();
    assert!(resumed.chained());
    assert_eq!(resumed.torn_tail(), None);
    assert_eq!(resumed.runs().len(), 2);
    assert_eq!(resumed.totals().deleted_by_response, 4);
    assert_ne!(resumed.fingerprint(), Some(before));
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 9 + 4);
    // And the resumed part is covered: an edit there is found.
    let mut all: Vec<String> = text.lines().map(str::to_owned).collect();
    all[10] = all[10].replace("ref-3", "ref-9");
    rewrite(&path, &all);
    assert_eq!(tampered_at(&path), 11);
}

const OLD: &str = r#"{"event":"header","format":"idv-delete-journal","version":2,"created_at":"2025-06-01T09:00:00.000Z"}
{"event":"run","run":1,"at":"2025-06-01T09:00:00.001Z","tool_version":"0.1.0","pid":4242,"endpoints":{"jumio":"documented"}}
{"event":"sent","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"ref-0","at":"2025-06-01T09:00:00.012Z"}
{"event":"outcome","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"ref-0","at":"2025-06-01T09:00:00.101Z","result":"deleted","confirmed_by":"response","audits":0,"attempts":1}
{"event":"end","run":1,"at":"2025-06-01T09:00:00.251Z","how":"finished","items":1}
"#;

#[test]
fn an_old_unchained_journal_reads_as_before_and_resumes_unchained() {
    let path = temp_journal("old");
    fs::write(&path, OLD).unwrap();
    let state = JournalState::read(&path).unwrap();
    assert!(!state.chained());
    assert_eq!(state.fingerprint(), None);
    assert_eq!(state.totals().deleted_by_response, 1);

    write(
        &path,
        Some((state.complete_len(), state.chainer())),
        &run_records(2, 1..2),
    );
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains(r#""chain""#), "{text}");
    let resumed = JournalState::read(&path).unwrap();
    assert!(!resumed.chained());
    assert_eq!(resumed.totals().deleted_by_response, 2);
}

#[test]
fn a_chained_journal_passed_off_as_unchained_is_tampered() {
    // The header's declaration removed, its chain kept.
    let (path, mut lines) = chained("undeclared");
    lines[0] = lines[0].replace(r#","chaining":"sha256-v1""#, "");
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 1);
    // The header's declaration and chain removed: the next line has a chain.
    let (path, mut lines) = chained("unchained-header");
    lines[0] = OLD.lines().next().unwrap().into();
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 2);
    // Every line's chain stripped, the declaration kept.
    let (path, lines) = chained("stripped");
    let stripped: Vec<String> = lines
        .iter()
        .map(|l| format!("{}}}", &l[..l.rfind(r#","chain":""#).unwrap()]))
        .collect();
    assert!(
        stripped[0].ends_with(r#""chaining":"sha256-v1"}"#),
        "{stripped:?}"
    );
    rewrite(&path, &stripped);
    assert_eq!(tampered_at(&path), 1);
}

#[test]
fn salvage_drops_the_lines_where_the_chain_breaks_and_chains_afresh() {
    let (path, mut lines) = chained("salvage");
    let fingerprint = JournalState::read(&path).unwrap().fingerprint().unwrap();
    lines[5] = lines[5].replace(r#""attempts":1"#, r#""attempts":2"#);
    rewrite(&path, &lines);
    assert_eq!(tampered_at(&path), 6);
    let report = salvage(&path).unwrap();
    assert_eq!(report.dropped, 1);
    assert_eq!(report.reasons[0].0, 6);
    let state = JournalState::read(&path).unwrap();
    assert!(state.chained());
    assert!(state.salvaged());
    assert_ne!(state.fingerprint(), Some(fingerprint));
    // The item whose outcome was dropped is in doubt again.
    assert_eq!(state.status(1), super::ItemStatus::InDoubt);
}

#[test]
fn every_field_written_is_read_back() {
    let path = temp_journal("round-trip");
    let records = run_records(1, 0..3);
    write(&path, None, &records);
    let read: Vec<Record> = JournalReader::open(&path)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(read, records);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#""subject":"customer-1""#), "{text}");
    assert!(text.contains(r#""custody":{"user":"auditor","host":"erasure-host","credentials":{"jumio":"0123456789abcdef","onfido":null}}"#), "{text}");
    assert!(text.contains(r#""status":204"#), "{text}");
    assert!(text.contains(r#""evidence":{"date":"Wed, 02 Dec 2026 10:00:00 GMT","request_id":"req-2","audit_ids":["audit-2"]}"#), "{text}");
}

mod view {
    //! The view of several journals: counts, subjects, duplicates across
    //! journals, and items read back.

    use idv_delete_core::{ErrorKind, OnfidoRegion, Vendor};

    use super::super::{
        Counts, DuplicateRecord, Evidence, JournalView, SubjectStatus, SubjectView,
    };
    use super::*;

    const AT: &str = "2026-12-01T10:00:00.000Z";

    fn jumio(subject: &str) -> DeleteIntent {
        DeleteIntent::jumio(JumioProduct::IdVerification, Region::Eu, "ref-0")
            .unwrap()
            .with_subject(subject)
            .unwrap()
    }

    fn hyperverge(subject: &str) -> DeleteIntent {
        DeleteIntent::hyperverge("HV-1")
            .unwrap()
            .with_subject(subject)
            .unwrap()
    }

    fn run(records: Vec<Record>) -> Vec<Record> {
        let mut all = run_records(1, 0..0);
        let end = all.pop().unwrap();
        all.extend(records);
        all.push(end);
        all
    }

    fn sent(position: u64, intent: &DeleteIntent) -> Record {
        Record::Sent(SentRecord {
            position,
            intent: intent.clone(),
            at: AT.into(),
            resumed: false,
        })
    }

    fn outcome(position: u64, intent: &DeleteIntent, outcome: JournalOutcome) -> Vec<Record> {
        vec![
            sent(position, intent),
            Record::Outcome(OutcomeRecord {
                position,
                intent: intent.clone(),
                at: AT.into(),
                outcome,
                evidence: Evidence {
                    request_id: Some(format!("req-{position}")),
                    ..Evidence::default()
                },
            }),
        ]
    }

    /// Journal A: 0 jumio (alice) deleted, 1 onfido (alice) scheduled
    /// until a date, 2 hyperverge (bob) failed, 3 jumio again (carol), a
    /// duplicate of 0. Journal B: 0 the same jumio item (alice) not found,
    /// 1 the same hyperverge item (bob) deleted, 2 veriff (dave) sent
    /// without an answer.
    fn two_journals(name: &str) -> JournalView {
        let onfido = DeleteIntent::onfido(OnfidoRegion::Eu, "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20")
            .unwrap()
            .with_subject("alice")
            .unwrap();
        let veriff = DeleteIntent::veriff("3c7f5d2f-0e2b-4a8f-9b54-1d8e6f0a2c31")
            .unwrap()
            .with_subject("dave")
            .unwrap();
        let deleted = JournalOutcome::Deleted {
            confirmed_by: ConfirmedBy::Response,
            audits: 0,
            status: Some(204),
            attempts: 1,
        };
        let mut a = Vec::new();
        a.extend(outcome(0, &jumio("alice"), deleted.clone()));
        a.extend(outcome(
            1,
            &onfido,
            JournalOutcome::Scheduled {
                within_secs: None,
                until: Some("2026-12-09T00:00:00Z".into()),
                status: Some(204),
                attempts: 1,
            },
        ));
        a.extend(outcome(
            2,
            &hyperverge("bob"),
            JournalOutcome::Failed {
                kind: ErrorKind::Server,
                status: Some(503),
                attempts: 3,
                in_doubt: false,
            },
        ));
        a.push(Record::Duplicate(DuplicateRecord {
            position: 3,
            of: 0,
            intent: jumio("carol"),
            at: AT.into(),
        }));
        let mut b = Vec::new();
        b.extend(outcome(
            0,
            &jumio("alice"),
            JournalOutcome::NotFound { attempts: 1 },
        ));
        b.extend(outcome(1, &hyperverge("bob"), deleted));
        b.push(sent(2, &veriff));
        let (path_a, path_b) = (
            temp_journal(&format!("{name}-a")),
            temp_journal(&format!("{name}-b")),
        );
        write(&path_a, None, &run(a));
        write(&path_b, None, &run(b));
        JournalView::read([path_a, path_b])
    }

    #[test]
    fn items_in_two_journals_are_counted_once_where_their_outcome_is_best() {
        let view = two_journals("counted-once");
        assert!(view.trusted());
        assert_eq!(
            view.totals(),
            Counts {
                items: 7,
                deleted: 2,
                scheduled: 1,
                not_found: 0,
                failed: 0,
                in_doubt: 1,
                not_attempted: 0,
                duplicates: 3,
            }
        );
        let pairs: Vec<_> = view
            .cross_duplicates()
            .iter()
            .map(|d| (d.first, d.also))
            .collect();
        assert_eq!(pairs, [((0, 0), (1, 0)), ((1, 1), (0, 2))]);
        assert_eq!(view.cross_duplicates()[0].intent.reference(), "ref-0");
        let jumio = view.by_vendor()[&Vendor::Jumio];
        assert_eq!((jumio.items, jumio.deleted, jumio.duplicates), (3, 1, 2));
        assert_eq!(view.items_without_subject(), 0);
    }

    #[test]
    fn subjects_say_whether_each_erasure_is_complete() {
        let view = two_journals("subjects");
        let subjects: Vec<(String, SubjectStatus, u64, u64)> = view
            .subjects()
            .map(|s| (s.subject, s.status, s.counts.deleted, s.counts.scheduled))
            .collect();
        assert_eq!(
            subjects,
            [
                ("dave".to_owned(), SubjectStatus::Incomplete, 0, 0),
                // Alice's and bob's items in both journals count once.
                ("alice".to_owned(), SubjectStatus::Scheduled, 1, 1),
                ("bob".to_owned(), SubjectStatus::Erased, 1, 0),
                ("carol".to_owned(), SubjectStatus::Erased, 1, 0),
            ]
        );
        let alice: SubjectView = view.subjects().nth(1).unwrap();
        assert_eq!(
            alice.scheduled_until.as_deref(),
            Some("2026-12-09T00:00:00.000Z")
        );
        assert_eq!(alice.vendors, [Vendor::Jumio, Vendor::Onfido]);
    }

    #[test]
    fn every_item_is_read_back_from_its_last_record() {
        let view = two_journals("read-back");
        let items: Vec<_> = view.items().collect::<Result<_, _>>().unwrap();
        assert_eq!(items.len(), 7);
        let first = &items[0];
        assert_eq!((first.journal, first.position, first.counted), (0, 0, true));
        assert_eq!(first.intent.subject(), Some("alice"));
        assert_eq!(first.evidence.request_id.as_deref(), Some("req-0"));
        let failed = &items[2];
        assert!(
            !failed.counted,
            "bob's failure is counted where it was deleted"
        );
        assert!(matches!(
            failed.outcome,
            Some(JournalOutcome::Failed { .. })
        ));
        let in_doubt = items.last().unwrap();
        assert_eq!((in_doubt.journal, in_doubt.position), (1, 2));
        assert_eq!(in_doubt.outcome, None);
        let timeline = view.timeline(10);
        assert_eq!(timeline.start.as_deref(), Some(AT));
        // Dave's item, sent without an answer, is in doubt from when it was sent.
        assert_eq!(
            (timeline.deleted, timeline.scheduled, timeline.failed),
            (vec![2], vec![1], vec![1])
        );
        let failures: Vec<_> = view.failures().collect::<Result<_, _>>().unwrap();
        assert_eq!(
            failures,
            std::slice::from_ref(in_doubt),
            "bob's failure is not counted"
        );
    }

    #[test]
    fn a_tampered_journal_is_kept_with_its_error_and_the_view_is_untrusted() {
        // Items 4-6 (customer-2 and -3), line 4 moved: the reading has
        // met customer-2 when the chain breaks.
        let path = temp_journal("view-tampered");
        write(&path, None, &run_records(1, 4..7));
        let mut lines: Vec<String> = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        lines.swap(3, 4);
        rewrite(&path, &lines);
        let (good, _) = chained("view-good");
        let view = JournalView::read([&path, &good]);
        assert!(!view.trusted());
        assert!(matches!(
            view.journals()[0].state(),
            Err(JournalError::Tampered { line: 4, .. })
        ));
        assert_eq!(view.totals().items, 3, "only the good journal's items");
        let subjects: Vec<String> = view.subjects().map(|s| s.subject).collect();
        assert_eq!(
            subjects,
            ["customer-0", "customer-1"],
            "none of the tampered one's"
        );
    }
}
