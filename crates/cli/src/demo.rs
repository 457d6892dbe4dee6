//! `idv-delete demo`: the whole job on the embedded emulator.
//!
//! Starts the emulator on a free loopback port with transactions for every
//! Jumio product and region, Jumio Platform accounts and workflow
//! executions (OAuth2 tokens included), and HyperVerge, injects a few faults (5xx,
//! 429 with Retry-After, connection resets before and after the delete is
//! applied, latency), writes the CSV, runs the batch with progress and a
//! journal exactly as `idv-delete batch` does, and then asks the emulator
//! whether every transaction was erased exactly once.

use std::io::Write;
use std::path::PathBuf;

use idv_delete_blocking::{
    CancelToken, Client, HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials,
    JumioProduct, Region, RetryPolicy,
};
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

use crate::args::{BatchArgs, ConnectionArgs, DemoArgs, Output};
use crate::batch::{self, Setup};
use crate::csv_input::Input;
use crate::failure::{Failure, EXIT_FAILED, EXIT_OK};

/// The faults the demo injects: a few of each kind, on a fixed seed.
fn demo_faults() -> Faults {
    Faults {
        seed: 2026,
        p500: 0.01,
        p503: 0.01,
        p429: 0.01,
        retry_after_secs: 1,
        p_reset_before: 0.01,
        p_reset_after: 0.01,
        latency_ms: 1,
        latency_jitter_ms: 4,
        ..Faults::default()
    }
}

/// Runs the demo; the exit code is 0 only if the emulator confirms that
/// every transaction was erased exactly once.
pub fn run(args: &DemoArgs) -> Result<u8, Failure> {
    let emulator = Emulator::start(Config {
        faults: demo_faults(),
        ..Config::default()
    })
    .map_err(|e| Failure::runtime(format!("cannot start the emulator: {e}")))?;
    eprintln!("emulator listening on {}", emulator.base_url());

    let items = demo_items(args.items);
    emulator
        .seed(&items)
        .map_err(|e| Failure::runtime(format!("cannot seed the emulator: {e}")))?;

    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("idv-delete-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let csv_path = dir.join("erasures.csv");
    let journal = dir.join("erasures.journal");
    write_csv(&csv_path, &items)?;
    if journal.exists() {
        std::fs::remove_file(&journal)?;
    }
    eprintln!(
        "wrote {} rows to {}; faults: 1% each of 500, 503, 429 (Retry-After 1 s), reset before and after the delete is applied",
        items.len(),
        csv_path.display()
    );

    let client = Client::builder()
        .jumio(
            JumioCredentials::new(
                idv_delete_emulator::DEFAULT_JUMIO_TOKEN,
                idv_delete_emulator::DEFAULT_JUMIO_SECRET,
                concat!("idv-delete-demo/", env!("CARGO_PKG_VERSION")),
            )
            .map_err(|e| Failure::runtime(e.to_string()))?,
        )
        .jumio_platform(
            JumioPlatformCredentials::new(
                idv_delete_emulator::DEFAULT_JUMIO_CLIENT_ID,
                idv_delete_emulator::DEFAULT_JUMIO_CLIENT_SECRET,
                concat!("idv-delete-demo/", env!("CARGO_PKG_VERSION")),
            )
            .map_err(|e| Failure::runtime(e.to_string()))?,
        )
        .hyperverge(
            HyperVergeCredentials::new(
                idv_delete_emulator::DEFAULT_HYPERVERGE_APP_ID,
                idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
            )
            .map_err(|e| Failure::runtime(e.to_string()))?,
        )
        .base_url(&emulator.base_url())
        .retry_policy(RetryPolicy {
            max_attempts: 6,
            ..RetryPolicy::default()
        })
        .build()
        .map_err(|e| Failure::runtime(e.to_string()))?;

    let batch_args = BatchArgs {
        input: csv_path.display().to_string(),
        journal: journal.clone(),
        concurrency: 16,
        rate: None,
        adaptive_rate: false,
        dry_run: false,
        yes: true,
        skip_invalid: false,
        allow_endpoint_change: false,
        connection: ConnectionArgs {
            base_url: Some(emulator.base_url()),
            config: None,
            timeout: 30.0,
            max_attempts: 6,
            output: args.output,
        },
    };
    let input = Input::open(&batch_args.input)?;
    let scan = batch::check_input(&input, false)?;
    let cancel = CancelToken::new();
    crate::signals::install(&cancel)?;
    let code = batch::run(
        &batch_args,
        &input,
        &scan,
        Setup {
            client: &client,
            cancel,
        },
    )?;

    let stats = emulator.stats();
    let erased_once = stats.references.iter().filter(|r| r.applied == 1).count();
    let erased_twice = stats.references.iter().filter(|r| r.applied > 1).count();
    // Deleting a workflow execution keeps its account (seeding the
    // workflow created it): those accounts, and nothing else, remain.
    let kept = kept_accounts(&items);
    let verdict =
        stats.transactions_present == kept && erased_once == items.len() && erased_twice == 0;
    let message = format!(
        "emulator check: {erased_once} of {} transactions erased exactly once, {erased_twice} more than once, {} still present ({kept} expected: the accounts of the deleted workflow executions): {}",
        items.len(),
        stats.transactions_present,
        if verdict { "OK" } else { "NOT OK" }
    );
    if args.output == Output::Text {
        println!("{message}");
    } else {
        eprintln!("{message}");
    }
    emulator.shutdown();
    Ok(if verdict && code == EXIT_OK {
        EXIT_OK
    } else {
        code.max(EXIT_FAILED)
    })
}

/// `count` transactions spread over the nine Jumio calls, Jumio Platform
/// accounts and workflow executions, and HyperVerge, with UUID-shaped
/// references derived from their index (a workflow's is
/// `ACCOUNT_ID/WORKFLOW_ID`, its account not otherwise deleted).
fn demo_items(count: u32) -> Vec<SeedItem> {
    let targets: Vec<(&str, &str)> = JumioProduct::ALL
        .iter()
        .map(|p| ("jumio", p.as_str()))
        .chain([
            ("jumio-platform", "account"),
            ("jumio-platform", "workflow"),
            ("hyperverge", "transaction"),
        ])
        .collect();
    (0..count)
        .map(|i| {
            let (vendor, product) = targets[i as usize % targets.len()];
            let h = splitmix(u64::from(i));
            let reference = if product == "workflow" {
                format!("{}/{}", uuid(h), uuid(splitmix(h ^ 0x5eed)))
            } else {
                uuid(h)
            };
            SeedItem::new(vendor, product, &reference)
        })
        .collect()
}

/// The distinct accounts of the workflow executions among `items`.
fn kept_accounts(items: &[SeedItem]) -> u64 {
    let accounts: std::collections::BTreeSet<&str> = items
        .iter()
        .filter(|item| item.vendor == "jumio-platform" && item.product == "workflow")
        .filter_map(|item| item.reference.split_once('/').map(|(account, _)| account))
        .collect();
    accounts.len() as u64
}

/// A UUID-shaped string (version 4, variant 1) made from `h`.
fn uuid(h: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 40) & 0xfff,
        splitmix(h) & 0xffff_ffff_ffff
    )
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The batch CSV of `items`; Jumio and Jumio Platform rows cycle through
/// the regions (the emulator serves every region on one port).
fn write_csv(path: &PathBuf, items: &[SeedItem]) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "vendor,product,region,reference")?;
    for (i, item) in items.iter().enumerate() {
        let region = if item.vendor != "hyperverge" {
            Region::ALL[(i / 4) % 3].as_str()
        } else {
            ""
        };
        writeln!(
            out,
            "{},{},{region},{}",
            item.vendor, item.product, item.reference
        )?;
    }
    out.flush()?;
    Ok(())
}
