//! Seed files: CSV with the header `vendor,product,region,reference`, one
//! transaction per line, for `--seed` and `--write-seeded`.
//!
//! The format is the one `idv-delete batch` reads, so that a file written
//! by `--write-seeded` can be erased as is. The emulator keeps no regions
//! (it answers every host on one port), so reading ignores the region and
//! writing names `us`, Jumio's first data centre, for Jumio rows and leaves
//! it empty for HyperVerge rows, as `batch` requires. The older header
//! `vendor,product,reference` is still read, and so is
//! `vendor,product,region,reference,state`, whose last column names the
//! object's state at its vendor (empty for the default; see
//! [`SeedItem`]).
//!
//! Jumio Platform rows are read like the others (`jumio-platform,account,,ID`
//! or `jumio-platform,workflow,,ACCOUNT_ID/WORKFLOW_ID`); `--seed-random`
//! does not make any, so they are never written.
//!
//! Deliberately minimal CSV: fields are split on `,` and trimmed, with no
//! quoting (references never contain commas); blank lines are skipped.
//! Files are read and written in chunks, so a million references never sit
//! in memory as one list.

use std::io::{self, BufRead, Write};

use crate::product::Product;
use crate::rng::SplitMix64;
use crate::SeedItem;

/// The header line of a seed file.
pub(crate) const HEADER: &str = "vendor,product,region,reference";

/// The header of seed files without a region column, still read.
const HEADER_WITHOUT_REGION: &str = "vendor,product,reference";

/// The header of seed files with a state column.
const HEADER_WITH_STATE: &str = "vendor,product,region,reference,state";

/// The region written for Jumio rows (see the module docs).
const JUMIO_REGION: &str = "us";

/// How many items [`for_each_chunk`] hands over at a time.
const CHUNK: usize = 10_000;

/// Reads a seed file, calling `each` with chunks of items in file order.
/// Errors name the line. `each` may fail too, which stops the reading.
pub(crate) fn for_each_chunk(
    reader: impl BufRead,
    mut each: impl FnMut(&[SeedItem]) -> Result<(), String>,
) -> Result<(), String> {
    let mut lines = reader.lines().enumerate();
    let wrong_header = || format!("line 1: the header must be `{HEADER}` or `{HEADER_WITH_STATE}`");
    let header = match lines.next() {
        Some((_, Ok(header))) => match header.trim_start_matches('\u{feff}').trim() {
            HEADER => HEADER,
            HEADER_WITHOUT_REGION => HEADER_WITHOUT_REGION,
            HEADER_WITH_STATE => HEADER_WITH_STATE,
            _ => return Err(wrong_header()),
        },
        Some((_, Err(e))) => return Err(format!("line 1: {e}")),
        None => return Err(wrong_header()),
    };
    let mut chunk = Vec::with_capacity(CHUNK);
    for (index, line) in lines {
        let line = line.map_err(|e| format!("line {}: {e}", index + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let (vendor, product, reference, state) = match (header, &fields[..]) {
            (HEADER, &[vendor, product, _region, reference]) => (vendor, product, reference, ""),
            (HEADER_WITHOUT_REGION, &[vendor, product, reference]) => {
                (vendor, product, reference, "")
            }
            (HEADER_WITH_STATE, &[vendor, product, _region, reference, state]) => {
                (vendor, product, reference, state)
            }
            _ => {
                return Err(format!(
                    "line {}: expected {} fields `{header}`, got {}",
                    index + 1,
                    header.split(',').count(),
                    fields.len()
                ))
            }
        };
        let item = SeedItem::new(vendor, product, reference);
        chunk.push(if state.is_empty() {
            item
        } else {
            item.with_state(state)
        });
        if chunk.len() == CHUNK {
            each(&chunk).map_err(|e| format!("near line {}: {e}", index + 1))?;
            chunk.clear();
        }
    }
    if chunk.is_empty() {
        Ok(())
    } else {
        each(&chunk).map_err(|e| format!("last lines: {e}"))
    }
}

/// Generates `per_product` UUID-like references for every vendor and
/// product, calling `each` with chunks. The same `seed` gives the same
/// references.
pub(crate) fn random_chunks(
    per_product: u64,
    seed: u64,
    mut each: impl FnMut(&[SeedItem]) -> io::Result<()>,
) -> io::Result<()> {
    let mut rng = SplitMix64::new(seed);
    let mut chunk = Vec::with_capacity(CHUNK);
    for product in Product::SEEDED_AT_RANDOM {
        for _ in 0..per_product {
            let reference = uuid_like(rng.next_u64(), rng.next_u64());
            chunk.push(SeedItem::new(product.vendor(), product.name(), &reference));
            if chunk.len() == CHUNK {
                each(&chunk)?;
                chunk.clear();
            }
        }
    }
    if chunk.is_empty() {
        Ok(())
    } else {
        each(&chunk)
    }
}

/// Writes items as seed-file lines (without the header), in the format of
/// [`HEADER`].
pub(crate) fn write_items(mut out: impl Write, items: &[SeedItem]) -> io::Result<()> {
    for item in items {
        let region = if item.vendor == "jumio" {
            JUMIO_REGION
        } else {
            ""
        };
        writeln!(
            out,
            "{},{},{region},{}",
            item.vendor, item.product, item.reference
        )?;
    }
    Ok(())
}

/// A version-4-shaped UUID string made of two random numbers.
fn uuid_like(hi: u64, lo: u64) -> String {
    let hi = (hi & !0xf000) | 0x4000;
    let lo = (lo & !(0xc << 60)) | (0x8 << 60);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_with_line_numbers() {
        let mut got = Vec::new();
        let input = "vendor,product,reference\njumio, scan ,a\n\nhyperverge,transaction,b\n\
                     jumio-platform,workflow,acc/wf\n";
        for_each_chunk(input.as_bytes(), |c| {
            got.extend_from_slice(c);
            Ok(())
        })
        .expect("valid file");
        assert_eq!(
            got,
            [
                SeedItem::new("jumio", "scan", "a"),
                SeedItem::new("hyperverge", "transaction", "b"),
                SeedItem::new("jumio-platform", "workflow", "acc/wf"),
            ]
        );
        let err = for_each_chunk("vendor,product,reference\njumio,scan\n".as_bytes(), |_| {
            Ok(())
        });
        assert!(err.expect_err("two fields").starts_with("line 2:"));
        let err = for_each_chunk(
            "vendor,product,region,reference\njumio,scan,x\n".as_bytes(),
            |_| Ok(()),
        );
        assert_eq!(
            err.expect_err("three fields"),
            "line 2: expected 4 fields `vendor,product,region,reference`, got 3"
        );
        assert!(for_each_chunk("ref\n".as_bytes(), |_| Ok(())).is_err());
        let mut got = Vec::new();
        let input = "vendor,product,region,reference,state\nveriff,session,,s-1,in_progress\n\
                     stripe,verification_session,,vs_1,\n";
        for_each_chunk(input.as_bytes(), |c| {
            got.extend_from_slice(c);
            Ok(())
        })
        .expect("valid file with states");
        assert_eq!(
            got,
            [
                SeedItem::new("veriff", "session", "s-1").with_state("in_progress"),
                SeedItem::new("stripe", "verification_session", "vs_1"),
            ]
        );
        let err = for_each_chunk(
            "vendor,product,region,reference,state\nveriff,session,,s-1\n".as_bytes(),
            |_| Ok(()),
        );
        assert_eq!(
            err.expect_err("four fields"),
            "line 2: expected 5 fields `vendor,product,region,reference,state`, got 4"
        );
        assert!(for_each_chunk("".as_bytes(), |_| Ok(())).is_err());
    }

    #[test]
    fn written_files_have_a_region_column_and_read_back() {
        let items = [
            SeedItem::new("jumio", "document", "a-1"),
            SeedItem::new("hyperverge", "transaction", "b-2"),
        ];
        let mut file = format!("{HEADER}\n").into_bytes();
        write_items(&mut file, &items).expect("in memory");
        assert_eq!(
            String::from_utf8(file.clone()).expect("UTF-8"),
            "vendor,product,region,reference\njumio,document,us,a-1\nhyperverge,transaction,,b-2\n"
        );
        let mut read = Vec::new();
        for_each_chunk(&file[..], |c| {
            read.extend_from_slice(c);
            Ok(())
        })
        .expect("reads what it writes");
        assert_eq!(read, items);
    }

    #[test]
    fn random_references_are_uuid_shaped_and_reproducible() {
        let collect = |seed| {
            let mut all = Vec::new();
            random_chunks(3, seed, |c| {
                all.extend_from_slice(c);
                Ok(())
            })
            .expect("no I/O");
            all
        };
        let items = collect(1);
        assert_eq!(items.len(), 12);
        assert_eq!(items, collect(1));
        for item in &items {
            let r = &item.reference;
            assert_eq!(r.len(), 36, "{r}");
            assert_eq!(&r[14..15], "4");
            assert!(item.validate().is_ok());
        }
    }
}
