//! The command line of `idv-delete-emulator`, also offered as
//! `idv-delete emulator` by the project's main CLI, which flattens [`Args`]
//! into its own subcommand so both accept exactly the same options.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::{seedfile, Config, Emulator, Faults, RetryAfterFormat};

/// Seed of `--seed-random`: fixed, so the same N gives the same references.
const RANDOM_REFERENCES_SEED: u64 = 0x1d_de1e7e;

/// Errors of the command line, as text for the user.
pub type CliError = Box<dyn StdError + Send + Sync>;

/// Options of the emulator's command line.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Port to listen on at 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// CSV file of transactions to create, with the header `vendor,product,region,reference`
    /// (the region is ignored; `vendor,product,reference` is read too). Vendors and products:
    /// jumio scan/authentication/document, jumio-platform account/workflow (reference
    /// ACCOUNT_ID/WORKFLOW_ID), hyperverge transaction.
    #[arg(long, value_name = "FILE", help_heading = "Seeding")]
    pub seed: Option<PathBuf>,

    /// Create N random UUID-like references per vendor and product, the Jumio Platform
    /// excepted (the same N gives the same references).
    #[arg(long, value_name = "N", help_heading = "Seeding")]
    pub seed_random: Option<u64>,

    /// Write the references made by --seed-random to FILE, as a CSV that `idv-delete batch`
    /// reads as is (`vendor,product,region,reference`; Jumio rows name region us).
    #[arg(
        long,
        value_name = "FILE",
        requires = "seed_random",
        help_heading = "Seeding"
    )]
    pub write_seeded: Option<PathBuf>,

    /// Jumio API token to accept.
    #[arg(long, default_value = crate::DEFAULT_JUMIO_TOKEN, help_heading = "Credentials")]
    pub jumio_token: String,

    /// Jumio API secret to accept.
    #[arg(long, default_value = crate::DEFAULT_JUMIO_SECRET, help_heading = "Credentials")]
    pub jumio_secret: String,

    /// Jumio Platform OAuth2 client id to accept on POST /oauth2/token.
    #[arg(long, default_value = crate::DEFAULT_JUMIO_CLIENT_ID, help_heading = "Credentials")]
    pub jumio_client_id: String,

    /// Jumio Platform OAuth2 client secret to accept.
    #[arg(long, default_value = crate::DEFAULT_JUMIO_CLIENT_SECRET, help_heading = "Credentials")]
    pub jumio_client_secret: String,

    /// Lifetime of Jumio Platform access tokens, in whole seconds (at least 1).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = crate::DEFAULT_TOKEN_LIFETIME.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Jumio Platform"
    )]
    pub token_lifetime: u64,

    /// Token requests per second accepted on POST /oauth2/token (429 with Retry-After beyond).
    #[arg(
        long,
        value_name = "PER_SEC",
        default_value_t = crate::DEFAULT_TOKEN_RATE_LIMIT,
        help_heading = "Jumio Platform"
    )]
    pub token_rate_limit: f64,

    /// Turn the token route's rate limit off.
    #[arg(
        long,
        conflicts_with = "token_rate_limit",
        help_heading = "Jumio Platform"
    )]
    pub no_token_rate_limit: bool,

    /// Jumio Platform deletes per second accepted (the vendor allows 15); none by default.
    #[arg(long, value_name = "PER_SEC", help_heading = "Jumio Platform")]
    pub retrieval_rate_limit: Option<f64>,

    /// HyperVerge appid to accept.
    #[arg(long, default_value = crate::DEFAULT_HYPERVERGE_APP_ID, help_heading = "Credentials")]
    pub hyperverge_app_id: String,

    /// HyperVerge appkey to accept.
    #[arg(long, default_value = crate::DEFAULT_HYPERVERGE_APP_KEY, help_heading = "Credentials")]
    pub hyperverge_app_key: String,

    /// Turn on HyperVerge IP allow-listing and allow this client IP (repeatable); others get 403.
    #[arg(long, value_name = "IP", help_heading = "Credentials")]
    pub hyperverge_allow_ip: Vec<IpAddr>,

    /// Onfido API token to accept (Authorization: Token token=...).
    #[arg(long, default_value = crate::DEFAULT_ONFIDO_API_TOKEN, help_heading = "Credentials")]
    pub onfido_api_token: String,

    /// Persona API key to accept (Authorization: Bearer ...).
    #[arg(long, default_value = crate::DEFAULT_PERSONA_API_KEY, help_heading = "Credentials")]
    pub persona_api_key: String,

    /// Persona API key that may read but not redact (403 on deletes).
    #[arg(long, default_value = crate::DEFAULT_PERSONA_READ_ONLY_KEY, help_heading = "Credentials")]
    pub persona_read_only_key: String,

    /// Stripe secret key to accept (Basic user with an empty password, or Bearer).
    #[arg(long, default_value = crate::DEFAULT_STRIPE_SECRET_KEY, help_heading = "Credentials")]
    pub stripe_secret_key: String,

    /// Veriff API key to accept (X-AUTH-CLIENT).
    #[arg(long, default_value = crate::DEFAULT_VERIFF_API_KEY, help_heading = "Credentials")]
    pub veriff_api_key: String,

    /// Veriff shared secret, the key of X-HMAC-SIGNATURE.
    #[arg(long, default_value = crate::DEFAULT_VERIFF_SHARED_SECRET, help_heading = "Credentials")]
    pub veriff_shared_secret: String,

    /// Seconds an archived Onfido applicant waits for its hard delete (Onfido recommends 20
    /// days or more).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = crate::DEFAULT_ONFIDO_DELETION_DELAY.as_secs_f64(),
        value_parser = parse_secs,
        help_heading = "Later erasures"
    )]
    pub onfido_deletion_delay: f64,

    /// Seconds after a Persona redaction before its children (an account's inquiries) are
    /// redacted.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = crate::DEFAULT_PERSONA_CHILDREN_DELAY.as_secs_f64(),
        value_parser = parse_secs,
        help_heading = "Later erasures"
    )]
    pub persona_children_delay: f64,

    /// Seconds a Stripe redaction stays processing (Stripe: up to four days).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = crate::DEFAULT_STRIPE_REDACTION_DELAY.as_secs_f64(),
        value_parser = parse_secs,
        help_heading = "Later erasures"
    )]
    pub stripe_redaction_delay: f64,

    /// Persona requests per minute accepted (429 beyond, with ratelimit-* headers).
    #[arg(
        long,
        value_name = "PER_MIN",
        default_value_t = crate::DEFAULT_PERSONA_RATE_LIMIT,
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Vendor limits"
    )]
    pub persona_rate_limit: u32,

    /// Turn Persona's rate limit off.
    #[arg(
        long,
        conflicts_with = "persona_rate_limit",
        help_heading = "Vendor limits"
    )]
    pub no_persona_rate_limit: bool,

    /// Stripe redactions per second accepted (429 with Retry-After beyond).
    #[arg(
        long,
        value_name = "PER_SEC",
        default_value_t = crate::DEFAULT_STRIPE_RATE_LIMIT,
        help_heading = "Vendor limits"
    )]
    pub stripe_rate_limit: f64,

    /// Turn Stripe's rate limit off.
    #[arg(
        long,
        conflicts_with = "stripe_rate_limit",
        help_heading = "Vendor limits"
    )]
    pub no_stripe_rate_limit: bool,

    /// A Veriff deletion limit, COUNT/SECS: at most COUNT deletions in any SECS seconds
    /// (repeatable; default 5/3600 and 10/86400, Veriff's).
    #[arg(long, value_name = "COUNT/SECS", value_parser = parse_window, help_heading = "Vendor limits")]
    pub veriff_window: Vec<(u32, Duration)>,

    /// Turn Veriff's deletion limits off.
    #[arg(long, conflicts_with = "veriff_window", help_heading = "Vendor limits")]
    pub no_veriff_limit: bool,

    /// Answer Veriff deletes as an integration where Veriff has not enabled them (403).
    #[arg(long, help_heading = "Vendor limits")]
    pub veriff_delete_disabled: bool,

    /// Seed of the fault schedule: the same seed gives the same fault decisions.
    #[arg(long, default_value_t = 0, help_heading = "Faults")]
    pub fault_seed: u64,

    /// Probability of an injected 500.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p500: f64,

    /// Probability of an injected 502.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p502: f64,

    /// Probability of an injected 503 without Retry-After.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p503: f64,

    /// Probability of an injected 504.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p504: f64,

    /// Probability of an injected 429 with Retry-After.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p429: f64,

    /// Probability of an injected 503 with Retry-After.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p503_retry_after: f64,

    /// Delay asked by injected 429/503 answers, in seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 1,
        help_heading = "Faults"
    )]
    pub retry_after: u64,

    /// Give that delay as an HTTP-date (relative to the Date header) instead of seconds.
    #[arg(long, help_heading = "Faults")]
    pub retry_after_http_date: bool,

    /// Latency added to every vendor request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0, help_heading = "Faults")]
    pub latency_ms: u64,

    /// Extra uniform random latency, up to this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0, help_heading = "Faults")]
    pub latency_jitter_ms: u64,

    /// Probability of a connection reset before the delete is applied.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p_reset_before: f64,

    /// Probability of a connection reset after the delete is applied.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p_reset_after: f64,

    /// Probability of a truncated response body.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub p_truncate: f64,

    /// Token-bucket rate limit, in requests per second (429 with Retry-After beyond).
    #[arg(long, value_name = "PER_SEC", help_heading = "Faults")]
    pub rate_limit: Option<f64>,

    /// Token-bucket size: requests allowed in a burst.
    #[arg(long, default_value_t = 1, help_heading = "Faults")]
    pub rate_burst: u32,

    /// Probability of an injected 500 on the Jumio Platform token route only.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub token_p500: f64,

    /// Probability of an injected 503 on the Jumio Platform token route only.
    #[arg(long, default_value_t = 0.0, help_heading = "Faults")]
    pub token_p503: f64,
}

impl Args {
    /// The faults these options describe (not validated yet).
    pub fn faults(&self) -> Faults {
        Faults {
            seed: self.fault_seed,
            p500: self.p500,
            p502: self.p502,
            p503: self.p503,
            p504: self.p504,
            p429: self.p429,
            p503_retry_after: self.p503_retry_after,
            retry_after_secs: self.retry_after,
            retry_after_format: if self.retry_after_http_date {
                RetryAfterFormat::HttpDate
            } else {
                RetryAfterFormat::Seconds
            },
            latency_ms: self.latency_ms,
            latency_jitter_ms: self.latency_jitter_ms,
            p_reset_before: self.p_reset_before,
            p_reset_after: self.p_reset_after,
            p_truncate: self.p_truncate,
            rate_limit: self.rate_limit,
            rate_burst: self.rate_burst,
            token_p500: self.token_p500,
            token_p503: self.token_p503,
        }
    }

    /// The emulator configuration these options describe.
    pub fn config(&self) -> Config {
        Config {
            addr: SocketAddr::new(Ipv4Addr::LOCALHOST.into(), self.port),
            jumio_token: self.jumio_token.clone(),
            jumio_secret: self.jumio_secret.clone(),
            jumio_client_id: self.jumio_client_id.clone(),
            jumio_client_secret: self.jumio_client_secret.clone(),
            token_lifetime: Duration::from_secs(self.token_lifetime),
            token_rate_limit: (!self.no_token_rate_limit).then_some(self.token_rate_limit),
            retrieval_rate_limit: self.retrieval_rate_limit,
            hyperverge_app_id: self.hyperverge_app_id.clone(),
            hyperverge_app_key: self.hyperverge_app_key.clone(),
            hyperverge_allowed_ips: (!self.hyperverge_allow_ip.is_empty())
                .then(|| self.hyperverge_allow_ip.clone()),
            onfido_api_token: self.onfido_api_token.clone(),
            onfido_deletion_delay: Duration::from_secs_f64(self.onfido_deletion_delay),
            persona_api_key: self.persona_api_key.clone(),
            persona_read_only_key: self.persona_read_only_key.clone(),
            persona_children_delay: Duration::from_secs_f64(self.persona_children_delay),
            persona_rate_limit: (!self.no_persona_rate_limit).then_some(self.persona_rate_limit),
            stripe_secret_key: self.stripe_secret_key.clone(),
            stripe_redaction_delay: Duration::from_secs_f64(self.stripe_redaction_delay),
            stripe_rate_limit: (!self.no_stripe_rate_limit).then_some(self.stripe_rate_limit),
            veriff_api_key: self.veriff_api_key.clone(),
            veriff_shared_secret: self.veriff_shared_secret.clone(),
            veriff_windows: match (self.no_veriff_limit, self.veriff_window.is_empty()) {
                (true, _) => Vec::new(),
                (false, true) => crate::DEFAULT_VERIFF_WINDOWS.to_vec(),
                (false, false) => self.veriff_window.clone(),
            },
            veriff_delete_enabled: !self.veriff_delete_disabled,
            faults: self.faults(),
        }
    }
}

/// Longest delay the command line accepts: ten years, in seconds.
const MAX_DELAY_SECS: f64 = 10.0 * 365.0 * 24.0 * 3600.0;

/// A delay in seconds: a number from 0 to ten years (fractions allowed).
fn parse_secs(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds, e.g. 1.5 or 1728000"))?;
    if (0.0..=MAX_DELAY_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!("{secs} s is out of range: 0 to {MAX_DELAY_SECS} s"))
    }
}

/// A Veriff window, `COUNT/SECS`: a positive count and a positive delay.
fn parse_window(text: &str) -> Result<(u32, Duration), String> {
    let usage = || format!("{text:?} is not COUNT/SECS, e.g. 5/3600");
    let (count, secs) = text.split_once('/').ok_or_else(usage)?;
    let count: u32 = count.trim().parse().map_err(|_| usage())?;
    let secs = parse_secs(secs)?;
    if count == 0 || secs == 0.0 {
        return Err(format!(
            "{text:?}: the count and the seconds must be positive"
        ));
    }
    Ok((count, Duration::from_secs_f64(secs)))
}

/// Starts an emulator as `args` say and seeds it (from `--seed`, then
/// `--seed-random`, writing `--write-seeded`), without printing anything.
pub fn start(args: &Args) -> Result<Emulator, CliError> {
    let emulator = Emulator::start(args.config())?;
    if let Some(path) = &args.seed {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        seedfile::for_each_chunk(BufReader::new(file), |items| {
            emulator.seed(items).map_err(|e| e.to_string())
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(per_product) = args.seed_random {
        let mut out = match &args.write_seeded {
            Some(path) => {
                let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
                let mut out = BufWriter::new(file);
                writeln!(out, "{}", seedfile::HEADER)?;
                Some(out)
            }
            None => None,
        };
        seedfile::random_chunks(per_product, RANDOM_REFERENCES_SEED, |items| {
            emulator
                .seed(items)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            match &mut out {
                Some(out) => seedfile::write_items(out, items),
                None => Ok(()),
            }
        })?;
        if let Some(out) = out {
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
    }
    Ok(emulator)
}

/// Runs the emulator: [`start`], then prints exactly
/// `listening on http://127.0.0.1:PORT` as the first line on stdout and
/// serves until the process is killed (SIGTERM, SIGINT). Returns only on a
/// startup error.
pub fn run(args: Args) -> Result<Infallible, CliError> {
    let emulator = start(&args)?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on {}", emulator.base_url())?;
    stdout.flush()?;
    drop(stdout);
    let stats = emulator.stats();
    eprintln!(
        "idv-delete-emulator: {} transactions seeded",
        stats.transactions_present
    );
    loop {
        std::thread::park();
    }
}
