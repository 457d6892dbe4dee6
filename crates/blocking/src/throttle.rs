//! Batch-wide pacing: the request rate (the caller's, lowered by
//! [`AdaptiveRate`] when the vendor answers 429 and the batch adapts) and
//! the pause that follows a vendor's `429` with `Retry-After`. Both are
//! shared by every worker, and consulted before every attempt, retries
//! included.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use idv_delete_core::{DeleteError, ErrorKind, Vendor};

use crate::adaptive::AdaptiveRate;
use crate::cancel::CancelToken;
use crate::windows::{SendLog, Slot, WindowFull, LONGEST_AUTOMATIC_WAIT};

/// Spreads requests evenly: consecutive requests leave at least `1 / rate`
/// seconds apart, no burst, shared by all workers. Told 200/s, 100
/// requests take about 0.5 s. The rate may change at any time.
///
/// The spacing is measured from the moment the previous request was
/// actually released, not from its planned slot: a sleep that overshoots
/// (scheduling jitter) must not let the next request follow too closely,
/// since a vendor enforcing the same rate with a small burst would answer
/// 429. The price is a rate a little under the one asked (the average
/// overshoot, typically well under 1%).
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    /// Nanoseconds between requests; 0 is unpaced. Atomic, so that a new
    /// rate never waits for a worker sleeping until its slot.
    interval_nanos: AtomicU64,
    /// When the last request was released. Held while a worker sleeps
    /// until its slot: workers are released one at a time.
    last: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `rate` in requests per second, finite and positive; `None` unpaced.
    fn set_rate(&self, rate: Option<f64>) {
        let nanos = rate.map_or(0, |rate| (1e9 / rate).max(1.0) as u64);
        self.interval_nanos.store(nanos, Ordering::Relaxed);
    }

    /// Blocks until this caller may send; false (at once) when `cancel`
    /// is cancelled meanwhile, and then no slot is taken.
    fn acquire(&self, cancel: &CancelToken) -> bool {
        let interval = self.interval_nanos.load(Ordering::Relaxed);
        if interval == 0 {
            return true;
        }
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A slot not taken in time is lost rather than saved up, so an idle
        // period never turns into a burst.
        // Workers queued on the lock behind a cancelled sleeper get it
        // at once and return at once too.
        if let Some(previous) = *last {
            if !cancel.sleep_until(previous + Duration::from_nanos(interval)) {
                return false;
            }
        }
        *last = Some(Instant::now());
        true
    }
}

/// "Nobody sends before this instant": set when the vendor answers 429 with
/// `Retry-After`, so every worker waits, not only the one that was told.
#[derive(Debug, Default)]
pub(crate) struct Pause {
    until: Mutex<Option<Instant>>,
}

impl Pause {
    /// Extends the pause to at least `now + delay`; returns when it ends.
    fn pause_for(&self, delay: Duration) -> Instant {
        // The policy caps the delay at an hour; never overflow regardless.
        let now = Instant::now();
        let until = now.checked_add(delay).unwrap_or(now);
        let mut current = self
            .until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match *current {
            Some(current) if current >= until => current,
            _ => {
                *current = Some(until);
                until
            }
        }
    }

    /// Whether a pause is in force now.
    fn active(&self) -> bool {
        self.until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some_and(|until| until > Instant::now())
    }

    /// Blocks while a pause is in force (it may be extended meanwhile);
    /// false (at once) when `cancel` is cancelled meanwhile.
    fn wait(&self, cancel: &CancelToken) -> bool {
        loop {
            let until = *self
                .until
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match until {
                Some(until) if until > Instant::now() => {
                    if !cancel.sleep_until(until) {
                        return false;
                    }
                }
                _ => return !cancel.is_cancelled(),
            }
        }
    }
}

/// What a batch puts in front of every attempt.
#[derive(Debug)]
pub(crate) struct Throttle {
    pacer: Pacer,
    pause: Pause,
    /// `None` when the rate does not adapt.
    adaptive: Option<Mutex<AdaptiveRate>>,
    /// The vendors' windows.
    windows: SendLog,
    /// Whether a long wait for a window is taken (else the batch stops).
    wait_for_windows: bool,
    /// The window that stopped the batch, once one has.
    window_full: Mutex<Option<WindowFull>>,
}

impl Throttle {
    /// `rate`: the caller's rate in requests per second, checked by the
    /// batch options, or `None` for unpaced; `adaptive`: whether a 429
    /// lowers it.
    pub(crate) fn new(
        rate: Option<f64>,
        adaptive: bool,
        windows: SendLog,
        wait_for_windows: bool,
    ) -> Throttle {
        let throttle = Throttle {
            pacer: Pacer::default(),
            pause: Pause::default(),
            adaptive: adaptive.then(|| Mutex::new(AdaptiveRate::new(rate, Instant::now()))),
            windows,
            wait_for_windows,
            window_full: Mutex::new(None),
        };
        throttle.pacer.set_rate(rate);
        throttle
    }

    /// Waits for the pause to end, then for a rate slot. A slot obtained
    /// while a new pause began is given up: otherwise every worker holding
    /// one would send at the instant the pause ends, a burst that the
    /// vendor's limit answers with more 429s.
    ///
    /// Then a send is taken in `vendor`'s windows: a full window is waited
    /// for up to [`LONGEST_AUTOMATIC_WAIT`] (or longer, when the batch
    /// waits for windows); a longer wait stops the batch instead
    /// ([`Throttle::window_full`]).
    ///
    /// `None`, at once, when `cancel` is cancelled before or during the
    /// wait, or the batch stopped at a window: nothing may be sent.
    pub(crate) fn before_attempt(
        &self,
        vendor: Vendor,
        cancel: &CancelToken,
    ) -> Option<Attempt<'_>> {
        loop {
            if !self.pause.wait(cancel) || !self.pacer.acquire(cancel) {
                return None;
            }
            if self.pause.active() {
                continue;
            }
            let Ok(slot) = self.take_window(vendor, cancel) else {
                return None;
            };
            let epoch = self.adaptive().map_or(0, |adaptive| adaptive.epoch());
            return Some(Attempt {
                throttle: self,
                epoch,
                slot,
            });
        }
    }

    /// Takes a send in `vendor`'s windows (`None` when it has none),
    /// waiting as `before_attempt` says; `Err` when nothing may be sent.
    fn take_window(&self, vendor: Vendor, cancel: &CancelToken) -> Result<Option<Slot>, ()> {
        loop {
            if self.window_full().is_some() {
                return Err(());
            }
            let now = std::time::SystemTime::now();
            let full = match self.windows.take(vendor, now) {
                Ok(slot) => return Ok(slot),
                Err(full) => full,
            };
            let wait = full.until.duration_since(now).unwrap_or_default();
            if wait > LONGEST_AUTOMATIC_WAIT && !self.wait_for_windows {
                let mut stopped = self
                    .window_full
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                stopped.get_or_insert(full);
                return Err(());
            }
            if !cancel.sleep(wait) {
                return Err(());
            }
        }
    }

    /// The window that stopped the batch, if one did.
    pub(crate) fn window_full(&self) -> Option<WindowFull> {
        *self
            .window_full
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The vendor answered 429 to an attempt sent in `epoch`, asking
    /// everyone to wait `retry_after` (already capped by the policy): every
    /// worker waits, not only the one that was told, and an adaptive rate
    /// adapts.
    fn throttled(&self, epoch: u64, retry_after: Option<Duration>) {
        let now = Instant::now();
        let resumes = retry_after.map_or(now, |delay| self.pause.pause_for(delay));
        if let Some(mut adaptive) = self.adaptive() {
            if adaptive.throttled(epoch, now, resumes) {
                self.pacer.set_rate(adaptive.rate(now));
            }
        }
    }

    /// The vendor answered an attempt sent in `epoch`, and not with a 429.
    fn accepted(&self, epoch: u64) {
        if let Some(mut adaptive) = self.adaptive() {
            adaptive.accepted(epoch);
            self.pacer.set_rate(adaptive.rate(Instant::now()));
        }
    }

    fn adaptive(&self) -> Option<std::sync::MutexGuard<'_, AdaptiveRate>> {
        let adaptive = self.adaptive.as_ref()?;
        Some(
            adaptive
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// An attempt the throttle let through, sent in the rate's current epoch.
#[must_use = "say how the attempt ended with `Attempt::ended`"]
pub(crate) struct Attempt<'a> {
    throttle: &'a Throttle,
    epoch: u64,
    /// Its send in the vendor's windows, if the vendor has any.
    slot: Option<Slot>,
}

/// However the attempt ends (its answer, a failure, or dropped unsent by a
/// cancel), its send in the vendor's windows is settled then: after the
/// vendor can have counted it.
impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.throttle
                .windows
                .settle(slot, std::time::SystemTime::now());
        }
    }
}

impl Attempt<'_> {
    /// How the attempt ended: `answered` when the vendor answered (not a
    /// transport failure), with `error` the op's error, if any. A 429 asking
    /// for longer than `max_retry_after` (the policy's cap) still pauses
    /// the batch, up to that cap.
    pub(crate) fn ended(
        self,
        answered: bool,
        error: Option<&DeleteError>,
        max_retry_after: Duration,
    ) {
        match error {
            Some(error) if error.kind() == ErrorKind::RateLimited => {
                let retry_after = error.retry_after().map(|asked| asked.min(max_retry_after));
                self.throttle.throttled(self.epoch, retry_after);
            }
            _ if answered => self.throttle.accepted(self.epoch),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacer_spaces_requests() {
        let pacer = Pacer::default();
        pacer.set_rate(Some(1000.0));
        let cancel = CancelToken::new();
        let start = Instant::now();
        for _ in 0..21 {
            assert!(pacer.acquire(&cancel));
        }
        assert!(start.elapsed() >= Duration::from_millis(19));
    }

    #[test]
    fn pause_blocks_until_it_ends() {
        let pause = Pause::default();
        pause.pause_for(Duration::from_millis(30));
        pause.pause_for(Duration::from_millis(1));
        let start = Instant::now();
        assert!(pause.wait(&CancelToken::new()));
        assert!(start.elapsed() >= Duration::from_millis(25));
    }

    #[test]
    fn a_cancel_ends_a_long_pause_and_a_slow_pacer_at_once() {
        let throttle = Throttle::new(Some(0.01), false, SendLog::default(), false);
        let cancel = CancelToken::new();
        // The first slot is free; the next one is 100 s away.
        throttle
            .before_attempt(Vendor::Jumio, &cancel)
            .expect("the first attempt goes at once")
            .ended(true, None, Duration::from_secs(120));
        throttle.pause.pause_for(Duration::from_secs(60));
        let waiter = {
            let cancel = cancel.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                let let_through = throttle.before_attempt(Vendor::Jumio, &cancel).is_some();
                (let_through, start.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
        let (let_through, waited) = waiter.join().unwrap();
        assert!(
            !let_through,
            "a cancelled wait must not let an attempt through"
        );
        assert!(waited < Duration::from_secs(10), "took {waited:?}");

        // The pacer alone, with no pause: the cancelled token ends it too.
        let pacer = Pacer::default();
        pacer.set_rate(Some(0.01));
        assert!(pacer.acquire(&CancelToken::new()));
        let start = Instant::now();
        assert!(!pacer.acquire(&cancel));
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
