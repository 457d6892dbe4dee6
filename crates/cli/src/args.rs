//! The command line, as clap types. Secrets are never arguments: they come
//! from the environment or the config file (see `config`).

use std::ffi::OsStr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use idv_delete_blocking::{DeleteError, JumioProduct, Region, RetryPolicy, DEFAULT_TIMEOUT};

const AFTER_HELP: &str = "\
Credentials come from the environment (JUMIO_API_TOKEN, JUMIO_API_SECRET,
JUMIO_USER_AGENT; JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET for the Jumio Platform;
HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY) or from a TOML config file (--config, $IDV_DELETE_CONFIG, or ~/.config/idv-delete/config.toml);
never from arguments.

Exit codes:
  0    every item was deleted, or scheduled (the vendor erases it later)
  1    the run could not go on (journal or I/O error)
  2    usage or configuration error; nothing was sent
  3    some items were not found at the vendor (none failed)
  4    some items failed (see the report; they can be retried)
  5    confirmation declined; nothing was sent
  130  stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM: waits end at once,
       requests on the wire finish, the summary is printed; run the same
       command again to resume (a second signal exits at once)

Examples:
  idv-delete demo
  idv-delete jumio scan 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region eu
  idv-delete jumio-platform account 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region us
  idv-delete hyperverge acme-customer-42
  idv-delete batch erasures.csv --journal erasures.journal --concurrency 16 --rate 50
  idv-delete verify erasures.journal
  idv-delete salvage erasures.journal";

/// Erase identity-verification data held by Jumio (Netverify v2 and the Jumio Platform) and HyperVerge.
#[derive(Debug, Parser)]
#[command(name = "idv-delete", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Delete Jumio transactions by reference.
    #[command(after_help = "Examples:
  idv-delete jumio scan 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region eu
  idv-delete jumio document REF1 REF2 --region us --output json
  idv-delete jumio authentication REF --region sgp --base-url http://127.0.0.1:8080")]
    Jumio(JumioArgs),
    /// Delete Jumio Platform (KYX) accounts or workflow executions (OAuth2 client credentials).
    #[command(
        after_help = "Credentials: JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET and JUMIO_USER_AGENT, or
client_id, client_secret and user_agent under [jumio-platform] in the config
file. An access token is bought (POST /oauth2/token) before the first
deletion, so refused client credentials stop the command with exit 2 before
anything is deleted; all the ids of one command share that token.

Jumio deletes the images and extracted data; it keeps the transaction
metadata and the decision.

Examples:
  idv-delete jumio-platform account 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region us
  idv-delete jumio-platform account ACCOUNT_ID1 ACCOUNT_ID2 --region eu --output json
  idv-delete jumio-platform workflow ACCOUNT_ID WORKFLOW_ID --region sgp"
    )]
    JumioPlatform(JumioPlatformArgs),
    /// Delete HyperVerge transactions by id.
    #[command(after_help = "Examples:
  idv-delete hyperverge acme-customer-42
  idv-delete hyperverge TXN1 TXN2 --host ind.idv.hyperverge.co")]
    Hyperverge(HypervergeArgs),
    /// Delete every row of a CSV file (vendor,product,region,reference), with a journal.
    #[command(
        after_help = "The CSV has the header vendor,product,region,reference (other columns are
ignored). vendor is jumio, jumio-platform or hyperverge; product is scan,
authentication or document for Jumio, account or workflow for the Jumio
Platform, and transaction (or empty) for HyperVerge; region is us, eu or sgp
for both Jumio APIs and empty for HyperVerge. The reference of a Jumio
Platform account is its id; that of a workflow execution is
ACCOUNT_ID/WORKFLOW_ID (both UUIDs, one column). Spaces and tabs around every field,
the reference included, quoted or not, are removed (` HV-7` deletes HV-7);
other whitespace around a reference is refused.

Every row is checked before anything is sent; bad rows are listed with their
line numbers (the file's lines, the header being line 1). Rows that repeat an
earlier row's vendor, product, region and reference are listed as duplicates
and deleted once. Running the same command with the same journal resumes:
finished rows are skipped, rows sent without an answer are confirmed.
--dry-run reads an existing journal (and never writes it) to show how many
rows a resume would send.

Examples:
  idv-delete batch erasures.csv --journal erasures.journal
  idv-delete batch erasures.csv --journal erasures.journal --dry-run
  cat erasures.csv | idv-delete batch - --journal erasures.journal --yes --output json"
    )]
    Batch(BatchArgs),
    /// Report what a journal proves: deleted when, scheduled, not found, failed, in doubt, never attempted.
    #[command(
        after_help = "Exit codes: 0 every item of the input deleted or scheduled; 3 the rest not
found; 4 some failed or in doubt; 6 incomplete (a run did not finish, items
never attempted); 1 the journal is damaged (see idv-delete salvage) or
unreadable.

Examples:
  idv-delete verify erasures.journal
  idv-delete verify erasures.journal --output json"
    )]
    Verify(VerifyArgs),
    /// Rewrite a damaged journal with its readable records, keeping the original.
    #[command(
        after_help = "Records that cannot be read, or that break the journal's rules, are dropped;
every item a dropped line may have concerned is put in doubt, so the next run
confirms it (a 404 then proves the deletion) instead of calling it not found.
The original is kept as JOURNAL.damaged-TIME. A journal with nothing damaged is
left as it is.

Example:
  idv-delete salvage erasures.journal && idv-delete verify erasures.journal"
    )]
    Salvage(SalvageArgs),
    /// Run the vendor emulator in the foreground (for testing erasure scripts).
    #[command(after_help = "Examples:
  idv-delete emulator --port 8080 --seed-random 100 --write-seeded seeded.csv
  idv-delete emulator --port 8080 --p503 0.1 --rate-limit 50")]
    Emulator(Box<idv_delete_emulator::cli::Args>),
    /// Erase a demo data set on the embedded emulator, with faults, progress and a journal.
    #[command(after_help = "Example:
  idv-delete demo --items 1000")]
    Demo(DemoArgs),
}

/// Reads a value of a core type (a Jumio product, a region) with the
/// core's own `FromStr`, and lists the core's names (`ALL` and `as_str`)
/// in `--help`: the CLI keeps no table of its own, so it accepts exactly
/// what CSV files and the bindings accept.
#[derive(Clone, Copy)]
pub struct CoreValue<T: 'static> {
    all: &'static [T],
    name: fn(T) -> &'static str,
}

/// The parser of Jumio products (`scan`, `authentication`, `document`).
pub fn product_parser() -> CoreValue<JumioProduct> {
    CoreValue {
        all: &JumioProduct::ALL,
        name: JumioProduct::as_str,
    }
}

/// The parser of Jumio regions (`us`, `eu`, `sgp`).
pub fn region_parser() -> CoreValue<Region> {
    CoreValue {
        all: &Region::ALL,
        name: Region::as_str,
    }
}

impl<T> TypedValueParser for CoreValue<T>
where
    T: Copy + FromStr<Err = DeleteError> + Send + Sync + 'static,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let what = arg.map_or_else(|| "the value".to_owned(), |a| format!("'{a}'"));
        let text = value.to_str().ok_or_else(|| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidUtf8,
                format!("{what} is not UTF-8\n"),
            )
            .with_cmd(cmd)
        })?;
        text.parse().map_err(|e: DeleteError| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value for {what}: {}\n", e.detail()),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.all.iter().map(|v| PossibleValue::new((self.name)(*v))),
        ))
    }
}

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For people.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Options every command that talks to a vendor shares.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Send every request to this base URL instead of the vendor's documented hosts
    /// (https, or http on a loopback address such as the emulator).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// TOML config file with credentials (default: $IDV_DELETE_CONFIG or ~/.config/idv-delete/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT.as_secs_f64())]
    pub timeout: f64,
    /// Most requests per deletion, the first included.
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().max_attempts)]
    pub max_attempts: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `idv-delete jumio`.
#[derive(Debug, Args)]
pub struct JumioArgs {
    /// The product whose transactions are deleted.
    #[arg(value_parser = product_parser())]
    pub product: JumioProduct,
    /// Transaction references (UUIDs).
    #[arg(required = true, value_name = "REF")]
    pub references: Vec<String>,
    /// The region holding the data (default: `region` in the config file).
    #[arg(long, value_parser = region_parser())]
    pub region: Option<Region>,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `idv-delete jumio-platform`.
#[derive(Debug, Args)]
pub struct JumioPlatformArgs {
    /// What is deleted.
    #[command(subcommand)]
    pub resource: PlatformCommand,
}

/// `idv-delete jumio-platform account|workflow`.
#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Delete accounts, each with all its workflow executions.
    Account(PlatformAccountArgs),
    /// Delete workflow executions of one account; the account keeps the others.
    Workflow(PlatformWorkflowArgs),
}

/// `idv-delete jumio-platform account`.
#[derive(Debug, Args)]
pub struct PlatformAccountArgs {
    /// Account ids (UUIDs).
    #[arg(required = true, value_name = "ACCOUNT_ID")]
    pub accounts: Vec<String>,
    /// Region, connection and output options.
    #[command(flatten)]
    pub options: PlatformOptions,
}

/// `idv-delete jumio-platform workflow`.
#[derive(Debug, Args)]
pub struct PlatformWorkflowArgs {
    /// The account holding the workflow executions (a UUID).
    #[arg(value_name = "ACCOUNT_ID")]
    pub account: String,
    /// Workflow execution ids (UUIDs).
    #[arg(required = true, value_name = "WORKFLOW_ID")]
    pub workflows: Vec<String>,
    /// Region, connection and output options.
    #[command(flatten)]
    pub options: PlatformOptions,
}

/// The options of both `jumio-platform` commands.
#[derive(Debug, Args)]
pub struct PlatformOptions {
    /// The region holding the data: us (amer-1), eu (emea-1) or sgp (apac-1)
    /// (default: `region` under `[jumio-platform]`, else `[jumio]`, in the config file).
    #[arg(long, value_parser = region_parser())]
    pub region: Option<Region>,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `idv-delete hyperverge`.
#[derive(Debug, Args)]
pub struct HypervergeArgs {
    /// Transaction ids.
    #[arg(required = true, value_name = "TXN")]
    pub transactions: Vec<String>,
    /// Another HyperVerge host than review-api.idv.hyperverge.co.
    #[arg(long, value_name = "HOST", conflicts_with = "base_url")]
    pub host: Option<String>,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `idv-delete batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The CSV file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    pub input: String,
    /// The journal file: created if missing, resumed if present.
    #[arg(long, value_name = "PATH")]
    pub journal: PathBuf,
    /// Deletions in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Most requests per second (all workers together).
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    /// After the vendor's first 429, pace the batch and search for the highest rate
    /// it accepts (never above --rate). For vendors whose 429s mean a rate limit.
    #[arg(long)]
    pub adaptive_rate: bool,
    /// Check every row and show what would be sent (reading, never writing, an existing journal); send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Run the valid rows even if some rows are invalid (they are listed and skipped).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Resume a journal whose last run sent requests to another endpoint (base URL).
    /// Refused by default: a 404 at another endpoint proves no erasure at the first.
    #[arg(long)]
    pub allow_endpoint_change: bool,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `idv-delete verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The journal of a batch.
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `idv-delete salvage`.
#[derive(Debug, Args)]
pub struct SalvageArgs {
    /// The damaged journal.
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,
}

/// `idv-delete demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Transactions to create and erase.
    #[arg(long, value_name = "N", default_value_t = 600)]
    pub items: u32,
    /// Directory for the demo's CSV and journal (default: a new temporary directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}
