//! `idv-delete report JOURNAL... --html FILE --json FILE`: reads the
//! journals into one [`JournalView`] and writes what it proves.
//!
//! The JSON file is the [`Report`]'s fields followed by every subject and
//! an `items` array with every item's detail, each made as it is written
//! (the items read back from the journals one at a time), so a
//! million-item job never holds its items or subjects in memory; the HTML
//! page shows the same [`Report`] with its first subjects and failures
//! (see [`html`]). Failures are read back alone, from their journals'
//! records, once for the page and once for the JSON.
//!
//! The exit code says whether the journals can be trusted: 0 when every
//! journal was read whole (its chain verified, or unchained and readable),
//! 1 when one could not be (the report is written all the same and says
//! which and why). Whether everything is erased is `verify`'s exit code;
//! the report's verdict says it in words.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use idv_delete_blocking::journal::{
    Counts, ItemStatus, ItemView, JournalError, JournalOutcome, JournalView, SubjectView,
};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use super::html;
use super::model::{self, Report};
use crate::failure::{Failure, EXIT_OK, EXIT_RUNTIME};
use crate::wording;

/// Buckets of the timeline.
const TIMELINE_BUCKETS: usize = 60;

/// Where to write the report.
pub struct Outputs<'a> {
    /// The HTML page.
    pub html: Option<&'a Path>,
    /// The JSON document.
    pub json: Option<&'a Path>,
}

/// Reads `journals` and writes the report; the exit code is 0 when every
/// journal was read whole, 1 when one was not.
pub fn run(journals: &[PathBuf], outputs: &Outputs<'_>) -> Result<u8, Failure> {
    if outputs.html.is_none() && outputs.json.is_none() {
        return Err(Failure::config(
            "report: nothing to write; give --html FILE, --json FILE or both",
        ));
    }
    let view = JournalView::read(journals);
    let report = report(&view)?;
    if let Some(path) = outputs.json {
        write_json(path, &report, &view)?;
    }
    if let Some(path) = outputs.html {
        std::fs::write(path, html::render(&report)).map_err(|e| {
            Failure::runtime(format!("report: cannot write {}: {e}", path.display()))
        })?;
    }
    Ok(if view.trusted() {
        EXIT_OK
    } else {
        EXIT_RUNTIME
    })
}

/// The report of `view`.
pub fn report(view: &JournalView) -> Result<Report, Failure> {
    let totals = view.totals();
    let mut failures = Vec::new();
    let mut failures_total = 0;
    let mut kinds: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    for item in view.failures() {
        let item = item.map_err(|e| Failure::runtime(format!("report: {e}")))?;
        let Some((kind_name, failure)) = failure(&item) else {
            continue;
        };
        let kind = kinds.entry(kind_name).or_default();
        kind.0 += 1;
        kind.1 += u64::from(failure.in_doubt);
        failures_total += 1;
        if failures.len() < html::FAILURE_ROWS {
            failures.push(failure);
        }
    }
    let journals: Vec<model::JournalFacts> = view
        .journals()
        .iter()
        .map(|shard| journal_facts(shard.path(), shard.state()))
        .collect();
    let timeline = view.timeline(TIMELINE_BUCKETS);
    // One tally of the subjects: the page keeps its first rows.
    let subjects = view.subjects();
    let subjects_total = subjects.len() as u64;
    let report = Report {
        format: model::FORMAT.into(),
        version: model::VERSION,
        generated_at: idv_delete_blocking::now_rfc3339(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        verdict: verdict(view, &totals),
        journals,
        totals: counts(&totals),
        vendors: view
            .by_vendor()
            .into_iter()
            .map(|(vendor, c)| model::VendorCounts {
                vendor: vendor.as_str().into(),
                counts: counts(&c),
            })
            .collect(),
        timeline: model::Timeline {
            start: timeline.start,
            bucket_secs: timeline.bucket.as_secs(),
            deleted: timeline.deleted,
            scheduled: timeline.scheduled,
            failed: timeline.failed,
        },
        failure_kinds: kinds
            .into_iter()
            .map(|(kind, (count, in_doubt))| model::FailureKind {
                kind: kind.into(),
                count,
                in_doubt,
                what_to_do: remedy_for(kind).into(),
            })
            .collect(),
        failures,
        failures_total,
        subjects: subjects.take(html::SUBJECT_ROWS).map(subject).collect(),
        subjects_total,
        items_without_subject: view.items_without_subject(),
        cross_duplicates: view
            .cross_duplicates()
            .iter()
            .map(|d| {
                let target = d.intent.target();
                model::CrossDuplicate {
                    vendor: target.vendor().as_str().into(),
                    product: target.product_name().into(),
                    region: target.region_name().map(Into::into),
                    reference: d.intent.reference().into(),
                    first: location(d.first),
                    also: location(d.also),
                }
            })
            .collect(),
    };
    Ok(report)
}

fn subject(s: SubjectView) -> model::Subject {
    model::Subject {
        subject: s.subject,
        status: s.status.as_str().into(),
        vendors: s.vendors.iter().map(|v| v.as_str().to_owned()).collect(),
        counts: counts(&s.counts),
        scheduled_until: s.scheduled_until,
    }
}

fn location((journal, position): (usize, u64)) -> model::Location {
    model::Location { journal, position }
}

/// The report's counts: `items` are distinct items (duplicates apart).
fn counts(c: &Counts) -> model::Counts {
    model::Counts {
        items: c.items - c.duplicates,
        deleted: c.deleted,
        scheduled: c.scheduled,
        not_found: c.not_found,
        failed: c.failed,
        in_doubt: c.in_doubt,
        not_attempted: c.not_attempted,
        duplicates: c.duplicates,
    }
}

fn verdict(view: &JournalView, totals: &Counts) -> model::Verdict {
    let unchained = view
        .journals()
        .iter()
        .filter(|s| s.state().is_ok_and(|state| !state.chained()))
        .count();
    let caveat = match unchained {
        0 => String::new(),
        n => format!(
            " {n} journal(s) predate the hash chain: their lines cannot be proven unedited."
        ),
    };
    let (status, summary) = if !view.trusted() {
        (
            "untrusted",
            "A journal could not be verified (see its problem below): what it says cannot be relied on, and its items are not counted.".to_owned(),
        )
    } else if !totals.settled() {
        (
            "incomplete",
            format!(
                "{} item(s) failed, {} are in doubt and {} were never attempted: run the batch again with the same journal.",
                totals.failed, totals.in_doubt, totals.not_attempted
            ),
        )
    } else if totals.scheduled > 0 {
        (
            "scheduled",
            format!(
                "Every item is deleted or not held, except {} the vendors accepted and erase later: not deleted yet.",
                totals.scheduled
            ),
        )
    } else {
        (
            "erased",
            "Every item is deleted or not held by its vendor.".to_owned(),
        )
    };
    model::Verdict {
        status: status.into(),
        summary: summary + &caveat,
    }
}

fn journal_facts(
    path: &Path,
    state: Result<&idv_delete_blocking::JournalState, &JournalError>,
) -> model::JournalFacts {
    let path_text = path.display().to_string();
    match state {
        Ok(state) => {
            let totals = state.totals();
            model::JournalFacts {
                path: path_text,
                chained: state.chained(),
                verified: state.chained(),
                fingerprint: state.fingerprint(),
                problem: (!state.chained()).then(|| {
                    "unchained: written before idv-delete chained its journals; its lines cannot be proven unedited".to_owned()
                }),
                items: totals.deleted_by_response
                    + totals.deleted_by_absence
                    + totals.deleted_by_recheck
                    + totals.scheduled
                    + totals.not_found
                    + totals.failed
                    + totals.in_doubt
                    + totals.not_attempted,
                runs: state
                    .runs()
                    .iter()
                    .map(|run| {
                        let custody = run.start.custody.clone().unwrap_or_default();
                        model::RunFacts {
                            run: run.start.run,
                            started_at: run.start.at.clone(),
                            ended_at: run.end.as_ref().map(|e| e.at.clone()),
                            how: match &run.end {
                                Some(end) => end.how.as_str(),
                                None => "killed",
                            }
                            .into(),
                            tool_version: run.start.tool_version.clone(),
                            user: custody.user,
                            host: custody.host,
                            credentials: custody.credentials,
                        }
                    })
                    .collect(),
            }
        }
        Err(e) => model::JournalFacts {
            path: path_text,
            chained: matches!(e, JournalError::Tampered { .. }),
            verified: false,
            fingerprint: None,
            problem: Some(e.to_string()),
            items: 0,
            runs: Vec::new(),
        },
    }
}

/// The failure an item is, with its kind's name; `None` for an item that
/// did not fail or is counted in another journal.
fn failure(item: &ItemView) -> Option<(&'static str, model::Failure)> {
    if !item.counted {
        return None;
    }
    let (kind, status, in_doubt, attempts) = match (&item.status, &item.outcome) {
        (
            ItemStatus::Failed { .. },
            Some(JournalOutcome::Failed {
                kind,
                status,
                attempts,
                in_doubt,
            }),
        ) => (kind.as_str(), *status, *in_doubt, *attempts),
        // Sent without a recorded answer, or put in doubt by a salvage.
        (ItemStatus::InDoubt, outcome) => (
            UNANSWERED,
            None,
            true,
            outcome.as_ref().map_or(0, JournalOutcome::attempts),
        ),
        _ => return None,
    };
    let target = item.intent.target();
    Some((
        kind,
        model::Failure {
            journal: item.journal,
            position: item.position,
            vendor: target.vendor().as_str().into(),
            product: target.product_name().into(),
            region: target.region_name().map(Into::into),
            reference: item.intent.reference().into(),
            subject: item.intent.subject().map(Into::into),
            kind: kind.into(),
            status,
            in_doubt,
            attempts,
            at: Some(item.at.clone()),
            what_to_do: remedy_for(kind).into(),
        },
    ))
}

/// The kind of an item sent without a recorded answer.
const UNANSWERED: &str = "unanswered";

fn remedy_for(kind: &str) -> &'static str {
    match idv_delete_blocking::ErrorKind::from_name(kind) {
        Some(kind) => wording::remedy(kind),
        None => "the run stopped before the answer was journaled: run the batch again with the same journal; a 404 then confirms the deletion",
    }
}

/// One item's detail, as the JSON's `items` hold it: borrowed from the
/// item, written as it is made.
#[derive(Serialize)]
struct ItemJson<'a> {
    journal: usize,
    position: u64,
    vendor: &'static str,
    product: &'static str,
    region: Option<&'static str>,
    reference: &'a str,
    subject: Option<&'a str>,
    status: &'static str,
    counted: bool,
    at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audits: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    within_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_doubt: Option<bool>,
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<EvidenceJson<'a>>,
}

#[derive(Serialize)]
struct EvidenceJson<'a> {
    date: Option<&'a str>,
    request_id: Option<&'a str>,
    audit_ids: &'a [String],
    vendor_status: Option<&'a str>,
}

fn item_json(item: &ItemView) -> ItemJson<'_> {
    let target = item.intent.target();
    let mut json = ItemJson {
        journal: item.journal,
        position: item.position,
        vendor: target.vendor().as_str(),
        product: target.product_name(),
        region: target.region_name(),
        reference: item.intent.reference(),
        subject: item.intent.subject(),
        status: item.status.as_str(),
        counted: item.counted,
        at: &item.at,
        duplicate_of: match item.status {
            ItemStatus::Duplicate { of } => Some(of),
            _ => None,
        },
        attempts: item.outcome.as_ref().map(JournalOutcome::attempts),
        confirmed_by: None,
        audits: None,
        within_secs: None,
        until: None,
        error: None,
        in_doubt: None,
        http_status: None,
        evidence: (!item.evidence.is_empty()).then(|| EvidenceJson {
            date: item.evidence.date.as_deref(),
            request_id: item.evidence.request_id.as_deref(),
            audit_ids: &item.evidence.audit_ids,
            vendor_status: item.evidence.vendor_status.as_deref(),
        }),
    };
    match &item.outcome {
        Some(JournalOutcome::Deleted {
            confirmed_by,
            audits,
            status,
            ..
        }) => {
            json.confirmed_by = Some(confirmed_by.as_str());
            json.audits = Some(*audits);
            json.http_status = *status;
        }
        Some(JournalOutcome::Scheduled {
            within_secs,
            until,
            status,
            ..
        }) => {
            json.within_secs = *within_secs;
            json.until = until.as_deref();
            json.http_status = *status;
        }
        Some(JournalOutcome::NotFound { .. }) => json.http_status = Some(404),
        Some(JournalOutcome::Failed {
            kind,
            status,
            in_doubt,
            ..
        }) => {
            json.error = Some(kind.as_str());
            json.http_status = *status;
            json.in_doubt = Some(*in_doubt);
        }
        None => {}
    }
    json
}

/// Writes the report and then every item, streamed.
fn write_json(path: &Path, report: &Report, view: &JournalView) -> Result<(), Failure> {
    /// The report's fields followed by `items`, each read back from its
    /// journal as it is written.
    /// The report's fields, then every failure, subject and item, each
    /// made (failures and items read back from their journals) as it is
    /// written.
    #[derive(Serialize)]
    struct Document<'a> {
        #[serde(flatten)]
        report: &'a Report,
        failures: Failures<'a>,
        subjects: Subjects<'a>,
        items: Items<'a>,
    }
    struct Failures<'a>(&'a JournalView);
    impl Serialize for Failures<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut failures = serializer.serialize_seq(None)?;
            for item in self.0.failures() {
                let item = item.map_err(serde::ser::Error::custom)?;
                if let Some((_, failure)) = failure(&item) {
                    failures.serialize_element(&failure)?;
                }
            }
            failures.end()
        }
    }
    struct Subjects<'a>(&'a JournalView);
    impl Serialize for Subjects<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.subjects().map(subject))
        }
    }
    struct Items<'a>(&'a JournalView);
    impl Serialize for Items<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut items = serializer.serialize_seq(None)?;
            for item in self.0.items() {
                let item = item.map_err(serde::ser::Error::custom)?;
                items.serialize_element(&item_json(&item))?;
            }
            items.end()
        }
    }
    let failed = |e: &dyn std::fmt::Display| {
        Failure::runtime(format!("report: cannot write {}: {e}", path.display()))
    };
    let file = File::create(path).map_err(|e| failed(&e))?;
    let mut out = BufWriter::new(file);
    // The page's first subjects and failures are not written: all follow.
    let report = Report {
        subjects: Vec::new(),
        failures: Vec::new(),
        ..report.clone()
    };
    let document = Document {
        report: &report,
        failures: Failures(view),
        subjects: Subjects(view),
        items: Items(view),
    };
    serde_json::to_writer(&mut out, &document).map_err(|e| failed(&e))?;
    out.write_all(b"\n").map_err(|e| failed(&e))?;
    out.flush().map_err(|e| failed(&e))
}
