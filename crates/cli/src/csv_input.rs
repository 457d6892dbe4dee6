//! The batch CSV: `vendor,product,region,reference`, and optionally
//! `subject`.
//!
//! Rows of every vendor may be mixed in one file:
//!
//! | vendor           | product                                   | region          | reference |
//! |------------------|-------------------------------------------|-----------------|-----------|
//! | `jumio`          | `scan`, `authentication`, `document`      | `us`, `eu`, `sgp` | the transaction reference |
//! | `jumio-platform` | `account`, `workflow`                     | `us`, `eu`, `sgp` | `ACCOUNT_ID`, or `ACCOUNT_ID/WORKFLOW_ID` |
//! | `hyperverge`     | `transaction` or empty                    | empty           | the transaction id |
//! | `onfido`         | `applicant` or empty                      | `eu`, `us`, `ca` | the applicant id (UUID) |
//! | `persona`        | `inquiry`, `account`                      | empty           | `inq_...`, `act_...` |
//! | `stripe`         | `verification_session` (or `verification-session`) or empty | empty | `vs_...` |
//! | `veriff`         | `session` or empty                        | empty           | the session id (UUID) |
//!
//! A workflow execution's reference holds two UUIDs in one column, so a
//! row stays four columns and a journal keeps one reference.
//!
//! The columns are found by their header names, in any order; other
//! columns are ignored. An optional `subject` column holds the data
//! subject's key (the company's own id for the person, such as a customer
//! id): it is journaled with the row's item so a journal answers per
//! person, is never sent to a vendor, and is not part of the item's
//! identity. A blank cell, or a file without the column, means no subject;
//! a bad one (over 128 characters, a control character) is a bad row like
//! a bad reference, so nothing is sent. Because the subject is a label and
//! not part of the identity, the input digest a journal records (see
//! [`InputDigest`]) leaves it out: a resume whose subject column changed is
//! accepted, items already finished keep the subject journaled when they
//! finished, and the items the resume sends are journaled with the new
//! one. The names are
//! read by the core's `Target::parse`, as the journal reads them; the CLI
//! adds only the row-level messages for a missing or extra region. Veriff
//! rows go to the Veriff base URL of the configuration (`VERIFF_BASE_URL`),
//! the others to their documented hosts, unless `--base-url` is given.
//!
//! Read twice (three times when it has duplicates): a first pass checks
//! every row, counts what would be deleted and finds duplicate rows (so
//! nothing is sent when a row is bad, and the plan counts each item once),
//! a second pass streams the intents into the batch runner. Standard input is spooled to a temporary file so it can be
//! read twice.
//!
//! Rules every row follows:
//!
//! - Whitespace: spaces and tabs around every field, the header's and the
//!   reference included, quoted or not, for both vendors, are removed
//!   before the row is read. They are almost always spreadsheet noise, and
//!   a HyperVerge id sent as `" HV-7"` would earn a 404 and leave `HV-7` at
//!   the vendor. Other characters are kept, so other whitespace (a
//!   non-breaking space, a line break inside quotes) reaches the
//!   reference's rule and is refused there with its code point named.
//! - Duplicates: two rows with the same vendor, product, region and
//!   reference (after the rule above) are one item. The first pass lists
//!   them ("line 9 repeats line 3 (...)"); they are not errors. The second
//!   pass still yields every valid row, duplicates included and in order,
//!   because the batch runner's positions (and so its journal's) are the
//!   valid rows' positions; the runner deletes a duplicate once.
//! - Line numbers: the physical line of the file where the row starts,
//!   counting from 1 with the header as line 1, whatever blank lines, CRLF
//!   endings or quoted fields spanning lines come before it (see
//!   [`LineEnds`]).
//!
//! Memory does not grow with the file's size, except for the duplicate
//! check of the first pass: 8 bytes per valid row (a sorted list of short
//! keys, see [`Input::scan`]), freed when the pass ends, and the list of
//! duplicate positions handed to the batch runner.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{self, Read, Seek};

use idv_delete_blocking::{DeleteIntent, InputDigest, ItemKey, Target, Vendor};

use crate::failure::Failure;

/// How many bad rows, and how many duplicate rows, are listed; the rest
/// are only counted.
const MAX_LISTED: usize = 50;

/// (vendor, product, region) as shown in the plan.
pub type PlanKey = (&'static str, &'static str, &'static str);

/// What the first pass found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Distinct items per vendor, product and region (a duplicate row is
    /// counted once).
    pub counts: BTreeMap<PlanKey, u64>,
    /// Valid rows, duplicates included: what the second pass yields.
    pub valid: u64,
    /// Valid rows that repeat an earlier valid row.
    pub duplicates: u64,
    /// Each repeating row's position among the valid rows, with its first
    /// occurrence's: the batch runner is given it, so it keeps no table of
    /// its own.
    pub duplicate_of: BTreeMap<u64, u64>,
    /// The first duplicate rows.
    pub repeats: Vec<Repeat>,
    /// The first bad rows: (line number, what is wrong).
    pub errors: Vec<(u64, String)>,
    /// All bad rows.
    pub invalid: u64,
    /// The valid rows' identities in order: the journal records it, so a
    /// resume with another CSV is refused before anything is sent.
    pub digest: InputDigest,
}

/// A row that names the same item as an earlier row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// The line of the repeating row.
    pub line: u64,
    /// The line of the first row naming the item.
    pub first: u64,
    /// The item, as `jumio scan eu REF` or `hyperverge transaction "ID"`.
    pub item: String,
}

impl std::fmt::Display for Repeat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} repeats line {} ({}): it is deleted once",
            self.line, self.first, self.item
        )
    }
}

/// A CSV source that can be read more than once.
pub struct Input {
    file: File,
    name: String,
    // Keeps a spooled standard input alive until the run ends.
    _spool: Option<tempfile::NamedTempFile>,
}

impl Input {
    /// Opens `path`, or spools standard input for `-`.
    pub fn open(path: &str) -> Result<Input, Failure> {
        if path == "-" {
            let mut spool = tempfile::NamedTempFile::new()
                .map_err(|e| Failure::runtime(format!("cannot spool standard input: {e}")))?;
            io::copy(&mut io::stdin().lock(), &mut spool)
                .map_err(|e| Failure::runtime(format!("cannot read standard input: {e}")))?;
            let file = spool.reopen()?;
            return Ok(Input {
                file,
                name: "standard input".into(),
                _spool: Some(spool),
            });
        }
        let file = File::open(path)
            .map_err(|e| Failure::config(format!("cannot open the CSV file {path}: {e}")))?;
        Ok(Input {
            file,
            name: path.to_owned(),
            _spool: None,
        })
    }

    /// The file's name for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file from its start, on a handle of its own.
    fn rewound(&self) -> Result<File, Failure> {
        let mut file = self.file.try_clone()?;
        file.rewind()?;
        Ok(file)
    }

    /// The first pass: checks every row and finds the duplicates.
    ///
    /// Duplicates are found in two steps, so that memory stays small for a
    /// million rows: the rows' 8-byte [`ItemKey::short`]s are collected and
    /// sorted, and only when two are equal (a duplicate, or rarely two
    /// items whose keys share their first 8 bytes) is the file read once
    /// more, comparing the full keys of just those rows.
    pub fn scan(&self) -> Result<Scan, Failure> {
        let mut scan = Scan::default();
        let mut shorts = Vec::new();
        self.rows(|line, row| match row {
            Ok(intent) => {
                scan.digest.add(&intent);
                scan.valid += 1;
                shorts.push(ItemKey::of(&intent).short());
                *scan.counts.entry(plan_key(&intent)).or_default() += 1;
            }
            Err(why) => scan.add_error(line, why),
        })?;
        shorts.sort_unstable();
        let candidates: HashSet<u64> = shorts
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
            .collect();
        drop(shorts);
        if !candidates.is_empty() {
            self.find_duplicates(&candidates, &mut scan)?;
        }
        Ok(scan)
    }

    /// The second step of the duplicate check: among the rows whose short
    /// key is a candidate, the ones that repeat an earlier row exactly.
    fn find_duplicates(&self, candidates: &HashSet<u64>, scan: &mut Scan) -> Result<(), Failure> {
        // (position, line) of the first row of each candidate item.
        let mut first: HashMap<ItemKey, (u64, u64)> = HashMap::new();
        let mut position = 0u64;
        self.rows(|line, row| {
            let Ok(intent) = row else { return };
            let key = ItemKey::of(&intent);
            if candidates.contains(&key.short()) {
                match first.entry(key) {
                    Entry::Occupied(earlier) => {
                        let (of, first_line) = *earlier.get();
                        scan.add_repeat(position, of, line, first_line, &intent);
                    }
                    Entry::Vacant(slot) => {
                        slot.insert((position, line));
                    }
                }
            }
            position += 1;
        })
    }

    /// Reads every row: its physical line, and its intent or why it is not
    /// one.
    fn rows(
        &self,
        mut visit: impl FnMut(u64, Result<DeleteIntent, String>),
    ) -> Result<(), Failure> {
        let mut reader = csv_reader(LineEnds::new(self.rewound()?));
        let columns = Columns::find(&mut reader, &self.name)?;
        let mut record = csv::StringRecord::new();
        loop {
            // csv's position is where the previous row ended, before the
            // blank lines (and the LF of a CRLF) it skips: count those.
            let start = reader.position().clone();
            let result = reader.read_record(&mut record);
            let line = start.line() + reader.get_mut().skipped_lines(start.byte());
            match result {
                Ok(false) => return Ok(()),
                Ok(true) => visit(line, columns.intent(&record)),
                Err(e) => {
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(Failure::runtime(format!("reading {}: {e}", self.name)));
                    }
                    visit(line, Err(csv_error_reason(&e)));
                }
            }
        }
    }

    /// The second pass: the valid rows' intents, in order. A row that no
    /// longer reads as it did in the first pass ends the stream and is
    /// recorded in `changed`, so the caller reports it instead of going on.
    pub fn intents<'a>(
        &self,
        changed: &'a std::sync::Mutex<Option<String>>,
    ) -> Result<impl Iterator<Item = DeleteIntent> + Send + 'a, Failure> {
        let mut reader = csv_reader(self.rewound()?);
        let columns = Columns::find(&mut reader, &self.name)?;
        let name = self.name.clone();
        let mut records = reader.into_records();
        Ok(std::iter::from_fn(move || loop {
            match records.next()? {
                Ok(record) => match columns.intent(&record) {
                    Ok(intent) => return Some(intent),
                    // Rows that were invalid in the first pass are skipped
                    // (only reachable with --skip-invalid).
                    Err(_) => continue,
                },
                // So are rows csv itself refused (a wrong field count, bad
                // UTF-8): the first pass listed them too.
                Err(e) if is_row_error(&e) => continue,
                Err(e) => {
                    if let Ok(mut slot) = changed.lock() {
                        *slot = Some(format!("{name} changed while it was being read: {e}"));
                    }
                    return None;
                }
            }
        }))
    }
}

impl Scan {
    /// Distinct items among the valid rows: what a run deletes.
    pub fn unique(&self) -> u64 {
        self.valid - self.duplicates
    }

    fn add_error(&mut self, line: u64, why: String) {
        self.invalid += 1;
        if self.errors.len() < MAX_LISTED {
            self.errors.push((line, why));
        }
    }

    /// The valid row at `position` (on `line`) repeats the one at `of`
    /// (on `first_line`).
    fn add_repeat(
        &mut self,
        position: u64,
        of: u64,
        line: u64,
        first_line: u64,
        intent: &DeleteIntent,
    ) {
        self.duplicates += 1;
        self.duplicate_of.insert(position, of);
        if let Some(count) = self.counts.get_mut(&plan_key(intent)) {
            *count -= 1;
        }
        if self.repeats.len() < MAX_LISTED {
            self.repeats.push(Repeat {
                line,
                first: first_line,
                item: describe_item(intent),
            });
        }
    }
}

/// A CSV reader with the header and strict field counts.
fn csv_reader<R: Read>(source: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(source)
}

/// Passes bytes through to csv while noting where the CR and LF bytes are,
/// so that a row's physical line can be found.
///
/// csv's record positions are not the row's line: a position is taken
/// where the previous row ended, before the blank lines csv skips and the
/// LF that ends a CRLF line (csv ends a row on its CR). What csv skips
/// before a row is exactly a run of CR and LF bytes, so the row starts on
/// the position's line plus the LFs in the run of CR/LF bytes at the
/// position. Only the offsets at or after the last position asked about
/// are kept: a few buffers' worth, or the line breaks inside one long
/// quoted field, which csv holds in memory anyway.
struct LineEnds<R> {
    inner: R,
    /// Bytes read so far: the offset of the next byte.
    offset: u64,
    /// (offset, is LF) of every CR and LF read and not yet passed.
    ends: VecDeque<(u64, bool)>,
}

impl<R> LineEnds<R> {
    fn new(inner: R) -> LineEnds<R> {
        LineEnds {
            inner,
            offset: 0,
            ends: VecDeque::new(),
        }
    }

    /// The LFs in the run of CR and LF bytes that starts at `at` (the
    /// blank lines before a row), forgetting everything before `at`.
    /// Calls must come with non-decreasing offsets.
    fn skipped_lines(&mut self, at: u64) -> u64 {
        while self.ends.front().is_some_and(|&(end, _)| end < at) {
            self.ends.pop_front();
        }
        let mut lines = 0;
        for (expected, &(end, is_lf)) in (at..).zip(&self.ends) {
            if end != expected {
                break;
            }
            lines += u64::from(is_lf);
        }
        lines
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (at, &byte) in (self.offset..).zip(&buf[..n]) {
            if byte == b'\n' || byte == b'\r' {
                self.ends.push_back((at, byte == b'\n'));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// An item as the duplicate list shows it: `jumio scan eu REF`,
/// `jumio-platform workflow eu ACCOUNT/WORKFLOW`, `onfido applicant eu ID`,
/// or `hyperverge transaction "ID"` (quoted, as an id may hold spaces;
/// every vendor without a region is shown so).
fn describe_item(intent: &DeleteIntent) -> String {
    let target = intent.target();
    match (target.vendor(), target.region_name()) {
        (vendor, Some(region)) => format!(
            "{} {} {region} {}",
            vendor.as_str(),
            target.product_name(),
            intent.reference()
        ),
        (vendor, _) => format!(
            "{} {} {:?}",
            vendor.as_str(),
            target.product_name(),
            intent.reference()
        ),
    }
}

/// The CSV whitespace rule (see the module docs): spaces and tabs around a
/// field are removed, nothing else.
fn trim_field(field: &str) -> &str {
    field.trim_matches([' ', '\t'])
}

/// The product and region of an intent, for the plan.
pub fn plan_key(intent: &DeleteIntent) -> PlanKey {
    let target = intent.target();
    (
        target.vendor().as_str(),
        target.product_name(),
        target.region_name().unwrap_or("-"),
    )
}

/// Whether csv refused one row and can read on (as opposed to an I/O
/// error, which ends the reading).
fn is_row_error(error: &csv::Error) -> bool {
    matches!(
        error.kind(),
        csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
    )
}

fn csv_error_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_owned(),
        _ => error.to_string(),
    }
}

/// Where the four columns are, and the optional subject column.
struct Columns {
    vendor: usize,
    product: usize,
    region: usize,
    reference: usize,
    subject: Option<usize>,
}

impl Columns {
    fn find<R: Read>(reader: &mut csv::Reader<R>, name: &str) -> Result<Columns, Failure> {
        let headers = reader.headers().map_err(|e| {
            Failure::config(format!("{name}: cannot read the CSV header line: {e}"))
        })?;
        let position = |column: &str| {
            headers
                .iter()
                .position(|h| trim_field(h).eq_ignore_ascii_case(column))
        };
        let find = |column: &str| {
            position(column).ok_or_else(|| {
                    Failure::config(format!(
                        "{name}: the header has no {column:?} column; the first line must be vendor,product,region,reference"
                    ))
                })
        };
        Ok(Columns {
            vendor: find("vendor")?,
            product: find("product")?,
            region: find("region")?,
            reference: find("reference")?,
            subject: position("subject"),
        })
    }

    /// One row as a validated intent, or why it is not one.
    fn intent(&self, record: &csv::StringRecord) -> Result<DeleteIntent, String> {
        let field = |i: usize| trim_field(record.get(i).unwrap_or(""));
        let (vendor, product, region, reference) = (
            field(self.vendor),
            field(self.product),
            field(self.region),
            field(self.reference),
        );
        if vendor.is_empty() {
            return Err("the vendor is empty: use jumio, jumio-platform, hyperverge, onfido, persona, stripe or veriff".into());
        }
        let known: Vendor = vendor.parse().map_err(|e| describe(&e))?;
        // Whether a region is needed is said here, per row; the rest of
        // the reading is the core's, the one the journal uses too.
        match (known, region.is_empty()) {
            (Vendor::HyperVerge, false) => {
                return Err(format!(
                    "HyperVerge rows have no region; leave it empty instead of {region:?}"
                ))
            }
            (Vendor::Jumio, true) => return Err("a Jumio row needs a region: us, eu or sgp".into()),
            (Vendor::JumioPlatform, true) => {
                return Err("a Jumio Platform row needs a region: us, eu or sgp".into())
            }
            (Vendor::Onfido, true) => {
                return Err("an Onfido row needs a region: eu, us or ca".into())
            }
            _ => {}
        }
        let target = Target::parse(vendor, product, Some(region)).map_err(|e| describe(&e))?;
        let intent = DeleteIntent::new(target, reference).map_err(|e| describe(&e))?;
        match self.subject.map(field) {
            Some(subject) if !subject.is_empty() => {
                intent.with_subject(subject).map_err(|e| describe(&e))
            }
            _ => Ok(intent),
        }
    }
}

fn describe(error: &idv_delete_blocking::DeleteError) -> String {
    error.detail().to_owned()
}
