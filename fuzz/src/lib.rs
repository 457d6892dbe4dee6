//! Helpers shared by the fuzz targets: generators of valid and hostile
//! inputs from the fuzzer's bytes, and the checks several targets make.

use arbitrary::{Result, Unstructured};
use idv_delete_core::{
    Credentials, DeleteError, DeleteIntent, Deleted, Erasure, HyperVergeCredentials,
    JumioCredentials, JumioProduct, Region, Target, MAX_VENDOR_MESSAGE,
};

/// Characters that attack a URL path, a header or a JSON body, mixed into
/// generated strings so the interesting rejections are reached quickly.
const HOSTILE: &[char] = &[
    '/', '#', '?', '%', '&', ' ', '.', '\\', '\0', '\n', '\r', '\t', '\x7f', '"', ':', '@',
    '\u{e9}', '\u{ff0f}', '\u{2215}', '\u{200b}', '\u{85}', '\u{2028}', '\u{fffd}',
];

/// A string mostly from `alphabet`, sometimes with a hostile character, or
/// sometimes any string at all.
pub fn string_from(u: &mut Unstructured<'_>, alphabet: &[u8], max: usize) -> Result<String> {
    if u.ratio(1, 8)? {
        return u.arbitrary();
    }
    let len = u.int_in_range(0..=max)?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        if u.ratio(1, 24)? {
            s.push(*u.choose(HOSTILE)?);
        } else {
            s.push(char::from(*u.choose(alphabet)?));
        }
    }
    Ok(s)
}

/// `[A-Za-z0-9-]`: the Jumio reference alphabet.
pub const JUMIO_ALPHABET: &[u8] = b"ABCDEFabcdefxyz0123456789-";
/// Visible ASCII without space: the credential alphabet.
pub const GRAPHIC: &[u8] =
    b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// Any Jumio product.
pub fn product(u: &mut Unstructured<'_>) -> Result<JumioProduct> {
    u.choose(&JumioProduct::ALL).copied()
}

/// Any Jumio region.
pub fn region(u: &mut Unstructured<'_>) -> Result<Region> {
    u.choose(&Region::ALL).copied()
}

/// Any Netverify v2 or HyperVerge target. The Jumio Platform is not drawn:
/// its laws (tokens, 401 resends, UUID ids) are the proptests of
/// `crates/core/tests/token_laws.rs`, so the helpers below refuse it.
pub fn target(u: &mut Unstructured<'_>) -> Result<Target> {
    Ok(if u.arbitrary()? {
        Target::HyperVerge
    } else {
        Target::Jumio {
            product: product(u)?,
            region: region(u)?,
        }
    })
}

/// A reference for `target`: usually shaped like a valid one, often not.
pub fn reference(u: &mut Unstructured<'_>, target: Target) -> Result<String> {
    match target {
        Target::Jumio { .. } => string_from(u, JUMIO_ALPHABET, 40),
        Target::HyperVerge => string_from(u, GRAPHIC, 270),
        _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
    }
}

/// A valid intent (the fallback when the generated reference is refused).
pub fn valid_intent(u: &mut Unstructured<'_>) -> Result<DeleteIntent> {
    let target = target(u)?;
    let reference = reference(u, target)?;
    Ok(DeleteIntent::new(target, &reference).unwrap_or_else(|_| {
        DeleteIntent::new(target, "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20").expect("valid")
    }))
}

/// The deletion of a Netverify v2 or HyperVerge erasure, which is always
/// one: these vendors erase at once (a scheduled one fails the target).
pub fn at_once(result: Result<Erasure, DeleteError>) -> Result<Deleted, DeleteError> {
    result.map(|erasure| match erasure {
        Erasure::Deleted(deleted) => deleted,
        Erasure::Scheduled(scheduled) => panic!("v2 and HyperVerge never schedule: {scheduled:?}"),
    })
}

/// Fixed valid credentials of `target`'s vendor.
pub fn credentials_for(target: Target) -> Credentials {
    match target {
        Target::Jumio { .. } => {
            JumioCredentials::new("fuzz-token", "fuzz-secret", "Acme KYC-Cleaner/1.0")
                .expect("valid")
                .into()
        }
        Target::HyperVerge => HyperVergeCredentials::new("fuzz-appid", "fuzz-appkey")
            .expect("valid")
            .into(),
        _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
    }
}

/// Vendor text we keep: at most [`MAX_VENDOR_MESSAGE`] bytes, no control
/// character (so it cannot forge log lines).
pub fn assert_bounded(what: &str, text: &str) {
    assert!(
        text.len() <= MAX_VENDOR_MESSAGE,
        "{what} is {} bytes, over the bound",
        text.len()
    );
    assert!(
        !text.chars().any(char::is_control),
        "{what} has a control character: {text:?}"
    );
}

/// True when `kept` is what bounding `original` may give: the same
/// characters, control characters replaced by spaces, possibly cut short
/// (but only when keeping one more character would pass the bound).
pub fn is_bounded_form(original: &str, kept: &str) -> bool {
    let mut originals = original.chars();
    for k in kept.chars() {
        match originals.next() {
            Some(o) if o == k || (o.is_control() && k == ' ') => {}
            _ => return false,
        }
    }
    match originals.next() {
        None => true,
        Some(next) => kept.len() + next.len_utf8() > MAX_VENDOR_MESSAGE,
    }
}

/// Every character rotated within its class (`a`-`z`, `A`-`Z`, `0`-`9`);
/// others unchanged. A secret and its rotation are equally valid, so any
/// text that depends on which of the two was given shows the secret.
pub fn rotate(secret: &str) -> String {
    secret
        .chars()
        .map(|c| match c {
            'a'..='y' | 'A'..='Y' | '0'..='8' => char::from(c as u8 + 1),
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c => c,
        })
        .collect()
}

/// A base URL: usually shaped like one (good, loopback, hostile), or any
/// string.
pub fn base_url(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 8)? {
        return u.arbitrary();
    }
    let scheme = *u.choose(&[
        "https", "https", "http", "http", "HTTPS", "Http", "ftp", "", "h",
    ])?;
    let separator = *u.choose(&["://", "://", "://", "://", ":/", "//", ":", ":///"])?;
    let userinfo = if u.ratio(1, 16)? { "user:pw@" } else { "" };
    let host = match u.int_in_range(0..=15)? {
        0..=2 => string_from(u, b"abcxyz0189.-", 24)?,
        n => [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.255.255.254",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "::1",
            "0.0.0.0",
            "10.0.0.1",
            "review-api.idv.hyperverge.co",
            "localhost.evil.com",
            "127.0.0.1.nip.io",
            "[fe80::1]",
        ][n - 3]
            .to_owned(),
    };
    let port = match u.int_in_range(0..=5)? {
        0 | 1 => String::new(),
        2 => format!(":{}", u.arbitrary::<u16>()?),
        3 => format!(":{}", u.arbitrary::<u32>()?),
        4 => ":".to_owned(),
        _ => format!(":{}", string_from(u, b"0123456789", 8)?),
    };
    let path = if u.ratio(1, 2)? {
        String::new()
    } else {
        string_from(u, b"/abc019.-_~%", 24)?
    };
    let suffix = *u.choose(&["", "", "/", "//", "?q=1", "#f", "/?", "/#"])?;
    Ok(format!(
        "{scheme}{separator}{userinfo}{host}{port}{path}{suffix}"
    ))
}

/// 127.0.0.0/8, `::1` in brackets, or `localhost` (any case).
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner == "::1"
            || inner
                .parse::<std::net::Ipv6Addr>()
                .is_ok_and(|ip| ip.is_loopback());
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && (o.len() == 1 || !o.starts_with('0'))
                && o.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// Credentials generated through the validating constructors, or fixed
/// valid ones when the generated parts are refused; with the parts used.
pub fn credentials(
    u: &mut Unstructured<'_>,
    target: Target,
) -> Result<(Credentials, Vec<String>, Option<String>)> {
    let first = string_from(u, GRAPHIC, 48)?;
    let second = string_from(u, GRAPHIC, 48)?;
    Ok(match target {
        Target::Jumio { .. } => {
            let agent = string_from(u, b"Acme KYC-Cleaner/1.0 (+x)", 64)?;
            match JumioCredentials::new(&first, &second, &agent) {
                Ok(c) => (c.into(), vec![first, second], Some(agent)),
                Err(_) => (
                    credentials_for(target),
                    vec!["fuzz-token".into(), "fuzz-secret".into()],
                    Some("Acme KYC-Cleaner/1.0".into()),
                ),
            }
        }
        Target::HyperVerge => match HyperVergeCredentials::new(&first, &second) {
            Ok(c) => (c.into(), vec![first, second], None),
            Err(_) => (
                credentials_for(target),
                vec!["fuzz-appid".into(), "fuzz-appkey".into()],
                None,
            ),
        },
        _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
    })
}
