//! The bad-input catalogue (`tests/vectors/bad_inputs.json`) through the
//! `idv-delete` binary: every entry meant for the CLI goes in as an
//! argument, an environment variable, a config file or a CSV file, and must
//! exit 2 with its phrase on stderr, print nothing on stdout, write no
//! journal, and send no request to the in-process emulator.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use idv_delete_emulator::{Config, Emulator};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_idv-delete");
const CATALOGUE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/bad_inputs.json"
);

/// One catalogue entry, as the CLI sees it.
struct Entry {
    id: String,
    field: String,
    input: Vec<u8>,
    phrase: String,
}

impl Entry {
    fn text(&self) -> String {
        String::from_utf8(self.input.clone())
            .unwrap_or_else(|_| panic!("{}: this field needs UTF-8 input", self.id))
    }
}

fn catalogue() -> Vec<Value> {
    let text = std::fs::read_to_string(CATALOGUE).expect("the catalogue is readable");
    let document: Value = serde_json::from_str(&text).expect("the catalogue is JSON");
    document["entries"]
        .as_array()
        .expect("the catalogue has entries")
        .clone()
}

/// The bytes of an entry: `input` as UTF-8, or `input_hex`.
fn input_bytes(entry: &Value) -> Option<Vec<u8>> {
    if let Some(text) = entry["input"].as_str() {
        return Some(text.as_bytes().to_vec());
    }
    let hex = entry["input_hex"].as_str()?;
    Some(
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("input_hex is hex"))
            .collect(),
    )
}

fn cli_entries() -> Vec<Entry> {
    catalogue()
        .iter()
        .filter(|e| {
            e["surfaces"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s == "cli"))
        })
        .map(|e| Entry {
            id: e["id"].as_str().unwrap().to_owned(),
            field: e["field"].as_str().unwrap().to_owned(),
            input: input_bytes(e).unwrap_or_else(|| panic!("{e}: the CLI needs an input")),
            phrase: e["cli_phrase"]
                .as_str()
                .or(e["phrase"].as_str())
                .unwrap()
                .to_owned(),
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("idv-delete-bad-inputs-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with valid emulator credentials and nothing else from our
/// environment.
fn idv_delete(home: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("JUMIO_API_TOKEN", idv_delete_emulator::DEFAULT_JUMIO_TOKEN)
        .env(
            "JUMIO_API_SECRET",
            idv_delete_emulator::DEFAULT_JUMIO_SECRET,
        )
        .env("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0")
        .env(
            "HYPERVERGE_APP_ID",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_ID,
        )
        .env(
            "HYPERVERGE_APP_KEY",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
        )
        .stdin(Stdio::null());
    command
}

/// The command that puts `entry` where its field goes.
fn command_for(entry: &Entry, base: &str, dir: &Path) -> Command {
    let mut command = idv_delete(dir);
    let jumio = |command: &mut Command| {
        command.args([
            "jumio",
            "scan",
            "ref-1",
            "--region",
            "eu",
            "--base-url",
            base,
        ]);
    };
    let hyperverge = |command: &mut Command| {
        command.args(["hyperverge", "txn-1", "--base-url", base]);
    };
    let batch = |command: &mut Command, csv: &[u8]| {
        let file = dir.join("input.csv");
        std::fs::write(&file, csv).unwrap();
        command
            .arg("batch")
            .arg(&file)
            .arg("--journal")
            .arg(dir.join("journal"))
            .args(["--yes", "--base-url", base]);
    };
    match entry.field.as_str() {
        "jumio_reference" => {
            command
                .args(["jumio", "scan"])
                .arg(OsString::from_vec(entry.input.clone()))
                .args(["--region", "eu", "--base-url", base]);
        }
        "hyperverge_id" => {
            command
                .arg("hyperverge")
                .arg(OsString::from_vec(entry.input.clone()))
                .args(["--base-url", base]);
        }
        "base_url" => {
            command
                .args(["jumio", "scan", "ref-1", "--region", "eu", "--base-url"])
                .arg(entry.text());
        }
        "hyperverge_host" => {
            command
                .args(["hyperverge", "txn-1", "--host"])
                .arg(entry.text());
        }
        "user_agent" => {
            jumio(command.env("JUMIO_USER_AGENT", entry.text()));
        }
        "jumio_token" => {
            jumio(command.env("JUMIO_API_TOKEN", entry.text()));
        }
        "jumio_secret" => {
            jumio(command.env("JUMIO_API_SECRET", entry.text()));
        }
        "hyperverge_app_id" => {
            hyperverge(command.env("HYPERVERGE_APP_ID", entry.text()));
        }
        "hyperverge_app_key" => {
            hyperverge(command.env("HYPERVERGE_APP_KEY", entry.text()));
        }
        "region" => {
            // No --region: the default region comes from the config file.
            let config = dir.join("config.toml");
            let value = serde_json::to_string(&entry.text()).unwrap();
            std::fs::write(&config, format!("[jumio]\nregion = {value}\n")).unwrap();
            command
                .args(["jumio", "scan", "ref-1", "--base-url", base, "--config"])
                .arg(&config);
        }
        "jumio_product" => {
            let csv = format!(
                "vendor,product,region,reference\njumio,{},eu,ref-1\n",
                entry.text()
            );
            batch(&mut command, csv.as_bytes());
        }
        "csv" => batch(&mut command, &entry.input),
        other => panic!("{}: no CLI mapping for the field {other:?}", entry.id),
    }
    command
}

#[test]
fn every_bad_input_is_refused_with_a_specific_message_and_nothing_is_sent() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.seed_one("jumio", "scan", "ref-1").unwrap();
    emulator
        .seed_one("hyperverge", "transaction", "txn-1")
        .unwrap();
    let base = emulator.base_url();
    let entries = cli_entries();
    assert!(
        entries.len() >= 50,
        "the catalogue has {} CLI entries",
        entries.len()
    );
    let mut problems = Vec::new();
    for entry in &entries {
        let dir = scratch(&entry.id);
        let output = command_for(entry, &base, &dir).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut wrong = Vec::new();
        if output.status.code() != Some(2) {
            wrong.push(format!("exit {:?}, expected 2", output.status.code()));
        }
        if !stderr.contains(&entry.phrase) {
            wrong.push(format!("stderr lacks {:?}", entry.phrase));
        }
        if !stdout.is_empty() {
            wrong.push("printed on stdout".to_owned());
        }
        if dir.join("journal").exists() {
            wrong.push("wrote a journal".to_owned());
        }
        let sent = emulator.stats().total_requests;
        if sent != 0 {
            wrong.push(format!("{sent} request(s) reached the emulator"));
            emulator.reset();
            emulator.seed_one("jumio", "scan", "ref-1").unwrap();
            emulator
                .seed_one("hyperverge", "transaction", "txn-1")
                .unwrap();
        }
        if !wrong.is_empty() {
            problems.push(format!(
                "{} ({}): {}\n  stdout: {stdout}\n  stderr: {stderr}",
                entry.id,
                entry.field,
                wrong.join("; ")
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        problems.is_empty(),
        "{} of {} bad inputs were not refused properly:\n{}",
        problems.len(),
        entries.len(),
        problems.join("\n")
    );
}

/// The catalogue itself: unique ids, known fields and kinds, a phrase for
/// every entry that has a message, at least 50 entries.
#[test]
fn the_catalogue_is_well_formed() {
    let entries = catalogue();
    assert!(entries.len() >= 50, "{} entries", entries.len());
    let mut ids = std::collections::BTreeSet::new();
    for entry in &entries {
        let id = entry["id"].as_str().expect("an id");
        assert!(ids.insert(id.to_owned()), "{id} is repeated");
        let kind = entry["kind"].as_str().expect("a kind");
        assert!(
            [
                "invalid_reference",
                "invalid_config",
                "invalid_utf8",
                "null_argument"
            ]
            .contains(&kind),
            "{id}: kind {kind}"
        );
        let surfaces = entry["surfaces"].as_array().expect("surfaces");
        assert!(!surfaces.is_empty(), "{id}: no surface");
        let c_only = kind == "invalid_utf8" || kind == "null_argument";
        assert!(
            c_only || !entry["phrase"].as_str().unwrap_or("").is_empty(),
            "{id}: no phrase"
        );
        assert!(
            entry["input"].is_string() || entry["input_hex"].is_string() || kind == "null_argument",
            "{id}: no input"
        );
    }
}
