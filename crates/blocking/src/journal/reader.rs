//! Reading a journal record by record, streaming: memory does not grow
//! with its size.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use idv_delete_core::{ConfirmedBy, DeleteIntent, ErrorKind, Target};

use super::format::{
    chain_value, split_chained, ChainValue, Custody, DuplicateRecord, EndRecord, Evidence, Header,
    InputSummary, JournalOutcome, Line, OutcomeRecord, ReadFields, Record, RunEnd, RunRecord,
    SalvagedRecord, SentRecord, CHAIN_V1, FORMAT, MAX_LINE, VERSION,
};
use super::JournalError;

/// What a torn last line (the process died while writing it) was, as far
/// as its first bytes tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TornTail {
    /// A `sent` record: never made durable, so its request never left.
    Sent,
    /// An `outcome` record: the item's answer is lost, so the item is in
    /// doubt (its `sent` record is durable).
    Outcome,
    /// An `end` record: the run counts as unfinished.
    End,
    /// The header itself (or the file is empty): a crash while the journal
    /// was created, before any run started.
    Header,
    /// Another record, or too little of it to tell.
    Other,
}

impl TornTail {
    fn of(bytes: &[u8]) -> TornTail {
        let starts = |event: &str| bytes.starts_with(format!(r#"{{"event":"{event}""#).as_bytes());
        if starts("sent") {
            TornTail::Sent
        } else if starts("outcome") {
            TornTail::Outcome
        } else if starts("end") {
            TornTail::End
        } else {
            TornTail::Other
        }
    }

    /// What the torn line means, for people.
    pub fn explain(self) -> &'static str {
        match self {
            TornTail::Sent => {
                "the last line, a sent record, was torn by a crash while it was written; it was never made durable, so its request never left"
            }
            TornTail::Outcome => {
                "the last line, an outcome record, was torn by a crash while it was written; the item's answer is lost, so the item is in doubt and a resume sends it again (a 404 then confirms the deletion)"
            }
            TornTail::End => {
                "the last line, the run's end record, was torn by a crash while it was written; the run counts as unfinished"
            }
            TornTail::Header => {
                "the journal was cut inside its header line by a crash while it was created; no run started and no request was sent"
            }
            TornTail::Other => {
                "the last line was torn by a crash while it was written; it holds no item's record"
            }
        }
    }
}

/// Reads a journal record by record.
///
/// A torn last line (no final newline) is not returned;
/// [`JournalReader::torn_tail`] tells what it was. Any other line that
/// cannot be read is an error naming its number, and ends the reading.
///
/// ```no_run
/// use idv_delete_blocking::journal::{JournalOutcome, JournalReader, Record};
///
/// let mut reader = JournalReader::open("deletions.journal")?;
/// println!("journal created at {}", reader.header().created_at);
/// for record in &mut reader {
///     if let Record::Outcome(outcome) = record? {
///         if let JournalOutcome::Deleted { confirmed_by, .. } = outcome.outcome {
///             println!("{} deleted at {} ({})", outcome.intent, outcome.at, confirmed_by.as_str());
///         }
///     }
/// }
/// # Ok::<(), idv_delete_blocking::journal::JournalError>(())
/// ```
#[derive(Debug)]
pub struct JournalReader {
    path: PathBuf,
    reader: BufReader<File>,
    header: Header,
    line_number: u64,
    /// Bytes of complete lines read so far.
    complete_len: u64,
    torn: Option<TornTail>,
    failed: bool,
    buffer: Vec<u8>,
    /// The chain value of the last complete line; `None` for an unchained
    /// journal (its header declares no `chaining`).
    chain: Option<ChainValue>,
    /// The last line was unreadable and stated no chain: its chain value
    /// is lost, so the next line's cannot be checked and is taken as
    /// stated (only a lenient reading, a salvage, gets past that line).
    resync: bool,
}

/// What reading one line found.
enum RawLine {
    Line,
    End,
    Torn,
}

impl JournalReader {
    /// Whether the file at `path` is empty or holds only the start of a
    /// header line: a crash while the journal was created.
    pub(crate) fn torn_in_header(path: &Path) -> Result<bool, JournalError> {
        let mut start = Vec::new();
        File::open(path)
            .and_then(|file| file.take(512).read_to_end(&mut start))
            .map_err(|e| JournalError::io(path, e))?;
        let header_start = format!(r#"{{"event":"header","format":"{FORMAT}""#);
        let header_start = header_start.as_bytes();
        Ok(!start.contains(&b'\n')
            && (start.starts_with(header_start) || header_start.starts_with(&start)))
    }

    /// Opens a journal and reads its header.
    pub fn open(path: impl AsRef<Path>) -> Result<JournalReader, JournalError> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| JournalError::io(&path, e))?;
        let mut reader = JournalReader {
            path,
            reader: BufReader::new(file),
            header: Header {
                version: 0,
                created_at: String::new(),
            },
            line_number: 0,
            complete_len: 0,
            torn: None,
            failed: false,
            buffer: Vec::with_capacity(512),
            chain: None,
            resync: false,
        };
        match reader.next_raw()? {
            RawLine::Line => {}
            RawLine::End | RawLine::Torn => {
                return Err(reader.corrupt("the journal has no complete header line".into()))
            }
        }
        // The header says whether the journal is chained; its own chain
        // starts from 32 zero bytes.
        if let Some((cut, _)) = split_chained(&reader.buffer) {
            let mut canonical = reader.buffer[..cut].to_vec();
            canonical.push(b'}');
            if header_chaining(&canonical).as_deref() == Some(CHAIN_V1) {
                reader.chain = Some([0; 32]);
            }
        } else if header_chaining(&reader.buffer).as_deref() == Some(CHAIN_V1) {
            // Declared chained, its chain stripped: the lines' chains were
            // removed to pass the journal off as an older one.
            return Err(reader.tampered());
        }
        reader.check_chain()?;
        reader.header = reader.parse_header()?;
        Ok(reader)
    }

    /// Checks the chain of the line in `self.buffer` and leaves its
    /// canonical bytes there. In a chained journal a line whose chain
    /// does not follow from the line before (or that has none) is
    /// [`JournalError::Tampered`]; the reading then goes on from the
    /// chain the line states, so a lenient reading flags each break once.
    /// In an unchained journal a line with a chain is tampered too: the
    /// header's declaration was removed. A line that is not JSON at all is
    /// left to the parser ([`JournalError::Corrupt`]): that is damage, and
    /// with it the chain value the next line follows from is lost, so a
    /// lenient reading (a salvage, which drops the damaged line) takes the
    /// next line's chain as it states; a strict reading stops at the
    /// damage.
    fn check_chain(&mut self) -> Result<(), JournalError> {
        let split = split_chained(&self.buffer);
        let resync = std::mem::take(&mut self.resync);
        match (self.chain, split) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(self.tampered()),
            // A line that is not JSON at all is damage (a bad disk, a
            // botched copy), left to `parse` to call corrupt; a record
            // without its chain was inserted or stripped.
            (Some(_), None) if !is_json(&self.buffer) => {
                self.resync = true;
                Ok(())
            }
            (Some(_), None) => Err(self.tampered()),
            (Some(previous), Some((cut, stated))) => {
                self.chain = Some(stated);
                self.buffer.truncate(cut);
                self.buffer.push(b'}');
                if resync || chain_value(&previous, &self.buffer) == stated {
                    Ok(())
                } else {
                    Err(self.tampered())
                }
            }
        }
    }

    fn tampered(&self) -> JournalError {
        JournalError::Tampered {
            path: self.path.clone(),
            line: self.line_number,
        }
    }

    /// Whether the journal is chained (its header declares
    /// [`CHAIN_V1`](super::CHAIN_V1)); false for journals written before
    /// the chain existed.
    pub fn chained(&self) -> bool {
        self.chain.is_some()
    }

    /// The chain value of the last complete line read (checked, unless a
    /// lenient reading went past a break); `None` for an unchained journal.
    pub(crate) fn last_chain(&self) -> Option<ChainValue> {
        self.chain
    }

    fn parse_header(&self) -> Result<Header, JournalError> {
        // The version is read before the rest, so that another version's
        // header (other fields) gets the version message.
        #[derive(serde::Deserialize)]
        struct Identity {
            event: String,
            format: String,
            version: u32,
        }
        match serde_json::from_slice::<Identity>(&self.buffer) {
            Ok(id) if id.event == "header" && id.format == FORMAT => {
                if id.version != VERSION {
                    return Err(self.corrupt(format!(
                        "the journal has format version {}, this tool reads version {VERSION}; use the tool version that wrote it",
                        id.version
                    )));
                }
            }
            _ => {
                return Err(self.corrupt(format!(
                    "the first line is not an {FORMAT} header; is this a journal?"
                )))
            }
        }
        match serde_json::from_slice::<Line<String>>(&self.buffer) {
            Ok(Line::Header {
                version,
                created_at,
                chaining,
                ..
            }) if chaining.is_none() || chaining.as_deref() == Some(CHAIN_V1) => Ok(Header {
                version,
                created_at,
            }),
            Ok(Line::Header {
                chaining: Some(other),
                ..
            }) => Err(self.corrupt(format!(
                "the header declares the chain {:?}, this tool knows {CHAIN_V1}",
                bounded(&other)
            ))),
            Ok(Line::Header {
                version,
                created_at,
                ..
            }) => Ok(Header {
                version,
                created_at,
            }),
            _ => Err(self.corrupt("the header line lacks created_at".into())),
        }
    }

    /// The header line.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// What the torn last line was, once the reader met one (and did not
    /// return it).
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.torn
    }

    /// Bytes of the complete lines read so far: where a torn tail starts.
    pub fn complete_len(&self) -> u64 {
        self.complete_len
    }

    /// The number of the last line read, from 1 (the header).
    pub fn line_number(&self) -> u64 {
        self.line_number
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error about the line last read.
    pub(crate) fn corrupt(&self, reason: String) -> JournalError {
        JournalError::Corrupt {
            path: self.path.clone(),
            line: self.line_number,
            reason,
        }
    }

    /// The record of the complete line that starts at byte `offset` and is
    /// line number `line` (as [`complete_len`](JournalReader::complete_len)
    /// and [`line_number`](JournalReader::line_number) gave them in an
    /// earlier reading that checked the chain). The chain is stripped, not
    /// checked: it depends on the lines before. Reading forward from the
    /// last position reuses the buffer, so records read back in file order
    /// cost no more than a sequential reading.
    pub(crate) fn record_at(&mut self, offset: u64, line: u64) -> Result<Record, JournalError> {
        let ahead = i64::try_from(offset).unwrap_or(i64::MAX)
            - i64::try_from(self.complete_len).unwrap_or(i64::MAX);
        self.reader
            .seek_relative(ahead)
            .map_err(|e| JournalError::io(&self.path, e))?;
        self.complete_len = offset;
        self.line_number = line.saturating_sub(1);
        if !matches!(self.next_raw()?, RawLine::Line) {
            return Err(
                self.corrupt("the journal changed since it was read: the line is gone".into())
            );
        }
        if self.chain.is_some() {
            if let Some((cut, _)) = split_chained(&self.buffer) {
                self.buffer.truncate(cut);
                self.buffer.push(b'}');
            }
        }
        self.parse()
    }

    /// The next line, read even after a damaged one: salvage keeps going
    /// where a normal reading stops. `None` at the end (or a torn tail).
    pub(crate) fn next_lenient(&mut self) -> Option<Result<Record, JournalError>> {
        match self.next_raw() {
            Ok(RawLine::End | RawLine::Torn) => None,
            Ok(RawLine::Line) => Some(self.check_chain().and_then(|()| self.parse())),
            Err(e) => Some(Err(e)),
        }
    }

    /// Reads the next line into `self.buffer`, without its newline.
    fn next_raw(&mut self) -> Result<RawLine, JournalError> {
        self.buffer.clear();
        let limit = MAX_LINE as u64 + 1;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buffer)
            .map_err(|e| JournalError::io(&self.path, e))?;
        if n == 0 {
            return Ok(RawLine::End);
        }
        self.line_number += 1;
        if self.buffer.last() != Some(&b'\n') {
            if n as u64 >= limit {
                // Skip the rest of the long line, so a lenient reading
                // goes on at the next one.
                let rest = self
                    .reader
                    .read_until(b'\n', &mut Vec::new())
                    .map_err(|e| JournalError::io(&self.path, e))?;
                if rest > 0 {
                    self.complete_len += (n + rest) as u64;
                }
                return Err(self.corrupt(format!("the line is longer than {MAX_LINE} bytes")));
            }
            // No newline and nothing after it: the process died mid-write.
            self.torn = Some(TornTail::of(&self.buffer));
            return Ok(RawLine::Torn);
        }
        self.complete_len += n as u64;
        self.buffer.pop();
        Ok(RawLine::Line)
    }

    fn parse(&self) -> Result<Record, JournalError> {
        let line = serde_json::from_slice::<ReadFields<'_>>(&self.buffer)
            .map_err(|e| e.to_string())
            .and_then(ReadFields::into_line)
            .map_err(|e| {
                self.corrupt(format!(
                    "the line is not a journal record ({})",
                    printable(&e)
                ))
            })?;
        Ok(match line {
            Line::Header { .. } => return Err(self.corrupt("a second header line".into())),
            Line::Run {
                run,
                at,
                tool_version,
                pid,
                input,
                endpoints,
                custody,
            } => Record::Run(RunRecord {
                run,
                at,
                tool_version,
                pid,
                input: input.map(|i| InputSummary {
                    source: i.source,
                    items: i.items,
                    sha256: i.sha256,
                }),
                endpoints: endpoints.into_iter().collect(),
                custody: custody.map(|c| Custody {
                    user: c.user,
                    host: c.host,
                    credentials: c.credentials.into_iter().collect(),
                }),
            }),
            Line::Sent {
                pos,
                vendor,
                product,
                region,
                reference,
                subject,
                at,
                resumed,
            } => Record::Sent(SentRecord {
                position: pos,
                intent: self.intent(
                    &vendor,
                    &product,
                    region.as_deref(),
                    &reference,
                    subject.as_deref(),
                )?,
                at,
                resumed,
            }),
            Line::Duplicate {
                pos,
                of,
                vendor,
                product,
                region,
                reference,
                subject,
                at,
            } => {
                if of >= pos {
                    return Err(self.corrupt(format!(
                        "position {pos} is called a duplicate of the later position {of}"
                    )));
                }
                Record::Duplicate(DuplicateRecord {
                    position: pos,
                    of,
                    intent: self.intent(
                        &vendor,
                        &product,
                        region.as_deref(),
                        &reference,
                        subject.as_deref(),
                    )?,
                    at,
                })
            }
            Line::Outcome {
                pos,
                vendor,
                product,
                region,
                reference,
                subject,
                at,
                result,
                confirmed_by,
                audits,
                within_secs,
                until,
                error,
                status,
                attempts,
                in_doubt,
                evidence,
            } => {
                let intent = self.intent(
                    &vendor,
                    &product,
                    region.as_deref(),
                    &reference,
                    subject.as_deref(),
                )?;
                let outcome = match result.as_str() {
                    "deleted" => {
                        JournalOutcome::Deleted {
                            confirmed_by: match confirmed_by.as_deref().and_then(ConfirmedBy::from_name) {
                                Some(confirmed_by) => confirmed_by,
                                None => return Err(self.corrupt(
                                    "a deleted outcome without confirmed_by response, absence or recheck"
                                        .into(),
                                )),
                            },
                            audits: audits.unwrap_or(0),
                            status,
                            attempts,
                        }
                    }
                    "scheduled" => JournalOutcome::Scheduled {
                        within_secs,
                        until: until.map(|u| printable(&u)),
                        status,
                        attempts,
                    },
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
                Record::Outcome(OutcomeRecord {
                    position: pos,
                    intent,
                    at,
                    outcome,
                    evidence: evidence
                        .map(|e| Evidence {
                            date: e.date,
                            request_id: e.request_id,
                            audit_ids: e.audit_ids,
                            vendor_status: e.vendor_status,
                        })
                        .unwrap_or_default(),
                })
            }
            Line::End {
                run,
                at,
                how,
                why,
                items,
                sha256,
            } => Record::End(EndRecord {
                run,
                at,
                how: match how.as_str() {
                    "finished" => RunEnd::Finished,
                    "cancelled" => RunEnd::Cancelled,
                    "failed" => RunEnd::Failed(why.map(|w| printable(&w)).unwrap_or_default()),
                    other => {
                        return Err(self.corrupt(format!("unknown run end {:?}", bounded(other))))
                    }
                },
                items,
                sha256,
            }),
            Line::Salvaged {
                at,
                original,
                dropped_lines,
                in_doubt_below,
            } => Record::Salvaged(SalvagedRecord {
                at,
                original,
                dropped_lines,
                in_doubt_below,
            }),
        })
    }

    fn intent(
        &self,
        vendor: &str,
        product: &str,
        region: Option<&str>,
        reference: &str,
        subject: Option<&str>,
    ) -> Result<DeleteIntent, JournalError> {
        // Journals write the names exactly; `Target::parse` is lenient
        // about case and HyperVerge's empty product, which no journal has.
        let target = Target::parse(vendor, product, region)
            .ok()
            .filter(|t| t.vendor().as_str() == vendor && t.product_name() == product);
        let Some(target) = target else {
            return Err(self.corrupt(format!(
                "unknown vendor, product and region {:?}/{:?}/{:?}",
                bounded(vendor),
                bounded(product),
                region.map(bounded)
            )));
        };
        let intent = DeleteIntent::new(target, reference);
        let intent = match subject {
            Some(subject) => intent.and_then(|i| i.with_subject(subject)),
            None => intent,
        };
        intent.map_err(|e| self.corrupt(format!("an invalid item: {e}")))
    }
}

impl Iterator for JournalReader {
    type Item = Result<Record, JournalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = self.next_lenient()?;
        self.failed = result.is_err();
        Some(result)
    }
}

fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// The `chaining` a header's canonical bytes declare, if they parse.
fn header_chaining(canonical: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Chaining {
        chaining: Option<String>,
    }
    serde_json::from_slice::<Chaining>(canonical)
        .ok()
        .and_then(|c| c.chaining)
}

/// A parser's message made safe to show on one line: serde_json quotes
/// values from the damaged line itself (an unknown `event`, for one), which
/// may hold control characters or be as long as the line. Control
/// characters are escaped and the text is cut at 256 characters.
pub(crate) fn printable(message: &str) -> String {
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
        Some((cut, _)) => Cow::Owned(format!("{}...", printable(&s[..cut]))),
        None => Cow::Owned(printable(s)),
    }
}
