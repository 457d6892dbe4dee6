//! The `Date` header value, formatted at most once per second per thread.
//!
//! Every response carries `Date`; a `Retry-After` given as an HTTP-date is
//! computed from the same second, so a client can turn it into a delay
//! without a clock of its own (as `docs/ARCHITECTURE.md#the-core` asks of
//! the core).

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
