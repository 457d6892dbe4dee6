//! The Rust side of the Python binding's benchmarks (`examples/bench.py`):
//! the same deletions through the Rust client, so the binding's cost can be
//! told apart from the client's and the emulator's.
//!
//! ```text
//! rust_baseline BASE_URL single REFS_FILE        # sequential Client::delete
//! rust_baseline BASE_URL batch:8 REFS_FILE       # Client::delete_many, 8 workers
//! ```
//!
//! `REFS_FILE` holds one seeded Jumio scan reference per line. Prints one
//! line: `elapsed_seconds deleted_count`. In `single` mode the first tenth
//! of the references warms the process up (connection, allocator, caches)
//! untimed and uncounted, as `bench.py` does on the Python side.

use std::env;
use std::fs;
use std::process::ExitCode;
use std::time::Instant;

use idv_delete_blocking::{
    BatchOptions, Client, DeleteIntent, JumioCredentials, JumioProduct, Region,
};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().collect();
    let [_, base_url, mode, refs_file] = args.as_slice() else {
        eprintln!("usage: rust_baseline BASE_URL single|batch:N REFS_FILE");
        return ExitCode::from(2);
    };
    let client = Client::builder()
        .jumio(
            JumioCredentials::new("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0")
                .expect("credentials"),
        )
        .base_url(base_url)
        .build()
        .expect("client");
    let text = fs::read_to_string(refs_file).expect("references file");
    let intents: Vec<DeleteIntent> = text
        .lines()
        .map(|r| DeleteIntent::jumio(JumioProduct::IdVerification, Region::Us, r).expect("ref"))
        .collect();
    let deleted = |intents: &[DeleteIntent]| {
        intents
            .iter()
            .filter(|intent| client.delete(intent).is_ok())
            .count() as u64
    };
    let (warm_up, timed) = intents.split_at(intents.len() / 10);
    if mode == "single" {
        deleted(warm_up);
    }
    let started = Instant::now();
    let deleted = match mode.strip_prefix("batch:") {
        None => deleted(timed),
        Some(workers) => {
            let options = BatchOptions::new().concurrency(workers.parse().expect("workers"));
            client
                .delete_many(intents, options)
                .expect("batch")
                .deleted()
        }
    };
    println!("{} {deleted}", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
