//! Fault injection: what can go wrong, and the seeded schedule deciding when.
//!
//! Every request to a vendor route draws the same five numbers from one
//! SplitMix64 generator, in arrival order, whatever the configuration and
//! whatever the request: so the same [`Faults`] (seed included) replayed with
//! the same sequence of requests gives the same sequence of decisions. The
//! token-bucket rate limit is the one fault that depends on the clock instead.
//!
//! Faults never apply to the `/__emulator/` admin routes. The Jumio
//! Platform token route has faults of its own (`token_p500`, `token_p503`),
//! drawn from a second generator, one number per token request, so that
//! fetching tokens never shifts the delete routes' schedule.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::http::RetryAfterValue;
use crate::rng::SplitMix64;
use crate::Error;

/// Which faults to inject, and how often. `Faults::default()` injects none.
///
/// In JSON (admin API `PUT /__emulator/faults`), every field is optional and
/// defaults to the value of `Faults::default()`; unknown fields are rejected
/// so that a typo cannot silently disable a fault.
///
/// For each request to a delete route of any vendor, in this order (the
/// Jumio Platform token route draws only `token_p500` and `token_p503`):
/// 1. `latency_ms` plus a uniform `0..=latency_jitter_ms` is slept first;
/// 2. the rate limit, if any, answers 429 with `Retry-After` in whole
///    seconds (at least 1) when the bucket is empty;
/// 3. one draw picks at most one injected status: 500, 502, 503, 504 (plain),
///    429 or 503 with `Retry-After` (probabilities `p500` ... `p503_retry_after`,
///    whose sum must not exceed 1);
/// 4. `p_reset_before`: the connection is reset (TCP RST) before the request
///    is handled, so nothing changes;
/// 5. the request is handled (checks, then the delete is applied or 404);
/// 6. `p_reset_after`: the connection is reset instead of answering, after the
///    delete was applied and counted;
/// 7. `p_truncate`: the response announces more body bytes than it sends
///    (half the body; 1 byte announced for an empty body), then the
///    connection is closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Seed of the fault schedule. Setting faults (or a reset) restarts the
    /// schedule from this seed.
    pub seed: u64,
    /// Probability of a 500 Internal Server Error.
    pub p500: f64,
    /// Probability of a 502 Bad Gateway.
    pub p502: f64,
    /// Probability of a 503 Service Unavailable without `Retry-After`.
    pub p503: f64,
    /// Probability of a 504 Gateway Timeout.
    pub p504: f64,
    /// Probability of a 429 Too Many Requests with `Retry-After`.
    pub p429: f64,
    /// Probability of a 503 Service Unavailable with `Retry-After`.
    pub p503_retry_after: f64,
    /// The delay that injected 429 and 503 answers ask for, in seconds.
    pub retry_after_secs: u64,
    /// How that delay is written in the `Retry-After` header.
    pub retry_after_format: RetryAfterFormat,
    /// Latency added to every vendor request, in milliseconds.
    pub latency_ms: u64,
    /// Extra uniform random latency, from 0 to this many milliseconds.
    pub latency_jitter_ms: u64,
    /// Probability of a connection reset before the delete is applied.
    pub p_reset_before: f64,
    /// Probability of a connection reset after the delete is applied (the
    /// transaction is gone, the client gets no answer).
    pub p_reset_after: f64,
    /// Probability of a truncated response body.
    pub p_truncate: f64,
    /// Token-bucket rate limit in requests per second, or `None` for none.
    pub rate_limit: Option<f64>,
    /// Size of the token bucket: requests allowed in a burst (at least 1).
    pub rate_burst: u32,
    /// Probability of a 500 on the Jumio Platform token route
    /// (`POST /oauth2/token`), which no other field affects.
    pub token_p500: f64,
    /// Probability of a 503 without `Retry-After` on the token route.
    pub token_p503: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            seed: 0,
            p500: 0.0,
            p502: 0.0,
            p503: 0.0,
            p504: 0.0,
            p429: 0.0,
            p503_retry_after: 0.0,
            retry_after_secs: 1,
            retry_after_format: RetryAfterFormat::Seconds,
            latency_ms: 0,
            latency_jitter_ms: 0,
            p_reset_before: 0.0,
            p_reset_after: 0.0,
            p_truncate: 0.0,
            rate_limit: None,
            rate_burst: 1,
            token_p500: 0.0,
            token_p503: 0.0,
        }
    }
}

/// How an injected `Retry-After` header gives its delay (RFC 9110 §10.2.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetryAfterFormat {
    /// A number of seconds: `Retry-After: 2`. JSON `"seconds"`.
    #[default]
    Seconds,
    /// An HTTP-date that many seconds after the response's `Date` header.
    /// JSON `"http-date"`.
    HttpDate,
}

/// Upper bound of `latency_ms + latency_jitter_ms` and of `retry_after_secs`,
/// so that a typo cannot hang a test suite for hours.
const MAX_DELAY_MS: u64 = 600_000;

impl Faults {
    /// Checks that probabilities are in `[0, 1]` (the injected statuses'
    /// together too), the rate limit is positive and delays are bounded.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::InvalidFaults(what));
        let probabilities = [
            ("p500", self.p500),
            ("p502", self.p502),
            ("p503", self.p503),
            ("p504", self.p504),
            ("p429", self.p429),
            ("p503_retry_after", self.p503_retry_after),
            ("p_reset_before", self.p_reset_before),
            ("p_reset_after", self.p_reset_after),
            ("p_truncate", self.p_truncate),
            ("token_p500", self.token_p500),
            ("token_p503", self.token_p503),
        ];
        for (name, p) in probabilities {
            if !(0.0..=1.0).contains(&p) {
                return invalid(format!("{name} must be between 0 and 1, got {p}"));
            }
        }
        let statuses: f64 = self.status_probabilities().iter().map(|(_, p)| p).sum();
        if statuses > 1.0 + 1e-9 {
            return invalid(format!(
                "p500 + p502 + p503 + p504 + p429 + p503_retry_after must not exceed 1, got {statuses}"
            ));
        }
        let token = self.token_p500 + self.token_p503;
        if token > 1.0 + 1e-9 {
            return invalid(format!(
                "token_p500 + token_p503 must not exceed 1, got {token}"
            ));
        }
        if let Some(rate) = self.rate_limit {
            if !(rate.is_finite() && rate > 0.0) {
                return invalid(format!("rate_limit must be positive, got {rate}"));
            }
        }
        if self.latency_ms.saturating_add(self.latency_jitter_ms) > MAX_DELAY_MS
            || self.retry_after_secs.saturating_mul(1000) > MAX_DELAY_MS
        {
            return invalid(format!("delays must not exceed {MAX_DELAY_MS} ms"));
        }
        Ok(())
    }

    /// The injected statuses, in the order one draw picks them.
    fn status_probabilities(&self) -> [(InjectedStatus, f64); 6] {
        [
            (InjectedStatus::Plain(500), self.p500),
            (InjectedStatus::Plain(502), self.p502),
            (InjectedStatus::Plain(503), self.p503),
            (InjectedStatus::Plain(504), self.p504),
            (InjectedStatus::WithRetryAfter(429), self.p429),
            (InjectedStatus::WithRetryAfter(503), self.p503_retry_after),
        ]
    }
}

#[derive(Clone, Copy, Debug)]
enum InjectedStatus {
    Plain(u16),
    WithRetryAfter(u16),
}

/// An answer given instead of handling the request.
#[derive(Debug, PartialEq)]
pub(crate) enum EarlyAnswer {
    /// The rate limit is exceeded: 429, retry after this many seconds.
    RateLimited(u64),
    /// An injected error status, with or without `Retry-After`.
    Status(u16, Option<RetryAfterValue>),
}

/// What the schedule decided for one request.
#[derive(Debug, PartialEq)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) early: Option<EarlyAnswer>,
    pub(crate) reset_before: bool,
    pub(crate) reset_after: bool,
    pub(crate) truncate: bool,
}

/// The fault configuration in force, with its generator and token bucket.
pub(crate) struct Schedule {
    faults: Faults,
    rng: SplitMix64,
    /// The token route's generator (see the module docs).
    token_rng: SplitMix64,
    bucket: Option<TokenBucket>,
}

/// Seeds the token route's generator apart from the delete routes' one.
const TOKEN_STREAM: u64 = 0x70ce_5eed_0a17_0002;

impl Schedule {
    /// A schedule starting from `faults.seed`, with a full token bucket.
    /// `faults` must have passed [`Faults::validate`].
    pub(crate) fn new(faults: Faults, now: Instant) -> Self {
        let bucket = faults
            .rate_limit
            .map(|rate| TokenBucket::new(rate, faults.rate_burst.max(1), now));
        Schedule {
            rng: SplitMix64::new(faults.seed),
            token_rng: SplitMix64::new(faults.seed ^ TOKEN_STREAM),
            faults,
            bucket,
        }
    }

    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Decides the faults of the next request, arriving at `now`.
    pub(crate) fn decide(&mut self, now: Instant) -> Decision {
        // Always the same five draws, so decisions stay aligned with arrival
        // order whatever the configuration or outcome.
        let [jitter, status, reset_before, reset_after, truncate] =
            std::array::from_fn(|_| self.rng.next_f64());
        let f = &self.faults;

        let jitter_ms = (jitter * (f.latency_jitter_ms as f64 + 1.0)) as u64;
        let latency = Duration::from_millis(f.latency_ms + jitter_ms.min(f.latency_jitter_ms));

        let rate_limited = self
            .bucket
            .as_mut()
            .and_then(|bucket| bucket.take(now))
            .map(EarlyAnswer::RateLimited);
        let early = rate_limited.or_else(|| self.pick_status(status));

        Decision {
            latency,
            early,
            reset_before: reset_before < f.p_reset_before,
            reset_after: reset_after < f.p_reset_after,
            truncate: truncate < f.p_truncate,
        }
    }

    /// Decides whether the next token request gets an injected 500 or 503.
    pub(crate) fn decide_token(&mut self) -> Option<u16> {
        let roll = self.token_rng.next_f64();
        let f = &self.faults;
        if roll < f.token_p500 {
            Some(500)
        } else if roll < f.token_p500 + f.token_p503 {
            Some(503)
        } else {
            None
        }
    }

    fn pick_status(&self, roll: f64) -> Option<EarlyAnswer> {
        let mut threshold = 0.0;
        for (injected, p) in self.faults.status_probabilities() {
            threshold += p;
            if roll < threshold {
                let secs = self.faults.retry_after_secs;
                return Some(match injected {
                    InjectedStatus::Plain(status) => EarlyAnswer::Status(status, None),
                    InjectedStatus::WithRetryAfter(status) => {
                        let value = match self.faults.retry_after_format {
                            RetryAfterFormat::Seconds => RetryAfterValue::Seconds(secs),
                            RetryAfterFormat::HttpDate => RetryAfterValue::DateAfter(secs),
                        };
                        EarlyAnswer::Status(status, Some(value))
                    }
                });
            }
        }
        None
    }
}

/// A classic token bucket: `burst` tokens, refilled at `rate` per second.
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64, burst: u32, now: Instant) -> Self {
        TokenBucket {
            rate,
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: now,
        }
    }

    /// Takes a token; if there is none, returns the whole seconds (at least
    /// 1) until there will be one.
    pub(crate) fn take(&mut self, now: Instant) -> Option<u64> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some((((1.0 - self.tokens) / self.rate).ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rejects_out_of_range_values() {
        assert!(Faults::default().validate().is_ok());
        let bad = [
            Faults {
                p500: 1.5,
                ..Faults::default()
            },
            Faults {
                p_truncate: f64::NAN,
                ..Faults::default()
            },
            Faults {
                p500: 0.6,
                p429: 0.6,
                ..Faults::default()
            },
            Faults {
                rate_limit: Some(0.0),
                ..Faults::default()
            },
            Faults {
                token_p500: 0.7,
                token_p503: 0.7,
                ..Faults::default()
            },
            Faults {
                latency_ms: u64::MAX,
                latency_jitter_ms: 1,
                ..Faults::default()
            },
        ];
        for faults in bad {
            assert!(faults.validate().is_err(), "{faults:?}");
        }
    }

    #[test]
    fn same_seed_same_decisions_and_probability_one_always_fires() {
        let faults = Faults {
            seed: 7,
            p500: 0.3,
            p429: 0.3,
            latency_jitter_ms: 10,
            p_reset_before: 0.5,
            ..Faults::default()
        };
        let now = Instant::now();
        let mut a = Schedule::new(faults.clone(), now);
        let mut b = Schedule::new(faults, now);
        for _ in 0..100 {
            let d = a.decide(now);
            assert!(d.latency <= Duration::from_millis(10));
            assert_eq!(d, b.decide(now));
        }
        let mut always = Schedule::new(
            Faults {
                p504: 1.0,
                p_reset_after: 1.0,
                ..Faults::default()
            },
            now,
        );
        let d = always.decide(now);
        assert_eq!(d.early, Some(EarlyAnswer::Status(504, None)));
        assert!(d.reset_after && !d.reset_before && !d.truncate);
        assert_eq!(always.decide_token(), None);
        let mut token = Schedule::new(
            Faults {
                token_p503: 1.0,
                ..Faults::default()
            },
            now,
        );
        assert_eq!(token.decide_token(), Some(503));
        assert_eq!(token.decide(now).early, None);
    }

    #[test]
    fn token_bucket_allows_the_burst_then_asks_to_wait() {
        let now = Instant::now();
        let mut bucket = TokenBucket::new(0.5, 2, now);
        assert_eq!(bucket.take(now), None);
        assert_eq!(bucket.take(now), None);
        assert_eq!(bucket.take(now), Some(2));
        assert_eq!(bucket.take(now + Duration::from_millis(1500)), Some(1));
        assert_eq!(bucket.take(now + Duration::from_millis(2100)), None);
    }
}
