//! An HTML page answered with 200 in front of the vendors (a captive
//! portal, a TLS-intercepting gateway, a wrong `--base-url`) must never be
//! reported as deleted: `idv-delete jumio ...`, `idv-delete hyperverge ...`
//! and `idv-delete batch` exit with 4 (failed), say what to check, and the
//! journal records no deletion.
//!
//! The emulator only speaks the vendors' APIs, so a tiny loopback server
//! here plays the proxy: it answers every request with the same HTML 200.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

const BIN: &str = env!("CARGO_BIN_EXE_idv-delete");
const SECRET: &str = "CANARY-html-proxy-secret-81c2";
const LOGIN_PAGE: &str =
    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Login</body></html>\n";

/// The captive portal: every request gets `200 OK`, `text/html`, a login
/// page. Counts the requests it answered. Runs until the test process ends.
struct Portal {
    base_url: String,
    requests: Arc<AtomicUsize>,
}

impl Portal {
    fn start() -> Portal {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counter = Arc::clone(&counter);
                thread::spawn(move || answer(stream, &counter));
            }
        });
        Portal { base_url, requests }
    }
}

/// Reads one request (head and `Content-Length` body) and answers the page.
fn answer(stream: TcpStream, requests: &AtomicUsize) {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: Text/HTML; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{LOGIN_PAGE}",
        LOGIN_PAGE.len()
    );
    let _ = reader.get_mut().write_all(response.as_bytes());
}

fn idv_delete(home: &PathBuf) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("JUMIO_API_TOKEN", "token")
        .env("JUMIO_API_SECRET", SECRET)
        .env("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0")
        .env("HYPERVERGE_APP_ID", "app-id")
        .env("HYPERVERGE_APP_KEY", SECRET)
        .stdin(Stdio::null());
    command
}

/// Runs `command`: its exit code, stdout, and stdout and stderr together.
fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let text = format!("{stdout}{}", String::from_utf8_lossy(&stderr));
    assert!(!text.contains(SECRET), "a secret was printed:\n{text}");
    (status.code().unwrap_or(-1), stdout, text)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("idv-delete-html-proxy-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the output must say: not deleted, why, and what to check.
fn assert_explained(what: &str, text: &str) {
    assert!(
        !text.contains("deleted    "),
        "{what}: reported deleted:\n{text}"
    );
    for needed in [
        "HTML page",
        "proxy",
        "base URL",
        "Nothing is known to be deleted",
    ] {
        assert!(text.contains(needed), "{what}: no {needed:?} in:\n{text}");
    }
}

#[test]
fn an_html_200_fails_single_deletions_of_both_vendors_with_exit_4() {
    let portal = Portal::start();
    let home = scratch("single");
    let (code, _, text) = run(idv_delete(&home).args([
        "jumio",
        "scan",
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
        "--region",
        "eu",
        "--base-url",
        &portal.base_url,
    ]));
    assert_eq!(code, 4, "jumio: {text}");
    assert_explained("jumio", &text);

    let (code, stdout, text) = run(idv_delete(&home).args([
        "hyperverge",
        "acme-customer-42",
        "--base-url",
        &portal.base_url,
        "--output",
        "json",
    ]));
    assert_eq!(code, 4, "hyperverge: {text}");
    let items: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("hyperverge JSON: {e}: {text}"));
    let item = &items[0];
    assert_eq!(item["result"], "failed", "{text}");
    assert_eq!(item["error"], "unexpected_response", "{text}");
    assert_explained("hyperverge", item["message"].as_str().unwrap_or(""));
    assert_eq!(item["status"], 200, "{text}");
    assert_eq!(item["in_doubt"], true, "{text}");
    assert!(
        item.get("confirmed_by").is_none_or(|c| c.is_null()),
        "{text}"
    );

    // Not retried: one request per deletion.
    assert_eq!(portal.requests.load(Ordering::SeqCst), 2);
}

#[test]
fn an_html_200_fails_a_batch_with_exit_4_and_journals_no_deletion() {
    let portal = Portal::start();
    let dir = scratch("batch");
    let csv = dir.join("in.csv");
    let journal = dir.join("erasures.journal");
    std::fs::write(
        &csv,
        "vendor,product,region,reference\njumio,scan,eu,ref-1\njumio,document,us,doc-1\nhyperverge,transaction,,txn-1\n",
    )
    .unwrap();
    let (code, stdout, text) = run(idv_delete(&dir)
        .arg("batch")
        .arg(&csv)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--output", "json", "--base-url", &portal.base_url]));
    assert_eq!(code, 4, "{text}");
    let summary: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("batch JSON: {e}: {text}"));
    assert_eq!(summary["deleted"], 0, "{text}");
    assert_eq!(summary["failed"]["unexpected_response"], 3, "{text}");
    assert_eq!(portal.requests.load(Ordering::SeqCst), 3);

    // The journal holds three outcomes, none of them a deletion.
    let records = std::fs::read_to_string(&journal).unwrap();
    let outcomes: Vec<serde_json::Value> = records
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|record| record.to_string().contains("unexpected_response"))
        .collect();
    assert_eq!(outcomes.len(), 3, "{records}");
    assert!(
        !records.contains("\"confirmed_by\""),
        "a deletion was journalled:\n{records}"
    );
    assert!(!records.contains(SECRET));
}
