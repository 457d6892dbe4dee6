//! The `Date` header value, formatted at most once per second per thread,
//! and the moments (with RFC 3339) of the erasures vendors complete later.
//!
//! Every response carries `Date`; a `Retry-After` given as an HTTP-date is
//! computed from the same second, so a client can turn it into a delay
//! without a clock of its own (as `docs/ARCHITECTURE.md#the-core` asks of
//! the core).

use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

thread_local! {
    static CACHE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// The current time in whole seconds since the Unix epoch, and its HTTP-date.
pub(crate) fn now() -> (u64, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != secs {
            *cache = (secs, format(secs));
        }
        (secs, cache.1.clone())
    })
}

/// The HTTP-date (RFC 9110 IMF-fixdate) of `secs` seconds since the epoch.
pub(crate) fn format(secs: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

/// A moment, on the monotonic clock (to compare) and the wall clock (to
/// show as RFC 3339).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) at: Instant,
    pub(crate) wall: SystemTime,
}

impl Stamp {
    /// Now.
    pub(crate) fn now() -> Stamp {
        Stamp {
            at: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// `delay` after this moment (saturating far in the future).
    pub(crate) fn after(self, delay: Duration) -> Stamp {
        Stamp {
            at: self.at.checked_add(delay).unwrap_or(self.at),
            wall: self.wall.checked_add(delay).unwrap_or(self.wall),
        }
    }

    /// Whether this moment has come by `now`.
    pub(crate) fn reached(self, now: Stamp) -> bool {
        now.at >= self.at
    }

    /// RFC 3339 in UTC with milliseconds, as `2026-12-02T10:04:05.123Z`.
    pub(crate) fn rfc3339(self) -> String {
        let since = self.wall.duration_since(UNIX_EPOCH).unwrap_or_default();
        rfc3339(since.as_secs(), since.subsec_millis())
    }
}

/// RFC 3339 of `secs` seconds and `millis` ms since the epoch, in UTC.
fn rfc3339(secs: u64, millis: u32) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days to a civil date: Howard Hinnant's `civil_from_days`.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        // 2000-02-29 (a leap day of a century year) and a late-year date.
        assert_eq!(rfc3339(951_782_400, 7), "2000-02-29T00:00:00.007Z");
        assert_eq!(rfc3339(1_798_761_599, 999), "2026-12-31T23:59:59.999Z");
    }
}
