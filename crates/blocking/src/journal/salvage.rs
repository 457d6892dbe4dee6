//! Salvaging a damaged journal: keep every record that still makes sense,
//! put the items a lost line may have concerned in doubt, keep the
//! original beside it.
//!
//! Moving a damaged journal away would re-send every item, and report
//! "not found" for each one the first run had erased. A salvage instead
//! rewrites the journal with the records that read and replay cleanly (in
//! their order), then a `salvaged` record that puts in doubt every
//! position below the highest one any line names that has no final
//! outcome: a dropped line may have been that item's `sent` record, so a
//! resume must treat a 404 there as a confirmation, not as "not found".

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::format::{encode, encode_header, Chainer, Record, RunRecord, SalvagedRecord};
use super::lock::JournalLock;
use super::reader::JournalReader;
use super::replay::JournalState;
use super::writer::sync_parent_dir;
use super::JournalError;

/// What a salvage did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalvageReport {
    /// Records kept.
    pub kept: u64,
    /// Lines dropped (unreadable, or breaking the journal's rules), with
    /// the first few reasons.
    pub dropped: u64,
    /// Up to ten dropped lines: (line number, why).
    pub reasons: Vec<(u64, String)>,
    /// Positions put in doubt below this bound.
    pub in_doubt_below: u64,
    /// Where the damaged original was kept; `None` when nothing was
    /// damaged and the journal was left as it was.
    pub original: Option<PathBuf>,
}

/// Salvages the journal at `path` in place, keeping the original as
/// `<path>.damaged-<time>`; a journal with nothing damaged is left as it is.
/// Takes the journal's lock, so no run may be writing it.
///
/// Lines where the hash chain breaks ([`JournalError::Tampered`]) are
/// dropped like unreadable ones (a lenient reading flags each break once:
/// an edited line, the line after a removed one, both of two swapped
/// ones). The rewrite is chained afresh, so its fingerprint differs from
/// the original's; its `salvaged` record names the kept original, so a
/// salvage cannot pass for the journal as first written.
pub fn salvage(path: &Path) -> Result<SalvageReport, JournalError> {
    let _lock = JournalLock::acquire(path)?;
    let mut reader = JournalReader::open(path)?;
    let created_at = reader.header().created_at.clone();
    let chained = reader.chained();
    let mut state = JournalState::default();
    let mut kept = Vec::new();
    let mut report = SalvageReport {
        kept: 0,
        dropped: 0,
        reasons: Vec::new(),
        in_doubt_below: 0,
        original: None,
    };
    let drop_line = |report: &mut SalvageReport, line: u64, why: String| {
        report.dropped += 1;
        if report.reasons.len() < 10 {
            report.reasons.push((line, why));
        }
    };
    while let Some(record) = reader.next_lenient() {
        let line = reader.line_number();
        let record = match record {
            Ok(record) => record,
            Err(JournalError::Corrupt { reason, .. }) => {
                drop_line(&mut report, line, reason);
                continue;
            }
            Err(JournalError::Tampered { .. }) => {
                drop_line(&mut report, line, "the hash chain breaks here".into());
                continue;
            }
            Err(other) => return Err(other),
        };
        if let Some(position) = position_of(&record) {
            report.in_doubt_below = report.in_doubt_below.max(position + 1);
        }
        if state.runs().is_empty() && !matches!(record, Record::Run(_)) {
            // The first run's record was lost: stand in for it, so the
            // records that follow are kept.
            let stand_in = Record::Run(RunRecord {
                run: 0,
                at: created_at.clone(),
                tool_version: "unknown (salvaged)".into(),
                pid: 0,
                input: None,
                endpoints: BTreeMap::new(),
                custody: None,
            });
            state.apply(&stand_in).map_err(|r| reader.corrupt(r))?;
            kept.push(stand_in);
        }
        match state.apply(&record) {
            Ok(()) => {
                report.kept += 1;
                kept.push(record);
            }
            Err(why) => drop_line(&mut report, line, why),
        }
    }
    if report.dropped == 0 {
        return Ok(report);
    }
    let now = crate::time::now_rfc3339();
    let original = sibling(path, &format!("damaged-{}", now.replace(':', "")));
    let salvaged = Record::Salvaged(SalvagedRecord {
        at: now,
        original: original.display().to_string(),
        dropped_lines: report.dropped,
        in_doubt_below: report.in_doubt_below,
    });
    let temporary = sibling(path, "salvage-tmp");
    let io_error = |e| JournalError::io(path, e);
    {
        // The rewritten journal keeps the original's chaining: chained
        // from a fresh header, or unchained as it was.
        let mut chainer = if chained {
            Chainer::start()
        } else {
            Chainer(None)
        };
        let mut file = File::create(&temporary).map_err(io_error)?;
        file.write_all(&chainer.seal(encode_header(&created_at, chained)))
            .map_err(io_error)?;
        for record in kept.iter().chain([&salvaged]) {
            file.write_all(&chainer.seal(encode(record)))
                .map_err(io_error)?;
        }
        file.sync_all().map_err(io_error)?;
    }
    fs::rename(path, &original).map_err(io_error)?;
    fs::rename(&temporary, path).map_err(io_error)?;
    sync_parent_dir(path);
    report.original = Some(original);
    Ok(report)
}

fn position_of(record: &Record) -> Option<u64> {
    match record {
        Record::Sent(r) => Some(r.position),
        Record::Outcome(r) => Some(r.position),
        Record::Duplicate(r) => Some(r.position),
        Record::Run(_) | Record::End(_) | Record::Salvaged(_) => None,
    }
}

/// `<path>.<suffix>`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}
