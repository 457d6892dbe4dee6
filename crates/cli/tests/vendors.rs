//! Onfido, Persona, Stripe Identity and Veriff through the `idv-delete`
//! binary against the emulator (issue 18): each vendor's single command,
//! a batch mixing every vendor API, `verify` and the exit codes. The rule
//! they pin: an erasure the vendor completes later is shown, counted and
//! exited as scheduled (a success), never as deleted.

mod common;

use std::time::Duration;

use common::*;
use idv_delete_emulator::{Config, Emulator, SeedItem};
use serde_json::Value;

const ONFIDO_ID: &str = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20";
const VERIFF_ID: &str = "7c1d0e5a-3b2f-4a6e-9d8c-1f0e2d3c4b5a";

/// How long the emulator's vendors take to complete a scheduled erasure in
/// these tests (Onfido's deletion delay, Stripe's redaction, Persona's
/// children), instead of days.
const DELAY: Duration = Duration::from_millis(800);

fn emulator_with_delays() -> Emulator {
    Emulator::start(Config {
        jumio_secret: CANARY_SECRET.into(),
        onfido_deletion_delay: DELAY,
        stripe_redaction_delay: DELAY,
        persona_children_delay: DELAY,
        ..Config::default()
    })
    .unwrap()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The command of each new vendor, its seed, and the words its scheduled
/// line must hold.
fn single_commands() -> Vec<(Vec<&'static str>, SeedItem, &'static str)> {
    vec![
        (
            vec!["onfido", "applicant", ONFIDO_ID, "--region", "eu"],
            SeedItem::new("onfido", "applicant", ONFIDO_ID),
            "Onfido archived the applicant",
        ),
        (
            vec!["persona", "inquiry", "inq_one"],
            SeedItem::new("persona", "inquiry", "inq_one"),
            "Persona redacted the inquiry",
        ),
        (
            vec!["persona", "account", "act_one"],
            SeedItem::new("persona", "account", "act_one"),
            "Persona redacted the account",
        ),
        (
            vec!["stripe", "verification-session", "vs_one"],
            SeedItem::new("stripe", "verification_session", "vs_one"),
            "vendor status processing, within 4 days",
        ),
        (
            vec!["veriff", "session", VERIFF_ID],
            SeedItem::new("veriff", "session", VERIFF_ID),
            "within 12 h",
        ),
    ]
}

#[test]
fn each_new_vendors_command_reports_scheduled_never_deleted_and_exits_0() {
    let emulator = emulator();
    let base = emulator.base_url();
    let commands = single_commands();
    emulator
        .seed(
            &commands
                .iter()
                .map(|(_, s, _)| s.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
    for (args, seed, words) in &commands {
        let (code, stdout, stderr) =
            run(idv_delete(&emulator).args(args).args(["--base-url", &base]));
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
        assert!(stdout.starts_with("scheduled  "), "{args:?}: {stdout}");
        assert!(stdout.contains(words), "{args:?}: {stdout}");
        assert!(!stdout.contains("deleted "), "{args:?}: {stdout}");
        assert_eq!(
            applied(&emulator, &seed.vendor, &seed.product, &seed.reference),
            1,
            "{args:?}"
        );
    }
    // The same in JSON: "scheduled", with what the vendor told.
    emulator
        .seed(
            &commands
                .iter()
                .map(|(_, s, _)| s.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
    for (args, _, _) in &commands {
        let (code, stdout, stderr) =
            run(idv_delete(&emulator)
                .args(args)
                .args(["--base-url", &base, "--output", "json"]));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let items = json(&stdout);
        let item = &items[0];
        assert_eq!(item["result"], "scheduled", "{item}");
        assert!(item["completes"].as_str().is_some_and(|c| !c.is_empty()));
        assert!(item.get("confirmed_by").is_none(), "{item}");
        assert_eq!(item["vendor"], args[0], "{item}");
        let region = if args[0] == "onfido" {
            "eu".into()
        } else {
            Value::Null
        };
        assert_eq!(item["region"], region, "{item}");
    }
}

#[test]
fn onfido_takes_its_region_from_the_config_file_or_asks_for_one() {
    let emulator = emulator();
    let base = emulator.base_url();
    emulator.seed_one("onfido", "applicant", ONFIDO_ID).unwrap();
    let dir = scratch("onfido-region");
    let config = dir.join("config.toml");
    write(&config, "[onfido]\nregion = \"ca\"\n");
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .args([
            "onfido",
            "applicant",
            ONFIDO_ID,
            "--base-url",
            &base,
            "--config",
        ])
        .arg(&config));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("scheduled  onfido/applicant/ca/{ONFIDO_ID}")),
        "{stdout}"
    );

    let (code, stdout, stderr) =
        run(idv_delete(&emulator).args(["onfido", "applicant", ONFIDO_ID, "--base-url", &base]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("which region holds these applicants? pass --region eu, us or ca"),
        "{stderr}"
    );
    write(&config, "[onfido]\nregion = \"sgp\"\n");
    let (code, _, stderr) = run(idv_delete(&emulator)
        .args([
            "onfido",
            "applicant",
            ONFIDO_ID,
            "--base-url",
            &base,
            "--config",
        ])
        .arg(&config));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown Onfido region \"sgp\""), "{stderr}");
    // One request: the first command's.
    assert_eq!(emulator.stats().total_requests, 1);
}

#[test]
fn veriff_goes_to_the_integrations_base_url_and_the_command_line_wins() {
    let emulator = emulator();
    let other = Emulator::start(Config::default()).unwrap();
    emulator.seed_one("veriff", "session", VERIFF_ID).unwrap();
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .env("VERIFF_BASE_URL", emulator.base_url())
        .args(["veriff", "session", VERIFF_ID]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(applied(&emulator, "veriff", "session", VERIFF_ID), 1);

    // The config file's [veriff] base_url, and --base-url over both.
    let dir = scratch("veriff-base");
    let config = dir.join("config.toml");
    write(
        &config,
        &format!("[veriff]\nbase_url = \"{}\"\n", emulator.base_url()),
    );
    other.seed_one("veriff", "session", VERIFF_ID).unwrap();
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .env("VERIFF_BASE_URL", emulator.base_url())
        .args(["veriff", "session", VERIFF_ID, "--base-url"])
        .arg(other.base_url())
        .arg("--config")
        .arg(&config));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(applied(&other, "veriff", "session", VERIFF_ID), 1);
    assert_eq!(emulator.stats().total_requests, 1);

    // Plain http off the loopback is refused before anything is sent.
    let (code, _, stderr) = run(idv_delete(&emulator)
        .env("VERIFF_BASE_URL", "http://example.com")
        .args(["veriff", "session", VERIFF_ID]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the Veriff base URL"), "{stderr}");
    assert_eq!(emulator.stats().total_requests, 1);
}

#[test]
fn a_record_the_vendor_will_not_delete_yet_exits_4_and_says_retry_later() {
    let emulator = emulator();
    let base = emulator.base_url();
    emulator
        .seed(&[SeedItem::new("veriff", "session", VERIFF_ID).with_state("in_progress")])
        .unwrap();
    let (code, stdout, stderr) =
        run(idv_delete(&emulator).args(["veriff", "session", VERIFF_ID, "--base-url", &base]));
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(stdout.starts_with("failed     veriff/session/"), "{stdout}");
    assert!(stdout.trim_end().ends_with("retry later"), "{stdout}");
    // Not retried within the run.
    assert_eq!(emulator.stats().total_requests, 1);
}

/// One row of every vendor API, seeded: (CSV row, seed).
fn mixed_rows() -> Vec<(String, SeedItem)> {
    let account = uuid(1);
    let workflow = format!("{}/{}", uuid(2), uuid(3));
    vec![
        (
            "jumio,scan,eu,v2-ref-1".into(),
            SeedItem::new("jumio", "scan", "v2-ref-1"),
        ),
        (
            format!("jumio-platform,account,us,{account}"),
            SeedItem::new("jumio-platform", "account", &account),
        ),
        (
            format!("jumio-platform,workflow,eu,{workflow}"),
            SeedItem::new("jumio-platform", "workflow", &workflow),
        ),
        (
            "hyperverge,,,HV-mixed-1".into(),
            SeedItem::new("hyperverge", "transaction", "HV-mixed-1"),
        ),
        (
            format!("onfido,applicant,eu,{ONFIDO_ID}"),
            SeedItem::new("onfido", "applicant", ONFIDO_ID),
        ),
        (
            format!("onfido,,us,{}", uuid(4)),
            SeedItem::new("onfido", "applicant", &uuid(4)).with_state("no_check"),
        ),
        (
            "persona,inquiry,,inq_mixed1".into(),
            SeedItem::new("persona", "inquiry", "inq_mixed1"),
        ),
        (
            "persona,account,,act_mixed1".into(),
            SeedItem::new("persona", "account", "act_mixed1"),
        ),
        (
            "stripe,verification_session,,vs_mixed1".into(),
            SeedItem::new("stripe", "verification_session", "vs_mixed1"),
        ),
        (
            "stripe,verification-session,,vs_mixed2".into(),
            SeedItem::new("stripe", "verification_session", "vs_mixed2"),
        ),
        (
            format!("veriff,session,,{VERIFF_ID}"),
            SeedItem::new("veriff", "session", VERIFF_ID),
        ),
    ]
}

/// The batch's four immediate deletions and seven scheduled erasures.
const DELETED: u64 = 4;
const SCHEDULED: u64 = 7;

/// Writes the mixed CSV and seeds `emulator` with it.
fn mixed_batch(emulator: &Emulator, dir: &std::path::Path) -> std::path::PathBuf {
    let rows = mixed_rows();
    emulator
        .seed(&rows.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>())
        .unwrap();
    let mut csv = CSV_HEADER.to_owned();
    for (row, _) in &rows {
        csv.push_str(row);
        csv.push('\n');
    }
    let input = dir.join("mixed.csv");
    write(&input, &csv);
    input
}

#[test]
fn a_batch_of_every_vendor_api_counts_deleted_and_scheduled_apart() {
    let emulator = emulator_with_delays();
    let base = emulator.base_url();
    let dir = scratch("mixed");
    let input = mixed_batch(&emulator, &dir);
    let journal = dir.join("mixed.journal");
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--base-url", &base, "--output", "json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    assert_eq!(report["deleted"], DELETED, "{report}");
    assert_eq!(report["scheduled"], SCHEDULED, "{report}");
    assert_eq!(report["failed_total"], 0, "{report}");
    // The plan names every vendor, Onfido's regions included.
    for plan_row in [
        "onfido          applicant            eu",
        "onfido          applicant            us",
        "persona         account",
        "stripe          verification_session",
        "veriff          session",
    ] {
        assert!(stderr.contains(plan_row), "{plan_row:?}: {stderr}");
    }
    for (_, seed) in mixed_rows() {
        assert_eq!(
            applied(&emulator, &seed.vendor, &seed.product, &seed.reference),
            1,
            "{seed:?}"
        );
    }

    // verify: deleted and scheduled apart, exit 0.
    let (code, stdout, _) = run(idv_delete(&emulator).arg("verify").arg(&journal));
    assert_eq!(code, 0, "{stdout}");
    let scheduled: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("  scheduled  "))
        .collect();
    let deleted: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("  deleted    "))
        .collect();
    assert_eq!(scheduled.len() as u64, SCHEDULED, "{stdout}");
    assert_eq!(deleted.len() as u64, DELETED, "{stdout}");
    for vendor in ["onfido/", "persona/", "stripe/", "veriff/"] {
        assert!(
            scheduled.iter().any(|line| line.contains(vendor)),
            "{vendor}: {stdout}"
        );
        assert!(
            !deleted.iter().any(|line| line.contains(vendor)),
            "{vendor}: {stdout}"
        );
    }
    assert!(stdout.contains(&format!("{DELETED} deleted (")), "{stdout}");
    assert!(
        stdout.contains(&format!("{SCHEDULED} scheduled (")),
        "{stdout}"
    );
    let (code, stdout, _) = run(idv_delete(&emulator)
        .arg("verify")
        .arg(&journal)
        .args(["--output", "json"]));
    assert_eq!(code, 0, "{stdout}");
    let report = json(&stdout);
    assert_eq!(report["summary"]["deleted"], DELETED, "{report}");
    assert_eq!(report["summary"]["scheduled"], SCHEDULED, "{report}");

    // After the vendors' delays, a recheck confirms every item whose vendor
    // offers a read; Veriff's stays scheduled, and the output says why.
    std::thread::sleep(DELAY + Duration::from_millis(400));
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .args(["verify", "--recheck", "--base-url", &base])
        .arg(&journal));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "{} scheduled item(s) asked about: {} confirmed deleted by the vendor, 0 still scheduled, 0 failed",
            SCHEDULED - 1,
            SCHEDULED - 1
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("Veriff: offers no read to recheck with; its 1 item(s) stay scheduled"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} deleted (", DELETED + SCHEDULED - 1)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} confirmed by a recheck", SCHEDULED - 1)),
        "{stdout}"
    );
    assert!(stdout.contains("1 scheduled ("), "{stdout}");
    let scheduled: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("  scheduled  "))
        .collect();
    assert_eq!(scheduled.len(), 1, "{stdout}");
    assert!(scheduled[0].contains("veriff/session/"), "{stdout}");
    // Again, in JSON: only Veriff's is left, and nothing more is read.
    let reads = |stats: &idv_delete_emulator::Stats| -> u64 {
        stats
            .requests
            .iter()
            .filter(|(route, _)| route.ends_with("/read"))
            .flat_map(|(_, counts)| counts.values())
            .sum()
    };
    assert_eq!(reads(&emulator.stats()), SCHEDULED - 1);
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .args([
            "verify",
            "--recheck",
            "--output",
            "json",
            "--base-url",
            &base,
        ])
        .arg(&journal));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    assert_eq!(report["recheck"]["scheduled"], 1, "{report}");
    assert_eq!(report["recheck"]["not_offered"], 1, "{report}");
    assert_eq!(report["recheck"]["vendors_without_recheck"][0], "veriff");
    assert_eq!(report["summary"]["deleted_by_recheck"], SCHEDULED - 1);
    assert_eq!(report["summary"]["scheduled"], 1, "{report}");
    assert_eq!(reads(&emulator.stats()), SCHEDULED - 1);

    // A resume sends no deletion (only the Jumio Platform's token checks):
    // scheduled items are final for a run.
    let sent = |stats: idv_delete_emulator::Stats| stats.total_requests - stats.token_requests;
    let before = sent(emulator.stats());
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--base-url", &base, "--output", "json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["skipped"], DELETED + SCHEDULED, "{stdout}");
    assert_eq!(sent(emulator.stats()), before);
}

#[test]
fn a_mixed_batch_with_a_refusal_and_a_missing_record_exits_4_then_verify_too() {
    let emulator = emulator();
    let base = emulator.base_url();
    let dir = scratch("mixed-failures");
    emulator
        .seed(&[
            SeedItem::new("stripe", "verification_session", "vs_busy").with_state("processing"),
            SeedItem::new("persona", "inquiry", "inq_ok"),
        ])
        .unwrap();
    let input = dir.join("in.csv");
    write(
        &input,
        &format!("{CSV_HEADER}stripe,,,vs_busy\npersona,inquiry,,inq_ok\nonfido,applicant,ca,{ONFIDO_ID}\n"),
    );
    let journal = dir.join("j");
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--base-url", &base]));
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(
        stdout.contains("1 not deletable yet (the vendor will not delete it yet: retry later)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("scheduled (vendor erases it later)"),
        "{stdout}"
    );
    let (code, stdout, _) = run(idv_delete(&emulator).arg("verify").arg(&journal));
    assert_eq!(code, 4, "{stdout}");
    assert!(stdout.contains("1 scheduled ("), "{stdout}");
    assert!(stdout.contains("1 not found"), "{stdout}");

    // Only the not-found and the scheduled: exit 3.
    let input = dir.join("in2.csv");
    write(
        &input,
        &format!("{CSV_HEADER}persona,inquiry,,inq_ok\nonfido,applicant,ca,{ONFIDO_ID}\n"),
    );
    emulator.seed_one("persona", "inquiry", "inq_ok").unwrap();
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(dir.join("j2"))
        .args(["--yes", "--base-url", &base]));
    assert_eq!(code, 3, "{stdout}{stderr}");
}

#[test]
fn a_recheck_before_the_vendors_finish_keeps_them_scheduled_with_their_dates() {
    // The default delays: 20 days for Onfido, four for Stripe.
    let emulator = emulator();
    let base = emulator.base_url();
    let dir = scratch("recheck-early");
    emulator
        .seed(&[
            SeedItem::new("onfido", "applicant", ONFIDO_ID),
            SeedItem::new("stripe", "verification_session", "vs_early"),
        ])
        .unwrap();
    let input = dir.join("in.csv");
    write(
        &input,
        &format!("{CSV_HEADER}onfido,applicant,eu,{ONFIDO_ID}\nstripe,,,vs_early\n"),
    );
    let journal = dir.join("j");
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--base-url", &base]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .args(["verify", "--recheck", "--base-url", &base])
        .arg(&journal));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("2 scheduled item(s) asked about: 0 confirmed deleted by the vendor, 2 still scheduled, 0 failed"),
        "{stdout}"
    );
    let onfido = stdout
        .lines()
        .find(|line| {
            line.starts_with(&format!(
                "  still scheduled: onfido/applicant/eu/{ONFIDO_ID}"
            ))
        })
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(onfido.contains("the vendor's date: 20"), "{onfido}");
    assert!(
        stdout.contains("  still scheduled: stripe/verification_session/vs_early"),
        "{stdout}"
    );
    assert!(stdout.contains("0 deleted ("), "{stdout}");
    assert!(stdout.contains("2 scheduled ("), "{stdout}");
    // One line per item: the last scheduled record, with Onfido's date.
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("  scheduled  "))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("onfido/") && line.contains("the vendor's date: 20")),
        "{stdout}"
    );

    // Without the credentials of a scheduled vendor: exit 2, nothing read.
    let before = emulator.stats().total_requests;
    let (code, _, stderr) = run(idv_delete(&emulator)
        .env_remove("STRIPE_SECRET_KEY")
        .args(["verify", "--recheck", "--base-url", &base])
        .arg(&journal));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("STRIPE_SECRET_KEY"), "{stderr}");
    assert_eq!(emulator.stats().total_requests, before);
    // At another endpoint than the batch's: refused before anything is read,
    // with what the user can do (verify has no --allow-endpoint-change: an
    // absence at another endpoint would confirm nothing).
    let (code, _, stderr) = run(idv_delete(&emulator)
        .args(["verify", "--recheck", "--base-url", "http://127.0.0.1:9"])
        .arg(&journal));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(emulator.stats().total_requests, before);
    assert!(
        stderr.contains("this recheck would read at http://127.0.0.1:9"),
        "{stderr}"
    );
    assert!(
        stderr.contains("recheck with the journal's endpoint, the base URL http://127.0.0.1:")
            && stderr.contains("(CLI: --base-url http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(!stderr.contains("--allow-endpoint-change"), "{stderr}");
    // Its documented hosts, when the batch used them.
    let (code, _, stderr) = run(idv_delete(&emulator)
        .args(["verify", "--recheck", "--base-url", "http://127.0.0.1:9"])
        .arg(documented_journal(&dir)));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("to documented, this recheck would read at http://127.0.0.1:9")
            && stderr.contains("the vendor's documented hosts (no base URL)"),
        "{stderr}"
    );
}

/// With Veriff's real windows (5 deletions per hour), a batch of 12 sessions
/// sends 5 and stops with the time to run it again (exit 75) instead of
/// sleeping for an hour; run again at once, the journal's 5 sends count
/// and nothing is sent.
#[test]
fn veriff_s_hourly_window_stops_a_batch_with_the_time_to_resume() {
    let emulator = emulator_with_delays();
    let base = emulator.base_url();
    let dir = scratch("veriff-window");
    let mut csv = CSV_HEADER.to_owned();
    let mut seeds = Vec::new();
    for n in 0..12 {
        let id = format!("7c1d0e5a-3b2f-4a6e-9d8c-{n:012x}");
        csv.push_str(&format!("veriff,session,,{id}\n"));
        seeds.push(SeedItem::new("veriff", "session", &id));
    }
    emulator.seed(&seeds).unwrap();
    let input = dir.join("sessions.csv");
    write(&input, &csv);
    let journal = dir.join("sessions.journal");
    let batch = |output: &str| {
        run(idv_delete(&emulator)
            .arg("batch")
            .arg(&input)
            .arg("--journal")
            .arg(&journal)
            .args(["--yes", "--base-url", &base, "--output", output]))
    };
    let (code, stdout, stderr) = batch("json");
    assert_eq!(code, 75, "{stdout}{stderr}");
    let report = json(&stdout);
    assert_eq!(report["scheduled"], 5, "{report}");
    assert_eq!(report["window_full"]["vendor"], "veriff", "{report}");
    assert_eq!(report["window_full"]["count"], 5, "{report}");
    assert_eq!(report["window_full"]["span_secs"], 3600, "{report}");
    assert!(
        stderr.contains(
            "stopped at Veriff's limit of 5 requests per 1 h: run the same command again after"
        ),
        "{stderr}"
    );
    let (code, stdout, stderr) = batch("json");
    assert_eq!(code, 75, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["scheduled"], 0, "{stdout}");
    assert_eq!(
        emulator.stats().deletes_applied,
        5,
        "only the first run's 5 reached Veriff"
    );
}

/// A journal whose one run sent a Stripe redaction, scheduled, to the
/// vendor's documented hosts.
fn documented_journal(dir: &std::path::Path) -> std::path::PathBuf {
    let journal = dir.join("documented.jsonl");
    write(
        &journal,
        concat!(
            r#"{"event":"header","format":"idv-delete-journal","version":2,"created_at":"2025-06-01T09:00:00.000Z"}"#,
            "\n",
            r#"{"event":"run","run":1,"at":"2025-06-01T09:00:00.001Z","tool_version":"0.1.0","pid":4242,"endpoints":{"stripe":"documented"}}"#,
            "\n",
            r#"{"event":"sent","pos":0,"vendor":"stripe","product":"verification_session","ref":"vs_documented","at":"2025-06-01T09:00:01.000Z"}"#,
            "\n",
            r#"{"event":"outcome","pos":0,"vendor":"stripe","product":"verification_session","ref":"vs_documented","at":"2025-06-01T09:00:01.500Z","result":"scheduled","within_secs":345600,"attempts":1}"#,
            "\n",
            r#"{"event":"end","run":1,"at":"2025-06-01T09:00:02.000Z","how":"finished","items":0}"#,
            "\n",
        ),
    );
    journal
}
