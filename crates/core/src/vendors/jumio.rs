//! Jumio Netverify v2 (the legacy delete API):
//! `DELETE https://{host}/api/netverify/v2/{scans|authentications|documents}/{reference}`
//! with `Accept: application/json`, HTTP Basic `Authorization` (API token
//! and secret) and a `User-Agent` naming the customer's business, no body.
//! Hosts per product and region: [`host`]. Success is 200 with no body
//! documented; the deletion is immediate. Sources:
//! `docs/ARCHITECTURE.md#jumio-netverify-v2-legacy-delete-api`.
//!
//! [`success_problem`] is also the Jumio Platform's reading of a 2xx: both
//! APIs document a bare 200.

use http::header::{HeaderMap, ACCEPT, AUTHORIZATION, USER_AGENT};

use crate::credentials::JumioCredentials;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{bounded_for_display, JumioProduct, Region};
use crate::request::basic_authorization;
use crate::response::{bound, media_type};

/// The longest transaction reference accepted, in characters.
pub const MAX_REFERENCE: usize = 36;

/// The documented Jumio host for a product in a region (Document
/// Verification deletes on the retrieval hosts).
pub const fn host(product: JumioProduct, region: Region) -> &'static str {
    match (product, region) {
        (JumioProduct::DocumentVerification, Region::Us) => "retrieval.netverify.com",
        (JumioProduct::DocumentVerification, Region::Eu) => "retrieval.lon.netverify.com",
        (JumioProduct::DocumentVerification, Region::Sgp) => "retrieval.core-sgp.jumio.com",
        (_, Region::Us) => "netverify.com",
        (_, Region::Eu) => "lon.netverify.com",
        (_, Region::Sgp) => "core-sgp.jumio.com",
    }
}

/// `/api/netverify/v2/{collection}/{reference}`, appended to `url`.
pub(crate) fn push_path(url: &mut String, product: JumioProduct, reference: &str) {
    url.push_str("/api/netverify/v2/");
    url.push_str(product.path_collection());
    url.push('/');
    url.push_str(reference);
}

pub(crate) fn delete(
    url: String,
    credentials: &JumioCredentials,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    let authorization = basic_authorization(&credentials.token, &credentials.secret)?;
    http::Request::delete(url)
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, authorization)
        .header(USER_AGENT, credentials.user_agent.as_str())
        .body(Vec::new())
        .map_err(super::unassembled)
}

/// Why a (non-HTML) Jumio 2xx is not Jumio's success answer, or `None`
/// when it is: Jumio documents 200 with no body (it is asked for
/// `application/json`), so the `Content-Type` must be absent or JSON
/// (`application/json` or `application/*+json`) *and* the body empty
/// (whitespace only) or one JSON document. Anything else (`text/plain`,
/// XML, a body that is not JSON, a body cut short) was not written by
/// Jumio's API or cannot be read, so it is not proof.
pub(crate) fn success_problem(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(media) = media_type(headers) {
        let json = media == "application/json"
            || (media.starts_with("application/") && media.ends_with("+json"));
        if !json {
            return Some(format!("the content type {:?}", bound(&media)));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
    {
        return None;
    }
    Some("a body that is not JSON".to_owned())
}

/// 1-[`MAX_REFERENCE`] of `[A-Za-z0-9-]` (usually a UUID); it goes into
/// the path verbatim, so nothing else may pass.
pub(crate) fn validate(reference: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "Jumio reference {:?} {why}; a Jumio transaction reference is 1-36 ASCII letters, digits or '-' (usually a UUID)",
                bounded_for_display(reference)
            ),
        )
    };
    if reference.is_empty() {
        return Err(invalid("is empty".into()));
    }
    if let Some((position, c)) = reference
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(invalid(format!(
            "has the character {c:?} (U+{:04X}) at position {position}",
            c as u32
        )));
    }
    if reference.len() > MAX_REFERENCE {
        return Err(invalid(format!("is {} characters long", reference.len())));
    }
    Ok(())
}
