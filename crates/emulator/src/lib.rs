//! A local, stateful, fault-injecting HTTP server of the delete APIs of
//! Jumio, HyperVerge, Onfido, Persona, Stripe Identity and Veriff, for
//! tests, demos and benchmarks of erasure code.
//!
//! It serves, on one port whatever the `Host` header (so one base URL stands
//! in for every region and host):
//!
//! - Jumio: `DELETE /api/netverify/v2/scans/{ref}`,
//!   `/api/netverify/v2/authentications/{ref}` and
//!   `/api/netverify/v2/documents/{ref}` (checks and bodies: [`jumio`](#jumio));
//! - Jumio Platform (KYX): `POST /oauth2/token` (OAuth2 client
//!   credentials), `DELETE /api/v1/accounts/{accountId}` and
//!   `DELETE /api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}`
//!   (see [`jumio-platform`](#jumio-platform));
//! - HyperVerge: `DELETE /api/v2/transaction/id` with the JSON body
//!   `{"transactionId":"..."}` (see [`hyperverge`](#hyperverge));
//! - Onfido: `DELETE` and `GET /v3.6/applicants/{id}`,
//!   `POST /v3.6/applicants/{id}/restore` (see [`onfido`](#onfido));
//! - Persona: `DELETE` and `GET /api/v1/inquiries/{inq_...}` and
//!   `/api/v1/accounts/{act_...}` (an account id starting with `act_` is
//!   Persona's, any other the Jumio Platform's; see [`persona`](#persona));
//! - Stripe Identity: `POST /v1/identity/verification_sessions/{id}/redact`
//!   and `GET /v1/identity/verification_sessions/{id}` (see
//!   [`stripe`](#stripe-identity));
//! - Veriff: `DELETE /v1/sessions/{id}` (see [`veriff`](#veriff));
//! - the admin API under `/__emulator/`: seed, reset, faults, stats, token
//!   revocation (see [`admin`](#admin-api)).
//!
//! Other methods on the delete paths get 405 with `Allow` naming the
//! path's methods (`DELETE`; `POST` on the token and Stripe paths; `GET,
//! DELETE` where a read exists); other paths 404. Transactions exist once seeded: the first DELETE answers 200
//! and removes the transaction, the next one 404. [`Faults`] injects errors,
//! latency, resets, truncated bodies and a rate limit on a seeded,
//! reproducible schedule, and [`Stats`] counts every delete applied or not
//! found per reference, so a test can prove exactly-once erasure.
//!
//! This crate deliberately does not depend on `idv-delete-core`: it is a
//! second, independent reading of the vendors' documentation, so that the
//! client and the emulator check each other instead of sharing one mistake.
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use idv_delete_emulator::{Config, Emulator};
//!
//! let emulator = Emulator::start(Config::default())?;
//! emulator.seed_one("hyperverge", "transaction", "txn-42")?;
//!
//! // Any HTTP client works; here, a raw request.
//! let body = r#"{"transactionId":"txn-42"}"#;
//! let mut conn = std::net::TcpStream::connect(emulator.addr())?;
//! write!(
//!     conn,
//!     "DELETE /api/v2/transaction/id HTTP/1.1\r\nHost: x\r\nappid: emulator-app-id\r\n\
//!      appkey: emulator-app-key\r\ncontent-type: application/json\r\n\
//!      content-length: {}\r\nconnection: close\r\n\r\n{body}",
//!     body.len()
//! )?;
//! let mut answer = String::new();
//! conn.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200 OK"));
//!
//! let stats = emulator.stats();
//! let counts = stats.reference("hyperverge", "transaction", "txn-42").unwrap();
//! assert_eq!((counts.applied, counts.not_found), (1, 0));
//! emulator.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Jumio
//!
//! Checked in this order: a non-empty `User-Agent`, else 403; an `Accept`
//! that accepts `application/json`, else 403; `Authorization: Basic` with the
//! configured token and secret, else 401. Success is 200 with an empty body;
//! unknown or already deleted references get 404. Jumio documents no error
//! bodies: ours are one line of `text/plain` naming the problem, such as
//! `Unauthorized: missing or invalid Basic credentials`. The reference is
//! the path segment, taken literally (no percent-decoding).
//!
//! # Jumio Platform
//!
//! Vendor `jumio-platform`, products `account` (reference: the account id)
//! and `workflow` (reference: `ACCOUNT_ID/WORKFLOW_ID`, one string).
//!
//! `POST /oauth2/token` is checked in this order: the injected token faults
//! ([`Faults::token_p500`], [`Faults::token_p503`]; no other fault applies
//! here); the method (405, `Allow: POST`); the rate limit
//! ([`Config::token_rate_limit`], 10 per second by default: 429 with
//! `Retry-After`); HTTP Basic `CLIENT_ID:CLIENT_SECRET`
//! ([`Config::jumio_client_id`], [`Config::jumio_client_secret`]), else 401
//! `{"error":"invalid_client"}`; `Content-Type:
//! application/x-www-form-urlencoded` and a valid form, else 400
//! `{"error":"invalid_request"}`; exactly one `grant_type`, else
//! `invalid_request`, equal to `client_credentials`, else 400
//! `{"error":"unsupported_grant_type"}` (other parameters are ignored).
//! Success is 200 `{"access_token":"...","expires_in":N,"token_type":"Bearer"}`,
//! N being [`Config::token_lifetime`] in whole seconds. Error bodies also
//! carry an `error_description`.
//!
//! The deletes are checked in this order: the [`Faults`], as on every
//! delete route; the retrieval rate limit if configured
//! ([`Config::retrieval_rate_limit`]: 429); a non-empty `User-Agent`, else
//! 403; an `Accept` that accepts `application/json`, else 403 (both as for
//! Jumio); `Authorization: Bearer`, else 403 (Basic credentials included:
//! Jumio answers 403 to "no OAuth2"); a token the emulator issued, not
//! expired ([`Config::token_lifetime`] after its issue) and not revoked,
//! else 401 `{"error":"invalid_token"}` with `WWW-Authenticate: Bearer
//! error="invalid_token"`, on which clients fetch a new token. Then 200
//! with an empty body, or 404 (plain text) for an account or workflow
//! execution that is not there. Deleting an account deletes its workflow
//! executions; deleting a workflow execution leaves its account. A workflow
//! removed with its account is not an applied delete of its own reference
//! in [`Stats`]: the account's delete is counted, once.
//!
//! Ids are taken literally (no percent-decoding, no UUID check: anything
//! seeded can be deleted).
//!
//! # HyperVerge
//!
//! Checked in this order, answered with the documented JSON bodies: the IP
//! allow-list if configured (403), `appid`/`appkey` (401), then the body
//! (422: `"transactionId" is required` when the body is not a JSON object,
//! `content-type` is not `application/json`, or `transactionId` is missing,
//! empty or not a string; `"KEY" is not allowed` for any other key). Success
//! is `{"status":"success","statusCode":"200","message":"Transaction deleted
//! successfully","deletedAudits":[...]}` with one to three audit ids derived
//! from the transaction id. Not found is our assumption, as HyperVerge does
//! not document it: 404
//! `{"status":"failure","statusCode":"404","error":"Transaction not found"}`.
//! Injected and rate-limit errors use the same failure shape.
//!
//! # Erasures completed later
//!
//! Onfido, Persona and Stripe accept an erasure and complete it later. The
//! emulator keeps, per object, when the erasure started and when the vendor
//! completes it ([`Config::onfido_deletion_delay`],
//! [`Config::persona_children_delay`], [`Config::stripe_redaction_delay`]),
//! and computes what a read shows from the clock at each request, so tests
//! use real time with short delays. [`Stats::erasures_pending`] counts
//! those not completed. Their objects, and Veriff's, have a state a seed
//! may name ([`SeedItem::state`]). Every vendor's module docs cite the
//! vendor's documentation (`/work/shared/VENDORS.md`) and list where we
//! had to choose.
//!
//! The [`Faults`] apply to the four delete routes (Stripe's redact
//! included), drawn as for the others; the reads and Onfido's restore get
//! none.
//!
//! # Onfido
//!
//! The delete is checked in this order: the faults; `Authorization: Token
//! token=TOKEN` ([`Config::onfido_api_token`]), else 401. Then 204 (the
//! applicant archived with `delete_at` = now + the deletion delay, or,
//! seeded `no_check`, deleted at once), 422 `validation_error` if already
//! archived, 404 if gone. A read shows `{"id","href","delete_at"}` until
//! the hard delete, then 404; restore answers 204 (archived), 422 (not
//! archived) or 404. Errors are `{"error":{"type","message","fields"}}`.
//!
//! # Persona
//!
//! Checked in this order: the faults (deletes only); the rate limit
//! ([`Config::persona_rate_limit`] per minute, every request counted: 429);
//! `Authorization: Bearer KEY` ([`Config::persona_api_key`], or the
//! read-only [`Config::persona_read_only_key`], 403 on a delete), else
//! 401; a `Persona-Version` among the documented ones, else 422. A
//! redaction answers 200 `{"data":{"type","id","attributes":{"redacted-at",
//! ...}}}`, 404, or 409 for an inquiry seeded `pending`; an account's
//! inquiries show `redacted-at` after the children delay. Every answer
//! carries `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset`.
//! Errors are `{"errors":[{"title","details"}]}`.
//!
//! # Stripe Identity
//!
//! The redact is checked in this order: the faults; the rate limit
//! ([`Config::stripe_rate_limit`] per second: 429 `rate_limit` with
//! `Retry-After`); the secret key ([`Config::stripe_secret_key`]) as Basic
//! user with an empty password or as Bearer, else 401. Then 200 with the
//! VerificationSession (`redaction.status` `processing`, `redacted` after
//! the delay), 404 `resource_missing`, or 400
//! `verification_session_unexpected_state` for a session seeded
//! `processing` or `canceled`. `Stripe-Version` is accepted whatever its
//! value and counted in [`Stats::api_versions`].
//!
//! # Veriff
//!
//! Checked in this order: the faults; the endpoint enabled
//! ([`Config::veriff_delete_enabled`]), else 403; `X-AUTH-CLIENT`
//! ([`Config::veriff_api_key`]), else 401 (1801, 1803); `X-HMAC-SIGNATURE`,
//! the lowercase hex HMAC-SHA256 of the session id keyed with
//! [`Config::veriff_shared_secret`], else 401 (1812, 1818); `Content-Type:
//! application/json`, else 400; the windows ([`Config::veriff_windows`]),
//! else 429. Then 200 `{"status":"success","verification":{"id"}}`, 404,
//! or 400 with code 1305 or 1306 for a session seeded `in_progress` or
//! `submitted`.
//!
//! # Admin API
//!
//! | request | body | answer |
//! |---|---|---|
//! | `POST /__emulator/seed` | `[{"vendor":"jumio","product":"scan","reference":"..."}]`, each item with an optional `"state"` | `{"seeded":N}` |
//! | `POST /__emulator/reset` | none | `{"reset":true}` |
//! | `GET /__emulator/faults` | none | the [`Faults`] in force |
//! | `PUT /__emulator/faults` | [`Faults`] as JSON, fields optional | the faults now in force |
//! | `GET /__emulator/stats` | none | [`Stats`] as JSON |
//! | `POST /__emulator/tokens/revoke` | none | `{"revoked":N}`: every Jumio Platform token issued so far is revoked; N were still valid |
//!
//! Invalid input gets 400 `{"error":"..."}` and changes nothing. Faults never
//! apply to admin routes, and admin requests are not counted in [`Stats`].
//!
//! # Server
//!
//! HTTP/1.1 with keep-alive and `TCP_NODELAY`, a thread per connection, each
//! response written with one write and carrying `Date` and `Content-Length`.
//! Request bodies must be framed by `Content-Length`: `Transfer-Encoding`
//! gets 411; malformed requests 400, heads over 16 KiB 431, bodies over
//! 64 MiB 413 (then the connection is closed).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod admin;
pub mod cli;
mod date;
mod faults;
mod http;
mod hyperverge;
mod jumio;
mod jumio_platform;
mod onfido;
mod persona;
mod product;
mod rng;
mod seedfile;
mod server;
mod service;
mod state;
mod stats;
mod stripe;
mod veriff;
mod window;

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

pub use faults::{Faults, RetryAfterFormat};
pub use state::{SeedItem, MAX_REFERENCE_BYTES};
pub use stats::{FaultCounts, ReferenceStats, Stats};

/// Default Jumio API token the emulator accepts.
pub const DEFAULT_JUMIO_TOKEN: &str = "emulator-token";
/// Default Jumio API secret the emulator accepts.
pub const DEFAULT_JUMIO_SECRET: &str = "emulator-secret";
/// Default Jumio Platform OAuth2 client id the emulator accepts.
pub const DEFAULT_JUMIO_CLIENT_ID: &str = "emulator-client-id";
/// Default Jumio Platform OAuth2 client secret the emulator accepts.
pub const DEFAULT_JUMIO_CLIENT_SECRET: &str = "emulator-client-secret";
/// Default lifetime of Jumio Platform access tokens: Jumio's 60 minutes.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Default rate limit of the Jumio Platform token route: Jumio's 10
/// requests per second.
pub const DEFAULT_TOKEN_RATE_LIMIT: f64 = 10.0;
/// Default HyperVerge `appid` the emulator accepts.
pub const DEFAULT_HYPERVERGE_APP_ID: &str = "emulator-app-id";
/// Default HyperVerge `appkey` the emulator accepts.
pub const DEFAULT_HYPERVERGE_APP_KEY: &str = "emulator-app-key";
/// Default Onfido API token the emulator accepts.
pub const DEFAULT_ONFIDO_API_TOKEN: &str = "emulator-onfido-token";
/// Default Onfido deletion delay: the 20 days Onfido recommends at least.
pub const DEFAULT_ONFIDO_DELETION_DELAY: Duration = Duration::from_secs(20 * 24 * 3600);
/// Default Persona API key the emulator accepts.
pub const DEFAULT_PERSONA_API_KEY: &str = "emulator-persona-key";
/// Default Persona API key without the redact permission (403 on deletes).
pub const DEFAULT_PERSONA_READ_ONLY_KEY: &str = "emulator-persona-read-only-key";
/// Default delay before the children of a Persona redaction are redacted.
pub const DEFAULT_PERSONA_CHILDREN_DELAY: Duration = Duration::from_secs(1);
/// Default Persona rate limit: Persona's 300 requests per minute.
pub const DEFAULT_PERSONA_RATE_LIMIT: u32 = 300;
/// Default Stripe secret key the emulator accepts.
pub const DEFAULT_STRIPE_SECRET_KEY: &str = "sk_test_emulator";
/// Default time a Stripe redaction stays `processing`: Stripe's "up to
/// four days".
pub const DEFAULT_STRIPE_REDACTION_DELAY: Duration = Duration::from_secs(4 * 24 * 3600);
/// Default Stripe rate limit: Stripe's default 25 requests per second per
/// endpoint.
pub const DEFAULT_STRIPE_RATE_LIMIT: f64 = 25.0;
/// Default Veriff API key (`X-AUTH-CLIENT`) the emulator accepts.
pub const DEFAULT_VERIFF_API_KEY: &str = "emulator-veriff-key";
/// Default Veriff shared secret, the key of `X-HMAC-SIGNATURE`.
pub const DEFAULT_VERIFF_SHARED_SECRET: &str = "emulator-veriff-secret";
/// Default Veriff deletion limits: 5 per hour and 10 per 24 hours.
pub const DEFAULT_VERIFF_WINDOWS: [(u32, Duration); 2] = [
    (5, Duration::from_secs(3600)),
    (10, Duration::from_secs(24 * 3600)),
];

/// How to start an [`Emulator`]. The credentials are test values, not
/// secrets: the emulator accepts exactly these and rejects any other.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on. Default `127.0.0.1:0` (any free port).
    pub addr: SocketAddr,
    /// Jumio API token. Default [`DEFAULT_JUMIO_TOKEN`].
    pub jumio_token: String,
    /// Jumio API secret. Default [`DEFAULT_JUMIO_SECRET`].
    pub jumio_secret: String,
    /// Jumio Platform OAuth2 client id. Default [`DEFAULT_JUMIO_CLIENT_ID`].
    pub jumio_client_id: String,
    /// Jumio Platform OAuth2 client secret. Default
    /// [`DEFAULT_JUMIO_CLIENT_SECRET`].
    pub jumio_client_secret: String,
    /// How long a Jumio Platform access token stays valid after its issue,
    /// at least 1 s; `expires_in` gives its whole seconds. Default
    /// [`DEFAULT_TOKEN_LIFETIME`].
    pub token_lifetime: Duration,
    /// Token requests per second the token route accepts (a token bucket
    /// holding one second's worth), or `None` for no limit. Default
    /// `Some(`[`DEFAULT_TOKEN_RATE_LIMIT`]`)`.
    pub token_rate_limit: Option<f64>,
    /// Jumio Platform deletes per second accepted, as the vendor's 15 per
    /// second per tenant, or `None` (the default) for no limit.
    pub retrieval_rate_limit: Option<f64>,
    /// HyperVerge `appid`. Default [`DEFAULT_HYPERVERGE_APP_ID`].
    pub hyperverge_app_id: String,
    /// HyperVerge `appkey`. Default [`DEFAULT_HYPERVERGE_APP_KEY`].
    pub hyperverge_app_key: String,
    /// HyperVerge IP allow-list: `None` (the default) accepts every client;
    /// `Some(list)` answers the documented 403 to clients not in the list.
    pub hyperverge_allowed_ips: Option<Vec<IpAddr>>,
    /// Onfido API token (`Authorization: Token token=...`). Default
    /// [`DEFAULT_ONFIDO_API_TOKEN`].
    pub onfido_api_token: String,
    /// How long an archived Onfido applicant waits for its hard delete.
    /// Default [`DEFAULT_ONFIDO_DELETION_DELAY`].
    pub onfido_deletion_delay: Duration,
    /// Persona API key (`Authorization: Bearer`). Default
    /// [`DEFAULT_PERSONA_API_KEY`].
    pub persona_api_key: String,
    /// A Persona API key that may read but not redact: deletes with it get
    /// 403. Default [`DEFAULT_PERSONA_READ_ONLY_KEY`].
    pub persona_read_only_key: String,
    /// How long after a Persona redaction its children (an account's
    /// inquiries) are redacted. Default [`DEFAULT_PERSONA_CHILDREN_DELAY`].
    pub persona_children_delay: Duration,
    /// Persona requests per minute (fixed one-minute windows), or `None`
    /// for no limit. Default `Some(`[`DEFAULT_PERSONA_RATE_LIMIT`]`)`.
    pub persona_rate_limit: Option<u32>,
    /// Stripe secret key (Basic user with an empty password, or Bearer).
    /// Default [`DEFAULT_STRIPE_SECRET_KEY`].
    pub stripe_secret_key: String,
    /// How long a Stripe redaction stays `processing`. Default
    /// [`DEFAULT_STRIPE_REDACTION_DELAY`].
    pub stripe_redaction_delay: Duration,
    /// Stripe redactions per second (a token bucket holding one second's
    /// worth), or `None` for no limit. Default
    /// `Some(`[`DEFAULT_STRIPE_RATE_LIMIT`]`)`.
    pub stripe_rate_limit: Option<f64>,
    /// Veriff API key (`X-AUTH-CLIENT`). Default [`DEFAULT_VERIFF_API_KEY`].
    pub veriff_api_key: String,
    /// Veriff shared secret, the HMAC-SHA256 key of `X-HMAC-SIGNATURE`.
    /// Default [`DEFAULT_VERIFF_SHARED_SECRET`].
    pub veriff_shared_secret: String,
    /// Veriff's deletion limits: at most `count` deletions in any sliding
    /// `window`, for each pair. Default [`DEFAULT_VERIFF_WINDOWS`]; empty
    /// for none.
    pub veriff_windows: Vec<(u32, Duration)>,
    /// Whether Veriff enabled the delete endpoint for this integration
    /// (it is off until Veriff enables it). Default `true`.
    pub veriff_delete_enabled: bool,
    /// Faults in force from the start. Default: none.
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 0),
            jumio_token: DEFAULT_JUMIO_TOKEN.into(),
            jumio_secret: DEFAULT_JUMIO_SECRET.into(),
            jumio_client_id: DEFAULT_JUMIO_CLIENT_ID.into(),
            jumio_client_secret: DEFAULT_JUMIO_CLIENT_SECRET.into(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            token_rate_limit: Some(DEFAULT_TOKEN_RATE_LIMIT),
            retrieval_rate_limit: None,
            hyperverge_app_id: DEFAULT_HYPERVERGE_APP_ID.into(),
            hyperverge_app_key: DEFAULT_HYPERVERGE_APP_KEY.into(),
            hyperverge_allowed_ips: None,
            onfido_api_token: DEFAULT_ONFIDO_API_TOKEN.into(),
            onfido_deletion_delay: DEFAULT_ONFIDO_DELETION_DELAY,
            persona_api_key: DEFAULT_PERSONA_API_KEY.into(),
            persona_read_only_key: DEFAULT_PERSONA_READ_ONLY_KEY.into(),
            persona_children_delay: DEFAULT_PERSONA_CHILDREN_DELAY,
            persona_rate_limit: Some(DEFAULT_PERSONA_RATE_LIMIT),
            stripe_secret_key: DEFAULT_STRIPE_SECRET_KEY.into(),
            stripe_redaction_delay: DEFAULT_STRIPE_REDACTION_DELAY,
            stripe_rate_limit: Some(DEFAULT_STRIPE_RATE_LIMIT),
            veriff_api_key: DEFAULT_VERIFF_API_KEY.into(),
            veriff_shared_secret: DEFAULT_VERIFF_SHARED_SECRET.into(),
            veriff_windows: DEFAULT_VERIFF_WINDOWS.to_vec(),
            veriff_delete_enabled: true,
            faults: Faults::default(),
        }
    }
}

impl Config {
    /// Checks the faults, that the token lifetime is at least 1 s, that
    /// the rate limits and Veriff's windows are positive, and that the
    /// Persona keys differ.
    pub fn validate(&self) -> Result<(), Error> {
        self.faults.validate()?;
        let invalid = |why: String| Err(Error::InvalidConfig(why));
        if self.token_lifetime < Duration::from_secs(1) {
            return invalid(format!(
                "token_lifetime must be at least 1 s, got {:?}",
                self.token_lifetime
            ));
        }
        for (name, limit) in [
            ("token_rate_limit", self.token_rate_limit),
            ("retrieval_rate_limit", self.retrieval_rate_limit),
            ("stripe_rate_limit", self.stripe_rate_limit),
        ] {
            if let Some(rate) = limit {
                if !(rate.is_finite() && rate > 0.0) {
                    return invalid(format!(
                        "{name} must be positive (or none for no limit), got {rate}"
                    ));
                }
            }
        }
        if self.persona_rate_limit == Some(0) {
            return invalid(
                "persona_rate_limit must be positive (or none for no limit), got 0".into(),
            );
        }
        for &(count, window) in &self.veriff_windows {
            if count == 0 || window.is_zero() {
                return invalid(format!(
                    "each of veriff_windows needs a positive count and window, got {count} per {window:?}"
                ));
            }
        }
        if self.persona_api_key == self.persona_read_only_key {
            return invalid("persona_api_key and persona_read_only_key must differ".into());
        }
        Ok(())
    }
}

/// Invalid input to the emulator's API: nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The vendor and product names are not among those served.
    UnknownProduct {
        /// The vendor name given.
        vendor: String,
        /// The product name given.
        product: String,
    },
    /// A reference is empty, longer than [`MAX_REFERENCE_BYTES`], or contains
    /// a control character or `/`, or a Jumio Platform workflow reference is
    /// not two such ids joined by one `/` (its first 80 characters are
    /// kept).
    InvalidReference(String),
    /// A seed's state is not one its product has (its first 80
    /// characters are kept).
    InvalidState {
        /// The vendor name given.
        vendor: String,
        /// The product name given.
        product: String,
        /// The state given.
        state: String,
    },
    /// A [`Faults`] value is out of range.
    InvalidFaults(String),
    /// A [`Config`] value other than the faults is out of range.
    InvalidConfig(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownProduct { vendor, product } => write!(
                f,
                "unknown vendor/product {vendor:?}/{product:?}: expected jumio/scan, \
                 jumio/authentication, jumio/document, jumio-platform/account, \
                 jumio-platform/workflow, hyperverge/transaction, onfido/applicant, \
                 persona/inquiry, persona/account, stripe/verification_session or \
                 veriff/session"
            ),
            Error::InvalidReference(r) => write!(
                f,
                "invalid reference {r:?}: 1 to {MAX_REFERENCE_BYTES} bytes, \
                 no control character or '/' (a jumio-platform workflow is \
                 ACCOUNT_ID/WORKFLOW_ID, a persona inquiry may be \
                 ACCOUNT_ID/INQUIRY_ID; persona account ids start with act_, \
                 jumio-platform ones do not)"
            ),
            Error::InvalidState {
                vendor,
                product,
                state,
            } => {
                let names: Vec<&str> = product::Product::from_names(vendor, product)
                    .map(|p| p.states().iter().map(|(name, _)| *name).collect())
                    .unwrap_or_default();
                if names.is_empty() {
                    write!(
                        f,
                        "invalid state {state:?}: {vendor}/{product} takes no state"
                    )
                } else {
                    write!(
                        f,
                        "invalid state {state:?} for {vendor}/{product}: expected {}",
                        names.join(", ")
                    )
                }
            }
            Error::InvalidFaults(why) => write!(f, "invalid faults: {why}"),
            Error::InvalidConfig(why) => write!(f, "invalid configuration: {why}"),
        }
    }
}

impl std::error::Error for Error {}

/// A running emulator. Dropping it (or [`Emulator::shutdown`]) stops the
/// server and joins its threads, idle keep-alive connections included.
pub struct Emulator {
    addr: SocketAddr,
    service: Arc<service::Service>,
    running: server::Running,
}

impl Emulator {
    /// Binds `config.addr` and starts serving on background threads.
    ///
    /// Fails if the address cannot be bound, or with
    /// [`io::ErrorKind::InvalidInput`] if `config` is invalid
    /// ([`Config::validate`]).
    pub fn start(config: Config) -> io::Result<Emulator> {
        config
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(config.addr)?;
        let addr = listener.local_addr()?;
        let service = Arc::new(service::Service::new(config));
        let running = server::spawn(listener, Arc::clone(&service))?;
        Ok(Emulator {
            addr,
            service,
            running,
        })
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, the base URL to give a client for every vendor,
    /// product and region.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Creates transactions. All items are validated first: on error none is
    /// created. Seeding an existing transaction changes nothing; seeding a
    /// deleted one creates it again.
    pub fn seed(&self, items: &[SeedItem]) -> Result<(), Error> {
        self.service.seed(items).map(drop)
    }

    /// Creates one transaction, as [`Emulator::seed`].
    pub fn seed_one(&self, vendor: &str, product: &str, reference: &str) -> Result<(), Error> {
        self.seed(&[SeedItem::new(vendor, product, reference)])
    }

    /// A snapshot of the counters since start or the last reset.
    pub fn stats(&self) -> Stats {
        self.service.stats()
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.service.faults()
    }

    /// Puts `faults` in force for the following requests, restarting the
    /// fault schedule from `faults.seed` and refilling the rate-limit bucket.
    pub fn set_faults(&self, faults: Faults) -> Result<(), Error> {
        self.service.set_faults(faults)
    }

    /// Forgets every transaction and counter, and restarts the fault
    /// schedule from its seed (the faults themselves are kept) and the
    /// Jumio Platform's rate limits. Issued tokens stay valid: see
    /// [`Emulator::revoke_tokens`].
    pub fn reset(&self) {
        self.service.reset();
    }

    /// Revokes every Jumio Platform access token issued so far: the next
    /// delete with one gets 401 `invalid_token`, as after an expiry, and a
    /// client must fetch a new token. Returns how many were still valid.
    pub fn revoke_tokens(&self) -> usize {
        self.service.revoke_tokens()
    }

    /// Stops the server and joins its threads.
    pub fn shutdown(mut self) {
        self.running.stop();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.running.stop();
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}
