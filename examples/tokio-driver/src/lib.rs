//! Driving `idv-delete-core` from an async Rust runtime, without the
//! blocking crate: many [`DeleteOp`]s run concurrently on tokio, their
//! requests sent with hyper.
//!
//! The core does every decision (retries, `Retry-After`, backoff, what a
//! 404 after an uncertain attempt means, the Jumio Platform's tokens);
//! this driver only does what the core cannot, I/O and time:
//!
//! - on [`Action::Send`], send with hyper, bounded by a timeout and a body
//!   limit, and report the answer or the transport failure (with whether
//!   the request may have left);
//! - on [`Action::Wait`], `tokio::time::sleep`;
//! - on [`Action::Authorize`], take the region's [`TokenState`] behind a
//!   `tokio::sync::Mutex`; the lock is held while a token is bought, so
//!   one token request is in flight per region however many deletions
//!   wait (single flight), and every other deletion then uses that token;
//! - the clock given to the token state is one monotonic
//!   `tokio::time::Instant` per run; every op gets its own jitter seed.
//!
//! Plain HTTP only: the example talks to the emulator on loopback. A real
//! deployment adds a TLS connector (for example `hyper-rustls`) to the
//! client; the core refuses any base URL that is not `https` unless it is
//! a loopback address.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use idv_delete_core::{
    Action, ConfirmedBy, Credentials, DeleteError, DeleteIntent, DeleteOp, Endpoint, Erasure,
    ErrorKind, Region, RetryPolicy, Target, TokenAction, TokenState, TransportError, Vendor,
};
use tokio::sync::Mutex;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The largest answer body read; vendors' delete answers are a few
/// hundred bytes, and a bigger one is treated as a broken connection.
pub const MAX_BODY: usize = 64 * 1024;

/// How to run a batch.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where every vendor is reached (the emulator's `http://127.0.0.1:PORT`).
    pub base_url: String,
    /// At most one per vendor; an item whose vendor has none is refused
    /// before anything is sent.
    pub credentials: Vec<Credentials>,
    /// Retries, as every other driver applies them.
    pub policy: RetryPolicy,
    /// Deletions in flight at once (at least 1).
    pub concurrency: usize,
    /// Longest wait for one answer, body included.
    pub timeout: Duration,
    /// Op *i* gets jitter seed `seed + i`.
    pub seed: u64,
}

/// Every item's outcome, in the order given.
#[derive(Debug)]
pub struct Report {
    /// Each item with how its deletion ended.
    pub outcomes: Vec<(DeleteIntent, Result<Erasure, DeleteError>)>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Jumio Platform token requests sent, all regions together.
    pub token_requests: u64,
}

impl Report {
    /// Items the vendor no longer holds.
    pub fn deleted(&self) -> usize {
        self.count(|o| matches!(o, Ok(Erasure::Deleted(_))))
    }

    /// Of [`Report::deleted`], those confirmed by a 404 after an uncertain
    /// attempt.
    pub fn deleted_by_absence(&self) -> usize {
        self.count(
            |o| matches!(o, Ok(Erasure::Deleted(d)) if d.confirmed_by == ConfirmedBy::Absence),
        )
    }

    /// Items the vendor accepted to erase later: never counted as deleted.
    pub fn scheduled(&self) -> usize {
        self.count(|o| matches!(o, Ok(Erasure::Scheduled(_))))
    }

    /// Items that ended with an error.
    pub fn failed(&self) -> usize {
        self.count(Result::is_err)
    }

    fn count(&self, test: impl Fn(&Result<Erasure, DeleteError>) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| test(o)).count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} items in {:.2} s: {} deleted ({} confirmed by absence), {} scheduled, {} failed; {} token requests",
            self.outcomes.len(),
            self.elapsed.as_secs_f64(),
            self.deleted(),
            self.deleted_by_absence(),
            self.scheduled(),
            self.failed(),
            self.token_requests,
        )?;
        for (intent, outcome) in &self.outcomes {
            if let Err(error) = outcome {
                writeln!(
                    f,
                    "  {} {} {}: {} ({})",
                    intent.vendor().as_str(),
                    intent.target().product_name(),
                    intent.reference(),
                    error.kind().as_str(),
                    error
                )?;
            }
        }
        Ok(())
    }
}

/// Deletes every item, `config.concurrency` at a time, and reports each
/// outcome. Fails before sending anything if the configuration is unusable
/// or an item's vendor has no credentials.
pub async fn delete_all(config: Config, items: Vec<DeleteIntent>) -> Result<Report, DeleteError> {
    let driver = Arc::new(Driver::new(&config)?);
    if let Some(item) = items
        .iter()
        .find(|i| !driver.credentials.contains_key(&i.vendor()))
    {
        return Err(DeleteError::new(
            ErrorKind::InvalidConfig,
            format!(
                "no {} credentials were given, but item {} needs them; give them or remove its items",
                item.vendor().name(),
                item.reference()
            ),
        ));
    }
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..config.concurrency.min(items.len()) {
        let (driver, items, next) = (Arc::clone(&driver), Arc::clone(&items), Arc::clone(&next));
        workers.spawn(async move {
            let mut finished = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(intent) = items.get(index) else {
                    return finished;
                };
                let seed = driver.seed.wrapping_add(index as u64);
                finished.push((index, driver.delete(intent, seed).await));
            }
        });
    }
    let mut outcomes = Vec::with_capacity(items.len());
    while let Some(finished) = workers.join_next().await {
        match finished {
            Ok(finished) => outcomes.extend(finished),
            // A worker that panicked is a bug of this example: pass it on.
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    outcomes.sort_by_key(|(index, _)| *index);
    let mut token_requests = 0;
    for state in driver.tokens.values() {
        token_requests += state.lock().await.token_requests();
    }
    Ok(Report {
        outcomes: outcomes
            .into_iter()
            .map(|(index, outcome)| (items[index].clone(), outcome))
            .collect(),
        elapsed: driver.started.elapsed(),
        token_requests,
    })
}

/// What every deletion of a run shares.
struct Driver {
    client: Client<HttpConnector, Full<Bytes>>,
    endpoint: Endpoint,
    credentials: HashMap<Vendor, Credentials>,
    /// One per region, for the Jumio Platform's credentials.
    tokens: HashMap<Region, Mutex<TokenState>>,
    policy: RetryPolicy,
    timeout: Duration,
    seed: u64,
    /// The run's monotonic clock, read as the time since this instant.
    started: Instant,
}

impl Driver {
    fn new(config: &Config) -> Result<Driver, DeleteError> {
        config.policy.validate()?;
        if config.concurrency == 0 || config.timeout.is_zero() {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                "concurrency and timeout must be positive",
            ));
        }
        let endpoint = Endpoint::custom(&config.base_url)?;
        let mut credentials = HashMap::new();
        for given in &config.credentials {
            if credentials.insert(given.vendor(), given.clone()).is_some() {
                return Err(DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{} credentials were given twice; give one set per vendor",
                        given.vendor().name()
                    ),
                ));
            }
        }
        let mut tokens = HashMap::new();
        if let Some(platform) = credentials.get(&Vendor::JumioPlatform) {
            for region in Region::ALL {
                let state = TokenState::new(platform, region, &endpoint)?;
                tokens.insert(region, Mutex::new(state));
            }
        }
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Ok(Driver {
            client: Client::builder(TokioExecutor::new()).build(connector),
            endpoint,
            credentials,
            tokens,
            policy: config.policy,
            timeout: config.timeout,
            seed: config.seed,
            started: Instant::now(),
        })
    }

    /// One deletion, driven to its end.
    async fn delete(&self, intent: &DeleteIntent, seed: u64) -> Result<Erasure, DeleteError> {
        let credentials = &self.credentials[&intent.vendor()];
        let mut op = DeleteOp::new(intent, &self.endpoint, credentials, self.policy, seed)?;
        loop {
            match op.poll_action() {
                Action::Send(request) => match self.send(request).await {
                    Ok(response) => {
                        op.handle_response(response);
                        if let Some(generation) = op.take_rejected_token() {
                            if let Some(state) = self.token_state(intent) {
                                state.lock().await.reject(generation);
                            }
                        }
                    }
                    Err((error, sent)) => op.handle_transport_error(error, sent),
                },
                Action::Wait(wait) => tokio::time::sleep(wait).await,
                Action::Authorize => self.authorize(intent, &mut op).await,
                Action::Done(result) => return result,
            }
        }
    }

    /// Gives `op` a token, or the reason none could be had.
    async fn authorize(&self, intent: &DeleteIntent, op: &mut DeleteOp) {
        let Some(state) = self.token_state(intent) else {
            op.token_failed(DeleteError::new(
                ErrorKind::InvalidConfig,
                "no Jumio Platform token state for this item; give Jumio Platform credentials",
            ));
            return;
        };
        // Held across the token request: the single flight.
        let mut state = state.lock().await;
        match state.poll(self.started.elapsed()) {
            TokenAction::Use(token) => op.authorize(token),
            TokenAction::Send(request) => {
                let failure = match self.send(request).await {
                    Ok(response) => state
                        .handle_response(self.started.elapsed(), response)
                        .err(),
                    Err((error, _)) => Some(state.handle_transport_error(error)),
                };
                if let Some(error) = failure {
                    op.token_failed(error);
                }
                // On success the op asks again and the poll answers Use.
            }
            // Only after a purchase abandoned by a cancelled task, which
            // this driver never cancels; pause instead of spinning.
            TokenAction::AwaitFetch => {
                drop(state);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            TokenAction::Refused(error) => op.token_failed(error),
        }
    }

    fn token_state(&self, intent: &DeleteIntent) -> Option<&Mutex<TokenState>> {
        match intent.target() {
            Target::JumioPlatform { region, .. } => self.tokens.get(&region),
            _ => None,
        }
    }

    /// Sends one request and reads its answer, bounded by the timeout and
    /// [`MAX_BODY`]. A failure says whether the request may have left:
    /// only a failure to connect proves it did not.
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, (TransportError, bool)> {
        let exchange = async {
            let response = self
                .client
                .request(request.map(|body| Full::new(Bytes::from(body))))
                .await
                .map_err(|e| match e.is_connect() {
                    true => (TransportError::Connect, false),
                    false => (TransportError::Io, true),
                })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|_| (TransportError::Io, true))?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or(Err((TransportError::Timeout, true)))
    }
}
