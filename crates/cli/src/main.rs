//! `idv-delete`: erase identity-verification data at Jumio (Netverify v2
//! and the Jumio Platform), HyperVerge, Onfido, Persona, Stripe Identity
//! and Veriff.
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
mod recheck;
mod report;
mod signals;
mod single;
mod verify;
mod wording;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use idv_delete_blocking::{
    CancelToken, Client, DeleteError, DeleteIntent, Endpoint, RetryPolicy, Target, Vendor,
    MAX_TIMEOUT,
};

use crate::args::{Cli, Command, ConnectionArgs, IdArgs, OnfidoCommand, PlatformCommand};
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
            let target = Target::Jumio {
                product: args.product,
                region,
            };
            ids_command(
                &config,
                target,
                &args.references,
                args.subject.as_deref(),
                &args.connection,
            )
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
                with_subject(intents, options.subject.as_deref()),
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
            single_command(
                &config,
                &args.connection,
                Vendor::HyperVerge,
                with_subject(intents, args.subject.as_deref()),
                host,
            )
        }
        Command::Onfido(args) => {
            let OnfidoCommand::Applicant(args) = &args.resource;
            let config = Config::load(args.connection.config.as_deref())?;
            let region = match args.region {
                Some(region) => region,
                None => config.onfido_region()?.ok_or_else(|| {
                    Failure::config("which region holds these applicants? pass --region eu, us or ca (or set region under [onfido] in the config file)")
                })?,
            };
            ids_command(
                &config,
                Target::Onfido { region },
                &args.ids,
                args.subject.as_deref(),
                &args.connection,
            )
        }
        Command::Persona(args) => config_and_ids(args.target()),
        Command::Stripe(args) => config_and_ids(args.target()),
        Command::Veriff(args) => config_and_ids(args.target()),
        Command::Batch(args) => {
            let config = Config::load(args.connection.config.as_deref())?;
            let windows = config.windows()?;
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
                    windows,
                },
            )
        }
        Command::Verify(args) if args.recheck => recheck::run(&args),
        Command::Verify(args) => verify::run(&args.journals, args.output, None),
        Command::Salvage(args) => verify::salvage(&args.journal),
        Command::Report(args) => report::build::run(
            &args.journals,
            &report::build::Outputs {
                html: args.html.as_deref(),
                json: args.json.as_deref(),
            },
        ),
        Command::Emulator(args) => match idv_delete_emulator::cli::run(*args) {
            Ok(never) => match never {},
            Err(e) => Err(Failure::config(format!("emulator: {e}"))),
        },
        Command::Demo(args) => demo::run(&args),
    }
}

/// `idv-delete persona|stripe|veriff ...`: the subcommand names the target
/// alone; the config file only holds credentials (and Veriff's base URL).
fn config_and_ids((target, args): (Target, &IdArgs)) -> Result<u8, Failure> {
    let config = Config::load(args.connection.config.as_deref())?;
    ids_command(
        &config,
        target,
        &args.ids,
        args.subject.as_deref(),
        &args.connection,
    )
}

/// A single command whose arguments name one target (vendor, product,
/// region) and its ids: each id is validated by the target's own rule
/// (`DeleteIntent::new`, as CSV rows are), then all go through
/// [`single_command`]. A new vendor costs its arguments and one line here,
/// not a function of its own. (The Jumio Platform's workflows take an
/// account first, and HyperVerge a host: they build their intents
/// themselves.)
fn ids_command(
    config: &Config,
    target: Target,
    ids: &[String],
    subject: Option<&str>,
    connection: &ConnectionArgs,
) -> Result<u8, Failure> {
    let intents = ids.iter().map(|id| DeleteIntent::new(target, id)).collect();
    single_command(
        config,
        connection,
        target.vendor(),
        with_subject(intents, subject),
        None,
    )
}

/// The intents of a single command with `--subject KEY` (every id of the
/// command is that person's record), checked by the core's rule: a bad key
/// is refused like a bad id, before anything is sent (exit 2).
fn with_subject(
    intents: Result<Vec<DeleteIntent>, DeleteError>,
    subject: Option<&str>,
) -> Result<Vec<DeleteIntent>, DeleteError> {
    match subject {
        None => intents,
        Some(subject) => intents?
            .into_iter()
            .map(|intent| intent.with_subject(subject))
            .collect(),
    }
}

/// A token that SIGINT and SIGTERM cancel (see `signals`).
fn stoppable() -> Result<CancelToken, Failure> {
    let cancel = CancelToken::new();
    signals::install(&cancel)?;
    Ok(cancel)
}

/// Every single command (`idv-delete jumio|jumio-platform|hyperverge|onfido|persona|stripe|veriff ...`): the intents of one
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
    // Veriff gives each integration its own base URL: the command line's
    // --base-url wins (a proxy, the emulator), then Veriff's own setting,
    // then the file's base URL for every vendor.
    if let (true, None, Some(url)) = (
        vendors.contains(&Vendor::Veriff),
        &connection.base_url,
        config.veriff_base_url(),
    ) {
        builder = builder.endpoint(
            Vendor::Veriff,
            Endpoint::custom(&url).map_err(|e| {
                Failure::config(format!(
                    "the Veriff base URL (VERIFF_BASE_URL or base_url under [veriff]): {e}"
                ))
            })?,
        );
    }
    if let Some(url) = config.base_url(connection.base_url.as_deref()) {
        builder = builder.base_url(&url);
    }
    builder.build().map_err(|e| Failure::config(e.to_string()))
}
