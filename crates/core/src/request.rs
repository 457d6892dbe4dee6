//! Intent to `http::Request`: exactly the documented request, nothing more.

use base64::Engine as _;
use http::header::{HeaderValue, AUTHORIZATION};
use zeroize::Zeroizing;

use crate::credentials::{Credentials, Secret};
use crate::endpoint::Endpoint;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{DeleteIntent, Target};
use crate::token::BearerToken;

/// Builds the delete request for `intent` at `endpoint`: exactly the one
/// its vendor documents (each vendor's module says which; for example
/// Netverify v2's `DELETE {host}/api/netverify/v2/scans/{ref}` with Basic
/// `Authorization`). Credential headers are marked sensitive.
///
/// Fails only with [`ErrorKind::InvalidConfig`] when the credentials are for
/// another vendor than the intent, or for a Jumio Platform intent, whose
/// request needs an access token: use [`to_request_with_token`] or a
/// [`crate::DeleteOp`], which asks for one.
pub fn to_request(
    intent: &DeleteIntent,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    if let Target::JumioPlatform { .. } = intent.target() {
        return Err(DeleteError::new(
            ErrorKind::InvalidConfig,
            format!("{intent} needs an OAuth2 access token: use to_request_with_token, or a DeleteOp, which asks for one"),
        ));
    }
    build(intent, endpoint, credentials)
}

/// Builds the Jumio Platform delete request for `intent` at `endpoint`:
/// `DELETE {retrieval host}/api/v1/accounts/{accountId}[/workflow-executions/{id}]`
/// with `Accept: application/json`, `Authorization: Bearer <token>`
/// (sensitive) and the User-Agent, no body.
///
/// Fails with [`ErrorKind::InvalidConfig`] when `intent` is not a Jumio
/// Platform intent or the credentials are not the platform's.
pub fn to_request_with_token(
    intent: &DeleteIntent,
    endpoint: &Endpoint,
    credentials: &Credentials,
    token: &BearerToken,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    if !matches!(intent.target(), Target::JumioPlatform { .. }) {
        return Err(DeleteError::new(
            ErrorKind::InvalidConfig,
            format!("{intent} is not a Jumio Platform deletion and takes no access token; use to_request"),
        ));
    }
    with_bearer(build(intent, endpoint, credentials)?, token)
}

/// `request` with `Authorization: Bearer <token>`, marked sensitive.
pub(crate) fn with_bearer(
    mut request: http::Request<Vec<u8>>,
    token: &BearerToken,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    let mut value = Zeroizing::new(String::with_capacity(7 + token.value().len()));
    value.push_str("Bearer ");
    value.push_str(token.value());
    request
        .headers_mut()
        .insert(AUTHORIZATION, sensitive(&value)?);
    Ok(request)
}

/// The request for `intent`; a Jumio Platform one still lacks its
/// `Authorization` (see [`with_bearer`]). Each vendor's module builds its
/// own (`crate::vendors`).
pub(crate) fn build(
    intent: &DeleteIntent,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    crate::vendors::request(intent, endpoint.url_for(intent), credentials)
}

/// `Basic base64(user:password)`, in memory that is wiped on drop.
pub(crate) fn basic_authorization(
    user: &Secret,
    password: &Secret,
) -> Result<HeaderValue, DeleteError> {
    let mut pair = Zeroizing::new(String::with_capacity(128));
    pair.push_str(user.expose());
    pair.push(':');
    pair.push_str(password.expose());
    let mut basic = Zeroizing::new(String::with_capacity(8 + pair.len() * 4 / 3 + 4));
    basic.push_str("Basic ");
    base64::engine::general_purpose::STANDARD.encode_string(pair.as_bytes(), &mut basic);
    sensitive(&basic)
}

pub(crate) fn sensitive(value: &str) -> Result<HeaderValue, DeleteError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        DeleteError::new(
            ErrorKind::InvalidConfig,
            "a credential cannot be sent as an HTTP header value",
        )
    })?;
    header.set_sensitive(true);
    Ok(header)
}
