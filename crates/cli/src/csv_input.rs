//! The batch CSV: `vendor,product,region,reference`.
//!
//! Read twice: a first pass checks every row and counts what would be
//! deleted (so nothing is sent when a row is bad), a second pass streams the
//! intents into the batch runner. Memory does not grow with the file; standard
//! input is spooled to a temporary file so it can be read twice.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek};

use idv_delete_blocking::{DeleteIntent, InputDigest, JumioProduct, Region, Target};

use crate::failure::Failure;

/// How many bad rows are listed; the rest are only counted.
const MAX_LISTED_ERRORS: usize = 50;

/// (vendor, product, region) as shown in the plan.
pub type PlanKey = (&'static str, &'static str, &'static str);

/// What the first pass found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Valid rows per vendor, product and region.
    pub counts: BTreeMap<PlanKey, u64>,
    /// Valid rows.
    pub valid: u64,
    /// The first bad rows: (line number, what is wrong).
    pub errors: Vec<(u64, String)>,
    /// All bad rows.
    pub invalid: u64,
    /// The valid rows' identities in order: the journal records it, so a
    /// resume with another CSV is refused before anything is sent.
    pub digest: InputDigest,
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

    fn reader(&self) -> Result<csv::Reader<BufReader<File>>, Failure> {
        let mut file = self.file.try_clone()?;
        file.rewind()?;
        Ok(csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(BufReader::new(file)))
    }

    /// The first pass: checks every row.
    pub fn scan(&self) -> Result<Scan, Failure> {
        let mut reader = self.reader()?;
        let columns = Columns::find(&mut reader, &self.name)?;
        let mut scan = Scan::default();
        let mut record = csv::StringRecord::new();
        loop {
            let line = reader.position().line() + 1;
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => match columns.intent(&record) {
                    Ok(intent) => {
                        scan.digest.add(&intent);
                        scan.valid += 1;
                        *scan.counts.entry(plan_key(&intent)).or_default() += 1;
                    }
                    Err(why) => scan.add_error(record.position().map_or(line, |p| p.line()), why),
                },
                Err(e) => {
                    let line = e.position().map_or(line, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(Failure::runtime(format!("reading {}: {e}", self.name)));
                    }
                    scan.add_error(line, csv_error_reason(&e));
                }
            }
        }
        Ok(scan)
    }

    /// The second pass: the valid rows' intents, in order. A row that no
    /// longer reads as it did in the first pass ends the stream and is
    /// recorded in `changed`, so the caller reports it instead of going on.
    pub fn intents<'a>(
        &self,
        changed: &'a std::sync::Mutex<Option<String>>,
    ) -> Result<impl Iterator<Item = DeleteIntent> + Send + 'a, Failure> {
        let mut reader = self.reader()?;
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
    fn add_error(&mut self, line: u64, why: String) {
        self.invalid += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push((line, why));
        }
    }
}

/// The product and region of an intent, for the plan.
pub fn plan_key(intent: &DeleteIntent) -> PlanKey {
    let target = intent.target();
    (
        target.vendor().as_str(),
        target.product_name(),
        target.region().map_or("-", Region::as_str),
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

/// Where the four columns are.
struct Columns {
    vendor: usize,
    product: usize,
    region: usize,
    reference: usize,
}

impl Columns {
    fn find<R: Read>(reader: &mut csv::Reader<R>, name: &str) -> Result<Columns, Failure> {
        let headers = reader.headers().map_err(|e| {
            Failure::config(format!("{name}: cannot read the CSV header line: {e}"))
        })?;
        let find = |column: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(column))
                .ok_or_else(|| {
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
        })
    }

    /// One row as a validated intent, or why it is not one.
    fn intent(&self, record: &csv::StringRecord) -> Result<DeleteIntent, String> {
        let field = |i: usize| record.get(i).unwrap_or("");
        let (vendor, product, region) = (
            field(self.vendor).trim(),
            field(self.product).trim(),
            field(self.region).trim(),
        );
        let reference = field(self.reference);
        let target = match vendor.to_ascii_lowercase().as_str() {
            "jumio" => {
                let product: JumioProduct = product.parse().map_err(|e| describe(&e))?;
                if region.is_empty() {
                    return Err("a Jumio row needs a region: us, eu or sgp".into());
                }
                let region: Region = region.parse().map_err(|e| describe(&e))?;
                Target::Jumio { product, region }
            }
            "hyperverge" => {
                if !(product.is_empty() || product.eq_ignore_ascii_case("transaction")) {
                    return Err(format!(
                        "HyperVerge has one product, \"transaction\", not {product:?}"
                    ));
                }
                if !region.is_empty() {
                    return Err(format!(
                        "HyperVerge rows have no region; leave it empty instead of {region:?}"
                    ));
                }
                Target::HyperVerge
            }
            "" => return Err("the vendor is empty: use jumio or hyperverge".into()),
            other => return Err(format!("unknown vendor {other:?}: use jumio or hyperverge")),
        };
        DeleteIntent::new(target, reference).map_err(|e| describe(&e))
    }
}

fn describe(error: &idv_delete_blocking::DeleteError) -> String {
    error.detail().to_owned()
}
