//! `idv-delete batch`: check the CSV, show the plan, confirm, then delete
//! with a journal and a progress bar.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use idv_delete_blocking::journal::InputSummary;
use idv_delete_blocking::{
    BatchOptions, BatchReport, CancelToken, Client, ErrorKind, Progress, Region, Vendor, Window,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::args::{BatchArgs, Output, WindowArg};
use crate::csv_input::{Input, Scan};
use crate::failure::{Failure, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK};
use crate::{platform, signals, wording};

/// What the batch command needs besides its arguments.
pub struct Setup<'a> {
    /// The client (credentials of the vendors the CSV names).
    pub client: &'a Client,
    /// Cancelled by SIGINT or SIGTERM (see `signals`).
    pub cancel: CancelToken,
    /// The config file's request windows by vendor (`--window` replaces a
    /// vendor's).
    pub windows: BTreeMap<Vendor, Vec<Window>>,
}

/// The windows in force where the caller set them: the file's, each
/// vendor named by `--window` replaced by its `--window`s. `VENDOR=none`
/// beside a window of the same vendor is refused: one of them is a slip.
pub fn windows(
    file: &BTreeMap<Vendor, Vec<Window>>,
    args: &[WindowArg],
) -> Result<BTreeMap<Vendor, Vec<Window>>, Failure> {
    let mut windows = file.clone();
    let mut lifted = BTreeSet::new();
    for vendor in args.iter().map(|arg| arg.vendor).collect::<BTreeSet<_>>() {
        windows.insert(vendor, Vec::new());
    }
    for arg in args {
        match arg.window {
            Some(window) => windows.entry(arg.vendor).or_default().push(window),
            None => {
                lifted.insert(arg.vendor);
            }
        }
    }
    if let Some(vendor) = lifted
        .iter()
        .find(|v| windows.get(v).is_some_and(|w| !w.is_empty()))
    {
        return Err(Failure::config(format!(
            "--window {}=none lifts the vendor's windows but another --window sets one: pass either",
            vendor.as_str()
        )));
    }
    Ok(windows)
}

/// Checks the CSV: the scan, or a config failure listing the bad rows.
pub fn check_input(input: &Input, skip_invalid: bool) -> Result<Scan, Failure> {
    let scan = input.scan()?;
    if scan.invalid > 0 {
        let mut message = format!(
            "{} has {} invalid row{}:\n",
            input.name(),
            scan.invalid,
            if scan.invalid == 1 { "" } else { "s" }
        );
        for (line, why) in &scan.errors {
            message.push_str(&format!("  line {line}: {why}\n"));
        }
        if scan.invalid > scan.errors.len() as u64 {
            message.push_str(&format!(
                "  ... and {} more\n",
                scan.invalid - scan.errors.len() as u64
            ));
        }
        if !skip_invalid {
            message.push_str("nothing was sent; fix these rows, or pass --skip-invalid to delete only the valid ones");
            return Err(Failure::config(message));
        }
        eprint!("{message}these rows are skipped (--skip-invalid)\n\n");
    }
    if scan.duplicates > 0 {
        eprint!("{}", duplicates_message(input.name(), &scan));
    }
    Ok(scan)
}

/// The duplicate rows, listed with both line numbers (the first ones) and
/// counted: shown before anything is sent, but not an error.
fn duplicates_message(name: &str, scan: &Scan) -> String {
    let mut message = format!(
        "{name} has {} duplicate row{} (same vendor, product, region and reference as an earlier row):\n",
        scan.duplicates,
        if scan.duplicates == 1 { "" } else { "s" }
    );
    for repeat in &scan.repeats {
        message.push_str(&format!("  {repeat}\n"));
    }
    let listed = scan.repeats.len() as u64;
    if scan.duplicates > listed {
        message.push_str(&format!("  ... and {} more\n", scan.duplicates - listed));
    }
    message.push('\n');
    message
}

/// Prints what would be deleted, per vendor, product and region: distinct
/// items, then how many rows repeat one.
pub fn print_plan(scan: &Scan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<15} {:<20} {:<7} {:>10}",
        "vendor", "product", "region", "items"
    )?;
    for ((vendor, product, region), count) in &scan.counts {
        // 20: Stripe's verification_session fits.
        writeln!(out, "{vendor:<15} {product:<20} {region:<7} {count:>10}")?;
    }
    writeln!(out, "{:<44} {:>10}", "total", scan.unique())?;
    if scan.duplicates > 0 {
        writeln!(
            out,
            "{:<44} {:>10}",
            "duplicate rows (deleted once)", scan.duplicates
        )?;
    }
    Ok(())
}

/// Runs the batch command; returns the exit code.
pub fn run(args: &BatchArgs, input: &Input, scan: &Scan, setup: Setup<'_>) -> Result<u8, Failure> {
    let output = args.connection.output;
    let windows = windows(&setup.windows, &args.windows)?;
    let mut stderr = io::stderr();
    print_plan(scan, &mut stderr)?;
    if args.journal.exists() {
        if args.dry_run {
            eprintln!(
                "reading the journal {}: the dry run counts what a resume would send, and writes nothing",
                args.journal.display()
            );
        } else {
            eprintln!(
                "resuming the journal {}: finished rows are skipped",
                args.journal.display()
            );
        }
    }
    if !args.dry_run && !args.yes {
        confirm(scan, args.input == "-")?;
    }

    if !args.dry_run {
        // Refused client credentials stop the batch here, before any
        // deletion; a dry run sends nothing, a token request included.
        platform::check_tokens(setup.client, platform_regions(scan), &setup.cancel)?;
    }

    let changed = Mutex::new(None);
    let intents = input.intents(&changed)?;
    let bar = progress_bar(scan.valid);
    let mut options = BatchOptions::default()
        .concurrency(args.concurrency)
        .dry_run(args.dry_run)
        .adaptive_rate(args.adaptive_rate)
        .wait_for_windows(args.wait_for_limits)
        .cancel(setup.cancel.clone());
    // A dry run reads the journal too (and writes nothing), so that it
    // shows what a resume would send.
    options = options
        .journal(&args.journal)
        .allow_endpoint_change(args.allow_endpoint_change)
        .input(InputSummary {
            source: input.name().to_owned(),
            items: scan.valid,
            sha256: scan.digest.hex(),
        })
        .known_duplicates(scan.duplicate_of.clone());
    if let Some(rate) = args.rate {
        options = options.rate(rate);
    }
    for (vendor, windows) in windows {
        options = options.vendor_windows(vendor, windows);
    }
    let on_progress = bar.clone();
    options = options.progress(move |p: &Progress| update_bar(&on_progress, p));
    let report = setup.client.delete_many(intents, options);
    bar.finish_and_clear();
    let mut report = report?;
    if let Ok(Some(why)) = changed.into_inner() {
        return Err(Failure::runtime(why));
    }
    // The token bought by the check above counts too: the client is this
    // command's own, so its count is this run's.
    report.token_requests = setup.client.token_requests();

    let journal = (!args.dry_run).then_some(args.journal.as_path());
    let notes = erasure_notes(scan);
    match output {
        Output::Text => print_summary(&report, journal, &notes),
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&summary_json(&report, journal, &notes))
                .unwrap_or_default()
        ),
    }
    if let Some(full) = report.window_full {
        eprintln!(
            "stopped at {}'s limit of {} requests per {}: run the same command again after {} (or pass --wait-for-limits to wait)",
            full.vendor.name(),
            full.window.count,
            wording::within(full.window.span).trim_start_matches("within "),
            clock_time(full.until)
        );
        return Ok(EXIT_LIMITED);
    }
    if report.cancelled {
        eprintln!(
            "stopped by {}: items cut short are journaled as cancelled; run the same command again to resume from {}",
            signals::stopped_by(),
            args.journal.display()
        );
        return Ok(signals::exit_code());
    }
    Ok(exit_code(&report))
}

/// The regions of the Jumio Platform rows: where a token is needed.
fn platform_regions(scan: &Scan) -> impl Iterator<Item = Region> + '_ {
    scan.counts
        .keys()
        .filter(|(vendor, _, _)| *vendor == Vendor::JumioPlatform.as_str())
        .filter_map(|(_, _, region)| region.parse().ok())
}

/// What a deletion erases, for each vendor of the batch where that is not
/// simply everything: `vendor: note`.
fn erasure_notes(scan: &Scan) -> Vec<String> {
    Vendor::ALL
        .into_iter()
        .filter(|v| scan.counts.keys().any(|(name, _, _)| *name == v.as_str()))
        .filter_map(|v| platform::erasure_note(v).map(|note| format!("{}: {note}", v.as_str())))
        .collect()
}

/// The exit code of a batch stopped at a vendor's window (sysexits'
/// EX_TEMPFAIL: a temporary failure, run it again later).
pub const EXIT_LIMITED: u8 = 75;

/// `time` as `HH:MM UTC` and how far away it is: windows are at most a day.
fn clock_time(time: std::time::SystemTime) -> String {
    let now = std::time::SystemTime::now();
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let minutes = time
        .duration_since(now)
        .map_or(0, |d| d.as_secs().div_ceil(60));
    format!(
        "{:02}:{:02} UTC (in {minutes} min)",
        secs % 86_400 / 3600,
        secs % 3600 / 60
    )
}

/// 0 when everything in this run was deleted or scheduled, 4 on failures,
/// 3 on not-found.
pub fn exit_code(report: &BatchReport) -> u8 {
    if report.failed_total() > 0 {
        EXIT_FAILED
    } else if report.not_found > 0 {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    }
}

/// Asks on the terminal before an irreversible run; refuses without one.
fn confirm(scan: &Scan, input_is_stdin: bool) -> Result<(), Failure> {
    if input_is_stdin || !io::stdin().is_terminal() {
        return Err(Failure::config(
            "refusing to delete without confirmation: there is no terminal to ask on; pass --yes to confirm on the command line",
        ));
    }
    let duplicates = match scan.duplicates {
        0 => String::new(),
        1 => " (1 duplicate row is deleted once)".to_owned(),
        n => format!(" ({n} duplicate rows are deleted once)"),
    };
    eprint!(
        "Erase these {} records at the vendors{duplicates}? This cannot be undone. Type yes to go on: ",
        scan.unique()
    );
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(Failure::declined("not confirmed; nothing was sent"))
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(total: u64) -> ProgressBar {
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr_with_hz(10)
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:24.cyan/blue} {pos}/{len} {per_sec:.0} ETA {eta} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn update_bar(bar: &ProgressBar, progress: &Progress) {
    bar.set_position(progress.done + progress.skipped);
    let scheduled = match progress.scheduled {
        0 => String::new(),
        n => format!(", scheduled {n}"),
    };
    let skipped = match progress.skipped {
        0 => String::new(),
        n => format!(", skipped {n}"),
    };
    bar.set_message(format!(
        "deleted {}{scheduled}, not found {}, failed {}{skipped}",
        progress.deleted, progress.not_found, progress.failed
    ));
}

/// The summary table for people, on stdout; `notes` say what a deletion
/// erases where that is not everything (see `erasure_notes`).
pub fn print_summary(report: &BatchReport, journal: Option<&std::path::Path>, notes: &[String]) {
    // Nothing is left to do if stdout is gone (a closed pipe).
    let _ = write_summary(report, journal, notes, &mut io::stdout().lock());
}

/// [`print_summary`]'s text, written to `out`.
fn write_summary(
    report: &BatchReport,
    journal: Option<&std::path::Path>,
    notes: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let rate = report.done() as f64 / report.elapsed.as_secs_f64().max(1e-9);
    if report.dry_run {
        writeln!(
            out,
            "dry run: {} rows would be sent, {} are finished in the journal; nothing was sent",
            report.would_delete, report.skipped
        )?;
        return Ok(());
    }
    writeln!(out, "{:<36} {:>10}", "outcome", "items")?;
    writeln!(
        out,
        "{:<36} {:>10}",
        "deleted (vendor answered 2xx)", report.deleted_by_response
    )?;
    writeln!(
        out,
        "{:<36} {:>10}",
        "deleted (confirmed by absence)", report.deleted_by_absence
    )?;
    writeln!(
        out,
        "{:<36} {:>10}",
        "scheduled (vendor erases it later)", report.scheduled
    )?;
    writeln!(out, "{:<36} {:>10}", "not found", report.not_found)?;
    for (kind, count) in &report.failed {
        writeln!(
            out,
            "{:<36} {:>10}",
            format!("failed: {}", kind.as_str()),
            count
        )?;
    }
    if report.duplicates > 0 {
        writeln!(
            out,
            "{:<36} {:>10}",
            "duplicates (deleted once)", report.duplicates
        )?;
    }
    if report.skipped > 0 {
        writeln!(
            out,
            "{:<36} {:>10}",
            "skipped (finished in the journal)", report.skipped
        )?;
    }
    if report.retried_failures + report.resumed_in_doubt > 0 {
        writeln!(
            out,
            "resumed: {} earlier failures run again, {} in-doubt items confirmed",
            report.retried_failures, report.resumed_in_doubt
        )?;
    }
    writeln!(
        out,
        "{} items in {:.1} s ({rate:.0}/s), {} requests",
        report.done(),
        report.elapsed.as_secs_f64(),
        report.attempts
    )?;
    if report.token_requests > 0 {
        writeln!(
            out,
            "{} Jumio Platform token request{}",
            report.token_requests,
            if report.token_requests == 1 { "" } else { "s" }
        )?;
    }
    if report.deleted() > 0 {
        for note in notes {
            writeln!(out, "note: {note}")?;
        }
    }
    for note in &report.journal_notes {
        writeln!(out, "note: {note}")?;
    }
    if report.scheduled > 0 {
        writeln!(out, "scheduled: {}", wording::SCHEDULED)?;
    }
    for failed in &report.failures {
        let retry_later = match failed.error.kind() {
            ErrorKind::NotDeletableYet => format!("; {}", wording::RETRY_LATER),
            _ => String::new(),
        };
        writeln!(
            out,
            "failed: {} (item {} of the input): {}{retry_later}",
            crate::single::named(&failed.intent),
            failed.position + 1,
            failed.error
        )?;
    }
    if report.failures_omitted > 0 {
        writeln!(
            out,
            "... and {} more failures (see the journal)",
            report.failures_omitted
        )?;
    }
    if let Some(count) = report.failed.get(&ErrorKind::NotDeletableYet) {
        writeln!(
            out,
            "{count} not deletable yet ({}); running the same command again later retries them",
            wording::RETRY_LATER
        )?;
    }
    if report.in_doubt > 0 {
        writeln!(
            out,
            "{} failed items may have been deleted by an attempt; running the same command again confirms them",
            report.in_doubt
        )?;
    }
    if let Some(journal) = journal {
        writeln!(
            out,
            "journal: {} (idv-delete verify {} for the proof of erasure)",
            journal.display(),
            journal.display()
        )?;
        match &report.journal_fingerprint {
            Some(fingerprint) => writeln!(
                out,
                "fingerprint: {fingerprint} (store it elsewhere, a ticket or a log: `idv-delete verify` printing the same value later proves the journal unchanged)"
            )?,
            None => writeln!(
                out,
                "unchained: the journal was started before idv-delete chained its journals; its lines cannot be proven unedited"
            )?,
        }
    }
    Ok(())
}

/// The machine-readable summary; `notes` as for [`print_summary`].
pub fn summary_json(
    report: &BatchReport,
    journal: Option<&std::path::Path>,
    notes: &[String],
) -> serde_json::Value {
    let failed: serde_json::Map<String, serde_json::Value> = report
        .failed
        .iter()
        .map(|(kind, count)| (kind.as_str().to_owned(), json!(count)))
        .collect();
    json!({
        "dry_run": report.dry_run,
        "cancelled": report.cancelled,
        "window_full": report.window_full.map(|full| json!({
            "vendor": full.vendor.as_str(),
            "count": full.window.count,
            "span_secs": full.window.span.as_secs(),
            "resume_after_unix": full.until.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        })),
        "would_delete": report.would_delete,
        "deleted_by_response": report.deleted_by_response,
        "deleted_by_absence": report.deleted_by_absence,
        "deleted": report.deleted(),
        "scheduled": report.scheduled,
        "not_found": report.not_found,
        "failed": failed,
        "failed_total": report.failed_total(),
        "in_doubt": report.in_doubt,
        "skipped": report.skipped,
        "duplicates": report.duplicates,
        "run": report.run,
        "resumed_in_doubt": report.resumed_in_doubt,
        "retried_failures": report.retried_failures,
        "attempts": report.attempts,
        "token_requests": report.token_requests,
        "erasure_notes": notes,
        "elapsed_seconds": report.elapsed.as_secs_f64(),
        "journal": journal.map(|p| p.display().to_string()),
        "journal_notes": report.journal_notes,
        "journal_fingerprint": report.journal_fingerprint,
        "failures": report.failures.iter().map(|f| {
            let mut item = crate::single::to_json(&f.intent, &Err(f.error.clone()));
            if let Some(item) = item.as_object_mut() {
                item.insert("position".into(), json!(f.position));
            }
            item
        }).collect::<Vec<_>>(),
        "failures_omitted": report.failures_omitted,
    })
}

#[cfg(test)]
mod tests {
    use idv_delete_blocking::{DeleteError, DeleteIntent, FailedItem};

    use super::*;

    /// A run of four: one deleted, two scheduled, one the vendor will not
    /// delete yet.
    fn report() -> BatchReport {
        let mut report = BatchReport::default();
        report.deleted_by_response = 1;
        report.scheduled = 2;
        report.failed.insert(ErrorKind::NotDeletableYet, 1);
        report.failures.push(FailedItem {
            position: 3,
            intent: DeleteIntent::hyperverge("HV-4").unwrap(),
            error: DeleteError::new(ErrorKind::NotDeletableYet, "still in progress"),
        });
        report
    }

    fn summary(report: &BatchReport) -> String {
        let mut out = Vec::new();
        write_summary(report, None, &[], &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn scheduled_items_are_counted_apart_from_deleted() {
        let text = summary(&report());
        let row = |label: &str| {
            text.lines()
                .find(|line| line.starts_with(label))
                .unwrap_or_else(|| panic!("no {label:?} row: {text}"))
                .split_whitespace()
                .last()
                .unwrap()
                .to_owned()
        };
        assert_eq!(row("deleted (vendor answered 2xx)"), "1", "{text}");
        assert_eq!(row("scheduled (vendor erases it later)"), "2", "{text}");
        assert!(text.contains(wording::SCHEDULED), "{text}");

        let json = summary_json(&report(), None, &[]);
        assert_eq!(json["deleted"], 1, "{json}");
        assert_eq!(json["scheduled"], 2, "{json}");
        assert_eq!(json["failed"]["not_deletable_yet"], 1, "{json}");
        assert_eq!(json["failures"][0]["retry_later"], true, "{json}");
    }

    #[test]
    fn the_failure_list_says_retry_later_for_not_deletable_yet() {
        let text = summary(&report());
        let failed = text
            .lines()
            .find(|line| line.starts_with("failed: hyperverge"))
            .unwrap_or_else(|| panic!("no failure listed: {text}"));
        assert!(failed.ends_with(wording::RETRY_LATER), "{failed}");
        assert!(
            text.contains(&format!("1 not deletable yet ({})", wording::RETRY_LATER)),
            "{text}"
        );
    }

    #[test]
    fn exit_code_is_0_when_every_item_is_deleted_or_scheduled() {
        let mut report = report();
        assert_eq!(exit_code(&report), EXIT_FAILED);
        report.failed.clear();
        report.failures.clear();
        assert_eq!(exit_code(&report), EXIT_OK);
        report.deleted_by_response = 0;
        assert_eq!(exit_code(&report), EXIT_OK, "only scheduled items");
        report.not_found = 1;
        assert_eq!(exit_code(&report), EXIT_NOT_FOUND);
    }
}
