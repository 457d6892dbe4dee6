//! The command line, as clap types. Secrets are never arguments: they come
//! from the environment or the config file (see `config`).

use std::ffi::OsStr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use idv_delete_blocking::{
    DeleteError, JumioProduct, OnfidoRegion, PersonaResource, Region, RetryPolicy, Target, Vendor,
    Window, DEFAULT_TIMEOUT,
};

const AFTER_HELP: &str = "\
Credentials come from the environment (JUMIO_API_TOKEN, JUMIO_API_SECRET,
JUMIO_USER_AGENT; JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET for the Jumio Platform;
HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY; ONFIDO_API_TOKEN; PERSONA_API_KEY;
STRIPE_SECRET_KEY; VERIFF_API_KEY, VERIFF_SHARED_SECRET and VERIFF_BASE_URL)
or from a TOML config file (--config, $IDV_DELETE_CONFIG, or
~/.config/idv-delete/config.toml); never from arguments.

Onfido, Persona, Stripe Identity and Veriff accept an erasure and complete it
later: such an item is reported as scheduled, never as deleted, and
`idv-delete verify --recheck JOURNAL` later asks the vendor whether it is done.

Exit codes:
  0    every item was deleted, or scheduled (the vendor erases it later)
  1    the run could not go on (journal or I/O error)
  2    usage or configuration error; nothing was sent
  3    some items were not found at the vendor (none failed)
  4    some items failed (see the report; they can be retried)
  5    confirmation declined; nothing was sent
  75   stopped at a vendor's documented limit (Veriff: 5 per hour, 10 per
       24 hours): run the same command again after the time printed, or pass
       --wait-for-limits
  130  stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM: waits end at once,
       requests on the wire finish, the summary is printed; run the same
       command again to resume (a second signal exits at once)

Examples:
  idv-delete demo
  idv-delete jumio scan 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region eu
  idv-delete jumio-platform account 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region us
  idv-delete hyperverge acme-customer-42
  idv-delete onfido applicant 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region eu
  idv-delete persona inquiry inq_2Xb3vZ8mD4kQ
  idv-delete stripe verification-session vs_1NuD2QLkdIwHu7ix
  idv-delete veriff session 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20
  idv-delete batch erasures.csv --journal erasures.journal --concurrency 16 --rate 50
  idv-delete verify erasures.journal
  idv-delete salvage erasures.journal";

/// Erase identity-verification data held by Jumio (Netverify v2 and the Jumio Platform), HyperVerge,
/// Onfido, Persona, Stripe Identity and Veriff.
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
    /// Delete Onfido applicants: archived now, hard-deleted after the account's deletion delay (scheduled).
    #[command(
        after_help = "Credentials: ONFIDO_API_TOKEN, or api_token under [onfido] in the config file.

Onfido archives the applicant with its documents, photos, videos, checks and
reports, and hard-deletes them after the account's deletion delay (Onfido
recommends at least 20 days); until then the applicant can be restored. Such
an applicant is reported as scheduled, with Onfido's delete_at when it is
known, never as deleted; an applicant without a check is deleted at once.
`idv-delete verify --recheck JOURNAL` later reads the applicant to confirm.

Examples:
  idv-delete onfido applicant 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20 --region eu
  idv-delete onfido applicant ID1 ID2 --region us --output json"
    )]
    Onfido(OnfidoArgs),
    /// Redact Persona inquiries or accounts: personal data at once, the rest asynchronously (scheduled).
    #[command(
        after_help = "Credentials: PERSONA_API_KEY, or api_key under [persona] in the config file.

Persona redacts the inquiry's (or the account's) personal data at once and
its child objects (verifications, reports, an account's inquiries)
asynchronously: the item is reported as scheduled, never as deleted, and
`idv-delete verify --recheck JOURNAL` later reads it to confirm. An inquiry
Persona will not redact yet (409) fails as not_deletable_yet: retry later.
Persona allows 300 requests per minute.

Examples:
  idv-delete persona inquiry inq_2Xb3vZ8mD4kQ
  idv-delete persona account act_7GhT2pLx9Wq --output json"
    )]
    Persona(PersonaArgs),
    /// Redact Stripe Identity verification sessions: Stripe completes the redaction within four days (scheduled).
    #[command(
        after_help = "Credentials: STRIPE_SECRET_KEY, or secret_key under [stripe] in the config file.

Stripe answers a redaction with the status \"processing\" and redacts the
session with its reports, events and request logs within four days: the
session is reported as scheduled, never as deleted, and `idv-delete verify
--recheck JOURNAL` later reads its redaction status to confirm. A session
Stripe will not redact in its current status fails as not_deletable_yet:
retry later.

Examples:
  idv-delete stripe verification-session vs_1NuD2QLkdIwHu7ix
  idv-delete stripe verification-session vs_A vs_B --output json"
    )]
    Stripe(StripeArgs),
    /// Delete Veriff sessions: gone at once, their data deleted within 12 hours (scheduled).
    #[command(
        after_help = "Credentials: VERIFF_API_KEY and VERIFF_SHARED_SECRET (each request is signed
with the shared secret), or api_key and shared_secret under [veriff] in the
config file. The base URL is your integration's (its Veriff page shows it):
--base-url, else VERIFF_BASE_URL, else base_url under [veriff], else
https://stationapi.veriff.com.

Veriff removes the session at once and deletes its data within 12 hours:
it is reported as scheduled, never as deleted. Veriff offers no read to
confirm it later, so `verify --recheck` leaves it scheduled. A session not
completed yet (Veriff codes 1305, 1306) fails as not_deletable_yet: retry
later. Veriff allows 5 deletions per hour and 10 per 24 hours per
integration, and enables the endpoint on request.

Examples:
  idv-delete veriff session 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"
    )]
    Veriff(VeriffArgs),
    /// Delete every row of a CSV file (vendor,product,region,reference; any vendors mixed), with a journal.
    #[command(
        after_help = "The CSV has the header vendor,product,region,reference (other columns are
ignored); rows of every vendor may be mixed in one file:

  vendor          product                          region     reference
  jumio           scan, authentication, document   us eu sgp  the transaction reference
  jumio-platform  account, workflow                us eu sgp  ACCOUNT_ID, or ACCOUNT_ID/WORKFLOW_ID
  hyperverge      transaction (or empty)           empty      the transaction id
  onfido          applicant (or empty)             eu us ca   the applicant id (UUID)
  persona         inquiry, account                 empty      inq_... or act_...
  stripe          verification_session (or empty)  empty      vs_...
  veriff          session (or empty)               empty      the session id (UUID)

Stripe's product may also be written verification-session. Onfido, Persona,
Stripe and Veriff complete an erasure later: their rows are counted as
scheduled, never as deleted (see idv-delete verify --recheck). A workflow
execution's reference holds both UUIDs in one column. Spaces and tabs around every field,
the reference included, quoted or not, are removed (` HV-7` deletes HV-7);
other whitespace around a reference is refused.

An optional subject column (vendor,product,region,reference,subject; columns
in any order) holds each row's data subject, your own customer id: journaled
and printed with the item, never sent to the vendor, not part of the item's
identity (a blank cell: none; 1-128 characters, no control characters).

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

--recheck first asks the vendors about the items the journal holds as
scheduled, where the vendor offers a read (Onfido: the applicant is gone, or
its delete_at; Persona: redacted-at; Stripe: the session's redaction status),
and appends what they say to the journal (a run of its own): deleted,
confirmed by the recheck, or still scheduled with the vendor's date. Veriff
offers no read: its items stay scheduled. It needs the credentials of the
scheduled items' vendors and the batch's endpoints (--base-url, --config):
another endpoint is refused, since an answer there proves nothing about the
erasures here. Running it again later is always safe: a recheck changes
nothing at the vendor.

Examples:
  idv-delete verify erasures.journal
  idv-delete verify erasures.journal --output json
  idv-delete verify shard-1.journal shard-2.journal
  idv-delete verify --recheck erasures.journal"
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
    /// Write what journals prove: one self-contained HTML page and a JSON document.
    #[command(
        after_help = "Reads one journal or several (the shards of one job, one journal per machine or
job) as one erasure job; the same item in two journals is counted once and
flagged. The HTML page works offline in any browser: the verdict, counts per
vendor, outcomes over time, failures by kind with what to do, every data
subject (searchable; whether everything about that person is erased), each
journal's fingerprint and whether its hash chain verified, and who ran each
run. The JSON holds the same facts and every item's detail, for other tools.

Exit code: 0 when every journal was read whole, 1 when one could not be
verified (the report is written all the same and says why).

Examples:
  idv-delete report erasures.journal --html report.html --json report.json
  idv-delete report shard-*.journal --html report.html"
    )]
    Report(ReportArgs),
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

/// The parser of Onfido regions (`eu`, `us`, `ca`).
pub fn onfido_region_parser() -> CoreValue<OnfidoRegion> {
    CoreValue {
        all: &OnfidoRegion::ALL,
        name: OnfidoRegion::as_str,
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
    /// The data subject's key (your own customer id) these records belong to: journaled
    /// and printed with them, never sent to the vendor (1-128 characters).
    #[arg(long, value_name = "KEY")]
    pub subject: Option<String>,
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
    /// The data subject's key (your own customer id) these records belong to: journaled
    /// and printed with them, never sent to the vendor (1-128 characters).
    #[arg(long, value_name = "KEY")]
    pub subject: Option<String>,
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
    /// The data subject's key (your own customer id) these records belong to: journaled
    /// and printed with them, never sent to the vendor (1-128 characters).
    #[arg(long, value_name = "KEY")]
    pub subject: Option<String>,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `idv-delete onfido`.
#[derive(Debug, Args)]
pub struct OnfidoArgs {
    /// What is deleted.
    #[command(subcommand)]
    pub resource: OnfidoCommand,
}

/// `idv-delete onfido applicant`.
#[derive(Debug, Subcommand)]
pub enum OnfidoCommand {
    /// Delete applicants with their documents, photos, videos, checks and reports.
    Applicant(OnfidoApplicantArgs),
}

/// `idv-delete onfido applicant`.
#[derive(Debug, Args)]
pub struct OnfidoApplicantArgs {
    /// Applicant ids (UUIDs).
    #[arg(required = true, value_name = "APPLICANT_ID")]
    pub ids: Vec<String>,
    /// The region holding the applicants: eu, us or ca (default: `region` under
    /// `[onfido]` in the config file). Each region has its own host.
    #[arg(long, value_parser = onfido_region_parser())]
    pub region: Option<OnfidoRegion>,
    /// The data subject's key (your own customer id) these records belong to: journaled
    /// and printed with them, never sent to the vendor (1-128 characters).
    #[arg(long, value_name = "KEY")]
    pub subject: Option<String>,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `idv-delete persona`.
#[derive(Debug, Args)]
pub struct PersonaArgs {
    /// What is redacted.
    #[command(subcommand)]
    pub resource: PersonaCommand,
}

/// `idv-delete persona inquiry|account`.
#[derive(Debug, Subcommand)]
pub enum PersonaCommand {
    /// Redact inquiries (ids inq_...) with their verifications and reports.
    Inquiry(IdArgs),
    /// Redact accounts (ids act_...) with their inquiries, verifications and reports.
    Account(IdArgs),
}

/// `idv-delete stripe`.
#[derive(Debug, Args)]
pub struct StripeArgs {
    /// What is redacted.
    #[command(subcommand)]
    pub resource: StripeCommand,
}

/// `idv-delete stripe verification-session`.
#[derive(Debug, Subcommand)]
pub enum StripeCommand {
    /// Redact verification sessions (ids vs_...) with their reports, events and request logs.
    VerificationSession(IdArgs),
}

/// `idv-delete veriff`.
#[derive(Debug, Args)]
pub struct VeriffArgs {
    /// What is deleted.
    #[command(subcommand)]
    pub resource: VeriffCommand,
}

/// `idv-delete veriff session`.
#[derive(Debug, Subcommand)]
pub enum VeriffCommand {
    /// Delete sessions (UUIDs) with their media and decisions.
    Session(IdArgs),
}

/// The ids and options of a command whose vendor and product the
/// subcommand names alone (no region).
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The ids, in the form the vendor gives them.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// The data subject's key (your own customer id) these records belong to: journaled
    /// and printed with them, never sent to the vendor (1-128 characters).
    #[arg(long, value_name = "KEY")]
    pub subject: Option<String>,
    /// Connection and output options.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl PersonaArgs {
    /// What the subcommand deletes, and its ids and options.
    pub fn target(&self) -> (Target, &IdArgs) {
        match &self.resource {
            PersonaCommand::Inquiry(ids) => (
                Target::Persona {
                    resource: PersonaResource::Inquiry,
                },
                ids,
            ),
            PersonaCommand::Account(ids) => (
                Target::Persona {
                    resource: PersonaResource::Account,
                },
                ids,
            ),
        }
    }
}

impl StripeArgs {
    /// What the subcommand deletes, and its ids and options.
    pub fn target(&self) -> (Target, &IdArgs) {
        let StripeCommand::VerificationSession(ids) = &self.resource;
        (Target::Stripe, ids)
    }
}

impl VeriffArgs {
    /// What the subcommand deletes, and its ids and options.
    pub fn target(&self) -> (Target, &IdArgs) {
        let VeriffCommand::Session(ids) = &self.resource;
        (Target::Veriff, ids)
    }
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
    /// When a vendor's documented window is full for more than 2 minutes
    /// (Veriff: 5 deletions per hour, 10 per 24 hours), wait for it instead of
    /// stopping with the time to run the command again (exit 75).
    #[arg(long)]
    pub wait_for_limits: bool,
    /// A vendor's request window instead of its documented ones: at most COUNT
    /// requests in any SECONDS (repeatable: --window veriff=5/3600 --window
    /// veriff=10/86400). VENDOR=none lifts the vendor's windows. Defaults: Jumio
    /// Platform 15/1, Persona 300/60, Stripe 25/1, Veriff 5/3600 and 10/86400.
    #[arg(long = "window", value_name = "VENDOR=COUNT/SECONDS", value_parser = parse_window_arg)]
    pub windows: Vec<WindowArg>,
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
    /// The journal of a batch, or the journals of one job's shards (read
    /// as one job: an item in two journals is counted once).
    #[arg(value_name = "JOURNAL", required = true)]
    pub journals: Vec<PathBuf>,
    /// First ask the vendors about the scheduled items (one read each, where
    /// the vendor offers one) and append what they say to the journal.
    #[arg(long)]
    pub recheck: bool,
    /// With --recheck: send the reads to this base URL, as the batch did
    /// (https, or http on a loopback address such as the emulator).
    #[arg(long, value_name = "URL", requires = "recheck")]
    pub base_url: Option<String>,
    /// With --recheck: the TOML config file with credentials (default:
    /// $IDV_DELETE_CONFIG or ~/.config/idv-delete/config.toml).
    #[arg(long, value_name = "FILE", requires = "recheck")]
    pub config: Option<PathBuf>,
    /// With --recheck: seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT.as_secs_f64(), requires = "recheck")]
    pub timeout: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `idv-delete report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The journals of one job (one, or one per shard).
    #[arg(value_name = "JOURNAL", required = true)]
    pub journals: Vec<PathBuf>,
    /// Write the HTML page here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the JSON document here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
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

/// One `--window`: a vendor and one of its windows, or `None` to lift them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowArg {
    /// The vendor whose windows are set.
    pub vendor: Vendor,
    /// The window, or `None` for `VENDOR=none`.
    pub window: Option<Window>,
}

/// Reads `VENDOR=COUNT/SECONDS` or `VENDOR=none`.
fn parse_window_arg(text: &str) -> Result<WindowArg, String> {
    let (vendor, window) = text.split_once('=').ok_or_else(|| {
        "write VENDOR=COUNT/SECONDS (e.g. veriff=5/3600), or VENDOR=none to lift the vendor's windows".to_owned()
    })?;
    let vendor: Vendor = vendor
        .trim()
        .parse()
        .map_err(|e: DeleteError| e.detail().to_owned())?;
    let window = match window.trim() {
        "none" => None,
        window => Some(parse_window(window)?),
    };
    Ok(WindowArg { vendor, window })
}

/// Reads `COUNT/SECONDS`: a whole count of at least 1 and a number of
/// seconds above zero, at most 31 days (2678400), the longest window a
/// batch keeps.
pub fn parse_window(text: &str) -> Result<Window, String> {
    let usage =
        || format!("{text:?} is not COUNT/SECONDS: write e.g. 5/3600 for 5 requests per hour");
    let (count, seconds) = text.split_once('/').ok_or_else(usage)?;
    let count: u32 = count.trim().parse().map_err(|_| {
        format!(
            "the count {:?} is not a whole number of requests: use 1 or more",
            count.trim()
        )
    })?;
    if count == 0 {
        return Err("a window of 0 requests sends nothing: use 1 or more, or VENDOR=none to lift the vendor's windows".into());
    }
    let secs: f64 = seconds.trim().parse().map_err(|_| {
        format!(
            "the span {:?} is not a number of seconds: use e.g. 3600 for an hour",
            seconds.trim()
        )
    })?;
    Window::checked(count, secs).map_err(|e| e.detail().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_read_with_clear_refusals() {
        let read = |text: &str| parse_window_arg(text);
        assert_eq!(
            read("veriff=5/3600"),
            Ok(WindowArg {
                vendor: Vendor::Veriff,
                window: Some(Window::new(5, std::time::Duration::from_secs(3600))),
            })
        );
        assert_eq!(
            read("jumio-platform=none"),
            Ok(WindowArg {
                vendor: Vendor::JumioPlatform,
                window: None,
            })
        );
        assert_eq!(
            read("stripe=2/0.5").map(|w| w.window.map(|w| w.span)),
            Ok(Some(std::time::Duration::from_millis(500)))
        );
        for (bad, says) in [
            ("veriff", "VENDOR=COUNT/SECONDS"),
            ("acme=5/60", "unknown vendor"),
            ("veriff=0/60", "0 requests"),
            ("veriff=-1/60", "not a whole number"),
            ("veriff=five/60", "not a whole number"),
            ("veriff=5/hour", "not a number of seconds"),
            ("veriff=5/0", "unusable"),
            ("veriff=5/NaN", "unusable"),
            ("veriff=5/9999999", "unusable"),
            ("veriff=5", "COUNT/SECONDS"),
        ] {
            let error = read(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
