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

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use idv_delete_core::{ConfirmedBy, DeleteError, DeleteIntent, Deleted, ErrorKind};

use crate::cancel::CancelToken;
use crate::client::Client;
use crate::journal::{self, ItemState, JournalOutcome, JournalWriter};
use crate::throttle::Throttle;

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
    /// Validate and count only: nothing is sent and no journal is written
    /// (an existing journal is read, to count what a resume would skip).
    pub dry_run: bool,
    /// Called after each finished item.
    pub progress: Option<ProgressFn>,
    /// Cancels the batch: no new item is taken, pauses and backoffs end at
    /// once, and an item cut short is journaled as failed with
    /// [`ErrorKind::Cancelled`] (in doubt if an attempt may have been
    /// applied), so a resume runs it again. Requests on the wire finish,
    /// within the client's timeout.
    pub cancel: Option<CancelToken>,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            concurrency: DEFAULT_CONCURRENCY,
            rate: None,
            adaptive_rate: false,
            journal: None,
            dry_run: false,
            progress: None,
            cancel: None,
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

    fn validate(&self) -> Result<(), BatchError> {
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
    /// applied (including in-doubt items of a resumed journal).
    pub deleted_by_absence: u64,
    /// Not found at the vendor (never reported as deleted).
    pub not_found: u64,
    /// Failed items by error kind (`NotFound` is counted in `not_found`).
    pub failed: BTreeMap<ErrorKind, u64>,
    /// Failed items whose attempt may have deleted them: run them again
    /// (a resume does) to confirm.
    pub in_doubt: u64,
    /// Dry run: items that would have been sent.
    pub would_delete: u64,
    /// Items skipped because the journal has their final outcome (deleted
    /// or not found).
    pub skipped: u64,
    /// In-doubt items of a resumed journal that were re-run.
    pub resumed_in_doubt: u64,
    /// Failed items of a resumed journal that were run again.
    pub retried_failures: u64,
    /// Requests sent, retries included.
    pub attempts: u64,
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
    /// Things to know about the journal (a torn last line that was cut
    /// away, an input shorter than the journal).
    pub journal_notes: Vec<String>,
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
        self.deleted() + self.not_found + self.failed_total() + self.would_delete
    }

    /// True when every item finished in this run was deleted or not found.
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
    /// Reading or writing the journal failed. Items already finished are
    /// journaled; resume with the same journal once the cause is fixed.
    Journal {
        /// The journal file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A journal line cannot be read (a torn last line is not an error: it
    /// is cut away). Nothing was sent.
    CorruptJournal {
        /// The journal file.
        path: PathBuf,
        /// The line number, from 1.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The input is not the one the journal was written for: at this
    /// position the journal names another item. Items before it may have
    /// run.
    InputChanged {
        /// The journal file.
        path: PathBuf,
        /// The input position, from 0.
        position: u64,
    },
}

impl BatchError {
    pub(crate) fn journal_io(path: &Path, source: io::Error) -> BatchError {
        BatchError::Journal {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::InvalidOptions(why) => write!(f, "invalid batch options: {why}"),
            BatchError::Journal { path, source } => write!(
                f,
                "journal {}: {source}; fix the cause and run again with the same journal to resume",
                path.display()
            ),
            BatchError::CorruptJournal { path, line, reason } => write!(
                f,
                "journal {} line {line}: {reason}; the journal is damaged, so nothing was sent (inspect or move the file)",
                path.display()
            ),
            BatchError::InputChanged { path, position } => write!(
                f,
                "journal {} was written for another input: the item at position {position} (from 0) differs; resume with the same input in the same order, or use a new journal",
                path.display()
            ),
        }
    }
}

impl std::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BatchError::Journal { source, .. } => Some(source),
            _ => None,
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
        let not_found = get(&self.not_found);
        let failed = get(&self.failed);
        Progress {
            done: deleted + not_found + failed,
            deleted,
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
    journal_error: Mutex<Option<BatchError>>,
}

impl Run<'_> {
    fn cancelled(&self) -> bool {
        self.abort.load(Ordering::SeqCst) || self.cancel.is_cancelled()
    }

    fn journal_failed(&self, error: BatchError) {
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
                if let Some(journal) = &self.journal {
                    let line = journal::sent_line(
                        position,
                        &intent,
                        &crate::time::now_rfc3339(),
                        in_doubt,
                    );
                    if let Err(e) = journal.append_durable(&line) {
                        self.journal_failed(e);
                        return false;
                    }
                }
                if in_doubt {
                    self.counters.resumed.fetch_add(1, Ordering::Relaxed);
                }
                self.client
                    .drive(op, Some(&self.throttle), Some(&self.cancel))
            }
        };
        if let Some(journal) = &self.journal {
            let outcome = JournalOutcome::from_result(&result);
            let line =
                journal::outcome_line(position, &intent, &crate::time::now_rfc3339(), &outcome);
            if let Err(e) = journal.append(&line) {
                self.journal_failed(e);
            }
        }
        self.count(position, intent, result);
        true
    }

    fn count(&self, position: u64, intent: DeleteIntent, result: Result<Deleted, DeleteError>) {
        let c = &self.counters;
        match result {
            Ok(deleted) => {
                c.attempts
                    .fetch_add(deleted.attempts.into(), Ordering::Relaxed);
                match deleted.confirmed_by {
                    ConfirmedBy::Response => &c.by_response,
                    ConfirmedBy::Absence => &c.by_absence,
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

/// The body of [`Client::delete_many`].
pub(crate) fn run<I>(
    client: &Client,
    items: I,
    options: &BatchOptions,
) -> Result<BatchReport, BatchError>
where
    I: IntoIterator<Item = DeleteIntent>,
{
    let started = Instant::now();
    options.validate()?;
    let mut notes = Vec::new();
    let resume = match &options.journal {
        Some(path) => journal::prepare_resume(path)?,
        None => None,
    };
    if let Some(state) = &resume {
        if state.torn {
            notes.push(format!(
                "the journal's last line was torn by a crash while it was written{}; it was never made durable, so its request never left",
                if options.dry_run { " (a real run cuts it away)" } else { " and was cut away" }
            ));
        }
    }
    let journal = match (&options.journal, options.dry_run) {
        (Some(path), false) => Some(JournalWriter::open(path, resume.as_ref())?),
        _ => None,
    };
    let run = Run {
        client,
        options,
        cancel: options.cancel.clone().unwrap_or_default(),
        throttle: Throttle::new(options.rate, options.adaptive_rate),
        journal,
        counters: Counters::default(),
        failures: Mutex::new((Vec::new(), 0, BTreeMap::new())),
        abort: AtomicBool::new(false),
        journal_error: Mutex::new(None),
    };
    let mut input_error = None;
    let mut input_len = 0u64;
    let mut cancelled = false;
    let (sender, receiver) = sync_channel::<Work>(options.concurrency * 2);
    let queue = Mutex::new(receiver);
    thread::scope(|scope| {
        for _ in 0..options.concurrency {
            let (run, queue) = (&run, &queue);
            scope.spawn(move || run.worker(queue));
        }
        for (position, intent) in (0u64..).zip(items) {
            if run.cancelled() {
                cancelled = true;
                break;
            }
            input_len = position + 1;
            let state = match &resume {
                Some(state) => state.state_of(position, &intent),
                None => Ok(ItemState::New),
            };
            let in_doubt = match state {
                Ok(ItemState::New) => false,
                Ok(ItemState::Retry) => {
                    run.counters.retried.fetch_add(1, Ordering::Relaxed);
                    false
                }
                Ok(ItemState::InDoubt) => true,
                Ok(ItemState::Finished) => {
                    run.counters.skipped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                Err(position) => {
                    input_error = Some(position);
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
    let Run {
        journal,
        counters,
        failures,
        journal_error,
        ..
    } = run;
    let closed = journal.map(JournalWriter::close).transpose();
    if let Some(error) = journal_error
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
    {
        return Err(error);
    }
    closed?;
    if let (Some(position), Some(path)) = (input_error, &options.journal) {
        return Err(BatchError::InputChanged {
            path: path.clone(),
            position,
        });
    }
    if let Some(state) = &resume {
        if !cancelled && input_len < state.positions() {
            notes.push(format!(
                "the input has {input_len} items but the journal has records up to position {}: was the input shortened?",
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
        not_found: get(&counters.not_found),
        failed,
        in_doubt: get(&counters.in_doubt),
        would_delete: get(&counters.would_delete),
        skipped: get(&counters.skipped),
        resumed_in_doubt: get(&counters.resumed),
        retried_failures: get(&counters.retried),
        attempts: get(&counters.attempts),
        elapsed: started.elapsed(),
        failures,
        failures_omitted,
        dry_run: options.dry_run,
        cancelled: cancelled
            || options
                .cancel
                .as_ref()
                .is_some_and(CancelToken::is_cancelled),
        journal_notes: notes,
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
        run(self, items, &options)
    }
}
