//! What each vendor documents about how many deletions it accepts, as
//! windows: at most `count` requests in any `span`. A driver keeps to them
//! by default (the blocking batch does); the core only states them.

use std::time::Duration;

use crate::error::{DeleteError, ErrorKind};
use crate::intent::Vendor;

/// The longest span a window may have, 31 days: a driver keeps every send
/// that long (Veriff's longest documented window is a day).
pub const MAX_WINDOW_SPAN: Duration = Duration::from_secs(31 * 24 * 3600);

/// At most `count` requests in any period of `span`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// Requests allowed in the span.
    pub count: u32,
    /// The span.
    pub span: Duration,
}

impl Window {
    /// `count` requests per `span`.
    pub const fn new(count: u32, span: Duration) -> Window {
        Window { count, span }
    }

    /// `count` requests per `seconds`, or [`ErrorKind::InvalidConfig`]
    /// saying why the window is unusable: the one rule every surface (the
    /// batch's options, the CLI, Python, C) applies. At least 1 request;
    /// a span above 0 s and at most [`MAX_WINDOW_SPAN`] (31 days).
    pub fn checked(count: u32, seconds: f64) -> Result<Window, DeleteError> {
        let unusable = |why: String| Err(DeleteError::new(ErrorKind::InvalidConfig, why));
        if count == 0 {
            return unusable(format!(
                "the count 0 (per {seconds} s) is unusable: a window allows at least 1 request"
            ));
        }
        match Duration::try_from_secs_f64(seconds) {
            Ok(span) if !span.is_zero() && span <= MAX_WINDOW_SPAN => Ok(Window::new(count, span)),
            _ => unusable(format!(
                "the span {seconds} s (of {count} requests) is unusable: use more than 0 s and at most 31 days (2678400 s)"
            )),
        }
    }
}

const JUMIO_PLATFORM: [Window; 1] = [Window::new(15, Duration::from_secs(1))];
const PERSONA: [Window; 1] = [Window::new(300, Duration::from_secs(60))];
const STRIPE: [Window; 1] = [Window::new(25, Duration::from_secs(1))];
const VERIFF: [Window; 2] = [
    Window::new(5, Duration::from_secs(3600)),
    Window::new(10, Duration::from_secs(24 * 3600)),
];

impl Vendor {
    /// The windows the vendor documents for its delete API: the Jumio
    /// Platform 15 requests per second per tenant (its retrieval hosts',
    /// where its deletes go), Persona 300 requests per minute, Stripe 25
    /// per second per endpoint, Veriff 5 deletions per hour and 10 per 24
    /// hours per integration.
    ///
    /// None for the others: HyperVerge and Onfido document no delete
    /// limit, and Netverify v2's only retrieval-host product (Document
    /// Verification, 75 or 225 per 5 s by the tenant's age) shares
    /// [`Vendor::Jumio`] with scans and authentications, whose hosts
    /// document none: a window keyed by vendor would slow those too, so a
    /// caller who needs it sets it (see `docs/ARCHITECTURE.md#rate-limits`).
    pub const fn documented_windows(self) -> &'static [Window] {
        match self {
            Vendor::JumioPlatform => &JUMIO_PLATFORM,
            Vendor::Persona => &PERSONA,
            Vendor::Stripe => &STRIPE,
            Vendor::Veriff => &VERIFF,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_windows_are_refused_by_name() {
        assert_eq!(
            Window::checked(5, 3600.0),
            Ok(Window::new(5, Duration::from_secs(3600)))
        );
        assert_eq!(
            Window::checked(1, 2_678_400.0).map(|w| w.span),
            Ok(MAX_WINDOW_SPAN)
        );
        for (count, seconds, says) in [
            (0, 60.0, "the count 0"),
            (1, 0.0, "the span 0 s"),
            (1, -1.0, "the span -1 s"),
            (1, f64::NAN, "the span NaN s"),
            (1, 2_678_401.0, "at most 31 days"),
        ] {
            let error = Window::checked(count, seconds).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidConfig);
            assert!(error.detail().contains(says), "{count}/{seconds}: {error}");
        }
    }
}
