//! Counting windows for two vendors' documented limits: Persona's requests
//! per minute, told in `ratelimit-*` headers (a fixed window: the headers'
//! `reset` then names one moment), and Veriff's deletions per hour and per
//! day (sliding windows, as "5 sessions per 1 hour" reads: any hour).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::http::RateLimitHeaders;

/// `limit` requests per window of `length`, the window starting with the
/// first request after the previous one ended.
pub(crate) struct FixedWindow {
    limit: u32,
    length: Duration,
    start: Instant,
    used: u32,
}

impl FixedWindow {
    pub(crate) fn new(limit: u32, length: Duration, now: Instant) -> Self {
        FixedWindow {
            limit,
            length,
            start: now,
            used: 0,
        }
    }

    /// Counts one request: `Ok` with the headers to send if it is within
    /// the limit, `Err` with them (`remaining` 0) if it is over.
    pub(crate) fn take(&mut self, now: Instant) -> Result<RateLimitHeaders, RateLimitHeaders> {
        self.roll(now);
        if self.used >= self.limit {
            return Err(self.headers(now));
        }
        self.used += 1;
        Ok(self.headers(now))
    }

    /// The headers to send now, without counting a request.
    pub(crate) fn peek(&mut self, now: Instant) -> RateLimitHeaders {
        self.roll(now);
        self.headers(now)
    }

    fn roll(&mut self, now: Instant) {
        if now.saturating_duration_since(self.start) >= self.length {
            self.start = now;
            self.used = 0;
        }
    }

    fn headers(&self, now: Instant) -> RateLimitHeaders {
        let left = self
            .length
            .saturating_sub(now.saturating_duration_since(self.start));
        RateLimitHeaders {
            limit: self.limit,
            remaining: self.limit - self.used,
            reset: left.as_secs() + u64::from(left.subsec_nanos() > 0),
        }
    }
}

/// At most `count` events in any `window`, for each pair.
pub(crate) struct SlidingWindows {
    limits: Vec<(u32, Duration)>,
    /// When the events counted happened, oldest first; only those within
    /// the longest window are kept.
    events: VecDeque<Instant>,
}

impl SlidingWindows {
    pub(crate) fn new(limits: Vec<(u32, Duration)>) -> Self {
        SlidingWindows {
            limits,
            events: VecDeque::new(),
        }
    }

    /// The first window that one more event now would exceed, if any.
    pub(crate) fn full(&mut self, now: Instant) -> Option<(u32, Duration)> {
        let longest = self.limits.iter().map(|&(_, w)| w).max()?;
        while self
            .events
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= longest)
        {
            self.events.pop_front();
        }
        self.limits.iter().copied().find(|&(count, window)| {
            let within = self
                .events
                .iter()
                .rev()
                .take_while(|&&t| now.saturating_duration_since(t) < window)
                .count();
            within >= count as usize
        })
    }

    /// Counts an event now.
    pub(crate) fn record(&mut self, now: Instant) {
        if !self.limits.is_empty() {
            self.events.push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window_counts_down_then_refuses_then_resets() {
        let start = Instant::now();
        let mut w = FixedWindow::new(2, Duration::from_secs(60), start);
        let first = w.take(start).expect("within");
        assert_eq!((first.limit, first.remaining, first.reset), (2, 1, 60));
        let later = start + Duration::from_millis(1500);
        assert_eq!(w.take(later).map(|h| (h.remaining, h.reset)), Ok((0, 59)));
        assert_eq!(w.take(later).map_err(|h| h.remaining), Err(0));
        assert_eq!(w.peek(later).remaining, 0);
        let next = start + Duration::from_secs(60);
        assert_eq!(w.take(next).map(|h| h.remaining), Ok(1));
    }

    #[test]
    fn sliding_windows_hold_each_limit() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut w = SlidingWindows::new(vec![(2, s(10)), (3, s(100))]);
        assert_eq!(w.full(t0), None);
        w.record(t0);
        w.record(t0 + s(1));
        assert_eq!(w.full(t0 + s(2)), Some((2, s(10))));
        // The first event leaves the short window at t0 + 10 s.
        assert_eq!(w.full(t0 + s(10)), None);
        w.record(t0 + s(10));
        assert_eq!(w.full(t0 + s(30)), Some((3, s(100))));
        assert_eq!(w.full(t0 + s(100)), None);
        assert_eq!(SlidingWindows::new(vec![]).full(t0), None);
    }
}
