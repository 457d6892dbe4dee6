//! Intent to `http::Request`: exactly the documented request, nothing more.

use base64::Engine as _;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use zeroize::Zeroizing;

use crate::credentials::{Credentials, Secret};
use crate::endpoint::Endpoint;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{DeleteIntent, Target};

/// Builds the delete request for `intent` at `endpoint`.
///
/// Jumio: `DELETE {host}/api/netverify/v2/{scans|authentications|documents}/{ref}`
/// with `Accept: application/json`, Basic `Authorization` and the
/// User-Agent, no body. HyperVerge: `DELETE {host}/api/v2/transaction/id` with
/// `content-type: application/json`, `appid`, `appkey` and the body
/// `{"transactionId":"<id>"}`. Credential headers are marked sensitive.
///
/// Fails only with [`ErrorKind::InvalidConfig`] when the credentials are for
/// another vendor than the intent.
pub fn to_request(
    intent: &DeleteIntent,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    let builder = http::Request::delete(endpoint.url_for(intent));
    let request = match (intent.target(), credentials) {
        (Target::Jumio { .. }, Credentials::Jumio(jumio)) => {
            let mut pair = Zeroizing::new(String::with_capacity(128));
            pair.push_str(jumio.token.expose());
            pair.push(':');
            pair.push_str(jumio.secret.expose());
            let mut basic = Zeroizing::new(String::with_capacity(8 + pair.len() * 4 / 3 + 4));
            basic.push_str("Basic ");
            base64::engine::general_purpose::STANDARD.encode_string(pair.as_bytes(), &mut basic);
            let authorization = sensitive(&basic)?;
            builder
                .header(ACCEPT, "application/json")
                .header(AUTHORIZATION, authorization)
                .header(USER_AGENT, jumio.user_agent.as_str())
                .body(Vec::new())
        }
        (Target::HyperVerge, Credentials::HyperVerge(hyperverge)) => builder
            .header(CONTENT_TYPE, "application/json")
            .header("appid", secret_header(&hyperverge.app_id)?)
            .header("appkey", secret_header(&hyperverge.app_key)?)
            .body(hyperverge_body(intent.reference())),
        (target, credentials) => {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{} credentials cannot delete a {} transaction; use a client configured for {}",
                    credentials.vendor().as_str(),
                    target.vendor().as_str(),
                    target.vendor().as_str()
                ),
            ))
        }
    };
    // Every part was validated when its type was built, so the builder
    // cannot fail; map it anyway rather than panic.
    request.map_err(|_| {
        DeleteError::new(
            ErrorKind::InvalidConfig,
            "the request could not be assembled from the validated parts",
        )
    })
}

/// `{"transactionId":"<id>"}` with the id JSON-escaped, and no other key
/// (HyperVerge answers 422 to any other).
fn hyperverge_body(transaction_id: &str) -> Vec<u8> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        transaction_id: &'a str,
    }
    serde_json::to_vec(&Body { transaction_id }).unwrap_or_default()
}

fn secret_header(secret: &Secret) -> Result<HeaderValue, DeleteError> {
    sensitive(secret.expose())
}

fn sensitive(value: &str) -> Result<HeaderValue, DeleteError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        DeleteError::new(
            ErrorKind::InvalidConfig,
            "a credential cannot be sent as an HTTP header value",
        )
    })?;
    header.set_sensitive(true);
    Ok(header)
}
