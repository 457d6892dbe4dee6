//! `to_request` + `parse_response` in a loop, for counting instructions:
//!
//! ```text
//! cargo build --profile profiling -p idv-delete-core --example roundtrip_loop
//! valgrind --tool=callgrind target/profiling/examples/roundtrip_loop jumio 10000
//! callgrind_annotate callgrind.out.*
//! ```
//!
//! The `profiling` profile is the release build with symbols (release
//! ships without them): the same code, so the same counts, with names.
//!
//! Divide the total by the iteration count; run it with 0 iterations too and
//! subtract, so start-up is not counted.

use std::hint::black_box;

use idv_delete_core::{
    parse_response, to_request, Credentials, DeleteIntent, Endpoint, HyperVergeCredentials,
    JumioCredentials, JumioProduct, Region,
};

const HYPERVERGE_OK: &[u8] = br#"{"status":"success","statusCode":"200","message":"Transaction deleted successfully","deletedAudits":["txn-1-audit-1"]}"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let vendor = args.next().unwrap_or_else(|| "jumio".into());
    let iterations: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let (credentials, body): (Credentials, &[u8]) = match vendor.as_str() {
        "jumio" => (
            JumioCredentials::new("bench-token", "bench-secret", "Acme KYC-Cleaner/1.0")
                .expect("valid credentials")
                .into(),
            b"",
        ),
        _ => (
            HyperVergeCredentials::new("bench-app-id", "bench-app-key")
                .expect("valid credentials")
                .into(),
            HYPERVERGE_OK,
        ),
    };
    let endpoint = Endpoint::Documented;
    let mut audits = 0;
    for _ in 0..iterations {
        let intent = if vendor == "jumio" {
            DeleteIntent::jumio(
                JumioProduct::IdVerification,
                Region::Us,
                black_box("2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"),
            )
        } else {
            DeleteIntent::hyperverge(black_box("txn-2b6f4c1e-9d1a"))
        }
        .expect("valid reference");
        let request = to_request(&intent, &endpoint, &credentials).expect("request");
        black_box(&request);
        let response = http::Response::builder()
            .status(200)
            .body(body)
            .expect("response");
        audits += parse_response(&intent, response)
            .expect("deleted")
            .deleted()
            .map_or(0, |deleted| deleted.audits.len());
    }
    println!("{vendor}: {iterations} iterations, {audits} audits");
}
