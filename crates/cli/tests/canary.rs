//! The secret canary through the `idv-delete` binary: distinctive canary
//! credentials, accepted by an in-process emulator, are used for full runs
//! (successes, 401, 403, 429, 5xx with retries, timeouts, resets before and
//! after the delete, truncated answers, refused connections, batches with
//! journals and their resumes, dry runs, `verify`, the progress bar on a
//! pseudo-terminal, broken config files) with `RUST_LOG=trace` and
//! `RUST_BACKTRACE=full`. No stdout, stderr or journal may contain a canary,
//! its distinctive suffix in any case, or the base64 of `token:secret`.
//! The Jumio Platform's client id and secret are canaries too, and so is
//! every access token the emulator issues (a recording proxy learns them).
//! So are the keys of Onfido, Persona, Stripe (and its Basic form) and
//! Veriff, and Veriff's signatures (HMACs keyed with its shared secret).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use idv_delete_blocking::core::veriff_signature;
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

const BIN: &str = env!("CARGO_BIN_EXE_idv-delete");

const TOKEN: &str = "CANARY-TOKEN-7f3a9c";
const SECRET: &str = "CANARY-SECRET-b41d2e";
const APP_ID: &str = "CANARY-APPID-93c0e1";
const CLIENT_ID: &str = "CANARY-CLIENTID-4e8b7a";
const CLIENT_SECRET: &str = "CANARY-CLIENTSECRET-c92f06";
const APP_KEY: &str = "CANARY-APPKEY-d5a8f4";
const ONFIDO_TOKEN: &str = "CANARY-ONFIDO-1e7b3d";
const PERSONA_KEY: &str = "CANARY-PERSONA-8a2f5c";
const STRIPE_KEY: &str = "sk_test_CANARY-STRIPE-6d0c9e";
const VERIFF_KEY: &str = "CANARY-VERIFFKEY-3b9e71";
const VERIFF_SECRET: &str = "CANARY-VERIFFSECRET-f04a2d";

/// Standard base64 with padding (RFC 4648), for the Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `text` with every run of 24 or more hex digits cut to `#`: the hash
/// chain's values and fingerprints (SHA-256) and the emulator's request
/// ids are random hex that holds a 6-digit canary suffix by chance (one
/// chain value did, in a CI run). A canary is never such a run; every
/// whole secret is still looked for in the text as it is.
fn without_digests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 24 { "#" } else { &run });
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// Panics if `text` holds a canary in any form we look for.
fn assert_clean(label: &str, text: &str) {
    let basic = base64(format!("{TOKEN}:{SECRET}").as_bytes());
    let client_basic = base64(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes());
    let stripe_basic = base64(format!("{STRIPE_KEY}:").as_bytes());
    let signatures = VERIFF_SESSIONS.map(|id| veriff_signature(VERIFF_SECRET, id));
    let lower = without_digests(&text.to_lowercase());
    for needle in [
        TOKEN,
        SECRET,
        APP_ID,
        APP_KEY,
        CLIENT_ID,
        CLIENT_SECRET,
        ONFIDO_TOKEN,
        PERSONA_KEY,
        STRIPE_KEY,
        VERIFF_KEY,
        VERIFF_SECRET,
        &basic,
        &client_basic,
        &stripe_basic,
        &signatures[0],
        &signatures[1],
    ] {
        assert!(!text.contains(needle), "{label} leaks {needle:?}:\n{text}");
    }
    for suffix in [
        "7f3a9c", "b41d2e", "93c0e1", "d5a8f4", "4e8b7a", "c92f06", "1e7b3d", "8a2f5c", "6d0c9e",
        "3b9e71", "f04a2d",
    ] {
        assert!(
            !lower.contains(suffix),
            "{label} leaks the canary suffix {suffix:?}:\n{text}"
        );
    }
}

#[test]
fn the_checker_masks_digests_only() {
    let chain = format!("\"chain\":\"{}d5a8f4{}\"", "0".repeat(29), "1".repeat(29));
    assert_eq!(without_digests(&chain), "\"chain\":\"#\"");
    assert_eq!(without_digests("key-d5a8f4 ab"), "key-d5a8f4 ab");
    assert!(std::panic::catch_unwind(|| assert_clean("test", "token canary-d5a8f4")).is_err());
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    assert_eq!(
        base64(b"Aladdin:open sesame"),
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert_eq!(base64(b"ab"), "YWI=");
    let basic = base64(format!("{TOKEN}:{SECRET}").as_bytes());
    for leak in [
        TOKEN.to_owned(),
        SECRET.to_lowercase(),
        format!("Authorization: Basic {basic}"),
        format!("appkey={APP_KEY}"),
        format!("client {}", CLIENT_SECRET.to_uppercase()),
        base64(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes()),
    ] {
        let caught = std::panic::catch_unwind(|| assert_clean("test", &leak));
        assert!(caught.is_err(), "{leak} was not caught");
    }
}

fn canary_config() -> Config {
    Config {
        jumio_token: TOKEN.into(),
        jumio_secret: SECRET.into(),
        hyperverge_app_id: APP_ID.into(),
        hyperverge_app_key: APP_KEY.into(),
        jumio_client_id: CLIENT_ID.into(),
        jumio_client_secret: CLIENT_SECRET.into(),
        onfido_api_token: ONFIDO_TOKEN.into(),
        persona_api_key: PERSONA_KEY.into(),
        stripe_secret_key: STRIPE_KEY.into(),
        veriff_api_key: VERIFF_KEY.into(),
        veriff_shared_secret: VERIFF_SECRET.into(),
        ..Config::default()
    }
}

/// An emulator accepting the canary credentials, with `faults`.
fn emulator(faults: Faults) -> Emulator {
    Emulator::start(Config {
        faults,
        ..canary_config()
    })
    .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("idv-delete-canary-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with the canary credentials and every debug switch we know.
fn idv_delete(home: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("JUMIO_API_TOKEN", TOKEN)
        .env("JUMIO_API_SECRET", SECRET)
        .env("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0")
        .env("HYPERVERGE_APP_ID", APP_ID)
        .env("HYPERVERGE_APP_KEY", APP_KEY)
        .env("JUMIO_CLIENT_ID", CLIENT_ID)
        .env("JUMIO_CLIENT_SECRET", CLIENT_SECRET)
        .env("ONFIDO_API_TOKEN", ONFIDO_TOKEN)
        .env("PERSONA_API_KEY", PERSONA_KEY)
        .env("STRIPE_SECRET_KEY", STRIPE_KEY)
        .env("VERIFF_API_KEY", VERIFF_KEY)
        .env("VERIFF_SHARED_SECRET", VERIFF_SECRET)
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "full")
        .env("RUST_LIB_BACKTRACE", "1")
        .stdin(Stdio::null());
    command
}

/// Runs `command`, checks its output is clean, returns (code, stdout+stderr).
fn run(label: &str, command: &mut Command) -> (i32, String) {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_clean(&format!("{label}: stdout"), &stdout);
    assert_clean(&format!("{label}: stderr"), &stderr);
    (
        output.status.code().unwrap_or(-1),
        format!("{stdout}{stderr}"),
    )
}

/// Deletes one Jumio and one HyperVerge reference at `base` with `extra`
/// options, in text and JSON; returns the exit codes and outputs.
fn one_off(label: &str, home: &Path, base: &str, extra: &[&str]) -> Vec<(i32, String)> {
    let mut results = Vec::new();
    for output in ["text", "json"] {
        results.push(run(
            &format!("{label} jumio {output}"),
            idv_delete(home)
                .args([
                    "jumio",
                    "scan",
                    "ref-1",
                    "--region",
                    "eu",
                    "--base-url",
                    base,
                ])
                .args(["--output", output])
                .args(extra),
        ));
        results.push(run(
            &format!("{label} hyperverge {output}"),
            idv_delete(home)
                .args(["hyperverge", "txn-1", "--base-url", base])
                .args(["--output", output])
                .args(extra),
        ));
    }
    results
}

fn seed_one_offs(emulator: &Emulator) {
    emulator
        .seed(&[
            SeedItem::new("jumio", "scan", "ref-1"),
            SeedItem::new("hyperverge", "transaction", "txn-1"),
        ])
        .unwrap();
}

#[test]
fn one_off_deletions_successes_and_every_failure() {
    let home = scratch("one-off");
    // Success, then not found.
    let ok = emulator(Faults::default());
    seed_one_offs(&ok);
    let results = one_off("success", &home, &ok.base_url(), &[]);
    assert_eq!(results[0].0, 0, "{}", results[0].1);
    assert_eq!(results[1].0, 0, "{}", results[1].1);
    assert_eq!(results[2].0, 3, "{}", results[2].1);

    // 401: the canary credentials sent to an emulator that wants others.
    let other = Emulator::start(Config::default()).unwrap();
    seed_one_offs(&other);
    for (code, output) in one_off("401", &home, &other.base_url(), &[]) {
        assert_eq!(code, 4, "{output}");
        assert!(output.contains("credentials refused"), "{output}");
    }

    // 403 from HyperVerge's IP allow-list.
    let forbidden = Emulator::start(Config {
        hyperverge_allowed_ips: Some(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))]),
        ..canary_config()
    })
    .unwrap();
    let (code, output) = run(
        "403",
        idv_delete(&home).args(["hyperverge", "txn-1", "--base-url", &forbidden.base_url()]),
    );
    assert_eq!(code, 4, "{output}");
    assert!(output.contains("forbidden"), "{output}");

    // Retried failures: 5xx, 429 with Retry-After, resets, truncated bodies.
    let retried = [
        (
            "500",
            Faults {
                p500: 1.0,
                ..Faults::default()
            },
        ),
        (
            "429",
            Faults {
                p429: 1.0,
                retry_after_secs: 1,
                ..Faults::default()
            },
        ),
        (
            "reset-before",
            Faults {
                p_reset_before: 1.0,
                ..Faults::default()
            },
        ),
        (
            "reset-after",
            Faults {
                p_reset_after: 1.0,
                ..Faults::default()
            },
        ),
        (
            "truncated",
            Faults {
                p_truncate: 1.0,
                ..Faults::default()
            },
        ),
    ];
    for (label, faults) in retried {
        let faulty = emulator(faults);
        seed_one_offs(&faulty);
        for (code, output) in one_off(label, &home, &faulty.base_url(), &["--max-attempts", "2"]) {
            // A reset or truncation after the delete was applied ends in a
            // deletion confirmed by absence; the others fail.
            let expected: &[i32] = match label {
                "reset-after" | "truncated" => &[0, 4],
                _ => &[4],
            };
            assert!(expected.contains(&code), "{label}: exit {code}: {output}");
        }
        assert!(faulty.stats().total_requests >= 8, "{label}: retried");
    }

    // Timeouts.
    let slow = emulator(Faults {
        latency_ms: 1500,
        ..Faults::default()
    });
    seed_one_offs(&slow);
    for (code, output) in one_off(
        "timeout",
        &home,
        &slow.base_url(),
        &["--max-attempts", "2", "--timeout", "0.2"],
    ) {
        assert_eq!(code, 4, "{output}");
        assert!(output.contains("timed out"), "{output}");
    }

    // A port nobody listens on: released on 127.0.0.2, where no emulator
    // of these tests listens, so no parallel test can take it over.
    let closed = TcpListener::bind("127.0.0.2:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    for (code, output) in one_off("connect", &home, &closed_url, &["--max-attempts", "2"]) {
        assert_eq!(code, 4, "{output}");
    }
}

#[test]
fn batches_with_journals_resumes_dry_runs_and_verify() {
    let dir = scratch("batch");
    let faulty = emulator(Faults {
        seed: 7,
        p503: 0.2,
        p429: 0.1,
        retry_after_secs: 0,
        p_reset_before: 0.1,
        p_reset_after: 0.1,
        p_truncate: 0.05,
        ..Faults::default()
    });
    let mut csv = String::from("vendor,product,region,reference\n");
    let mut seed = Vec::new();
    for i in 0..40 {
        let reference = format!("batch-{i:03}");
        if i % 2 == 0 {
            csv.push_str(&format!("jumio,scan,eu,{reference}\n"));
            seed.push(SeedItem::new("jumio", "scan", &reference));
        } else {
            csv.push_str(&format!("hyperverge,transaction,,{reference}\n"));
            seed.push(SeedItem::new("hyperverge", "transaction", &reference));
        }
    }
    csv.push_str("jumio,scan,eu,never-seeded\n");
    faulty.seed(&seed).unwrap();
    let input = dir.join("in.csv");
    std::fs::write(&input, &csv).unwrap();
    let journal = dir.join("erasures.journal");
    let base = faulty.base_url();
    let batch = |label: &str, extra: &[&str]| {
        run(
            label,
            idv_delete(&dir)
                .arg("batch")
                .arg(&input)
                .arg("--journal")
                .arg(&journal)
                .args(["--yes", "--concurrency", "4", "--base-url", &base])
                .args(extra),
        )
    };

    let (code, output) = batch("dry run", &["--dry-run"]);
    assert_eq!(code, 0, "{output}");
    let (code, output) = batch("dry run json", &["--dry-run", "--output", "json"]);
    assert_eq!(code, 0, "{output}");
    assert_eq!(faulty.stats().total_requests, 0);

    // One attempt each: failures of every injected kind end in the journal.
    let (code, output) = batch("first run", &["--max-attempts", "1"]);
    assert_eq!(code, 4, "{output}");
    let (code, output) = batch("second run", &["--max-attempts", "1", "--output", "json"]);
    assert!(code == 3 || code == 4, "{output}");
    // With the faults gone the resume finishes the batch.
    faulty.set_faults(Faults::default()).unwrap();
    let (code, output) = batch("resume", &["--max-attempts", "4"]);
    assert_eq!(code, 0, "{output}");
    for (label, extra) in [
        ("verify", vec![]),
        ("verify json", vec!["--output", "json"]),
    ] {
        let (code, output) = run(
            label,
            idv_delete(&dir).arg("verify").arg(&journal).args(extra),
        );
        // The never-seeded row is not found, or deleted by absence when a
        // fault left it in doubt first.
        assert!(code == 0 || code == 3, "{output}");
    }
    // From standard input, with a fresh journal.
    let mut child = idv_delete(&dir)
        .arg("batch")
        .arg("-")
        .arg("--journal")
        .arg(dir.join("stdin.journal"))
        .args(["--yes", "--base-url", &base, "--output", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), csv.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_clean(
        "stdin batch stdout",
        &String::from_utf8_lossy(&output.stdout),
    );
    assert_clean(
        "stdin batch stderr",
        &String::from_utf8_lossy(&output.stderr),
    );

    for file in [&journal, &dir.join("stdin.journal")] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.lines().count() > 40, "{text}");
        assert_clean(&format!("journal {}", file.display()), &text);
    }
}

#[test]
fn the_progress_bar_on_a_terminal_is_clean() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("the `script` command (util-linux) is needed to give the CLI a pseudo-terminal");
    }
    let dir = scratch("tty");
    let slow = emulator(Faults {
        seed: 3,
        latency_ms: 10,
        p503: 0.2,
        ..Faults::default()
    });
    let mut csv = String::from("vendor,product,region,reference\n");
    let mut seed = Vec::new();
    for i in 0..40 {
        let reference = format!("tty-{i:03}");
        csv.push_str(&format!("jumio,scan,eu,{reference}\n"));
        seed.push(SeedItem::new("jumio", "scan", &reference));
    }
    slow.seed(&seed).unwrap();
    let input = dir.join("in.csv");
    std::fs::write(&input, csv).unwrap();
    let command_line = format!(
        "{BIN} batch {} --journal {} --concurrency 1 --yes --base-url {}",
        input.display(),
        dir.join("j").display(),
        slow.base_url()
    );
    let mut script = Command::new("script");
    script.env_clear();
    for (key, value) in idv_delete(&dir).get_envs() {
        if let Some(value) = value {
            script.env(key, value);
        }
    }
    let (code, screen) = run(
        "progress bar",
        script
            .env("TERM", "xterm")
            .args(["-qfec", &command_line, "/dev/null"]),
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("/40"), "no progress bar:\n{screen}");
}

#[test]
fn broken_configuration_never_echoes_a_secret() {
    let dir = scratch("config");
    let ok = emulator(Faults::default());
    let base = ok.base_url();
    let config = dir.join("config.toml");
    let cases = [
        // TOML errors quote the offending line.
        format!("[jumio]\napi_token = \"{TOKEN}\napi_secret = \"{SECRET}\"\n"),
        format!("[jumio]\napi_token = {TOKEN}\n"),
        format!("[jumio]\napi_secret = \"{SECRET}\"\napi_secrets = \"{SECRET}\"\n"),
        format!("[hyperverge]\napp_key = \"{APP_KEY}\"\napp_key = \"{APP_KEY}\"\n"),
        format!("[hyperverge]\napp_id = [\"{APP_ID}\"]\n"),
        // Values that do not validate.
        format!("[jumio]\napi_token = \"{TOKEN}:{SECRET}\"\napi_secret = \"{SECRET}\"\nuser_agent = \"Acme/1\"\n"),
        format!("[jumio]\napi_token = \"{TOKEN}\"\napi_secret = \"{SECRET}\\n\"\nuser_agent = \"Acme/1\"\n"),
        format!("[jumio]\napi_token = \"{TOKEN} \"\napi_secret = \"{SECRET}\"\nuser_agent = \"Acme/1\"\n"),
        // Credentials in a base URL are refused without being repeated.
        format!("base_url = \"https://{TOKEN}:{SECRET}@x.example/?key={APP_KEY}#{APP_ID}\"\n[jumio]\napi_token = \"{TOKEN}\"\napi_secret = \"{SECRET}\"\nuser_agent = \"Acme/1\"\n[hyperverge]\napp_id = \"{APP_ID}\"\napp_key = \"{APP_KEY}\"\n"),
        format!("[hyperverge]\napp_id = \"{APP_ID}\"\napp_key = \"{APP_KEY}\"\nhost = \"{APP_ID}:{APP_KEY}@x.example\"\n"),
        format!("[hyperverge]\napp_id = \"{APP_ID}\u{e9}\"\napp_key = \"{APP_KEY}\"\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        std::fs::write(&config, text).unwrap();
        // A base URL on the command line would win over the file's.
        let base_url: &[&str] = if text.starts_with("base_url") {
            &[]
        } else {
            &["--base-url", &base]
        };
        for args in [
            vec!["jumio", "scan", "ref-1", "--region", "eu"],
            vec!["hyperverge", "txn-1"],
        ] {
            let (code, output) = run(
                &format!("config case {i} {args:?}"),
                idv_delete(&dir)
                    .env_remove("JUMIO_API_TOKEN")
                    .env_remove("JUMIO_API_SECRET")
                    .env_remove("JUMIO_USER_AGENT")
                    .env_remove("HYPERVERGE_APP_ID")
                    .env_remove("HYPERVERGE_APP_KEY")
                    .args(&args)
                    .args(base_url)
                    .arg("--config")
                    .arg(&config),
            );
            assert_eq!(code, 2, "case {i}: {output}");
        }
    }
    // The same mistakes in the environment.
    for (variable, value) in [
        ("JUMIO_API_TOKEN", format!("{TOKEN}:{SECRET}")),
        ("JUMIO_API_SECRET", format!("{SECRET}\n")),
        ("JUMIO_API_SECRET", format!(" {SECRET}")),
        ("HYPERVERGE_APP_KEY", format!("{APP_KEY}\t")),
        ("HYPERVERGE_APP_ID", format!("{APP_ID}\u{2028}")),
    ] {
        let (code, output) = run(
            &format!("{variable} {value:?}"),
            idv_delete(&dir)
                .env(variable, value)
                .args(["batch", "-", "--journal"])
                .arg(dir.join("j"))
                .args(["--yes", "--base-url", &base])
                .stdin(std::fs::File::open(write_csv(&dir)).unwrap()),
        );
        assert_eq!(code, 2, "{output}");
    }
    for args in [
        vec![
            "jumio".to_owned(),
            "scan".into(),
            "ref-1".into(),
            "--region".into(),
            "eu".into(),
            "--base-url".into(),
            format!("https://{TOKEN}:{SECRET}@x.example"),
        ],
        vec![
            "hyperverge".to_owned(),
            "txn-1".into(),
            "--base-url".into(),
            format!("http://127.0.0.1:1/?appkey={APP_KEY}"),
        ],
        vec![
            "hyperverge".to_owned(),
            "txn-1".into(),
            "--host".into(),
            format!("{APP_KEY}@x.example"),
        ],
    ] {
        let (code, output) = run(&format!("{args:?}"), idv_delete(&dir).args(&args));
        assert_eq!(code, 2, "{output}");
    }
    assert_eq!(ok.stats().total_requests, 0);
}

fn write_csv(dir: &Path) -> PathBuf {
    let path = dir.join("both.csv");
    std::fs::write(
        &path,
        "vendor,product,region,reference\njumio,scan,eu,ref-1\nhyperverge,transaction,,txn-1\n",
    )
    .unwrap();
    path
}

/// A loopback proxy in front of the emulator that keeps every access
/// token the emulator's token route issues: the tokens the CLI held.
struct TokenRecorder {
    base_url: String,
    tokens: Arc<Mutex<Vec<String>>>,
}

impl TokenRecorder {
    fn start(upstream: std::net::SocketAddr) -> TokenRecorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&tokens);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = Arc::clone(&kept);
                std::thread::spawn(move || {
                    if let Some(token) = forward(stream, upstream) {
                        kept.lock().unwrap().push(token);
                    }
                });
            }
        });
        TokenRecorder { base_url, tokens }
    }
}

/// Forwards one request to `upstream` (asking it to close the connection,
/// so its answer ends at EOF and the client opens a new connection for
/// the next request) and its answer back; returns the access token of a
/// token answer.
fn forward(stream: TcpStream, upstream: std::net::SocketAddr) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line.trim_end().is_empty() {
            break;
        }
        let name = line.split(':').next().unwrap_or("").trim();
        if name.eq_ignore_ascii_case("connection") {
            continue;
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = line.split_once(':')?.1.trim().parse().ok()?;
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut server = TcpStream::connect(upstream).ok()?;
    server
        .write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())
        .ok()?;
    server.write_all(&body).ok()?;
    let mut answer = Vec::new();
    let _ = server.read_to_end(&mut answer);
    let _ = reader.get_mut().write_all(&answer);
    if !head.contains(" /oauth2/token ") {
        return None;
    }
    let text = String::from_utf8_lossy(&answer);
    let (_, json) = text.split_once("\r\n\r\n")?;
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["access_token"].as_str().map(str::to_owned)
}

/// Jumio Platform runs (single accounts and workflows in text and JSON, a
/// faulty batch with its resume and `verify`, refused client credentials):
/// no output or journal holds the client id or secret, or any access token
/// the emulator issued.
#[test]
fn platform_client_secret_and_access_tokens_never_appear() {
    let dir = scratch("platform");
    let emulator = emulator(Faults {
        seed: 11,
        p503: 0.15,
        p429: 0.1,
        retry_after_secs: 0,
        p_reset_before: 0.05,
        p_reset_after: 0.05,
        ..Faults::default()
    });
    let proxy = TokenRecorder::start(emulator.addr());
    let base = proxy.base_url.clone();
    let uuid = |n: u32| format!("00000000-0000-4000-8000-{n:012x}");
    let mut seed = Vec::new();
    let mut csv = String::from("vendor,product,region,reference\n");
    for i in 0..30 {
        let (product, reference) = if i % 2 == 0 {
            ("account", uuid(i))
        } else {
            ("workflow", format!("{}/{}", uuid(i), uuid(1000 + i)))
        };
        let region = ["us", "eu", "sgp"][i as usize % 3];
        seed.push(SeedItem::new("jumio-platform", product, &reference));
        csv.push_str(&format!("jumio-platform,{product},{region},{reference}\n"));
    }
    seed.push(SeedItem::new("jumio-platform", "account", &uuid(500)));
    seed.push(SeedItem::new(
        "jumio-platform",
        "workflow",
        &format!("{}/{}", uuid(501), uuid(502)),
    ));
    emulator.seed(&seed).unwrap();
    let input = dir.join("platform.csv");
    std::fs::write(&input, &csv).unwrap();
    let journal = dir.join("platform.journal");

    let mut outputs = Vec::new();
    for output in ["text", "json"] {
        outputs.push(run(
            &format!("account {output}"),
            idv_delete(&dir)
                .args(["jumio-platform", "account", &uuid(500), "--region", "us"])
                .args(["--base-url", &base, "--output", output]),
        ));
        outputs.push(run(
            &format!("workflow {output}"),
            idv_delete(&dir)
                .args(["jumio-platform", "workflow", &uuid(501), &uuid(502)])
                .args(["--region", "eu", "--base-url", &base, "--output", output]),
        ));
    }
    let batch = |label: &str, extra: &[&str]| {
        run(
            label,
            idv_delete(&dir)
                .arg("batch")
                .arg(&input)
                .arg("--journal")
                .arg(&journal)
                .args(["--yes", "--concurrency", "4", "--base-url", &base])
                .args(extra),
        )
    };
    outputs.push(batch("first run", &["--max-attempts", "1"]));
    emulator.set_faults(Faults::default()).unwrap();
    let (code, output) = batch("resume", &["--max-attempts", "4", "--output", "json"]);
    assert_eq!(code, 0, "{output}");
    outputs.push((code, output));
    for extra in [vec![], vec!["--output", "json"]] {
        outputs.push(run(
            "verify",
            idv_delete(&dir).arg("verify").arg(&journal).args(extra),
        ));
    }
    let (code, output) = run(
        "refused",
        idv_delete(&dir)
            .env("JUMIO_CLIENT_SECRET", "CANARY-WRONG-c92f06")
            .args(["jumio-platform", "account", &uuid(500), "--region", "us"])
            .args(["--base-url", &base]),
    );
    assert_eq!(code, 2, "{output}");
    outputs.push((code, output));

    let tokens = proxy.tokens.lock().unwrap().clone();
    assert!(tokens.len() >= 5, "the proxy saw {} tokens", tokens.len());
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    assert_clean("platform journal", &journal_text);
    for token in &tokens {
        for (_, output) in &outputs {
            assert!(
                !output.contains(token.as_str()),
                "a token leaked:\n{output}"
            );
        }
        assert!(
            !journal_text.contains(token.as_str()),
            "the journal holds a token"
        );
    }
}

/// The Veriff sessions the canary runs delete: their signatures are
/// canaries too.
const VERIFF_SESSIONS: [&str; 2] = [
    "7c1d0e5a-3b2f-4a6e-9d8c-1f0e2d3c4b5a",
    "0e5b6a9c-3f7d-4c2a-9b1e-5d8f2a7c4e10",
];
const ONFIDO_APPLICANT: &str = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20";

/// The single commands of the four vendors that erase later.
fn new_vendor_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["onfido", "applicant", ONFIDO_APPLICANT, "--region", "eu"],
        vec!["persona", "inquiry", "inq_canary1"],
        vec!["persona", "account", "act_canary1"],
        vec!["stripe", "verification-session", "vs_canary1"],
        vec!["veriff", "session", VERIFF_SESSIONS[0]],
    ]
}

fn seed_new_vendors(emulator: &Emulator) {
    emulator
        .seed(&[
            SeedItem::new("onfido", "applicant", ONFIDO_APPLICANT),
            SeedItem::new("persona", "inquiry", "inq_canary1"),
            SeedItem::new("persona", "account", "act_canary1"),
            SeedItem::new("stripe", "verification_session", "vs_canary1"),
            SeedItem::new("veriff", "session", VERIFF_SESSIONS[0]),
            SeedItem::new("veriff", "session", VERIFF_SESSIONS[1]).with_state("in_progress"),
        ])
        .unwrap();
}

#[test]
fn the_new_vendors_secrets_never_appear() {
    let home = scratch("new-vendors");
    // Successes (scheduled), in text and JSON, each on fresh records.
    let delays = || Config {
        onfido_deletion_delay: std::time::Duration::from_millis(300),
        stripe_redaction_delay: std::time::Duration::from_millis(300),
        persona_children_delay: std::time::Duration::from_millis(300),
        ..canary_config()
    };
    for output in ["text", "json"] {
        let fresh = Emulator::start(delays()).unwrap();
        seed_new_vendors(&fresh);
        for args in new_vendor_commands() {
            let (code, out) = run(
                &format!("{args:?} {output}"),
                idv_delete(&home).args(&args).args([
                    "--base-url",
                    &fresh.base_url(),
                    "--output",
                    output,
                ]),
            );
            assert_eq!(code, 0, "{args:?}: {out}");
        }
    }
    let ok = Emulator::start(delays()).unwrap();
    seed_new_vendors(&ok);
    // A session Veriff will not delete yet (its error names no secret).
    let (code, out) = run(
        "veriff in progress",
        idv_delete(&home).args([
            "veriff",
            "session",
            VERIFF_SESSIONS[1],
            "--base-url",
            &ok.base_url(),
        ]),
    );
    assert_eq!(code, 4, "{out}");

    // 401: the canary keys sent to an emulator that wants others.
    let other = Emulator::start(Config::default()).unwrap();
    seed_new_vendors(&other);
    for args in new_vendor_commands() {
        let (code, out) = run(
            &format!("401 {args:?}"),
            idv_delete(&home)
                .args(&args)
                .args(["--base-url", &other.base_url()]),
        );
        assert_eq!(code, 4, "{args:?}: {out}");
    }

    // Retried failures: 5xx, 429, resets, truncated answers.
    let faulty = Emulator::start(Config {
        faults: Faults {
            seed: 18,
            p503: 0.3,
            p429: 0.2,
            retry_after_secs: 0,
            p_reset_before: 0.1,
            p_reset_after: 0.1,
            p_truncate: 0.1,
            ..Faults::default()
        },
        ..canary_config()
    })
    .unwrap();
    seed_new_vendors(&faulty);
    for args in new_vendor_commands() {
        run(
            &format!("faults {args:?}"),
            idv_delete(&home).args(&args).args([
                "--base-url",
                &faulty.base_url(),
                "--max-attempts",
                "3",
            ]),
        );
    }

    // A batch of all four, its journal, verify and a recheck.
    let dir = scratch("new-vendors-batch");
    seed_new_vendors(&ok);
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        format!(
            "vendor,product,region,reference\nonfido,applicant,eu,{ONFIDO_APPLICANT}\npersona,inquiry,,inq_canary1\npersona,account,,act_canary1\nstripe,,,vs_canary1\nveriff,session,,{}\n",
            VERIFF_SESSIONS[0]
        ),
    )
    .unwrap();
    let journal = dir.join("j");
    let (code, out) = run(
        "batch",
        idv_delete(&home)
            .arg("batch")
            .arg(&input)
            .arg("--journal")
            .arg(&journal)
            .args(["--yes", "--base-url", &ok.base_url()]),
    );
    assert_eq!(code, 0, "{out}");
    std::thread::sleep(std::time::Duration::from_millis(700));
    // Rechecked with a Stripe key the vendor refuses: that recheck fails,
    // named without the key; then with the right keys.
    let (code, out) = run(
        "recheck 401",
        idv_delete(&home)
            .env("STRIPE_SECRET_KEY", "sk_test_other")
            .args(["verify", "--recheck", "--base-url", &ok.base_url()])
            .arg(&journal),
    );
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("recheck failed: stripe/"), "{out}");
    for extra in [vec![], vec!["--output", "json"]] {
        let (code, out) = run(
            "recheck",
            idv_delete(&home)
                .args(["verify", "--recheck", "--base-url", &ok.base_url()])
                .args(&extra)
                .arg(&journal),
        );
        assert_eq!(code, 0, "{out}");
    }
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("\"confirmed_by\":\"recheck\""), "{text}");
    assert_clean("journal", &text);

    // Broken configuration: TOML errors and refused values never echo a key.
    let config = dir.join("config.toml");
    for (i, text) in [
        format!("[onfido]\napi_token = {ONFIDO_TOKEN}\n"),
        format!("[persona]\napi_key = \"{PERSONA_KEY}\"\napi_keys = \"{PERSONA_KEY}\"\n"),
        format!("[stripe]\nsecret_key = \"pk_{STRIPE_KEY}\"\n"),
        format!("[stripe]\nsecret_key = \"{STRIPE_KEY}\n\"\n"),
        format!("[veriff]\napi_key = \"{VERIFF_KEY}\"\nshared_secret = \"{VERIFF_SECRET}\"\nbase_url = \"https://{VERIFF_KEY}:{VERIFF_SECRET}@x.example\"\n"),
        format!("[veriff]\napi_key = \"{VERIFF_KEY}\"\nshared_secret = [\"{VERIFF_SECRET}\"]\n"),
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(&config, text).unwrap();
        for args in new_vendor_commands() {
            let (code, out) = run(
                &format!("config case {i} {args:?}"),
                idv_delete(&home)
                    .env_remove("ONFIDO_API_TOKEN")
                    .env_remove("PERSONA_API_KEY")
                    .env_remove("STRIPE_SECRET_KEY")
                    .env_remove("VERIFF_API_KEY")
                    .env_remove("VERIFF_SHARED_SECRET")
                    .args(&args)
                    .arg("--config")
                    .arg(&config),
            );
            assert!(code == 2 || code == 4, "case {i} {args:?}: {out}");
        }
    }
    // The same mistakes in the environment.
    for (variable, value) in [
        ("STRIPE_SECRET_KEY", format!("pk_{STRIPE_KEY}")),
        ("VERIFF_SHARED_SECRET", format!("{VERIFF_SECRET}\n")),
        ("VERIFF_BASE_URL", format!("https://{VERIFF_KEY}@x.example")),
        ("PERSONA_API_KEY", format!(" {PERSONA_KEY}")),
        ("ONFIDO_API_TOKEN", format!("{ONFIDO_TOKEN}\u{2028}")),
    ] {
        let (code, out) = run(
            variable,
            idv_delete(&home)
                .env(variable, value)
                .arg("batch")
                .arg(&input)
                .arg("--journal")
                .arg(dir.join("j2"))
                .arg("--yes"),
        );
        assert_eq!(code, 2, "{variable}: {out}");
    }
}
