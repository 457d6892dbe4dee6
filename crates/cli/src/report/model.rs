//! The report's facts: one value the JSON file holds and the HTML page
//! shows, so the two cannot say different things.
//!
//! Every count is of items (one reference at one vendor endpoint, after
//! duplicates are removed). A scheduled erasure (the vendor accepted it
//! and erases later) is counted as scheduled, never as deleted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `format` says, so a tool can tell this document from any other.
pub const FORMAT: &str = "idv-delete-report";

/// The version of this document's shape; a change that removes or
/// renames a field raises it.
pub const VERSION: u32 = 1;

/// Everything the report says about a set of journals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`FORMAT`]: what this document is.
    pub format: String,
    /// Always [`VERSION`]: the shape of this document.
    pub version: u32,
    /// When the report was made (RFC 3339, UTC): the journals may have
    /// grown since.
    pub generated_at: String,
    /// The idv-delete version that made the report.
    pub tool_version: String,
    /// The one-line answer: is everything erased, and can the record be
    /// trusted?
    pub verdict: Verdict,
    /// Each journal read, in the order given; failures and duplicates
    /// point into this list by index.
    pub journals: Vec<JournalFacts>,
    /// The counts over all journals.
    pub totals: Counts,
    /// The counts per vendor, in the vendors' order.
    pub vendors: Vec<VendorCounts>,
    /// When the outcomes happened, in equal buckets of time.
    pub timeline: Timeline,
    /// The failures grouped by kind, with what to do about each kind.
    pub failure_kinds: Vec<FailureKind>,
    /// Every item that failed or is in doubt, with what to do about it.
    /// The JSON file holds them all; a report made for the page may hold
    /// only its first rows, and [`failures_total`](Report::failures_total)
    /// counts them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    /// How many items failed or are in doubt.
    pub failures_total: u64,
    /// Per data subject (the company's own customer id): whether
    /// everything about that person is erased; incomplete subjects first.
    /// The JSON file holds every subject; a report made for the page may
    /// hold only its first rows (a million subjects would not fit a page),
    /// and [`subjects_total`](Report::subjects_total) counts them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Subject>,
    /// How many data subjects the journals name.
    pub subjects_total: u64,
    /// Items journaled without a subject: they count in the totals but
    /// belong to no subject's answer.
    pub items_without_subject: u64,
    /// The same item found in two journals: counted once, listed here so
    /// the overlap can be explained.
    pub cross_duplicates: Vec<CrossDuplicate>,
}

/// The report's answer in one word and one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `erased` (every item deleted or not found), `scheduled` (the rest
    /// is accepted by the vendors and erased later: not deleted yet),
    /// `incomplete` (some item failed, is in doubt or was not attempted)
    /// or `untrusted` (a journal's chain did not verify: nothing in it can
    /// be relied on).
    pub status: String,
    /// One sentence that says why, for a reader who reads nothing else.
    pub summary: String,
}

/// How many items ended which way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Distinct items journaled.
    pub items: u64,
    /// Deleted: the vendor confirmed the erasure.
    pub deleted: u64,
    /// Accepted by the vendor, who erases them later: not deleted yet.
    pub scheduled: u64,
    /// The vendor holds no such record (already erased, or never there).
    pub not_found: u64,
    /// Failed, and no attempt may have erased them: see the failures.
    pub failed: u64,
    /// Failed (or unanswered) after an attempt that may have erased them:
    /// possibly erased, unconfirmed; running them again confirms.
    pub in_doubt: u64,
    /// Journaled but never sent (the run was stopped first).
    pub not_attempted: u64,
    /// Repeats of an item already counted, in the same journal or another:
    /// not counted again in any other field.
    pub duplicates: u64,
}

/// The counts of one vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorCounts {
    /// The vendor's name as the CLI spells it (`jumio`, `hyperverge`, ...).
    pub vendor: String,
    /// Its items' outcomes.
    pub counts: Counts,
}

/// What one journal file is and whether it can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFacts {
    /// The file as given on the command line.
    pub path: String,
    /// Whether its records carry a hash chain (older journals do not, and
    /// prove nothing about edits).
    pub chained: bool,
    /// Whether the chain verified from the first record to the last.
    pub verified: bool,
    /// The last record's hash (64 hex digits): compare it with the one
    /// stored elsewhere when the run ended to prove the file unchanged.
    pub fingerprint: Option<String>,
    /// What is wrong with the file, naming the first bad line, if anything.
    pub problem: Option<String>,
    /// Distinct items in this journal.
    pub items: u64,
    /// Each run that wrote to it (a resumed batch adds a run).
    pub runs: Vec<RunFacts>,
}

/// One run of the tool on a journal: the chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFacts {
    /// The run's number in its journal, from 1.
    pub run: u32,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it ended, if it recorded an end.
    pub ended_at: Option<String>,
    /// How it ended: `finished`, `cancelled`, `failed` or `killed` (no
    /// end recorded).
    pub how: String,
    /// The idv-delete version that ran.
    pub tool_version: String,
    /// The operating-system user who ran it.
    pub user: Option<String>,
    /// The machine it ran on.
    pub host: Option<String>,
    /// Per vendor, a fingerprint of the credential's public identifier
    /// (never the secret), so two runs can be tied to one account, for
    /// each vendor the run had credentials for; `None` when the vendor's
    /// credential is a secret alone (Onfido, Persona, Stripe), which is
    /// never fingerprinted.
    pub credentials: BTreeMap<String, Option<String>>,
}

/// When the outcomes happened: bucket `i` covers `start + i *
/// bucket_secs` to the next bucket's start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The start of bucket 0 (RFC 3339), or `None` when nothing happened.
    pub start: Option<String>,
    /// Each bucket's length in seconds.
    pub bucket_secs: u64,
    /// Items deleted in each bucket.
    pub deleted: Vec<u64>,
    /// Items scheduled (not deleted yet) in each bucket.
    pub scheduled: Vec<u64>,
    /// Items failed or in doubt in each bucket.
    pub failed: Vec<u64>,
}

/// The failures of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureKind {
    /// The error kind (`rate_limited`, `unauthorized`, ...).
    pub kind: String,
    /// How many items failed this way, in doubt or not.
    pub count: u64,
    /// Of those, how many may have been erased anyway (unconfirmed).
    pub in_doubt: u64,
    /// What to do about them.
    pub what_to_do: String,
}

/// One item that was not erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Which journal, as an index into [`Report::journals`].
    pub journal: usize,
    /// The item's position in that journal (its row in the batch, from 0).
    pub position: u64,
    /// The vendor.
    pub vendor: String,
    /// The vendor's product (`netverify`, `account`, `inquiry`, ...).
    pub product: String,
    /// The vendor's region, where it has regions.
    pub region: Option<String>,
    /// The vendor's reference of the record.
    pub reference: String,
    /// The data subject the item belongs to, if the input named one.
    pub subject: Option<String>,
    /// The error kind.
    pub kind: String,
    /// The vendor's last HTTP status, when it answered.
    pub status: Option<u16>,
    /// Whether the request may have reached the vendor: possibly erased,
    /// unconfirmed.
    pub in_doubt: bool,
    /// How many requests were made.
    pub attempts: u32,
    /// When it last failed (RFC 3339).
    pub at: Option<String>,
    /// What to do about it.
    pub what_to_do: String,
}

/// Whether everything about one person is erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The company's own key of the person (the input's `subject` column).
    pub subject: String,
    /// `erased` (every record deleted or not found), `scheduled` (the
    /// rest is accepted and erased later: not deleted yet) or
    /// `incomplete` (some record failed, is in doubt or was not
    /// attempted).
    pub status: String,
    /// The vendors that held records of this person.
    pub vendors: Vec<String>,
    /// The person's records' outcomes.
    pub counts: Counts,
    /// The latest date a vendor gave for a scheduled erasure, when it
    /// gave one: after it, the person should be erased everywhere.
    pub scheduled_until: Option<String>,
}

/// One item found in two journals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossDuplicate {
    /// The vendor.
    pub vendor: String,
    /// The vendor's product.
    pub product: String,
    /// The vendor's region, where it has regions.
    pub region: Option<String>,
    /// The vendor's reference of the record.
    pub reference: String,
    /// Where it was counted.
    pub first: Location,
    /// Where it appeared again (not counted).
    pub also: Location,
}

/// An item's place: which journal, which position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// An index into [`Report::journals`].
    pub journal: usize,
    /// The item's position in that journal, from 0.
    pub position: u64,
}
