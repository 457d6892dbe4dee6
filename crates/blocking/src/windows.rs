//! Each vendor's request windows (at most `count` requests in any `span`:
//! [`Vendor::documented_windows`] unless the caller sets others), kept by
//! one log of send times per vendor that every worker of a batch shares.
//!
//! The log starts from the journal (see `history` in the batch), so a
//! resumed or repeated batch counts what the runs before it sent inside
//! the window: Veriff's 5 per hour hold across runs. Times are the wall
//! clock's, as the journal's are.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use idv_delete_core::{Vendor, Window};

/// The send times of the vendors that have windows.
#[derive(Debug, Default)]
pub(crate) struct SendLog {
    logs: BTreeMap<Vendor, Log>,
}

#[derive(Debug)]
struct Log {
    windows: Vec<Window>,
    /// Sends in the longest window, oldest first: when, and whether the
    /// exchange has ended (a send still on the wire counts as inside every
    /// window: the vendor may count it at any moment until its answer).
    sends: Mutex<VecDeque<(SystemTime, bool)>>,
}

/// How soon a full window is looked at again when sends still on the wire
/// fill it: they settle within their exchange.
const IN_FLIGHT_RECHECK: Duration = Duration::from_millis(20);

/// A window that stopped a send: which, and when a send may go again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowFull {
    /// The vendor whose window is full.
    pub vendor: Vendor,
    /// The window.
    pub window: Window,
    /// When the window lets the next request go.
    pub until: SystemTime,
}

impl SendLog {
    /// A log of `windows` per vendor, starting with the `history` of sends
    /// (vendor, time) that earlier runs made.
    pub(crate) fn new(
        windows: BTreeMap<Vendor, Vec<Window>>,
        history: impl IntoIterator<Item = (Vendor, SystemTime)>,
    ) -> SendLog {
        let mut logs: BTreeMap<Vendor, Log> = windows
            .into_iter()
            .filter(|(_, windows)| !windows.is_empty())
            .map(|(vendor, windows)| {
                let log = Log {
                    windows,
                    sends: Mutex::new(VecDeque::new()),
                };
                (vendor, log)
            })
            .collect();
        let mut past: Vec<(Vendor, SystemTime)> = history.into_iter().collect();
        past.sort_by_key(|&(_, at)| at);
        for (vendor, at) in past {
            if let Some(log) = logs.get_mut(&vendor) {
                log.sends
                    .get_mut()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_back((at, true));
            }
        }
        SendLog { logs }
    }

    /// Takes a send for `vendor` at `now`, or says which window is full and
    /// until when (the latest such time over its windows). The send is
    /// logged at `now` until [`SendLog::settle`] moves it to when its answer
    /// came: the vendor counted it somewhere in between, so the later time
    /// keeps the window from being thought free before the vendor's is.
    pub(crate) fn take(&self, vendor: Vendor, now: SystemTime) -> Result<Option<Slot>, WindowFull> {
        let Some(log) = self.logs.get(&vendor) else {
            return Ok(None);
        };
        let mut sends = log.sends.lock().unwrap_or_else(|p| p.into_inner());
        let longest = log.windows.iter().map(|w| w.span).max().unwrap_or_default();
        while sends
            .front()
            .is_some_and(|&(at, settled)| settled && at + longest <= now)
        {
            sends.pop_front();
        }
        let mut full: Option<WindowFull> = None;
        for window in &log.windows {
            let inside = |&&(at, settled): &&(SystemTime, bool)| !settled || at + window.span > now;
            let count = sends.iter().filter(inside).count();
            if count >= window.count as usize {
                // The sends that must leave the window before another goes:
                // the oldest settled ones; in-flight ones settle first.
                let leaving = count - window.count as usize;
                let mut settled = sends.iter().filter(inside).filter(|&&(_, s)| s);
                let until = match settled.nth(leaving) {
                    Some(&(at, _)) => at + window.span,
                    None => now + IN_FLIGHT_RECHECK,
                };
                if full.is_none_or(|f| until > f.until) {
                    full = Some(WindowFull {
                        vendor,
                        window: *window,
                        until,
                    });
                }
            }
        }
        match full {
            Some(full) => Err(full),
            None => {
                let at = sends.partition_point(|&(t, _)| t <= now);
                sends.insert(at, (now, false));
                Ok(Some(Slot { vendor, at: now }))
            }
        }
    }

    /// Moves a send taken by [`SendLog::take`] to `answered`, when its
    /// exchange ended (answered or failed).
    pub(crate) fn settle(&self, slot: Slot, answered: SystemTime) {
        let Some(log) = self.logs.get(&slot.vendor) else {
            return;
        };
        let mut sends = log.sends.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(index) = sends
            .iter()
            .position(|&(t, settled)| t == slot.at && !settled)
        {
            sends.remove(index);
            let answered = answered.max(slot.at);
            let at = sends.partition_point(|&(t, _)| t <= answered);
            sends.insert(at, (answered, true));
        }
    }
}

/// A send logged in a vendor's windows, to settle once its exchange ends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    vendor: Vendor,
    at: SystemTime,
}

/// The longest wait for a window that a batch takes by itself; a longer
/// one stops the batch (it resumes later) unless the caller asked it to
/// wait (`BatchOptions::wait_for_windows`).
pub(crate) const LONGEST_AUTOMATIC_WAIT: Duration = Duration::from_secs(120);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_windows_hold_and_history_counts() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let windows = BTreeMap::from([(
            Vendor::Veriff,
            vec![
                Window::new(5, Duration::from_secs(2)),
                Window::new(10, Duration::from_secs(10)),
            ],
        )]);
        // Three sends by an earlier run, just before t0.
        let history = (0..3).map(|i| (Vendor::Veriff, t0 - Duration::from_millis(300 - i * 100)));
        let log = SendLog::new(windows, history);
        // A send whose exchange ends at once.
        let send = |now: SystemTime| {
            log.take(Vendor::Veriff, now).map(|slot| {
                if let Some(slot) = slot {
                    log.settle(slot, now);
                }
            })
        };
        assert!(
            matches!(log.take(Vendor::Stripe, t0), Ok(None)),
            "no windows, no limit"
        );
        assert!(send(t0).is_ok());
        assert!(send(t0).is_ok());
        let full = send(t0).unwrap_err();
        assert_eq!(full.window.count, 5);
        assert_eq!(
            full.until,
            t0 - Duration::from_millis(300) + Duration::from_secs(2)
        );
        // After the short window, the long one still counts all of them.
        let mut now = t0;
        let mut sent = 5;
        while sent < 10 {
            now += Duration::from_millis(500);
            if send(now).is_ok() {
                sent += 1;
            }
        }
        let full = send(now + Duration::from_secs(3)).unwrap_err();
        assert_eq!(full.window.count, 10);
        assert_eq!(
            full.until,
            t0 - Duration::from_millis(300) + Duration::from_secs(10)
        );
    }

    #[test]
    fn a_send_on_the_wire_fills_its_window_until_it_settles_late() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let log = SendLog::new(
            BTreeMap::from([(Vendor::Stripe, vec![Window::new(1, Duration::from_secs(1))])]),
            [],
        );
        let slot = log.take(Vendor::Stripe, t0).unwrap().unwrap();
        // Long after its span, but unanswered: still inside.
        let later = t0 + Duration::from_secs(5);
        let full = log.take(Vendor::Stripe, later).unwrap_err();
        assert_eq!(full.until, later + IN_FLIGHT_RECHECK);
        // Answered at `later`: the window frees a span after the answer.
        log.settle(slot, later);
        let full = log.take(Vendor::Stripe, later).unwrap_err();
        assert_eq!(full.until, later + Duration::from_secs(1));
        assert!(log
            .take(Vendor::Stripe, later + Duration::from_secs(1))
            .is_ok());
    }
}
