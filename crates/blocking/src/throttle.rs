//! Batch-wide pacing: the client-side rate limit and the pause that follows
//! a vendor's `429` with `Retry-After`. Both are shared by every worker, and
//! both are consulted before every attempt, retries included.

use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// Spreads requests evenly: consecutive requests leave at least `1 / rate`
/// seconds apart, no burst, shared by all workers. Told 200/s, 100
/// requests take about 0.5 s.
///
/// The spacing is measured from the moment the previous request was
/// actually released, not from its planned slot: a sleep that overshoots
/// (scheduling jitter) must not let the next request follow too closely,
/// since a vendor enforcing the same rate with a small burst would answer
/// 429. The price is a rate a little under the one asked (the average
/// overshoot, typically well under 1%).
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    /// When the last request was released. Held while a worker sleeps
    /// until its slot: workers are released one at a time.
    last: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `rate` in requests per second; must be finite and positive (checked
    /// by the batch options).
    pub(crate) fn new(rate: f64) -> Pacer {
        Pacer {
            interval: Duration::from_secs_f64(1.0 / rate),
            last: Mutex::new(None),
        }
    }

    /// Blocks until this caller may send.
    pub(crate) fn acquire(&self) {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A slot not taken in time is lost rather than saved up, so an idle
        // period never turns into a burst.
        if let Some(previous) = *last {
            sleep_until(previous + self.interval);
        }
        *last = Some(Instant::now());
    }
}

/// "Nobody sends before this instant": set when the vendor answers 429 with
/// `Retry-After`, so every worker waits, not only the one that was told.
#[derive(Debug, Default)]
pub(crate) struct Pause {
    until: Mutex<Option<Instant>>,
}

impl Pause {
    /// Extends the pause to at least `now + delay`.
    pub(crate) fn pause_for(&self, delay: Duration) {
        // The policy caps the delay at an hour; never overflow regardless.
        let now = Instant::now();
        let until = now.checked_add(delay).unwrap_or(now);
        let mut current = self
            .until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.is_none_or(|c| c < until) {
            *current = Some(until);
        }
    }

    /// Whether a pause is in force now.
    fn active(&self) -> bool {
        self.until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some_and(|until| until > Instant::now())
    }

    /// Blocks while a pause is in force (it may be extended meanwhile).
    pub(crate) fn wait(&self) {
        loop {
            let until = *self
                .until
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match until {
                Some(until) if until > Instant::now() => sleep_until(until),
                _ => return,
            }
        }
    }
}

/// What a batch puts in front of every attempt.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    pub(crate) pacer: Option<Pacer>,
    pub(crate) pause: Pause,
}

impl Throttle {
    /// Waits for the pause to end, then for a rate slot. A slot obtained
    /// while a new pause began is given up: otherwise every worker holding
    /// one would send at the instant the pause ends, a burst that the
    /// vendor's limit answers with more 429s.
    pub(crate) fn before_attempt(&self) {
        loop {
            self.pause.wait();
            let Some(pacer) = &self.pacer else { return };
            pacer.acquire();
            if !self.pause.active() {
                return;
            }
        }
    }
}

fn sleep_until(instant: Instant) {
    let now = Instant::now();
    if instant > now {
        thread::sleep(instant - now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacer_spaces_requests() {
        let pacer = Pacer::new(1000.0);
        let start = Instant::now();
        for _ in 0..21 {
            pacer.acquire();
        }
        assert!(start.elapsed() >= Duration::from_millis(19));
    }

    #[test]
    fn pause_blocks_until_it_ends() {
        let pause = Pause::default();
        pause.pause_for(Duration::from_millis(30));
        pause.pause_for(Duration::from_millis(1));
        let start = Instant::now();
        pause.wait();
        assert!(start.elapsed() >= Duration::from_millis(25));
    }
}
