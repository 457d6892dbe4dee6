//! Where requests go: the vendor's documented hosts, or a custom base URL.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{DeleteError, ErrorKind};
use crate::intent::{bounded_for_display, DeleteIntent, JumioProduct, Region, Target};

/// HyperVerge's documented host.
pub const HYPERVERGE_HOST: &str = "review-api.idv.hyperverge.co";
/// HyperVerge's delete path (the transaction id travels in the body).
pub const HYPERVERGE_PATH: &str = "/api/v2/transaction/id";

/// The documented Jumio host for a product in a region.
pub const fn jumio_host(product: JumioProduct, region: Region) -> &'static str {
    match (product, region) {
        (JumioProduct::DocumentVerification, Region::Us) => "retrieval.netverify.com",
        (JumioProduct::DocumentVerification, Region::Eu) => "retrieval.lon.netverify.com",
        (JumioProduct::DocumentVerification, Region::Sgp) => "retrieval.core-sgp.jumio.com",
        (_, Region::Us) => "netverify.com",
        (_, Region::Eu) => "lon.netverify.com",
        (_, Region::Sgp) => "core-sgp.jumio.com",
    }
}

/// Where deletion requests are sent.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Endpoint {
    /// The vendor's documented host for the intent's product and region.
    #[default]
    Documented,
    /// Every request goes to this base URL (a proxy, a HyperVerge host
    /// override, or the emulator), followed by the documented path.
    Custom(BaseUrl),
}

impl Endpoint {
    /// A custom base URL; see [`BaseUrl::parse`].
    pub fn custom(url: &str) -> Result<Endpoint, DeleteError> {
        BaseUrl::parse(url).map(Endpoint::Custom)
    }

    /// HyperVerge serves some customers from other hosts: `host` (a DNS name
    /// with an optional port) replaces `review-api.idv.hyperverge.co`, over https.
    pub fn hyperverge_host(host: &str) -> Result<Endpoint, DeleteError> {
        let valid = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'));
        if !valid {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "HyperVerge host {:?} is not a host name; give only the host, such as \"ind.idv.hyperverge.co\"",
                    bounded_for_display(host)
                ),
            ));
        }
        Endpoint::custom(&format!("https://{host}"))
    }

    /// The full URL of `intent`'s delete call at this endpoint.
    pub fn url_for(&self, intent: &DeleteIntent) -> String {
        // Built with push_str into one allocation: this runs once per
        // deletion and `format!` would dominate the core's cost.
        let mut url = String::with_capacity(128);
        match self {
            Endpoint::Documented => {
                url.push_str("https://");
                url.push_str(match intent.target() {
                    Target::Jumio { product, region } => jumio_host(product, region),
                    Target::HyperVerge => HYPERVERGE_HOST,
                });
            }
            Endpoint::Custom(base) => url.push_str(base.as_str()),
        }
        match intent.target() {
            Target::Jumio { product, .. } => {
                url.push_str("/api/netverify/v2/");
                url.push_str(product.path_collection());
                url.push('/');
                url.push_str(intent.reference());
            }
            Target::HyperVerge => url.push_str(HYPERVERGE_PATH),
        }
        url
    }
}

/// A validated custom base URL: `https://host[:port][/prefix]`, or `http://`
/// only on a loopback host (127.0.0.0/8, `::1`, `localhost`), where the
/// emulator and tests run. No credentials, query or fragment; a trailing `/`
/// is dropped so the documented path can follow.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Box<str>);

impl BaseUrl {
    /// Parses and validates a base URL.
    pub fn parse(url: &str) -> Result<BaseUrl, DeleteError> {
        let invalid = |why: &str| {
            DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "base URL {:?} {why}; use https://host[:port][/prefix] (plain http only for 127.0.0.1, ::1 or localhost)",
                    bounded_for_display(url)
                ),
            )
        };
        if url.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(invalid("contains a space, control or non-ASCII character"));
        }
        if url.contains('#') || url.contains('?') {
            return Err(invalid("has a query or fragment"));
        }
        let uri: http::Uri = url.parse().map_err(|_| invalid("is not a URL"))?;
        let scheme = uri.scheme_str().ok_or_else(|| invalid("has no scheme"))?;
        let authority = uri.authority().ok_or_else(|| invalid("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid(
                "contains user credentials; pass credentials separately",
            ));
        }
        if authority.host().is_empty() {
            return Err(invalid("has no host"));
        }
        match scheme {
            "https" => {}
            "http" if is_loopback(authority.host()) => {}
            "http" => return Err(invalid(
                "uses plain http for a host that is not loopback, which would expose credentials",
            )),
            _ => return Err(invalid("is neither https nor http")),
        }
        let prefix = uri.path().trim_end_matches('/');
        Ok(BaseUrl(format!("{scheme}://{authority}{prefix}").into()))
    }

    /// The normalised URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", &*self.0)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}
