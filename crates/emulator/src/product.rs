//! The vendor products the emulator serves, and their names as strings.
//!
//! Names are plain strings everywhere outside the crate (seed CSV, admin API,
//! stats, [`SeedItem`](crate::SeedItem)), so that Python, C and shell users
//! need no enum of ours: vendor `jumio` with products `scan`,
//! `authentication` and `document`; vendor `hyperverge` with product
//! `transaction`.

/// A product of a vendor; its vendor follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Product {
    JumioScan,
    JumioAuthentication,
    JumioDocument,
    HypervergeTransaction,
}

impl Product {
    /// Every product.
    pub(crate) const ALL: [Product; 4] = [
        Product::JumioScan,
        Product::JumioAuthentication,
        Product::JumioDocument,
        Product::HypervergeTransaction,
    ];

    /// The vendor's name: `jumio` or `hyperverge`.
    pub(crate) fn vendor(self) -> &'static str {
        match self {
            Product::JumioScan | Product::JumioAuthentication | Product::JumioDocument => "jumio",
            Product::HypervergeTransaction => "hyperverge",
        }
    }

    /// The product's name within its vendor.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Product::JumioScan => "scan",
            Product::JumioAuthentication => "authentication",
            Product::JumioDocument => "document",
            Product::HypervergeTransaction => "transaction",
        }
    }

    /// `vendor/product`, the route name used in stats.
    pub(crate) fn route(self) -> &'static str {
        match self {
            Product::JumioScan => "jumio/scan",
            Product::JumioAuthentication => "jumio/authentication",
            Product::JumioDocument => "jumio/document",
            Product::HypervergeTransaction => "hyperverge/transaction",
        }
    }

    /// The product called `product` at `vendor`, if the emulator serves it.
    pub(crate) fn from_names(vendor: &str, product: &str) -> Option<Product> {
        Product::ALL
            .into_iter()
            .find(|p| p.vendor() == vendor && p.name() == product)
    }
}
