//! `idv-delete`: erase identity-verification data at Jumio (Netverify v2
//! and the Jumio Platform) and HyperVerge.
//!
//! See `idv-delete --help` for commands, credentials and exit codes.
#![forbid(unsafe_code)]

mod args;
mod batch;
mod config;
mod csv_input;
mod demo;
mod failure;
mod platform;
mod signals;
mod single;
mod verify;
mod wording;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use idv_delete_blocking::{
    CancelToken, Client, DeleteError, DeleteIntent, Endpoint, RetryPolicy, Vendor, MAX_TIMEOUT,
};

use crate::args::{Cli, Command, ConnectionArgs, PlatformCommand};
use crate::config::Config;
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Jumio(args) => {
            let config = Config::load(args.connection.config.as_deref())?;
            let region = match args.region {
                Some(region) => region,
                None => config.jumio_region()?.ok_or_else(|| {
                    Failure::config("which region holds these transactions? pass --region us, eu or sgp (or set region under [jumio] in the config file)")
                })?,
            };
            let intents = args
                .references
                .iter()
                .map(|r| DeleteIntent::jumio(args.product, region, r))
                .collect();
            single_command(&config, &args.connection, Vendor::Jumio, intents, None)
        }
        Command::JumioPlatform(args) => {
            let options = match &args.resource {
                PlatformCommand::Account(a) => &a.options,
                PlatformCommand::Workflow(w) => &w.options,
            };
            let config = Config::load(options.connection.config.as_deref())?;
            let region = match options.region {
                Some(region) => region,
                None => config.jumio_platform_region()?.ok_or_else(|| {
                    Failure::config("which region holds this data? pass --region us, eu or sgp (or set region under [jumio-platform] in the config file)")
                })?,
            };
            let intents = match &args.resource {
                PlatformCommand::Account(a) => a
                    .accounts
                    .iter()
                    .map(|id| DeleteIntent::jumio_platform_account(region, id))
                    .collect(),
                PlatformCommand::Workflow(w) => w
                    .workflows
                    .iter()
                    .map(|id| DeleteIntent::jumio_platform_workflow(region, &w.account, id))
                    .collect(),
            };
            single_command(
                &config,
                &options.connection,
                Vendor::JumioPlatform,
                intents,
                None,
            )
        }
        Command::Hyperverge(args) => {
            let config = Config::load(args.connection.config.as_deref())?;
            let host = args.host.as_deref().or(config.hyperverge_host());
            let intents = args
                .transactions
                .iter()
                .map(|t| DeleteIntent::hyperverge(t))
                .collect();
            single_command(&config, &args.connection, Vendor::HyperVerge, intents, host)
        }
        Command::Batch(args) => {
            let config = Config::load(args.connection.config.as_deref())?;
            let input = csv_input::Input::open(&args.input)?;
            let scan = batch::check_input(&input, args.skip_invalid)?;
            let vendors: BTreeSet<Vendor> = Vendor::ALL
                .into_iter()
                .filter(|v| {
                    scan.counts
                        .keys()
                        .any(|(vendor, _, _)| *vendor == v.as_str())
                })
                .collect();
            // A dry run checks the credentials too: it is the rehearsal.
            let client = client(
                &config,
                &args.connection,
                &vendors,
                config.hyperverge_host(),
            )?;
            let cancel = stoppable()?;
            batch::run(
                &args,
                &input,
                &scan,
                batch::Setup {
                    client: &client,
                    cancel,
                },
            )
        }
        Command::Verify(args) => verify::run(&args.journal, args.output),
        Command::Salvage(args) => verify::salvage(&args.journal),
        Command::Emulator(args) => match idv_delete_emulator::cli::run(*args) {
            Ok(never) => match never {},
            Err(e) => Err(Failure::config(format!("emulator: {e}"))),
        },
        Command::Demo(args) => demo::run(&args),
    }
}

/// A token that SIGINT and SIGTERM cancel (see `signals`).
fn stoppable() -> Result<CancelToken, Failure> {
    let cancel = CancelToken::new();
    signals::install(&cancel)?;
    Ok(cancel)
}

/// `idv-delete jumio|jumio-platform|hyperverge ...`: the intents of one
/// vendor, deleted by one client (so the Jumio Platform's ids share one
/// token), one after the other.
fn single_command(
    config: &Config,
    connection: &ConnectionArgs,
    vendor: Vendor,
    intents: Result<Vec<DeleteIntent>, DeleteError>,
    hyperverge_host: Option<&str>,
) -> Result<u8, Failure> {
    let client = client(
        config,
        connection,
        &BTreeSet::from([vendor]),
        hyperverge_host,
    )?;
    single::run(&client, intents, connection.output, &stoppable()?)
}

/// A client with the credentials of `vendors`, all checked before any I/O.
fn client(
    config: &Config,
    connection: &ConnectionArgs,
    vendors: &BTreeSet<Vendor>,
    hyperverge_host: Option<&str>,
) -> Result<Client, Failure> {
    let longest = MAX_TIMEOUT.as_secs_f64();
    let timeout = Duration::try_from_secs_f64(connection.timeout)
        .ok()
        .filter(|t| !t.is_zero() && *t <= MAX_TIMEOUT)
        .ok_or_else(|| {
            Failure::config(format!(
                "--timeout {} is not usable: give seconds above 0, at most {longest}",
                connection.timeout
            ))
        })?;
    let mut builder = Client::builder()
        .timeout(timeout)
        .retry_policy(RetryPolicy {
            max_attempts: connection.max_attempts,
            ..RetryPolicy::default()
        });
    for &vendor in vendors {
        builder = builder.credentials(config.credentials(vendor)?);
    }
    if vendors.contains(&Vendor::HyperVerge) {
        if let Some(host) = hyperverge_host {
            builder = builder.hyperverge_endpoint(
                Endpoint::hyperverge_host(host).map_err(|e| Failure::config(e.to_string()))?,
            );
        }
    }
    if let Some(url) = config.base_url(connection.base_url.as_deref()) {
        builder = builder.base_url(&url);
    }
    builder.build().map_err(|e| Failure::config(e.to_string()))
}
