//! `idv-delete verify`: the proof-of-erasure report of a journal.
//!
//! Streams the journal: one line per finished item, in the order the
//! outcomes were recorded (what was deleted when, and how it was confirmed),
//! then the items sent without an outcome (in doubt), then the totals.
//! Memory holds only the in-doubt positions, never the whole journal.

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
    failed: u64,
    runs: u64,
}

/// Prints the report; the exit code says whether the journal proves that
/// everything was erased (0), or lists not-found (3) or failed/in-doubt (4) items.
pub fn run(path: &Path, output: Output) -> Result<u8, Failure> {
    let reader = JournalReader::open(path)?;
    let header = reader.header().clone();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut totals = Totals {
        runs: 1,
        ..Totals::default()
    };
    // Sent without an outcome (yet): position -> (intent, when sent).
    let mut pending: BTreeMap<u64, (DeleteIntent, String)> = BTreeMap::new();
    let json = output == Output::Json;
    if json {
        write!(
            out,
            "{{\"journal\":{},\"started_at\":{},\"tool_version\":{},\"items\":[",
            json!(path.display().to_string()),
            json!(header.started_at),
            json!(header.tool_version)
        )?;
    } else {
        writeln!(out, "Proof of erasure: journal {}", path.display())?;
        writeln!(
            out,
            "started {} by idv-delete {}",
            header.started_at, header.tool_version
        )?;
        writeln!(out)?;
    }
    let mut first = true;
    for record in reader {
        match record? {
            Record::Resumed { .. } => totals.runs += 1,
            Record::Sent(sent) => {
                pending.insert(sent.position, (sent.intent, sent.at));
            }
            Record::Outcome(outcome) => {
                pending.remove(&outcome.position);
                let (result, how) = match outcome.outcome {
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
                        ("deleted", format!("confirmed by absence after an uncertain attempt, {attempts} attempt(s)"))
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
                        totals.failed += 1;
                        let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                        let doubt = if in_doubt {
                            ", may have been deleted"
                        } else {
                            ""
                        };
                        (
                            "failed",
                            format!("{}{status}{doubt}: retry it", kind.as_str()),
                        )
                    }
                };
                if json {
                    let item = json!({
                        "position": outcome.position,
                        "item": outcome.intent.to_string(),
                        "at": outcome.at,
                        "result": result,
                        "detail": how,
                    });
                    write!(out, "{}{item}", if first { "" } else { "," })?;
                    first = false;
                } else {
                    writeln!(
                        out,
                        "{}  {:<9}  {}  ({how})",
                        outcome.at, result, outcome.intent
                    )?;
                }
            }
        }
    }
    let deleted = totals.deleted_by_response + totals.deleted_by_absence;
    if json {
        let in_doubt: Vec<_> = pending
            .iter()
            .map(|(position, (intent, at))| json!({"position": position, "item": intent.to_string(), "sent_at": at}))
            .collect();
        writeln!(
            out,
            "],\"in_doubt\":{},\"summary\":{}}}",
            json!(in_doubt),
            json!({
                "deleted": deleted,
                "deleted_by_response": totals.deleted_by_response,
                "deleted_by_absence": totals.deleted_by_absence,
                "not_found": totals.not_found,
                "failed": totals.failed,
                "in_doubt": pending.len(),
                "runs": totals.runs,
            })
        )?;
    } else {
        for (intent, at) in pending.values() {
            writeln!(out, "{at}  in doubt   {intent}  (sent, no answer recorded: run the batch again to confirm)")?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{deleted} deleted ({} confirmed by the vendor, {} by absence), {} not found, {} failed, {} in doubt; {} run(s)",
            totals.deleted_by_response,
            totals.deleted_by_absence,
            totals.not_found,
            totals.failed,
            pending.len(),
            totals.runs
        )?;
    }
    out.flush()?;
    Ok(if totals.failed > 0 || !pending.is_empty() {
        EXIT_FAILED
    } else if totals.not_found > 0 {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    })
}
