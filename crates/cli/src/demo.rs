//! `idv-delete demo`: the whole job on the embedded emulator.
//!
//! Starts the emulator on a free loopback port with transactions for every
//! Jumio product and region, Jumio Platform accounts and workflow
//! executions (OAuth2 tokens included), HyperVerge, Onfido applicants in
//! each region, Persona inquiries and accounts, Stripe Identity sessions and
//! a few Veriff sessions (Veriff allows 5 deletions an hour), injects a few
//! faults (5xx, 429 with Retry-After, connection resets before and after
//! the delete is applied, latency), writes the CSV, runs the batch with
//! progress and a journal exactly as `idv-delete batch` does, and asks the
//! emulator whether every transaction was erased exactly once. The vendors
//! that erase later do it within [`DELAY`] here (days in reality), so the
//! demo then waits that long and rechecks the journal as `idv-delete verify
//! --recheck` does: every scheduled erasure whose vendor offers a read is
//! confirmed, and Veriff's stay scheduled. It ends by writing the report
//! (`idv-delete report`: `report.html` and `report.json` beside the
//! journal) and printing its path.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use idv_delete_blocking::core::{
    OnfidoCredentials, PersonaCredentials, StripeCredentials, VeriffCredentials, Window,
};
use idv_delete_blocking::{
    CancelToken, Client, HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials,
    JumioProduct, OnfidoRegion, RecheckReport, Region, RetryPolicy, Vendor,
};
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

use crate::args::{BatchArgs, ConnectionArgs, DemoArgs, Output, WindowArg};
use crate::batch::{self, Setup};
use crate::csv_input::Input;
use crate::failure::{Failure, EXIT_FAILED, EXIT_OK};

/// How long the emulated Onfido, Persona and Stripe take to complete an
/// erasure they accepted (Onfido's deletion delay, Persona's child objects,
/// Stripe's redaction): seconds instead of days, so the demo can recheck.
const DELAY: Duration = Duration::from_secs(2);

/// Veriff allows 5 deletions per hour per integration: the demo deletes no
/// more Veriff sessions than that.
const VERIFF_SESSIONS: usize = 5;

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

/// Veriff's windows (5 per hour, 10 per day) scaled down for the demo,
/// in both the emulator and the client.
const VERIFF_WINDOWS: [(u32, Duration); 2] =
    [(5, Duration::from_secs(2)), (10, Duration::from_secs(10))];

/// Runs the demo; the exit code is 0 only if the emulator confirms that
/// every transaction was erased exactly once.
pub fn run(args: &DemoArgs) -> Result<u8, Failure> {
    let emulator = Emulator::start(Config {
        faults: demo_faults(),
        onfido_deletion_delay: DELAY,
        persona_children_delay: DELAY,
        stripe_redaction_delay: DELAY,
        veriff_windows: VERIFF_WINDOWS.to_vec(),
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
    let subjects = demo_subjects(items.len());
    write_csv(&csv_path, &items, &subjects)?;
    if journal.exists() {
        std::fs::remove_file(&journal)?;
    }
    eprintln!(
        "wrote {} rows of {} customers to {}; faults: 1% each of 500, 503, 429 (Retry-After 1 s), reset before and after the delete is applied; Veriff's windows scaled from 5 per hour and 10 per day to 5 per 2 s and 10 per 10 s",
        items.len(),
        subjects.last().map_or(0, |(customer, _)| *customer),
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
        .credentials(
            OnfidoCredentials::new(idv_delete_emulator::DEFAULT_ONFIDO_API_TOKEN)
                .map_err(|e| Failure::runtime(e.to_string()))?,
        )
        .credentials(
            PersonaCredentials::new(idv_delete_emulator::DEFAULT_PERSONA_API_KEY)
                .map_err(|e| Failure::runtime(e.to_string()))?,
        )
        .credentials(
            StripeCredentials::new(idv_delete_emulator::DEFAULT_STRIPE_SECRET_KEY)
                .map_err(|e| Failure::runtime(e.to_string()))?,
        )
        .credentials(
            VeriffCredentials::new(
                idv_delete_emulator::DEFAULT_VERIFF_API_KEY,
                idv_delete_emulator::DEFAULT_VERIFF_SHARED_SECRET,
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
        wait_for_limits: false,
        // The embedded emulator has no tenant limit: the platform's 15
        // requests per second would only slow the demo down. Veriff's
        // windows are kept, scaled to seconds as the emulator's are, so a
        // retried Veriff item waits a second instead of stopping the demo
        // for an hour.
        windows: std::iter::once(WindowArg {
            vendor: Vendor::JumioPlatform,
            window: None,
        })
        .chain(VERIFF_WINDOWS.iter().map(|&(count, span)| WindowArg {
            vendor: Vendor::Veriff,
            window: Some(Window::new(count, span)),
        }))
        .collect(),
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
            cancel: cancel.clone(),
            windows: Default::default(),
        },
    )?;
    let say = |message: &str| {
        if args.output == Output::Text {
            println!("{message}");
        } else {
            eprintln!("{message}");
        }
    };

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
    say(&message);
    if code != EXIT_OK || cancel.is_cancelled() {
        emulator.shutdown();
        return Ok(code.max(EXIT_FAILED));
    }

    say(&format!(
        "waiting {} s, the emulated vendors' delay (days in reality), then rechecking the journal as `idv-delete verify --recheck {}` does",
        DELAY.as_secs(),
        journal.display()
    ));
    std::thread::sleep(DELAY + Duration::from_millis(500));
    let recheck = client.recheck_journal(&journal, &cancel)?;
    let pending = emulator.stats().erasures_pending;
    let confirmed = recheck_confirmed(&recheck) && pending == 0;
    say(&format!(
        "recheck: {} scheduled, {} confirmed deleted by the vendor, {} still scheduled, {} failed, {} not rechecked (Veriff offers no read: it deletes within 12 hours); emulator: {pending} erasures pending: {}",
        recheck.scheduled,
        recheck.deleted,
        recheck.still_scheduled,
        recheck.failures.len(),
        recheck.not_offered,
        if confirmed { "OK" } else { "NOT OK" }
    ));
    // The recheck appended to the journal: its fingerprint is not the one
    // the batch printed.
    let fingerprint = idv_delete_blocking::journal::JournalState::read(&journal)?
        .fingerprint()
        .unwrap_or_else(|| "none (unchained)".into());
    say(&format!(
        "journal {} after the recheck: fingerprint {fingerprint} (`idv-delete verify {}` prints it again)",
        journal.display(),
        journal.display()
    ));
    emulator.shutdown();
    let html = dir.join("report.html");
    let json = dir.join("report.json");
    let report = crate::report::build::run(
        std::slice::from_ref(&journal),
        &crate::report::build::Outputs {
            html: Some(&html),
            json: Some(&json),
        },
    )?;
    say(&format!(
        "report: {} (open it in any browser, offline; the same facts and every item's detail: {})",
        html.display(),
        json.display()
    ));
    Ok(if verdict && confirmed && report == EXIT_OK {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// Whether the recheck confirmed every scheduled item whose vendor offers
/// a read.
fn recheck_confirmed(report: &RecheckReport) -> bool {
    report.failures.is_empty()
        && report.still_scheduled == 0
        && !report.cancelled
        && report.deleted + report.not_offered == report.scheduled
}

/// `count` transactions spread over the Jumio products, Jumio Platform
/// accounts and workflow executions, HyperVerge, Onfido, Persona
/// inquiries and accounts, Stripe Identity and Veriff (at most
/// [`VERIFF_SESSIONS`]; HyperVerge takes Veriff's turn after that), with
/// references derived from their index in each vendor's form: UUIDs (a
/// workflow's is `ACCOUNT_ID/WORKFLOW_ID`, its account not otherwise
/// deleted), `inq_...`, `act_...`, `vs_...`.
fn demo_items(count: u32) -> Vec<SeedItem> {
    let targets: Vec<(&str, &str)> = JumioProduct::ALL
        .iter()
        .map(|p| ("jumio", p.as_str()))
        .chain([
            ("jumio-platform", "account"),
            ("jumio-platform", "workflow"),
            ("hyperverge", "transaction"),
            ("onfido", "applicant"),
            ("persona", "inquiry"),
            ("persona", "account"),
            ("stripe", "verification_session"),
            ("veriff", "session"),
        ])
        .collect();
    let mut veriff = 0;
    (0..count)
        .map(|i| {
            let (mut vendor, mut product) = targets[i as usize % targets.len()];
            if vendor == "veriff" {
                veriff += 1;
                if veriff > VERIFF_SESSIONS {
                    (vendor, product) = ("hyperverge", "transaction");
                }
            }
            let h = splitmix(u64::from(i));
            let reference = match product {
                "workflow" => format!("{}/{}", uuid(h), uuid(splitmix(h ^ 0x5eed))),
                "inquiry" => format!("inq_{h:016x}"),
                "account" if vendor == "persona" => format!("act_{h:016x}"),
                "verification_session" => format!("vs_{h:016x}"),
                _ => uuid(h),
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

/// The data subject of each of `count` items, with its number: customers
/// holding 1-4 consecutive records (a fixed pseudo-random length each), so
/// one customer's records span several vendors, as a real erasure request
/// does, and a report has per-subject rows to show.
fn demo_subjects(count: usize) -> Vec<(u64, String)> {
    let mut customer = 0u64;
    let mut left = 0u64;
    (0..count)
        .map(|_| {
            if left == 0 {
                customer += 1;
                left = 1 + splitmix(customer ^ 0xC057_0E4D) % 4;
            }
            left -= 1;
            (customer, format!("customer-{customer:04}"))
        })
        .collect()
}

/// The batch CSV of `items`, each with its subject; Jumio, Jumio Platform
/// and Onfido rows cycle through their regions (the emulator serves every
/// region on one port).
fn write_csv(
    path: &PathBuf,
    items: &[SeedItem],
    subjects: &[(u64, String)],
) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "vendor,product,region,reference,subject")?;
    for ((i, item), (_, subject)) in items.iter().enumerate().zip(subjects) {
        let region = match item.vendor.as_str() {
            "jumio" | "jumio-platform" => Region::ALL[(i / 4) % 3].as_str(),
            "onfido" => OnfidoRegion::ALL[(i / 4) % 3].as_str(),
            _ => "",
        };
        writeln!(
            out,
            "{},{},{region},{},{subject}",
            item.vendor, item.product, item.reference
        )?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_demo_customer_holds_one_to_four_records() {
        let subjects = demo_subjects(600);
        assert_eq!(subjects.len(), 600);
        let mut runs: std::collections::BTreeMap<u64, usize> = Default::default();
        for (customer, subject) in &subjects {
            *runs.entry(*customer).or_default() += 1;
            assert_eq!(subject, &format!("customer-{customer:04}"));
        }
        let lengths: std::collections::BTreeSet<usize> = runs.values().copied().collect();
        // Every length from 1 to 4 occurs; the last customer may be cut short.
        assert_eq!(lengths, (1..=4).collect(), "{runs:?}");
        assert_eq!(
            runs.keys().copied().collect::<Vec<_>>(),
            (1..=runs.len() as u64).collect::<Vec<_>>()
        );
    }
}
