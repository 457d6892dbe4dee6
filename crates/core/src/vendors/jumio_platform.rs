//! The Jumio Platform (KYX): `DELETE https://retrieval.{amer-1|emea-1|apac-1}.jumio.ai/api/v1/accounts/{accountId}`
//! (the account and all its workflow executions) or
//! `.../accounts/{accountId}/workflow-executions/{workflowExecutionId}`,
//! with `Accept: application/json`, `Authorization: Bearer <token>` (an
//! OAuth2 client-credentials token from `auth.{region}.jumio.ai/oauth2/token`,
//! see [`crate::TokenState`]) and the `User-Agent`, no body. Success is 200
//! with no body documented, read as Netverify v2's
//! ([`super::jumio::success_problem`]). Jumio keeps the transaction
//! metadata and decision. Sources: `docs/ARCHITECTURE.md#jumio-platform-kyx`.

use http::header::{ACCEPT, USER_AGENT};

use crate::credentials::JumioPlatformCredentials;
use crate::intent::Region;

/// The OAuth2 token path (on `auth.{region}.jumio.ai`, or after a custom
/// base URL).
pub const TOKEN_PATH: &str = "/oauth2/token";

/// The Jumio Platform's name of a region: `amer-1`, `emea-1` or `apac-1`.
pub const fn region_name(region: Region) -> &'static str {
    match region {
        Region::Us => "amer-1",
        Region::Eu => "emea-1",
        Region::Sgp => "apac-1",
    }
}

/// `https://retrieval.{region}.jumio.ai`, appended to `url`.
pub(crate) fn push_host(url: &mut String, region: Region) {
    url.push_str("retrieval.");
    url.push_str(region_name(region));
    url.push_str(".jumio.ai");
}

/// `/api/v1/accounts/{account}[/workflow-executions/{workflow}]`, appended
/// to `url`.
pub(crate) fn push_path(url: &mut String, account: &str, workflow: Option<&str>) {
    url.push_str("/api/v1/accounts/");
    url.push_str(account);
    if let Some(workflow) = workflow {
        url.push_str("/workflow-executions/");
        url.push_str(workflow);
    }
}

/// The delete request without its `Authorization`, which the token adds
/// ([`crate::request::with_bearer`]).
pub(crate) fn delete(
    url: String,
    credentials: &JumioPlatformCredentials,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    http::Request::delete(url)
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, credentials.user_agent.as_str())
        .body(Vec::new())
}
