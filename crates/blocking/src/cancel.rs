//! [`CancelToken`]: asks a deletion or a batch to stop, and wakes every
//! thread sleeping on it so that it stops now, not when its sleep ends.
//!
//! Every wait of a deletion (a retry's backoff, a `Retry-After` pause, the
//! batch's pacer) sleeps through [`CancelToken::sleep`], so a cancel ends a
//! 60-second pause at once. A flag alone would not: a sleeper only sees it
//! when it wakes.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Stops a deletion ([`Client::delete_cancellable`](crate::Client::delete_cancellable))
/// or a batch ([`BatchOptions::cancel`](crate::BatchOptions::cancel)).
///
/// Cancelling wakes every thread waiting on the token: pauses and backoffs
/// end at once, no new request is sent, and the deletion ends with
/// [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled). A request already
/// on the wire is not cut off: it finishes within the client's timeout.
/// Clones share one state; cancelling cannot be undone.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<Shared>);

#[derive(Default)]
struct Shared {
    cancelled: Mutex<bool>,
    woken: Condvar,
    watch: Option<Watch>,
}

/// A check run by sleepers of a watched token (see
/// [`CancelToken::watched`]).
struct Watch {
    every: Duration,
    check: Box<dyn Fn() -> bool + Send + Sync>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field(
                "cancelled",
                &*self.cancelled.lock().unwrap_or_else(|p| p.into_inner()),
            )
            .field("watched_every", &self.watch.as_ref().map(|w| w.every))
            .finish()
    }
}

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// A token that its sleepers also cancel themselves: every `every` of a
    /// sleep they run `check` (with no lock held) and cancel the token when
    /// it returns true. For a caller that can only notice a stop request
    /// from the sleeping thread itself: Python runs signal handlers only on
    /// the main thread, so a deletion that sleeps there checks for Ctrl-C
    /// this way instead of needing a second thread per call.
    pub fn watched(
        every: Duration,
        check: impl Fn() -> bool + Send + Sync + 'static,
    ) -> CancelToken {
        CancelToken(Arc::new(Shared {
            watch: Some(Watch {
                every,
                check: Box::new(check),
            }),
            ..Shared::default()
        }))
    }

    /// Asks whatever uses the token to stop, and wakes every thread sleeping
    /// on it. Callable from any thread (a signal-handling thread, a progress
    /// callback); never blocks for long.
    pub fn cancel(&self) {
        *self.flag() = true;
        self.0.woken.notify_all();
    }

    /// Whether [`cancel`](CancelToken::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.flag()
    }

    /// Sleeps for `duration`, or less if the token is cancelled meanwhile.
    /// Returns true when the whole duration passed, false when cancelled
    /// (at once if it already was).
    pub fn sleep(&self, duration: Duration) -> bool {
        // An overflowing deadline is as good as never.
        match Instant::now().checked_add(duration) {
            Some(deadline) => self.sleep_until(deadline),
            None => self.sleep_until_cancelled(),
        }
    }

    /// Sleeps until `deadline`, or less if the token is cancelled
    /// meanwhile; returns as [`sleep`](CancelToken::sleep) does.
    pub fn sleep_until(&self, deadline: Instant) -> bool {
        let Some(watch) = &self.0.watch else {
            return self.sleep_unwatched(deadline);
        };
        loop {
            let next = Instant::now()
                .checked_add(watch.every)
                .map_or(deadline, |next| next.min(deadline));
            if !self.sleep_unwatched(next) {
                return false;
            }
            if next >= deadline {
                return true;
            }
            if (watch.check)() {
                self.cancel();
                return false;
            }
        }
    }

    fn sleep_unwatched(&self, deadline: Instant) -> bool {
        let mut cancelled = self.flag();
        loop {
            if *cancelled {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            // Spurious wake-ups loop back and sleep what is left.
            cancelled = self
                .0
                .woken
                .wait_timeout(cancelled, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn sleep_until_cancelled(&self) -> bool {
        if let Some(watch) = &self.0.watch {
            loop {
                if !self.sleep(watch.every) {
                    return false;
                }
                if (watch.check)() {
                    self.cancel();
                    return false;
                }
            }
        }
        let mut cancelled = self.flag();
        while !*cancelled {
            cancelled = self
                .0
                .woken
                .wait(cancelled)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        false
    }

    fn flag(&self) -> MutexGuard<'_, bool> {
        self.0
            .cancelled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn sleep_runs_its_course_when_not_cancelled() {
        let token = CancelToken::new();
        let start = Instant::now();
        assert!(token.sleep(Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn cancel_wakes_every_sleeper_at_once() {
        let token = CancelToken::new();
        let start = Instant::now();
        let sleepers: Vec<_> = (0..4)
            .map(|_| {
                let token = token.clone();
                thread::spawn(move || token.sleep(Duration::from_secs(60)))
            })
            .collect();
        thread::sleep(Duration::from_millis(50));
        token.cancel();
        for sleeper in sleepers {
            assert!(!sleeper.join().unwrap(), "a cancelled sleep returns false");
        }
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(token.is_cancelled());
    }

    #[test]
    fn a_watched_token_cancels_itself_when_its_check_says_so() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let checks = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&checks);
        let token = CancelToken::watched(Duration::from_millis(10), move || {
            counted.fetch_add(1, Ordering::SeqCst) >= 2
        });
        let start = Instant::now();
        assert!(!token.sleep(Duration::from_secs(60)));
        assert!(token.is_cancelled());
        assert_eq!(checks.load(Ordering::SeqCst), 3);
        assert!(start.elapsed() < Duration::from_secs(10));
        // A short sleep ends on time, checked or not.
        let quiet = CancelToken::watched(Duration::from_millis(10), || false);
        assert!(quiet.sleep(Duration::from_millis(35)));
        assert!(!quiet.is_cancelled());
    }

    #[test]
    fn a_cancelled_token_does_not_sleep() {
        let token = CancelToken::new();
        token.cancel();
        let start = Instant::now();
        assert!(!token.sleep(Duration::from_secs(60)));
        assert!(!token.sleep(Duration::MAX));
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
