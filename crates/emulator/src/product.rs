//! The vendor products the emulator serves, and their names as strings.
//!
//! Names are plain strings everywhere outside the crate (seed CSV, admin API,
//! stats, [`SeedItem`](crate::SeedItem)), so that Python, C and shell users
//! need no enum of ours: vendor `jumio` with products `scan`,
//! `authentication` and `document`; vendor `jumio-platform` with products
//! `account` and `workflow`; vendor `hyperverge` with product `transaction`;
//! `onfido` with `applicant`; `persona` with `inquiry` and `account`;
//! `stripe` with `verification_session` (also read as
//! `verification-session`, the CLI's spelling); `veriff` with `session`.
//!
//! Objects of the four later vendors have a state a seed may name
//! ([`ObjectState`]): whether an Onfido applicant has a check, whether a
//! Persona inquiry, a Stripe session or a Veriff session is finished.

/// A product of a vendor; its vendor follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Product {
    JumioScan,
    JumioAuthentication,
    JumioDocument,
    HypervergeTransaction,
    /// A Jumio Platform account; reference: the account id.
    PlatformAccount,
    /// A Jumio Platform workflow execution; reference:
    /// `ACCOUNT_ID/WORKFLOW_ID`.
    PlatformWorkflow,
    /// An Onfido applicant; reference: the applicant id.
    OnfidoApplicant,
    /// A Persona inquiry; reference: the `inq_...` id.
    PersonaInquiry,
    /// A Persona account; reference: the `act_...` id.
    PersonaAccount,
    /// A Stripe Identity VerificationSession; reference: the `vs_...` id.
    StripeSession,
    /// A Veriff session; reference: the session id.
    VeriffSession,
}

/// The state of an object at its vendor, as a seed names it. `Default` is
/// each product's first state in [`Product::states`]; the others apply to
/// one vendor each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ObjectState {
    /// Onfido `with_check`, Persona `completed`, Stripe `verified`, Veriff
    /// `completed`, and the only state of every other product.
    #[default]
    Default,
    /// Onfido `no_check`: deleted at once instead of archived.
    NoCheck,
    /// Persona `pending`: an inquiry still in progress (409).
    Pending,
    /// Stripe `requires_input`: redactable, and canceled by the redaction.
    RequiresInput,
    /// Stripe `processing`: not redactable (400).
    Processing,
    /// Stripe `canceled`: not redactable (400).
    Canceled,
    /// Veriff `in_progress`: not deletable (400, code 1305).
    InProgress,
    /// Veriff `submitted`: not deletable (400, code 1306).
    Submitted,
}

impl Product {
    /// Every product.
    pub(crate) const ALL: [Product; 11] = [
        Product::JumioScan,
        Product::JumioAuthentication,
        Product::JumioDocument,
        Product::HypervergeTransaction,
        Product::PlatformAccount,
        Product::PlatformWorkflow,
        Product::OnfidoApplicant,
        Product::PersonaInquiry,
        Product::PersonaAccount,
        Product::StripeSession,
        Product::VeriffSession,
    ];

    /// The products `--seed-random` creates references for. The Jumio
    /// Platform is left out: its workflows need an account in their
    /// reference; so are the four later vendors; and the files `--write-seeded` writes must stay readable
    /// by every `idv-delete batch` that reads them today.
    pub(crate) const SEEDED_AT_RANDOM: [Product; 4] = [
        Product::JumioScan,
        Product::JumioAuthentication,
        Product::JumioDocument,
        Product::HypervergeTransaction,
    ];

    /// The vendor's name: `jumio`, `jumio-platform` or `hyperverge`.
    pub(crate) fn vendor(self) -> &'static str {
        match self {
            Product::JumioScan | Product::JumioAuthentication | Product::JumioDocument => "jumio",
            Product::HypervergeTransaction => "hyperverge",
            Product::PlatformAccount | Product::PlatformWorkflow => "jumio-platform",
            Product::OnfidoApplicant => "onfido",
            Product::PersonaInquiry | Product::PersonaAccount => "persona",
            Product::StripeSession => "stripe",
            Product::VeriffSession => "veriff",
        }
    }

    /// The product's name within its vendor.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Product::JumioScan => "scan",
            Product::JumioAuthentication => "authentication",
            Product::JumioDocument => "document",
            Product::HypervergeTransaction => "transaction",
            Product::PlatformAccount => "account",
            Product::PlatformWorkflow => "workflow",
            Product::OnfidoApplicant => "applicant",
            Product::PersonaInquiry => "inquiry",
            Product::PersonaAccount => "account",
            Product::StripeSession => "verification_session",
            Product::VeriffSession => "session",
        }
    }

    /// `vendor/product`, the route name used in stats.
    pub(crate) fn route(self) -> &'static str {
        match self {
            Product::JumioScan => "jumio/scan",
            Product::JumioAuthentication => "jumio/authentication",
            Product::JumioDocument => "jumio/document",
            Product::HypervergeTransaction => "hyperverge/transaction",
            Product::PlatformAccount => "jumio-platform/account",
            Product::PlatformWorkflow => "jumio-platform/workflow",
            Product::OnfidoApplicant => "onfido/applicant",
            Product::PersonaInquiry => "persona/inquiry",
            Product::PersonaAccount => "persona/account",
            Product::StripeSession => "stripe/verification_session",
            Product::VeriffSession => "veriff/session",
        }
    }

    /// The route name in stats of the reads (and Onfido's restore) of the
    /// products that have them.
    pub(crate) fn read_route(self) -> &'static str {
        match self {
            Product::OnfidoApplicant => "onfido/applicant/read",
            Product::PersonaInquiry => "persona/inquiry/read",
            Product::PersonaAccount => "persona/account/read",
            Product::StripeSession => "stripe/verification_session/read",
            _ => "unknown",
        }
    }

    /// The states a seed may name, the default first; empty for products
    /// that have one state only.
    pub(crate) fn states(self) -> &'static [(&'static str, ObjectState)] {
        use ObjectState::*;
        match self {
            Product::OnfidoApplicant => &[("with_check", Default), ("no_check", NoCheck)],
            Product::PersonaInquiry => &[("completed", Default), ("pending", Pending)],
            Product::StripeSession => &[
                ("verified", Default),
                ("requires_input", RequiresInput),
                ("processing", Processing),
                ("canceled", Canceled),
            ],
            Product::VeriffSession => &[
                ("completed", Default),
                ("in_progress", InProgress),
                ("submitted", Submitted),
            ],
            _ => &[],
        }
    }

    /// The product called `product` at `vendor`, if the emulator serves it.
    pub(crate) fn from_names(vendor: &str, product: &str) -> Option<Product> {
        let product = match (vendor, product) {
            ("stripe", "verification-session") => "verification_session",
            _ => product,
        };
        Product::ALL
            .into_iter()
            .find(|p| p.vendor() == vendor && p.name() == product)
    }
}
