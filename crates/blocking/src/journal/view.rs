//! The typed view of one or more journals: per item, per vendor and per
//! data subject, for reports (`idv-delete report`, `verify`) and for users
//! who build their own (`read_journal` in Python and C).
//!
//! A retention job split across machines writes one journal per shard;
//! the view merges them. The same item (vendor, product, region,
//! reference) in two journals is counted once, where its outcome is best
//! (deleted, then scheduled, not found, in doubt, failed), and flagged as
//! a [`CrossDuplicate`]; the other occurrences count as duplicates.
//!
//! # Reading, and what stays in memory
//!
//! Each journal is read once, by the replay every resume and `verify` use
//! ([`JournalState`]: it checks the hash chain and the journal's rules, and
//! gives each position one status); a journal it refuses (tampered,
//! corrupt, unreadable) contributes no items and makes the view untrusted
//! ([`JournalView::trusted`]). As it replays, the view keeps, per
//! position, 40 bytes: where its last record is, the vendor, the subject
//! (interned), the time of its outcome and, for a scheduled erasure, when
//! the vendor completes it. Counts, subjects and the
//! timeline come from those; each item's full detail ([`ItemView`]) is
//! read back from its last record only when [`JournalView::items`] asks,
//! so a million-item journal is viewed in tens of megabytes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use idv_delete_core::{DeleteIntent, Vendor};

use super::format::{Evidence, JournalOutcome, Record};
use super::reader::JournalReader;
use super::replay::{ItemStatus, JournalState};
use super::JournalError;
use crate::identity::ItemKey;
use crate::time::{parse_rfc3339, rfc3339};

/// No subject, in [`Fact::subject`].
const NO_SUBJECT: u32 = u32::MAX;
/// No time, in [`Fact::at`] and [`Fact::due`].
const NO_TIME: i64 = i64::MIN;

/// What a position's status counts as: the classes of [`Counts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Class {
    // In the order a cross-journal duplicate is resolved: the lowest
    // counts.
    Deleted,
    Scheduled,
    NotFound,
    InDoubt,
    Failed,
    NotAttempted,
    Duplicate,
}

impl Class {
    fn of(status: ItemStatus) -> Class {
        match status {
            ItemStatus::Deleted(_) => Class::Deleted,
            ItemStatus::Scheduled => Class::Scheduled,
            ItemStatus::NotFound => Class::NotFound,
            ItemStatus::InDoubt | ItemStatus::Failed { in_doubt: true } => Class::InDoubt,
            ItemStatus::Failed { in_doubt: false } => Class::Failed,
            ItemStatus::NotAttempted => Class::NotAttempted,
            ItemStatus::Duplicate { .. } => Class::Duplicate,
        }
    }
}

/// Counts of items by what the journals prove about them. A scheduled
/// erasure is never counted as deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every item counted below.
    pub items: u64,
    /// Erased (confirmed by the vendor's answer, by absence after an
    /// uncertain attempt, or by a recheck).
    pub deleted: u64,
    /// Accepted by the vendor, completed later.
    pub scheduled: u64,
    /// Not held by the vendor.
    pub not_found: u64,
    /// Failed; no attempt may have erased them.
    pub failed: u64,
    /// An attempt may have erased them: run them again to confirm.
    pub in_doubt: u64,
    /// Part of the input but never attempted.
    pub not_attempted: u64,
    /// Repeats of an item counted elsewhere (in the same journal or
    /// another), whose outcome is the repeated item's.
    pub duplicates: u64,
}

impl Counts {
    fn add(&mut self, class: Class) {
        self.items += 1;
        *match class {
            Class::Deleted => &mut self.deleted,
            Class::Scheduled => &mut self.scheduled,
            Class::NotFound => &mut self.not_found,
            Class::Failed => &mut self.failed,
            Class::InDoubt => &mut self.in_doubt,
            Class::NotAttempted => &mut self.not_attempted,
            Class::Duplicate => &mut self.duplicates,
        } += 1;
    }

    /// True when nothing is failed, in doubt or never attempted.
    pub fn settled(&self) -> bool {
        self.failed == 0 && self.in_doubt == 0 && self.not_attempted == 0
    }
}

/// Where a data subject's erasure stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubjectStatus {
    /// Some record failed or is in doubt: the erasure is not complete.
    Incomplete,
    /// Every record is erased or not held, but a vendor completes some
    /// later.
    Scheduled,
    /// Every record is erased or not held by its vendor.
    Erased,
}

impl SubjectStatus {
    /// The stable name: `incomplete`, `scheduled` or `erased`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectStatus::Incomplete => "incomplete",
            SubjectStatus::Scheduled => "scheduled",
            SubjectStatus::Erased => "erased",
        }
    }
}

/// One data subject's records across every journal of the view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectView {
    /// The subject's key, as the items gave it.
    pub subject: String,
    /// Where the erasure stands.
    pub status: SubjectStatus,
    /// The subject's records by outcome, each item once: a duplicate
    /// record counts as the outcome of the item it repeats (the same data)
    /// when that item belongs to another subject, and not at all when it
    /// is this subject's own.
    pub counts: Counts,
    /// The vendors holding the records, in [`Vendor::ALL`] order.
    pub vendors: Vec<Vendor>,
    /// For a scheduled erasure: the latest time a vendor completes one of
    /// the subject's records (RFC 3339 UTC), from the vendor's own date
    /// or the time it accepted plus the longest it documents; `None` when
    /// no vendor gives one.
    pub scheduled_until: Option<String>,
}

/// The same item recorded in two journals: counted once, at `first`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossDuplicate {
    /// The item (its subject as `first` recorded it).
    pub intent: DeleteIntent,
    /// The occurrence counted (journal index, position).
    pub first: (usize, u64),
    /// Another occurrence, counted as a duplicate.
    pub also: (usize, u64),
}

/// Outcomes over time: how many items reached each outcome in each bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// The start of the first bucket (RFC 3339 UTC); `None` when no item
    /// has an outcome.
    pub start: Option<String>,
    /// The width of a bucket.
    pub bucket: Duration,
    /// Items deleted in each bucket.
    pub deleted: Vec<u64>,
    /// Items scheduled in each bucket.
    pub scheduled: Vec<u64>,
    /// Items that failed (or ended in doubt) in each bucket.
    pub failed: Vec<u64>,
}

/// One item as the journals leave it: read back from its last record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemView {
    /// The index of its journal in the view.
    pub journal: usize,
    /// Its position in that journal's input, from 0.
    pub position: u64,
    /// The item, with its subject.
    pub intent: DeleteIntent,
    /// What the journal says about it.
    pub status: ItemStatus,
    /// False when the same item in another journal is the one counted
    /// (see [`CrossDuplicate`]).
    pub counted: bool,
    /// When its last record was written (RFC 3339 UTC).
    pub at: String,
    /// Its last outcome, if it has one (a `sent` without an outcome, or
    /// a duplicate, has none).
    pub outcome: Option<JournalOutcome>,
    /// What the vendor's answer said that proves the outcome.
    pub evidence: Evidence,
}

/// One subject's records, summed.
#[derive(Clone, Copy, Debug)]
struct Tally {
    counts: Counts,
    /// Bit `i` for `Vendor::ALL[i]`.
    vendors: u16,
    due: i64,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            counts: Counts::default(),
            vendors: 0,
            due: NO_TIME,
        }
    }
}

impl Tally {
    fn status(&self) -> SubjectStatus {
        if !self.counts.settled() {
            SubjectStatus::Incomplete
        } else if self.counts.scheduled > 0 {
            SubjectStatus::Scheduled
        } else {
            SubjectStatus::Erased
        }
    }
}

/// Per position, what the counts, subjects and timeline need, and where
/// the full record is.
#[derive(Clone, Copy, Debug)]
struct Fact {
    /// Byte offset of the position's last item record.
    offset: u64,
    /// Time of its last record (for an item in doubt, when it was sent),
    /// seconds since the epoch.
    at: i64,
    /// For a scheduled erasure: when the vendor completes it.
    due: i64,
    /// Line number of the last record.
    line: u32,
    subject: u32,
    vendor: u8,
    /// Its own class; `Class::NotAttempted` for a position without a
    /// record.
    class: Class,
    /// What it counts as for its subject: a duplicate resolves to the
    /// class of the item it repeats.
    resolved: Class,
    /// False when another journal's occurrence of the item is counted.
    counted: bool,
    /// Whether the position has an item record (a salvage's in-doubt mark
    /// is not one: such a position has no known vendor or subject).
    recorded: bool,
    /// A duplicate whose item its own subject already counts (the same
    /// item twice for one person): not counted for the subject again.
    repeat: bool,
}

impl Default for Fact {
    fn default() -> Fact {
        Fact {
            offset: 0,
            at: NO_TIME,
            due: NO_TIME,
            line: 0,
            subject: NO_SUBJECT,
            vendor: 0,
            class: Class::NotAttempted,
            resolved: Class::NotAttempted,
            counted: true,
            recorded: false,
            repeat: false,
        }
    }
}

/// One journal of a view.
#[derive(Debug)]
pub struct Shard {
    path: PathBuf,
    reading: Result<JournalState, JournalError>,
    facts: Vec<Fact>,
}

impl Shard {
    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its replay, or why it could not be read (tampered, corrupt,
    /// unreadable): then it contributes no item to the view.
    pub fn state(&self) -> Result<&JournalState, &JournalError> {
        self.reading.as_ref()
    }
}

/// Several journals (or one) read as one erasure job.
#[derive(Debug)]
pub struct JournalView {
    shards: Vec<Shard>,
    subjects: Vec<Arc<str>>,
    cross_duplicates: Vec<CrossDuplicate>,
}

impl JournalView {
    /// Reads every journal of `paths`. A journal that cannot be read is
    /// kept with its error ([`Shard::state`]) and the view is then not
    /// [`trusted`](JournalView::trusted); the others are read all the
    /// same, so a report can show everything that is known.
    pub fn read<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> JournalView {
        let mut view = JournalView {
            shards: Vec::new(),
            subjects: Vec::new(),
            cross_duplicates: Vec::new(),
        };
        let mut interned: HashMap<Arc<str>, u32> = HashMap::new();
        for path in paths {
            let path = path.as_ref().to_path_buf();
            let known = view.subjects.len();
            let (reading, facts) = match read_shard(&path, &mut interned, &mut view.subjects) {
                Ok((state, facts)) => (Ok(state), facts),
                Err(e) => {
                    // The subjects only this journal named go with its items.
                    for subject in view.subjects.drain(known..) {
                        interned.remove(&subject);
                    }
                    (Err(e), Vec::new())
                }
            };
            view.shards.push(Shard {
                path,
                reading,
                facts,
            });
        }
        view.resolve_duplicates();
        view
    }

    /// The journals, in the order given.
    pub fn journals(&self) -> &[Shard] {
        &self.shards
    }

    /// True when every journal was read whole: its chain (if it has one)
    /// verified and its records follow the journal's rules.
    pub fn trusted(&self) -> bool {
        self.shards.iter().all(|s| s.reading.is_ok())
    }

    /// Every item of every journal, by outcome.
    pub fn totals(&self) -> Counts {
        let mut counts = Counts::default();
        self.each_as_counted(|fact| counts.add(fact.class));
        counts
    }

    /// The counts per vendor, for items with a record (an item never
    /// attempted has none, nor has one a salvage marked in doubt after
    /// losing its record: their vendor is unknown, so they are only in
    /// [`totals`](JournalView::totals)).
    pub fn by_vendor(&self) -> BTreeMap<Vendor, Counts> {
        let mut by_vendor = BTreeMap::new();
        self.each_as_counted(|fact| {
            if fact.recorded {
                let vendor = Vendor::ALL[usize::from(fact.vendor)];
                by_vendor
                    .entry(vendor)
                    .or_insert_with(Counts::default)
                    .add(fact.class);
            }
        });
        by_vendor
    }

    /// Items with a record but no subject.
    pub fn items_without_subject(&self) -> u64 {
        let mut n = 0;
        self.each_as_counted(|fact| n += u64::from(fact.recorded && fact.subject == NO_SUBJECT));
        n
    }

    /// Every data subject: incomplete ones first, then scheduled, then
    /// erased; by key within each. Each is made as it is taken, so a
    /// caller that keeps only some (a page's first rows) never holds them
    /// all.
    pub fn subjects(&self) -> impl ExactSizeIterator<Item = SubjectView> + '_ {
        let mut tallies: Vec<Tally> = vec![Tally::default(); self.subjects.len()];
        for shard in &self.shards {
            for fact in shard
                .facts
                .iter()
                .filter(|f| f.subject != NO_SUBJECT && !f.repeat)
            {
                let tally = &mut tallies[fact.subject as usize];
                tally.counts.add(fact.resolved);
                tally.vendors |= 1 << fact.vendor;
                tally.due = tally.due.max(fact.due);
            }
        }
        let mut order: Vec<u32> = (0..tallies.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            tallies[a]
                .status()
                .cmp(&tallies[b].status())
                .then_with(|| self.subjects[a].cmp(&self.subjects[b]))
        });
        order.into_iter().map(move |index| {
            let tally = &tallies[index as usize];
            SubjectView {
                subject: self.subjects[index as usize].to_string(),
                status: tally.status(),
                counts: tally.counts,
                vendors: Vendor::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| tally.vendors & (1 << i) != 0)
                    .map(|(_, v)| v)
                    .collect(),
                scheduled_until: (tally.due != NO_TIME).then(|| time_text(tally.due)),
            }
        })
    }

    /// The same items recorded in more than one journal.
    pub fn cross_duplicates(&self) -> &[CrossDuplicate] {
        &self.cross_duplicates
    }

    /// Outcomes over time, in at most `max_buckets` buckets of a round
    /// width (a second up to a week).
    pub fn timeline(&self, max_buckets: usize) -> Timeline {
        const WIDTHS: [i64; 14] = [
            1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800,
        ];
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        self.each_as_counted(|fact| {
            if fact.at != NO_TIME {
                first = first.min(fact.at);
                last = last.max(fact.at);
            }
        });
        if first > last {
            return Timeline {
                bucket: Duration::from_secs(1),
                ..Timeline::default()
            };
        }
        let max_buckets = i64::try_from(max_buckets.max(1)).unwrap_or(i64::MAX);
        let width = WIDTHS
            .into_iter()
            .find(|w| (last - first.div_euclid(*w) * w) / w < max_buckets)
            .unwrap_or_else(|| (last - first) / max_buckets + 1);
        let start = first.div_euclid(width) * width;
        let buckets = ((last - start) / width + 1) as usize;
        let mut timeline = Timeline {
            start: Some(time_text(start)),
            bucket: Duration::from_secs(width as u64),
            deleted: vec![0; buckets],
            scheduled: vec![0; buckets],
            failed: vec![0; buckets],
        };
        self.each_as_counted(|fact| {
            if fact.at == NO_TIME {
                return;
            }
            let bucket = ((fact.at - start) / width) as usize;
            match fact.class {
                Class::Deleted => timeline.deleted[bucket] += 1,
                Class::Scheduled => timeline.scheduled[bucket] += 1,
                Class::Failed | Class::InDoubt => timeline.failed[bucket] += 1,
                _ => {}
            }
        });
        timeline
    }

    /// Every item that has a record, journal by journal, in input order,
    /// each read back from its last record. An error means a journal
    /// changed since the view read it.
    pub fn items(&self) -> impl Iterator<Item = Result<ItemView, JournalError>> + '_ {
        self.read_back(|fact| fact.recorded)
    }

    /// The items counted as failed or in doubt, as [`items`](JournalView::items)
    /// reads them: only their records are read back.
    pub fn failures(&self) -> impl Iterator<Item = Result<ItemView, JournalError>> + '_ {
        self.read_back(|fact| {
            fact.recorded && fact.counted && matches!(fact.class, Class::Failed | Class::InDoubt)
        })
    }

    fn read_back(
        &self,
        wanted: impl Fn(&Fact) -> bool + Copy + 'static,
    ) -> impl Iterator<Item = Result<ItemView, JournalError>> + '_ {
        self.shards
            .iter()
            .enumerate()
            .filter_map(|(index, shard)| Some((index, shard, shard.reading.as_ref().ok()?)))
            .flat_map(move |(index, shard, state)| {
                let mut reader = None;
                shard
                    .facts
                    .iter()
                    .enumerate()
                    .filter(move |(_, fact)| wanted(fact))
                    .map(move |(position, fact)| {
                        let reader = match &mut reader {
                            Some(reader) => reader,
                            None => reader.insert(JournalReader::open(&shard.path)?),
                        };
                        item(reader, index, position as u64, fact, state)
                    })
            })
    }

    /// Calls `f` with every position's fact, journal by journal, as the
    /// counts see it: an occurrence that another journal counts is a
    /// duplicate.
    fn each_as_counted(&self, mut f: impl FnMut(&Fact)) {
        for fact in self.shards.iter().flat_map(|shard| &shard.facts) {
            if fact.counted {
                f(fact);
            } else {
                f(&Fact {
                    class: Class::Duplicate,
                    ..*fact
                });
            }
        }
    }

    /// Finds the items recorded in several journals, keeps the best
    /// occurrence counted, and resolves every duplicate's class for its
    /// subject.
    fn resolve_duplicates(&mut self) {
        // Within a journal: a duplicate is the item at `of`.
        for shard in &mut self.shards {
            let Ok(state) = &shard.reading else { continue };
            for position in 0..shard.facts.len() {
                if let ItemStatus::Duplicate { of } = state.status(position as u64) {
                    let first = shard.facts[of as usize];
                    let fact = &mut shard.facts[position];
                    fact.resolved = first.class;
                    fact.due = first.due;
                    fact.repeat = fact.subject == first.subject;
                }
            }
        }
        if self.shards.len() < 2 {
            return;
        }
        // Across journals: sort every occurrence by its item's key.
        let mut occurrences: Vec<(ItemKey, Class, u32, u64)> = Vec::new();
        for (index, shard) in self.shards.iter().enumerate() {
            let Ok(state) = &shard.reading else { continue };
            for (position, fact) in shard.facts.iter().enumerate() {
                if let Some(key) = state.key(position as u64) {
                    if fact.class != Class::Duplicate {
                        occurrences.push((key, fact.class, index as u32, position as u64));
                    }
                }
            }
        }
        occurrences.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        let mut pending = Vec::new();
        for group in occurrences.chunk_by(|a, b| a.0 == b.0) {
            let (_, best, first_shard, first_position) = group[0];
            let first = self.shards[first_shard as usize].facts[first_position as usize];
            for &(_, _, shard, position) in &group[1..] {
                let fact = &mut self.shards[shard as usize].facts[position as usize];
                fact.counted = false;
                fact.resolved = best;
                fact.due = first.due;
                fact.repeat = fact.subject == first.subject;
                pending.push((
                    (first_shard as usize, first_position),
                    (shard as usize, position),
                ));
            }
        }
        // The intents are read back for the duplicates only, in file
        // order, one reader per journal (two copies of a million-item
        // journal are a million duplicates).
        pending.sort_unstable();
        let mut reader: Option<(usize, JournalReader)> = None;
        for (first, also) in pending {
            let shard = &self.shards[first.0];
            let (Ok(state), Some(fact)) = (&shard.reading, shard.facts.get(first.1 as usize))
            else {
                continue;
            };
            if reader.as_ref().map(|(journal, _)| *journal) != Some(first.0) {
                reader = JournalReader::open(&shard.path)
                    .ok()
                    .map(|opened| (first.0, opened));
            }
            let Some((_, reader)) = &mut reader else {
                continue;
            };
            if let Ok(item) = item(reader, first.0, first.1, fact, state) {
                self.cross_duplicates.push(CrossDuplicate {
                    intent: item.intent,
                    first,
                    also,
                });
            }
        }
    }
}

/// The journal at `path` replayed, with the facts of every position,
/// gathered in the same reading.
fn read_shard(
    path: &Path,
    interned: &mut HashMap<Arc<str>, u32>,
    subjects: &mut Vec<Arc<str>>,
) -> Result<(JournalState, Vec<Fact>), JournalError> {
    let mut facts: Vec<Fact> = Vec::new();
    let state = JournalState::read_visiting(path, |record, offset, line| {
        let (position, intent, at, outcome) = match record {
            Record::Sent(r) => (r.position, &r.intent, &r.at, None),
            Record::Duplicate(r) => (r.position, &r.intent, &r.at, None),
            Record::Outcome(r) => (r.position, &r.intent, &r.at, Some(&r.outcome)),
            _ => return,
        };
        // The replay bounds positions (see `MAX_POSITION_GAP`).
        let index = position as usize;
        if index >= facts.len() {
            facts.resize(index + 1, Fact::default());
        }
        let fact = &mut facts[index];
        fact.recorded = true;
        fact.offset = offset;
        fact.line = u32::try_from(line).unwrap_or(u32::MAX);
        fact.vendor = Vendor::ALL
            .iter()
            .position(|v| *v == intent.vendor())
            .unwrap_or(0) as u8;
        fact.subject = match intent.subject() {
            Some(subject) => match interned.get(subject) {
                Some(id) => *id,
                None => {
                    let id = subjects.len() as u32;
                    let subject: Arc<str> = subject.into();
                    subjects.push(subject.clone());
                    interned.insert(subject, id);
                    id
                }
            },
            None => NO_SUBJECT,
        };
        fact.at = seconds(at);
        fact.due = NO_TIME;
        if let Some(outcome) = outcome {
            fact.due = match outcome {
                JournalOutcome::Scheduled {
                    until, within_secs, ..
                } => until
                    .as_deref()
                    .map(seconds)
                    .filter(|t| *t != NO_TIME)
                    .or_else(|| {
                        let secs = i64::try_from((*within_secs)?).ok()?;
                        (fact.at != NO_TIME).then(|| fact.at.saturating_add(secs))
                    })
                    .unwrap_or(NO_TIME),
                _ => NO_TIME,
            };
        }
    })?;
    facts.resize(state.positions() as usize, Fact::default());
    for (position, fact) in facts.iter_mut().enumerate() {
        fact.class = Class::of(state.status(position as u64));
        fact.resolved = fact.class;
        if fact.class != Class::Scheduled {
            fact.due = NO_TIME;
        }
    }
    Ok((state, facts))
}

/// The item at `position`, read back from its last record.
fn item(
    reader: &mut JournalReader,
    journal: usize,
    position: u64,
    fact: &Fact,
    state: &JournalState,
) -> Result<ItemView, JournalError> {
    let record = reader.record_at(fact.offset, u64::from(fact.line))?;
    let (intent, at, outcome, evidence) = match record {
        Record::Sent(r) => (r.intent, r.at, None, Evidence::default()),
        Record::Duplicate(r) => (r.intent, r.at, None, Evidence::default()),
        Record::Outcome(r) => (r.intent, r.at, Some(r.outcome), r.evidence),
        _ => {
            return Err(reader.corrupt(format!(
                "the journal changed since it was read: position {position}'s record is gone"
            )))
        }
    };
    Ok(ItemView {
        journal,
        position,
        intent,
        status: state.status(position),
        counted: fact.counted,
        at,
        outcome,
        evidence,
    })
}

/// Seconds since the epoch of an RFC 3339 UTC time, or [`NO_TIME`].
fn seconds(text: &str) -> i64 {
    parse_rfc3339(text)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(NO_TIME)
}

fn time_text(secs: i64) -> String {
    rfc3339(UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64))
}
