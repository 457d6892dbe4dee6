//! Orderly stops: `idv-delete batch` and `idv-delete jumio scan`, against
//! an emulator that answers every request 429 with `Retry-After: 60`, are
//! sent SIGINT or SIGTERM during the pause. Each must exit within a
//! generous bound (the target is 2 s) with 130 or 143, print its summary
//! and say how to resume. The measured seconds are printed (run with
//! `--nocapture` to see them).

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::{idv_delete_with, scratch};
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

/// Time for the command to start and meet its first 429.
const SETTLE: Duration = Duration::from_millis(1500);
/// Generous: the target is 2 s, the machine is shared.
const BOUND: Duration = Duration::from_secs(10);

fn emulator() -> Emulator {
    let emulator = Emulator::start(Config {
        faults: Faults {
            p429: 1.0,
            retry_after_secs: 60,
            ..Faults::default()
        },
        ..Config::default()
    })
    .expect("emulator starts");
    let items: Vec<SeedItem> = (0..20)
        .map(|i| SeedItem::new("jumio", "scan", &format!("stop-{i}")))
        .collect();
    emulator.seed(&items).unwrap();
    emulator
}

/// `idv-delete` with the emulator's credentials and nothing else from our
/// environment; output captured.
fn idv_delete(home: &Path) -> Command {
    let mut command = idv_delete_with(home, idv_delete_emulator::DEFAULT_JUMIO_SECRET);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// Sends `signal` ("INT" or "TERM") to `child` with kill(1): the tests
/// need no unsafe code.
fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill(1) runs");
    assert!(status.success(), "kill -{signal} failed");
}

/// Starts `command`, signals it after [`SETTLE`], and waits for it (killing
/// it past [`BOUND`]): (exit code, stdout, stderr, seconds from the signal).
fn stop(mut command: Command, signal: &str) -> (Option<i32>, String, String, f64) {
    let mut child = command.spawn().expect("idv-delete starts");
    thread::sleep(SETTLE);
    assert!(
        child.try_wait().unwrap().is_none(),
        "the command ended before the signal: it should be paused for 60 s"
    );
    send(&child, signal);
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > BOUND * 3 {
            let _ = child.kill();
            panic!("no exit {:?} after SIG{signal}", signalled.elapsed());
        }
        thread::sleep(Duration::from_millis(20));
    };
    let took = signalled.elapsed().as_secs_f64();
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stdout, stderr, took)
}

fn batch(signal: &str, expected: i32) {
    let emulator = emulator();
    let dir = scratch(&format!("batch-{signal}"));
    let csv = dir.join("rows.csv");
    let mut text = String::from("vendor,product,region,reference\n");
    for i in 0..20 {
        text.push_str(&format!("jumio,scan,eu,stop-{i}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let journal = dir.join("rows.journal");
    let mut command = idv_delete(&dir);
    command
        .arg("batch")
        .arg(&csv)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--concurrency", "4", "--base-url"])
        .arg(emulator.base_url());
    let (code, stdout, stderr, took) = stop(command, signal);
    println!("batch, 20 rows, Retry-After 60: exited {took:.3} s after SIG{signal}");
    assert_eq!(code, Some(expected), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(took < BOUND.as_secs_f64(), "{took:.3} s after SIG{signal}");
    assert!(
        stdout.contains("failed: cancelled"),
        "the summary counts the items cut short:\n{stdout}"
    );
    assert!(stdout.contains("journal:"), "{stdout}");
    assert!(
        stderr.contains("run the same command again to resume"),
        "{stderr}"
    );
    let journaled = std::fs::read_to_string(&journal).unwrap();
    assert!(journaled.contains("\"cancelled\""), "{journaled}");
}

fn single(signal: &str, expected: i32) {
    let emulator = emulator();
    let dir = scratch(&format!("single-{signal}"));
    let mut command = idv_delete(&dir);
    command
        .args(["jumio", "scan", "stop-1", "stop-2", "--region", "eu"])
        .arg("--base-url")
        .arg(emulator.base_url());
    let (code, stdout, stderr, took) = stop(command, signal);
    println!("jumio scan, Retry-After 60: exited {took:.3} s after SIG{signal}");
    assert_eq!(code, Some(expected), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(took < BOUND.as_secs_f64(), "{took:.3} s after SIG{signal}");
    assert!(
        stdout.contains("failed     jumio") && stdout.contains("cancelled"),
        "the item cut short is reported:\n{stdout}"
    );
    assert!(
        stderr.contains("0 of 2 finished") && stderr.contains("stop-1 stop-2"),
        "says what to run again:\n{stderr}"
    );
}

#[test]
fn sigint_stops_a_paused_batch_with_130() {
    batch("INT", 130);
}

#[test]
fn sigterm_stops_a_paused_batch_with_143() {
    batch("TERM", 143);
}

#[test]
fn sigint_stops_a_paused_single_deletion_with_130() {
    single("INT", 130);
}

#[test]
fn sigterm_stops_a_paused_single_deletion_with_143() {
    single("TERM", 143);
}
