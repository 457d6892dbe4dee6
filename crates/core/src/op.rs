//! [`DeleteOp`]: one deletion across attempts, as a sans-IO state machine.
//!
//! The driver loops on [`DeleteOp::poll_action`]: it sends what it is told to
//! send and reports the answer with [`DeleteOp::handle_response`] or
//! [`DeleteOp::handle_transport_error`], sleeps when told to wait, and stops at
//! [`Action::Done`]. The op reads no clock and draws no randomness: waits are
//! relative durations and the jitter comes from a seed the driver supplies,
//! so every driver (blocking, Python, C, an async runtime) retries alike.

use std::time::Duration;

use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{DeleteIntent, Target};
use crate::outcome::Erasure;
use crate::request::{build, with_bearer};
use crate::response::parse_response;
use crate::token::BearerToken;
use crate::vendors;

/// Most attempts a policy may allow; more would only hammer the vendor.
pub const MAX_ATTEMPTS_LIMIT: u32 = 100;
/// Longest `max_delay` or `max_retry_after` a policy may set: a driver adds
/// these to its clock, so they must stay far from overflow.
pub const MAX_WAIT_LIMIT: Duration = Duration::from_secs(3600);

/// When and how long to retry. The defaults are those of
/// `docs/ARCHITECTURE.md#retries`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most requests sent for one deletion, the first included (default 4).
    pub max_attempts: u32,
    /// Backoff before retry *n* is a random fraction of
    /// `base_delay × 2^(n-1)` (default 0.5 s)…
    pub base_delay: Duration,
    /// …capped at `max_delay` (default 20 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured (default 120 s). A vendor asking
    /// for longer ends the op with [`ErrorKind::RateLimited`] and the
    /// requested delay, so a batch can pause instead of hammering.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends exactly one request.
    pub fn no_retries() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Checks the policy is usable: 1–100 attempts, `base_delay <= max_delay`,
    /// and no wait longer than [`MAX_WAIT_LIMIT`].
    pub fn validate(&self) -> Result<(), DeleteError> {
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&self.max_attempts) {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "max_attempts is {}; use 1 (no retries) to {MAX_ATTEMPTS_LIMIT}",
                    self.max_attempts
                ),
            ));
        }
        if self.max_delay > MAX_WAIT_LIMIT || self.max_retry_after > MAX_WAIT_LIMIT {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                "max_delay and max_retry_after may be at most one hour; a longer wait belongs to a later run",
            ));
        }
        if self.base_delay > self.max_delay {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                "the retry base delay is longer than the maximum delay; lower base_delay or raise max_delay",
            ));
        }
        Ok(())
    }

    /// The longest single wait this policy can ask for.
    pub fn longest_wait(&self) -> Duration {
        self.max_delay.max(self.max_retry_after)
    }

    /// The full-jitter backoff before retry `retry` (1 for the first retry),
    /// `fraction` being in `[0, 1)`.
    fn backoff(&self, retry: u32, fraction: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        ceiling.mul_f64(fraction.clamp(0.0, 1.0))
    }
}

/// A transport failure, as the driver saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportError {
    /// No answer within the driver's timeout.
    Timeout,
    /// No connection could be made.
    Connect,
    /// TLS failed; never retried, since retrying cannot fix a certificate.
    Tls,
    /// The connection broke (reset, truncated or unreadable answer).
    Io,
}

impl TransportError {
    /// The matching [`ErrorKind`].
    pub const fn kind(self) -> ErrorKind {
        match self {
            TransportError::Timeout => ErrorKind::Timeout,
            TransportError::Connect => ErrorKind::Connect,
            TransportError::Tls => ErrorKind::Tls,
            TransportError::Io => ErrorKind::Io,
        }
    }
}

/// What the driver must do next.
#[derive(Debug)]
#[must_use]
pub enum Action {
    /// Send this request, then report the answer or the failure.
    Send(http::Request<Vec<u8>>),
    /// Sleep this long, then poll again.
    Wait(Duration),
    /// Get an access token (Jumio Platform) from the credential's
    /// [`crate::TokenState`] and give it with [`DeleteOp::authorize`], or
    /// report why none could be had with [`DeleteOp::token_failed`]; then
    /// poll again. Comes right before every attempt of a token-authorized
    /// deletion, so each request carries a token fresh at that moment.
    Authorize,
    /// The deletion is finished; polling again returns the same result.
    Done(Result<Erasure, DeleteError>),
}

#[derive(Debug)]
enum State {
    Ready,
    /// [`Action::Authorize`] was handed out.
    AwaitingToken,
    /// A token was given; the next poll sends.
    Authorized(BearerToken),
    AwaitingAnswer,
    Backoff {
        wait: Duration,
        error: DeleteError,
    },
    Finished(Result<Erasure, DeleteError>),
}

/// One deletion across its attempts.
///
/// Laws (property-tested): it never sends more than `max_attempts`
/// requests, never asks to wait longer than [`RetryPolicy::longest_wait`],
/// always ends, never retries 400/401/403/404/422 or TLS failures, and
/// reports a 404 as [`crate::Deleted`] (confirmed by [`crate::ConfirmedBy::Absence`]) only
/// after an attempt that may have been applied. Such a deletion means
/// "absent after an uncertain attempt": erased by that attempt, or never
/// present at that endpoint; the op cannot tell the two apart. (For
/// Veriff, which deletes a removed session's data within 12 hours, such an
/// absence is [`Erasure::Scheduled`]: the vendor's module says what an
/// absence means.)
///
/// A Jumio Platform deletion asks for an access token
/// ([`Action::Authorize`]) before each attempt and sends nothing without
/// one. A 401 makes it ask for a new token and resend at once, once per op
/// (within `max_attempts`); a second 401 ends it. After every answer the
/// driver takes [`DeleteOp::take_rejected_token`] and reports it to the
/// token state, so the token a 401 refused is not handed out again. A
/// token request that fails ([`DeleteOp::token_failed`]) is retried under
/// the same policy, counted apart from the deletes sent.
#[derive(Debug)]
pub struct DeleteOp {
    intent: DeleteIntent,
    /// The request of every attempt; a token-authorized one lacks its
    /// `Authorization` until [`DeleteOp::authorize`].
    request: http::Request<Vec<u8>>,
    policy: RetryPolicy,
    jitter: SplitMix64,
    sent: u32,
    may_have_been_applied: bool,
    state: State,
    needs_token: bool,
    /// The generation of the token the last request carried.
    last_token: Option<u64>,
    /// A token refused by a 401, not yet taken by the driver.
    rejected: Option<u64>,
    /// Whether a 401 has already bought a new token and a resend.
    resent_after_401: bool,
    /// Token requests that failed for this op.
    token_failures: u32,
}

impl DeleteOp {
    /// A fresh deletion. `jitter_seed` feeds the backoff jitter: give each op
    /// a different one (a counter or random number) so retries spread out.
    pub fn new(
        intent: &DeleteIntent,
        endpoint: &Endpoint,
        credentials: &Credentials,
        policy: RetryPolicy,
        jitter_seed: u64,
    ) -> Result<DeleteOp, DeleteError> {
        policy.validate()?;
        Ok(DeleteOp {
            intent: intent.clone(),
            request: build(intent, endpoint, credentials)?,
            policy,
            jitter: SplitMix64(jitter_seed),
            sent: 0,
            may_have_been_applied: false,
            state: State::Ready,
            needs_token: matches!(intent.target(), Target::JumioPlatform { .. }),
            last_token: None,
            rejected: None,
            resent_after_401: false,
            token_failures: 0,
        })
    }

    /// Resumes a deletion whose earlier request may have been applied (a
    /// journal entry sent without an outcome, or an error whose
    /// [`DeleteError::in_doubt`] is true): a 404 then counts as deleted,
    /// confirmed by absence (erased by the earlier attempt, or never present
    /// at that endpoint; use it only for items known to have existed there).
    pub fn resume_in_doubt(
        intent: &DeleteIntent,
        endpoint: &Endpoint,
        credentials: &Credentials,
        policy: RetryPolicy,
        jitter_seed: u64,
    ) -> Result<DeleteOp, DeleteError> {
        let mut op = DeleteOp::new(intent, endpoint, credentials, policy, jitter_seed)?;
        op.may_have_been_applied = true;
        Ok(op)
    }

    /// The intent this op deletes.
    pub fn intent(&self) -> &DeleteIntent {
        &self.intent
    }

    /// Requests handed out so far.
    pub fn attempts(&self) -> u32 {
        self.sent
    }

    /// The error that the op is about to retry, or ended with.
    pub fn last_error(&self) -> Option<&DeleteError> {
        match &self.state {
            State::Backoff { error, .. } | State::Finished(Err(error)) => Some(error),
            _ => None,
        }
    }

    /// The error the op is about to retry (its next action is a
    /// [`Action::Wait`]), so a driver can charge a retry budget or refuse the
    /// retry with [`DeleteOp::stop_retrying`].
    pub fn pending_retry(&self) -> Option<&DeleteError> {
        match &self.state {
            State::Backoff { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Ends the op with its last error instead of retrying it: a driver calls
    /// this when a client-wide retry budget or a deadline forbids another
    /// attempt. Does nothing unless the op is about to retry.
    pub fn stop_retrying(&mut self) {
        if let State::Backoff { error, .. } = &self.state {
            self.state = State::Finished(Err(error.clone()));
        }
    }

    /// Whether the next [`poll_action`](DeleteOp::poll_action) starts an
    /// attempt: it hands out a request, or, for a token-authorized
    /// deletion, the [`Action::Authorize`] that comes right before it. A
    /// driver that must wait for its turn before sending (a rate limit, a
    /// batch-wide pause) waits before polling, so that a cancel during that
    /// wait ends the op with no request counted as sent, and a token is
    /// fetched only once the turn has come.
    pub fn is_ready_to_send(&self) -> bool {
        matches!(self.state, State::Ready)
    }

    /// The generation of the token that the last answer (a 401) refused,
    /// once: the driver passes it to [`crate::TokenState::reject`] right
    /// after [`handle_response`](DeleteOp::handle_response), so no other
    /// deletion is sent with it and the next one buys a new token.
    pub fn take_rejected_token(&mut self) -> Option<u64> {
        self.rejected.take()
    }

    /// Gives the token asked for by [`Action::Authorize`]: the next poll
    /// sends the request with it. Ignored unless a token is asked for.
    ///
    /// The driver gives a token it just had from
    /// [`crate::TokenState::poll`] and polls at once: a token is fresh for
    /// the poll's `now`, not for a later wait.
    pub fn authorize(&mut self, token: BearerToken) {
        if matches!(self.state, State::AwaitingToken) {
            self.state = State::Authorized(token);
        }
    }

    /// Reports that no token could be had for the [`Action::Authorize`]:
    /// the error of the token request ([`crate::TokenState::handle_response`],
    /// [`crate::TokenState::handle_transport_error`]) or of a refusing
    /// state ([`crate::TokenAction::Refused`]). A rate limit, a 5xx or a
    /// transport failure is retried under the policy (the token requests
    /// counted apart from the deletes); anything else ends the op. Ignored
    /// unless a token is asked for.
    pub fn token_failed(&mut self, error: DeleteError) {
        if !matches!(self.state, State::AwaitingToken) {
            return;
        }
        self.token_failures += 1;
        let tries = self.token_failures;
        self.fail_or_retry(error, tries);
    }

    /// Ends the op now with [`ErrorKind::Cancelled`]: the next
    /// [`poll_action`](DeleteOp::poll_action) is `Done(Err(..))`, whose
    /// [`DeleteError::in_doubt`] is true iff an earlier attempt may have been
    /// applied (an answer awaited now counts as such an attempt, since the
    /// request may have arrived). A driver calls it when its caller stops
    /// (a cancel token, a signal) during a wait or before a send. Does
    /// nothing once the op is finished.
    pub fn cancel(&mut self) {
        match &self.state {
            State::Finished(_) => return,
            State::AwaitingAnswer => self.may_have_been_applied = true,
            State::Ready | State::AwaitingToken | State::Authorized(_) | State::Backoff { .. } => {}
        }
        let error = DeleteError::new(
            ErrorKind::Cancelled,
            "stopped before it finished; run it again to finish it",
        )
        .with_attempts(self.sent)
        .with_in_doubt(self.may_have_been_applied);
        self.state = State::Finished(Err(error));
    }

    /// The next thing to do.
    ///
    /// Polling again while an answer is awaited means the driver abandoned
    /// the attempt without reporting it: the op counts it as a transport
    /// failure after sending (the request may have arrived) and goes on.
    pub fn poll_action(&mut self) -> Action {
        match std::mem::replace(&mut self.state, State::Ready) {
            State::Ready | State::AwaitingToken if self.needs_token => {
                // (AwaitingToken: polled again without a token: ask again.)
                self.state = State::AwaitingToken;
                Action::Authorize
            }
            State::Ready | State::AwaitingToken => {
                self.sent += 1;
                self.state = State::AwaitingAnswer;
                Action::Send(self.request.clone())
            }
            State::Authorized(token) => match with_bearer(self.request.clone(), &token) {
                Ok(request) => {
                    self.sent += 1;
                    self.last_token = Some(token.generation());
                    self.state = State::AwaitingAnswer;
                    Action::Send(request)
                }
                Err(error) => {
                    self.state = State::Finished(Err(error
                        .with_attempts(self.sent)
                        .with_in_doubt(self.may_have_been_applied)));
                    self.poll_action()
                }
            },
            State::AwaitingAnswer => {
                self.state = State::AwaitingAnswer;
                self.handle_transport_error(TransportError::Io, true);
                self.poll_action()
            }
            State::Backoff { wait, .. } => Action::Wait(wait),
            State::Finished(result) => {
                self.state = State::Finished(result.clone());
                Action::Done(result)
            }
        }
    }

    /// Reports the answer to the last [`Action::Send`], with its body read
    /// (the driver bounds its size). Ignored when no answer is awaited.
    pub fn handle_response<B: AsRef<[u8]>>(&mut self, response: http::Response<B>) {
        if !matches!(self.state, State::AwaitingAnswer) {
            return;
        }
        let (parts, body) = response.into_parts();
        match parse_response(
            &self.intent,
            http::Response::from_parts(parts, body.as_ref()),
        ) {
            Ok(mut erasure) => {
                erasure.set_attempts(self.sent);
                self.state = State::Finished(Ok(erasure));
            }
            Err(error) if error.kind() == ErrorKind::NotFound && self.may_have_been_applied => {
                let mut erasure =
                    vendors::absent(&self.intent, error.vendor_message().map(str::to_owned));
                erasure.set_attempts(self.sent);
                // The 404 is the answer that decided: it is the evidence.
                erasure.set_evidence(error.evidence().cloned());
                self.state = State::Finished(Ok(erasure));
            }
            Err(error)
                if error.kind() == ErrorKind::Unauthorized
                    && self.needs_token
                    && !self.resent_after_401
                    && self.sent < self.policy.max_attempts =>
            {
                // The token was revoked or expired early: buy another and
                // resend now, once.
                self.resent_after_401 = true;
                self.rejected = self.last_token;
                self.state = State::Ready;
            }
            Err(error) => {
                if error.kind() == ErrorKind::Unauthorized {
                    self.rejected = self.last_token;
                }
                // A 5xx may come after the vendor applied the deletion (a
                // proxy timing out, a crash after the write); so may an
                // answer that `parse_response` marks in doubt (a 2xx whose
                // body cannot be read).
                if error.in_doubt() || matches!(error.status(), Some(500 | 502 | 504)) {
                    self.may_have_been_applied = true;
                }
                let tries = self.sent;
                self.fail_or_retry(error, tries);
            }
        }
    }

    /// Reports that the last [`Action::Send`] failed in transport.
    /// `request_was_sent` is true when any byte of the request may have
    /// reached the vendor (a timeout or reset after writing): the deletion
    /// may then have been applied. Ignored when no answer is awaited.
    pub fn handle_transport_error(&mut self, error: TransportError, request_was_sent: bool) {
        if !matches!(self.state, State::AwaitingAnswer) {
            return;
        }
        if request_was_sent {
            self.may_have_been_applied = true;
        }
        let detail = match (error, request_was_sent) {
            (TransportError::Tls, _) => "the TLS handshake with the vendor failed; check the base URL and the system's certificates",
            (TransportError::Connect, _) => "no connection to the vendor could be made; check the network, proxy and base URL",
            (TransportError::Timeout, true) => "the request was sent but no answer came in time; it may have been applied",
            (TransportError::Timeout, false) => "the vendor did not accept the request in time",
            (TransportError::Io, true) => "the connection broke after the request was sent; it may have been applied",
            (TransportError::Io, false) => "the connection broke before the request was sent",
        };
        let tries = self.sent;
        self.fail_or_retry(DeleteError::new(error.kind(), detail), tries);
    }

    /// Ends the op with `error`, or waits to retry it: `tries` is how many
    /// times this step (a delete, a token request) has been tried.
    fn fail_or_retry(&mut self, error: DeleteError, tries: u32) {
        let error = error
            .with_attempts(self.sent)
            .with_in_doubt(self.may_have_been_applied);
        let retryable = matches!(
            error.kind(),
            ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Io
        ) || (error.kind() == ErrorKind::Server
            && matches!(error.status(), Some(500 | 502 | 503 | 504)));
        if !retryable || tries >= self.policy.max_attempts {
            self.state = State::Finished(Err(error));
            return;
        }
        let wait = match error.retry_after() {
            Some(asked) if asked > self.policy.max_retry_after => {
                self.state = State::Finished(Err(error));
                return;
            }
            Some(asked) => asked,
            None => self.policy.backoff(tries, self.jitter.next_fraction()),
        };
        self.state = State::Backoff { wait, error };
    }
}

/// SplitMix64: a tiny deterministic generator for jitter, so the core needs
/// no source of randomness.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_fraction(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits give an evenly spread f64 in [0, 1).
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
