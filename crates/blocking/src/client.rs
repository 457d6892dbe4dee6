//! [`Client`] and its [`ClientBuilder`]: one connection pool, the
//! credentials of one or both vendors, and the loop that drives a core
//! [`DeleteOp`] over ureq.

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use idv_delete_core::{
    Action, Credentials, DeleteError, DeleteIntent, DeleteOp, Endpoint, Erasure, ErrorKind,
    HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials, Region, RetryPolicy,
    TokenState, Vendor,
};

use crate::budget::{RetryBudget, RETRY_COST, SUCCESS_REFUND, TIMEOUT_RETRY_COST};
use crate::cancel::CancelToken;
use crate::throttle::{Attempt, Throttle};
use crate::tokens::TokenPool;
use crate::transport::{exchange, Exchange};

/// The account id of the probe op that [`Client::check_token`] uses to
/// ask for a token; it is never sent.
const PROBE_ACCOUNT: &str = "00000000-0000-0000-0000-000000000000";

/// Default time to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for one attempt, from sending the request to the end of
/// the response body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on the bytes of a response body that are read.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 64 * 1024;
/// Longest accepted connect timeout and timeout: a vendor that has not
/// answered in an hour will not.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// Largest accepted response-body cap.
pub const MAX_RESPONSE_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Configures a [`Client`]; every check happens in [`ClientBuilder::build`],
/// before any I/O.
#[must_use]
pub struct ClientBuilder {
    credentials: BTreeMap<Vendor, Credentials>,
    base_url: Option<String>,
    endpoints: BTreeMap<Vendor, Endpoint>,
    connect_timeout: Duration,
    timeout: Duration,
    policy: RetryPolicy,
    max_response_body: usize,
    budget: RetryBudget,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("vendors", &self.credentials.keys().collect::<Vec<_>>())
            .field("base_url", &self.base_url)
            .field("endpoints", &self.endpoints)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("policy", &self.policy)
            .field("max_response_body", &self.max_response_body)
            .field("budget", &self.budget)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            credentials: BTreeMap::new(),
            base_url: None,
            endpoints: BTreeMap::new(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            policy: RetryPolicy::default(),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            budget: RetryBudget::standard(),
        }
    }
}

impl ClientBuilder {
    /// One vendor's credentials (the vendor is theirs); given twice, the
    /// later wins. The vendor-named methods below are this.
    pub fn credentials(mut self, credentials: impl Into<Credentials>) -> ClientBuilder {
        let credentials = credentials.into();
        self.credentials.insert(credentials.vendor(), credentials);
        self
    }

    /// Where `vendor`'s requests go (default: its documented hosts, or the
    /// [`base_url`](ClientBuilder::base_url)). The vendor-named methods
    /// below are this.
    pub fn endpoint(mut self, vendor: Vendor, endpoint: Endpoint) -> ClientBuilder {
        self.endpoints.insert(vendor, endpoint);
        self
    }

    /// Jumio Netverify v2 credentials (token, secret and the required
    /// User-Agent).
    pub fn jumio(self, credentials: JumioCredentials) -> ClientBuilder {
        self.credentials(credentials)
    }

    /// Jumio Platform OAuth2 client credentials (client id, client secret
    /// and the required User-Agent). The client buys access tokens with
    /// them and shares each among all its threads.
    pub fn jumio_platform(self, credentials: JumioPlatformCredentials) -> ClientBuilder {
        self.credentials(credentials)
    }

    /// HyperVerge credentials (appid and appkey).
    pub fn hyperverge(self, credentials: HyperVergeCredentials) -> ClientBuilder {
        self.credentials(credentials)
    }

    /// One custom base URL for every vendor (a proxy, or the emulator):
    /// checked by [`build`](ClientBuilder::build) (https, or http on a
    /// loopback host only). A vendor-specific endpoint set with
    /// [`endpoint`](ClientBuilder::endpoint) wins. The Jumio Platform's
    /// token requests go there too (`BASE/oauth2/token`).
    pub fn base_url(mut self, url: &str) -> ClientBuilder {
        self.base_url = Some(url.to_owned());
        self
    }

    /// Where Jumio Netverify v2 requests go (default: the documented host
    /// of each product and region).
    pub fn jumio_endpoint(self, endpoint: Endpoint) -> ClientBuilder {
        self.endpoint(Vendor::Jumio, endpoint)
    }

    /// Where Jumio Platform requests go, token requests included (default:
    /// `auth.` and `retrieval.{amer-1|emea-1|apac-1}.jumio.ai`).
    pub fn jumio_platform_endpoint(self, endpoint: Endpoint) -> ClientBuilder {
        self.endpoint(Vendor::JumioPlatform, endpoint)
    }

    /// Where HyperVerge requests go (default: its documented host); see
    /// [`Endpoint::hyperverge_host`] for customers served from other hosts.
    pub fn hyperverge_endpoint(self, endpoint: Endpoint) -> ClientBuilder {
        self.endpoint(Vendor::HyperVerge, endpoint)
    }

    /// Time to establish a connection, TCP and TLS (default 10 s). Name
    /// resolution is bounded by the system resolver's own timeouts.
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = timeout;
        self
    }

    /// Time for one attempt once connected (default 30 s): each of sending
    /// the request, awaiting the response head and reading the body gets
    /// this long.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = timeout;
        self
    }

    /// Retries per deletion (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> ClientBuilder {
        self.policy = policy;
        self
    }

    /// Bytes of a response body read (default 64 KiB, at most 16 MiB); the
    /// rest of a longer body is ignored, never an error.
    pub fn max_response_body(mut self, bytes: usize) -> ClientBuilder {
        self.max_response_body = bytes;
        self
    }

    /// The client-wide retry budget (default: [`RetryBudget::standard`]).
    pub fn retry_budget(mut self, budget: RetryBudget) -> ClientBuilder {
        self.budget = budget;
        self
    }

    /// Checks everything and builds the client. Errors are
    /// [`ErrorKind::InvalidConfig`] and say what to change.
    pub fn build(self) -> Result<Client, DeleteError> {
        let invalid = |detail: String| Err(DeleteError::new(ErrorKind::InvalidConfig, detail));
        if self.credentials.is_empty() {
            return invalid(
                "no credentials: configure the credentials of at least one vendor (Jumio, the Jumio Platform, HyperVerge)"
                    .into(),
            );
        }
        self.policy.validate()?;
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("timeout", self.timeout),
        ] {
            if value.is_zero() || value > MAX_TIMEOUT {
                return invalid(format!(
                    "the {name} is {value:?}; use more than zero and at most one hour"
                ));
            }
        }
        if !(1..=MAX_RESPONSE_BODY_LIMIT).contains(&self.max_response_body) {
            return invalid(format!(
                "the response body cap is {} bytes; use 1 to {MAX_RESPONSE_BODY_LIMIT}",
                self.max_response_body
            ));
        }
        let shared = match &self.base_url {
            Some(url) => Some(Endpoint::custom(url)?),
            None => None,
        };
        let mut endpoints = self.endpoints;
        let vendors: BTreeMap<Vendor, Configured> = self
            .credentials
            .into_iter()
            .map(|(vendor, credentials)| {
                let endpoint = endpoints
                    .remove(&vendor)
                    .or_else(|| shared.clone())
                    .unwrap_or_default();
                (
                    vendor,
                    Configured {
                        credentials,
                        endpoint,
                    },
                )
            })
            .collect();
        let tokens = match vendors.get(&Vendor::JumioPlatform) {
            Some(platform) => Some(TokenPool::new(&platform.credentials, &platform.endpoint)?),
            None => None,
        };
        let inner = Inner {
            agent: agent(self.connect_timeout, self.timeout),
            vendors,
            tokens,
            policy: self.policy,
            max_response_body: self.max_response_body,
            budget: self.budget,
            seeds: AtomicU64::new(0),
            process_seed: process_seed(),
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }
}

/// The ureq agent as `docs/ARCHITECTURE.md#the-blocking-client` says: statuses are answers, redirects are
/// never followed (a DELETE and its credentials must not go elsewhere),
/// per-phase timeouts, no compression, TCP_NODELAY.
///
/// No resolve timeout: ureq resolves the host on every request (pooled
/// connection or not), and with a resolve timeout (or `timeout_global`) it
/// spawns a thread per resolution, which cost over 100 µs of CPU per
/// deletion. Name resolution is bounded by the system resolver's own
/// timeouts (resolv.conf) instead.
fn agent(connect_timeout: Duration, timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .no_delay(true)
        .timeout_connect(Some(connect_timeout))
        .timeout_send_request(Some(timeout))
        .timeout_send_body(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .timeout_recv_body(Some(timeout))
        .user_agent(concat!("idv-delete/", env!("CARGO_PKG_VERSION")))
        .max_idle_connections(256)
        .max_idle_connections_per_host(256);
    #[cfg(feature = "native-tls")]
    let config = config.tls_config(
        ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::NativeTls)
            .build(),
    );
    config.build().new_agent()
}

/// A random-enough number per process, so that jitter differs between
/// processes that start together (std's `RandomState` is randomly keyed).
fn process_seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    hasher.write_u64(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// A blocking client of the Jumio and HyperVerge delete APIs.
///
/// Cheap to clone (an `Arc`), `Send + Sync`: clones share one connection
/// pool and one [`RetryBudget`]. Build it with [`Client::builder`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: ureq::Agent,
    vendors: BTreeMap<Vendor, Configured>,
    /// The Jumio Platform's access tokens, when it is configured.
    tokens: Option<TokenPool>,
    policy: RetryPolicy,
    max_response_body: usize,
    budget: RetryBudget,
    seeds: AtomicU64,
    process_seed: u64,
}

/// One configured vendor: its credentials and where its requests go.
struct Configured {
    credentials: Credentials,
    endpoint: Endpoint,
}

impl fmt::Debug for Client {
    /// Names the configured vendors and endpoints; never a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let endpoints: BTreeMap<_, _> = i
            .vendors
            .iter()
            .map(|(vendor, configured)| (vendor, &configured.endpoint))
            .collect();
        f.debug_struct("Client")
            .field("endpoints", &endpoints)
            .field("policy", &i.policy)
            .field("max_response_body", &i.max_response_body)
            .field("budget", &i.budget)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the defaults: documented endpoints, 10 s connect
    /// timeout, 30 s timeout, default retry policy, 64 KiB bodies, standard
    /// retry budget.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Deletes `intent`'s transaction, retrying as the policy and the budget
    /// allow. Blocks, sleeping between attempts.
    pub fn delete(&self, intent: &DeleteIntent) -> Result<Erasure, DeleteError> {
        let op = self.new_op(intent, false)?;
        self.drive(op, None, None, None)
    }

    /// [`delete`](Client::delete), stoppable from another thread with
    /// `cancel` (a signal handler's thread, a UI, a deadline).
    ///
    /// A cancel wakes the deletion at once if it is waiting (a backoff, a
    /// `Retry-After` pause) and it ends with
    /// [`ErrorKind::Cancelled`], whose [`DeleteError::in_doubt`] says
    /// whether an earlier attempt may have deleted the data (run it again
    /// with [`delete_resumed`](Client::delete_resumed) to confirm). A
    /// request already on the wire is not cut off: it finishes (within the
    /// [`timeout`](ClientBuilder::timeout)) and its answer counts, so a
    /// cancelled deletion may still end deleted.
    ///
    /// A token rather than a per-call options struct: it is the same
    /// [`CancelToken`] a batch takes, and one token can stop many calls.
    pub fn delete_cancellable(
        &self,
        intent: &DeleteIntent,
        cancel: &CancelToken,
    ) -> Result<Erasure, DeleteError> {
        let op = self.new_op(intent, false)?;
        self.drive(op, None, Some(cancel), None)
    }

    /// Deletes an item that an earlier run may already have deleted (a
    /// journal entry sent without outcome, or an error whose
    /// [`DeleteError::in_doubt`] is true): a 404 then counts as deleted,
    /// confirmed by absence
    /// ([`ConfirmedBy::Absence`](crate::ConfirmedBy::Absence): erased by the
    /// earlier attempt, or never present at that endpoint).
    pub fn delete_resumed(&self, intent: &DeleteIntent) -> Result<Erasure, DeleteError> {
        let op = self.new_op(intent, true)?;
        self.drive(op, None, None, None)
    }

    /// [`delete_resumed`](Client::delete_resumed), stoppable from another
    /// thread with `cancel`, as
    /// [`delete_cancellable`](Client::delete_cancellable) is.
    pub fn delete_resumed_cancellable(
        &self,
        intent: &DeleteIntent,
        cancel: &CancelToken,
    ) -> Result<Erasure, DeleteError> {
        let op = self.new_op(intent, true)?;
        self.drive(op, None, Some(cancel), None)
    }

    /// Asks the vendor whether `intent`'s scheduled erasure has completed
    /// (Onfido, Persona, Stripe: see [`core::recheck_request`](idv_delete_core::recheck_request)):
    /// [`Erasure::Deleted`] confirmed by
    /// [`ConfirmedBy::Recheck`](crate::ConfirmedBy::Recheck), still
    /// [`Erasure::Scheduled`] (with the vendor's date or status), or an
    /// error. One read, no retries: a recheck changes nothing, so running it
    /// again later is always safe. `Ok(None)` when the vendor offers no read
    /// (Veriff) or erases at once.
    pub fn recheck(&self, intent: &DeleteIntent) -> Result<Option<Erasure>, DeleteError> {
        if !idv_delete_core::offers_recheck(intent.target()) {
            return Ok(None);
        }
        let (credentials, endpoint) = self.credentials_for(intent.vendor())?;
        let Some(request) = idv_delete_core::recheck_request(intent, endpoint, credentials)? else {
            return Ok(None);
        };
        match exchange(&self.inner.agent, request, self.inner.max_response_body) {
            Exchange::Answered(response) => {
                let (parts, body) = response.into_parts();
                idv_delete_core::parse_recheck(intent, http::Response::from_parts(parts, &body[..]))
                    .map(Some)
            }
            Exchange::Failed { error, cause, .. } => Err(DeleteError::new(
                error.kind(),
                format!("the recheck of {intent} got no answer; run it again later"),
            )
            .with_source(cause)),
        }
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.policy
    }

    /// The client-wide retry budget (to watch its tokens).
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    /// Checks that this client can delete `intent` (credentials for its
    /// vendor), without any I/O.
    pub fn check(&self, intent: &DeleteIntent) -> Result<(), DeleteError> {
        self.credentials_for(intent.vendor()).map(|_| ())
    }

    /// The one request that deletes `intent`, with this client's
    /// credentials and endpoint, for callers who send it with their own
    /// HTTP client (the Python and C sans-IO pairs): they then read the
    /// answer with [`core::parse_response`](idv_delete_core::parse_response).
    /// No I/O, no retries. The request's headers hold the credentials in
    /// clear (marked sensitive): never log them.
    ///
    /// The bindings go through this rather than keep their own copy of the
    /// credentials and endpoint, so that the client owns them alone.
    ///
    /// Errors: [`ErrorKind::InvalidConfig`] when this client has no
    /// credentials for the intent's vendor.
    pub fn to_request(&self, intent: &DeleteIntent) -> Result<http::Request<Vec<u8>>, DeleteError> {
        let (credentials, endpoint) = self.credentials_for(intent.vendor())?;
        idv_delete_core::to_request(intent, endpoint, credentials)
    }

    /// Where each configured vendor's requests go, by vendor name:
    /// `documented` (the vendor's documented hosts) or the base URL. A
    /// journal records it per run, so that a resume against another
    /// endpoint is noticed.
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        self.inner
            .vendors
            .iter()
            .map(|(vendor, configured)| {
                let place = match &configured.endpoint {
                    Endpoint::Documented => "documented".to_owned(),
                    Endpoint::Custom(base) => base.as_str().to_owned(),
                };
                (vendor.as_str().to_owned(), place)
            })
            .collect()
    }

    /// The chain of custody a journal's `run` record keeps: the user and
    /// host running this process, and, per configured vendor, the
    /// fingerprint of its credential's public identifier
    /// ([`Credentials::public_id_fingerprint`]: Jumio's API token, the
    /// Jumio Platform's client id, HyperVerge's app id, Veriff's API key;
    /// `None` for Onfido, Persona and Stripe, whose credential is a secret
    /// alone). The fingerprint ties runs to one vendor account, so an
    /// auditor can see two journals used the same account, while the
    /// journal holds neither the identifier nor any secret.
    pub fn custody(&self) -> crate::journal::Custody {
        crate::journal::Custody {
            user: crate::custody::user(),
            host: crate::custody::host(),
            credentials: self
                .inner
                .vendors
                .iter()
                .map(|(vendor, configured)| {
                    (
                        vendor.as_str().to_owned(),
                        configured.credentials.public_id_fingerprint(),
                    )
                })
                .collect(),
        }
    }

    /// Where `vendor`'s requests go, or `None` without credentials for it.
    pub fn endpoint(&self, vendor: Vendor) -> Option<&Endpoint> {
        self.credentials_for(vendor)
            .ok()
            .map(|(_, endpoint)| endpoint)
    }

    fn credentials_for(&self, vendor: Vendor) -> Result<(&Credentials, &Endpoint), DeleteError> {
        match self.inner.vendors.get(&vendor) {
            Some(configured) => Ok((&configured.credentials, &configured.endpoint)),
            None => Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "this client has no {} credentials; configure them with {}",
                    vendor.as_str(),
                    match vendor {
                        Vendor::Jumio => "ClientBuilder::jumio (CLI: the Jumio token, secret and User-Agent)",
                        Vendor::JumioPlatform => "ClientBuilder::jumio_platform (CLI: JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET and JUMIO_USER_AGENT)",
                        Vendor::HyperVerge => "ClientBuilder::hyperverge (CLI: the HyperVerge appid and appkey)",
                        Vendor::Onfido => "ClientBuilder::credentials(OnfidoCredentials) (CLI: ONFIDO_API_TOKEN)",
                        Vendor::Persona => "ClientBuilder::credentials(PersonaCredentials) (CLI: PERSONA_API_KEY)",
                        Vendor::Stripe => "ClientBuilder::credentials(StripeCredentials) (CLI: STRIPE_SECRET_KEY)",
                        Vendor::Veriff => "ClientBuilder::credentials(VeriffCredentials) (CLI: VERIFF_API_KEY and VERIFF_SHARED_SECRET, VERIFF_BASE_URL)",
                    }
                ),
            )),
        }
    }

    /// Jumio Platform token requests sent so far by this client (all its
    /// threads and batches, every region): one per token lifetime when all
    /// goes well.
    pub fn token_requests(&self) -> u64 {
        self.inner
            .tokens
            .as_ref()
            .map_or(0, TokenPool::token_requests)
    }

    /// Buys (or reuses) a Jumio Platform access token for `region`, so that
    /// bad client credentials are known before any deletion: the CLI calls
    /// it before a batch. Deletions buy tokens by themselves; the token
    /// bought here is the one they then use.
    ///
    /// Errors: [`ErrorKind::InvalidConfig`] without Jumio Platform
    /// credentials; [`ErrorKind::Unauthorized`] when the token endpoint
    /// refuses them; the token request's own failure otherwise (after the
    /// retries of the policy).
    /// A cancel stops it at once with [`ErrorKind::Cancelled`].
    pub fn check_token(&self, region: Region, cancel: &CancelToken) -> Result<(), DeleteError> {
        let (credentials, endpoint) = self.credentials_for(Vendor::JumioPlatform)?;
        // A probe op: it asks for a token before sending anything, and is
        // dropped once it has one.
        let probe = DeleteIntent::jumio_platform_account(region, PROBE_ACCOUNT)?;
        let mut op = DeleteOp::new(
            &probe,
            endpoint,
            credentials,
            self.inner.policy,
            self.next_seed(),
        )?;
        loop {
            match op.poll_action() {
                Action::Authorize => self.authorize(&mut op, cancel),
                Action::Wait(delay) => {
                    if !cancel.sleep(delay) {
                        op.cancel();
                    }
                }
                Action::Send(_) => return Ok(()),
                Action::Done(result) => return result.map(drop),
            }
        }
    }

    pub(crate) fn new_op(
        &self,
        intent: &DeleteIntent,
        in_doubt: bool,
    ) -> Result<DeleteOp, DeleteError> {
        self.delete_op(intent, self.next_seed(), in_doubt)
    }

    /// The state machine that deletes `intent` with this client's
    /// credentials, endpoint and retry policy, for a driver of the
    /// caller's own (an async runtime, an event loop: the Python and C
    /// `delete_op`). `seed` feeds the backoff jitter (give each op its
    /// own); `in_doubt` resumes a deletion an earlier attempt may have
    /// applied, as [`delete_resumed`](Client::delete_resumed). No I/O.
    ///
    /// Like [`to_request`](Client::to_request), this keeps the client the
    /// one owner of the credentials: the bindings hold no copy.
    pub fn delete_op(
        &self,
        intent: &DeleteIntent,
        seed: u64,
        in_doubt: bool,
    ) -> Result<DeleteOp, DeleteError> {
        let (credentials, endpoint) = self.credentials_for(intent.vendor())?;
        if in_doubt {
            DeleteOp::resume_in_doubt(intent, endpoint, credentials, self.inner.policy, seed)
        } else {
            DeleteOp::new(intent, endpoint, credentials, self.inner.policy, seed)
        }
    }

    /// A new token state for this client's Jumio Platform credentials in
    /// `region`, for the ops of a driver of the caller's own (see
    /// [`delete_op`](Client::delete_op)); it shares nothing with the
    /// tokens of this client's own deletions. No I/O.
    pub fn token_state(&self, region: Region) -> Result<TokenState, DeleteError> {
        let (credentials, endpoint) = self.credentials_for(Vendor::JumioPlatform)?;
        TokenState::new(credentials, region, endpoint)
    }

    /// A per-op jitter seed: a counter mixed with the process seed
    /// (SplitMix64 finaliser), so ops and processes spread their retries.
    fn next_seed(&self) -> u64 {
        let n = self.inner.seeds.fetch_add(1, Ordering::Relaxed);
        let mut z = self.inner.process_seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Runs `op` to its end: sends, sleeps on waits, spends the retry budget
    /// before each retry, and, in a batch, waits for the pacer and any pause
    /// before each attempt, pauses everyone on a 429 with `Retry-After` and
    /// tells the batch's rate, which may adapt, how the vendor answered.
    ///
    /// Every wait sleeps on `cancel`: once it is cancelled, no request is
    /// sent and the op ends with [`ErrorKind::Cancelled`] at once, unless an
    /// exchange is under way, which finishes first (bounded by the timeout).
    ///
    /// `first`: the first attempt's turn when the batch took it already
    /// (before journaling the send), else `None`.
    pub(crate) fn drive<'t>(
        &self,
        mut op: DeleteOp,
        throttle: Option<&'t Throttle>,
        cancel: Option<&CancelToken>,
        first: Option<Attempt<'t>>,
    ) -> Result<Erasure, DeleteError> {
        let never = CancelToken::new();
        let cancel = cancel.unwrap_or(&never);
        let budget = &self.inner.budget;
        // The cost of the retry in progress, refunded if it succeeds.
        let mut retry_cost = None;
        // ureq's error when the last attempt failed in transport: the cause
        // of the op's error if that attempt ends it.
        let mut cause = None;
        // The turn to send, held from the pacer's admission to the answer
        // (across a token purchase, for the Jumio Platform).
        let mut attempt = first;
        loop {
            // The turn to send is awaited before the op hands out its
            // request (or asks for its token), so a cancel meanwhile leaves
            // no attempt counted.
            if op.is_ready_to_send() {
                if cancel.is_cancelled() {
                    op.cancel();
                } else if let (Some(throttle), None) = (throttle, &attempt) {
                    match throttle.before_attempt(op.intent().vendor(), cancel) {
                        Some(admitted) => attempt = Some(admitted),
                        None => op.cancel(),
                    }
                }
            }
            match op.poll_action() {
                Action::Authorize => {
                    self.authorize(&mut op, cancel);
                    self.charge_retry(&mut op, &mut retry_cost);
                }
                Action::Send(request) => {
                    let answered =
                        match exchange(&self.inner.agent, request, self.inner.max_response_body) {
                            Exchange::Answered(response) => {
                                cause = None;
                                op.handle_response(response);
                                if let (Some(generation), Some(tokens), Some(region)) = (
                                    op.take_rejected_token(),
                                    &self.inner.tokens,
                                    op.intent().target().region(),
                                ) {
                                    tokens.reject(region, generation);
                                }
                                true
                            }
                            Exchange::Failed {
                                error,
                                sent,
                                cause: failure,
                            } => {
                                cause = Some(failure);
                                op.handle_transport_error(error, sent);
                                false
                            }
                        };
                    if let Some(attempt) = attempt.take() {
                        attempt.ended(answered, op.last_error(), self.inner.policy.max_retry_after);
                    }
                    self.charge_retry(&mut op, &mut retry_cost);
                }
                Action::Wait(delay) => {
                    if !cancel.sleep(delay) {
                        op.cancel();
                    }
                }
                Action::Done(result) => {
                    if result.is_ok() {
                        budget.refund(retry_cost.unwrap_or(SUCCESS_REFUND));
                    }
                    return result.map_err(|error| with_cause(error, cause));
                }
            }
        }
    }
}

impl Client {
    /// Answers an op's [`Action::Authorize`] from the client's shared
    /// Jumio Platform tokens.
    fn authorize(&self, op: &mut DeleteOp, cancel: &CancelToken) {
        let (Some(tokens), Some(region)) = (&self.inner.tokens, op.intent().target().region())
        else {
            op.token_failed(DeleteError::new(
                ErrorKind::InvalidConfig,
                "this client has no Jumio Platform credentials; configure them with ClientBuilder::jumio_platform",
            ));
            return;
        };
        tokens.authorize(op, region, cancel, |request| {
            exchange(&self.inner.agent, request, self.inner.max_response_body)
        });
    }

    /// Spends the retry budget on the retry `op` is about to make, or stops
    /// it from retrying when the budget is spent; `retry_cost` keeps what
    /// was spent, refunded if the op then succeeds.
    fn charge_retry(&self, op: &mut DeleteOp, retry_cost: &mut Option<u32>) {
        if let Some(error) = op.pending_retry() {
            let cost = if error.kind() == ErrorKind::Timeout {
                TIMEOUT_RETRY_COST
            } else {
                RETRY_COST
            };
            if self.inner.budget.try_spend(cost) {
                *retry_cost = Some(cost);
            } else {
                op.stop_retrying();
            }
        }
    }
}

/// `error` with `cause` (ureq's error of the last attempt) as its source,
/// when that attempt's transport failure is what `error` reports; a
/// cancellation or an answer's error keeps none.
fn with_cause(error: DeleteError, cause: Option<ureq::Error>) -> DeleteError {
    let transport = matches!(
        error.kind(),
        ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Tls | ErrorKind::Io
    );
    match cause {
        Some(cause) if transport => error.with_source(cause),
        _ => error,
    }
}
