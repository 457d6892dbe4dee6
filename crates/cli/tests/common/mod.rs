//! What the CLI's end-to-end tests share: the emulator, the binary with
//! the emulator's credentials, scratch directories, CSV rows.
#![allow(dead_code)] // Each test file uses its own part.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use idv_delete_emulator::{Config, Emulator, SeedItem};

pub const BIN: &str = env!("CARGO_BIN_EXE_idv-delete");
pub const CANARY_SECRET: &str = "CANARY-cli-secret-5d1f";

pub fn emulator() -> Emulator {
    Emulator::start(Config {
        jumio_secret: CANARY_SECRET.into(),
        ..Config::default()
    })
    .unwrap()
}

/// The binary with the emulator's credentials in its environment (the
/// Jumio secret a canary) and nothing else from ours (no config file, no
/// real credentials).
pub fn idv_delete(emulator: &Emulator) -> Command {
    let mut command = idv_delete_with(&scratch("home"), CANARY_SECRET);
    command.env("IDV_DELETE_TEST_BASE", emulator.base_url());
    command
}

/// The binary with the emulator's default credentials but `jumio_secret`,
/// `home` as its HOME, and nothing else from our environment.
pub fn idv_delete_with(home: &Path, jumio_secret: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("JUMIO_API_TOKEN", idv_delete_emulator::DEFAULT_JUMIO_TOKEN)
        .env("JUMIO_API_SECRET", jumio_secret)
        .env("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0")
        .env(
            "JUMIO_CLIENT_ID",
            idv_delete_emulator::DEFAULT_JUMIO_CLIENT_ID,
        )
        .env(
            "JUMIO_CLIENT_SECRET",
            idv_delete_emulator::DEFAULT_JUMIO_CLIENT_SECRET,
        )
        .env(
            "HYPERVERGE_APP_ID",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_ID,
        )
        .env(
            "HYPERVERGE_APP_KEY",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
        )
        .env(
            "ONFIDO_API_TOKEN",
            idv_delete_emulator::DEFAULT_ONFIDO_API_TOKEN,
        )
        .env(
            "PERSONA_API_KEY",
            idv_delete_emulator::DEFAULT_PERSONA_API_KEY,
        )
        .env(
            "STRIPE_SECRET_KEY",
            idv_delete_emulator::DEFAULT_STRIPE_SECRET_KEY,
        )
        .env(
            "VERIFF_API_KEY",
            idv_delete_emulator::DEFAULT_VERIFF_API_KEY,
        )
        .env(
            "VERIFF_SHARED_SECRET",
            idv_delete_emulator::DEFAULT_VERIFF_SHARED_SECRET,
        )
        .stdin(Stdio::null());
    command
}

pub fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    );
    assert!(
        !stdout.contains(CANARY_SECRET) && !stderr.contains(CANARY_SECRET),
        "a secret was printed:\n{stdout}\n{stderr}"
    );
    (status.code().unwrap_or(-1), stdout, stderr)
}

/// A fresh directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("idv-delete-cli-tests-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

pub fn applied(emulator: &Emulator, vendor: &str, product: &str, reference: &str) -> u64 {
    emulator
        .stats()
        .reference(vendor, product, reference)
        .map_or(0, |r| r.applied)
}

pub const CSV_HEADER: &str = "vendor,product,region,reference\n";

pub fn seed_batch(emulator: &Emulator, n: usize) -> String {
    let mut csv = CSV_HEADER.to_owned();
    let mut items = Vec::new();
    for i in 0..n {
        let reference = format!("batch-{i:04}");
        if i % 3 == 0 {
            items.push(SeedItem::new("hyperverge", "transaction", &reference));
            csv.push_str(&format!("hyperverge,transaction,,{reference}\n"));
        } else {
            items.push(SeedItem::new("jumio", "scan", &reference));
            csv.push_str(&format!("jumio,scan,eu,{reference}\n"));
        }
    }
    emulator.seed(&items).unwrap();
    csv
}

/// A UUID-shaped id, distinct for each `n` (Jumio Platform ids are UUIDs).
pub fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}
