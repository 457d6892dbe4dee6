//! The clients of the vendors that complete an erasure later (issue 18):
//! `Onfido`, `Persona`, `Stripe` and `Veriff`. Each is one table entry of
//! `later_client` (below), which adds to what every table-driven client has
//! ([`vendor_client`]) the methods these four share: `recheck`,
//! `recheck_journal` (in `recheck`) and the sans-IO `build_request`.
//!
//! Their single deletions return `Scheduled` when the vendor accepted the
//! erasure and completes it later (never `Deleted`), and raise
//! `NotDeletableYetError` for a record the vendor will not delete yet
//! (Persona's 409, Stripe's refused states, Veriff's 1305 and 1306).

use std::path::PathBuf;

use idv_delete_blocking::{
    DeleteError, OnfidoCredentials, OnfidoRegion, PersonaCredentials, RetryPolicy,
    StripeCredentials, Vendor, VeriffCredentials, DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::batch::BatchArgs;
use crate::client::{vendor_client, whole, Settings, Shape, Shell};
use crate::errors;
use crate::outcome::{BatchReport, Erasure};
use crate::recheck::{self, RecheckReport};
use crate::sansio::Request;

/// One vendor that erases later: its `#[pyclass]` (with `$doc`) and the
/// entry of [`vendor_client`] with `build_request` and `recheck`, both
/// taking a reference of `product` (the class's default product unless
/// given).
macro_rules! later_client {
    (
        $(#[$doc:meta])*
        $class:ident, $vendor:expr, $credentials:path, ($($credential:ident),+),
        $(in $region:ident: $region_type:ty = $region_default:tt,)?
        product = $product:tt,
        deletes { $($deletes:tt)+ }
        $(#[$many_doc:meta])*
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "idv_delete")]
        pub struct $class(Shell);

        vendor_client! {
            $class, $vendor, $credentials, ($($credential),+),
            $(in $region: $region_type = $region_default,)?
            product = $product,
            deletes { $($deletes)+ }
            sans_io build_request,
            rechecks recheck,
            $(#[$many_doc])*
            {}
        }
    };
}

later_client! {
    /// A client of Onfido's applicant deletion.
    ///
    /// ``Onfido(api_token, *, region="eu", base_url=None,
    /// connect_timeout=10.0, timeout=30.0, max_attempts=4)``: ``region`` is
    /// ``"eu"`` (Onfido's default), ``"us"`` or ``"ca"``, each its own host;
    /// the other options are those of ``Jumio``. Onfido archives a deleted
    /// applicant and hard-deletes it after the account's deletion delay
    /// (at least 20 days recommended), so a deletion returns ``Scheduled``;
    /// ``recheck`` reads the applicant: ``Scheduled`` with ``until`` (its
    /// ``delete_at``) while archived, ``Deleted`` once gone.
    ///
    /// Thread-safe; its repr never shows the token.
    Onfido, Vendor::Onfido, OnfidoCredentials::new, (api_token),
    in region: OnfidoRegion = "eu",
    product = "applicant",
    deletes {
        /// Deletes an applicant (a UUID) with its documents, photos, videos,
        /// checks and reports. Returns ``Scheduled``: Onfido completes the
        /// deletion after its delay.
        delete_applicant(applicant_id) = "applicant";
    }
    /// Deletes every applicant id of ``references``; the options, Ctrl-C and
    /// the failure rules are those of ``Jumio.delete_many``, and
    /// ``BatchReport.scheduled`` counts the accepted deletions.
}

later_client! {
    /// A client of Persona's redactions of inquiries and accounts.
    ///
    /// ``Persona(api_key, *, base_url=None, connect_timeout=10.0,
    /// timeout=30.0, max_attempts=4)``, the options of ``Jumio``. Persona
    /// redacts the object at once and its child objects (verifications,
    /// reports; an account's inquiries) asynchronously, so a redaction
    /// returns ``Scheduled``; ``recheck`` reads the object's
    /// ``redacted-at``. An inquiry still in progress raises
    /// ``NotDeletableYetError`` (Persona's 409): retry later.
    ///
    /// Thread-safe; its repr never shows the key.
    Persona, Vendor::Persona, PersonaCredentials::new, (api_key),
    product = "inquiry",
    deletes {
        /// Redacts an inquiry (``inq_...``) with its verifications and
        /// reports.
        delete_inquiry(inquiry_id) = "inquiry";
        /// Redacts an account (``act_...``) with its inquiries,
        /// verifications and reports.
        delete_account(account_id) = "account";
    }
    /// Redacts every id of ``references`` of one ``product``:
    /// ``"inquiry"`` (the default, ``inq_...`` ids) or ``"account"``
    /// (``act_...``). The options, Ctrl-C and the failure rules are those
    /// of ``Jumio.delete_many``; ``BatchReport.scheduled`` counts the
    /// accepted redactions.
}

later_client! {
    /// A client of Stripe Identity's redaction of verification sessions.
    ///
    /// ``Stripe(secret_key, *, base_url=None, connect_timeout=10.0,
    /// timeout=30.0, max_attempts=4)``: a secret (``sk_...``) or restricted
    /// (``rk_...``) key, never a publishable one; the options of ``Jumio``.
    /// Stripe calls the erasure "redact": the method is
    /// ``delete_verification_session``, named like every client's single
    /// deletion, and sends Stripe's ``POST .../redact``. The session's
    /// ``redaction.status`` is ``"processing"`` for up to four days, so it
    /// returns ``Scheduled`` (``vendor_status``, ``within``); ``recheck``
    /// reads the status. A session Stripe will not redact in its state
    /// (``processing``, ``canceled``) raises ``NotDeletableYetError``.
    ///
    /// Thread-safe; its repr never shows the key.
    Stripe, Vendor::Stripe, StripeCredentials::new, (secret_key),
    product = "verification_session",
    deletes {
        /// Redacts a verification session (``vs_...``) with its reports,
        /// events and request logs.
        delete_verification_session(verification_session_id) = "verification_session";
    }
    /// Redacts every verification session id of ``references``; the options,
    /// Ctrl-C and the failure rules are those of ``Jumio.delete_many``, and
    /// ``BatchReport.scheduled`` counts the accepted redactions.
}

later_client! {
    /// A client of Veriff's session deletion.
    ///
    /// ``Veriff(api_key, shared_secret, *, base_url=None,
    /// connect_timeout=10.0, timeout=30.0, max_attempts=4)``: the API key
    /// and the shared secret that signs each request, both from the Veriff
    /// integration page, whose base URL ``base_url`` is (default
    /// ``https://stationapi.veriff.com``); the options of ``Jumio``. Veriff
    /// removes the session at once and deletes its data within 12 hours, so
    /// a deletion returns ``Scheduled`` (``within``); it offers no read, so
    /// ``recheck`` returns ``None``. A session not finished raises
    /// ``NotDeletableYetError`` (codes 1305, 1306). Veriff allows 5
    /// deletions an hour and 10 a day per integration, and enables the
    /// endpoint on request.
    ///
    /// Thread-safe; its repr never shows the key or the secret.
    Veriff, Vendor::Veriff, VeriffCredentials::new, (api_key, shared_secret),
    product = "session",
    deletes {
        /// Deletes a session (a UUID) with its media and data.
        delete_session(session_id) = "session";
    }
    /// Deletes every session id of ``references``; the options, Ctrl-C and
    /// the failure rules are those of ``Jumio.delete_many``, and
    /// ``BatchReport.scheduled`` counts the accepted deletions.
}
