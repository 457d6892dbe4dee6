//! `to_request` + `parse_response` per deletion, for each vendor.
//!
//! Run with `cargo bench -p idv-delete-core`. The instruction count comes from
//! `examples/roundtrip_loop.rs` under callgrind (see the README).

use divan::black_box;
use idv_delete_core::{
    parse_response, to_request, Credentials, DeleteIntent, Endpoint, HyperVergeCredentials,
    JumioCredentials, JumioProduct, Region,
};

fn main() {
    divan::main();
}

#[divan::bench]
fn jumio(bencher: divan::Bencher) {
    let credentials = Credentials::from(
        JumioCredentials::new("bench-token", "bench-secret", "Acme KYC-Cleaner/1.0").unwrap(),
    );
    let endpoint = Endpoint::Documented;
    let response = http::Response::builder()
        .status(200)
        .body(&b""[..])
        .unwrap();
    let (parts, body) = response.into_parts();
    bencher.bench_local(|| {
        let intent = DeleteIntent::jumio(
            JumioProduct::IdVerification,
            Region::Us,
            black_box("2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"),
        )
        .unwrap();
        let request = to_request(&intent, &endpoint, &credentials).unwrap();
        let response = http::Response::from_parts(parts.clone(), body);
        (request, parse_response(&intent, response).unwrap())
    });
}

#[divan::bench]
fn hyperverge(bencher: divan::Bencher) {
    let credentials =
        Credentials::from(HyperVergeCredentials::new("bench-app-id", "bench-app-key").unwrap());
    let endpoint = Endpoint::Documented;
    let body: &[u8] = br#"{"status":"success","statusCode":"200","message":"Transaction deleted successfully","deletedAudits":["txn-1-audit-1"]}"#;
    let response = http::Response::builder().status(200).body(body).unwrap();
    let (parts, body) = response.into_parts();
    bencher.bench_local(|| {
        let intent = DeleteIntent::hyperverge(black_box("txn-2b6f4c1e-9d1a")).unwrap();
        let request = to_request(&intent, &endpoint, &credentials).unwrap();
        let response = http::Response::from_parts(parts.clone(), body);
        (request, parse_response(&intent, response).unwrap())
    });
}
