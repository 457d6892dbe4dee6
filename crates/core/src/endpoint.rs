//! Where requests go: the vendor's documented hosts, or a custom base URL.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{DeleteError, ErrorKind};
use crate::intent::{bounded_for_display, DeleteIntent, Region, Target};
use crate::vendors::jumio_platform::{region_name, TOKEN_PATH};

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
                    redacted_for_display(host)
                ),
            ));
        }
        Endpoint::custom(&format!("https://{host}"))
    }

    /// The Jumio Platform token URL for `region` at this endpoint:
    /// `https://auth.{amer-1|emea-1|apac-1}.jumio.ai/oauth2/token`, or the
    /// custom base URL followed by `/oauth2/token`.
    pub fn token_url(&self, region: Region) -> String {
        match self {
            Endpoint::Documented => {
                format!("https://auth.{}.jumio.ai{TOKEN_PATH}", region_name(region))
            }
            Endpoint::Custom(base) => format!("{}{TOKEN_PATH}", base.as_str()),
        }
    }

    /// The full URL of `intent`'s delete call at this endpoint.
    pub fn url_for(&self, intent: &DeleteIntent) -> String {
        // Built with push_str into one allocation: this runs once per
        // deletion and `format!` would dominate the core's cost.
        let mut url = self.origin(intent.target());
        crate::vendors::push_delete_path(&mut url, intent);
        url
    }

    /// The URL of the record `intent` erases, for a recheck's read (the
    /// vendors that offer one: Onfido, Persona, Stripe).
    pub(crate) fn record_url(&self, intent: &DeleteIntent) -> String {
        let mut url = self.origin(intent.target());
        url.push_str(&crate::vendors::record_path(intent));
        url
    }

    /// `https://` and the documented host of `target`, or the base URL.
    fn origin(&self, target: Target) -> String {
        let mut url = String::with_capacity(128);
        match self {
            Endpoint::Documented => {
                url.push_str("https://");
                crate::vendors::push_host(&mut url, target);
            }
            Endpoint::Custom(base) => url.push_str(base.as_str()),
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
                    redacted_for_display(url)
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
        // `http::Uri` keeps a port it cannot read (":99999", ":+443", ":")
        // in the authority; the request would then go to another port.
        let port = &authority.as_str()[authority.host().len()..];
        let usable_port = port.is_empty()
            || port.strip_prefix(':').is_some_and(|digits| {
                !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && digits.parse::<u16>().is_ok_and(|n| n > 0)
            });
        if !usable_port {
            return Err(invalid(
                "has an invalid port; give a number from 1 to 65535",
            ));
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

/// `url` for an error message, bounded, with what may hold a credential
/// replaced by `[redacted]`: the user info (`user:password@`), the query and
/// the fragment. A URL is refused for holding them, so the message must not
/// repeat them.
fn redacted_for_display(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(end) => url.split_at(end + 3),
        None => ("", url),
    };
    // Everything up to the last '@' may be user info, even a password
    // holding '/', '?' or '#'.
    let (user_info, rest) = match rest.rfind('@') {
        Some(at) => (true, &rest[at..]),
        None => (false, rest),
    };
    let (before, mark) = match rest.find(['?', '#']) {
        Some(at) => (&rest[..at], Some(&rest[at..at + 1])),
        None => (rest, None),
    };
    let mut shown = String::from(scheme);
    if user_info {
        shown.push_str("[redacted]");
    }
    shown.push_str(before);
    if let Some(mark) = mark {
        shown.push_str(mark);
        shown.push_str("[redacted]");
    }
    bounded_for_display(&shown)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_urls_do_not_repeat_user_info_queries_or_fragments() {
        for (url, shown) in [
            ("https://u:pw@x.example/p", "https://[redacted]@x.example/p"),
            ("https://u:p/w?#@x.example", "https://[redacted]@x.example"),
            ("http://x.example/?key=pw", "http://x.example/?[redacted]"),
            ("https://x.example#pw", "https://x.example#[redacted]"),
            (
                "key@ind.idv.hyperverge.co",
                "[redacted]@ind.idv.hyperverge.co",
            ),
            ("http://example.com", "http://example.com"),
        ] {
            assert_eq!(redacted_for_display(url), shown, "{url}");
        }
        let message = Endpoint::custom("https://token:secret@x.example/?k=secret2#secret3")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("secret"), "{message}");
        let message = Endpoint::custom("https://token:secret@x.example")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("secret"), "{message}");
        assert!(message.contains("user credentials"), "{message}");
        for url in [
            "https://x.example:99999",
            "https://x.example:+443",
            "https://x.example:",
            "http://127.0.0.1:0",
            "http://[::1]:65536",
        ] {
            let message = Endpoint::custom(url).unwrap_err().to_string();
            assert!(message.contains("invalid port"), "{url}: {message}");
        }
        for url in [
            "https://x.example:443",
            "http://[::1]:8080",
            "http://localhost",
        ] {
            assert!(Endpoint::custom(url).is_ok(), "{url}");
        }
        let message = Endpoint::hyperverge_host("appkey@x.example")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("appkey"), "{message}");
    }
}
