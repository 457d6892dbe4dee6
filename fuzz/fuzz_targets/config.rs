//! The configuration constructors: custom base URLs, HyperVerge hosts,
//! User-Agents, credentials, products and regions. Each accepts exactly
//! what its rules allow, normalises to a fixed point, refuses with
//! `InvalidConfig` and a bounded message, and never lets a secret's value
//! show in any text.
#![no_main]

use std::str::FromStr;

use arbitrary::{Result, Unstructured};
use idv_delete_core::{
    BaseUrl, Endpoint, ErrorKind, HyperVergeCredentials, JumioCredentials, JumioProduct, Region,
    UserAgent, MAX_USER_AGENT,
};
use idv_delete_fuzz::{base_url, is_loopback_host, rotate, string_from, GRAPHIC};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    match u.int_in_range(0..=4)? {
        0 => check_base_url(&base_url(u)?),
        1 => check_hyperverge_host(&string_from(u, b"abz09.-:", 40)?),
        2 => check_user_agent(&string_from(u, b"Acme KYC-Cleaner/1.0 (+x)", 300)?),
        3 => check_credentials(u)?,
        _ => check_names(&string_from(u, b"scanSCANdocumentusgpe_", 24)?),
    }
    Ok(())
}

fn check_error(error: &idv_delete_core::DeleteError) {
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    assert_eq!((error.status(), error.attempts()), (None, 0));
    let shown = error.to_string();
    assert!(shown.len() <= 1024, "error text of {} bytes", shown.len());
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
}

/// Scheme and authority of `url` as a reader of RFC 3986 sees them.
fn scheme_and_authority(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    Some((scheme, authority))
}

fn host_of(authority: &str) -> &str {
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.split(':').next().unwrap_or_default()
}

fn check_base_url(url: &str) {
    let parsed = BaseUrl::parse(url);
    assert_eq!(
        Endpoint::custom(url),
        parsed.clone().map(Endpoint::Custom),
        "Endpoint::custom and BaseUrl::parse disagree"
    );
    let base = match parsed {
        Err(error) => return check_error(&error),
        Ok(base) => base,
    };
    // What must have been refused.
    assert!(
        url.bytes().all(|b| b.is_ascii_graphic()),
        "{url:?} accepted"
    );
    assert!(!url.contains(['?', '#']), "{url:?} accepted");
    let (scheme, authority) = scheme_and_authority(url).expect("scheme://authority");
    assert!(!authority.contains('@'), "{url:?} accepted with user info");
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" => assert!(
            is_loopback_host(host_of(authority)),
            "plain http to {:?} accepted",
            host_of(authority)
        ),
        _ => panic!("scheme {scheme:?} accepted"),
    }

    // What it became: scheme://authority[/prefix], no trailing '/', and a
    // fixed point of parsing.
    let out = base.as_str();
    assert_eq!(base.to_string(), out);
    assert_eq!(format!("{base:?}"), format!("BaseUrl({out:?})"));
    assert!(!out.ends_with('/'), "{out:?}");
    assert!(out.starts_with("https://") || out.starts_with("http://"));
    assert_eq!(BaseUrl::parse(out).as_ref(), Ok(&base), "not a fixed point");
    let (_, kept) = scheme_and_authority(out).expect("scheme://authority");
    assert_eq!(kept, authority, "the authority changed");
    // The port, when there is one, is a port: a URL that cannot be
    // connected to is a configuration error, found before any I/O.
    let host = host_of(authority);
    if let Some(port) = authority[host.len()..].strip_prefix(':') {
        assert!(
            port.parse::<u16>().is_ok_and(|p| p > 0),
            "{url:?} accepted with port {port:?}"
        );
    }
    // The documented path follows it as a well-formed URI.
    let full = format!("{out}/api/netverify/v2/scans/abc");
    let uri: http::Uri = full.parse().expect("base + path is a URI");
    assert!(uri.path().ends_with("/api/netverify/v2/scans/abc"));
    assert_eq!(uri.query(), None);
}

fn check_hyperverge_host(host: &str) {
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'));
    match Endpoint::hyperverge_host(host) {
        Ok(endpoint) => {
            assert!(valid, "{host:?} accepted");
            assert_eq!(Ok(endpoint), Endpoint::custom(&format!("https://{host}")));
        }
        Err(error) => check_error(&error),
    }
}

fn valid_user_agent(value: &str) -> bool {
    (1..=MAX_USER_AGENT).contains(&value.len())
        && value.bytes().all(|b| (b' '..=b'~').contains(&b))
        && !value.starts_with(' ')
        && !value.ends_with(' ')
}

fn check_user_agent(value: &str) {
    match UserAgent::new(value) {
        Ok(agent) => {
            assert!(valid_user_agent(value), "{value:?} accepted");
            assert_eq!(agent.as_str(), value);
            http::HeaderValue::from_str(agent.as_str()).expect("a header value");
            assert_eq!(format!("{agent:?}"), format!("UserAgent({value:?})"));
        }
        Err(error) => {
            assert!(!valid_user_agent(value), "{value:?} refused: {error}");
            check_error(&error);
        }
    }
}

fn valid_secret(value: &str) -> bool {
    (1..=4096).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
}

fn check_credentials(u: &mut Unstructured<'_>) -> Result<()> {
    let part = |u: &mut Unstructured<'_>| -> Result<String> {
        Ok(match u.int_in_range(0..=15)? {
            0 => "x".repeat(u.int_in_range(4090..=4100)?),
            _ => string_from(u, GRAPHIC, 40)?,
        })
    };
    let first = part(u)?;
    let second = part(u)?;
    let (rot_first, rot_second) = (rotate(&first), rotate(&second));
    if u.arbitrary()? {
        let agent = string_from(u, b"Acme KYC-Cleaner/1.0 (+x)", 40)?;
        let valid = valid_secret(&first)
            && !first.contains(':')
            && valid_secret(&second)
            && valid_user_agent(&agent);
        let result = JumioCredentials::new(&first, &second, &agent);
        let rotated = JumioCredentials::new(&rot_first, &rot_second, &agent);
        assert_eq!(result.is_ok(), valid, "{first:?} {second:?} {agent:?}");
        match (result, rotated) {
            (Ok(c), Ok(r)) => {
                assert_eq!(format!("{c:?}"), format!("{r:?}"));
                assert_eq!(
                    format!("{c:?}"),
                    format!(
                        "JumioCredentials {{ token: [redacted], secret: [redacted], user_agent: {:?} }}",
                        c.user_agent()
                    )
                );
                assert_eq!(c.user_agent().as_str(), agent);
            }
            (Err(e), Err(r)) => {
                check_error(&e);
                assert_eq!(e, r, "the error depends on the secrets' values");
            }
            _ => panic!("rotating the secrets changed their validity"),
        }
    } else {
        let valid = valid_secret(&first) && valid_secret(&second);
        let result = HyperVergeCredentials::new(&first, &second);
        let rotated = HyperVergeCredentials::new(&rot_first, &rot_second);
        assert_eq!(result.is_ok(), valid, "{first:?} {second:?}");
        match (result, rotated) {
            (Ok(c), Ok(_)) => assert_eq!(
                format!("{c:?}"),
                "HyperVergeCredentials { app_id: [redacted], app_key: [redacted] }"
            ),
            (Err(e), Err(r)) => {
                check_error(&e);
                assert_eq!(e, r, "the error depends on the secrets' values");
            }
            _ => panic!("rotating the secrets changed their validity"),
        }
    }
    Ok(())
}

fn check_names(name: &str) {
    let lower = name.to_ascii_lowercase();
    match JumioProduct::from_str(name) {
        Ok(product) => assert!(
            [
                product.as_str(),
                "id_verification",
                "idverification",
                "document_verification",
                "documentverification"
            ]
            .contains(&lower.as_str()),
            "{name:?} read as {product:?}"
        ),
        Err(error) => check_error(&error),
    }
    if let Ok(product) = JumioProduct::from_str(name) {
        assert_eq!(JumioProduct::from_str(product.as_str()), Ok(product));
    }
    match Region::from_str(name) {
        Ok(region) => {
            assert!(
                lower == region.as_str() || lower == "sg",
                "{name:?} read as {region:?}"
            );
            assert_eq!(Region::from_str(region.as_str()), Ok(region));
        }
        Err(error) => check_error(&error),
    }
}
