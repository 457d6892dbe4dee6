//! What each vendor documents about how many deletions it accepts, as
//! windows: at most `count` requests in any `span`. A driver keeps to them
//! by default (the blocking batch does); the core only states them.

use std::time::Duration;

use crate::intent::Vendor;

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
