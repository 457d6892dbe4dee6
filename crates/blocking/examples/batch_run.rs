//! The Rust contender of `bench/run`: deletes every row of a batch CSV
//! (`vendor,product,region,reference`: Jumio scans, Jumio Platform
//! accounts, HyperVerge transactions) with `Client::delete_many`, and prints
//! the report as JSON.
//!
//! ```text
//! batch_run BASE_URL CSV CONCURRENCY [RATE] [adaptive] [no-windows]
//! ```
//!
//! `no-windows` lifts every vendor's documented request windows (the
//! Jumio Platform's 15 per second would otherwise bound the platform row,
//! and the emulator has no tenant limit to keep).
//!
//! It takes the emulator's default credentials and no journal: the harness
//! measures the client itself (its CPU time comes from the harness's
//! `wait4`, so this program reads no clock of its own but the report's).

use std::env;
use std::fs::File;
use std::io::{BufRead, BufReader};

use idv_delete_blocking::{
    BatchOptions, Client, DeleteIntent, HyperVergeCredentials, JumioCredentials,
    JumioPlatformCredentials, RetryBudget, Target, Vendor,
};

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let [base_url, csv, concurrency, rest @ ..] = args.as_slice() else {
        eprintln!("usage: batch_run BASE_URL CSV CONCURRENCY [RATE] [adaptive] [no-windows]");
        std::process::exit(2);
    };
    let client = Client::builder()
        .jumio(
            JumioCredentials::new("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0")
                .expect("credentials"),
        )
        .jumio_platform(
            JumioPlatformCredentials::new(
                "emulator-client-id",
                "emulator-client-secret",
                "Acme KYC-Cleaner/1.0",
            )
            .expect("credentials"),
        )
        .hyperverge(
            HyperVergeCredentials::new("emulator-app-id", "emulator-app-key").expect("credentials"),
        )
        .base_url(base_url)
        .retry_budget(RetryBudget::unlimited())
        .build()
        .expect("client");
    let rows = BufReader::new(File::open(csv).expect("CSV file"))
        .lines()
        .skip(1)
        .map(|line| {
            let line = line.expect("CSV line");
            let fields: Vec<&str> = line.splitn(4, ',').collect();
            let target = Target::parse(fields[0], fields[1], Some(fields[2])).expect("target");
            DeleteIntent::new(target, fields[3]).expect("valid reference")
        });
    let mut options =
        BatchOptions::default().concurrency(concurrency.parse().expect("concurrency"));
    for arg in rest {
        options = match arg.as_str() {
            "adaptive" => options.adaptive_rate(true),
            "no-windows" => Vendor::ALL.into_iter().fold(options, |options, vendor| {
                options.vendor_windows(vendor, Vec::new())
            }),
            rate => options.rate(rate.parse().expect("rate")),
        };
    }
    let report = client.delete_many(rows, options).expect("batch");
    println!(
        "{{\"deleted\":{},\"not_found\":{},\"failed\":{},\"attempts\":{},\"token_requests\":{},\"elapsed\":{}}}",
        report.deleted(),
        report.not_found,
        report.failed_total(),
        report.attempts,
        report.token_requests,
        report.elapsed.as_secs_f64()
    );
}
