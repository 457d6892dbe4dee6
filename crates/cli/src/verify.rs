//! `idv-delete verify`: the proof-of-erasure report of a journal, or of
//! the journals of one job's shards read as one.
//!
//! Each journal is read twice. The first reading replays it
//! ([`JournalState`], the same replay a resume uses, inside the
//! [`JournalView`] that also keeps each item's vendor and subject), so
//! every item has exactly one status, the runs are known, and any damage
//! is found before anything is printed. The second streams the records: one line per item
//! with a final outcome, in the order the outcomes were recorded (what was
//! deleted when, and how it was confirmed), then the scheduled items, each
//! from its last record (a recheck appends one: deleted, or scheduled with
//! the vendor's date); then the items whose status is a failure or in
//! doubt, with their last record; then the items never attempted, the
//! runs, the totals and the verdict. Memory holds the replayed state (17
//! bytes per item) and the failed, in-doubt and scheduled items, never the
//! whole journal.
//!
//! A scheduled item (the vendor accepted the erasure and completes it
//! later) is shown, listed and counted as scheduled, never as deleted; an
//! item a recheck confirmed is deleted, counted apart.
//!
//! After the totals come the data subjects, one line each (JSON
//! `subjects`): erased, scheduled (until when) or incomplete, with their
//! records by outcome and the vendors that held them. Several journals
//! are reported one after the other, then as one job: its counts, the
//! items found in two journals (counted once, where their outcome is best)
//! and the subjects; the exit code is then the job's (1 or 6 when a
//! journal says so, else from the job's counts).
//!
//! The first reading also checks the journal's hash chain: a chained
//! journal is reported with its fingerprint (the last line's chain value),
//! an older unchained one says that nothing proves it unedited, and a
//! broken chain is an error naming the first bad line (exit 1, JSON kind
//! `tampered`).
//!
//! The exit code is the verdict: 0 when every item of the input is
//! deleted or scheduled; 3 when the rest were not found; 4 when some failed or are in
//! doubt; 6 when the journal does not prove a complete run (a run that did
//! not finish, items never attempted, an input longer than the journal
//! shows); 1 when the journal is damaged or cannot be read.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use idv_delete_blocking::journal::{
    Counts, ItemStatus, JournalError, JournalOutcome, JournalState, JournalView, Record, Run,
    RunEnd, SubjectStatus,
};
use idv_delete_blocking::{ConfirmedBy, JournalReader};
use serde_json::{json, Value};

use crate::args::Output;
use crate::failure::{
    Failure, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_NOT_FOUND, EXIT_OK, EXIT_RUNTIME,
};
use crate::platform;
use crate::wording::{self, ABSENCE};

/// An item as the report shows it.
struct Line {
    position: u64,
    item: String,
    at: String,
    result: &'static str,
    detail: String,
    /// For a scheduled item: the longest the vendor documents, in seconds.
    within_secs: Option<u64>,
}

impl Line {
    fn json(&self) -> Value {
        let mut line = json!({
            "position": self.position,
            "item": self.item,
            "at": self.at,
            "result": self.result,
            "detail": self.detail,
        });
        if let (SCHEDULED, Some(line)) = (self.result, line.as_object_mut()) {
            line.insert("within_seconds".into(), json!(self.within_secs));
        }
        line
    }
}

/// The result name of a scheduled item (as in the journal).
const SCHEDULED: &str = "scheduled";

/// Writes report lines as text, or as the elements of a JSON array.
struct Writer<W: Write> {
    out: W,
    json: bool,
    first: bool,
}

impl<W: Write> Writer<W> {
    fn line(&mut self, line: &Line) -> io::Result<()> {
        if self.json {
            let separator = if self.first { "" } else { "," };
            self.first = false;
            write!(self.out, "{separator}{}", line.json())
        } else {
            writeln!(
                self.out,
                "{}  {:<10} {}  ({})",
                line.at, line.result, line.item, line.detail
            )
        }
    }
}

/// One journal's part of the report (all of it for one journal; the
/// subjects are listed here when `subjects` is given); its exit code.
fn journal_section<W: Write>(
    path: &Path,
    state: Result<&JournalState, &JournalError>,
    out: &mut Writer<W>,
    recheck: Option<Value>,
    subjects: Option<&JournalView>,
) -> Result<u8, Failure> {
    let json = out.json;
    let state = match state {
        Ok(state) => state,
        Err(error) if json => {
            let report = json!({
                "journal": path.display().to_string(),
                "valid": false,
                "error": error_json(error),
                "recheck": recheck,
            });
            write!(out.out, "{report}")?;
            return Ok(EXIT_RUNTIME);
        }
        Err(error) if subjects.is_none() => {
            writeln!(out.out, "Proof of erasure: journal {}", path.display())?;
            writeln!(out.out, "error: {error}")?;
            return Ok(EXIT_RUNTIME);
        }
        Err(error) => return Err(Failure::runtime(error.to_string())),
    };
    out.first = true;
    if json {
        let recheck = recheck
            .map(|r| format!("\"recheck\":{r},"))
            .unwrap_or_default();
        write!(
            out.out,
            "{{\"journal\":{},\"valid\":true,\"chained\":{},\"fingerprint\":{},{recheck}\"runs\":{},\"items\":[",
            json!(path.display().to_string()),
            state.chained(),
            json!(state.fingerprint()),
            Value::Array(state.runs().iter().map(run_json).collect())
        )?;
    } else {
        writeln!(out.out, "Proof of erasure: journal {}", path.display())?;
        writeln!(out.out, "{}", chain_text(state))?;
        for run in state.runs() {
            writeln!(out.out, "{}", run_text(run))?;
        }
        writeln!(out.out)?;
    }
    let listed = list_items(path, state, out).err();
    let totals = state.totals();
    let gaps = state.gaps();
    let notes = notes(state);
    let code = if !gaps.is_empty() || listed.is_some() {
        EXIT_INCOMPLETE
    } else if totals.failed + totals.in_doubt > 0 {
        EXIT_FAILED
    } else if totals.not_found > 0 {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    };
    let deleted =
        totals.deleted_by_response + totals.deleted_by_absence + totals.deleted_by_recheck;
    if json {
        let mut tail = json!({
            "summary": {
                "input_items": state.input_items(),
                "deleted": deleted,
                "deleted_by_response": totals.deleted_by_response,
                "deleted_by_absence": totals.deleted_by_absence,
                "deleted_by_recheck": totals.deleted_by_recheck,
                "scheduled": totals.scheduled,
                "not_found": totals.not_found,
                "failed": totals.failed,
                "in_doubt": totals.in_doubt,
                "duplicates": totals.duplicates,
                "not_attempted": totals.not_attempted,
                "runs": state.runs().len(),
            },
            "complete": gaps.is_empty(),
            "gaps": gaps,
            "notes": if state.chained() { notes.clone() } else { [notes.as_slice(), &[UNCHAINED.to_owned()]].concat() },
            "exit_code": code,
        });
        if let (Some(error), Some(tail)) = (&listed, tail.as_object_mut()) {
            tail.insert("error".into(), error_json(error));
        }
        // The array is closed whatever happened, so the output stays JSON.
        write!(out.out, "],")?;
        if let Some(view) = subjects {
            subjects_json(view, &mut out.out)?;
            write!(out.out, ",")?;
        }
        let tail = tail.to_string();
        write!(out.out, "{}", &tail[1..])?;
    } else {
        writeln!(out.out)?;
        writeln!(
            out.out,
            "{deleted} deleted ({} confirmed by the vendor's answer, {} by absence: {ABSENCE}, {} confirmed by a recheck), {} scheduled ({}), {} not found, {} failed, {} in doubt, {} duplicates, {} never attempted; {} run(s)",
            totals.deleted_by_response,
            totals.deleted_by_absence,
            totals.deleted_by_recheck,
            totals.scheduled,
            wording::SCHEDULED,
            totals.not_found,
            totals.failed,
            totals.in_doubt,
            totals.duplicates,
            totals.not_attempted,
            state.runs().len()
        )?;
        for note in &notes {
            writeln!(out.out, "note: {note}")?;
        }
        if let Some(error) = &listed {
            writeln!(out.out, "error: {error}")?;
        }
        if gaps.is_empty() {
            let scheduled = match totals.scheduled {
                0 => String::new(),
                n => format!("; {n} of them scheduled, not erased yet"),
            };
            writeln!(
                out.out,
                "complete: every item of the input ({}) has its final outcome{scheduled}",
                state.input_items().unwrap_or(0)
            )?;
        } else {
            writeln!(
                out.out,
                "INCOMPLETE: this journal does not prove a complete run:"
            )?;
            for gap in &gaps {
                writeln!(out.out, "  - {gap}")?;
            }
        }
        if let Some(view) = subjects {
            subjects_text(view, &mut out.out)?;
        }
    }
    Ok(code)
}

/// Prints the report of one journal or of several read as one job (see
/// the module docs); the exit code is the verdict. `recheck`, what
/// `verify --recheck` learnt just before, goes into the JSON report (the
/// text one is printed by `recheck`).
pub fn run(paths: &[PathBuf], output: Output, recheck: Option<Value>) -> Result<u8, Failure> {
    let view = JournalView::read(paths);
    let mut out = Writer {
        out: io::BufWriter::new(io::stdout().lock()),
        json: output == Output::Json,
        first: true,
    };
    let code = match view.journals() {
        [one] => {
            let code = journal_section(one.path(), one.state(), &mut out, recheck, Some(&view))?;
            if out.json {
                writeln!(out.out)?;
            }
            code
        }
        several => {
            let mut codes = Vec::new();
            if out.json {
                write!(out.out, "{{\"journals\":[")?;
            }
            for (i, shard) in several.iter().enumerate() {
                if i > 0 {
                    if out.json {
                        write!(out.out, ",")?;
                    } else {
                        writeln!(out.out, "\n")?;
                    }
                }
                codes.push(journal_section(
                    shard.path(),
                    shard.state(),
                    &mut out,
                    recheck.clone(),
                    None,
                )?);
            }
            job_section(&view, &codes, &mut out)?
        }
    };
    out.out.flush()?;
    Ok(code)
}

/// The verdict of several journals read as one job: a journal that could
/// not be read (1) or that does not prove a complete run (6) decides;
/// otherwise the job's own counts do, where an item failed in one journal
/// and deleted in another is deleted.
fn job_code(view: &JournalView, codes: &[u8]) -> u8 {
    let totals = view.totals();
    if codes.contains(&EXIT_RUNTIME) {
        EXIT_RUNTIME
    } else if codes.contains(&EXIT_INCOMPLETE) {
        EXIT_INCOMPLETE
    } else if totals.failed + totals.in_doubt > 0 {
        EXIT_FAILED
    } else if totals.not_found > 0 {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    }
}

/// After the journals of a job: the job's counts, the items found in two
/// journals, and the subjects.
fn job_section<W: Write>(
    view: &JournalView,
    codes: &[u8],
    out: &mut Writer<W>,
) -> Result<u8, Failure> {
    let totals = view.totals();
    let code = job_code(view, codes);
    let duplicates: Vec<Value> = view
        .cross_duplicates()
        .iter()
        .map(|d| {
            json!({
                "item": d.intent.to_string(),
                "counted_in": {"journal": d.first.0, "position": d.first.1},
                "also_in": {"journal": d.also.0, "position": d.also.1},
            })
        })
        .collect();
    if out.json {
        write!(out.out, "],")?;
        subjects_json(view, &mut out.out)?;
        let tail = json!({
            "cross_duplicates": duplicates,
            "summary": counts_json(&totals),
            "trusted": view.trusted(),
            "exit_code": code,
        })
        .to_string();
        writeln!(out.out, ",{}", &tail[1..])?;
        return Ok(code);
    }
    writeln!(out.out, "\n{} journals as one job:", view.journals().len())?;
    writeln!(
        out.out,
        "{} deleted, {} scheduled ({}), {} not found, {} failed, {} in doubt, {} duplicates (in one journal or across two), {} never attempted",
        totals.deleted,
        totals.scheduled,
        wording::SCHEDULED,
        totals.not_found,
        totals.failed,
        totals.in_doubt,
        totals.duplicates,
        totals.not_attempted
    )?;
    for d in view.cross_duplicates() {
        writeln!(
            out.out,
            "in two journals: {} counted in journal {} item {}, also journal {} item {} (counted once)",
            d.intent,
            d.first.0 + 1,
            d.first.1 + 1,
            d.also.0 + 1,
            d.also.1 + 1
        )?;
    }
    if !view.trusted() {
        writeln!(
            out.out,
            "UNTRUSTED: a journal could not be read whole (above); its items are not counted"
        )?;
    }
    subjects_text(view, &mut out.out)?;
    Ok(code)
}

fn counts_json(c: &Counts) -> Value {
    json!({
        "items": c.items,
        "deleted": c.deleted,
        "scheduled": c.scheduled,
        "not_found": c.not_found,
        "failed": c.failed,
        "in_doubt": c.in_doubt,
        "duplicates": c.duplicates,
        "not_attempted": c.not_attempted,
    })
}

/// `"subjects":[...]`, one subject at a time.
fn subjects_json(view: &JournalView, out: &mut impl Write) -> io::Result<()> {
    write!(out, "\"subjects\":[")?;
    for (i, s) in view.subjects().enumerate() {
        let subject = json!({
            "subject": s.subject,
            "status": s.status.as_str(),
            "complete": s.status == SubjectStatus::Erased,
            "vendors": s.vendors.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
            "records": counts_json(&s.counts),
            "scheduled_until": s.scheduled_until,
        });
        write!(out, "{}{subject}", if i == 0 { "" } else { "," })?;
    }
    write!(out, "]")
}

/// One line per subject: where its erasure stands and its records by
/// outcome, incomplete subjects first.
fn subjects_text(view: &JournalView, out: &mut impl Write) -> io::Result<()> {
    let subjects = view.subjects();
    if subjects.len() == 0 {
        return Ok(());
    }
    let mut by_status = [0u64; 3];
    for s in view.subjects() {
        by_status[s.status as usize] += 1;
    }
    writeln!(
        out,
        "\nSubjects: {} ({} erased, {} scheduled, {} incomplete); {} item(s) without a subject",
        subjects.len(),
        by_status[SubjectStatus::Erased as usize],
        by_status[SubjectStatus::Scheduled as usize],
        by_status[SubjectStatus::Incomplete as usize],
        view.items_without_subject()
    )?;
    for s in subjects {
        let c = &s.counts;
        let mut parts = Vec::new();
        for (n, what) in [
            (c.deleted, "deleted"),
            (c.scheduled, "scheduled"),
            (c.not_found, "not found"),
            (c.failed, "failed"),
            (c.in_doubt, "in doubt"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let until = s
            .scheduled_until
            .map(|u| format!(", scheduled until {u}"))
            .unwrap_or_default();
        let vendors: Vec<&str> = s.vendors.iter().map(|v| v.as_str()).collect();
        writeln!(
            out,
            "  {:<10} {}  {} record(s) at {}: {}{until}",
            s.status.as_str(),
            s.subject,
            c.items,
            vendors.join(", "),
            parts.join(", ")
        )?;
    }
    Ok(())
}

/// The second reading: final outcomes as they come, then the failed and
/// in-doubt items, then the never-attempted ones.
fn list_items<W: Write>(
    path: &Path,
    state: &JournalState,
    out: &mut Writer<W>,
) -> Result<(), JournalError> {
    let io_error = |e| JournalError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    // The last record of each failed or in-doubt item.
    let mut open: BTreeMap<u64, Line> = BTreeMap::new();
    // The last record of each scheduled item (rechecks append records).
    let mut rechecked: BTreeMap<u64, Line> = BTreeMap::new();
    for record in JournalReader::open(path)? {
        let line = match record? {
            Record::Outcome(outcome) => {
                let (result, mut detail) = describe(&outcome.outcome);
                let within_secs = match outcome.outcome {
                    JournalOutcome::Scheduled { within_secs, .. } => within_secs,
                    _ => None,
                };
                if let (true, Some(note)) = (
                    result == "deleted",
                    platform::erasure_note(outcome.intent.vendor()),
                ) {
                    detail = format!("{detail}; {note}");
                }
                Line {
                    position: outcome.position,
                    item: outcome.intent.to_string(),
                    at: outcome.at,
                    result,
                    detail,
                    within_secs,
                }
            }
            Record::Sent(sent) => Line {
                position: sent.position,
                item: sent.intent.to_string(),
                at: sent.at,
                result: "in_doubt",
                detail: "sent, no answer recorded: run the batch again to confirm (a 404 then confirms the deletion)".into(),
                within_secs: None,
            },
            Record::Duplicate(duplicate) => Line {
                position: duplicate.position,
                item: duplicate.intent.to_string(),
                at: duplicate.at,
                result: "duplicate",
                detail: format!(
                    "repeats item {} of the input, whose outcome is its own; not sent",
                    duplicate.of + 1
                ),
                within_secs: None,
            },
            Record::Run(_) | Record::End(_) | Record::Salvaged(_) => continue,
        };
        match state.status(line.position) {
            ItemStatus::Failed { .. } | ItemStatus::InDoubt => {
                open.insert(line.position, line);
            }
            // A scheduled item may have later records from rechecks: its
            // last one is its outcome.
            ItemStatus::Scheduled | ItemStatus::Deleted(ConfirmedBy::Recheck)
                if matches!(line.result, SCHEDULED | "deleted") =>
            {
                rechecked.insert(line.position, line);
            }
            // A final outcome is shown once, from its own record.
            _ if line.result == "in_doubt" || line.result == "failed" => {}
            _ => out.line(&line).map_err(io_error)?,
        }
    }
    for line in rechecked.into_values() {
        out.line(&line).map_err(io_error)?;
    }
    for (position, mut line) in open {
        if state.status(position) == ItemStatus::InDoubt && line.result != "in_doubt" {
            // Marked in doubt by a salvage after a failure.
            line.result = "in_doubt";
            line.detail = "a salvage put it in doubt: run the batch again to confirm".into();
        }
        out.line(&line).map_err(io_error)?;
    }
    for position in 0..state.positions() {
        if state.status(position) == ItemStatus::InDoubt && !state.has_record(position) {
            out.line(&Line {
                position,
                item: format!("item {} of the input", position + 1),
                at: String::new(),
                result: "in_doubt",
                detail: "its records were lost to damage and a salvage put it in doubt: run the batch again to confirm".into(),
                within_secs: None,
            })
            .map_err(io_error)?;
        }
    }
    Ok(())
}

fn describe(outcome: &JournalOutcome) -> (&'static str, String) {
    match outcome {
        JournalOutcome::Deleted {
            confirmed_by,
            attempts,
            ..
        } => (
            "deleted",
            format!(
                "confirmed by {}, {attempts} attempt(s)",
                wording::confirmation(*confirmed_by)
            ),
        ),
        JournalOutcome::Scheduled {
            within_secs,
            until,
            attempts,
            ..
        } => {
            let within = within_secs
                .map(|secs| {
                    format!(
                        "; {} of this time",
                        wording::within(Duration::from_secs(secs))
                    )
                })
                .unwrap_or_default();
            let until = until
                .as_deref()
                .map(|until| format!("; the vendor's date: {until}"))
                .unwrap_or_default();
            (
                SCHEDULED,
                format!(
                    "{}{within}{until}; {attempts} attempt(s)",
                    wording::SCHEDULED
                ),
            )
        }
        JournalOutcome::NotFound { .. } => (
            "not_found",
            "the vendor does not hold it: check region and reference".into(),
        ),
        JournalOutcome::Failed {
            kind,
            status,
            in_doubt,
            ..
        } => {
            let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            let doubt = if *in_doubt {
                ", may have been deleted"
            } else {
                ""
            };
            (
                "failed",
                format!(
                    "{}{status}{doubt}: {}",
                    kind.as_str(),
                    wording::next_step(*kind)
                ),
            )
        }
    }
}

/// What the hash chain proves: for a chained journal its fingerprint (the
/// chain checked line by line on the first reading, so a journal that
/// gets this far is unbroken); for an older journal, that nothing does.
fn chain_text(state: &JournalState) -> String {
    match state.fingerprint() {
        Some(fingerprint) => format!(
            "chained: every line follows from the one before; fingerprint {fingerprint} (compare it with the one stored when the journal was written: the same value proves its lines unchanged)"
        ),
        None => UNCHAINED.to_owned(),
    }
}

/// What `verify` says of a journal without a hash chain.
const UNCHAINED: &str =
    "unchained: written before idv-delete chained its journals; its lines cannot be proven unedited";

fn run_text(run: &Run) -> String {
    let start = &run.start;
    let input = match &start.input {
        Some(input) => format!(
            "input {} ({} items, sha256 {})",
            input.source, input.items, input.sha256
        ),
        None => "input not declared".into(),
    };
    let endpoints = start
        .endpoints
        .iter()
        .map(|(vendor, place)| format!("{vendor} at {place}"))
        .collect::<Vec<_>>()
        .join(", ");
    let end = match &run.end {
        None => "did not end (killed, or still running)".to_owned(),
        Some(end) => {
            let why = match &end.how {
                RunEnd::Failed(why) => format!(": {why}"),
                _ => String::new(),
            };
            format!(
                "{} at {} after {} items{why}",
                end.how.as_str(),
                end.at,
                end.items
            )
        }
    };
    format!(
        "run {}: started {} by idv-delete {} (pid {}), {input}, {endpoints}; {end}",
        start.run, start.at, start.tool_version, start.pid
    )
}

fn run_json(run: &Run) -> Value {
    let start = &run.start;
    json!({
        "run": start.run,
        "started_at": start.at,
        "tool_version": start.tool_version,
        "pid": start.pid,
        "input": start.input.as_ref().map(|i| json!({
            "source": i.source, "items": i.items, "sha256": i.sha256,
        })),
        "endpoints": start.endpoints,
        "end": run.end.as_ref().map(|end| json!({
            "at": end.at,
            "how": end.how.as_str(),
            "why": match &end.how { RunEnd::Failed(why) => Some(why), _ => None },
            "items": end.items,
            "sha256": end.sha256,
        })),
    })
}

fn notes(state: &JournalState) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(torn) = state.torn_tail() {
        notes.push(torn.explain().to_owned());
    }
    if state.salvaged() {
        notes.push(
            "the journal was salvaged after damage; items a lost line may have concerned are in doubt"
                .into(),
        );
    }
    notes
}

fn error_json(error: &JournalError) -> Value {
    match error {
        JournalError::Corrupt { line, reason, .. } => json!({
            "kind": "corrupt",
            "line": line,
            "reason": reason,
            "message": error.to_string(),
        }),
        JournalError::Tampered { line, .. } => json!({
            "kind": "tampered",
            "line": line,
            "message": error.to_string(),
        }),
        other => json!({ "kind": "io", "message": other.to_string() }),
    }
}

/// `idv-delete salvage`: rewrites a damaged journal, says what it dropped.
pub fn salvage(path: &Path) -> Result<u8, Failure> {
    let report = idv_delete_blocking::journal::salvage(path)?;
    let Some(original) = &report.original else {
        println!(
            "journal {}: nothing is damaged; it was left as it is",
            path.display()
        );
        return Ok(EXIT_OK);
    };
    println!(
        "journal {}: kept {} records, dropped {} lines; items at positions below {} without a final outcome are now in doubt",
        path.display(),
        report.kept,
        report.dropped,
        report.in_doubt_below
    );
    for (line, why) in &report.reasons {
        println!("  dropped line {line}: {why}");
    }
    println!("the damaged original is kept as {}", original.display());
    println!(
        "run the batch again with this journal to finish it; `idv-delete verify {}` shows what it proves",
        path.display()
    );
    Ok(EXIT_OK)
}
