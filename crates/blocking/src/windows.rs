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
    /// Send times in the longest window, oldest first.
    sends: Mutex<VecDeque<SystemTime>>,
}

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
                    .push_back(at);
            }
        }
        SendLog { logs }
    }

    /// Whether `vendor` has windows at all.
    pub(crate) fn limits(&self, vendor: Vendor) -> bool {
        self.logs.contains_key(&vendor)
    }

    /// Takes a send for `vendor` at `now`, or says which window is full and
    /// until when (the latest such time over its windows).
    pub(crate) fn take(&self, vendor: Vendor, now: SystemTime) -> Result<(), WindowFull> {
        let Some(log) = self.logs.get(&vendor) else {
            return Ok(());
        };
        let mut sends = log.sends.lock().unwrap_or_else(|p| p.into_inner());
        let longest = log.windows.iter().map(|w| w.span).max().unwrap_or_default();
        while sends.front().is_some_and(|&at| at + longest <= now) {
            sends.pop_front();
        }
        let mut full: Option<WindowFull> = None;
        for window in &log.windows {
            let inside: Vec<SystemTime> = sends
                .iter()
                .copied()
                .filter(|&at| at + window.span > now)
                .collect();
            if inside.len() >= window.count as usize {
                // The send that must leave the window before another goes.
                let leaving = inside[inside.len() - window.count as usize];
                let until = leaving + window.span;
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
                sends.push_back(now);
                Ok(())
            }
        }
    }
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
        assert!(log.take(Vendor::Stripe, t0).is_ok(), "no windows, no limit");
        assert!(log.take(Vendor::Veriff, t0).is_ok());
        assert!(log.take(Vendor::Veriff, t0).is_ok());
        let full = log.take(Vendor::Veriff, t0).unwrap_err();
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
            if log.take(Vendor::Veriff, now).is_ok() {
                sent += 1;
            }
        }
        let full = log
            .take(Vendor::Veriff, now + Duration::from_secs(3))
            .unwrap_err();
        assert_eq!(full.window.count, 10);
        assert_eq!(
            full.until,
            t0 - Duration::from_millis(300) + Duration::from_secs(10)
        );
    }
}
