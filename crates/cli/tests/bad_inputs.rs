//! The bad-input catalogue (`tests/vectors/bad_inputs.json`) through the
//! `idv-delete` binary: every entry meant for the CLI goes in as an
//! argument, an environment variable, a config file or a CSV file, and must
//! exit 2 with its phrase on stderr, print nothing on stdout, write no
//! journal, and send no request to the in-process emulator.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use idv_delete_emulator::{Config, Emulator};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_idv-delete");
const CATALOGUE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/bad_inputs.json"
);

/// One catalogue entry, as the CLI sees it.
struct Entry {
    id: String,
    field: String,
    input: Vec<u8>,
    phrase: String,
}

impl Entry {
    fn text(&self) -> String {
        String::from_utf8(self.input.clone())
            .unwrap_or_else(|_| panic!("{}: this field needs UTF-8 input", self.id))
    }
}

fn catalogue() -> Vec<Value> {
    let text = std::fs::read_to_string(CATALOGUE).expect("the catalogue is readable");
    let document: Value = serde_json::from_str(&text).expect("the catalogue is JSON");
    document["entries"]
        .as_array()
        .expect("the catalogue has entries")
        .clone()
}

/// The bytes of an entry: `input` as UTF-8, or `input_hex`.
fn input_bytes(entry: &Value) -> Option<Vec<u8>> {
    if let Some(text) = entry["input"].as_str() {
        return Some(text.as_bytes().to_vec());
    }
    let hex = entry["input_hex"].as_str()?;
    Some(
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("input_hex is hex"))
            .collect(),
    )
}

fn cli_entries() -> Vec<Entry> {
    catalogue()
        .iter()
        .filter(|e| {
            e["surfaces"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s == "cli"))
        })
        .map(|e| Entry {
            id: e["id"].as_str().unwrap().to_owned(),
            field: e["field"].as_str().unwrap().to_owned(),
            input: input_bytes(e).unwrap_or_else(|| panic!("{e}: the CLI needs an input")),
            phrase: e["cli_phrase"]
                .as_str()
                .or(e["phrase"].as_str())
                .unwrap()
                .to_owned(),
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("idv-delete-bad-inputs-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with valid emulator credentials and nothing else from our
/// environment.
fn idv_delete(home: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("JUMIO_API_TOKEN", idv_delete_emulator::DEFAULT_JUMIO_TOKEN)
        .env(
            "JUMIO_API_SECRET",
            idv_delete_emulator::DEFAULT_JUMIO_SECRET,
        )
        .env("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0")
        .env(
            "HYPERVERGE_APP_ID",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_ID,
        )
        .env(
            "HYPERVERGE_APP_KEY",
            idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
        )
        .stdin(Stdio::null());
    command
}

/// The command that puts `entry` where its field goes.
fn command_for(entry: &Entry, base: &str, dir: &Path) -> Command {
    let mut command = idv_delete(dir);
    let jumio = |command: &mut Command| {
        command.args([
            "jumio",
            "scan",
            "ref-1",
            "--region",
            "eu",
            "--base-url",
            base,
        ]);
    };
    let hyperverge = |command: &mut Command| {
        command.args(["hyperverge", "txn-1", "--base-url", base]);
    };
    let batch = |command: &mut Command, csv: &[u8]| {
        let file = dir.join("input.csv");
        std::fs::write(&file, csv).unwrap();
        command
            .arg("batch")
            .arg(&file)
            .arg("--journal")
            .arg(dir.join("journal"))
            .args(["--yes", "--base-url", base]);
    };
    match entry.field.as_str() {
        "jumio_reference" => {
            command
                .args(["jumio", "scan"])
                .arg(OsString::from_vec(entry.input.clone()))
                .args(["--region", "eu", "--base-url", base]);
        }
        "hyperverge_id" => {
            command
                .arg("hyperverge")
                .arg(OsString::from_vec(entry.input.clone()))
                .args(["--base-url", base]);
        }
        "base_url" => {
            command
                .args(["jumio", "scan", "ref-1", "--region", "eu", "--base-url"])
                .arg(entry.text());
        }
        "hyperverge_host" => {
            command
                .args(["hyperverge", "txn-1", "--host"])
                .arg(entry.text());
        }
        "user_agent" => {
            jumio(command.env("JUMIO_USER_AGENT", entry.text()));
        }
        "jumio_token" => {
            jumio(command.env("JUMIO_API_TOKEN", entry.text()));
        }
        "jumio_secret" => {
            jumio(command.env("JUMIO_API_SECRET", entry.text()));
        }
        "hyperverge_app_id" => {
            hyperverge(command.env("HYPERVERGE_APP_ID", entry.text()));
        }
        "hyperverge_app_key" => {
            hyperverge(command.env("HYPERVERGE_APP_KEY", entry.text()));
        }
        "region" => {
            // No --region: the default region comes from the config file.
            let config = dir.join("config.toml");
            let value = serde_json::to_string(&entry.text()).unwrap();
            std::fs::write(&config, format!("[jumio]\nregion = {value}\n")).unwrap();
            command
                .args(["jumio", "scan", "ref-1", "--base-url", base, "--config"])
                .arg(&config);
        }
        "jumio_product" => {
            let csv = format!(
                "vendor,product,region,reference\njumio,{},eu,ref-1\n",
                entry.text()
            );
            batch(&mut command, csv.as_bytes());
        }
        "csv" => batch(&mut command, &entry.input),
        other => panic!("{}: no CLI mapping for the field {other:?}", entry.id),
    }
    command
}

#[test]
fn every_bad_input_is_refused_with_a_specific_message_and_nothing_is_sent() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.seed_one("jumio", "scan", "ref-1").unwrap();
    emulator
        .seed_one("hyperverge", "transaction", "txn-1")
        .unwrap();
    let base = emulator.base_url();
    let entries = cli_entries();
    assert!(
        entries.len() >= 50,
        "the catalogue has {} CLI entries",
        entries.len()
    );
    let mut problems = Vec::new();
    for entry in &entries {
        let dir = scratch(&entry.id);
        let output = command_for(entry, &base, &dir).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut wrong = Vec::new();
        if output.status.code() != Some(2) {
            wrong.push(format!("exit {:?}, expected 2", output.status.code()));
        }
        if !stderr.contains(&entry.phrase) {
            wrong.push(format!("stderr lacks {:?}", entry.phrase));
        }
        if !stdout.is_empty() {
            wrong.push("printed on stdout".to_owned());
        }
        if dir.join("journal").exists() {
            wrong.push("wrote a journal".to_owned());
        }
        let sent = emulator.stats().total_requests;
        if sent != 0 {
            wrong.push(format!("{sent} request(s) reached the emulator"));
            emulator.reset();
            emulator.seed_one("jumio", "scan", "ref-1").unwrap();
            emulator
                .seed_one("hyperverge", "transaction", "txn-1")
                .unwrap();
        }
        if !wrong.is_empty() {
            problems.push(format!(
                "{} ({}): {}\n  stdout: {stdout}\n  stderr: {stderr}",
                entry.id,
                entry.field,
                wrong.join("; ")
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        problems.is_empty(),
        "{} of {} bad inputs were not refused properly:\n{}",
        problems.len(),
        entries.len(),
        problems.join("\n")
    );
}

/// The catalogue itself: unique ids, known fields and kinds, a phrase for
/// every entry that has a message, at least 50 entries.
#[test]
fn the_catalogue_is_well_formed() {
    let entries = catalogue();
    assert!(entries.len() >= 50, "{} entries", entries.len());
    let mut ids = std::collections::BTreeSet::new();
    for entry in &entries {
        let id = entry["id"].as_str().expect("an id");
        assert!(ids.insert(id.to_owned()), "{id} is repeated");
        let kind = entry["kind"].as_str().expect("a kind");
        assert!(
            [
                "invalid_reference",
                "invalid_config",
                "invalid_utf8",
                "null_argument"
            ]
            .contains(&kind),
            "{id}: kind {kind}"
        );
        let surfaces = entry["surfaces"].as_array().expect("surfaces");
        assert!(!surfaces.is_empty(), "{id}: no surface");
        let c_only = kind == "invalid_utf8" || kind == "null_argument";
        assert!(
            c_only || !entry["phrase"].as_str().unwrap_or("").is_empty(),
            "{id}: no phrase"
        );
        assert!(
            entry["input"].is_string() || entry["input_hex"].is_string() || kind == "null_argument",
            "{id}: no input"
        );
    }
}

/// A valid Jumio Platform id (a UUID).
const UUID: &str = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20";
const UUID2: &str = "7c1d0e5a-3b2f-4a6e-9d8c-1f0e2d3c4b5a";

/// Runs `command` and returns what went wrong with its refusal, if
/// anything: exit 2, `phrase` on stderr, nothing on stdout, no journal in
/// `dir`.
fn refusal_problems(command: &mut Command, phrase: &str, dir: &Path) -> Vec<String> {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut wrong = Vec::new();
    if output.status.code() != Some(2) {
        wrong.push(format!("exit {:?}, expected 2", output.status.code()));
    }
    if !stderr.contains(phrase) {
        wrong.push(format!("stderr lacks {phrase:?}: {stderr}"));
    }
    if !stdout.is_empty() {
        wrong.push(format!("printed on stdout: {stdout}"));
    }
    if dir.join("journal").exists() {
        wrong.push("wrote a journal".to_owned());
    }
    wrong
}

/// The binary with valid emulator credentials for every vendor, the Jumio
/// Platform's included.
fn idv_delete_platform(home: &Path) -> Command {
    let mut command = idv_delete(home);
    command
        .env(
            "JUMIO_CLIENT_ID",
            idv_delete_emulator::DEFAULT_JUMIO_CLIENT_ID,
        )
        .env(
            "JUMIO_CLIENT_SECRET",
            idv_delete_emulator::DEFAULT_JUMIO_CLIENT_SECRET,
        );
    command
}

/// Jumio Platform ids that are not UUIDs, with path and query tricks, on
/// the command line and in CSV rows: each refused by name before anything
/// is sent, not even a token request.
#[test]
fn bad_platform_ids_are_refused_before_any_request() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let base = emulator.base_url();
    let account = |id: &str| vec!["account".to_owned(), id.to_owned()];
    let workflow = |a: &str, w: &str| vec!["workflow".to_owned(), a.to_owned(), w.to_owned()];
    let arguments: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "not-a-uuid",
            account("not-a-uuid"),
            "Jumio Platform account id \"not-a-uuid\" has the character 'n' (U+006E) at position 0",
        ),
        (
            "dot-dot",
            account("../x"),
            "Jumio Platform account id \"../x\" has the character '.'",
        ),
        (
            "query",
            account("a?b"),
            "Jumio Platform account id \"a?b\" has the character '?'",
        ),
        (
            "short",
            account(&UUID[..35]),
            "is not in the 8-4-4-4-12 form of a UUID",
        ),
        (
            "empty",
            account(""),
            "Jumio Platform account id \"\" is empty",
        ),
        (
            "joined",
            account(&format!("{UUID}/{UUID2}")),
            "has the character '/'",
        ),
        (
            "workflow-dot-dot",
            workflow(UUID, "../../accounts/x"),
            "Jumio Platform workflow execution id \"../../accounts/x\" has the character '.'",
        ),
        (
            "workflow-query",
            workflow(UUID, &format!("{UUID2}?x=1")),
            "has the character '?'",
        ),
        (
            "workflow-account-slash",
            workflow(&format!("{UUID}/x"), UUID2),
            "Jumio Platform account id",
        ),
        (
            "workflow-encoded",
            workflow(UUID, "%2e%2e"),
            "has the character '%'",
        ),
    ];
    let rows: Vec<(&str, String, &str)> = vec![
        ("row-workflow-no-account", format!("jumio-platform,workflow,eu,{UUID2}"), "line 2: Jumio Platform workflow \"7c1d0e5a-3b2f-4a6e-9d8c-1f0e2d3c4b5a\" does not name its account; write ACCOUNT_ID/WORKFLOW_ID"),
        ("row-workflow-empty-account", format!("jumio-platform,workflow,eu,/{UUID2}"), "line 2: Jumio Platform account id \"\" is empty"),
        ("row-account-path", format!("jumio-platform,account,eu,{UUID}/../x"), "line 2: Jumio Platform account id"),
        ("row-account-query", format!("jumio-platform,account,us,{UUID}?a=b"), "line 2: Jumio Platform account id"),
        ("row-workflow-three-parts", format!("jumio-platform,workflow,eu,{UUID}/{UUID2}/x"), "line 2: Jumio Platform workflow execution id"),
        ("row-no-region", format!("jumio-platform,account,,{UUID}"), "line 2: a Jumio Platform row needs a region"),
        ("row-bad-region", format!("jumio-platform,account,mars,{UUID}"), "line 2: unknown Jumio region \"mars\""),
        ("row-v2-product", format!("jumio-platform,scan,eu,{UUID}"), "line 2: unknown Jumio Platform product \"scan\""),
        ("row-platform-product-for-v2", "jumio,account,eu,ref-1".to_owned(), "line 2: unknown Jumio product \"account\""),
    ];
    let mut problems = Vec::new();
    for (id, args, phrase) in &arguments {
        let dir = scratch(id);
        let mut command = idv_delete_platform(&dir);
        command
            .arg("jumio-platform")
            .args(args)
            .args(["--region", "eu", "--base-url", &base]);
        for wrong in refusal_problems(&mut command, phrase, &dir) {
            problems.push(format!("{id}: {wrong}"));
        }
    }
    for (id, row, phrase) in &rows {
        let dir = scratch(id);
        let file = dir.join("input.csv");
        std::fs::write(&file, format!("vendor,product,region,reference\n{row}\n")).unwrap();
        let mut command = idv_delete_platform(&dir);
        command
            .arg("batch")
            .arg(&file)
            .arg("--journal")
            .arg(dir.join("journal"))
            .args(["--yes", "--base-url", &base]);
        for wrong in refusal_problems(&mut command, phrase, &dir) {
            problems.push(format!("{id}: {wrong}"));
        }
    }
    let sent = emulator.stats().total_requests;
    assert_eq!(sent, 0, "{sent} request(s) reached the emulator");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A token endpoint that answers every request with 200 and `body`, and
/// records the requests' paths. Runs until the test process ends.
struct FakeTokenServer {
    base_url: String,
    paths: Arc<Mutex<Vec<String>>>,
}

impl FakeTokenServer {
    fn start(body: &'static str) -> FakeTokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let paths = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&paths);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                answer(stream, body, &seen);
            }
        });
        FakeTokenServer { base_url, paths }
    }
}

/// Reads one request (head and `Content-Length` body), records its path
/// in `seen`, then answers `body`: recorded first, so that a client that
/// exits at once on the answer cannot leave the path unrecorded.
fn answer(stream: TcpStream, body: &str, seen: &Mutex<Vec<String>>) -> Option<()> {
    let mut reader = BufReader::new(stream);
    let (mut path, mut length) = (None, 0usize);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if path.is_none() {
            path = line.split(' ').nth(1).map(str::to_owned);
        } else if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut request_body = vec![0; length];
    reader.read_exact(&mut request_body).ok()?;
    seen.lock().unwrap().extend(path);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = reader.get_mut().write_all(response.as_bytes());
    Some(())
}

/// Token answers that are no token: each refused by name, exit 2, with
/// only token requests sent, never a delete, and no journal.
#[test]
fn bad_token_answers_are_refused_before_any_deletion() {
    let cases: [(&str, &'static str, &str); 7] = [
        (
            "not-json",
            "<html>login</html>",
            "with a body that is not a JSON object",
        ),
        (
            "no-access-token",
            r#"{"expires_in":3600,"token_type":"Bearer"}"#,
            "without an access_token string",
        ),
        (
            "token-type-mac",
            r#"{"access_token":"abc","expires_in":3600,"token_type":"mac"}"#,
            "with token_type \"mac\" instead of Bearer",
        ),
        (
            "no-token-type",
            r#"{"access_token":"abc","expires_in":3600}"#,
            "without a token_type",
        ),
        (
            "expires-absurd",
            r#"{"access_token":"abc","expires_in":1000000000000,"token_type":"Bearer"}"#,
            "with expires_in 1000000000000, which is not a whole number of seconds",
        ),
        (
            "expires-zero",
            r#"{"access_token":"abc","expires_in":0,"token_type":"Bearer"}"#,
            "with expires_in 0,",
        ),
        (
            "expires-negative",
            r#"{"access_token":"abc","expires_in":-5,"token_type":"Bearer"}"#,
            "with expires_in -5,",
        ),
    ];
    let mut problems = Vec::new();
    for (id, body, phrase) in cases {
        for batch in [false, true] {
            let server = FakeTokenServer::start(body);
            let dir = scratch(&format!("token-{id}-{batch}"));
            let mut command = idv_delete(&dir);
            command
                .env("JUMIO_CLIENT_ID", "client-id")
                .env("JUMIO_CLIENT_SECRET", "client-secret");
            if batch {
                let file = dir.join("input.csv");
                std::fs::write(
                    &file,
                    format!("vendor,product,region,reference\njumio-platform,account,eu,{UUID}\n"),
                )
                .unwrap();
                command
                    .arg("batch")
                    .arg(&file)
                    .arg("--journal")
                    .arg(dir.join("journal"))
                    .arg("--yes");
            } else {
                command.args(["jumio-platform", "account", UUID, "--region", "eu"]);
            }
            command.args(["--base-url", &server.base_url]);
            let label = format!("{id} ({})", if batch { "batch" } else { "single" });
            let wrong = refusal_problems(&mut command, phrase, &dir);
            problems.extend(wrong.into_iter().map(|w| format!("{label}: {w}")));
            let paths = server.paths.lock().unwrap().clone();
            if paths.is_empty() || paths.iter().any(|p| p != "/oauth2/token") {
                problems.push(format!(
                    "{label}: requests {paths:?}, expected only token requests"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The binary with valid emulator credentials for Onfido, Persona, Stripe
/// and Veriff too.
fn idv_delete_all(home: &Path) -> Command {
    let mut command = idv_delete_platform(home);
    command
        .env(
            "ONFIDO_API_TOKEN",
            idv_delete_emulator::DEFAULT_ONFIDO_API_TOKEN,
        )
        .env(
            "PERSONA_API_KEY",
            idv_delete_emulator::DEFAULT_PERSONA_API_KEY,
        )
        .env(
            "STRIPE_SECRET_KEY",
            idv_delete_emulator::DEFAULT_STRIPE_SECRET_KEY,
        )
        .env(
            "VERIFF_API_KEY",
            idv_delete_emulator::DEFAULT_VERIFF_API_KEY,
        )
        .env(
            "VERIFF_SHARED_SECRET",
            idv_delete_emulator::DEFAULT_VERIFF_SHARED_SECRET,
        );
    command
}

/// Malformed Onfido, Persona, Stripe and Veriff ids (path and query
/// tricks, wrong prefixes, other vendors' ids), on the command line and in
/// CSV rows, and rows with a wrong region or product: each refused by name
/// before anything is sent, Veriff's signature and Persona's rate limit
/// included.
#[test]
fn bad_ids_of_the_vendors_that_erase_later_are_refused_before_any_request() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let base = emulator.base_url();
    let long = format!("vs_{}", "a".repeat(65));
    let arguments: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "onfido-not-uuid",
            vec!["onfido", "applicant", "not-a-uuid", "--region", "eu"],
            "Onfido applicant id \"not-a-uuid\" has the character 'n' (U+006E) at position 0",
        ),
        (
            "onfido-dot-dot",
            vec!["onfido", "applicant", "../applicants", "--region", "us"],
            "Onfido applicant id \"../applicants\" has the character '.'",
        ),
        (
            "onfido-restore",
            vec![
                "onfido",
                "applicant",
                "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20/restore",
                "--region",
                "ca",
            ],
            "has the character '/'",
        ),
        (
            "onfido-empty",
            vec!["onfido", "applicant", "", "--region", "eu"],
            "Onfido applicant id \"\" is empty",
        ),
        (
            "onfido-region",
            vec!["onfido", "applicant", UUID, "--region", "sgp"],
            "invalid value for '--region <REGION>': unknown Onfido region \"sgp\"",
        ),
        (
            "persona-account-as-inquiry",
            vec!["persona", "inquiry", "act_abc123"],
            "Persona inquiry id \"act_abc123\" does not start with inq_",
        ),
        (
            "persona-inquiry-as-account",
            vec!["persona", "account", "inq_abc123"],
            "Persona account id \"inq_abc123\" does not start with act_",
        ),
        (
            "persona-prefix-only",
            vec!["persona", "inquiry", "inq_"],
            "Persona inquiry id \"inq_\" has nothing after inq_",
        ),
        (
            "persona-path",
            vec!["persona", "inquiry", "inq_a/../b"],
            "Persona inquiry id \"inq_a/../b\" has the character '/'",
        ),
        (
            "persona-encoded",
            vec!["persona", "account", "act_%2e%2e"],
            "has the character '%'",
        ),
        (
            "stripe-other-object",
            vec!["stripe", "verification-session", "pi_3MtwBwLkdIwHu7ix"],
            "Stripe verification session id \"pi_3MtwBwLkdIwHu7ix\" does not start with vs_",
        ),
        (
            "stripe-query",
            vec!["stripe", "verification-session", "vs_1?expand=x"],
            "has the character '?'",
        ),
        (
            "stripe-long",
            vec!["stripe", "verification-session", &long],
            "is 68 characters long",
        ),
        (
            "veriff-not-uuid",
            vec!["veriff", "session", "session-1"],
            "Veriff session id \"session-1\" has the character 's'",
        ),
        (
            "veriff-short",
            vec!["veriff", "session", &UUID[..35]],
            "is not in the 8-4-4-4-12 form of a UUID",
        ),
    ];
    let rows: Vec<(&str, String, &str)> = vec![
        (
            "row-onfido-no-region",
            format!("onfido,applicant,,{UUID}"),
            "line 2: an Onfido row needs a region: eu, us or ca",
        ),
        (
            "row-onfido-jumio-region",
            format!("onfido,applicant,sgp,{UUID}"),
            "line 2: unknown Onfido region \"sgp\"",
        ),
        (
            "row-onfido-product",
            format!("onfido,scan,eu,{UUID}"),
            "line 2: Onfido has one product, \"applicant\", not \"scan\"",
        ),
        (
            "row-onfido-id",
            "onfido,applicant,eu,../x".to_owned(),
            "line 2: Onfido applicant id \"../x\" has the character '.'",
        ),
        (
            "row-persona-region",
            "persona,inquiry,eu,inq_abc".to_owned(),
            "line 2: Persona has no region; leave it empty instead of \"eu\"",
        ),
        (
            "row-persona-product",
            "persona,applicant,,inq_abc".to_owned(),
            "line 2: unknown Persona product \"applicant\": use inquiry or account",
        ),
        (
            "row-persona-prefix",
            "persona,account,,inq_abc".to_owned(),
            "line 2: Persona account id \"inq_abc\" does not start with act_",
        ),
        (
            "row-stripe-product",
            "stripe,session,,vs_abc".to_owned(),
            "line 2: Stripe Identity has one product, \"verification_session\", not \"session\"",
        ),
        (
            "row-stripe-id",
            "stripe,,,vs_a b".to_owned(),
            "line 2: Stripe verification session id \"vs_a b\" has the character ' '",
        ),
        (
            "row-veriff-region",
            format!("veriff,session,eu,{UUID}"),
            "line 2: Veriff has no region; leave it empty instead of \"eu\"",
        ),
        (
            "row-veriff-id",
            "veriff,session,,7c1d0e5a?x".to_owned(),
            "line 2: Veriff session id \"7c1d0e5a?x\" has the character '?'",
        ),
    ];
    let mut problems = Vec::new();
    for (id, args, phrase) in &arguments {
        let dir = scratch(id);
        let mut command = idv_delete_all(&dir);
        command.args(args).args(["--base-url", &base]);
        for wrong in refusal_problems(&mut command, phrase, &dir) {
            problems.push(format!("{id}: {wrong}"));
        }
    }
    for (id, row, phrase) in &rows {
        let dir = scratch(id);
        let file = dir.join("input.csv");
        std::fs::write(&file, format!("vendor,product,region,reference\n{row}\n")).unwrap();
        let mut command = idv_delete_all(&dir);
        command
            .arg("batch")
            .arg(&file)
            .arg("--journal")
            .arg(dir.join("journal"))
            .args(["--yes", "--base-url", &base]);
        for wrong in refusal_problems(&mut command, phrase, &dir) {
            problems.push(format!("{id}: {wrong}"));
        }
    }
    let sent = emulator.stats().total_requests;
    assert_eq!(sent, 0, "{sent} request(s) reached the emulator");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
