//! Benchmarks of the blocking client against the emulator running as a
//! separate process (so that this process's CPU time is the client's own).
//!
//! ```text
//! cargo build --release -p idv-delete-emulator
//! cargo run --release -p idv-delete-blocking --example bench -- [cpu|latency|rate|all]
//! ```
//!
//! - `cpu`: 100,000 deletions (`BENCH_N`) at concurrency 8 on loopback:
//!   client CPU µs per deletion (getrusage of this process), deletions/s,
//!   and wrk against the same emulator with 8 connections.
//! - `latency`: emulator latency 50 ms, concurrency 32, 3,000 items:
//!   achieved rate against the 640/s bound.
//! - `rate`: emulator limit 200/s (burst `BENCH_BURST`, default 1), client
//!   told 200/s, 1,000 items: fraction of 200/s achieved and 429 count.
//!
//! The emulator binary is `EMULATOR` or `idv-delete-emulator` next to the
//! `examples` directory of this binary.

use std::env;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use idv_delete_blocking::{
    BatchOptions, BatchReport, Client, DeleteIntent, HyperVergeCredentials, JumioCredentials,
    Region, RetryBudget,
};

struct Emulator {
    child: Child,
    base_url: String,
    seeded: Vec<DeleteIntent>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn emulator_binary() -> PathBuf {
    if let Ok(path) = env::var("EMULATOR") {
        return path.into();
    }
    let exe = env::current_exe().expect("own path");
    exe.parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("idv-delete-emulator"))
        .expect("target dir")
}

/// Starts the emulator with `per_product` random references for each of
/// the four vendor products, plus `extra` flags.
fn start_emulator(per_product: u64, extra: &[&str]) -> Emulator {
    let seeded_file = env::temp_dir().join(format!("idv-bench-seeded-{}.csv", std::process::id()));
    let mut child = Command::new(emulator_binary())
        .args(["--port", "0", "--seed-random", &per_product.to_string()])
        .arg("--write-seeded")
        .arg(&seeded_file)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the emulator (cargo build --release -p idv-delete-emulator)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("emulator's first line");
    let base_url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening on URL")
        .to_owned();
    let seeded = fs::read_to_string(&seeded_file)
        .expect("seeded CSV")
        .lines()
        .skip(1)
        .filter_map(|row| {
            let mut cols = row.split(',');
            let (vendor, product, reference) = (cols.next()?, cols.next()?, cols.next()?);
            match vendor {
                "jumio" => DeleteIntent::jumio(product.parse().ok()?, Region::Us, reference).ok(),
                _ => DeleteIntent::hyperverge(reference).ok(),
            }
        })
        .collect();
    let _ = fs::remove_file(&seeded_file);
    Emulator {
        child,
        base_url,
        seeded,
    }
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .jumio(
            JumioCredentials::new("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0")
                .expect("credentials"),
        )
        .hyperverge(
            HyperVergeCredentials::new("emulator-app-id", "emulator-app-key").expect("credentials"),
        )
        .base_url(base_url)
        .retry_budget(RetryBudget::unlimited())
        .build()
        .expect("client")
}

/// User + system CPU time of this process.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU time of another process, from /proc (clock ticks of 10 ms).
fn process_cpu(pid: u32) -> Duration {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat; 11 and 12 after ")".
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn summary(report: &BatchReport) -> String {
    format!(
        "deleted {} (absence {}), not found {}, failed {:?}, attempts {}",
        report.deleted(),
        report.deleted_by_absence,
        report.not_found,
        report.failed,
        report.attempts
    )
}

fn cpu_bound() {
    let n: usize = env::var("BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let concurrency = 8;
    let emulator = start_emulator(n.div_ceil(4) as u64, &[]);
    let items: Vec<DeleteIntent> = emulator.seeded.iter().take(n).cloned().collect();
    let client = client(&emulator.base_url);
    let emulator_cpu_before = process_cpu(emulator.child.id());
    let cpu_before = cpu_time();
    let report = client
        .delete_many(items, BatchOptions::default().concurrency(concurrency))
        .expect("batch");
    let cpu = cpu_time() - cpu_before;
    let emulator_cpu = process_cpu(emulator.child.id()) - emulator_cpu_before;
    let done = report.done() as f64;
    let rate = done / report.elapsed.as_secs_f64();
    println!(
        "cpu-bound: {n} deletions, concurrency {concurrency}: {}",
        summary(&report)
    );
    println!(
        "  elapsed {:.2} s, {rate:.0} deletions/s, client CPU {:.2} µs/deletion (user+sys {:.2} s), emulator CPU {:.2} µs/request",
        report.elapsed.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / done,
        cpu.as_secs_f64(),
        emulator_cpu.as_secs_f64() * 1e6 / done,
    );

    // wrk on the same emulator, same connection count: Jumio deletes of an
    // unknown reference (404 after every check, the same work as a 200).
    let script = env::temp_dir().join(format!("idv-bench-{}.lua", std::process::id()));
    fs::write(
        &script,
        "wrk.method = \"DELETE\"\n\
         wrk.headers[\"Accept\"] = \"application/json\"\n\
         wrk.headers[\"User-Agent\"] = \"Acme KYC-Cleaner/1.0\"\n\
         wrk.headers[\"Authorization\"] = \"Basic ZW11bGF0b3ItdG9rZW46ZW11bGF0b3Itc2VjcmV0\"\n",
    )
    .expect("wrk script");
    let url = format!(
        "{}/api/netverify/v2/scans/not-seeded-reference",
        emulator.base_url
    );
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{concurrency}"), "-d5s", "-s"])
        .arg(&script)
        .arg(&url)
        .output();
    let _ = fs::remove_file(&script);
    match output {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let wrk_rate = text
                .lines()
                .find_map(|l| l.strip_prefix("Requests/sec:"))
                .and_then(|v| v.trim().parse::<f64>().ok());
            match wrk_rate {
                Some(wrk_rate) => println!(
                    "  wrk -t2 -c{concurrency}: {wrk_rate:.0} requests/s; client at {:.0}% of wrk",
                    rate / wrk_rate * 100.0
                ),
                None => println!("  wrk output not understood:\n{text}"),
            }
        }
        Err(e) => println!("  wrk not run ({e}): apt-get install -y wrk"),
    }
}

fn latency_bound() {
    let (n, concurrency, latency_ms) = (3000usize, 32usize, 50u64);
    let emulator = start_emulator(750, &["--latency-ms", &latency_ms.to_string()]);
    let items: Vec<DeleteIntent> = emulator.seeded.iter().take(n).cloned().collect();
    let report = client(&emulator.base_url)
        .delete_many(items, BatchOptions::default().concurrency(concurrency))
        .expect("batch");
    let rate = report.done() as f64 / report.elapsed.as_secs_f64();
    let bound = concurrency as f64 * 1000.0 / latency_ms as f64;
    println!(
        "latency-bound: {n} items, latency {latency_ms} ms, concurrency {concurrency}: {}",
        summary(&report)
    );
    println!(
        "  elapsed {:.2} s, {rate:.1}/s = {:.1}% of the {bound:.0}/s bound",
        report.elapsed.as_secs_f64(),
        rate / bound * 100.0
    );
}

fn rate_bound() {
    let n = 1000usize;
    let burst = env::var("BENCH_BURST").unwrap_or_else(|_| "1".into());
    let emulator = start_emulator(250, &["--rate-limit", "200", "--rate-burst", &burst]);
    let items: Vec<DeleteIntent> = emulator.seeded.iter().take(n).cloned().collect();
    let report = client(&emulator.base_url)
        .delete_many(items, BatchOptions::default().concurrency(8).rate(200.0))
        .expect("batch");
    let rate = report.done() as f64 / report.elapsed.as_secs_f64();
    // Every attempt beyond the first of an item answered 429 here.
    let limited = report.attempts - report.done();
    println!(
        "rate-bound: {n} items, emulator 200/s burst {burst}, client 200/s: {}",
        summary(&report)
    );
    println!(
        "  elapsed {:.2} s, {rate:.1}/s = {:.1}% of 200/s, {limited} answers 429",
        report.elapsed.as_secs_f64(),
        rate / 200.0 * 100.0
    );
}

fn main() {
    let which = env::args().nth(1).unwrap_or_else(|| "all".into());
    let started = Instant::now();
    match which.as_str() {
        "cpu" => cpu_bound(),
        "latency" => latency_bound(),
        "rate" => rate_bound(),
        "all" => {
            cpu_bound();
            latency_bound();
            rate_bound();
        }
        other => {
            eprintln!("unknown benchmark {other:?}: use cpu, latency, rate or all");
            std::process::exit(2);
        }
    }
    eprintln!("total {:.1} s", started.elapsed().as_secs_f64());
}
