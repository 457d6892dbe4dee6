//! The batch journal: JSON Lines, append-only, crash-safe, never holding a
//! secret.
//!
//! # Format (version 1)
//!
//! One JSON object per line, told apart by `event`:
//!
//! ```text
//! {"event":"header","format":"idv-delete-journal","version":1,"tool_version":"0.1.0","started_at":"2025-06-01T09:00:00.000Z"}
//! {"event":"sent","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20","at":"2025-06-01T09:00:00.012Z"}
//! {"event":"sent","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T09:00:00.013Z"}
//! {"event":"outcome","pos":0,"vendor":"jumio","product":"scan","region":"eu","ref":"2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20","at":"2025-06-01T09:00:00.101Z","result":"deleted","confirmed_by":"response","audits":0,"attempts":1}
//! {"event":"outcome","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T09:00:00.250Z","result":"failed","error":"server","status":503,"attempts":4,"in_doubt":false}
//! {"event":"resumed","tool_version":"0.1.0","at":"2025-06-01T10:00:00.000Z"}
//! {"event":"sent","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T10:00:00.004Z","resumed":true}
//! {"event":"outcome","pos":1,"vendor":"hyperverge","product":"transaction","ref":"HV-123","at":"2025-06-01T10:00:00.090Z","result":"not_found","status":404,"attempts":1}
//! ```
//!
//! - `header` is the first line: the format name, its version (readers
//!   refuse versions they do not know), the tool's version and the start.
//! - `resumed` marks each later run on the same journal.
//! - `sent`: the item at input position `pos` (from 0), identified by
//!   `vendor`, `product`, `region` (Jumio only) and `ref`, is about to be
//!   sent. It is written and fsynced before its first request leaves.
//!   `resumed: true` marks a re-run of an item that was sent without an
//!   outcome ("in doubt").
//! - `outcome`: how the item ended. `result` is `deleted` (with
//!   `confirmed_by`: `response` or `absence`, and the count of `audits` the
//!   vendor reported), `not_found`, or `failed` (with the `error` kind as in
//!   [`ErrorKind::as_str`], the HTTP `status` if any, and `in_doubt`: an
//!   attempt may have deleted it). Items that failed before anything was
//!   sent (no credentials for their vendor) have an outcome and no `sent`.
//!   Every outcome carries the number of `attempts`.
//! - Times are UTC, RFC 3339, millisecond precision.
//!
//! Credentials never appear: a record holds only the identity of an item
//! and what happened to it.
//!
//! # Crash safety
//!
//! Records are appended whole; `sent` records are made durable in groups
//! (one writer thread, one `fsync` for the records of all the workers
//! waiting) before the requests leave. An `outcome` is written right away
//! but only fsynced with the next group (or at the end): a crash of the
//! process loses nothing written, and if power fails the item is simply in
//! doubt again. After a crash, the last line may be torn: a resume cuts
//! it away (it was never fsynced, so its request never left). Any other
//! unreadable line is an error that names it.
//!
//! Resuming (passing the same journal to the same input) skips items that
//! were deleted or not found, re-runs items sent without an outcome and
//! items that failed after an attempt that may have been applied as in
//! doubt (a 404 then confirms the deletion), runs items that failed
//! otherwise again, and runs the rest. A failed item can thus have several
//! outcomes, one per run: the last one counts. The input must be the same
//! sequence: each position's identity is checked against the journal.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use idv_delete_core::{
    ConfirmedBy, DeleteError, DeleteIntent, Deleted, ErrorKind, JumioProduct, Region, Target,
};
use serde::{Deserialize, Serialize};

use crate::batch::BatchError;

/// The `format` of a journal header.
pub const FORMAT: &str = "idv-delete-journal";
/// The journal format version this crate writes and reads.
pub const VERSION: u32 = 1;
/// Longest line a reader accepts; real lines are a few hundred bytes.
const MAX_LINE: usize = 16 * 1024;
/// How far past the number of records read so far a position may point.
/// Journaled positions are dense (every started item has a record), so a
/// real journal stays far below this; a corrupt one cannot make the resume
/// state allocate more than about 9 bytes times this plus its records.
const MAX_POSITION_GAP: u64 = 1 << 20;

/// The first line of a journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// Version of the tool that started the journal.
    pub tool_version: String,
    /// When the first run started (RFC 3339 UTC).
    pub started_at: String,
}

/// One record after the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A later run resumed the journal.
    Resumed {
        /// Version of the tool that resumed it.
        tool_version: String,
        /// When (RFC 3339 UTC).
        at: String,
    },
    /// An item was about to be sent (durable before its request left).
    Sent(SentRecord),
    /// An item finished.
    Outcome(OutcomeRecord),
}

/// A `sent` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentRecord {
    /// Position of the item in the input, from 0.
    pub position: u64,
    /// What was deleted.
    pub intent: DeleteIntent,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// True for an in-doubt item re-run by a resume.
    pub resumed: bool,
}

/// An `outcome` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeRecord {
    /// Position of the item in the input, from 0.
    pub position: u64,
    /// What was deleted.
    pub intent: DeleteIntent,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// How it ended.
    pub outcome: JournalOutcome,
}

/// How an item ended, as the journal keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalOutcome {
    /// The vendor no longer holds it.
    Deleted {
        /// How the deletion was confirmed.
        confirmed_by: ConfirmedBy,
        /// Audit ids the vendor reported deleted.
        audits: u32,
        /// Requests sent.
        attempts: u32,
    },
    /// 404 with no earlier attempt that may have deleted it.
    NotFound {
        /// Requests sent.
        attempts: u32,
    },
    /// Any other error.
    Failed {
        /// The error kind.
        kind: ErrorKind,
        /// The HTTP status of the last answer, if any.
        status: Option<u16>,
        /// Requests sent.
        attempts: u32,
        /// An attempt may have deleted it: run it again to confirm.
        in_doubt: bool,
    },
}

impl JournalOutcome {
    /// The journal form of a deletion's result.
    pub fn from_result(result: &Result<Deleted, DeleteError>) -> JournalOutcome {
        match result {
            Ok(deleted) => JournalOutcome::Deleted {
                confirmed_by: deleted.confirmed_by,
                audits: u32::try_from(deleted.audits.len()).unwrap_or(u32::MAX),
                attempts: deleted.attempts,
            },
            Err(e) if e.kind() == ErrorKind::NotFound => JournalOutcome::NotFound {
                attempts: e.attempts(),
            },
            Err(e) => JournalOutcome::Failed {
                kind: e.kind(),
                status: e.status(),
                attempts: e.attempts(),
                in_doubt: e.in_doubt(),
            },
        }
    }
}

/// One line as written and read. `S` is `&str` when writing, `String`
/// when reading.
#[derive(Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Line<S> {
    Header {
        format: S,
        version: u32,
        tool_version: S,
        started_at: S,
    },
    Resumed {
        tool_version: S,
        at: S,
    },
    Sent {
        pos: u64,
        vendor: S,
        product: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<S>,
        #[serde(rename = "ref")]
        reference: S,
        at: S,
        #[serde(default, skip_serializing_if = "is_false")]
        resumed: bool,
    },
    Outcome {
        pos: u64,
        vendor: S,
        product: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<S>,
        #[serde(rename = "ref")]
        reference: S,
        at: S,
        result: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmed_by: Option<S>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audits: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<S>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        attempts: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_doubt: Option<bool>,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn line_bytes<S: Serialize>(line: &Line<S>) -> Vec<u8> {
    // Serialising plain strings and numbers cannot fail.
    let mut bytes = serde_json::to_vec(line).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn header_line(tool_version: &str, started_at: &str) -> Vec<u8> {
    line_bytes(&Line::Header {
        format: FORMAT,
        version: VERSION,
        tool_version,
        started_at,
    })
}

pub(crate) fn sent_line(position: u64, intent: &DeleteIntent, at: &str, resumed: bool) -> Vec<u8> {
    let target = intent.target();
    line_bytes(&Line::Sent {
        pos: position,
        vendor: target.vendor().as_str(),
        product: target.product_name(),
        region: target.region().map(Region::as_str),
        reference: intent.reference(),
        at,
        resumed,
    })
}

pub(crate) fn outcome_line(
    position: u64,
    intent: &DeleteIntent,
    at: &str,
    outcome: &JournalOutcome,
) -> Vec<u8> {
    let target = intent.target();
    let (result, confirmed_by, audits, error, status, attempts, in_doubt) = match *outcome {
        JournalOutcome::Deleted {
            confirmed_by,
            audits,
            attempts,
        } => (
            "deleted",
            Some(confirmed_by.as_str()),
            Some(audits),
            None,
            None,
            attempts,
            None,
        ),
        JournalOutcome::NotFound { attempts } => {
            ("not_found", None, None, None, Some(404), attempts, None)
        }
        JournalOutcome::Failed {
            kind,
            status,
            attempts,
            in_doubt,
        } => (
            "failed",
            None,
            None,
            Some(kind.as_str()),
            status,
            attempts,
            Some(in_doubt),
        ),
    };
    line_bytes(&Line::Outcome {
        pos: position,
        vendor: target.vendor().as_str(),
        product: target.product_name(),
        region: target.region().map(Region::as_str),
        reference: intent.reference(),
        at,
        result,
        confirmed_by,
        audits,
        error,
        status,
        attempts,
        in_doubt,
    })
}

/// Reads a journal record by record, streaming (memory does not grow with
/// its size).
///
/// A torn last line (no final newline: the process died while writing it)
/// is not returned; [`JournalReader::torn_tail`] tells whether there was
/// one. Any other line that cannot be read is an error naming its number.
///
/// ```no_run
/// use idv_delete_blocking::journal::{JournalOutcome, JournalReader, Record};
///
/// let mut reader = JournalReader::open("deletions.journal")?;
/// println!("journal started at {}", reader.header().started_at);
/// for record in &mut reader {
///     if let Record::Outcome(outcome) = record? {
///         if let JournalOutcome::Deleted { confirmed_by, .. } = outcome.outcome {
///             println!("{} deleted at {} ({})", outcome.intent, outcome.at, confirmed_by.as_str());
///         }
///     }
/// }
/// # Ok::<(), idv_delete_blocking::BatchError>(())
/// ```
#[derive(Debug)]
pub struct JournalReader {
    path: PathBuf,
    reader: BufReader<File>,
    header: Header,
    line_number: u64,
    /// Bytes of complete lines read so far.
    complete_len: u64,
    torn: bool,
    failed: bool,
    buffer: Vec<u8>,
}

/// What reading one line found.
enum RawLine {
    Line,
    End,
    Torn,
}

impl JournalReader {
    /// Opens a journal and reads its header.
    pub fn open(path: impl AsRef<Path>) -> Result<JournalReader, BatchError> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| BatchError::journal_io(&path, e))?;
        let mut reader = JournalReader {
            path,
            reader: BufReader::new(file),
            header: Header {
                version: 0,
                tool_version: String::new(),
                started_at: String::new(),
            },
            line_number: 0,
            complete_len: 0,
            torn: false,
            failed: false,
            buffer: Vec::with_capacity(512),
        };
        match reader.next_raw()? {
            RawLine::Line => {}
            RawLine::End | RawLine::Torn => {
                return Err(reader.corrupt("the journal has no complete header line".into()))
            }
        }
        let header = match serde_json::from_slice::<Line<String>>(&reader.buffer) {
            Ok(Line::Header {
                format,
                version,
                tool_version,
                started_at,
            }) if format == FORMAT => {
                if version != VERSION {
                    return Err(reader.corrupt(format!(
                        "the journal has format version {version}, this tool reads version {VERSION}; use the tool version that wrote it ({tool_version})"
                    )));
                }
                Header {
                    version,
                    tool_version,
                    started_at,
                }
            }
            _ => {
                return Err(reader.corrupt(format!(
                    "the first line is not an {FORMAT} header; is this a journal?"
                )))
            }
        };
        reader.header = header;
        Ok(reader)
    }

    /// The header line.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// True once the reader met a torn last line (and did not return it).
    pub fn torn_tail(&self) -> bool {
        self.torn
    }

    /// Bytes of the complete lines read so far: where a torn tail starts.
    pub(crate) fn complete_len(&self) -> u64 {
        self.complete_len
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn corrupt(&self, reason: String) -> BatchError {
        BatchError::CorruptJournal {
            path: self.path.clone(),
            line: self.line_number,
            reason,
        }
    }

    /// Reads the next line into `self.buffer`, without its newline.
    fn next_raw(&mut self) -> Result<RawLine, BatchError> {
        self.buffer.clear();
        let limit = MAX_LINE as u64 + 1;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buffer)
            .map_err(|e| BatchError::journal_io(&self.path, e))?;
        if n == 0 {
            return Ok(RawLine::End);
        }
        self.line_number += 1;
        if self.buffer.last() != Some(&b'\n') {
            if n as u64 >= limit {
                return Err(self.corrupt(format!("the line is longer than {MAX_LINE} bytes")));
            }
            // No newline and nothing after it: the process died mid-write.
            self.torn = true;
            return Ok(RawLine::Torn);
        }
        self.complete_len += n as u64;
        self.buffer.pop();
        Ok(RawLine::Line)
    }

    fn parse(&self) -> Result<Record, BatchError> {
        let line: Line<String> = serde_json::from_slice(&self.buffer).map_err(|e| {
            self.corrupt(format!(
                "the line is not a journal record ({})",
                printable(&e.to_string())
            ))
        })?;
        match line {
            Line::Header { .. } => Err(self.corrupt("a second header line".into())),
            Line::Resumed { tool_version, at } => Ok(Record::Resumed { tool_version, at }),
            Line::Sent {
                pos,
                vendor,
                product,
                region,
                reference,
                at,
                resumed,
            } => Ok(Record::Sent(SentRecord {
                position: pos,
                intent: self.intent(&vendor, &product, region.as_deref(), &reference)?,
                at,
                resumed,
            })),
            Line::Outcome {
                pos,
                vendor,
                product,
                region,
                reference,
                at,
                result,
                confirmed_by,
                audits,
                error,
                status,
                attempts,
                in_doubt,
            } => {
                let intent = self.intent(&vendor, &product, region.as_deref(), &reference)?;
                let outcome = match result.as_str() {
                    "deleted" => {
                        JournalOutcome::Deleted {
                            confirmed_by: match confirmed_by.as_deref() {
                                Some("response") => ConfirmedBy::Response,
                                Some("absence") => ConfirmedBy::Absence,
                                _ => return Err(self.corrupt(
                                    "a deleted outcome without confirmed_by response or absence"
                                        .into(),
                                )),
                            },
                            audits: audits.unwrap_or(0),
                            attempts,
                        }
                    }
                    "not_found" => JournalOutcome::NotFound { attempts },
                    "failed" => JournalOutcome::Failed {
                        kind: error
                            .as_deref()
                            .and_then(ErrorKind::from_name)
                            .ok_or_else(|| {
                                self.corrupt("a failed outcome without a known error kind".into())
                            })?,
                        status,
                        attempts,
                        in_doubt: in_doubt.unwrap_or(false),
                    },
                    other => {
                        return Err(self.corrupt(format!("unknown result {:?}", bounded(other))))
                    }
                };
                Ok(Record::Outcome(OutcomeRecord {
                    position: pos,
                    intent,
                    at,
                    outcome,
                }))
            }
        }
    }

    fn intent(
        &self,
        vendor: &str,
        product: &str,
        region: Option<&str>,
        reference: &str,
    ) -> Result<DeleteIntent, BatchError> {
        let intent = match (vendor, region) {
            ("jumio", Some(region)) => JumioProduct::from_str(product).and_then(|product| {
                Region::from_str(region).and_then(|region| {
                    DeleteIntent::new(Target::Jumio { product, region }, reference)
                })
            }),
            ("hyperverge", None) if product == "transaction" => DeleteIntent::hyperverge(reference),
            _ => {
                return Err(self.corrupt(format!(
                    "unknown vendor, product and region {:?}/{:?}/{:?}",
                    bounded(vendor),
                    bounded(product),
                    region.map(bounded)
                )))
            }
        };
        intent.map_err(|e| self.corrupt(format!("an invalid item: {e}")))
    }
}

/// A parser's message made safe to show on one line: serde_json quotes
/// values from the damaged line itself (an unknown `event`, for one), which
/// may hold control characters or be as long as the line. Control
/// characters are escaped and the text is cut at 256 characters.
fn printable(message: &str) -> String {
    const SHOWN: usize = 256;
    let mut out = String::with_capacity(message.len().min(SHOWN + 16));
    for (i, c) in message.chars().enumerate() {
        if i == SHOWN {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn bounded(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(64) {
        Some((cut, _)) => Cow::Owned(format!("{}...", &s[..cut])),
        None => Cow::Borrowed(s),
    }
}

impl Iterator for JournalReader {
    type Item = Result<Record, BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = match self.next_raw() {
            Ok(RawLine::End | RawLine::Torn) => return None,
            Ok(RawLine::Line) => self.parse(),
            Err(e) => Err(e),
        };
        self.failed = result.is_err();
        Some(result)
    }
}

/// A 64-bit FNV-1a hash of an item's identity, stable across processes and
/// versions: a resume compares it with the input at each position.
pub(crate) fn identity_hash(intent: &DeleteIntent) -> u64 {
    let target = intent.target();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [
        target.vendor().as_str(),
        target.product_name(),
        target.region().map_or("", Region::as_str),
        intent.reference(),
    ];
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Reads the journal at `path` for a run: `None` when there is none to
/// resume (no file, an empty one, or one cut inside its header line, which
/// a crash before the first record leaves), else its resume state.
pub(crate) fn prepare_resume(path: &Path) -> Result<Option<ResumeState>, BatchError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(BatchError::journal_io(path, e)),
    };
    let mut start = Vec::new();
    (&mut file)
        .take(MAX_LINE as u64)
        .read_to_end(&mut start)
        .map_err(|e| BatchError::journal_io(path, e))?;
    let header_start = br#"{"event":"header","format":"idv-delete-journal""#;
    let cut_in_header = !start.contains(&b'\n')
        && (start.starts_with(header_start) || header_start.starts_with(&start));
    if cut_in_header {
        return Ok(None);
    }
    ResumeState::read(path).map(Some)
}

/// What a journal says about each input position, kept small: one byte of
/// state and one identity hash per position, no strings.
#[derive(Debug, Default)]
pub(crate) struct ResumeState {
    states: Vec<u8>,
    hashes: Vec<u64>,
    /// Whether the journal had a torn last line.
    pub(crate) torn: bool,
    /// Bytes of complete lines (where to cut a torn tail).
    pub(crate) complete_len: u64,
}

/// The state of one position in a journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemState {
    /// No record: run it.
    New,
    /// Sent without an outcome, or failed after an attempt that may have
    /// been applied: re-run it as in doubt (a 404 then confirms it).
    InDoubt,
    /// Its last outcome is a failure that cannot have deleted it: run it
    /// again.
    Retry,
    /// Deleted or not found: skip it.
    Finished,
}

// One byte per position: the latest thing the journal says about it.
const STATE_SENT: u8 = 1;
const STATE_FINISHED: u8 = 2;
const STATE_FAILED: u8 = 3;
const STATE_FAILED_IN_DOUBT: u8 = 4;

impl ResumeState {
    /// Reads a whole journal into the per-position state.
    pub(crate) fn read(path: &Path) -> Result<ResumeState, BatchError> {
        let mut reader = JournalReader::open(path)?;
        let mut state = ResumeState::default();
        let mut records = 0u64;
        while let Some(record) = reader.next() {
            records += 1;
            let (position, intent, next) = match record? {
                Record::Resumed { .. } => continue,
                Record::Sent(r) => (r.position, r.intent, STATE_SENT),
                Record::Outcome(r) => {
                    let next = match r.outcome {
                        JournalOutcome::Failed { in_doubt: true, .. } => STATE_FAILED_IN_DOUBT,
                        JournalOutcome::Failed { .. } => STATE_FAILED,
                        _ => STATE_FINISHED,
                    };
                    (r.position, r.intent, next)
                }
            };
            if position >= records.saturating_add(MAX_POSITION_GAP) {
                return Err(reader.corrupt(format!(
                    "position {position} is far beyond the positions before it"
                )));
            }
            let index = position as usize;
            if index >= state.states.len() {
                state.states.resize(index + 1, 0);
                state.hashes.resize(index + 1, 0);
            }
            let hash = identity_hash(&intent);
            if state.states[index] != 0 && state.hashes[index] != hash {
                return Err(reader.corrupt(format!(
                    "position {position} names another item than an earlier line"
                )));
            }
            // A failed item is run again by a later resume; a deleted or
            // not-found one never is, so nothing may follow its outcome.
            if state.states[index] == STATE_FINISHED {
                return Err(reader.corrupt(format!(
                    "a record for position {position} after its final outcome"
                )));
            }
            // A re-run of an item that failed in doubt stays in doubt until
            // it has a new outcome.
            state.states[index] = match (state.states[index], next) {
                (STATE_FAILED_IN_DOUBT, STATE_SENT) => STATE_FAILED_IN_DOUBT,
                _ => next,
            };
            state.hashes[index] = hash;
        }
        state.torn = reader.torn_tail();
        state.complete_len = reader.complete_len();
        Ok(state)
    }

    /// What to do with the input item at `position`; an error when the
    /// journal names another item there.
    pub(crate) fn state_of(&self, position: u64, intent: &DeleteIntent) -> Result<ItemState, u64> {
        let index = position as usize;
        match self.states.get(index) {
            None | Some(0) => Ok(ItemState::New),
            Some(&state) => {
                if self.hashes[index] != identity_hash(intent) {
                    return Err(position);
                }
                Ok(match state {
                    STATE_FINISHED => ItemState::Finished,
                    STATE_FAILED => ItemState::Retry,
                    _ => ItemState::InDoubt,
                })
            }
        }
    }

    /// Number of positions the journal covers (one past the highest).
    pub(crate) fn positions(&self) -> u64 {
        self.states.len() as u64
    }
}

/// The group-commit writer: workers append records to a shared buffer; a
/// writer thread writes everything pending in one `write` and, when a
/// `sent` record is among it, one `fsync`, then wakes the workers whose
/// records are now durable.
pub(crate) struct JournalWriter {
    path: PathBuf,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<WriterState>,
    /// Wakes the writer thread.
    work: Condvar,
    /// Wakes workers waiting for durability.
    durable: Condvar,
}

#[derive(Default)]
struct WriterState {
    pending: Vec<u8>,
    /// Sequence number of the last record appended.
    appended: u64,
    /// Every record up to this sequence number is written (and, if it
    /// was a `sent`, fsynced).
    durable: u64,
    sync_wanted: bool,
    closing: bool,
    failed: Option<(io::ErrorKind, String)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, WriterState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl JournalWriter {
    /// Creates a new journal at `path` (which must not exist, or be empty)
    /// or opens an existing one to resume (`resume` given: its torn tail is
    /// cut first), and writes the header or a `resumed` record.
    pub(crate) fn open(
        path: &Path,
        resume: Option<&ResumeState>,
    ) -> Result<JournalWriter, BatchError> {
        let io_error = |e| BatchError::journal_io(path, e);
        let tool_version = env!("CARGO_PKG_VERSION");
        let now = crate::time::now_rfc3339();
        let (file, first) = match resume {
            Some(state) => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(io_error)?;
                if state.torn {
                    file.set_len(state.complete_len).map_err(io_error)?;
                }
                let first = line_bytes(&Line::Resumed {
                    tool_version,
                    at: now.as_str(),
                });
                (file, first)
            }
            None => {
                let file = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(path)
                    .map_err(io_error)?;
                (file, header_line(tool_version, &now))
            }
        };
        let mut file = file;
        use std::io::Seek;
        file.seek(io::SeekFrom::End(0)).map_err(io_error)?;
        file.write_all(&first).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        sync_parent_dir(path);
        let shared = Arc::new(Shared {
            state: Mutex::new(WriterState::default()),
            work: Condvar::new(),
            durable: Condvar::new(),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("idv-delete-journal".into())
                .spawn(move || write_loop(file, &shared))
                .map_err(io_error)?
        };
        Ok(JournalWriter {
            path: path.to_path_buf(),
            shared,
            thread: Some(thread),
        })
    }

    /// Appends a `sent` record and waits until it is durable.
    pub(crate) fn append_durable(&self, line: &[u8]) -> Result<(), BatchError> {
        let mut state = self.shared.lock();
        let seq = self.push(&mut state, line, true)?;
        while state.durable < seq && state.failed.is_none() {
            state = self
                .shared
                .durable
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        self.check(&state)
    }

    /// Appends a record without waiting for it to be durable.
    pub(crate) fn append(&self, line: &[u8]) -> Result<(), BatchError> {
        let mut state = self.shared.lock();
        self.push(&mut state, line, false).map(|_| ())
    }

    fn push(&self, state: &mut WriterState, line: &[u8], sync: bool) -> Result<u64, BatchError> {
        self.check(state)?;
        state.pending.extend_from_slice(line);
        state.appended += 1;
        state.sync_wanted |= sync;
        self.shared.work.notify_one();
        Ok(state.appended)
    }

    fn check(&self, state: &WriterState) -> Result<(), BatchError> {
        match &state.failed {
            None => Ok(()),
            Some((kind, message)) => Err(BatchError::journal_io(
                &self.path,
                io::Error::new(*kind, message.clone()),
            )),
        }
    }

    /// Writes and fsyncs everything pending, stops the writer thread.
    pub(crate) fn close(mut self) -> Result<(), BatchError> {
        self.stop();
        let state = self.shared.lock();
        self.check(&state)
    }

    fn stop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.work.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_loop(mut file: File, shared: &Shared) {
    let mut batch = Vec::new();
    loop {
        let (upto, sync) = {
            let mut state = shared.lock();
            while state.pending.is_empty() && !state.closing {
                state = shared
                    .work
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if state.pending.is_empty() {
                // Closing with nothing pending: make the outcomes durable too.
                if let Err(e) = file.sync_data() {
                    state.failed = Some((e.kind(), e.to_string()));
                }
                shared.durable.notify_all();
                return;
            }
            std::mem::swap(&mut batch, &mut state.pending);
            let sync = std::mem::take(&mut state.sync_wanted);
            (state.appended, sync)
        };
        let result = file
            .write_all(&batch)
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        batch.clear();
        let mut state = shared.lock();
        match result {
            Ok(()) => state.durable = upto,
            Err(e) => {
                state.failed = Some((e.kind(), e.to_string()));
                shared.durable.notify_all();
                return;
            }
        }
        shared.durable.notify_all();
    }
}

/// Makes a new journal's directory entry durable too (best effort: not
/// every platform can open a directory).
fn sync_parent_dir(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_hash_tells_items_apart() {
        let a = DeleteIntent::jumio(JumioProduct::IdVerification, Region::Eu, "abc").unwrap();
        let b = DeleteIntent::jumio(JumioProduct::IdVerification, Region::Us, "abc").unwrap();
        let c = DeleteIntent::hyperverge("abc").unwrap();
        assert_ne!(identity_hash(&a), identity_hash(&b));
        assert_ne!(identity_hash(&a), identity_hash(&c));
        assert_eq!(identity_hash(&a), identity_hash(&a.clone()));
    }

    /// Found by the `journal` fuzz target: serde_json's message quoted the
    /// unknown event name raw, so a damaged line put control characters (a
    /// DEL, or a newline from a `\n` escape) and kilobytes of text into
    /// the error.
    #[test]
    fn a_damaged_line_gives_a_bounded_one_line_error() {
        let header = header_line("0.1.0", "2025-06-01T09:00:00.000Z");
        let long = "x".repeat(10_000);
        for (name, damaged) in [
            ("del", "{\"event\":\"outc\u{7f}me\",\"pos\":0}".to_owned()),
            ("newline", r#"{"event":"forged\nline","pos":0}"#.to_owned()),
            ("long", format!(r#"{{"event":"{long}","pos":0}}"#)),
        ] {
            let path = std::env::temp_dir().join(format!(
                "idv-delete-journal-{}-{name}.jsonl",
                std::process::id()
            ));
            let mut bytes = header.clone();
            bytes.extend_from_slice(damaged.as_bytes());
            bytes.push(b'\n');
            std::fs::write(&path, &bytes).unwrap();
            let mut reader = JournalReader::open(&path).unwrap();
            let error = reader.next().unwrap().unwrap_err();
            let _ = std::fs::remove_file(&path);
            let BatchError::CorruptJournal { line, reason, .. } = &error else {
                panic!("{name}: {error}");
            };
            assert_eq!(*line, 2, "{name}");
            assert!(reason.contains("not a journal record"), "{name}: {reason}");
            assert!(!reason.chars().any(char::is_control), "{name}: {reason:?}");
            assert!(reason.len() <= 1024, "{name}: {} bytes", reason.len());
            assert!(!error.to_string().chars().any(char::is_control), "{name}");
        }
    }

    #[test]
    fn lines_round_trip() {
        let intent = DeleteIntent::hyperverge("id \"quoted\" ü").unwrap();
        let outcome = JournalOutcome::Failed {
            kind: ErrorKind::Server,
            status: Some(503),
            attempts: 4,
            in_doubt: true,
        };
        let line = outcome_line(7, &intent, "2025-01-01T00:00:00.000Z", &outcome);
        let parsed: Line<String> = serde_json::from_slice(&line).unwrap();
        assert!(matches!(parsed, Line::Outcome { pos: 7, .. }));
    }
}
