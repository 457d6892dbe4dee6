//! The rows of `idv-delete batch`'s CSV: duplicates reported before
//! anything is sent, whitespace trimmed for both vendors, physical line
//! numbers in every row error, a dry run that reads (and never writes) an
//! existing journal, and the emulator's `--write-seeded` file as an input.
//! Each test starts its own emulator on a loopback port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod common;

use common::{applied, idv_delete_with, run, scratch, BIN};
use idv_delete_emulator::{Config, Emulator, SeedItem};
use serde_json::Value;

const HEADER: &str = "vendor,product,region,reference\n";

/// The binary with the emulator's default credentials.
fn idv_delete(home: &Path) -> Command {
    idv_delete_with(home, idv_delete_emulator::DEFAULT_JUMIO_SECRET)
}

/// `idv-delete batch CSV --journal JOURNAL --base-url BASE` plus `extra`.
fn batch(dir: &Path, csv: &Path, journal: &Path, base: &str, extra: &[&str]) -> Command {
    let mut command = idv_delete(dir);
    command
        .arg("batch")
        .arg(csv)
        .arg("--journal")
        .arg(journal)
        .args(["--base-url", base])
        .args(extra);
    command
}

fn assert_contains(text: &str, expected: &str) {
    assert!(
        text.contains(expected),
        "{expected:?} missing from:\n{text}"
    );
}

#[test]
fn duplicates_are_listed_with_both_lines_and_counted_once_before_anything_is_sent() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("duplicates");
    let base = emulator.base_url();
    // Lines 2-4 are three items; line 5 repeats line 3 after trimming and
    // with other letter case in vendor and region; line 6 repeats the
    // HyperVerge id of line 4; then 52 more copies of line 2 (lines 7-58),
    // of which the list shows the first 48 (50 in all) and counts the rest.
    let mut csv = String::from(HEADER);
    csv.push_str("jumio,scan,eu,ref-a\n");
    csv.push_str("jumio,scan,eu,ref-b\n");
    csv.push_str("hyperverge,transaction,,HV-7\n");
    csv.push_str(" JUMIO ,scan,EU, ref-b\n");
    csv.push_str("hyperverge,,,HV-7 \n");
    for _ in 0..52 {
        csv.push_str("jumio,scan,eu,ref-a\n");
    }
    let input = dir.join("in.csv");
    std::fs::write(&input, &csv).unwrap();
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ref-a"),
            SeedItem::new("jumio", "scan", "ref-b"),
            SeedItem::new("hyperverge", "transaction", "HV-7"),
        ])
        .unwrap();
    let journal = dir.join("j");

    // Without --yes and without a terminal the run is refused, after the
    // duplicates and the plan are shown.
    let (code, stdout, stderr) = run(&mut batch(&dir, &input, &journal, &base, &[]));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    for expected in [
        "has 54 duplicate rows",
        "  line 5 repeats line 3 (jumio scan eu ref-b): it is deleted once\n",
        "  line 6 repeats line 4 (hyperverge transaction \"HV-7\"): it is deleted once\n",
        "  line 7 repeats line 2 (jumio scan eu ref-a): it is deleted once\n",
        "  line 54 repeats line 2 (jumio scan eu ref-a): it is deleted once\n",
        "  ... and 4 more\n",
        "jumio           scan                 eu               2\n",
        "hyperverge      transaction          -                1\n",
        "total                                                 3\n",
        "duplicate rows (deleted once)                        54\n",
        "pass --yes",
    ] {
        assert_contains(&stderr, expected);
    }
    assert!(!stderr.contains("line 55 repeats"), "50 listed:\n{stderr}");
    assert_eq!(stderr.matches(" repeats line ").count(), 50, "{stderr}");
    assert!(
        !stderr.contains("invalid"),
        "duplicates are no error:\n{stderr}"
    );
    assert_eq!(emulator.stats().total_requests, 0);
    assert!(!journal.exists(), "no journal for a refused run");

    // A dry run shows them too, and sends nothing.
    let (code, _, stderr) = run(&mut batch(&dir, &input, &journal, &base, &["--dry-run"]));
    assert_eq!(code, 0, "{stderr}");
    assert_contains(&stderr, "line 5 repeats line 3 (jumio scan eu ref-b)");
    assert_eq!(emulator.stats().total_requests, 0);
    assert!(!journal.exists(), "a dry run writes no journal");

    // A confirmed run needs no --skip-invalid, sends each item once and
    // journals the repeats as duplicates.
    let requests = emulator.stats().total_requests;
    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &input,
        &journal,
        &base,
        &["--yes", "--output", "json"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_contains(&stderr, "line 6 repeats line 4");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["failed_total"], 0, "{stdout}");
    assert_eq!(summary["not_found"], 0, "{stdout}");
    assert_eq!(
        emulator.stats().total_requests - requests,
        3,
        "one request per distinct item"
    );
    assert_eq!(applied(&emulator, "jumio", "scan", "ref-a"), 1);
    assert_eq!(applied(&emulator, "jumio", "scan", "ref-b"), 1);
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "HV-7"), 1);
    assert_eq!(emulator.stats().transactions_present, 0);
}

#[test]
fn spaces_and_tabs_around_fields_are_trimmed_for_both_vendors() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("whitespace");
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ref-1"),
            SeedItem::new("jumio", "document", "doc-1"),
            SeedItem::new("hyperverge", "transaction", "HV-7"),
            SeedItem::new("hyperverge", "transaction", "HV-8"),
            SeedItem::new("hyperverge", "transaction", "HV 9"),
        ])
        .unwrap();
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        " vendor , product\t,region ,\treference \n\
         \tjumio , scan ,\teu\t,  ref-1 \n\
         jumio,document,us,\"\tdoc-1 \"\n\
         hyperverge,transaction,, HV-7\n\
         hyperverge , transaction ,  ,\" HV-8\t\"\n\
         hyperverge,,,  HV 9  \n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &input,
        &dir.join("j"),
        &emulator.base_url(),
        &["--yes", "--output", "json"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted"], 5, "{stdout}");
    assert_eq!(applied(&emulator, "jumio", "scan", "ref-1"), 1);
    assert_eq!(applied(&emulator, "jumio", "document", "doc-1"), 1);
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "HV-7"), 1);
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "HV-8"), 1);
    // Inner spaces are the id's own.
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "HV 9"), 1);
    let stats = emulator.stats();
    assert_eq!(stats.deletes_not_found, 0, "{stats:?}");
    assert_eq!(stats.transactions_present, 0);
}

/// Runs a batch over `csv` that must be refused; returns stderr.
fn refused(name: &str, csv: &[u8]) -> String {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch(name);
    let input = dir.join("in.csv");
    std::fs::write(&input, csv).unwrap();
    let journal = dir.join("j");
    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &input,
        &journal,
        &emulator.base_url(),
        &["--yes"],
    ));
    assert_eq!(code, 2, "{name}: {stdout}{stderr}");
    assert_contains(&stderr, "nothing was sent");
    assert_eq!(emulator.stats().total_requests, 0, "{name}");
    assert!(!journal.exists(), "{name}: no journal for a refused run");
    stderr
}

#[test]
fn row_errors_name_the_physical_line_of_the_file() {
    // Blank lines in the middle and at the end (which are no rows).
    let stderr = refused(
        "lines-lf",
        b"vendor,product,region,reference\n\
          jumio,scan,mars,a\n\
          \n\
          \n\
          jumio,scan,eu,bad/1\n\
          jumio,scan,eu,ok-1\n\
          \n\
          jumio,scan,eu\n\
          hyperverge,transaction,eu,t\n\
          \n\
          \n",
    );
    for expected in [
        "has 4 invalid rows:\n",
        "  line 2: unknown Jumio region \"mars\"",
        "  line 5: Jumio reference \"bad/1\"",
        "  line 8: has 3 fields, the header has 4",
        "  line 9: HyperVerge rows have no region",
    ] {
        assert_contains(&stderr, expected);
    }

    // CRLF line ends, with blank CRLF lines.
    let stderr = refused(
        "lines-crlf",
        b"vendor,product,region,reference\r\n\
          jumio,scan,eu,ok-1\r\n\
          jumio,scan,eu,bad/2\r\n\
          \r\n\
          \r\n\
          jumio,scan,mars,b\r\n\
          jumio,scan,eu,ok-2,extra\r\n\
          \r\n",
    );
    for expected in [
        "has 3 invalid rows:\n",
        "  line 3: Jumio reference \"bad/2\"",
        "  line 6: unknown Jumio region \"mars\"",
        "  line 7: has 5 fields, the header has 4",
    ] {
        assert_contains(&stderr, expected);
    }

    // A quoted field spanning lines: the row starts where its first field
    // is, and the rows after it are counted from the file's lines.
    let stderr = refused(
        "lines-quoted",
        b"vendor,product,region,reference\n\
          jumio,scan,eu,ok-1\n\
          hyperverge,transaction,,\"two\nlines\"\n\
          \n\
          jumio,\"scan\",\"e\nu\",c\n\
          jumio,scan,eu,bad/3\n\
          jumio,scan,eu,\"multi\r\nline\"\r\n\
          \r\n\
          jumio,scan,eu\r\n",
    );
    for expected in [
        "has 5 invalid rows:\n",
        "  line 3: HyperVerge transaction id \"two\\nlines\" has the control character U+000A",
        "  line 6: unknown Jumio region \"e\\nu\"",
        "  line 8: Jumio reference \"bad/3\"",
        "  line 9: Jumio reference \"multi\\r\\nline\"",
        "  line 12: has 3 fields, the header has 4",
    ] {
        assert_contains(&stderr, expected);
    }

    // The same file with blank lines before the header: lines are the
    // file's, the header included.
    let stderr = refused(
        "lines-leading-blank",
        b"\n\nvendor,product,region,reference\njumio,scan,eu,bad/4\n",
    );
    assert_contains(&stderr, "  line 4: Jumio reference \"bad/4\"");
}

#[test]
fn skip_invalid_runs_past_rows_csv_refuses() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("skip-invalid");
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ok-1"),
            SeedItem::new("jumio", "scan", "ok-2"),
        ])
        .unwrap();
    let input = dir.join("in.csv");
    let mut csv =
        format!("{HEADER}jumio,scan,eu,ok-1\njumio,scan\njumio,scan,eu,x,y\n").into_bytes();
    csv.extend_from_slice(b"jumio,scan,eu,r\xff\njumio,scan,eu,ok-2\n");
    std::fs::write(&input, csv).unwrap();
    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &input,
        &dir.join("j"),
        &emulator.base_url(),
        &["--yes", "--skip-invalid", "--output", "json"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    for expected in [
        "has 3 invalid rows",
        "line 3: has 2 fields",
        "line 4: has 5 fields",
        "line 5: is not valid UTF-8",
    ] {
        assert_contains(&stderr, expected);
    }
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted"], 2, "{stdout}");
    assert_eq!(applied(&emulator, "jumio", "scan", "ok-2"), 1);
}

#[test]
fn a_dry_run_counts_what_a_resume_would_send_and_leaves_the_journal_alone() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = scratch("dry-run");
    let base = emulator.base_url();
    let mut csv = String::from(HEADER);
    let mut seeded = Vec::new();
    for i in 0..10 {
        let reference = format!("item-{i:02}");
        if i % 3 == 0 {
            csv.push_str(&format!("hyperverge,transaction,,{reference}\n"));
            seeded.push(SeedItem::new("hyperverge", "transaction", &reference));
        } else {
            csv.push_str(&format!("jumio,scan,eu,{reference}\n"));
            seeded.push(SeedItem::new("jumio", "scan", &reference));
        }
    }
    emulator.seed(&seeded).unwrap();
    let input = dir.join("in.csv");
    std::fs::write(&input, &csv).unwrap();
    let journal = dir.join("erasures.journal");

    // No journal yet: the dry run counts every row and creates none.
    let (code, stdout, stderr) = run(&mut batch(&dir, &input, &journal, &base, &["--dry-run"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_contains(
        &stdout,
        "dry run: 10 rows would be sent, 0 are finished in the journal; nothing was sent",
    );
    assert!(!journal.exists(), "a dry run created the journal");

    // A run where HyperVerge refuses the credentials: the 6 Jumio rows are
    // finished, the 4 HyperVerge rows failed and are run again by a resume.
    let (code, stdout, stderr) = run(batch(&dir, &input, &journal, &base, &["--yes"])
        .env("HYPERVERGE_APP_KEY", "not-the-emulator-key"));
    assert_eq!(code, 4, "{stdout}{stderr}");
    let requests = emulator.stats().total_requests;
    let bytes = std::fs::read(&journal).unwrap();
    let modified = std::fs::metadata(&journal).unwrap().modified().unwrap();

    let (code, stdout, stderr) = run(&mut batch(&dir, &input, &journal, &base, &["--dry-run"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_contains(
        &stdout,
        "dry run: 4 rows would be sent, 6 are finished in the journal; nothing was sent",
    );
    assert_contains(&stderr, "reading the journal");
    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &input,
        &journal,
        &base,
        &["--dry-run", "--output", "json"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (&summary["would_delete"], &summary["skipped"]),
        (&Value::from(4), &Value::from(6)),
        "{stdout}"
    );
    assert_eq!(emulator.stats().total_requests, requests, "a dry run sent");
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        bytes,
        "a dry run changed the journal"
    );
    assert_eq!(
        std::fs::metadata(&journal).unwrap().modified().unwrap(),
        modified
    );

    // The resume sends exactly what the dry run said.
    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &input,
        &journal,
        &base,
        &["--yes", "--output", "json"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(emulator.stats().total_requests, requests + 4);
    assert_eq!(emulator.stats().transactions_present, 0);
}

/// Kills the emulator process even when an assertion fails.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET /__emulator/stats` of the emulator at `addr` (host:port).
fn remote_stats(addr: &str) -> Value {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /__emulator/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap()
}

#[test]
fn the_emulators_seeded_file_is_a_batch_input_as_is() {
    let dir = scratch("seeded");
    let seeded = dir.join("seeded.csv");
    let child = Command::new(BIN)
        .args([
            "emulator",
            "--port",
            "0",
            "--seed-random",
            "3",
            "--write-seeded",
        ])
        .arg(&seeded)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    let addr = base.strip_prefix("http://").unwrap().to_owned();
    assert_eq!(remote_stats(&addr)["transactions_present"], 12);

    let (code, stdout, stderr) = run(&mut batch(
        &dir,
        &seeded,
        &dir.join("j"),
        &base,
        &["--yes", "--output", "json"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted"], 12, "3 per vendor and product: {stdout}");
    let stats = remote_stats(&addr);
    assert_eq!(stats["transactions_present"], 0, "{stats}");
    assert_eq!(stats["deletes_applied"], 12, "{stats}");
}
