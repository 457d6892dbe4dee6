//! The batch journal: JSON Lines, append-only, crash-safe, never holding a
//! secret. It is the proof of erasure a company shows an auditor, so it
//! records the input it was written for, where the requests went, every
//! item's outcome and how each run ended.
//!
//! # Format (version 2)
//!
//! One JSON object per line, told apart by `event`:
//!
//! ```text
//! {"event":"header","format":"idv-delete-journal","version":2,"created_at":"2025-06-01T09:00:00.000Z"}
//! {"event":"run","run":1,"at":"2025-06-01T09:00:00.001Z","tool_version":"0.1.0","pid":4242,"input":{"source":"erasures.csv","items":3,"sha256":"9f86d0…"},"endpoints":{"hyperverge":"documented","jumio":"documented"},"custody":{"user":"alice","host":"ops-1","credentials":{"hyperverge":"99c9cbc6c0320bb2f4b26be0227457af","jumio":"22f66267cffcb0ce05ea549ba6cb4fb8"}}}
//! {"event":"sent","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20","at":"2025-06-01T09:00:00.012Z"}
//! {"event":"sent","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T09:00:00.013Z"}
//! {"event":"duplicate","pos":2,"of":0,"vendor":"jumio","product":"scan","region":"eu","ref":"2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20","at":"2025-06-01T09:00:00.013Z"}
//! {"event":"outcome","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20","at":"2025-06-01T09:00:00.101Z","result":"deleted","confirmed_by":"response","audits":0,"status":200,"attempts":1,"evidence":{"date":"Sun, 01 Jun 2025 09:00:00 GMT","request_id":"5c0e9a7d-1f2b-4c3d-9e8f-a1b2c3d4e5f6"}}
//! {"event":"outcome","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T09:00:00.250Z","result":"failed","error":"server","status":503,"attempts":4,"in_doubt":false,"evidence":{"date":"Sun, 01 Jun 2025 09:00:00 GMT"}}
//! {"event":"end","run":1,"at":"2025-06-01T09:00:00.251Z","how":"finished","items":3,"sha256":"9f86d0…"}
//! {"event":"run","run":2,"at":"2025-06-01T10:00:00.000Z","tool_version":"0.1.0","pid":4300,"input":{…},"endpoints":{…}}
//! {"event":"sent","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T10:00:00.004Z"}
//! {"event":"outcome","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T10:00:00.090Z","result":"not_found","status":404,"attempts":1,"evidence":{"date":"Sun, 01 Jun 2025 10:00:00 GMT"}}
//! {"event":"end","run":2,"at":"2025-06-01T10:00:00.091Z","how":"finished","items":3,"sha256":"9f86d0…"}
//! ```
//!
//! - `header` is the first line: the format name and its version (readers
//!   refuse versions they do not know) and when the journal was created.
//! - `run` starts each run, the first and every resume: its number, the
//!   tool's version, the process id, the input when the caller declared it
//!   (`source`, number of `items`, `sha256` of the items' identities in
//!   order: see [`InputDigest`](crate::InputDigest)), and the `endpoints`
//!   each configured vendor's requests go to (`documented` for the vendor's
//!   documented hosts, else the base URL). A resume whose endpoints differ
//!   from the last run's is refused unless the caller allows it: absence at
//!   another endpoint proves nothing about the first.
//! - `sent`: the item at input position `pos` (from 0), identified by
//!   `vendor`, `product`, `region` (Jumio only) and `ref`, is about to be
//!   sent. It is written and fsynced before its first request leaves.
//!   `resumed: true` marks a re-run of an item in doubt.
//! - `duplicate`: the item at `pos` repeats the one at `of`; it is not sent,
//!   and `of`'s outcome is its own.
//! - `outcome`: how the item ended. `result` is `deleted` (with
//!   `confirmed_by`: `response`, or `absence`: a 404 after an uncertain
//!   attempt, meaning that attempt erased it or it was never at that
//!   endpoint; and the count of `audits` the vendor reported), `not_found`,
//!   or `failed` (with the `error` kind as in [`ErrorKind::as_str`], the
//!   HTTP `status` if any, and `in_doubt`: an attempt may have erased it).
//!   Items that failed before anything was sent (no credentials for their
//!   vendor) have an outcome and no `sent`. Every outcome carries the
//!   number of `attempts`; one decided by an answer carries its HTTP
//!   `status` and an `evidence` object (see below).
//! - `evidence` (on an outcome, omitted when empty: a transport failure,
//!   an item refused before sending, an older journal) is what the deciding
//!   answer said, as the vendor wrote it, so an auditor can tie the claim
//!   to one answer and ask the vendor about it: its `date` (the `Date`
//!   header), its `request_id` (Stripe's and Persona's `Request-Id`, else
//!   `X-Request-Id` or `X-Correlation-Id`), HyperVerge's `audit_ids`
//!   (`deletedAudits`, at most [`MAX_AUDIT_IDS`]) and Stripe's
//!   `vendor_status` (`redaction.status`). Each value is printable and at
//!   most 128 bytes, so a line stays far below the reader's 16 KiB limit.
//!   It proves which answer the outcome rests on, not that the answer was
//!   the vendor's: the headers are not signed.
//! - `custody` (on a run; absent in older journals) says who ran it:
//!   `user` (`USER`, `LOGNAME`, else the uid), `host`, and per configured
//!   vendor a fingerprint of the credential's public identifier (Jumio's
//!   API token, the Jumio Platform's client id, HyperVerge's app id,
//!   Veriff's API key: the first 16 bytes of SHA-256 over
//!   `"idv-delete credential v1\0" + vendor + "\0" + id`, in hex), or
//!   `null` for a vendor whose credential is a secret alone (Onfido,
//!   Persona, Stripe), which is never hashed. Equal fingerprints tie two
//!   runs to one vendor account; the journal holds neither the identifier
//!   nor a secret. User and host are as the machine reports them, not
//!   authenticated.
//! - `end` closes a run: `how` it ended (`finished`: the input was read to
//!   its end; `cancelled`; `failed`, with `why`), the `items` read from the
//!   input in this run and, when it was read to its end, their `sha256`. A
//!   run without an `end` was killed.
//! - `salvaged` follows the records a salvage kept (see [`salvage`]).
//! - Times are UTC, RFC 3339, millisecond precision.
//!
//! Credentials never appear: a record holds the identity of an item and
//! what happened to it, and a run's endpoints are base URLs, which cannot
//! hold credentials (see `Endpoint::custom`).
//!
//! # Hash chain
//!
//! A journal whose header declares `"chaining":"sha256-v1"` ([`CHAIN_V1`])
//! is chained: every line, the header included, ends with
//! `,"chain":"<64 hex>"}`, the SHA-256 of the previous line's chain value
//! (32 raw bytes; 32 zero bytes for the header) followed by the line's
//! canonical bytes: the line without its newline and without its last 76
//! bytes (`,"chain":"…"`), closed by `}` (the record as serialised before
//! the chain was appended as its last key). The reader recomputes the
//! chain as it reads; the first line where it breaks is
//! [`JournalError::Tampered`]. The last complete line's chain value is the
//! journal's fingerprint ([`JournalState::fingerprint`]); a torn last
//! line is not covered (it is cut away, and a resume chains on from the
//! last complete line). Journals written before the chain (no `chaining`
//! in the header) are read as before and resumed unchained
//! ([`JournalState::chained`] is false).
//!
//! # Crash safety
//!
//! Records are appended whole (see the writer). After a crash the last
//! line may be torn: a resume cuts it away, and [`TornTail`] says what it
//! was (a torn `sent` never left; a torn `outcome` leaves its item in
//! doubt). Any other unreadable line is an error that names it; [`salvage`]
//! keeps what can be kept.
//!
//! # One reading
//!
//! [`JournalState`] replays the records into one status per item; the
//! batch's resume and `idv-delete verify` both use it. Resuming (passing
//! the same journal with the same input) skips items deleted, not found
//! or duplicated, re-runs items in doubt as uncertain (a 404 then confirms
//! the deletion), runs items that failed otherwise again, and runs the
//! rest. The input must be the same sequence: each position's identity is
//! checked against the journal, and a declared input must have the digest
//! the journal recorded.
//!
//! # One run at a time
//!
//! A run holds an advisory lock on `<journal>.lock` from start to end; a
//! second run on the same journal fails at once naming the holder's pid.
//!
//! [`ErrorKind::as_str`]: idv_delete_core::ErrorKind::as_str

mod format;
mod lock;
mod reader;
mod replay;
mod salvage;
mod view;
mod writer;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub use format::{
    Custody, DuplicateRecord, EndRecord, Evidence, Header, InputSummary, JournalOutcome,
    OutcomeRecord, Record, RunEnd, RunRecord, SalvagedRecord, SentRecord, CHAIN_V1, FORMAT,
    MAX_AUDIT_IDS, VERSION,
};
pub(crate) use lock::JournalLock;
pub use reader::{JournalReader, TornTail};
pub use replay::{ItemStatus, JournalState, Run, Totals};
pub use salvage::{salvage, SalvageReport};
pub use view::{
    Counts, CrossDuplicate, ItemView, JournalView, Shard, SubjectStatus, SubjectView, Timeline,
};
pub(crate) use writer::{open_file, JournalWriter, Sink};

/// Why a journal could not be read, written or used.
#[derive(Debug)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading or writing failed. Items already finished are journaled;
    /// run again with the same journal once the cause is fixed.
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A line cannot be read or breaks the journal's rules (a torn last
    /// line is not an error: it is cut away). Nothing was sent.
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// The line number, from 1.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A line's hash chain does not follow from the lines before it: a
    /// line was edited, removed, inserted or moved at or before this one
    /// (the first line where the chain breaks). Nothing was sent.
    Tampered {
        /// The journal file.
        path: PathBuf,
        /// The first line whose chain does not match, from 1.
        line: u64,
    },
    /// Another run holds the journal's lock. Nothing was sent.
    Locked {
        /// The journal file.
        path: PathBuf,
        /// Who holds it ("pid 4242 on host"), as its lock file says.
        holder: String,
    },
    /// The input is not the one the journal was written for. With a
    /// position, items before it may have run; without, nothing was sent.
    InputChanged {
        /// The journal file.
        path: PathBuf,
        /// The input position (from 0) where the journal names another
        /// item, or `None` when the declared input's digest differs.
        position: Option<u64>,
    },
    /// The requests would go to another endpoint than the journal's last
    /// run's. Nothing was sent.
    EndpointChanged {
        /// The journal file.
        path: PathBuf,
        /// The vendor.
        vendor: String,
        /// Where the journal's last run sent them.
        journaled: String,
        /// Where this run would send them.
        now: String,
    },
    /// A recheck ([`Client::recheck_journal`](crate::Client::recheck_journal))
    /// would read at another endpoint than the journal's last run's. Its
    /// own variant because the way out differs from a batch's: a recheck
    /// has no switch to allow the change (an absence at another endpoint
    /// would confirm an erasure it knows nothing of), so the message says
    /// to recheck at the journal's endpoint. Nothing was sent.
    RecheckEndpointChanged {
        /// The journal file.
        path: PathBuf,
        /// The vendor.
        vendor: String,
        /// Where the journal's last run sent them (`documented` for the
        /// vendor's documented hosts).
        journaled: String,
        /// Where this recheck would read.
        now: String,
    },
}

impl JournalError {
    pub(crate) fn io(path: &Path, source: io::Error) -> JournalError {
        JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The journal file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            JournalError::Io { path, .. }
            | JournalError::Corrupt { path, .. }
            | JournalError::Tampered { path, .. }
            | JournalError::Locked { path, .. }
            | JournalError::InputChanged { path, .. }
            | JournalError::EndpointChanged { path, .. }
            | JournalError::RecheckEndpointChanged { path, .. } => path,
        }
    }
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io { path, source } => write!(
                f,
                "journal {}: {source}; fix the cause and run again with the same journal to resume",
                path.display()
            ),
            JournalError::Corrupt { path, line, reason } => write!(
                f,
                "journal {} line {line}: {reason}; the journal is damaged, so nothing was sent (`idv-delete salvage {}` keeps its readable records and the original)",
                path.display(),
                path.display()
            ),
            JournalError::Tampered { path, line } => write!(
                f,
                "journal {} line {line}: the hash chain breaks here: a line was edited, removed, inserted or moved at or before this line, so the journal is not as it was written and nothing was sent; keep the file as evidence and compare its fingerprint with the one stored when it was written (`idv-delete salvage {}` drops the lines where the chain breaks, keeping the original, if the run must go on)",
                path.display(),
                path.display()
            ),
            JournalError::Locked { path, holder } => write!(
                f,
                "journal {} is in use by another run ({}); nothing was sent: wait for it to end, or stop it",
                path.display(),
                if holder.is_empty() { "holder unknown" } else { holder }
            ),
            JournalError::InputChanged { path, position: Some(position) } => write!(
                f,
                "journal {} was written for another input: the item at position {position} (from 0) differs; resume with the same input in the same order, or use a new journal",
                path.display()
            ),
            JournalError::InputChanged { path, position: None } => write!(
                f,
                "journal {} was written for another input (its items or their order differ); nothing was sent: resume with the same input, or use a new journal",
                path.display()
            ),
            JournalError::EndpointChanged { path, vendor, journaled, now } => write!(
                f,
                "journal {}: its last run sent {vendor} requests to {journaled}, this run would send them to {now}; nothing was sent. A 404 there would not prove an erasure here: use the same endpoint, or allow the change explicitly (CLI: --allow-endpoint-change)",
                path.display()
            ),
            JournalError::RecheckEndpointChanged { path, vendor, journaled, now } => {
                let journal_endpoint = if journaled == "documented" {
                    "the vendor's documented hosts (no base URL)".to_owned()
                } else {
                    format!("the base URL {journaled} (CLI: --base-url {journaled})")
                };
                write!(
                    f,
                    "journal {}: its last run sent {vendor} requests to {journaled}, this recheck would read at {now}; nothing was sent. An answer there would not prove an erasure here: recheck with the journal's endpoint, {journal_endpoint}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for JournalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JournalError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
