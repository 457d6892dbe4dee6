//! The Jumio Platform (KYX): OAuth2 client credentials on
//! `POST /oauth2/token`, and the retrieval API's deletes of accounts and
//! workflow executions, as the crate docs describe them.
//!
//! Tokens are opaque strings the emulator remembers with their issue time:
//! a token is valid for [`Config::token_lifetime`] from then, until
//! [`revoke`](Platform::revoke) forgets every token issued so far. They are
//! random-looking and unique, but not secret: the generator is SplitMix64.
//!
//! Jumio's docs answer 403 to "missing/suspicious headers or no OAuth2",
//! and do not say what an expired token gets. We answer:
//! - 403 (plain text, as the legacy routes) when there is no
//!   `Authorization: Bearer` at all, Basic credentials included, following
//!   the docs: such a client never had a token, so refreshing one would not
//!   help, and a 403 tells it so instead of inviting a refresh loop;
//! - 401 `{"error":"invalid_token",...}` with
//!   `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750) for a
//!   bearer token that is unknown, expired or revoked, the answer on which
//!   OAuth2 clients fetch a new token.
//!
//! The token route answers in RFC 6749's shapes (`{"error":"invalid_client"}`
//! and so on, with an `error_description`); it never echoes a credential.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::json;

use crate::faults::TokenBucket;
use crate::http::{Request, Response, RetryAfterValue};
use crate::product::Product;
use crate::rng::SplitMix64;
use crate::state::{Deletion, TokenOutcome};
use crate::{jumio, Config};

/// Path of the token route, under the base URL.
pub(crate) const TOKEN_PATH: &str = "/oauth2/token";
/// Prefix of the delete routes.
pub(crate) const ACCOUNTS_PREFIX: &str = "/api/v1/accounts/";
/// Segment between an account id and a workflow execution id.
pub(crate) const WORKFLOWS_SEGMENT: &str = "/workflow-executions/";

/// The tokens issued and the Platform's rate limits.
pub(crate) struct Platform {
    /// Valid (or expired, not yet pruned) tokens, with their issue time.
    tokens: HashMap<Box<str>, Instant>,
    /// Expired tokens are pruned when this many tokens are held.
    prune_at: usize,
    rng: SplitMix64,
    lifetime: Duration,
    token_limit: Option<f64>,
    retrieval_limit: Option<f64>,
    token_bucket: Option<TokenBucket>,
    retrieval_bucket: Option<TokenBucket>,
}

/// Fewest tokens held before expired ones are pruned.
const MIN_PRUNE_AT: usize = 1024;

impl Platform {
    /// No tokens, full buckets. `config` must be valid.
    pub(crate) fn new(config: &Config, now: Instant) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        let mut platform = Platform {
            tokens: HashMap::new(),
            prune_at: MIN_PRUNE_AT,
            rng: SplitMix64::new(seed),
            lifetime: config.token_lifetime,
            token_limit: config.token_rate_limit,
            retrieval_limit: config.retrieval_rate_limit,
            token_bucket: None,
            retrieval_bucket: None,
        };
        platform.refill(now);
        platform
    }

    /// Refills both rate-limit buckets (on reset); tokens stay valid.
    pub(crate) fn refill(&mut self, now: Instant) {
        self.token_bucket = self.token_limit.map(|rate| bucket(rate, now));
        self.retrieval_bucket = self.retrieval_limit.map(|rate| bucket(rate, now));
    }

    /// Forgets every token issued so far; returns how many were still valid.
    pub(crate) fn revoke(&mut self, now: Instant) -> usize {
        let lifetime = self.lifetime;
        let valid = self
            .tokens
            .values()
            .filter(|issued| now.saturating_duration_since(**issued) < lifetime)
            .count();
        self.tokens.clear();
        self.prune_at = MIN_PRUNE_AT;
        valid
    }

    /// Answers a `POST /oauth2/token` that no injected fault answered: the
    /// rate limit (429), the client credentials (401), the content type and
    /// form (400), then a new token.
    pub(crate) fn token(
        &mut self,
        req: &Request,
        config: &Config,
        now: Instant,
    ) -> (Response, TokenOutcome) {
        if let Some(secs) = self.token_bucket.as_mut().and_then(|b| b.take(now)) {
            let response = Response {
                retry_after: Some(RetryAfterValue::Seconds(secs)),
                ..oauth_error(
                    429,
                    "too_many_requests",
                    "too many token requests: retry after the Retry-After delay",
                )
            };
            return (response, TokenOutcome::RateLimited);
        }
        if let Err(response) = check_token_request(req, config) {
            return (response, TokenOutcome::Refused);
        }
        let token = self.new_token();
        if self.tokens.len() >= self.prune_at {
            let lifetime = self.lifetime;
            self.tokens
                .retain(|_, issued| now.saturating_duration_since(*issued) < lifetime);
            self.prune_at = (2 * self.tokens.len()).max(MIN_PRUNE_AT);
        }
        self.tokens.insert(token.as_str().into(), now);
        let body = json!({
            "access_token": token,
            "expires_in": self.lifetime.as_secs(),
            "token_type": "Bearer",
        });
        (Response::json(200, body.to_string()), TokenOutcome::Issued)
    }

    /// The retrieval hosts' rate limit, if configured: the whole seconds to
    /// wait when exceeded.
    pub(crate) fn retrieval_limited(&mut self, now: Instant) -> Option<u64> {
        self.retrieval_bucket.as_mut().and_then(|b| b.take(now))
    }

    /// The delete routes' checks: `User-Agent` and `Accept` (403), a bearer
    /// token at all (403), a valid one (401).
    pub(crate) fn check_delete(&self, req: &Request, now: Instant) -> Result<(), Response> {
        jumio::check_headers(req)?;
        let Some(token) = req.header("authorization").and_then(bearer_token) else {
            return Err(Response::text(
                403,
                "Forbidden: an OAuth2 access token is required (Authorization: Bearer TOKEN, \
                 from POST /oauth2/token)",
            ));
        };
        let valid = self
            .tokens
            .get(token)
            .is_some_and(|issued| now.saturating_duration_since(*issued) < self.lifetime);
        if !valid {
            return Err(Response {
                www_authenticate: Some(r#"Bearer error="invalid_token""#),
                ..oauth_error(
                    401,
                    "invalid_token",
                    "the access token is unknown, expired or revoked: get a new one",
                )
            });
        }
        Ok(())
    }

    /// 32 random-looking bytes, base64url: unique, since SplitMix64 never
    /// repeats an output within its period and each token starts with a
    /// fresh one.
    fn new_token(&mut self) -> String {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.rng.next_u64().to_le_bytes());
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// A bucket of `rate` requests per second holding one second's worth.
fn bucket(rate: f64, now: Instant) -> TokenBucket {
    let burst = rate.ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
    TokenBucket::new(rate, burst, now)
}

/// The token request's checks; `Err` holds the 400 or 401 to answer.
fn check_token_request(req: &Request, config: &Config) -> Result<(), Response> {
    let expected = format!("{}:{}", config.jumio_client_id, config.jumio_client_secret);
    let authorized = req
        .header("authorization")
        .and_then(jumio::basic_credentials)
        .is_some_and(|given| given == expected.as_bytes());
    if !authorized {
        return Err(Response {
            www_authenticate: Some(r#"Basic realm="oauth2""#),
            ..oauth_error(
                401,
                "invalid_client",
                "missing or invalid client credentials: send HTTP Basic CLIENT_ID:CLIENT_SECRET",
            )
        });
    }
    let is_form = req.header("content-type").is_some_and(|ct| {
        ct.split(';').next().is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    let invalid = |description| Err(oauth_error(400, "invalid_request", description));
    if !is_form {
        return invalid("the Content-Type must be application/x-www-form-urlencoded");
    }
    let Some(params) = form(&req.body) else {
        return invalid("the body is not a valid URL-encoded form");
    };
    let mut grant_types = params.iter().filter(|(k, _)| k == "grant_type");
    match (grant_types.next(), grant_types.next()) {
        (None, _) => invalid("grant_type is required: send grant_type=client_credentials"),
        (Some(_), Some(_)) => invalid("grant_type must be given once"),
        (Some((_, value)), None) if value != "client_credentials" => Err(oauth_error(
            400,
            "unsupported_grant_type",
            "only grant_type=client_credentials is supported",
        )),
        (Some(_), None) => Ok(()),
    }
}

/// The `Bearer` token of an `Authorization` value, if that is its scheme.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The pairs of an `application/x-www-form-urlencoded` body, decoded; `None`
/// if it is not UTF-8 or has a bad percent escape.
fn form(body: &[u8]) -> Option<Vec<(String, String)>> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// An RFC 6749 error answer: `{"error":CODE,"error_description":...}`.
fn oauth_error(status: u16, code: &str, description: &str) -> Response {
    let body = json!({ "error": code, "error_description": description });
    Response::json(status, body.to_string())
}

/// A bare error answer of the token route (405, 500, 503) in the OAuth2
/// error shape.
pub(crate) fn token_error(status: u16) -> Response {
    match status {
        405 => Response {
            allow: Some("POST"),
            ..oauth_error(405, "invalid_request", "the token endpoint takes POST only")
        },
        503 => oauth_error(
            503,
            "temporarily_unavailable",
            "the authorization server is unavailable",
        ),
        _ => oauth_error(status, "server_error", "the authorization server failed"),
    }
}

/// The answer to a delete that passed the checks: 200 with an empty body,
/// or 404 naming what was not found.
pub(crate) fn answer(product: Product, deletion: Deletion) -> Response {
    match (deletion, product) {
        (Deletion::Applied, _) => Response::empty(200),
        (Deletion::NotFound, Product::PlatformWorkflow) => Response::text(
            404,
            "Not Found: no workflow execution with this id in this account",
        ),
        (Deletion::NotFound, _) => Response::text(404, "Not Found: no account with this id"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_and_reject_bad_escapes() {
        assert_eq!(
            form(b"grant_type=client_credentials&scope=a+b%2Fc&flag"),
            Some(vec![
                ("grant_type".into(), "client_credentials".into()),
                ("scope".into(), "a b/c".into()),
                ("flag".into(), String::new()),
            ])
        );
        assert_eq!(form(b""), Some(vec![]));
        assert_eq!(form(b"a=%zz"), None);
        assert_eq!(form(b"a=%4"), None);
        assert_eq!(form(b"a=%ff"), None);
    }

    #[test]
    fn bearer_tokens_are_parsed_by_scheme() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn tokens_are_distinct_and_url_safe() {
        let config = Config::default();
        let mut platform = Platform::new(&config, Instant::now());
        let tokens: std::collections::HashSet<String> =
            (0..1000).map(|_| platform.new_token()).collect();
        assert_eq!(tokens.len(), 1000);
        assert!(tokens.iter().all(|t| t.len() == 43
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')));
    }
}
