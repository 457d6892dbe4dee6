//! The batch runner: [`Client::delete_many`].
//!
//! The calling thread reads the input and feeds a bounded channel; a fixed
//! set of worker threads take items from it, so memory does not grow with
//! the number of items. Before each attempt a worker waits for the shared
//! pause (set by a 429 with `Retry-After`) and the shared pacer (the
//! caller's rate limit, lowered after a 429 when the rate adapts: see
//! [`BatchOptions::adaptive_rate`]). With a journal, a worker makes the item's
//! `sent` record durable before its first request, and writes its
//! `outcome` after the last.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use idv_delete_core::{ConfirmedBy, DeleteError, DeleteIntent, Erasure, ErrorKind, Vendor, Window};

use crate::cancel::CancelToken;
use crate::client::Client;
use crate::identity::{InputDigest, ItemKey};
use crate::journal::{
    self, DuplicateRecord, EndRecord, Evidence, InputSummary, ItemStatus, JournalError,
    JournalLock, JournalOutcome, JournalReader, JournalState, JournalWriter, OutcomeRecord, Record,
    RunEnd, RunRecord, SentRecord, Sink, TornTail,
};
use crate::throttle::Throttle;
use crate::windows::{SendLog, WindowFull};

/// Default number of worker threads.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Most worker threads a batch may use.
pub const MAX_CONCURRENCY: usize = 256;
/// Highest [`BatchOptions::rate`], in requests per second.
pub const MAX_RATE: f64 = 1_000_000.0;
/// Failed items kept in a [`BatchReport`]; the rest are only counted.
pub const MAX_REPORTED_FAILURES: usize = 1000;

/// A progress callback: called from worker threads after each finished
/// item. It must be quick and must not panic.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How to run a batch. `BatchOptions::default()`: 8 workers, no rate limit,
/// no journal, not a dry run.
#[derive(Clone)]
#[non_exhaustive]
pub struct BatchOptions {
    /// Worker threads, 1 to 256 (default 8).
    pub concurrency: usize,
    /// Requests per second across all workers, retries included (default:
    /// no limit). Must be finite and positive.
    pub rate: Option<f64>,
    /// Whether the vendor's first 429 makes the batch pace itself and
    /// search for the highest rate the vendor accepts (slow start, then a
    /// CUBIC curve as in the AWS SDKs' adaptive retry mode), never above
    /// [`rate`](BatchOptions::rate), so that a limit the caller does not
    /// know costs a few 429s, not one in every few requests (default off).
    ///
    /// Off, a 429 with `Retry-After` pauses every worker and the batch then
    /// goes on at its former rate. Turn it on where the vendor's 429s mean
    /// a rate limit; a vendor answering 429 at random, whatever the rate,
    /// would make it slow the batch far more than the pauses do.
    pub adaptive_rate: bool,
    /// The journal file: created if absent, resumed if present.
    pub journal: Option<PathBuf>,
    /// The input, declared before the run: the journal records it, a
    /// resume refuses another input before sending anything, and `verify`
    /// can tell a run that stopped early from a complete one even when
    /// the run never ended (default: undeclared; the journal then learns
    /// the input's length and digest only when a run reads it to its end).
    pub input: Option<InputSummary>,
    /// The input's duplicates, when the caller found them before the run
    /// (the CLI does, from its check of the whole CSV): each repeating
    /// item's position with its first occurrence's. The batch trusts it and
    /// keeps no table of its own; without it, the batch remembers every
    /// item's first position as it reads them (about 50 bytes per distinct
    /// item), so that a repeat is journaled as a duplicate, not sent.
    pub known_duplicates: Option<Arc<BTreeMap<u64, u64>>>,
    /// Whether a resume may send requests to another endpoint than the
    /// journal's last run did (default false: refused, since a 404 at
    /// another endpoint proves nothing about the first).
    pub allow_endpoint_change: bool,
    /// Read, never write: every item is checked (credentials for its
    /// vendor) and counted as [`BatchReport::would_delete`]; an existing
    /// journal is read and replayed as a resume would, so its finished
    /// items are counted as skipped and a changed input or endpoint is
    /// refused. Nothing is sent, and no journal, record or lock file is
    /// written (default false).
    pub dry_run: bool,
    /// Called after each finished item.
    pub progress: Option<ProgressFn>,
    /// Cancels the batch: no new item is taken, pauses and backoffs end at
    /// once, and an item cut short is journaled as failed with
    /// [`ErrorKind::Cancelled`] (in doubt if an attempt may have been
    /// applied), so a resume runs it again. Requests on the wire finish,
    /// within the client's timeout.
    pub cancel: Option<CancelToken>,
    /// Each vendor's request windows, where the caller sets them; the
    /// others keep their documented ones ([`Vendor::documented_windows`]:
    /// Persona 300 per minute, Stripe 25 per second, Veriff 5 per hour and
    /// 10 per 24 hours). An empty list lifts a vendor's windows (for a
    /// contract with a higher limit, or the emulator). A window counts
    /// every request, retries included, and the journal's earlier runs.
    pub windows: BTreeMap<Vendor, Vec<Window>>,
    /// What the batch does when a window is full for longer than 2 minutes
    /// (a wait up to that is always taken): stop, reporting when to run it
    /// again ([`BatchReport::window_full`]; the default, so that a batch
    /// does not sleep for an hour), or wait (true).
    pub wait_for_windows: bool,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            concurrency: DEFAULT_CONCURRENCY,
            rate: None,
            adaptive_rate: false,
            journal: None,
            input: None,
            known_duplicates: None,
            allow_endpoint_change: false,
            dry_run: false,
            progress: None,
            cancel: None,
            windows: BTreeMap::new(),
            wait_for_windows: false,
        }
    }
}

impl fmt::Debug for BatchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchOptions")
            .field("concurrency", &self.concurrency)
            .field("rate", &self.rate)
            .field("adaptive_rate", &self.adaptive_rate)
            .field("journal", &self.journal)
            .field("input", &self.input)
            .field(
                "known_duplicates",
                &self.known_duplicates.as_ref().map(|known| known.len()),
            )
            .field("allow_endpoint_change", &self.allow_endpoint_change)
            .field("dry_run", &self.dry_run)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl BatchOptions {
    /// The defaults.
    pub fn new() -> BatchOptions {
        BatchOptions::default()
    }

    /// Sets [`concurrency`](BatchOptions::concurrency).
    pub fn concurrency(mut self, workers: usize) -> BatchOptions {
        self.concurrency = workers;
        self
    }

    /// Sets [`rate`](BatchOptions::rate) in requests per second.
    pub fn rate(mut self, per_second: f64) -> BatchOptions {
        self.rate = Some(per_second);
        self
    }

    /// Sets [`adaptive_rate`](BatchOptions::adaptive_rate).
    pub fn adaptive_rate(mut self, adaptive: bool) -> BatchOptions {
        self.adaptive_rate = adaptive;
        self
    }

    /// Sets [`journal`](BatchOptions::journal).
    pub fn journal(mut self, path: impl Into<PathBuf>) -> BatchOptions {
        self.journal = Some(path.into());
        self
    }

    /// Sets [`input`](BatchOptions::input).
    pub fn input(mut self, input: InputSummary) -> BatchOptions {
        self.input = Some(input);
        self
    }

    /// Sets [`known_duplicates`](BatchOptions::known_duplicates).
    pub fn known_duplicates(mut self, duplicates: BTreeMap<u64, u64>) -> BatchOptions {
        self.known_duplicates = Some(Arc::new(duplicates));
        self
    }

    /// Sets [`allow_endpoint_change`](BatchOptions::allow_endpoint_change).
    pub fn allow_endpoint_change(mut self, allow: bool) -> BatchOptions {
        self.allow_endpoint_change = allow;
        self
    }

    /// Sets [`dry_run`](BatchOptions::dry_run).
    pub fn dry_run(mut self, dry_run: bool) -> BatchOptions {
        self.dry_run = dry_run;
        self
    }

    /// Sets [`progress`](BatchOptions::progress).
    pub fn progress(
        mut self,
        callback: impl Fn(&Progress) + Send + Sync + 'static,
    ) -> BatchOptions {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Sets [`cancel`](BatchOptions::cancel).
    pub fn cancel(mut self, token: CancelToken) -> BatchOptions {
        self.cancel = Some(token);
        self
    }

    /// Sets `vendor`'s windows (see [`windows`](BatchOptions::windows)).
    pub fn vendor_windows(mut self, vendor: Vendor, windows: Vec<Window>) -> BatchOptions {
        self.windows.insert(vendor, windows);
        self
    }

    /// Sets [`wait_for_windows`](BatchOptions::wait_for_windows).
    pub fn wait_for_windows(mut self, wait: bool) -> BatchOptions {
        self.wait_for_windows = wait;
        self
    }

    /// Every vendor's windows in force: the caller's, else the documented.
    fn effective_windows(&self) -> BTreeMap<Vendor, Vec<Window>> {
        Vendor::ALL
            .into_iter()
            .map(|vendor| {
                let windows = self
                    .windows
                    .get(&vendor)
                    .cloned()
                    .unwrap_or_else(|| vendor.documented_windows().to_vec());
                (vendor, windows)
            })
            .collect()
    }

    fn validate(&self) -> Result<(), BatchError> {
        for (vendor, windows) in &self.windows {
            for window in windows {
                Window::checked(window.count, window.span.as_secs_f64()).map_err(|e| {
                    BatchError::InvalidOptions(format!(
                        "the {} window of {}",
                        vendor.name(),
                        e.detail()
                    ))
                })?;
            }
        }
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(BatchError::InvalidOptions(format!(
                "concurrency is {}; use 1 to {MAX_CONCURRENCY}",
                self.concurrency
            )));
        }
        if let Some(rate) = self.rate {
            if !(rate.is_finite() && rate > 0.0 && rate <= MAX_RATE) {
                return Err(BatchError::InvalidOptions(format!(
                    "rate is {rate}; use a number of requests per second above 0 and at most {MAX_RATE}"
                )));
            }
        }
        Ok(())
    }
}

/// Counts so far, given to the progress callback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Items finished in this run (deleted, not found or failed).
    pub done: u64,
    /// Items deleted (confirmed by response or absence); in a dry run,
    /// items that would be deleted.
    pub deleted: u64,
    /// Items the vendor accepted to erase later (never counted in
    /// `deleted`).
    pub scheduled: u64,
    /// Items the vendor does not hold (404).
    pub not_found: u64,
    /// Items that failed.
    pub failed: u64,
    /// Items being deleted right now.
    pub in_flight: u64,
    /// Items skipped because the journal has their outcome.
    pub skipped: u64,
}

/// A failed item kept in the report.
#[derive(Clone, Debug)]
pub struct FailedItem {
    /// Position in the input, from 0.
    pub position: u64,
    /// The item.
    pub intent: DeleteIntent,
    /// Why it failed.
    pub error: DeleteError,
}

/// What a batch did.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct BatchReport {
    /// Deleted, confirmed by a 2xx answer.
    pub deleted_by_response: u64,
    /// Deleted, confirmed by a 404 after an attempt that may have been
    /// applied (including in-doubt items of a resumed journal): absent after
    /// an uncertain attempt, so erased by it or never present at that
    /// endpoint.
    pub deleted_by_absence: u64,
    /// Accepted by the vendor, who completes the erasure later (Onfido's
    /// archive, Stripe's `processing`, Veriff's 12 hours): never counted
    /// as deleted; `verify --recheck` may later confirm them.
    pub scheduled: u64,
    /// Not found at the vendor (never reported as deleted).
    pub not_found: u64,
    /// Failed items by error kind (`NotFound` is counted in `not_found`).
    pub failed: BTreeMap<ErrorKind, u64>,
    /// Failed items whose attempt may have deleted them: run them again
    /// (a resume does) to confirm.
    pub in_doubt: u64,
    /// Dry run: items that would have been sent.
    pub would_delete: u64,
    /// Items skipped because the journal has their final outcome (deleted,
    /// not found, or a duplicate already recorded).
    pub skipped: u64,
    /// Items that repeat an earlier item of the input (same vendor,
    /// product, region and reference): not sent, journaled as duplicates;
    /// the first occurrence's outcome is theirs.
    pub duplicates: u64,
    /// The run's number in its journal (1 for a new journal); 0 without a
    /// journal or in a dry run.
    pub run: u32,
    /// In-doubt items of a resumed journal that were re-run.
    pub resumed_in_doubt: u64,
    /// Failed items of a resumed journal that were run again.
    pub retried_failures: u64,
    /// Requests sent, retries included.
    pub attempts: u64,
    /// Jumio Platform token requests sent during the batch (by its client,
    /// from any thread): one per token lifetime when all goes well, none
    /// when a fresh token was already held.
    pub token_requests: u64,
    /// Wall time of the batch.
    pub elapsed: Duration,
    /// The first [`MAX_REPORTED_FAILURES`] failed items.
    pub failures: Vec<FailedItem>,
    /// Failed items beyond those kept in `failures`.
    pub failures_omitted: u64,
    /// True for a dry run.
    pub dry_run: bool,
    /// True when the batch was cancelled before the input ended.
    pub cancelled: bool,
    /// Set when the batch stopped because a vendor's window was full for
    /// longer than it waits by itself: run it again (the same command,
    /// the same journal) after `until`, or with
    /// [`BatchOptions::wait_for_windows`]. `cancelled` is true too.
    pub window_full: Option<WindowFull>,
    /// Things to know about the journal (a torn last line that was cut
    /// away, an input shorter than the journal, a salvaged journal).
    pub journal_notes: Vec<String>,
    /// The journal's fingerprint after this run (the chain value of its
    /// last line, 64 hex digits): stored elsewhere (a ticket, a log), it
    /// later proves the journal unchanged (`JournalState::fingerprint`
    /// gives it again). `None` without a journal, in a dry run, or for a
    /// journal written before the chain existed (continued unchained).
    pub journal_fingerprint: Option<String>,
}

impl BatchReport {
    /// Items deleted, by response or by absence.
    pub fn deleted(&self) -> u64 {
        self.deleted_by_response + self.deleted_by_absence
    }

    /// Items failed, all kinds.
    pub fn failed_total(&self) -> u64 {
        self.failed.values().sum()
    }

    /// Items finished in this run.
    pub fn done(&self) -> u64 {
        self.deleted() + self.scheduled + self.not_found + self.failed_total() + self.would_delete
    }

    /// True when every item finished in this run was deleted, scheduled or
    /// not found.
    pub fn all_succeeded(&self) -> bool {
        self.failed_total() == 0 && !self.cancelled
    }
}

/// Why a batch could not run or finish. Per-item failures are not batch
/// errors: they are in the [`BatchReport`].
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchError {
    /// The options are unusable; nothing was done.
    InvalidOptions(String),
    /// The journal could not be read, written, locked or used for this
    /// input; see [`JournalError`] for what was sent in each case.
    Journal(JournalError),
}

impl From<JournalError> for BatchError {
    fn from(error: JournalError) -> BatchError {
        BatchError::Journal(error)
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::InvalidOptions(why) => write!(f, "invalid batch options: {why}"),
            BatchError::Journal(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BatchError::InvalidOptions(_) => None,
            BatchError::Journal(error) => Some(error),
        }
    }
}

/// One item on its way to a worker.
struct Work {
    position: u64,
    intent: DeleteIntent,
    in_doubt: bool,
}

/// Counters shared by the workers.
#[derive(Default)]
struct Counters {
    by_response: AtomicU64,
    by_absence: AtomicU64,
    scheduled: AtomicU64,
    not_found: AtomicU64,
    failed: AtomicU64,
    would_delete: AtomicU64,
    in_doubt: AtomicU64,
    in_flight: AtomicU64,
    skipped: AtomicU64,
    resumed: AtomicU64,
    retried: AtomicU64,
    attempts: AtomicU64,
}

impl Counters {
    fn progress(&self) -> Progress {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let deleted = get(&self.by_response) + get(&self.by_absence) + get(&self.would_delete);
        let scheduled = get(&self.scheduled);
        let not_found = get(&self.not_found);
        let failed = get(&self.failed);
        Progress {
            done: deleted + scheduled + not_found + failed,
            deleted,
            scheduled,
            not_found,
            failed,
            in_flight: get(&self.in_flight),
            skipped: get(&self.skipped),
        }
    }
}

/// Everything the workers share.
struct Run<'a> {
    client: &'a Client,
    options: &'a BatchOptions,
    /// The caller's token, or one of our own: every wait sleeps on it.
    cancel: CancelToken,
    throttle: Throttle,
    journal: Option<JournalWriter>,
    counters: Counters,
    failures: Mutex<(Vec<FailedItem>, u64, BTreeMap<ErrorKind, u64>)>,
    /// Set when the journal failed: stop everything.
    abort: AtomicBool,
    journal_error: Mutex<Option<JournalError>>,
}

impl Run<'_> {
    fn cancelled(&self) -> bool {
        self.abort.load(Ordering::SeqCst)
            || self.cancel.is_cancelled()
            || self.throttle.window_full().is_some()
    }

    fn journal_failed(&self, error: JournalError) {
        self.abort.store(true, Ordering::SeqCst);
        let mut slot = self
            .journal_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.get_or_insert(error);
    }

    fn worker(&self, queue: &Mutex<Receiver<Work>>) {
        loop {
            let work = {
                let queue = queue
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                match queue.recv() {
                    Ok(work) => work,
                    Err(_) => return,
                }
            };
            // Cancelled: items still queued are not in flight; leave them.
            if self.cancelled() {
                continue;
            }
            self.counters.in_flight.fetch_add(1, Ordering::Relaxed);
            let finished = self.process(work);
            self.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
            if finished {
                if let Some(progress) = &self.options.progress {
                    progress(&self.counters.progress());
                }
            }
        }
    }

    /// Deletes one item; false when it did not finish (cancelled, or the
    /// journal failed before it was sent).
    fn process(&self, work: Work) -> bool {
        let Work {
            position,
            intent,
            in_doubt,
        } = work;
        if self.options.dry_run {
            match self.client.check(&intent) {
                Ok(()) => {
                    self.counters.would_delete.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => self.record_failure(position, intent, error),
            }
            return true;
        }
        let result = match self.client.new_op(&intent, in_doubt) {
            Err(error) => Err(error),
            Ok(op) => {
                if self.cancelled() {
                    return false;
                }
                // The first attempt's turn (pause, pacer, window) is taken
                // before the `sent` record, so that the record's time is
                // within the window the send counts in: a resume after a
                // kill counts the send then, not when it began to wait.
                // `None` (cancelled, or a window stopped the batch): nothing
                // will be sent, so no `sent` is journaled (a kill before the
                // outcome must not leave it in doubt); the op asks again and
                // ends cancelled, as any cut short.
                let first = self.throttle.before_attempt(intent.vendor(), &self.cancel);
                if let Some(journal) = self.journal.as_ref().filter(|_| first.is_some()) {
                    let sent = Record::Sent(SentRecord {
                        position,
                        intent: intent.clone(),
                        at: crate::time::now_rfc3339(),
                        resumed: in_doubt,
                    });
                    if let Err(e) = journal.append_durable(&sent) {
                        self.journal_failed(e);
                        return false;
                    }
                }
                if in_doubt {
                    self.counters.resumed.fetch_add(1, Ordering::Relaxed);
                }
                self.client
                    .drive(op, Some(&self.throttle), Some(&self.cancel), first)
            }
        };
        if let Some(journal) = &self.journal {
            let outcome = Record::Outcome(OutcomeRecord {
                position,
                intent: intent.clone(),
                at: crate::time::now_rfc3339(),
                outcome: JournalOutcome::from_result(&result),
                evidence: Evidence::from_result(&result),
            });
            if let Err(e) = journal.append(&outcome) {
                self.journal_failed(e);
            }
        }
        self.count(position, intent, result);
        true
    }

    fn count(&self, position: u64, intent: DeleteIntent, result: Result<Erasure, DeleteError>) {
        let c = &self.counters;
        match result {
            Ok(erasure) => {
                c.attempts
                    .fetch_add(erasure.attempts().into(), Ordering::Relaxed);
                match erasure {
                    Erasure::Scheduled(_) => &c.scheduled,
                    // A batch never rechecks: a recheck's deletion is
                    // `verify --recheck`'s.
                    Erasure::Deleted(deleted) => match deleted.confirmed_by {
                        ConfirmedBy::Response | ConfirmedBy::Recheck => &c.by_response,
                        ConfirmedBy::Absence => &c.by_absence,
                    },
                }
                .fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => {
                c.attempts
                    .fetch_add(error.attempts().into(), Ordering::Relaxed);
                if error.kind() == ErrorKind::NotFound {
                    c.not_found.fetch_add(1, Ordering::Relaxed);
                } else {
                    if error.in_doubt() {
                        c.in_doubt.fetch_add(1, Ordering::Relaxed);
                    }
                    self.record_failure(position, intent, error);
                }
            }
        }
    }

    fn record_failure(&self, position: u64, intent: DeleteIntent, error: DeleteError) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *failures.2.entry(error.kind()).or_default() += 1;
        if failures.0.len() < MAX_REPORTED_FAILURES {
            failures.0.push(FailedItem {
                position,
                intent,
                error,
            });
        } else {
            failures.1 += 1;
        }
        // Counted last so that a progress snapshot never shows more failed
        // than the report will.
        self.counters.failed.fetch_add(1, Ordering::Relaxed);
    }
}

/// The journal side of a run: its lock, what it held before, and the
/// writer (none in a dry run).
pub(crate) struct JournalRun {
    pub(crate) earlier: Option<JournalState>,
    pub(crate) writer: Option<JournalWriter>,
    pub(crate) run: u32,
    pub(crate) lock: Option<JournalLock>,
}

impl JournalRun {
    /// Locks and reads the journal, checks that this run may resume it,
    /// and (unless a dry run) starts the run's records.
    pub(crate) fn open(
        client: &Client,
        path: &Path,
        options: &BatchOptions,
        sink: SinkOf<'_>,
        notes: &mut Vec<String>,
    ) -> Result<JournalRun, BatchError> {
        let lock = (!options.dry_run)
            .then(|| JournalLock::acquire(path))
            .transpose()?;
        let earlier = read_earlier(path)?;
        let endpoints = client.endpoints();
        if let Some(state) = &earlier {
            check_resume(state, path, options, &endpoints)?;
            if let Some(torn) = state.torn_tail() {
                notes.push(format!(
                    "{}{}",
                    torn.explain(),
                    if options.dry_run {
                        " (a real run cuts it away)"
                    } else {
                        "; it was cut away"
                    }
                ));
            }
            if state.salvaged() {
                notes.push("the journal was salvaged after damage: items a lost line may have concerned are in doubt".into());
            }
        }
        let run = earlier
            .as_ref()
            .and_then(|state| state.runs().last())
            .map_or(1, |last| last.start.run + 1);
        let writer = if options.dry_run {
            None
        } else {
            let (file, chainer) = journal::open_file(
                path,
                earlier
                    .as_ref()
                    .map(|state| (state.complete_len(), state.chainer())),
            )?;
            let writer = JournalWriter::start(sink(file), path, chainer)?;
            writer.append_durable(&Record::Run(RunRecord {
                run,
                at: crate::time::now_rfc3339(),
                tool_version: crate::VERSION.into(),
                pid: std::process::id(),
                input: options.input.clone(),
                endpoints,
                custody: Some(client.custody()),
            }))?;
            Some(writer)
        };
        Ok(JournalRun {
            earlier,
            writer,
            run,
            lock,
        })
    }
}

/// The sends that the journal's earlier runs made to the vendors with
/// windows, inside the longest window: an outcome counts its attempts at
/// its time (after the sends, so a window is never thought to free up
/// early); an item sent without an outcome counts once, at its `sent`
/// record (written once its first request's window slot is taken, right
/// before it is sent).
fn window_history(
    path: &Path,
    windows: &BTreeMap<Vendor, Vec<Window>>,
) -> Result<Vec<(Vendor, SystemTime)>, JournalError> {
    let longest = windows
        .values()
        .flatten()
        .map(|w| w.span)
        .max()
        .unwrap_or_default();
    let limited = |vendor: Vendor| windows.get(&vendor).is_some_and(|w| !w.is_empty());
    if longest.is_zero() {
        return Ok(Vec::new());
    }
    let since = SystemTime::now() - longest;
    let recent = |at: &str| crate::time::parse_rfc3339(at).filter(|&at| at > since);
    let mut sends = Vec::new();
    let mut unanswered: BTreeMap<u64, (Vendor, SystemTime)> = BTreeMap::new();
    for record in JournalReader::open(path)? {
        match record? {
            Record::Sent(sent) if limited(sent.intent.vendor()) => {
                if let Some(at) = recent(&sent.at) {
                    unanswered.insert(sent.position, (sent.intent.vendor(), at));
                }
            }
            Record::Outcome(outcome) if limited(outcome.intent.vendor()) => {
                unanswered.remove(&outcome.position);
                if let Some(at) = recent(&outcome.at) {
                    for _ in 0..outcome.outcome.attempts() {
                        sends.push((outcome.intent.vendor(), at));
                    }
                }
            }
            _ => {}
        }
    }
    sends.extend(unanswered.into_values());
    Ok(sends)
}

/// The journal at `path` replayed, or `None` when there is none to resume:
/// no file, an empty one, or one cut inside its header line (which a crash
/// before the first record leaves).
fn read_earlier(path: &Path) -> Result<Option<JournalState>, JournalError> {
    if !path.exists() {
        return Ok(None);
    }
    let state = JournalState::read(path)?;
    Ok((state.torn_tail() != Some(TornTail::Header)).then_some(state))
}

/// Refuses a resume whose declared input or endpoints differ from the
/// journal's last run's, before anything is sent.
fn check_resume(
    state: &JournalState,
    path: &Path,
    options: &BatchOptions,
    endpoints: &BTreeMap<String, String>,
) -> Result<(), JournalError> {
    let Some(last) = state.runs().last() else {
        return Ok(());
    };
    if let (Some(now), Some(before)) = (&options.input, &last.start.input) {
        if now.items != before.items || now.sha256 != before.sha256 {
            return Err(JournalError::InputChanged {
                path: path.to_path_buf(),
                position: None,
            });
        }
    }
    if !options.allow_endpoint_change {
        for (vendor, now) in endpoints {
            // The vendor's endpoint in the last run that recorded one: a run
            // by a client configured for fewer vendors (a recheck, a
            // single-vendor binding) must not hide the others' endpoints.
            let journaled = state
                .runs()
                .iter()
                .rev()
                .find_map(|run| run.start.endpoints.get(vendor));
            if let Some(journaled) = journaled {
                if journaled != now {
                    return Err(JournalError::EndpointChanged {
                        path: path.to_path_buf(),
                        vendor: vendor.clone(),
                        journaled: journaled.clone(),
                        now: now.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// What to do with the input item at `position`.
enum Next {
    /// Send it; `true` when in doubt (a 404 then confirms the deletion).
    Send { in_doubt: bool, retried: bool },
    /// Its final outcome is journaled.
    Skip,
    /// It repeats the item at this position: journal it as a duplicate.
    Duplicate(u64),
}

/// How a batch tells a duplicate: from the caller's list, or by
/// remembering the first position of every item it reads.
enum Duplicates<'a> {
    Known(&'a BTreeMap<u64, u64>),
    Seen(HashMap<ItemKey, u64>),
}

impl Duplicates<'_> {
    /// The first position of the item at `position`, whose key is `key`.
    fn first(&mut self, position: u64, key: ItemKey) -> u64 {
        match self {
            Duplicates::Known(known) => known.get(&position).copied().unwrap_or(position),
            Duplicates::Seen(seen) => *seen.entry(key).or_insert(position),
        }
    }
}

fn next_for(
    earlier: Option<&JournalState>,
    duplicates: &mut Duplicates<'_>,
    position: u64,
    intent: &DeleteIntent,
    path: Option<&Path>,
) -> Result<Next, JournalError> {
    // Hashed once per item: the journal's check and the duplicate table
    // both compare keys.
    let key = ItemKey::of(intent);
    let status = match earlier {
        Some(state) => {
            if state.names(position, key) == Some(false) {
                return Err(JournalError::InputChanged {
                    path: path.map(Path::to_path_buf).unwrap_or_default(),
                    position: Some(position),
                });
            }
            state.status(position)
        }
        None => ItemStatus::NotAttempted,
    };
    let first = duplicates.first(position, key);
    Ok(match status {
        ItemStatus::Duplicate { .. }
        | ItemStatus::Deleted(_)
        | ItemStatus::Scheduled
        | ItemStatus::NotFound => Next::Skip,
        ItemStatus::NotAttempted if first != position => Next::Duplicate(first),
        ItemStatus::NotAttempted => Next::Send {
            in_doubt: false,
            retried: false,
        },
        ItemStatus::Failed { in_doubt: false } => Next::Send {
            in_doubt: false,
            retried: true,
        },
        ItemStatus::InDoubt | ItemStatus::Failed { in_doubt: true } => Next::Send {
            in_doubt: true,
            retried: false,
        },
    })
}

/// What the journal's file is written through: the file itself, or in
/// a test a recorder of writes and syncs around it.
pub(crate) type SinkOf<'a> = &'a dyn Fn(std::fs::File) -> Box<dyn Sink>;

/// The body of [`Client::delete_many`].
pub(crate) fn run<I>(
    client: &Client,
    items: I,
    options: &BatchOptions,
    sink: SinkOf<'_>,
) -> Result<BatchReport, BatchError>
where
    I: IntoIterator<Item = DeleteIntent>,
{
    let started = Instant::now();
    let token_requests_before = client.token_requests();
    options.validate()?;
    let mut notes = Vec::new();
    let journal = match &options.journal {
        Some(path) => Some(JournalRun::open(client, path, options, sink, &mut notes)?),
        None => None,
    };
    // The lock is held until this function returns, after the last record.
    let (earlier, writer, run_number, _lock) = match journal {
        Some(j) => (j.earlier, j.writer, j.run, j.lock),
        None => (None, None, 0, None),
    };
    let journal_path = options.journal.as_deref();
    // Only the vendors this client can reach: a resume reads the journal
    // for their sends, which costs a pass over it.
    let mut windows = options.effective_windows();
    windows.retain(|&vendor, windows| !windows.is_empty() && client.endpoint(vendor).is_some());
    let history = match (journal_path, &earlier) {
        (Some(path), Some(_)) => window_history(path, &windows)?,
        _ => Vec::new(),
    };
    let run = Run {
        client,
        options,
        cancel: options.cancel.clone().unwrap_or_default(),
        throttle: Throttle::new(
            options.rate,
            options.adaptive_rate,
            SendLog::new(windows, history),
            options.wait_for_windows,
        ),
        journal: writer,
        counters: Counters::default(),
        failures: Mutex::new((Vec::new(), 0, BTreeMap::new())),
        abort: AtomicBool::new(false),
        journal_error: Mutex::new(None),
    };
    let mut input_error = None;
    let mut digest = InputDigest::new();
    let mut input_ended = false;
    let mut duplicates = 0u64;
    let mut first_positions = match &options.known_duplicates {
        Some(known) => Duplicates::Known(known),
        None => Duplicates::Seen(HashMap::new()),
    };
    let (sender, receiver) = sync_channel::<Work>(options.concurrency * 2);
    let queue = Mutex::new(receiver);
    thread::scope(|scope| {
        for _ in 0..options.concurrency {
            let (run, queue) = (&run, &queue);
            scope.spawn(move || run.worker(queue));
        }
        let mut items = items.into_iter();
        loop {
            if run.cancelled() {
                break;
            }
            let Some(intent) = items.next() else {
                input_ended = true;
                break;
            };
            let position = digest.items();
            digest.add(&intent);
            let next = next_for(
                earlier.as_ref(),
                &mut first_positions,
                position,
                &intent,
                journal_path,
            );
            let in_doubt = match next {
                Ok(Next::Send { in_doubt, retried }) => {
                    if retried {
                        run.counters.retried.fetch_add(1, Ordering::Relaxed);
                    }
                    in_doubt
                }
                Ok(Next::Skip) => {
                    run.counters.skipped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                Ok(Next::Duplicate(of)) => {
                    duplicates += 1;
                    if let Some(journal) = &run.journal {
                        let record = Record::Duplicate(DuplicateRecord {
                            position,
                            of,
                            intent,
                            at: crate::time::now_rfc3339(),
                        });
                        if let Err(e) = journal.append(&record) {
                            run.journal_failed(e);
                        }
                    }
                    continue;
                }
                Err(error) => {
                    input_error = Some(error);
                    run.abort.store(true, Ordering::SeqCst);
                    break;
                }
            };
            let work = Work {
                position,
                intent,
                in_doubt,
            };
            if sender.send(work).is_err() {
                break;
            }
        }
        // Closing the queue lets the workers end once it is drained.
        drop(sender);
    });
    // Asked to stop: before the input ended, or while its last items were
    // in flight (they end as cancelled, to be run again).
    let stop_asked = run.cancel.is_cancelled() || run.throttle.window_full().is_some();
    let Run {
        journal: writer,
        counters,
        failures,
        journal_error,
        ..
    } = run;
    let journal_error = journal_error
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cancelled =
        (stop_asked || !input_ended) && input_error.is_none() && journal_error.is_none();
    let declared_differs = options.input.as_ref().filter(|declared| {
        input_ended && (declared.items != digest.items() || declared.sha256 != digest.hex())
    });
    let how = if let Some(error) = input_error.as_ref().or(journal_error.as_ref()) {
        RunEnd::Failed(error.to_string())
    } else if declared_differs.is_some() {
        RunEnd::Failed("the input read differs from the input declared at the start".into())
    } else if cancelled {
        RunEnd::Cancelled
    } else {
        RunEnd::Finished
    };
    let mut fingerprint = None;
    if let Some(writer) = writer {
        if journal_error.is_none() {
            let end = Record::End(EndRecord {
                run: run_number,
                at: crate::time::now_rfc3339(),
                how,
                items: digest.items(),
                sha256: input_ended.then(|| digest.hex()),
            });
            writer.append(&end)?;
        }
        fingerprint = writer.close()?;
    }
    if let Some(error) = journal_error.or(input_error) {
        return Err(error.into());
    }
    if declared_differs.is_some() {
        return Err(BatchError::Journal(JournalError::InputChanged {
            path: journal_path.map(Path::to_path_buf).unwrap_or_default(),
            position: None,
        }));
    }
    if let Some(state) = &earlier {
        if input_ended && digest.items() < state.positions() {
            notes.push(format!(
                "the input has {} items but the journal has records up to position {}: was the input shortened?",
                digest.items(),
                state.positions() - 1
            ));
        }
    }
    let (failures, failures_omitted, failed) = failures
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    Ok(BatchReport {
        deleted_by_response: get(&counters.by_response),
        deleted_by_absence: get(&counters.by_absence),
        scheduled: get(&counters.scheduled),
        not_found: get(&counters.not_found),
        failed,
        in_doubt: get(&counters.in_doubt),
        would_delete: get(&counters.would_delete),
        skipped: get(&counters.skipped),
        duplicates,
        run: if options.dry_run { 0 } else { run_number },
        resumed_in_doubt: get(&counters.resumed),
        retried_failures: get(&counters.retried),
        attempts: get(&counters.attempts),
        token_requests: client.token_requests() - token_requests_before,
        elapsed: started.elapsed(),
        failures,
        failures_omitted,
        dry_run: options.dry_run,
        cancelled,
        window_full: run.throttle.window_full(),
        journal_notes: notes,
        journal_fingerprint: fingerprint,
    })
}

impl Client {
    /// Deletes every item of `items` (already validated intents), streamed
    /// through a bounded queue to `options.concurrency` workers, with the
    /// options' rate limit, journal, progress callback and cancellation.
    ///
    /// Per-item failures are in the report; the error is for the batch
    /// itself (options, journal, an input that does not match its journal).
    pub fn delete_many<I>(&self, items: I, options: BatchOptions) -> Result<BatchReport, BatchError>
    where
        I: IntoIterator<Item = DeleteIntent>,
    {
        run(self, items, &options, &|file| Box::new(file))
    }
}

#[cfg(test)]
mod tests {
    //! The durability order, seen from outside: a recorder stands between
    //! the journal writer and its file, a loopback server notes each
    //! request as it arrives, both in one log.

    use std::io::{self, BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use idv_delete_core::{JumioCredentials, JumioProduct, Region};

    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Event {
        /// The references whose `sent` records one write held.
        Wrote(Vec<String>),
        Synced,
        /// A request for this reference reached the server.
        Received(String),
    }

    type Log = Arc<Mutex<Vec<Event>>>;

    struct Recorder {
        file: std::fs::File,
        log: Log,
    }

    impl Sink for Recorder {
        fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
            let text = String::from_utf8_lossy(bytes);
            let sent = text
                .lines()
                .filter(|l| l.starts_with(r#"{"event":"sent""#))
                .filter_map(|l| l.split(r#""ref":""#).nth(1))
                .filter_map(|rest| rest.split('"').next())
                .map(str::to_owned)
                .collect();
            self.log.lock().unwrap().push(Event::Wrote(sent));
            Sink::write(&mut self.file, bytes)
        }

        fn sync(&mut self) -> io::Result<()> {
            Sink::sync(&mut self.file)?;
            self.log.lock().unwrap().push(Event::Synced);
            Ok(())
        }
    }

    /// Answers every request 200 with an empty body, noting its reference.
    fn server(log: Log) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let log = Arc::clone(&log);
                thread::spawn(move || {
                    let mut writer = stream.try_clone().unwrap();
                    let mut reader = BufReader::new(stream);
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                        let reference = line.split_whitespace().nth(1).unwrap_or("");
                        let reference = reference.rsplit('/').next().unwrap_or("").to_owned();
                        // The rest of the head; these requests have no body.
                        loop {
                            let mut header = String::new();
                            if reader.read_line(&mut header).map_or(true, |n| n == 0)
                                || header == "\r\n"
                            {
                                break;
                            }
                        }
                        log.lock().unwrap().push(Event::Received(reference));
                        let answer = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                        if writer.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                        line.clear();
                    }
                });
            }
        });
        url
    }

    #[test]
    fn a_sent_record_is_written_and_synced_before_its_request_leaves() {
        let log: Log = Arc::default();
        let url = server(Arc::clone(&log));
        let client = Client::builder()
            .jumio(JumioCredentials::new("token", "secret", "Acme KYC-Cleaner/1.0").unwrap())
            .base_url(&url)
            .build()
            .unwrap();
        let items: Vec<DeleteIntent> = (0..40)
            .map(|i| {
                DeleteIntent::jumio(
                    JumioProduct::IdVerification,
                    Region::Eu,
                    &format!("ref-{i}"),
                )
                .unwrap()
            })
            .collect();
        let dir = std::env::temp_dir().join(format!("idv-delete-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let journal = dir.join("order.journal");
        let _ = std::fs::remove_file(&journal);
        let recorder = |file| -> Box<dyn Sink> {
            Box::new(Recorder {
                file,
                log: Arc::clone(&log),
            })
        };
        let options = BatchOptions::default().concurrency(8).journal(&journal);
        let report = run(&client, items, &options, &recorder).unwrap();
        assert_eq!(report.deleted(), 40);

        let log = log.lock().unwrap().clone();
        let mut checked = 0;
        for (at, event) in log.iter().enumerate() {
            let Event::Received(reference) = event else {
                continue;
            };
            let wrote = log[..at]
                .iter()
                .position(|e| matches!(e, Event::Wrote(refs) if refs.contains(reference)))
                .unwrap_or_else(|| {
                    panic!("{reference} arrived before its sent record was written: {log:?}")
                });
            assert!(
                log[wrote..at].contains(&Event::Synced),
                "{reference} arrived before its sent record was synced: {log:?}"
            );
            checked += 1;
        }
        assert_eq!(checked, 40, "{log:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
