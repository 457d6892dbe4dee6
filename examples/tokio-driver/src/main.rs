//! `idv-delete-example-tokio --base-url URL --items FILE.csv [--concurrency N] [--seed N]`
//!
//! Deletes the items of a CSV file (`vendor,product,region,reference`, as
//! the CLI's batches; a header line and `#` comments are skipped)
//! concurrently on tokio, and prints a summary. Credentials come from the
//! CLI's environment variables (`JUMIO_API_TOKEN`, `JUMIO_CLIENT_ID`,
//! `HYPERVERGE_APP_ID`, `ONFIDO_API_TOKEN`, ...), for the vendors whose
//! variables are set. Exit codes: 0 every item deleted or scheduled, 1 some
//! failed, 2 usage or configuration error (nothing sent).

use std::process::ExitCode;
use std::time::Duration;

use idv_delete_core::{
    Credentials, DeleteError, DeleteIntent, HyperVergeCredentials, JumioCredentials,
    JumioPlatformCredentials, OnfidoCredentials, PersonaCredentials, RetryPolicy,
    StripeCredentials, Target, VeriffCredentials,
};
use idv_delete_example_tokio::{delete_all, Config};

const USAGE: &str =
    "usage: idv-delete-example-tokio --base-url URL --items FILE.csv [--concurrency N] [--seed N]";

fn main() -> ExitCode {
    let (config, items) = match configure(std::env::args().skip(1).collect()) {
        Ok(parsed) => parsed,
        Err(why) => {
            eprintln!("{why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the tokio runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(delete_all(config, items)) {
        Ok(report) => {
            print!("{report}");
            ExitCode::from(if report.failed() == 0 { 0 } else { 1 })
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

/// The configuration and the items, every item checked before anything is
/// sent.
fn configure(args: Vec<String>) -> Result<(Config, Vec<DeleteIntent>), String> {
    let mut config = Config {
        base_url: String::new(),
        credentials: credentials_from_env().map_err(|e| e.to_string())?,
        policy: RetryPolicy::default(),
        concurrency: 64,
        timeout: Duration::from_secs(30),
        seed: 0,
    };
    let mut items_path = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--base-url" => config.base_url = value,
            "--items" => items_path = Some(value),
            "--concurrency" => {
                config.concurrency = value
                    .parse()
                    .map_err(|_| format!("--concurrency {value:?} is not a whole number"))?
            }
            "--seed" => {
                config.seed = value
                    .parse()
                    .map_err(|_| format!("--seed {value:?} is not a whole number"))?
            }
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    if config.base_url.is_empty() {
        return Err("--base-url is required".into());
    }
    let path = items_path.ok_or("--items is required")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok((
        config,
        parse_items(&text).map_err(|e| format!("{path}: {e}"))?,
    ))
}

/// `vendor,product,region,reference` lines; the reference is the rest of
/// the line, so it may hold a comma.
fn parse_items(text: &str) -> Result<Vec<DeleteIntent>, String> {
    let mut items = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') || line == "vendor,product,region,reference" {
            continue;
        }
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        let [vendor, product, region, reference] = fields[..] else {
            return Err(format!(
                "line {number}: expected vendor,product,region,reference"
            ));
        };
        let item = Target::parse(vendor, product, Some(region))
            .and_then(|target| DeleteIntent::new(target, reference))
            .map_err(|e| format!("line {number}: {e}"))?;
        items.push(item);
    }
    Ok(items)
}

/// Credentials for every vendor whose environment variables are set.
fn credentials_from_env() -> Result<Vec<Credentials>, DeleteError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let user_agent = var("JUMIO_USER_AGENT").unwrap_or_default();
    let mut credentials = Vec::new();
    if let (Some(token), Some(secret)) = (var("JUMIO_API_TOKEN"), var("JUMIO_API_SECRET")) {
        credentials.push(JumioCredentials::new(&token, &secret, &user_agent)?.into());
    }
    if let (Some(id), Some(secret)) = (var("JUMIO_CLIENT_ID"), var("JUMIO_CLIENT_SECRET")) {
        credentials.push(JumioPlatformCredentials::new(&id, &secret, &user_agent)?.into());
    }
    if let (Some(id), Some(key)) = (var("HYPERVERGE_APP_ID"), var("HYPERVERGE_APP_KEY")) {
        credentials.push(HyperVergeCredentials::new(&id, &key)?.into());
    }
    if let Some(token) = var("ONFIDO_API_TOKEN") {
        credentials.push(OnfidoCredentials::new(&token)?.into());
    }
    if let Some(key) = var("PERSONA_API_KEY") {
        credentials.push(PersonaCredentials::new(&key)?.into());
    }
    if let Some(key) = var("STRIPE_SECRET_KEY") {
        credentials.push(StripeCredentials::new(&key)?.into());
    }
    if let (Some(key), Some(secret)) = (var("VERIFF_API_KEY"), var("VERIFF_SHARED_SECRET")) {
        credentials.push(VeriffCredentials::new(&key, &secret)?.into());
    }
    Ok(credentials)
}
