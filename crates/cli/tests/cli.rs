//! End-to-end tests of the `idv-delete` binary against the emulator, started
//! in this process on a loopback port.

use std::io::{BufRead, BufReader, Write};

use std::process::{Command, Stdio};

mod common;

use common::*;
use idv_delete_emulator::{Emulator, Faults};

#[test]
fn jumio_and_hyperverge_one_off_deletions_and_exit_codes() {
    let emulator = emulator();
    emulator.seed_one("jumio", "scan", "ref-1").unwrap();
    emulator.seed_one("jumio", "document", "doc-1").unwrap();
    emulator
        .seed_one("hyperverge", "transaction", "txn 1")
        .unwrap();
    let base = emulator.base_url();

    let (code, stdout, _) = run(idv_delete(&emulator).args([
        "jumio",
        "scan",
        "ref-1",
        "--region",
        "eu",
        "--base-url",
        &base,
    ]));
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.starts_with("deleted    jumio/scan/eu/ref-1"),
        "{stdout}"
    );

    // The second time it is not found: exit 3.
    let (code, stdout, _) = run(idv_delete(&emulator).args([
        "jumio",
        "scan",
        "ref-1",
        "--region",
        "eu",
        "--base-url",
        &base,
    ]));
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.starts_with("not found  jumio/scan/eu/ref-1"),
        "{stdout}"
    );

    let (code, stdout, _) = run(idv_delete(&emulator).args([
        "jumio",
        "document",
        "doc-1",
        "missing",
        "--region",
        "us",
        "--base-url",
        &base,
        "--output",
        "json",
    ]));
    assert_eq!(code, 3);
    let items: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(items[0]["result"], "deleted");
    assert_eq!(items[0]["confirmed_by"], "response");
    assert_eq!(items[1]["result"], "not_found");
    assert_eq!(items[1]["status"], 404);

    let (code, stdout, _) =
        run(idv_delete(&emulator).args(["hyperverge", "txn 1", "--base-url", &base]));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("audits: "), "{stdout}");
    assert_eq!(applied(&emulator, "hyperverge", "transaction", "txn 1"), 1);

    // Wrong credentials: a failure, exit 4.
    let (code, stdout, _) = run(idv_delete(&emulator)
        .env("HYPERVERGE_APP_KEY", "wrong")
        .args(["hyperverge", "txn-2", "--base-url", &base]));
    assert_eq!(code, 4);
    assert!(stdout.contains("credentials refused"), "{stdout}");
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let emulator = emulator();
    let base = emulator.base_url();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["jumio", "scan", "a#x", "--region", "eu"],
            "character '#'",
        ),
        (
            vec!["jumio", "scan", "ok", "../x", "--region", "eu"],
            "character '.'",
        ),
        (vec!["jumio", "scan", "ok"], "--region"),
        (vec!["hyperverge", "line\nbreak"], "control character"),
        (
            vec!["jumio", "scan", "ok", "--region", "eu", "--timeout", "0"],
            "--timeout",
        ),
    ];
    for (args, expected) in cases {
        let (code, _, stderr) = run(idv_delete(&emulator)
            .args(&args)
            .args(["--base-url", &base]));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = run(idv_delete(&emulator).args([
        "jumio",
        "scan",
        "ok",
        "--region",
        "eu",
        "--base-url",
        "http://example.com",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("plain http"), "{stderr}");
    // Missing credentials name what to set.
    let (code, _, stderr) = run(idv_delete(&emulator)
        .env_remove("JUMIO_API_SECRET")
        .env_remove("JUMIO_USER_AGENT")
        .args(["jumio", "scan", "ok", "--region", "eu", "--base-url", &base]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("JUMIO_API_SECRET, JUMIO_USER_AGENT"),
        "{stderr}"
    );
    assert_eq!(
        emulator.stats().total_requests,
        0,
        "nothing reached the vendor"
    );
}

#[test]
fn config_file_credentials_and_permission_warning() {
    let emulator = emulator();
    emulator
        .seed_one("jumio", "authentication", "auth-1")
        .unwrap();
    let dir = scratch("config");
    let config = dir.join("config.toml");
    write(
        &config,
        &format!(
            "base_url = \"{}\"\n[jumio]\napi_token = \"{}\"\napi_secret = \"{CANARY_SECRET}\"\nuser_agent = \"Acme/2\"\nregion = \"sgp\"\n",
            emulator.base_url(),
            idv_delete_emulator::DEFAULT_JUMIO_TOKEN
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .env_remove("JUMIO_API_TOKEN")
        .env_remove("JUMIO_API_SECRET")
        .env_remove("JUMIO_USER_AGENT")
        .arg("jumio")
        .arg("authentication")
        .arg("auth-1")
        .arg("--config")
        .arg(&config));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("jumio/authentication/sgp/auth-1"),
        "{stdout}"
    );
    assert!(
        stderr.contains("readable by others") && stderr.contains("chmod 600"),
        "{stderr}"
    );
}

#[test]
fn batch_reports_bad_rows_with_line_numbers_and_sends_nothing() {
    let emulator = emulator();
    let dir = scratch("bad-rows");
    let csv = dir.join("in.csv");
    write(
        &csv,
        "vendor,product,region,reference\njumio,scan,eu,good-1\njumio,scan,mars,good-2\nacme,scan,eu,x\njumio,scan,eu,bad/ref\nhyperverge,transaction,eu,t\njumio,scan,eu\n",
    );
    let (code, _, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&csv)
        .arg("--journal")
        .arg(dir.join("j"))
        .args(["--yes", "--base-url", &emulator.base_url()]));
    assert_eq!(code, 2, "{stderr}");
    for expected in [
        "5 invalid rows",
        "line 3: unknown Jumio region \"mars\"",
        "line 4: unknown vendor \"acme\"",
        "line 5: Jumio reference \"bad/ref\"",
        "line 6: HyperVerge rows have no region",
        "line 7: has 3 fields",
        "nothing was sent",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected:?} missing from:\n{stderr}"
        );
    }
    assert_eq!(emulator.stats().total_requests, 0);
    assert!(!dir.join("j").exists(), "no journal for a refused run");

    let no_header = dir.join("no-header.csv");
    write(&no_header, "vendor,product,ref\njumio,scan,x\n");
    let (code, _, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&no_header)
        .arg("--journal")
        .arg(dir.join("j2"))
        .arg("--yes"));
    assert_eq!(code, 2);
    assert!(stderr.contains("no \"region\" column"), "{stderr}");
}

#[test]
fn batch_needs_confirmation_without_a_terminal_and_dry_run_sends_nothing() {
    let emulator = emulator();
    let dir = scratch("confirm");
    let csv = dir.join("in.csv");
    write(&csv, &seed_batch(&emulator, 12));
    let (code, _, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&csv)
        .arg("--journal")
        .arg(dir.join("j"))
        .args(["--base-url", &emulator.base_url()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("pass --yes"), "{stderr}");
    assert!(
        stderr.contains("jumio           scan                 eu               8"),
        "the plan is shown:\n{stderr}"
    );

    let (code, stdout, _) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&csv)
        .arg("--journal")
        .arg(dir.join("j"))
        .args([
            "--dry-run",
            "--output",
            "json",
            "--base-url",
            &emulator.base_url(),
        ]));
    assert_eq!(code, 0);
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["would_delete"], 12);
    assert_eq!(summary["dry_run"], true);
    assert_eq!(emulator.stats().total_requests, 0);
}

#[test]
fn batch_runs_resumes_and_verify_proves_it() {
    let emulator = emulator();
    let dir = scratch("batch");
    let csv = dir.join("in.csv");
    let journal = dir.join("erasures.journal");
    let mut rows = seed_batch(&emulator, 30);
    rows.push_str("jumio,scan,eu,never-seeded\n");
    write(&csv, &rows);
    let batch = |emulator: &Emulator| {
        run(idv_delete(emulator)
            .arg("batch")
            .arg(&csv)
            .arg("--journal")
            .arg(&journal)
            .args([
                "--yes",
                "--concurrency",
                "4",
                "--output",
                "json",
                "--base-url",
                &emulator.base_url(),
            ]))
    };
    let (code, stdout, stderr) = batch(&emulator);
    assert_eq!(code, 3, "one row is not found: {stdout}{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["deleted"], 30);
    assert_eq!(summary["not_found"], 1);
    assert_eq!(summary["journal"], journal.display().to_string());

    // The same command again resumes: everything is skipped, nothing is sent.
    let before = emulator.stats().total_requests;
    let (code, stdout, _) = batch(&emulator);
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["skipped"], 31, "{stdout}");
    assert_eq!(code, 0);
    assert_eq!(emulator.stats().total_requests, before);

    let (code, stdout, _) = run(idv_delete(&emulator).arg("verify").arg(&journal));
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.contains("30 deleted (30 confirmed by the vendor's answer, 0 by absence"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "1 not found, 0 failed, 0 in doubt, 0 duplicates, 0 never attempted; 2 run(s)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("complete: every item of the input (31)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("not_found  jumio/scan/eu/never-seeded"),
        "{stdout}"
    );
    let (_, stdout, _) = run(idv_delete(&emulator)
        .arg("verify")
        .arg(&journal)
        .args(["--output", "json"]));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["deleted"], 30);
    assert_eq!(report["items"].as_array().unwrap().len(), 31);
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    assert!(!journal_text.contains(CANARY_SECRET));
    for i in 0..30 {
        let (vendor, product) = if i % 3 == 0 {
            ("hyperverge", "transaction")
        } else {
            ("jumio", "scan")
        };
        assert_eq!(
            applied(&emulator, vendor, product, &format!("batch-{i:04}")),
            1
        );
    }
}

#[test]
fn batch_from_stdin_with_faults_ends_with_everything_deleted() {
    let emulator = emulator();
    emulator
        .set_faults(Faults {
            seed: 11,
            p503: 0.1,
            p_reset_after: 0.1,
            ..Faults::default()
        })
        .unwrap();
    let dir = scratch("stdin");
    let rows = seed_batch(&emulator, 40);
    let mut child = idv_delete(&emulator)
        .arg("batch")
        .arg("-")
        .arg("--journal")
        .arg(dir.join("j"))
        .args([
            "--yes",
            "--max-attempts",
            "8",
            "--base-url",
            &emulator.base_url(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(rows.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stats = emulator.stats();
    assert_eq!(stats.transactions_present, 0);
    assert!(stats.references.iter().all(|r| r.applied == 1));
    assert!(stdout.contains("deleted (vendor answered 2xx)"), "{stdout}");
}

#[test]
fn progress_bar_is_drawn_on_a_terminal_and_confirmation_can_be_declined() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("the `script` command (util-linux) is needed to give the CLI a pseudo-terminal");
    }
    let emulator = emulator();
    emulator
        .set_faults(Faults {
            latency_ms: 15,
            ..Faults::default()
        })
        .unwrap();
    let dir = scratch("tty");
    let csv = dir.join("in.csv");
    write(&csv, &seed_batch(&emulator, 60));
    let command_line = |extra: &str| {
        format!(
            "{BIN} batch {} --journal {} --concurrency 1 --base-url {} {extra}",
            csv.display(),
            dir.join("j").display(),
            emulator.base_url()
        )
    };
    // Declined at the prompt: exit 5 and nothing sent.
    let mut child = script(&idv_delete(&emulator), &command_line(""))
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let mut byte_line = Vec::new();
    // Wait for the prompt, then answer no.
    while !seen.contains("Type yes to go on") {
        byte_line.clear();
        if stdout.read_until(b':', &mut byte_line).unwrap() == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&byte_line));
    }
    assert!(seen.contains("Type yes to go on"), "{seen}");
    child.stdin.as_mut().unwrap().write_all(b"no\n").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5), "{seen}");
    assert_eq!(emulator.stats().total_requests, 0);

    // With --yes on a terminal: the progress bar is drawn.
    let output = script(&idv_delete(&emulator), &command_line("--yes"))
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains("/60"),
        "no progress bar on the terminal:\n{screen}"
    );
    assert!(
        screen.contains("deleted ") && screen.contains("ETA"),
        "{screen}"
    );
    assert_eq!(emulator.stats().transactions_present, 0);

    // Without a terminal the bar is hidden.
    let (_, _, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&csv)
        .arg("--journal")
        .arg(dir.join("j3"))
        .args(["--yes", "--base-url", &emulator.base_url()]));
    assert!(!stderr.contains("ETA"), "{stderr}");
}

/// `script` running `command_line` on a pseudo-terminal, with `base`'s
/// environment.
fn script(base: &Command, command_line: &str) -> Command {
    let mut script = Command::new("script");
    script.env_clear();
    for (key, value) in base.get_envs() {
        if let Some(value) = value {
            script.env(key, value);
        }
    }
    // A terminal has a TERM; without one indicatif (rightly) draws nothing.
    script
        .env("TERM", "xterm")
        .args(["-qfec", command_line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    script
}

#[test]
fn emulator_and_demo_commands() {
    let mut child = Command::new(BIN)
        .args(["emulator", "--port", "0", "--seed-random", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");

    let dir = scratch("demo");
    let output = Command::new(BIN)
        .args(["demo", "--items", "60", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("emulator check: 60 of 60 transactions erased exactly once, 0 more than once, 6 still present (6 expected: the accounts of the deleted workflow executions): OK"), "{stdout}");
    // Onfido, Persona and Stripe complete their erasures after the demo's
    // delay and the recheck confirms them; Veriff's 5 offer no read.
    assert!(
        stdout.contains("scheduled (vendor erases it later)           25"),
        "{stdout}"
    );
    assert!(stdout.contains("recheck: 25 scheduled, 20 confirmed deleted by the vendor, 0 still scheduled, 0 failed, 5 not rechecked"), "{stdout}");
    assert!(
        stdout.contains("emulator: 0 erasures pending: OK"),
        "{stdout}"
    );
    assert!(dir.join("erasures.journal").exists());
}

#[test]
fn help_has_examples_everywhere() {
    for command in [
        vec![],
        vec!["jumio"],
        vec!["hyperverge"],
        vec!["onfido"],
        vec!["persona"],
        vec!["stripe"],
        vec!["veriff"],
        vec!["batch"],
        vec!["verify"],
        vec!["emulator"],
        vec!["demo"],
    ] {
        let output = Command::new(BIN)
            .args(&command)
            .arg("--help")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command:?}");
        assert!(
            text.contains("Example"),
            "{command:?} --help has no example:\n{text}"
        );
    }
}

#[test]
fn a_failed_batch_is_finished_by_running_the_same_command_again() {
    let emulator = emulator();
    emulator
        .set_faults(Faults {
            seed: 5,
            p503: 0.3,
            p_reset_after: 0.3,
            ..Faults::default()
        })
        .unwrap();
    let dir = scratch("retry");
    let csv = dir.join("in.csv");
    let journal = dir.join("j");
    write(&csv, &seed_batch(&emulator, 30));
    let batch = |emulator: &Emulator| {
        run(idv_delete(emulator)
            .arg("batch")
            .arg(&csv)
            .arg("--journal")
            .arg(&journal)
            .args([
                "--yes",
                "--max-attempts",
                "1",
                "--output",
                "json",
                "--base-url",
                &emulator.base_url(),
            ]))
    };
    let (code, stdout, _) = batch(&emulator);
    assert_eq!(code, 4, "{stdout}");
    let first: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let failed = first["failed_total"].as_u64().unwrap();
    assert!(failed > 0);
    let (code, _, _) = run(idv_delete(&emulator).arg("verify").arg(&journal));
    assert_eq!(code, 4, "verify lists the failures");

    emulator.set_faults(Faults::default()).unwrap();
    let (code, stdout, _) = batch(&emulator);
    assert_eq!(code, 0, "{stdout}");
    let second: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(second["deleted"].as_u64().unwrap(), failed);
    assert_eq!(
        second["retried_failures"].as_u64().unwrap() + second["resumed_in_doubt"].as_u64().unwrap(),
        failed
    );
    let (code, stdout, _) = run(idv_delete(&emulator).arg("verify").arg(&journal));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("30 deleted"), "{stdout}");
    assert!(emulator.stats().references.iter().all(|r| r.applied == 1));
}
