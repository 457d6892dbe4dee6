//! The record format: what each line of a journal holds, as Rust values,
//! and the bytes written for them. Reading is in `reader`, the meaning of
//! a sequence of records in `replay`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use idv_delete_core::{ConfirmedBy, DeleteError, DeleteIntent, Erasure, ErrorKind};
use serde::{Deserialize, Serialize};

/// The `format` of a journal header.
pub const FORMAT: &str = "idv-delete-journal";
/// The journal format version this crate writes and reads.
pub const VERSION: u32 = 2;
/// Longest line a reader accepts; real lines are a few hundred bytes.
pub(crate) const MAX_LINE: usize = 16 * 1024;
/// The hash chain a header declares in its `chaining` field: every line
/// ends with `,"chain":"<hex>"}`, the SHA-256 of the previous line's chain
/// (32 raw bytes; 32 zero bytes for the header) followed by the line's
/// canonical bytes. Journals whose header has no `chaining` are unchained
/// (written before the chain existed) and read as before.
pub const CHAIN_V1: &str = "sha256-v1";
/// The fixed-length end of a chained line (newline excluded):
/// `,"chain":"` + 64 hex digits + `"}`.
pub(crate) const CHAIN_SUFFIX_LEN: usize = 10 + 64 + 2;
const CHAIN_PREFIX: &[u8] = b",\"chain\":\"";

/// A chain value: SHA-256, 32 bytes.
pub(crate) type ChainValue = [u8; 32];

/// The chain value of a line: SHA-256 over `previous` (32 raw bytes) and
/// the line's canonical bytes.
///
/// The canonical bytes of a line are the line as written without its
/// newline and without its chain suffix, closed by `}`: the record as
/// serialised, the chain being appended as the last key. A reader strips
/// the last [`CHAIN_SUFFIX_LEN`] bytes, appends `}` and recomputes, so the
/// chain covers the bytes as they are in the file, not a re-serialisation.
pub(crate) fn chain_value(previous: &ChainValue, canonical: &[u8]) -> ChainValue {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(canonical);
    hasher.finalize().into()
}

/// Where a chained line (without newline) has its chain suffix, and the
/// chain value it states; `None` when it has no well-formed suffix. Its
/// canonical bytes are the line up to that point followed by `}`.
pub(crate) fn split_chained(line: &[u8]) -> Option<(usize, ChainValue)> {
    let cut = line.len().checked_sub(CHAIN_SUFFIX_LEN)?;
    let suffix = &line[cut..];
    if !suffix.starts_with(CHAIN_PREFIX) || !suffix.ends_with(b"\"}") {
        return None;
    }
    let hex = &suffix[CHAIN_PREFIX.len()..CHAIN_PREFIX.len() + 64];
    let mut value = [0u8; 32];
    // Every line is decoded: one table lookup per digit, and one check at
    // the end (a digit's value is below 16, NOT_HEX is not).
    let mut seen = 0u8;
    for (i, byte) in value.iter_mut().enumerate() {
        let (high, low) = (
            HEX[usize::from(hex[2 * i])],
            HEX[usize::from(hex[2 * i + 1])],
        );
        seen |= high | low;
        *byte = (high << 4) | low;
    }
    (seen & 0xf0 == 0).then_some((cut, value))
}

/// Not a lowercase hex digit, in [`HEX`].
const NOT_HEX: u8 = 0xff;

/// The value of each lowercase hex digit by byte; [`NOT_HEX`] for the rest.
static HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Lowercase hex of a chain value.
pub(crate) fn chain_hex(value: &ChainValue) -> String {
    crate::identity::Hex(value).to_string()
}

/// The writing end of a chain: turns canonical bytes into the line
/// written, and keeps the last chain value. `None` continues an unchained
/// journal unchained.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chainer(pub(crate) Option<ChainValue>);

impl Chainer {
    /// A chain about to start with a header.
    pub(crate) fn start() -> Chainer {
        Chainer(Some([0; 32]))
    }

    /// The line to write for `canonical` (a record's JSON object, as
    /// [`encode`] gives it), newline included.
    pub(crate) fn seal(&mut self, mut canonical: Vec<u8>) -> Vec<u8> {
        if let Some(previous) = &mut self.0 {
            let value = chain_value(previous, &canonical);
            *previous = value;
            // The canonical bytes end with the object's `}`: the chain is
            // appended as its last key.
            canonical.pop();
            canonical.extend_from_slice(CHAIN_PREFIX);
            canonical.extend_from_slice(chain_hex(&value).as_bytes());
            canonical.extend_from_slice(b"\"}");
        }
        canonical.push(b'\n');
        canonical
    }
}

/// The first line of a journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// When the journal was created (RFC 3339 UTC).
    pub created_at: String,
}

/// One record after the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A run (the first, or a resume) started.
    Run(RunRecord),
    /// An item was about to be sent (durable before its request left).
    Sent(SentRecord),
    /// An item repeats an earlier one of the same input: it is not sent.
    Duplicate(DuplicateRecord),
    /// An item finished.
    Outcome(OutcomeRecord),
    /// The current run ended.
    End(EndRecord),
    /// The journal was salvaged after damage.
    Salvaged(SalvagedRecord),
}

/// The start of a run: who wrote what follows, for which input, and where
/// its requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// The run's number, from 1.
    pub run: u32,
    /// When it started (RFC 3339 UTC).
    pub at: String,
    /// The version of the tool that ran it.
    pub tool_version: String,
    /// The process id of the run.
    pub pid: u32,
    /// The input, when the caller declared it before the run (the CLI
    /// does, from its check of the whole CSV).
    pub input: Option<InputSummary>,
    /// Where each configured vendor's requests go, by vendor name:
    /// `documented` (the vendor's documented hosts) or a base URL.
    pub endpoints: BTreeMap<String, String>,
    /// Who ran it, where, and with which accounts; `None` in journals
    /// written before runs recorded it.
    pub custody: Option<Custody>,
}

/// A run's chain of custody: who ran it, on which machine, and which
/// vendor accounts it used, so two runs can be tied to the same account.
/// Never a secret: an account is named by a fingerprint of its credential's
/// public identifier only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Custody {
    /// The operating-system user that ran it, if known.
    pub user: Option<String>,
    /// The machine's host name, if known.
    pub host: Option<String>,
    /// By vendor name: the fingerprint of the configured credential's
    /// public identifier (Jumio's API token, the Jumio Platform's client
    /// id, HyperVerge's app id, Veriff's API key), or `None` for a vendor
    /// whose credential is a secret alone (Onfido, Persona, Stripe), which
    /// is never fingerprinted.
    pub credentials: BTreeMap<String, Option<String>>,
}

/// What the vendor's answer said that proves an outcome, beyond the
/// result itself. Every field is as the vendor sent it, bounded; empty
/// when the outcome came from no answer (a transport failure, an item
/// refused before sending) or from a journal written before evidence was
/// kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The answer's `Date` header.
    pub date: Option<String>,
    /// The vendor's request or correlation id, from the answer's headers.
    pub request_id: Option<String>,
    /// The audit ids the vendor reported erased (HyperVerge's
    /// `deletedAudits`), bounded.
    pub audit_ids: Vec<String>,
    /// The vendor's own state of the erasure (Stripe's
    /// `redaction.status`).
    pub vendor_status: Option<String>,
}

/// Most audit ids an outcome line keeps; with each id cut to
/// [`idv_delete_core::MAX_EVIDENCE_VALUE`] bytes, a line stays far below the
/// reader's line limit whatever the vendor sends.
pub const MAX_AUDIT_IDS: usize = 16;

impl Evidence {
    /// True when it holds nothing (it is then not written).
    pub fn is_empty(&self) -> bool {
        self == &Evidence::default()
    }

    /// The evidence of a deletion's result: the deciding answer's `Date`
    /// and request id (none for a failure without an answer), the first
    /// [`MAX_AUDIT_IDS`] audit ids of a deletion, the vendor's status of a
    /// scheduled erasure; every value cut to
    /// [`idv_delete_core::MAX_EVIDENCE_VALUE`] bytes.
    pub fn from_result(result: &Result<Erasure, DeleteError>) -> Evidence {
        let answer = match result {
            Ok(erasure) => erasure.evidence(),
            Err(error) => error.evidence(),
        };
        let mut evidence = Evidence {
            date: answer.and_then(|a| a.date.clone()),
            request_id: answer.and_then(|a| a.request_id.clone()),
            ..Evidence::default()
        };
        match result {
            Ok(Erasure::Deleted(deleted)) => {
                evidence.audit_ids = deleted
                    .audits
                    .iter()
                    .take(MAX_AUDIT_IDS)
                    .map(|id| cut(id))
                    .collect();
            }
            Ok(Erasure::Scheduled(scheduled)) => {
                evidence.vendor_status = scheduled.vendor_status.as_deref().map(cut);
            }
            Err(_) => {}
        }
        evidence
    }
}

/// At most [`idv_delete_core::MAX_EVIDENCE_VALUE`] bytes of `text`, cut at
/// a character boundary (the core already removed control characters).
fn cut(text: &str) -> String {
    let mut end = text.len().min(idv_delete_core::MAX_EVIDENCE_VALUE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// An input as a journal records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSummary {
    /// Where the input came from (a file name, "standard input", a
    /// caller's label).
    pub source: String,
    /// Its number of items.
    pub items: u64,
    /// SHA-256 of its items' identities in order (see
    /// [`InputDigest`](crate::InputDigest)), lowercase hex.
    pub sha256: String,
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

/// A `duplicate` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRecord {
    /// Position of the repeated item in the input, from 0.
    pub position: u64,
    /// Position of its first occurrence; its outcome is this item's too.
    pub of: u64,
    /// The item.
    pub intent: DeleteIntent,
    /// When (RFC 3339 UTC).
    pub at: String,
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
    /// What the vendor's answer said that proves it.
    pub evidence: Evidence,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// The input was read to its end and every item sent finished.
    Finished,
    /// Stopped on request (Ctrl-C, SIGTERM, a cancel call) before the input
    /// ended; items in flight finished or were journaled as cancelled.
    Cancelled,
    /// Stopped by an error, which it names.
    Failed(String),
}

impl RunEnd {
    /// The stable name: `finished`, `cancelled` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RunEnd::Finished => "finished",
            RunEnd::Cancelled => "cancelled",
            RunEnd::Failed(_) => "failed",
        }
    }
}

/// An `end` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndRecord {
    /// The run's number.
    pub run: u32,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// How it ended.
    pub how: RunEnd,
    /// Items read from the input in this run.
    pub items: u64,
    /// SHA-256 of the items read (see [`InputSummary::sha256`]), when the
    /// input was read to its end.
    pub sha256: Option<String>,
}

/// A `salvaged` record: a damaged journal was rewritten with its readable
/// records; the original was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalvagedRecord {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Where the damaged original was kept.
    pub original: String,
    /// Lines of the original that were dropped.
    pub dropped_lines: u64,
    /// Every position below this one that has no final outcome is in doubt
    /// from here on: a dropped line may have been its `sent` record.
    pub in_doubt_below: u64,
}

/// How an item ended, as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalOutcome {
    /// The vendor no longer holds it.
    Deleted {
        /// How the deletion was confirmed.
        confirmed_by: ConfirmedBy,
        /// Audit ids the vendor reported deleted.
        audits: u32,
        /// The HTTP status of the confirming answer (`None` in journals
        /// written before it was kept).
        status: Option<u16>,
        /// Requests sent.
        attempts: u32,
    },
    /// The vendor accepted the erasure and completes it later; never a
    /// deletion.
    Scheduled {
        /// The longest the vendor documents for completing it, in seconds.
        within_secs: Option<u64>,
        /// The vendor's own date for the completion (Onfido's `delete_at`,
        /// learnt by a recheck), as it wrote it.
        until: Option<String>,
        /// The HTTP status of the accepting answer (`None` in journals
        /// written before it was kept).
        status: Option<u16>,
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
    /// Requests sent for the item.
    pub fn attempts(&self) -> u32 {
        match self {
            JournalOutcome::Deleted { attempts, .. }
            | JournalOutcome::Scheduled { attempts, .. }
            | JournalOutcome::NotFound { attempts }
            | JournalOutcome::Failed { attempts, .. } => *attempts,
        }
    }

    /// The journal form of a deletion's result.
    pub fn from_result(result: &Result<Erasure, DeleteError>) -> JournalOutcome {
        match result {
            Ok(Erasure::Deleted(deleted)) => JournalOutcome::Deleted {
                confirmed_by: deleted.confirmed_by,
                audits: u32::try_from(deleted.audits.len()).unwrap_or(u32::MAX),
                status: deleted.evidence.as_ref().map(|e| e.status),
                attempts: deleted.attempts,
            },
            Ok(Erasure::Scheduled(scheduled)) => JournalOutcome::Scheduled {
                within_secs: scheduled.within.map(|w| w.as_secs()),
                until: scheduled.until.clone(),
                status: scheduled.evidence.as_ref().map(|e| e.status),
                attempts: scheduled.attempts,
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

/// The declared input, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputLine<S> {
    pub(crate) source: S,
    pub(crate) items: u64,
    pub(crate) sha256: S,
}

/// A run's custody, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustodyLine<S: Ord> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) host: Option<S>,
    pub(crate) credentials: BTreeMap<S, Option<S>>,
}

/// An outcome's evidence, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceLine<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) date: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<S>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) audit_ids: Vec<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vendor_status: Option<S>,
}

/// One line as written and read. `S` is `&str` when writing, `String`
/// when reading.
#[derive(Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Line<S: Ord> {
    Header {
        format: S,
        version: u32,
        created_at: S,
        /// The hash chain ([`CHAIN_V1`]); absent in unchained journals.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chaining: Option<S>,
    },
    Run {
        run: u32,
        at: S,
        tool_version: S,
        pid: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input: Option<InputLine<S>>,
        endpoints: BTreeMap<S, S>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custody: Option<CustodyLine<S>>,
    },
    Sent {
        pos: u64,
        vendor: S,
        product: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<S>,
        #[serde(rename = "ref")]
        reference: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<S>,
        at: S,
        #[serde(default, skip_serializing_if = "is_false")]
        resumed: bool,
    },
    Duplicate {
        pos: u64,
        of: u64,
        vendor: S,
        product: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<S>,
        #[serde(rename = "ref")]
        reference: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<S>,
        at: S,
    },
    Outcome {
        pos: u64,
        vendor: S,
        product: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<S>,
        #[serde(rename = "ref")]
        reference: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<S>,
        at: S,
        result: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmed_by: Option<S>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audits: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_secs: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<S>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<S>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        attempts: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_doubt: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<EvidenceLine<S>>,
    },
    End {
        run: u32,
        at: S,
        how: S,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<S>,
        items: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<S>,
    },
    Salvaged {
        at: S,
        original: S,
        dropped_lines: u64,
        in_doubt_below: u64,
    },
}

/// Every field any record has, as a line is read: one flat struct whose
/// strings borrow from the line where they can. Deserialising [`Line`]
/// itself (internally tagged) buffers every value before it knows the
/// variant, which made reading a journal a third slower; this reads each
/// value once, and [`ReadFields::into_line`] checks what the `event` needs.
///
/// A field no record has is refused, not skipped: serde skips a value
/// without checking its strings (invalid UTF-8, a lone surrogate), and a
/// line the reader accepts must be JSON throughout.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReadFields<'a> {
    #[serde(borrow)]
    event: Cow<'a, str>,
    #[serde(borrow, default)]
    format: Option<Cow<'a, str>>,
    #[serde(default)]
    version: Option<u32>,
    #[serde(borrow, default)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    chaining: Option<Cow<'a, str>>,
    #[serde(default)]
    run: Option<u32>,
    #[serde(borrow, default)]
    at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    tool_version: Option<Cow<'a, str>>,
    #[serde(default)]
    pid: Option<u32>,
    #[serde(default)]
    input: Option<InputLine<String>>,
    #[serde(default)]
    endpoints: Option<BTreeMap<String, String>>,
    #[serde(default)]
    custody: Option<CustodyLine<String>>,
    #[serde(default)]
    pos: Option<u64>,
    #[serde(default)]
    of: Option<u64>,
    #[serde(borrow, default)]
    vendor: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    product: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    region: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "ref")]
    reference: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subject: Option<Cow<'a, str>>,
    #[serde(default)]
    resumed: Option<bool>,
    #[serde(borrow, default)]
    result: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    confirmed_by: Option<Cow<'a, str>>,
    #[serde(default)]
    audits: Option<u32>,
    #[serde(default)]
    within_secs: Option<u64>,
    #[serde(borrow, default)]
    until: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error: Option<Cow<'a, str>>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    attempts: Option<u32>,
    #[serde(default)]
    in_doubt: Option<bool>,
    #[serde(default)]
    evidence: Option<EvidenceLine<String>>,
    #[serde(borrow, default)]
    how: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    why: Option<Cow<'a, str>>,
    #[serde(default)]
    items: Option<u64>,
    #[serde(borrow, default)]
    sha256: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    original: Option<Cow<'a, str>>,
    #[serde(default)]
    dropped_lines: Option<u64>,
    #[serde(default)]
    in_doubt_below: Option<u64>,
}

/// A required field, or the error naming it.
fn required<T>(value: Option<T>, name: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{name}`"))
}

fn owned(value: Option<Cow<'_, str>>) -> Option<String> {
    value.map(Cow::into_owned)
}

impl ReadFields<'_> {
    /// The record these fields make; the error names a missing field or
    /// an unknown event.
    pub(crate) fn into_line(self) -> Result<Line<String>, String> {
        let f = self;
        let text = |value: Option<Cow<'_, str>>, name: &str| required(owned(value), name);
        Ok(match &*f.event {
            "header" => Line::Header {
                format: text(f.format, "format")?,
                version: required(f.version, "version")?,
                created_at: text(f.created_at, "created_at")?,
                chaining: owned(f.chaining),
            },
            "run" => Line::Run {
                run: required(f.run, "run")?,
                at: text(f.at, "at")?,
                tool_version: text(f.tool_version, "tool_version")?,
                pid: required(f.pid, "pid")?,
                input: f.input,
                endpoints: required(f.endpoints, "endpoints")?,
                custody: f.custody,
            },
            "sent" => Line::Sent {
                pos: required(f.pos, "pos")?,
                vendor: text(f.vendor, "vendor")?,
                product: text(f.product, "product")?,
                region: owned(f.region),
                reference: text(f.reference, "ref")?,
                subject: owned(f.subject),
                at: text(f.at, "at")?,
                resumed: f.resumed.unwrap_or(false),
            },
            "duplicate" => Line::Duplicate {
                pos: required(f.pos, "pos")?,
                of: required(f.of, "of")?,
                vendor: text(f.vendor, "vendor")?,
                product: text(f.product, "product")?,
                region: owned(f.region),
                reference: text(f.reference, "ref")?,
                subject: owned(f.subject),
                at: text(f.at, "at")?,
            },
            "outcome" => Line::Outcome {
                pos: required(f.pos, "pos")?,
                vendor: text(f.vendor, "vendor")?,
                product: text(f.product, "product")?,
                region: owned(f.region),
                reference: text(f.reference, "ref")?,
                subject: owned(f.subject),
                at: text(f.at, "at")?,
                result: text(f.result, "result")?,
                confirmed_by: owned(f.confirmed_by),
                audits: f.audits,
                within_secs: f.within_secs,
                until: owned(f.until),
                error: owned(f.error),
                status: f.status,
                attempts: required(f.attempts, "attempts")?,
                in_doubt: f.in_doubt,
                evidence: f.evidence,
            },
            "end" => Line::End {
                run: required(f.run, "run")?,
                at: text(f.at, "at")?,
                how: text(f.how, "how")?,
                why: owned(f.why),
                items: required(f.items, "items")?,
                sha256: owned(f.sha256),
            },
            "salvaged" => Line::Salvaged {
                at: text(f.at, "at")?,
                original: text(f.original, "original")?,
                dropped_lines: required(f.dropped_lines, "dropped_lines")?,
                in_doubt_below: required(f.in_doubt_below, "in_doubt_below")?,
            },
            other => return Err(format!("unknown event `{other}`")),
        })
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The canonical bytes of a line: its JSON object, no chain, no newline.
fn line_bytes<S: Serialize + Ord>(line: &Line<S>) -> Vec<u8> {
    // Serialising plain strings, numbers and string maps cannot fail.
    serde_json::to_vec(line).unwrap_or_default()
}

/// The fields naming an item: vendor, product, region, reference (its
/// identity) and subject.
type Naming<'a> = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'a str,
    Option<&'a str>,
);

fn naming(intent: &DeleteIntent) -> Naming<'_> {
    let target = intent.target();
    (
        target.vendor().as_str(),
        target.product_name(),
        target.region_name(),
        intent.reference(),
        intent.subject(),
    )
}

/// The canonical bytes of `record` (no chain, no newline): seal them with
/// a [`Chainer`] to get the line written.
pub(crate) fn encode(record: &Record) -> Vec<u8> {
    match record {
        Record::Run(r) => line_bytes(&Line::Run {
            run: r.run,
            at: r.at.as_str(),
            tool_version: r.tool_version.as_str(),
            pid: r.pid,
            input: r.input.as_ref().map(|i| InputLine {
                source: i.source.as_str(),
                items: i.items,
                sha256: i.sha256.as_str(),
            }),
            endpoints: r
                .endpoints
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            custody: r.custody.as_ref().map(|c| CustodyLine {
                user: c.user.as_deref(),
                host: c.host.as_deref(),
                credentials: c
                    .credentials
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_deref()))
                    .collect(),
            }),
        }),
        Record::Sent(r) => {
            let (vendor, product, region, reference, subject) = naming(&r.intent);
            line_bytes(&Line::Sent {
                pos: r.position,
                vendor,
                product,
                region,
                reference,
                subject,
                at: r.at.as_str(),
                resumed: r.resumed,
            })
        }
        Record::Duplicate(r) => {
            let (vendor, product, region, reference, subject) = naming(&r.intent);
            line_bytes(&Line::Duplicate {
                pos: r.position,
                of: r.of,
                vendor,
                product,
                region,
                reference,
                subject,
                at: r.at.as_str(),
            })
        }
        Record::Outcome(r) => outcome_bytes(r),
        Record::End(r) => line_bytes(&Line::End {
            run: r.run,
            at: r.at.as_str(),
            how: r.how.as_str(),
            why: match &r.how {
                RunEnd::Failed(why) => Some(why.as_str()),
                _ => None,
            },
            items: r.items,
            sha256: r.sha256.as_deref(),
        }),
        Record::Salvaged(r) => line_bytes(&Line::Salvaged {
            at: r.at.as_str(),
            original: r.original.as_str(),
            dropped_lines: r.dropped_lines,
            in_doubt_below: r.in_doubt_below,
        }),
    }
}

/// The canonical bytes of the header line; `chained` declares
/// [`CHAIN_V1`] (false only to keep writing an unchained journal).
pub(crate) fn encode_header(created_at: &str, chained: bool) -> Vec<u8> {
    line_bytes(&Line::Header {
        format: FORMAT,
        version: VERSION,
        created_at,
        chaining: chained.then_some(CHAIN_V1),
    })
}

fn outcome_bytes(r: &OutcomeRecord) -> Vec<u8> {
    let (vendor, product, region, reference, subject) = naming(&r.intent);
    let (result, confirmed_by, audits, within_secs, error, status, attempts, in_doubt) =
        match &r.outcome {
            JournalOutcome::Deleted {
                confirmed_by,
                audits,
                status,
                attempts,
            } => (
                "deleted",
                Some(confirmed_by.as_str()),
                Some(*audits),
                None,
                None,
                *status,
                *attempts,
                None,
            ),
            JournalOutcome::Scheduled {
                within_secs,
                status,
                attempts,
                ..
            } => (
                "scheduled",
                None,
                None,
                *within_secs,
                None,
                *status,
                *attempts,
                None,
            ),
            JournalOutcome::NotFound { attempts } => (
                "not_found",
                None,
                None,
                None,
                None,
                Some(404),
                *attempts,
                None,
            ),
            JournalOutcome::Failed {
                kind,
                status,
                attempts,
                in_doubt,
            } => (
                "failed",
                None,
                None,
                None,
                Some(kind.as_str()),
                *status,
                *attempts,
                Some(*in_doubt),
            ),
        };
    line_bytes(&Line::Outcome {
        pos: r.position,
        vendor,
        product,
        region,
        reference,
        subject,
        at: r.at.as_str(),
        result,
        confirmed_by,
        audits,
        within_secs,
        until: match &r.outcome {
            JournalOutcome::Scheduled { until, .. } => until.as_deref(),
            _ => None,
        },
        error,
        status,
        attempts,
        in_doubt,
        evidence: (!r.evidence.is_empty()).then(|| EvidenceLine {
            date: r.evidence.date.as_deref(),
            request_id: r.evidence.request_id.as_deref(),
            audit_ids: r.evidence.audit_ids.iter().map(String::as_str).collect(),
            vendor_status: r.evidence.vendor_status.as_deref(),
        }),
    })
}
