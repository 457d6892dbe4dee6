//! The `idv-delete-emulator` binary: first line, seeding, one request, kill.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::*;

/// Kills the emulator and removes its file even when an assertion fails.
struct Cleanup(Child, PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_file(&self.1);
    }
}

#[test]
fn binary_prints_its_url_first_and_serves_seeded_references() {
    let csv = std::env::temp_dir().join(format!("idv-emulator-seeded-{}.csv", std::process::id()));
    let child = Command::new(env!("CARGO_BIN_EXE_idv-delete-emulator"))
        .args(["--port", "0", "--seed-random", "2", "--write-seeded"])
        .arg(&csv)
        .args(["--jumio-token", "tok", "--p500", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut child = Cleanup(child, csv.clone());
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    {
        let url = first
            .trim_end()
            .strip_prefix("listening on http://127.0.0.1:")
            .expect("first line format");
        let port: u16 = url.parse().expect("port");
        assert_ne!(port, 0);

        let seeded = std::fs::read_to_string(&csv).expect("seeded CSV");
        let mut lines = seeded.lines();
        assert_eq!(lines.next(), Some("vendor,product,region,reference"));
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 8, "2 per vendor and product");
        for row in &rows {
            let region = if row[0] == "jumio" { "us" } else { "" };
            assert_eq!(row[2], region, "{row:?}");
        }
        let scan = rows.iter().find(|r| r[1] == "scan").expect("a scan");

        let addr = ([127, 0, 0, 1], port).into();
        let mut conn = Conn::open(addr);
        let auth = basic("tok", "emulator-secret");
        let path = format!("DELETE /api/netverify/v2/scans/{}", scan[3]);
        let headers = [
            ("User-Agent", "Test/1"),
            ("Accept", "application/json"),
            ("Authorization", auth.as_str()),
        ];
        assert_eq!(conn.send(&path, &headers, b"").expect("r").status, 200);
        assert_eq!(conn.send(&path, &headers, b"").expect("r").status, 404);
    }
}

#[test]
fn binary_rejects_invalid_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_idv-delete-emulator"))
        .args(["--port", "0", "--p500", "1.5"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("p500"));
    assert!(out.stdout.is_empty());
}
