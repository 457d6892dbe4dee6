//! The blocking driver of idv-delete: erase identity-verification data at
//! Jumio, HyperVerge, Onfido, Persona, Stripe Identity and Veriff through
//! their delete APIs, one reference at a time or millions in a journaled
//! batch.
//!
//! It drives the sans-IO [`core`] over [ureq](https://docs.rs/ureq): one
//! [`Client`] holds the credentials of one or both vendors and one
//! connection pool; [`Client::delete`] deletes one transaction with
//! retries ([`Client::delete_cancellable`] to stop it from another
//! thread); [`Client::delete_many`] deletes a stream of them with bounded
//! concurrency, a rate limit, a crash-safe [`journal`], progress and
//! cancellation.
//!
//! How the pieces fit (retry budget, rate limits, the journal's format and
//! replay rules, cancellation) is in `docs/ARCHITECTURE.md` of the
//! repository.
//!
//! # Example
//!
//! ```no_run
//! use idv_delete_blocking::{
//!     BatchOptions, Client, ConfirmedBy, DeleteIntent, Erasure, ErrorKind, JumioCredentials,
//!     JumioProduct, Region,
//! };
//!
//! let client = Client::builder()
//!     .jumio(JumioCredentials::new("api-token", "api-secret", "Acme KYC-Cleaner/1.0")?)
//!     .build()?;
//!
//! // One deletion.
//! let intent = DeleteIntent::jumio(
//!     JumioProduct::IdVerification,
//!     Region::Eu,
//!     "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
//! )?;
//! match client.delete(&intent) {
//!     Ok(Erasure::Deleted(deleted)) => assert_eq!(deleted.confirmed_by, ConfirmedBy::Response),
//!     // Vendors that erase later (Onfido, Persona, Stripe, Veriff) answer
//!     // this; `Client::recheck` asks them later whether it completed.
//!     Ok(Erasure::Scheduled(scheduled)) => println!("{intent}: {}", scheduled.completes),
//!     Err(e) if e.kind() == ErrorKind::NotFound => println!("{intent} was not found"),
//!     Err(e) => return Err(e.into()),
//! }
//!
//! // Many, journaled: run it again with the same journal after a crash.
//! let items = ["ref-1", "ref-2"].map(|r| {
//!     DeleteIntent::jumio(JumioProduct::IdVerification, Region::Eu, r)
//! });
//! let items: Vec<DeleteIntent> = items.into_iter().collect::<Result<_, _>>()?;
//! let report = client.delete_many(
//!     items,
//!     BatchOptions::default().concurrency(16).rate(50.0).journal("erasure.journal"),
//! )?;
//! println!("{} deleted, {} not found, {} failed", report.deleted(), report.not_found, report.failed_total());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Transport
//!
//! Status codes are answers, never errors; redirects are never followed (a
//! DELETE and its credentials must not go elsewhere); timeouts are per
//! phase ([`ClientBuilder::connect_timeout`], [`ClientBuilder::timeout`]);
//! response bodies are read up to a cap (64 KiB by default; a longer body is
//! cut, not an error). TLS is rustls with the webpki roots by default; the
//! `native-tls` cargo feature uses the platform's TLS instead. How ureq's
//! failures map to [`TransportError`] kinds, and when a request counts as
//! sent, is tabled in the `transport` module's source.
//!
//! # Secrets
//!
//! Credentials are the core's secret types: `Debug` shows `[redacted]`, and
//! neither errors, reports nor the journal ever contain them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod adaptive;
mod batch;
mod budget;
mod cancel;
mod client;
mod custody;
mod identity;
pub mod journal;
mod recheck;
mod throttle;
mod time;
mod tokens;
mod transport;
mod windows;

pub use idv_delete_core as core;
pub use idv_delete_core::{AnswerEvidence, MAX_EVIDENCE_VALUE};
pub use idv_delete_core::{
    ConfirmedBy, DeleteError, DeleteIntent, Deleted, Endpoint, Erasure, ErrorKind,
    HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials, JumioProduct,
    OnfidoCredentials, OnfidoRegion, PersonaCredentials, PersonaResource, PlatformResource, Region,
    RetryPolicy, Scheduled, StripeCredentials, Target, TransportError, Vendor, VeriffCredentials,
};

pub use batch::{
    BatchError, BatchOptions, BatchReport, FailedItem, Progress, ProgressFn, DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY, MAX_RATE, MAX_REPORTED_FAILURES,
};
pub use budget::{RetryBudget, RETRY_COST, STANDARD_CAPACITY, SUCCESS_REFUND, TIMEOUT_RETRY_COST};
pub use cancel::CancelToken;
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_TIMEOUT,
    MAX_RESPONSE_BODY_LIMIT, MAX_TIMEOUT,
};
pub use identity::{InputDigest, ItemKey};
pub use idv_delete_core::Window;
pub use journal::{JournalError, JournalOutcome, JournalReader, JournalState, Record};
pub use recheck::RecheckReport;
pub use time::now_rfc3339;
pub use windows::WindowFull;

/// The version of idv-delete, `"MAJOR.MINOR.PATCH"`: the workspace's one
/// version, the same as Python's `idv_delete.__version__` and C's
/// `delete_version()`. (`env!("CARGO_PKG_VERSION")` in a caller's crate
/// would give the caller's own version, not this one.)
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    /// The constant is the workspace version, which Python and C are
    /// checked against too.
    #[test]
    fn version_is_the_workspace_version() {
        let manifest = include_str!("../../../Cargo.toml");
        let section = manifest
            .split("[workspace.package]")
            .nth(1)
            .expect("the workspace manifest has [workspace.package]");
        let line = section
            .lines()
            .find(|line| line.trim_start().starts_with("version"))
            .expect("[workspace.package] has a version");
        assert_eq!(line.split('"').nth(1), Some(super::VERSION));
    }
}
