//! `idv-delete verify --recheck`: before the report, ask the vendors about
//! the items the journal holds as scheduled, and append what they say
//! ([`Client::recheck_journal`](idv_delete_blocking::Client::recheck_journal)).
//!
//! The client is built as the batch's was (the config file's credentials
//! and endpoints, `--base-url`), for the vendors of the scheduled items
//! only, so a journal of Jumio and Onfido rows needs no Jumio credentials
//! to be rechecked. The summary says how many the vendors confirmed
//! deleted, which are still scheduled and until when, and which vendors
//! offer no read (their items stay scheduled); then the usual report
//! follows, which reads the appended records.

use std::collections::BTreeMap;
use std::path::Path;

use idv_delete_blocking::core::recheck_request;
use idv_delete_blocking::journal::{ItemStatus, JournalOutcome, JournalState, Record};
use idv_delete_blocking::{
    DeleteIntent, Endpoint, JournalError, JournalReader, RecheckReport, Vendor,
};
use serde_json::{json, Value};

use crate::args::{ConnectionArgs, Output, VerifyArgs};
use crate::config::Config;
use crate::failure::{Failure, EXIT_FAILED};
use crate::{signals, single, verify};

/// The scheduled items of one vendor: how many, and one of them (to ask
/// the core whether the vendor offers a read at all).
struct Scheduled {
    count: u64,
    example: DeleteIntent,
}

/// Rechecks, prints what was learnt, then the report; the exit code is
/// the report's verdict, at least 4 when a recheck failed (the vendor did
/// not answer, refused the credentials, or shows an erasure that will not
/// happen, such as an Onfido applicant restored).
pub fn run(args: &VerifyArgs) -> Result<u8, Failure> {
    let journal = match args.journals.as_slice() {
        [one] => one,
        _ => {
            return Err(Failure::config(
                "verify --recheck takes one journal at a time (it appends to it); recheck each shard's journal with its own command",
            ))
        }
    };
    let scheduled = scheduled_by_vendor(journal)?;
    if scheduled.is_empty() {
        if args.output == Output::Text {
            println!(
                "recheck: the journal {} holds no scheduled item; nothing was asked",
                journal.display()
            );
        }
        let nothing = summary_json(&RecheckReport::default(), &[], &[]);
        return verify::run(&args.journals, args.output, Some(nothing));
    }
    let config = Config::load(args.config.as_deref())?;
    let connection = ConnectionArgs {
        base_url: args.base_url.clone(),
        config: args.config.clone(),
        timeout: args.timeout,
        max_attempts: 1,
        output: args.output,
    };
    let vendors = scheduled.keys().copied().collect();
    let client = crate::client(&config, &connection, &vendors, config.hyperverge_host())?;
    let no_read = vendors_without_read(&config, &scheduled)?;
    let cancel = crate::stoppable()?;
    let report = client.recheck_journal(journal, &cancel)?;
    let still = still_scheduled(journal, report.run)?;
    let summary = summary_json(&report, &still, &no_read);
    if args.output == Output::Text {
        print_summary(journal, &report, &still, &no_read, &scheduled);
    }
    if report.cancelled {
        if args.output == Output::Json {
            println!("{}", json!({ "recheck": summary }));
        }
        eprintln!(
            "stopped by {}: the items not asked yet are still scheduled; run the same command again to go on",
            signals::stopped_by()
        );
        return Ok(signals::exit_code());
    }
    let code = verify::run(&args.journals, args.output, Some(summary))?;
    Ok(if report.failures.is_empty() {
        code
    } else {
        code.max(EXIT_FAILED)
    })
}

/// The vendors of the items whose status in the journal is scheduled.
fn scheduled_by_vendor(path: &Path) -> Result<BTreeMap<Vendor, Scheduled>, JournalError> {
    let state = JournalState::read(path)?;
    let mut by_vendor: BTreeMap<Vendor, Scheduled> = BTreeMap::new();
    if state.totals().scheduled == 0 {
        return Ok(by_vendor);
    }
    let mut seen = std::collections::HashSet::new();
    for record in JournalReader::open(path)? {
        let Record::Outcome(outcome) = record? else {
            continue;
        };
        if state.status(outcome.position) != ItemStatus::Scheduled || !seen.insert(outcome.position)
        {
            continue;
        }
        by_vendor
            .entry(outcome.intent.vendor())
            .and_modify(|s| s.count += 1)
            .or_insert(Scheduled {
                count: 1,
                example: outcome.intent,
            });
    }
    Ok(by_vendor)
}

/// The vendors among `scheduled` that offer no read to recheck with, as
/// the core says (no I/O: it only builds the request).
fn vendors_without_read(
    config: &Config,
    scheduled: &BTreeMap<Vendor, Scheduled>,
) -> Result<Vec<Vendor>, Failure> {
    let mut vendors = Vec::new();
    for (vendor, items) in scheduled {
        let credentials = config.credentials(*vendor)?;
        let request = recheck_request(&items.example, &Endpoint::Documented, &credentials)
            .map_err(|e| Failure::config(e.to_string()))?;
        if request.is_none() {
            vendors.push(*vendor);
        }
    }
    Ok(vendors)
}

/// The items the recheck run `run` journaled as still scheduled, with the
/// vendor's date when it gave one.
fn still_scheduled(path: &Path, run: u32) -> Result<Vec<(String, Option<String>)>, JournalError> {
    let mut in_run = false;
    let mut still = Vec::new();
    for record in JournalReader::open(path)? {
        match record? {
            Record::Run(start) => in_run = start.run == run,
            Record::Outcome(outcome) if in_run => {
                if let JournalOutcome::Scheduled { until, .. } = outcome.outcome {
                    still.push((outcome.intent.to_string(), until));
                }
            }
            _ => {}
        }
    }
    Ok(still)
}

fn print_summary(
    path: &Path,
    report: &RecheckReport,
    still: &[(String, Option<String>)],
    no_read: &[Vendor],
    scheduled: &BTreeMap<Vendor, Scheduled>,
) {
    println!(
        "recheck of {} (run {}): {} scheduled item(s) asked about: {} confirmed deleted by the vendor, {} still scheduled, {} failed",
        path.display(),
        report.run,
        report.scheduled - report.not_offered,
        report.deleted,
        report.still_scheduled,
        report.failures.len()
    );
    for (item, until) in still {
        match until {
            Some(until) => println!("  still scheduled: {item}, the vendor's date: {until}"),
            None => println!("  still scheduled: {item}, the vendor gave no date"),
        }
    }
    for vendor in no_read {
        let count = scheduled.get(vendor).map_or(0, |s| s.count);
        println!(
            "  {}: offers no read to recheck with; its {count} item(s) stay scheduled (the vendor completes them itself, as it documents)",
            vendor.name()
        );
    }
    for failed in &report.failures {
        println!(
            "  recheck failed: {}: {}; run the recheck again later",
            failed.intent, failed.error
        );
    }
    println!();
}

fn summary_json(
    report: &RecheckReport,
    still: &[(String, Option<String>)],
    no_read: &[Vendor],
) -> Value {
    json!({
        "run": report.run,
        "scheduled": report.scheduled,
        "deleted": report.deleted,
        "still_scheduled": report.still_scheduled,
        "still_scheduled_items": still
            .iter()
            .map(|(item, until)| json!({ "item": item, "until": until }))
            .collect::<Vec<_>>(),
        "not_offered": report.not_offered,
        "vendors_without_recheck": no_read.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "failures": report
            .failures
            .iter()
            .map(|f| {
                let mut item = single::to_json(&f.intent, &Err(f.error.clone()));
                if let Some(item) = item.as_object_mut() {
                    item.insert("position".into(), json!(f.position));
                }
                item
            })
            .collect::<Vec<_>>(),
        "cancelled": report.cancelled,
    })
}
