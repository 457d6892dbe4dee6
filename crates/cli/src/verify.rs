//! `idv-delete verify`: the proof-of-erasure report of a journal.
//!
//! Streams the journal: one line per deleted or not-found item, in the
//! order the outcomes were recorded (what was deleted when, and how it was
//! confirmed), then the items whose last outcome is a failure (a resume runs
//! failed items again, so a later outcome replaces an earlier failure), then
//! the items sent without an outcome (in doubt), then the totals. Memory
//! holds only the failed and in-doubt positions, never the whole journal.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use idv_delete_blocking::journal::{JournalOutcome, Record};
use idv_delete_blocking::{ConfirmedBy, DeleteIntent, JournalReader};
use serde_json::json;

use crate::args::Output;
use crate::failure::{Failure, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK};

#[derive(Default)]
struct Totals {
    deleted_by_response: u64,
    deleted_by_absence: u64,
    not_found: u64,
    runs: u64,
}

/// An item as the report shows it.
struct Line {
    position: u64,
    item: String,
    at: String,
    result: &'static str,
    detail: String,
}

/// Writes report lines as text or as the elements of a JSON array.
struct Writer<W: Write> {
    out: W,
    json: bool,
    first: bool,
}

impl<W: Write> Writer<W> {
    fn line(&mut self, line: &Line) -> io::Result<()> {
        if self.json {
            let item = json!({
                "position": line.position,
                "item": line.item,
                "at": line.at,
                "result": line.result,
                "detail": line.detail,
            });
            write!(self.out, "{}{item}", if self.first { "" } else { "," })?;
            self.first = false;
            Ok(())
        } else {
            writeln!(
                self.out,
                "{}  {:<9}  {}  ({})",
                line.at, line.result, line.item, line.detail
            )
        }
    }
}

/// Prints the report; the exit code says whether the journal proves that
/// everything was erased (0), or lists not-found (3) or failed/in-doubt (4) items.
pub fn run(path: &Path, output: Output) -> Result<u8, Failure> {
    let reader = JournalReader::open(path)?;
    let header = reader.header().clone();
    let json = output == Output::Json;
    let mut out = Writer {
        out: io::BufWriter::new(io::stdout().lock()),
        json,
        first: true,
    };
    if json {
        write!(
            out.out,
            "{{\"journal\":{},\"started_at\":{},\"tool_version\":{},\"items\":[",
            json!(path.display().to_string()),
            json!(header.started_at),
            json!(header.tool_version)
        )?;
    } else {
        writeln!(out.out, "Proof of erasure: journal {}", path.display())?;
        writeln!(
            out.out,
            "started {} by idv-delete {}",
            header.started_at, header.tool_version
        )?;
        writeln!(out.out)?;
    }
    let mut totals = Totals {
        runs: 1,
        ..Totals::default()
    };
    // Sent without an outcome (yet), and last outcome a failure (so far).
    let mut pending: BTreeMap<u64, (DeleteIntent, String)> = BTreeMap::new();
    let mut failed: BTreeMap<u64, Line> = BTreeMap::new();
    for record in reader {
        let outcome = match record? {
            Record::Resumed { .. } => {
                totals.runs += 1;
                continue;
            }
            Record::Sent(sent) => {
                pending.insert(sent.position, (sent.intent, sent.at));
                continue;
            }
            Record::Outcome(outcome) => outcome,
        };
        pending.remove(&outcome.position);
        failed.remove(&outcome.position);
        let (result, detail) = match outcome.outcome {
            JournalOutcome::Deleted {
                confirmed_by: ConfirmedBy::Response,
                attempts,
                ..
            } => {
                totals.deleted_by_response += 1;
                (
                    "deleted",
                    format!("vendor confirmed, {attempts} attempt(s)"),
                )
            }
            JournalOutcome::Deleted {
                confirmed_by: ConfirmedBy::Absence,
                attempts,
                ..
            } => {
                totals.deleted_by_absence += 1;
                (
                    "deleted",
                    format!(
                        "confirmed by absence after an uncertain attempt, {attempts} attempt(s)"
                    ),
                )
            }
            JournalOutcome::NotFound { .. } => {
                totals.not_found += 1;
                (
                    "not_found",
                    "the vendor does not hold it: check region and reference".to_owned(),
                )
            }
            JournalOutcome::Failed {
                kind,
                status,
                in_doubt,
                ..
            } => {
                let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                let doubt = if in_doubt {
                    ", may have been deleted"
                } else {
                    ""
                };
                (
                    "failed",
                    format!(
                        "{}{status}{doubt}: run the batch again to retry it",
                        kind.as_str()
                    ),
                )
            }
        };
        let line = Line {
            position: outcome.position,
            item: outcome.intent.to_string(),
            at: outcome.at,
            result,
            detail,
        };
        if result == "failed" {
            failed.insert(line.position, line);
        } else {
            out.line(&line)?;
        }
    }
    for line in failed.values() {
        out.line(line)?;
    }
    for (position, (intent, at)) in &pending {
        out.line(&Line {
            position: *position,
            item: intent.to_string(),
            at: at.clone(),
            result: "in_doubt",
            detail: "sent, no answer recorded: run the batch again to confirm".to_owned(),
        })?;
    }
    let deleted = totals.deleted_by_response + totals.deleted_by_absence;
    if json {
        writeln!(
            out.out,
            "],\"summary\":{}}}",
            json!({
                "deleted": deleted,
                "deleted_by_response": totals.deleted_by_response,
                "deleted_by_absence": totals.deleted_by_absence,
                "not_found": totals.not_found,
                "failed": failed.len(),
                "in_doubt": pending.len(),
                "runs": totals.runs,
            })
        )?;
    } else {
        writeln!(out.out)?;
        writeln!(
            out.out,
            "{deleted} deleted ({} confirmed by the vendor, {} by absence), {} not found, {} failed, {} in doubt; {} run(s)",
            totals.deleted_by_response,
            totals.deleted_by_absence,
            totals.not_found,
            failed.len(),
            pending.len(),
            totals.runs
        )?;
    }
    out.out.flush()?;
    Ok(if !failed.is_empty() || !pending.is_empty() {
        EXIT_FAILED
    } else if totals.not_found > 0 {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    })
}
