//! The Jumio Platform (KYX) through the `idv-delete` binary, against the
//! in-process emulator: `jumio-platform account|workflow`, platform rows in
//! a batch mixed with Netverify v2 and HyperVerge rows, the journal's
//! proof, the token check before any deletion, credentials from the
//! config file, and what the output says a deletion erases.

mod common;

use common::*;
use idv_delete_emulator::{Emulator, SeedItem};
use serde_json::Value;

/// The sentence every output gives for a Jumio Platform deletion.
const ERASURE: &str =
    "images and extracted data deleted; Jumio keeps the transaction metadata and decision";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn accounts_share_one_token_and_say_what_was_erased() {
    let emulator = emulator();
    let accounts = [uuid(1), uuid(2), uuid(3)];
    for account in &accounts {
        emulator
            .seed_one("jumio-platform", "account", account)
            .unwrap();
    }
    let base = emulator.base_url();
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .args(["jumio-platform", "account"])
        .args(&accounts)
        .args(["--region", "eu", "--base-url", &base]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    for account in &accounts {
        let line = stdout
            .lines()
            .find(|l| l.contains(account.as_str()))
            .unwrap_or_else(|| panic!("no line for {account}:\n{stdout}"));
        assert!(
            line.starts_with("deleted    jumio-platform/account/eu/") && line.ends_with(ERASURE),
            "{line}"
        );
        assert_eq!(applied(&emulator, "jumio-platform", "account", account), 1);
    }
    let stats = emulator.stats();
    assert_eq!(stats.token_requests, 1, "one token for the three accounts");
    assert_eq!(stats.total_requests, 4);

    // Again: not found, exit 3 (the token check passes first).
    let (code, stdout, _) = run(idv_delete(&emulator)
        .args(["jumio-platform", "account", &accounts[0]])
        .args(["--region", "eu", "--base-url", &base]));
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.starts_with("not found  jumio-platform/account/eu/"));
    assert!(!stdout.contains(ERASURE), "{stdout}");
}

#[test]
fn a_workflow_execution_is_deleted_and_its_account_kept() {
    let emulator = emulator();
    let (account, workflow, other) = (uuid(10), uuid(11), uuid(12));
    emulator
        .seed(&[
            SeedItem::new(
                "jumio-platform",
                "workflow",
                &format!("{account}/{workflow}"),
            ),
            SeedItem::new("jumio-platform", "workflow", &format!("{account}/{other}")),
        ])
        .unwrap();
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .args(["jumio-platform", "workflow", &account, &workflow])
        .args(["--region", "sgp", "--output", "json"])
        .args(["--base-url", &emulator.base_url()]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let items = json(&stdout);
    let item = &items[0];
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{stdout}");
    assert_eq!(item["vendor"], "jumio-platform");
    assert_eq!(item["product"], "workflow");
    assert_eq!(item["region"], "sgp");
    assert_eq!(item["reference"], format!("{account}/{workflow}"));
    assert_eq!(item["result"], "deleted");
    assert_eq!(item["erasure"], ERASURE);
    let reference = format!("{account}/{workflow}");
    assert_eq!(
        applied(&emulator, "jumio-platform", "workflow", &reference),
        1
    );
    // The account and its other workflow execution remain.
    assert_eq!(emulator.stats().transactions_present, 2);
}

/// Netverify v2, both platform products in two regions, and HyperVerge in
/// one CSV: one run deletes them all, buys one token per platform region,
/// says so, and `verify` accepts the journal.
#[test]
fn a_mixed_batch_is_deleted_and_its_journal_verifies() {
    let emulator = emulator();
    let dir = scratch("platform-mixed");
    let workflow = format!("{}/{}", uuid(21), uuid(22));
    let rows = [
        ("jumio", "scan", "eu", "mixed-scan-1".to_owned()),
        ("jumio-platform", "account", "us", uuid(20)),
        ("jumio-platform", "workflow", "eu", workflow.clone()),
        ("jumio-platform", "account", "eu", uuid(23)),
        ("hyperverge", "transaction", "", "mixed-hv-1".to_owned()),
    ];
    let mut csv = CSV_HEADER.to_owned();
    for (vendor, product, region, reference) in &rows {
        emulator.seed_one(vendor, product, reference).unwrap();
        csv.push_str(&format!("{vendor},{product},{region},{reference}\n"));
    }
    // Spaces around a platform reference are spreadsheet noise, as for
    // the others: the duplicate below is this row once more.
    csv.push_str(&format!("jumio-platform, workflow ,eu, {workflow} \n"));
    let input = dir.join("mixed.csv");
    let journal = dir.join("mixed.journal");
    write(&input, &csv);

    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(&journal)
        .args([
            "--yes",
            "--output",
            "json",
            "--base-url",
            &emulator.base_url(),
        ]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("line 7 repeats line 4 (jumio-platform workflow eu "),
        "{stderr}"
    );
    let summary = json(&stdout);
    assert_eq!(summary["deleted"], 5, "{stdout}");
    assert_eq!(summary["duplicates"], 1, "{stdout}");
    assert_eq!(summary["token_requests"], 2, "us and eu: {stdout}");
    assert_eq!(
        summary["erasure_notes"],
        serde_json::json!([format!("jumio-platform: {ERASURE}")])
    );
    for (vendor, product, _, reference) in &rows {
        assert_eq!(applied(&emulator, vendor, product, reference), 1);
    }
    assert_eq!(emulator.stats().token_requests, 2);

    let (code, stdout, _) = run(idv_delete(&emulator).arg("verify").arg(&journal));
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("complete: every item of the input (6)"),
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|l| l.contains(&format!("deleted    jumio-platform/workflow/eu/{workflow}")))
        .unwrap_or_else(|| panic!("no deleted workflow line:\n{stdout}"));
    assert!(line.ends_with(&format!("; {ERASURE})")), "{line}");
    let verified = json(
        &run(idv_delete(&emulator)
            .args(["verify", "--output", "json"])
            .arg(&journal))
        .1,
    );
    assert_eq!(verified["summary"]["deleted"], 5);
    assert_eq!(verified["exit_code"], 0);

    // Resumed: nothing is left to delete, yet the check still buys a token
    // per platform region (refused credentials are known before a resume
    // sends anything); with nothing deleted, no erasure note.
    let (code, stdout, _) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(&journal)
        .args(["--yes", "--base-url", &emulator.base_url()]));
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("skipped (finished in the journal)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 Jumio Platform token requests"),
        "{stdout}"
    );
    assert!(!stdout.contains(ERASURE), "{stdout}");
}

/// A batch without platform rows buys no token and says nothing of tokens.
#[test]
fn a_batch_without_platform_rows_buys_no_token() {
    let emulator = emulator();
    let dir = scratch("platform-none");
    let input = dir.join("v2.csv");
    write(&input, &seed_batch(&emulator, 3));
    let (code, stdout, _) = run(idv_delete(&emulator)
        .arg("batch")
        .arg(&input)
        .arg("--journal")
        .arg(dir.join("journal"))
        .args(["--yes", "--base-url", &emulator.base_url()]));
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("token"), "{stdout}");
    assert!(!stdout.contains(ERASURE), "{stdout}");
    assert_eq!(emulator.stats().token_requests, 0);
}

fn assert_refused(emulator: &Emulator, what: &str, (code, stdout, stderr): (i32, String, String)) {
    assert_eq!(code, 2, "{what}: {stdout}{stderr}");
    assert!(stdout.is_empty(), "{what}: {stdout}");
    for needed in [
        "JUMIO_CLIENT_ID",
        "JUMIO_CLIENT_SECRET",
        "no deletion was sent",
    ] {
        assert!(stderr.contains(needed), "{what}: no {needed:?}:\n{stderr}");
    }
    assert!(!stderr.contains("wrong-secret-value"), "{what}: {stderr}");
    let stats = emulator.stats();
    assert_eq!(
        stats.total_requests, stats.token_requests,
        "{what}: only token requests"
    );
    assert_eq!(stats.token_refused, stats.token_requests, "{what}");
    assert_eq!(stats.deletes_applied, 0, "{what}");
    emulator.reset();
}

#[test]
fn refused_client_credentials_stop_before_any_deletion() {
    let emulator = emulator();
    let dir = scratch("platform-refused");
    let account = uuid(30);
    let seed = |emulator: &Emulator| {
        emulator
            .seed(&[
                SeedItem::new("jumio-platform", "account", &account),
                SeedItem::new("jumio", "scan", "refused-1"),
            ])
            .unwrap()
    };
    seed(&emulator);
    let base = emulator.base_url();
    let refused = |command: &mut std::process::Command| {
        run(command.env("JUMIO_CLIENT_SECRET", "wrong-secret-value"))
    };
    assert_refused(
        &emulator,
        "single",
        refused(
            idv_delete(&emulator)
                .args(["jumio-platform", "account", &account])
                .args(["--region", "us", "--base-url", &base]),
        ),
    );
    seed(&emulator);
    let input = dir.join("refused.csv");
    let journal = dir.join("refused.journal");
    write(
        &input,
        &format!("{CSV_HEADER}jumio,scan,eu,refused-1\njumio-platform,account,us,{account}\n"),
    );
    assert_refused(
        &emulator,
        "batch",
        refused(
            idv_delete(&emulator)
                .arg("batch")
                .arg(&input)
                .arg("--journal")
                .arg(&journal)
                .args(["--yes", "--output", "json", "--base-url", &base]),
        ),
    );
    assert!(!journal.exists(), "a refused batch wrote a journal");
}

#[test]
fn missing_client_credentials_are_named_and_nothing_is_sent() {
    let emulator = emulator();
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .env_remove("JUMIO_CLIENT_SECRET")
        .args(["jumio-platform", "account", &uuid(40), "--region", "eu"])
        .args(["--base-url", &emulator.base_url()]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("missing Jumio Platform credentials: set JUMIO_CLIENT_SECRET"),
        "{stderr}"
    );
    assert!(stderr.contains("[jumio-platform]"), "{stderr}");
    assert_eq!(emulator.stats().total_requests, 0);
}

/// Credentials and the default region from the config file's
/// `[jumio-platform]` section, the User-Agent from `[jumio]`.
#[test]
fn the_config_file_holds_the_client_credentials_and_region() {
    let emulator = emulator();
    let dir = scratch("platform-config");
    let account = uuid(50);
    emulator
        .seed_one("jumio-platform", "account", &account)
        .unwrap();
    let config = dir.join("config.toml");
    write(
        &config,
        &format!(
            "[jumio]\nuser_agent = \"Acme KYC-Cleaner/1.0\"\n\n[jumio-platform]\nclient_id = {:?}\nclient_secret = {:?}\nregion = \"sgp\"\n",
            idv_delete_emulator::DEFAULT_JUMIO_CLIENT_ID,
            idv_delete_emulator::DEFAULT_JUMIO_CLIENT_SECRET
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (code, stdout, stderr) = run(idv_delete(&emulator)
        .env_remove("JUMIO_CLIENT_ID")
        .env_remove("JUMIO_CLIENT_SECRET")
        .env_remove("JUMIO_USER_AGENT")
        .args(["jumio-platform", "account", &account, "--config"])
        .arg(&config)
        .args(["--base-url", &emulator.base_url()]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("jumio-platform/account/sgp/{account}")),
        "{stdout}"
    );
    assert_eq!(applied(&emulator, "jumio-platform", "account", &account), 1);
}
