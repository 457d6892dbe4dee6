//! The vendor products the emulator serves, and their names as strings.
//!
//! Names are plain strings everywhere outside the crate (seed CSV, admin API,
//! stats, [`SeedItem`](crate::SeedItem)), so that Python, C and shell users
//! need no enum of ours: vendor `jumio` with products `scan`,
//! `authentication` and `document`; vendor `jumio-platform` with products
//! `account` and `workflow`; vendor `hyperverge` with product `transaction`.

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
}

impl Product {
    /// Every product.
    pub(crate) const ALL: [Product; 6] = [
        Product::JumioScan,
        Product::JumioAuthentication,
        Product::JumioDocument,
        Product::HypervergeTransaction,
        Product::PlatformAccount,
        Product::PlatformWorkflow,
    ];

    /// The products `--seed-random` creates references for. The Jumio
    /// Platform is left out: its workflows need an account in their
    /// reference, and the files `--write-seeded` writes must stay readable
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
        }
    }

    /// The product called `product` at `vendor`, if the emulator serves it.
    pub(crate) fn from_names(vendor: &str, product: &str) -> Option<Product> {
        Product::ALL
            .into_iter()
            .find(|p| p.vendor() == vendor && p.name() == product)
    }
}
