//! The single commands' failure lines name the cause of a transport
//! failure (the TLS problem, the refused connection) and say the attempts
//! once; `--help` lists the core's products and regions.

use std::io::Write;
use std::net::TcpListener;

mod common;

use common::*;
use idv_delete_emulator::Faults;

/// An `https://` base URL whose server speaks no TLS: it answers every
/// connection with a line of plain text, which fails the handshake.
fn not_tls() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.write_all(b"plain text, not TLS\r\n");
        }
    });
    base
}

#[test]
fn a_tls_failure_names_its_cause() {
    let emulator = emulator();
    let base = not_tls();
    let (code, stdout, _) = run(idv_delete(&emulator).args([
        "jumio",
        "scan",
        "ref-tls",
        "--region",
        "eu",
        "--base-url",
        &base,
    ]));
    assert_eq!(code, 4, "{stdout}");
    assert!(
        stdout.starts_with("failed     jumio/scan/eu/ref-tls: TLS failure"),
        "{stdout}"
    );
    let (_, cause) = stdout.split_once("; cause: ").expect("the cause is named");
    assert!(
        cause.contains("corrupt message") || cause.to_lowercase().contains("tls"),
        "the cause names the TLS problem: {stdout}"
    );
    assert_eq!(stdout.matches("cause:").count(), 1, "{stdout}");
}

#[test]
fn retried_failures_say_their_attempts_once() {
    let emulator = emulator();
    emulator
        .set_faults(Faults {
            p503: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let (code, stdout, _) = run(idv_delete(&emulator).args([
        "hyperverge",
        "txn-503",
        "--max-attempts",
        "2",
        "--base-url",
        &emulator.base_url(),
    ]));
    assert_eq!(code, 4, "{stdout}");
    assert_eq!(stdout.matches("attempts").count(), 1, "{stdout}");
    assert!(stdout.trim_end().ends_with("after 2 attempts"), "{stdout}");

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (code, stdout, _) = run(idv_delete(&emulator).args([
        "hyperverge",
        "txn-refused",
        "--max-attempts",
        "1",
        "--base-url",
        &base,
    ]));
    assert_eq!(code, 4, "{stdout}");
    assert!(stdout.contains("could not connect"), "{stdout}");
    assert!(
        stdout.contains("; cause: "),
        "the refusal is named: {stdout}"
    );
}

#[test]
fn products_and_regions_are_the_cores() {
    let emulator = emulator();
    let (code, stdout, _) = run(idv_delete(&emulator).args(["jumio", "--help"]));
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("[possible values: scan, authentication, document]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[possible values: us, eu, sgp]"),
        "{stdout}"
    );

    // The core's aliases and case rules hold on the command line too.
    emulator.seed_one("jumio", "document", "doc-alias").unwrap();
    let (code, stdout, stderr) = run(idv_delete(&emulator).args([
        "jumio",
        "Document_Verification",
        "doc-alias",
        "--region",
        "US",
        "--base-url",
        &emulator.base_url(),
    ]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("deleted    jumio/document/us/doc-alias"),
        "{stdout}"
    );

    let (code, _, stderr) =
        run(idv_delete(&emulator).args(["jumio", "scan", "r", "--region", "mars"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("'--region <REGION>'"), "{stderr}");
    assert!(stderr.contains("use us, eu or sgp"), "{stderr}");
}
