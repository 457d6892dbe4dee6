//! The batch's adaptive request rate (opt-in, [`BatchOptions::adaptive_rate`]):
//! how fast to send when the vendor's rate limit is unknown, or lower than
//! the rate the caller set.
//!
//! Vendors do not publish their limits, and a batch told nothing keeps
//! meeting the limit: every `429` pauses all workers for the `Retry-After`
//! the vendor asks (a whole second at least), so a batch that keeps hitting
//! the limit spends most of its time paused. With this on, the first `429`
//! makes the batch pace itself and look for the highest rate the vendor
//! accepts, the way TCP looks for a path's capacity:
//!
//! - **slow start**: pacing begins at the rate the vendor accepted so far
//!   (at least a second's average) and doubles with every quarter second's
//!   worth of accepted answers (at least two), until the next `429`. It
//!   grows with the vendor's answers, not with the clock, so that a slow
//!   limit is not overshot many times over before an answer tells;
//! - **CUBIC** (RFC 9438, also the curve of the AWS SDKs' adaptive retry
//!   mode): after a `429` at rate `W`, the rate drops to `BETA * W`, climbs
//!   back towards `W` quickly, stays near it for a while, then probes
//!   beyond it, so that the costly `429`s stay rare: the next one comes
//!   many seconds later.
//!
//! A rate the caller set is a ceiling that this never exceeds; without one
//! the batch runs unpaced until the first `429`. Only the first `429` of an
//! episode counts: answers to requests sent before the batch last changed
//! its rate tell nothing about the new rate.
//!
//! Why opt-in: every `429` is read as the limit. A vendor that sheds load
//! at random instead (a `429` every so many requests whatever the rate)
//! sinks the rate far below what it sustains, each cut coming sooner than
//! the curve recovers: against the emulator's 2% random `429`s a batch took
//! 3 times as long as with pauses alone. No simple rule tells the two
//! apart (a floor at the best rate seen between two `429`s, tried, breaks
//! on vendors with large bursts), so the caller who knows the vendor's
//! `429`s are a rate limit turns it on.
//!
//! [`BatchOptions::adaptive_rate`]: crate::BatchOptions::adaptive_rate
//!
//! Pure: the clock is passed in, so the curve is tested without sleeping.

use std::time::Instant;

use crate::batch::MAX_RATE;

/// The rate kept after a `429` at rate `W` is `BETA * W`.
const BETA: f64 = 0.85;
/// CUBIC's scale, as a fraction of `W` per second³: how fast the rate
/// returns to `W` and probes beyond it. Relative to `W` (RFC 9438 uses an
/// absolute scale), so that a limit of 2/s and one of 2,000/s are found
/// alike: whatever the limit, the rate is back at `W` about 14 s after a
/// `429` and meets the limit again some seconds later. Small, because here
/// a `429` costs a pause of every worker.
const CUBIC_SCALE: f64 = 5e-5;
/// Slow start doubles the rate with every this many seconds' worth of
/// accepted answers at the current rate…
const DOUBLING_SECS: f64 = 0.25;
/// …and at least this many answers.
const DOUBLING_MIN_ANSWERS: f64 = 2.0;
/// The lowest rate ever used, in requests per second.
const MIN_RATE: f64 = 0.5;

/// The adaptive rate's state, behind the batch's lock.
#[derive(Debug)]
pub(crate) struct AdaptiveRate {
    /// The caller's rate, never exceeded.
    ceiling: Option<f64>,
    phase: Phase,
    /// When the current curve starts: the end of the pause that followed
    /// the last `429`, when sending resumes.
    resumed: Instant,
    /// Bumped at every change of curve; an attempt carries the epoch it
    /// was sent in.
    epoch: u64,
    /// Answers other than `429` since sending resumed.
    accepted: u64,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// No `429` yet: the caller's rate, or unpaced.
    Initial,
    /// Growing, by every accepted answer, until the next `429`.
    SlowStart { rate: f64 },
    /// The CUBIC curve around `w_max`, the rate of the last `429`.
    Cubic { w_max: f64 },
}

impl AdaptiveRate {
    pub(crate) fn new(ceiling: Option<f64>, now: Instant) -> AdaptiveRate {
        AdaptiveRate {
            ceiling,
            phase: Phase::Initial,
            resumed: now,
            epoch: 0,
            accepted: 0,
        }
    }

    /// The epoch an attempt sent now belongs to.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The rate to pace at now, in requests per second; `None` is unpaced.
    pub(crate) fn rate(&self, now: Instant) -> Option<f64> {
        let curve = match self.phase {
            Phase::Initial => return self.ceiling,
            Phase::SlowStart { rate } => rate,
            Phase::Cubic { w_max } => {
                let since = now.saturating_duration_since(self.resumed).as_secs_f64();
                let k = ((1.0 - BETA) / CUBIC_SCALE).cbrt();
                w_max * (1.0 + CUBIC_SCALE * (since - k).powi(3))
            }
        };
        Some(self.clamp(curve))
    }

    fn clamp(&self, rate: f64) -> f64 {
        rate.clamp(MIN_RATE, self.ceiling.unwrap_or(MAX_RATE))
    }

    /// The vendor answered an attempt sent in `epoch`, and not with a
    /// `429`.
    pub(crate) fn accepted(&mut self, epoch: u64) {
        self.accepted += 1;
        if let (Phase::SlowStart { rate }, true) = (self.phase, epoch == self.epoch) {
            let answers_per_doubling = (rate * DOUBLING_SECS).max(DOUBLING_MIN_ANSWERS);
            let grown = rate * 2f64.powf(1.0 / answers_per_doubling);
            self.phase = Phase::SlowStart {
                rate: self.clamp(grown),
            };
        }
    }

    /// The vendor answered `429` to an attempt sent in `epoch`; sending
    /// resumes at `resumes` (the end of the pause it asked for, or now).
    /// Returns whether the rate changed.
    pub(crate) fn throttled(&mut self, epoch: u64, now: Instant, resumes: Instant) -> bool {
        if epoch != self.epoch {
            return false;
        }
        self.phase = match (self.phase, self.rate(now)) {
            // Growth overshoots: the limit lies about half a doubling
            // below the rate that met it.
            (Phase::SlowStart { .. }, Some(rate)) => Phase::Cubic {
                w_max: rate / 2f64.sqrt(),
            },
            (_, Some(rate)) => Phase::Cubic { w_max: rate },
            // Unpaced so far: start from what the vendor let through since
            // sending began, over a second at least (a burst at the start
            // says little more).
            (_, None) => {
                let stretch = now.saturating_duration_since(self.resumed).as_secs_f64();
                Phase::SlowStart {
                    rate: self.clamp(self.accepted as f64 / stretch.max(1.0)),
                }
            }
        };
        if let Phase::Cubic { w_max } = &mut self.phase {
            *w_max = w_max.max(MIN_RATE / BETA);
        }
        self.accepted = 0;
        self.resumed = resumes.max(now);
        self.epoch += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A vendor's token bucket: `rate` per second, `burst` at most.
    struct Bucket {
        rate: f64,
        burst: f64,
        tokens: f64,
        at: Instant,
    }

    impl Bucket {
        fn take(&mut self, now: Instant) -> bool {
            let refill = now.duration_since(self.at).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + refill).min(self.burst);
            self.at = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                true
            } else {
                false
            }
        }
    }

    struct Outcome {
        seconds: f64,
        throttled: u64,
    }

    /// Sends `items` through `rate` against a vendor's token bucket,
    /// pausing a second on each `429` as the vendor asks, at most 50,000
    /// requests per second.
    fn simulate(ceiling: Option<f64>, bucket_rate: f64, burst: f64, items: u64) -> Outcome {
        let start = Instant::now();
        let mut bucket = Bucket {
            rate: bucket_rate,
            burst,
            tokens: burst,
            at: start,
        };
        let mut rate = AdaptiveRate::new(ceiling, start);
        let (mut now, mut paused_until, mut done, mut throttled) = (start, start, 0, 0);
        while done < items {
            let gap = 1.0 / rate.rate(now).unwrap_or(50_000.0).min(50_000.0);
            now = (now + Duration::from_secs_f64(gap)).max(paused_until);
            let epoch = rate.epoch();
            if bucket.take(now) {
                done += 1;
                rate.accepted(epoch);
            } else {
                throttled += 1;
                paused_until = paused_until.max(now + Duration::from_secs(1));
                rate.throttled(epoch, now, paused_until);
            }
        }
        Outcome {
            seconds: now.duration_since(start).as_secs_f64(),
            throttled,
        }
    }

    #[test]
    fn finds_an_unknown_limit_with_few_throttles() {
        // 10,000 deletions against 200/s with a burst of 10: 50 s at best.
        let outcome = simulate(None, 200.0, 10.0, 10_000);
        let fraction = 50.0 / outcome.seconds;
        assert!(fraction > 0.8, "{fraction:.3} of the limit");
        assert!(outcome.throttled < 20, "{} throttled", outcome.throttled);
    }

    /// Once found, a limit of any size is met about once per CUBIC
    /// period (some 15 s), and the batch runs at over 80% of it (85-89%
    /// here).
    #[test]
    fn finds_limits_across_orders_of_magnitude() {
        for limit in [2.0, 20.0, 200.0, 2_000.0] {
            let items = (limit * 60.0) as u64;
            let outcome = simulate(None, limit, (limit / 10.0).max(1.0), items);
            let fraction = items as f64 / limit / outcome.seconds;
            assert!(fraction > 0.8, "{fraction:.3} of {limit}/s");
            let budget = outcome.seconds / 10.0 + 4.0;
            assert!(
                (outcome.throttled as f64) <= budget,
                "{} throttled at {limit}/s in {:.0} s",
                outcome.throttled,
                outcome.seconds
            );
        }
    }

    #[test]
    fn never_exceeds_the_callers_rate() {
        let start = Instant::now();
        let mut rate = AdaptiveRate::new(Some(100.0), start);
        assert_eq!(rate.rate(start), Some(100.0));
        assert!(rate.throttled(0, start, start + Duration::from_secs(1)));
        for seconds in 0..600 {
            let at = start + Duration::from_secs(seconds);
            assert!(rate
                .rate(at)
                .is_some_and(|r| (MIN_RATE..=100.0).contains(&r)));
        }
        // Sent before the change, so it says nothing about the new rate.
        assert!(!rate.throttled(0, start, start));
        assert_eq!(rate.epoch(), 1);
    }

    #[test]
    fn a_caller_rate_the_vendor_accepts_stays_untouched() {
        let outcome = simulate(Some(190.0), 200.0, 10.0, 2_000);
        assert_eq!(outcome.throttled, 0);
    }

    #[test]
    fn repeated_throttling_bottoms_out_at_the_minimum() {
        let start = Instant::now();
        let mut rate = AdaptiveRate::new(None, start);
        for epoch in 0..200 {
            assert!(rate.throttled(epoch, start, start));
        }
        assert_eq!(rate.rate(start), Some(MIN_RATE));
    }
}
