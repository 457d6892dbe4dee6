//! What a journal means: its records replayed into one state per item and
//! a list of runs. Resume, `idv-delete verify` and the fuzz oracle all read
//! journals through [`JournalState`], so they cannot disagree.
//!
//! The rules, each broken one an error naming the line:
//!
//! - Every item record belongs to the run started by the last `run`
//!   record, before that run's `end`.
//! - A position names one item: every record for it has the same vendor,
//!   product, region and reference.
//! - Nothing follows an item's final outcome (deleted, not found, or
//!   duplicate of an earlier item): a resume never runs it again.
//! - A `sent` record makes the item in doubt until its `outcome`; a failed
//!   outcome is replaced by whatever a later run records for the item.
//! - A `salvaged` record makes every position below its bound that has no
//!   final outcome in doubt.

use std::collections::BTreeMap;
use std::path::Path;

use idv_delete_core::ConfirmedBy;

use super::format::{
    chain_hex, ChainValue, Chainer, EndRecord, JournalOutcome, Record, RunEnd, RunRecord,
};
use super::reader::{JournalReader, TornTail};
use super::JournalError;
use crate::identity::ItemKey;

/// How far past the number of records read so far a position may point.
/// Journaled positions are dense (every started item has a record), so a
/// real journal stays far below this; a corrupt one cannot make the state
/// allocate more than about 17 bytes times this plus its records.
const MAX_POSITION_GAP: u64 = 1 << 20;

// One byte per position: the latest thing the journal says about it.
const NEW: u8 = 0;
const SENT: u8 = 1;
const DELETED_BY_RESPONSE: u8 = 2;
const DELETED_BY_ABSENCE: u8 = 3;
const NOT_FOUND: u8 = 4;
const DUPLICATE: u8 = 5;
const FAILED: u8 = 6;
const FAILED_IN_DOUBT: u8 = 7;
const SALVAGED_IN_DOUBT: u8 = 8;
const SCHEDULED: u8 = 9;
const DELETED_BY_RECHECK: u8 = 10;

/// What the journal says about one item of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemStatus {
    /// No record: never attempted.
    NotAttempted,
    /// Sent without a recorded answer (a crash, a kill, a torn outcome), or
    /// marked so by a salvage: a request may have erased it. A resume sends
    /// it again; a 404 then confirms the deletion.
    InDoubt,
    /// Its last outcome is a failure. `in_doubt`: an attempt may have erased
    /// it. A resume runs it again.
    Failed {
        /// An attempt may have been applied.
        in_doubt: bool,
    },
    /// Erased.
    Deleted(ConfirmedBy),
    /// The vendor accepted the erasure and completes it later: final for a
    /// resume (nothing to send again); a recheck may confirm it deleted.
    Scheduled,
    /// The vendor does not hold it (404, no uncertain attempt before).
    NotFound,
    /// Repeats the item at position `of`, whose outcome is its own.
    Duplicate {
        /// The first occurrence.
        of: u64,
    },
}

impl ItemStatus {
    /// The stable name, as reports and bindings write it: `deleted`,
    /// `scheduled`, `not_found`, `failed`, `in_doubt` (a failure that may
    /// have erased it, or no recorded answer), `duplicate`, `not_attempted`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Deleted(_) => "deleted",
            ItemStatus::Scheduled => "scheduled",
            ItemStatus::NotFound => "not_found",
            ItemStatus::Failed { in_doubt: true } | ItemStatus::InDoubt => "in_doubt",
            ItemStatus::Failed { in_doubt: false } => "failed",
            ItemStatus::Duplicate { .. } => "duplicate",
            ItemStatus::NotAttempted => "not_attempted",
        }
    }

    /// True when a run has nothing to send for it: deleted, scheduled, not
    /// found, or a duplicate.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ItemStatus::Deleted(_)
                | ItemStatus::Scheduled
                | ItemStatus::NotFound
                | ItemStatus::Duplicate { .. }
        )
    }
}

/// One run of a journal: its `run` record and, if it got that far, its
/// `end` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// How it started.
    pub start: RunRecord,
    /// How it ended; `None` when the process was killed or the machine
    /// stopped before the run ended.
    pub end: Option<EndRecord>,
}

impl Run {
    /// True when the run ended with its input read to the end.
    pub fn finished(&self) -> bool {
        self.end
            .as_ref()
            .is_some_and(|end| end.how == RunEnd::Finished)
    }
}

/// Counts of items by status; duplicates are counted once, as duplicates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Deleted, confirmed by a 2xx answer.
    pub deleted_by_response: u64,
    /// Deleted, confirmed by a 404 after an uncertain attempt.
    pub deleted_by_absence: u64,
    /// Deleted, confirmed by a recheck of a scheduled erasure.
    pub deleted_by_recheck: u64,
    /// Accepted by the vendor, completed later (never counted as deleted).
    pub scheduled: u64,
    /// Not found at the vendor.
    pub not_found: u64,
    /// Failed, and no attempt may have erased them.
    pub failed: u64,
    /// Failed after an attempt that may have erased them, or sent without
    /// a recorded answer.
    pub in_doubt: u64,
    /// Repeats of earlier items.
    pub duplicates: u64,
    /// Positions below the input's length that have no record.
    pub not_attempted: u64,
}

/// A journal, replayed: one state per input position, and its runs.
#[derive(Debug, Default)]
pub struct JournalState {
    states: Vec<u8>,
    /// The identity of each position with a record (`None`: no record, or
    /// only a salvage's mark).
    keys: Vec<Option<ItemKey>>,
    duplicates: BTreeMap<u64, u64>,
    runs: Vec<Run>,
    torn: Option<TornTail>,
    complete_len: u64,
    salvaged: bool,
    /// Records replayed.
    records: u64,
    /// Whether the header declares a hash chain.
    chained: bool,
    /// The chain value of the last complete line (the fingerprint).
    chain: Option<ChainValue>,
}

impl JournalState {
    /// Reads and replays the whole journal at `path`. A file cut inside
    /// its header line (or empty) is a journal with no run, whose torn
    /// tail is [`TornTail::Header`].
    pub fn read(path: impl AsRef<Path>) -> Result<JournalState, JournalError> {
        JournalState::read_visiting(path.as_ref(), |_, _, _| {})
    }

    /// [`read`](JournalState::read), showing `visit` every record once it
    /// is replayed, with the byte offset and number of its line: the view
    /// gathers its facts in the same reading.
    pub(crate) fn read_visiting(
        path: &Path,
        mut visit: impl FnMut(&Record, u64, u64),
    ) -> Result<JournalState, JournalError> {
        if JournalReader::torn_in_header(path)? {
            return Ok(JournalState {
                torn: Some(TornTail::Header),
                ..JournalState::default()
            });
        }
        let mut reader = JournalReader::open(path)?;
        let mut state = JournalState::default();
        loop {
            let offset = reader.complete_len();
            let Some(record) = reader.next() else { break };
            let record = record?;
            state
                .apply(&record)
                .map_err(|reason| reader.corrupt(reason))?;
            visit(&record, offset, reader.line_number());
        }
        state.torn = reader.torn_tail();
        state.complete_len = reader.complete_len();
        state.chained = reader.chained();
        state.chain = reader.last_chain();
        Ok(state)
    }

    /// Whether the journal carries a hash chain (its header declares
    /// [`CHAIN_V1`](super::CHAIN_V1)). Journals written before the chain
    /// existed are read as before and are unchained: nothing proves them
    /// unedited.
    pub fn chained(&self) -> bool {
        self.chained
    }

    /// The journal's fingerprint: the chain value of its last complete
    /// line, lowercase hex; `None` for an unchained journal. Stored
    /// elsewhere (a ticket, a log), it proves later that the journal's
    /// lines up to then are unchanged: an edit anywhere changes it, and a
    /// removed last line gives an earlier value.
    pub fn fingerprint(&self) -> Option<String> {
        self.chain.as_ref().map(chain_hex)
    }

    /// The chain a writer resuming this journal continues.
    pub(crate) fn chainer(&self) -> Chainer {
        Chainer(self.chain)
    }

    /// Applies the next record; the error says which rule it breaks.
    pub(crate) fn apply(&mut self, record: &Record) -> Result<(), String> {
        self.records += 1;
        let (position, intent, next) = match record {
            Record::Run(run) => {
                if let Some(last) = self.runs.last() {
                    if run.run <= last.start.run {
                        return Err(format!(
                            "run {} starts after run {}",
                            run.run, last.start.run
                        ));
                    }
                }
                self.runs.push(Run {
                    start: run.clone(),
                    end: None,
                });
                return Ok(());
            }
            Record::End(end) => {
                let run = self.open_run()?;
                if end.run != run.start.run {
                    return Err(format!(
                        "the end of run {} inside run {}",
                        end.run, run.start.run
                    ));
                }
                run.end = Some(end.clone());
                return Ok(());
            }
            Record::Salvaged(salvaged) => {
                self.salvaged = true;
                let below = salvaged.in_doubt_below.min(self.limit());
                self.grow(below);
                for state in &mut self.states[..below as usize] {
                    if matches!(*state, NEW | FAILED) {
                        *state = SALVAGED_IN_DOUBT;
                    }
                }
                return Ok(());
            }
            Record::Sent(sent) => (sent.position, &sent.intent, SENT),
            Record::Outcome(outcome) => (
                outcome.position,
                &outcome.intent,
                match outcome.outcome {
                    JournalOutcome::Deleted {
                        confirmed_by: ConfirmedBy::Response,
                        ..
                    } => DELETED_BY_RESPONSE,
                    JournalOutcome::Deleted {
                        confirmed_by: ConfirmedBy::Absence,
                        ..
                    } => DELETED_BY_ABSENCE,
                    JournalOutcome::Deleted {
                        confirmed_by: ConfirmedBy::Recheck,
                        ..
                    } => DELETED_BY_RECHECK,
                    JournalOutcome::Scheduled { .. } => SCHEDULED,
                    JournalOutcome::NotFound { .. } => NOT_FOUND,
                    JournalOutcome::Failed { in_doubt: true, .. } => FAILED_IN_DOUBT,
                    JournalOutcome::Failed { .. } => FAILED,
                },
            ),
            Record::Duplicate(duplicate) => (duplicate.position, &duplicate.intent, DUPLICATE),
        };
        self.open_run()?;
        if position >= self.limit() {
            return Err(format!(
                "position {position} is far beyond the positions before it"
            ));
        }
        self.grow(position + 1);
        let index = position as usize;
        let key = ItemKey::of(intent);
        if self.keys[index].is_some_and(|k| k != key) {
            return Err(format!(
                "position {position} names another item than an earlier line"
            ));
        }
        // A scheduled erasure is final for a run, but a recheck appends
        // what the vendor later said: deleted, or still scheduled.
        let recheck = self.status(position) == ItemStatus::Scheduled
            && matches!(next, SCHEDULED | DELETED_BY_RECHECK);
        if self.status(position).is_final() && !recheck {
            return Err(format!(
                "a record for position {position} after its final outcome"
            ));
        }
        if let Record::Duplicate(duplicate) = record {
            if self.states[index] != NEW {
                return Err(format!(
                    "position {position} is called a duplicate after it was sent"
                ));
            }
            let of = duplicate.of as usize;
            if self
                .keys
                .get(of)
                .copied()
                .flatten()
                .is_some_and(|k| k != key)
            {
                return Err(format!(
                    "position {position} is called a duplicate of position {}, another item",
                    duplicate.of
                ));
            }
            self.duplicates.insert(position, duplicate.of);
        }
        self.states[index] = next;
        self.keys[index] = Some(key);
        Ok(())
    }

    /// The run records are being appended to, if it has not ended.
    fn open_run(&mut self) -> Result<&mut Run, String> {
        match self.runs.last_mut() {
            None => Err("a record before any run started".into()),
            Some(run) if run.end.is_some() => {
                Err(format!("a record after run {} ended", run.start.run))
            }
            Some(run) => Ok(run),
        }
    }

    fn limit(&self) -> u64 {
        self.records.saturating_add(MAX_POSITION_GAP)
    }

    fn grow(&mut self, len: u64) {
        let len = len as usize;
        if len > self.states.len() {
            self.states.resize(len, NEW);
            self.keys.resize(len, None);
        }
    }

    /// What the journal says about the item at `position`.
    pub fn status(&self, position: u64) -> ItemStatus {
        match self.states.get(position as usize).copied().unwrap_or(NEW) {
            NEW => ItemStatus::NotAttempted,
            SENT | SALVAGED_IN_DOUBT => ItemStatus::InDoubt,
            DELETED_BY_RESPONSE => ItemStatus::Deleted(ConfirmedBy::Response),
            DELETED_BY_ABSENCE => ItemStatus::Deleted(ConfirmedBy::Absence),
            DELETED_BY_RECHECK => ItemStatus::Deleted(ConfirmedBy::Recheck),
            SCHEDULED => ItemStatus::Scheduled,
            NOT_FOUND => ItemStatus::NotFound,
            DUPLICATE => ItemStatus::Duplicate {
                of: self.duplicates.get(&position).copied().unwrap_or(position),
            },
            FAILED => ItemStatus::Failed { in_doubt: false },
            _ => ItemStatus::Failed { in_doubt: true },
        }
    }

    /// Whether the item at `position` is the one with `key`; `None` when
    /// the journal has no identity for that position.
    pub fn names(&self, position: u64, key: ItemKey) -> Option<bool> {
        self.keys
            .get(position as usize)
            .copied()
            .flatten()
            .map(|journaled| journaled == key)
    }

    /// The identity of the item at `position`, if it has a record.
    pub(crate) fn key(&self, position: u64) -> Option<ItemKey> {
        self.keys.get(position as usize).copied().flatten()
    }

    /// Whether some record names the item at `position` (a salvage's mark
    /// is not a record of the item).
    pub fn has_record(&self, position: u64) -> bool {
        self.keys
            .get(position as usize)
            .is_some_and(Option::is_some)
    }

    /// One past the highest position any record names.
    pub fn positions(&self) -> u64 {
        self.states.len() as u64
    }

    /// The runs, in order.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// What the torn last line was, if the journal has one.
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.torn
    }

    /// Bytes of complete lines: where a torn tail starts.
    pub fn complete_len(&self) -> u64 {
        self.complete_len
    }

    /// Whether the journal was salvaged after damage.
    pub fn salvaged(&self) -> bool {
        self.salvaged
    }

    /// How many items the input has, as far as the journal knows: what the
    /// last finished run read, else the input the last run declared.
    pub fn input_items(&self) -> Option<u64> {
        let last = self.runs.last()?;
        match &last.end {
            Some(end) if end.how == RunEnd::Finished => Some(end.items),
            _ => last.start.input.as_ref().map(|input| input.items),
        }
    }

    /// The items of positions `0..input_items()` (or every position the
    /// journal names, when the input's length is unknown) by status.
    pub fn totals(&self) -> Totals {
        let len = self.input_items().unwrap_or(0).max(self.positions());
        let mut totals = Totals::default();
        for position in 0..len {
            let count = match self.status(position) {
                ItemStatus::NotAttempted => &mut totals.not_attempted,
                ItemStatus::InDoubt | ItemStatus::Failed { in_doubt: true } => &mut totals.in_doubt,
                ItemStatus::Failed { in_doubt: false } => &mut totals.failed,
                ItemStatus::Deleted(ConfirmedBy::Response) => &mut totals.deleted_by_response,
                ItemStatus::Deleted(ConfirmedBy::Absence) => &mut totals.deleted_by_absence,
                ItemStatus::Deleted(ConfirmedBy::Recheck) => &mut totals.deleted_by_recheck,
                ItemStatus::Scheduled => &mut totals.scheduled,
                ItemStatus::NotFound => &mut totals.not_found,
                ItemStatus::Duplicate { .. } => &mut totals.duplicates,
            };
            *count += 1;
        }
        totals
    }

    /// Why the journal does not prove that every item of its input was
    /// attempted to the end, one sentence each; empty when it does.
    pub fn gaps(&self) -> Vec<String> {
        let mut gaps = Vec::new();
        let Some(last) = self.runs.last() else {
            return vec!["no run ever started".into()];
        };
        match &last.end {
            None => gaps.push(format!(
                "run {} did not end: the process was killed or the machine stopped; run the batch again to finish it",
                last.start.run
            )),
            Some(end) => match &end.how {
                RunEnd::Finished => {}
                RunEnd::Cancelled => gaps.push(format!(
                    "run {} was cancelled after {} items; run the batch again to finish it",
                    last.start.run, end.items
                )),
                RunEnd::Failed(why) => gaps.push(format!(
                    "run {} failed ({why}); fix the cause and run the batch again",
                    last.start.run
                )),
            },
        }
        match self.input_items() {
            None => gaps.push(
                "the input's length is unknown (the run declared no input and did not finish)"
                    .into(),
            ),
            Some(items) => {
                let missing = (0..items)
                    .filter(|&p| self.status(p) == ItemStatus::NotAttempted)
                    .count();
                if missing > 0 {
                    gaps.push(format!(
                        "{missing} of the input's {items} items were never attempted: {}",
                        ranges(self, items)
                    ));
                }
                if self.positions() > items {
                    gaps.push(format!(
                        "records name positions up to {}, beyond the input's {items} items: was the input shortened?",
                        self.positions() - 1
                    ));
                }
            }
        }
        gaps
    }
}

/// The never-attempted positions below `items`, as 1-based item numbers
/// in ranges ("17-100, 205"); the first ten ranges, then a count.
fn ranges(state: &JournalState, items: u64) -> String {
    let mut out = Vec::new();
    let mut more = 0;
    let mut position = 0;
    while position < items {
        if state.status(position) != ItemStatus::NotAttempted {
            position += 1;
            continue;
        }
        let start = position;
        while position < items && state.status(position) == ItemStatus::NotAttempted {
            position += 1;
        }
        if out.len() < 10 {
            out.push(if position - start == 1 {
                format!("item {}", start + 1)
            } else {
                format!("items {}-{}", start + 1, position)
            });
        } else {
            more += 1;
        }
    }
    let mut text = out.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more ranges"));
    }
    text
}
