//! OAuth2 client credentials for the Jumio Platform, sans-IO.
//!
//! The platform authorizes every delete with a short-lived bearer token that
//! the client credentials buy at the token endpoint. One [`TokenState`] per
//! credential and region holds that token for every deletion using it, so a
//! batch buys one token per lifetime instead of one per deletion:
//!
//! - [`TokenState::poll`] takes the driver's `now` (it reads no clock) and
//!   answers [`TokenAction::Use`] with the cached token while it is fresh,
//!   [`TokenAction::Send`] with the token request when one must be bought,
//!   [`TokenAction::AwaitFetch`] while a bought one is on its way (single
//!   flight: one token request at a time, however many deletions wait), or
//!   [`TokenAction::Refused`] once the endpoint has refused the credentials.
//! - A token is fresh until [`refresh margin`](refresh_margin) before its
//!   `expires_in` ends, counted from when its request was *sent*, so the
//!   token is still valid when the vendor reads it.
//! - A delete answered 401 reports its token with [`TokenState::reject`]:
//!   the next poll buys a new one (once, however many deletions carried the
//!   rejected token). [`crate::DeleteOp`] resends a delete after a 401 at
//!   most once.
//!
//! Token requests are retried by the deletion that needed them, under its
//! [`crate::RetryPolicy`] (429 and 5xx, `Retry-After` honoured), through
//! [`crate::DeleteOp::token_failed`]. Answers that retrying cannot fix (the
//! credentials refused, an answer that is not a token) make the state
//! refuse every later poll with the same error, so no deletion is sent and
//! no further token request either.
//!
//! Neither the client secret nor a token appears in `Debug`, `Display` or
//! an error: the token is a [`Secret`], and an error never quotes a token
//! answer's body.

use std::fmt;
use std::time::Duration;

use http::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};

use crate::credentials::{Credentials, Secret};
use crate::endpoint::Endpoint;
use crate::error::{DeleteError, ErrorKind};
use crate::intent::{bounded_for_display, Region};
use crate::op::TransportError;
use crate::request::basic_authorization;
use crate::response::{bound, retry_after};

/// Longest `expires_in` accepted: an answer promising more than a day is
/// not the Jumio Platform's (its tokens live an hour).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Longest refresh margin: a token is bought anew this long (or a tenth
/// of its lifetime, if less) before it expires, as Jumio asks.
pub const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// The form body of a client-credentials token request.
const TOKEN_FORM: &[u8] = b"grant_type=client_credentials";

/// How long before the end of a token of `lifetime` it stops being used:
/// a tenth of the lifetime, at most [`MAX_REFRESH_MARGIN`] (5 minutes of
/// Jumio's 60).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(MAX_REFRESH_MARGIN)
}

/// An access token, with what the driver needs to know about it. Its value
/// is printed as `[redacted]`.
#[derive(Clone)]
pub struct BearerToken {
    value: Secret,
    generation: u64,
    expires_at: Duration,
}

impl BearerToken {
    /// Which token of its [`TokenState`] this is (1 for the first bought),
    /// the number a 401 reports with [`TokenState::reject`].
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When the vendor stops accepting it, on the driver's clock (the
    /// `now` of the poll that sent its request, plus `expires_in`).
    pub fn expires_at(&self) -> Duration {
        self.expires_at
    }

    pub(crate) fn value(&self) -> &str {
        self.value.expose()
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("value", &self.value)
            .field("generation", &self.generation)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What the driver does to get a token.
#[derive(Debug)]
#[must_use]
pub enum TokenAction {
    /// Use this token now (give it to the op with
    /// [`crate::DeleteOp::authorize`]).
    Use(BearerToken),
    /// Send this token request, then report the answer with
    /// [`TokenState::handle_response`] or the failure with
    /// [`TokenState::handle_transport_error`]. Its headers hold the client
    /// credentials (marked sensitive): never log them.
    Send(http::Request<Vec<u8>>),
    /// Another caller's token request is on its way: poll again once it is
    /// reported.
    AwaitFetch,
    /// The token endpoint refused the credentials or answered something
    /// that is not a token; retrying cannot help. Give the error to the op
    /// with [`crate::DeleteOp::token_failed`].
    Refused(DeleteError),
}

#[derive(Clone)]
struct Fresh {
    token: BearerToken,
    refresh_at: Duration,
}

/// One credential's access token for one region, shared by every deletion
/// that uses it (see the module docs).
pub struct TokenState {
    request: http::Request<Vec<u8>>,
    fresh: Option<Fresh>,
    /// The `now` at which the token request in flight was handed out.
    in_flight: Option<Duration>,
    refused: Option<DeleteError>,
    generation: u64,
    requests: u64,
}

impl fmt::Debug for TokenState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenState")
            .field("url", &self.request.uri())
            .field("token", &self.fresh.as_ref().map(|f| &f.token))
            .field("in_flight", &self.in_flight)
            .field("refused", &self.refused)
            .field("requests", &self.requests)
            .finish()
    }
}

impl TokenState {
    /// The token state for `credentials` (the Jumio Platform's) in
    /// `region` at `endpoint`. No token yet: the first poll sends for one.
    pub fn new(
        credentials: &Credentials,
        region: Region,
        endpoint: &Endpoint,
    ) -> Result<TokenState, DeleteError> {
        Ok(TokenState {
            request: token_request(credentials, region, endpoint)?,
            fresh: None,
            in_flight: None,
            refused: None,
            generation: 0,
            requests: 0,
        })
    }

    /// What to do for a token at `now` (any monotonic clock of the
    /// driver's, the same one for every call).
    pub fn poll(&mut self, now: Duration) -> TokenAction {
        if let Some(error) = &self.refused {
            return TokenAction::Refused(error.clone());
        }
        if let Some(fresh) = self.fresh.as_ref().filter(|f| now < f.refresh_at) {
            return TokenAction::Use(fresh.token.clone());
        }
        if self.in_flight.is_some() {
            return TokenAction::AwaitFetch;
        }
        self.in_flight = Some(now);
        self.requests += 1;
        TokenAction::Send(self.request.clone())
    }

    /// Reports the answer to the token request last handed out, received
    /// at `now`. `Err` is the error to give the op that sent it
    /// ([`crate::DeleteOp::token_failed`]). Ignored (`Ok`) when no token
    /// request is awaited.
    ///
    /// A token that arrives too late to be used (its answer took longer
    /// than its lifetime less the refresh margin) is a
    /// [`ErrorKind::Timeout`], retried like one: taking it would make every
    /// caller buy another at once, without end.
    pub fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        now: Duration,
        response: http::Response<B>,
    ) -> Result<(), DeleteError> {
        let Some(sent_at) = self.in_flight.take() else {
            return Ok(());
        };
        let (parts, body) = response.into_parts();
        match parse_token_response(http::Response::from_parts(parts, body.as_ref())) {
            Ok((value, lifetime)) => {
                let expires_at = sent_at.saturating_add(lifetime);
                let refresh_at = expires_at.saturating_sub(refresh_margin(lifetime));
                if now >= refresh_at {
                    return Err(DeleteError::new(
                        ErrorKind::Timeout,
                        format!(
                            "the Jumio Platform token endpoint took {:.1} s to answer with a token living {} s, too late to use it; check the network and the base URL",
                            now.saturating_sub(sent_at).as_secs_f64(),
                            lifetime.as_secs()
                        ),
                    ));
                }
                self.generation += 1;
                self.fresh = Some(Fresh {
                    token: BearerToken {
                        value,
                        generation: self.generation,
                        expires_at,
                    },
                    refresh_at,
                });
                Ok(())
            }
            Err(error) => {
                if !is_transient(&error) {
                    self.fresh = None;
                    self.refused = Some(error.clone());
                }
                Err(error)
            }
        }
    }

    /// Reports that the token request failed in transport; returns the
    /// error to give the op that sent it. A token request changes nothing
    /// at the vendor, so it is never in doubt.
    pub fn handle_transport_error(&mut self, error: TransportError) -> DeleteError {
        self.in_flight = None;
        let detail = match error {
            TransportError::Tls => "the TLS handshake with the Jumio Platform token endpoint failed; check the base URL and the system's certificates",
            TransportError::Connect => "no connection to the Jumio Platform token endpoint could be made; check the network, proxy and base URL",
            TransportError::Timeout => "the Jumio Platform token endpoint did not answer in time",
            TransportError::Io => "the connection to the Jumio Platform token endpoint broke",
        };
        DeleteError::new(error.kind(), detail)
    }

    /// A delete carrying the token of `generation` was answered 401: forget
    /// that token, so the next poll buys another. Does nothing if a newer
    /// token is already held (another deletion reported it first).
    pub fn reject(&mut self, generation: u64) {
        if self
            .fresh
            .as_ref()
            .is_some_and(|f| f.token.generation == generation)
        {
            self.fresh = None;
        }
    }

    /// Token requests handed out so far.
    pub fn token_requests(&self) -> u64 {
        self.requests
    }
}

/// Whether retrying a token request that failed so may help: 429, 500,
/// 502, 503, 504 and transport failures. Everything else refuses for good.
fn is_transient(error: &DeleteError) -> bool {
    matches!(
        error.kind(),
        ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Io
    ) || (error.kind() == ErrorKind::Server
        && matches!(error.status(), Some(500 | 502 | 503 | 504)))
}

/// `POST {auth host}/oauth2/token` with Basic `client_id:client_secret`,
/// `Accept: application/json`, the form content type, the User-Agent and
/// the body `grant_type=client_credentials`.
pub fn token_request(
    credentials: &Credentials,
    region: Region,
    endpoint: &Endpoint,
) -> Result<http::Request<Vec<u8>>, DeleteError> {
    let Credentials::JumioPlatform(platform) = credentials else {
        return Err(DeleteError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{} credentials cannot buy a Jumio Platform access token; use Jumio Platform client credentials",
                credentials.vendor().as_str()
            ),
        ));
    };
    http::Request::post(endpoint.token_url(region))
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(USER_AGENT, platform.user_agent.as_str())
        .header(
            http::header::AUTHORIZATION,
            basic_authorization(&platform.client_id, &platform.client_secret)?,
        )
        .body(TOKEN_FORM.to_vec())
        .map_err(|_| {
            DeleteError::new(
                ErrorKind::InvalidConfig,
                "the token request could not be assembled from the validated parts",
            )
        })
}

/// Reads a token answer: the token and its lifetime, or a typed error.
///
/// - 200 with a JSON object holding a non-empty `access_token` (visible
///   ASCII, as a header carries it), `token_type` `Bearer` (any case) and
///   `expires_in` from 1 s to [`MAX_TOKEN_LIFETIME`]: the token. Anything
///   else in a 2xx is [`ErrorKind::UnexpectedResponse`] naming what was
///   wrong.
/// - 400, 401 and 403: the client credentials were refused,
///   [`ErrorKind::Unauthorized`], naming what to check.
/// - 429 and 5xx as for deletes ([`ErrorKind::RateLimited`] with
///   `Retry-After`, [`ErrorKind::Server`]); any other status
///   [`ErrorKind::UnexpectedResponse`].
///
/// The vendor message is taken from OAuth2's `error` and
/// `error_description` fields only: the body of a token answer is never
/// quoted, since it may hold a token.
pub fn parse_token_response(
    response: http::Response<&[u8]>,
) -> Result<(Secret, Duration), DeleteError> {
    let status = response.status().as_u16();
    let json: Option<serde_json::Map<String, serde_json::Value>> =
        match serde_json::from_slice(response.body()) {
            Ok(serde_json::Value::Object(object)) => Some(object),
            _ => None,
        };
    let message = json.as_ref().and_then(oauth_error_message);
    let error = |kind: ErrorKind, detail: String| {
        DeleteError::new(kind, detail)
            .with_status(status)
            .with_vendor_message(message.clone())
    };
    match status {
        200..=299 => {
            let unexpected = |what: &str| {
                Err(error(
                    ErrorKind::UnexpectedResponse,
                    format!("the Jumio Platform token endpoint answered HTTP {status} {what}, not an access token: check the base URL and any proxy; no deletion was sent"),
                ))
            };
            let Some(object) = json else {
                return unexpected("with a body that is not a JSON object");
            };
            let token = match object.get("access_token") {
                Some(serde_json::Value::String(token)) => token,
                _ => return unexpected("without an access_token string"),
            };
            let value = match Secret::new("the access token", token) {
                Ok(value) => value,
                Err(_) => {
                    return unexpected("with an access_token that is empty, too long or not visible ASCII")
                }
            };
            match object.get("token_type").and_then(|t| t.as_str()) {
                Some(kind) if kind.eq_ignore_ascii_case("bearer") => {}
                Some(kind) => {
                    return unexpected(&format!(
                        "with token_type {:?} instead of Bearer",
                        bounded_for_display(&bound(kind))
                    ))
                }
                None => return unexpected("without a token_type"),
            }
            let lifetime = object
                .get("expires_in")
                .and_then(|e| e.as_u64())
                .map(Duration::from_secs)
                .filter(|l| (Duration::from_secs(1)..=MAX_TOKEN_LIFETIME).contains(l));
            match lifetime {
                Some(lifetime) => Ok((value, lifetime)),
                None => unexpected(&format!(
                    "with expires_in {}, which is not a whole number of seconds from 1 to {}",
                    object
                        .get("expires_in")
                        .map_or("missing".to_owned(), |e| bounded_for_display(&bound(&e.to_string()))),
                    MAX_TOKEN_LIFETIME.as_secs()
                )),
            }
        }
        400 | 401 | 403 => Err(error(
            ErrorKind::Unauthorized,
            format!("the Jumio Platform token endpoint refused the client credentials (HTTP {status}): check the client id and client secret (JUMIO_CLIENT_ID and JUMIO_CLIENT_SECRET for the CLI) and their region; no deletion was sent"),
        )),
        429 => Err(error(
            ErrorKind::RateLimited,
            "the Jumio Platform token endpoint is rate limiting (10 requests per second); retry later".into(),
        )
        .with_retry_after(retry_after(response.headers()))),
        500..=599 => Err(error(
            ErrorKind::Server,
            "the Jumio Platform token endpoint failed; retry later".into(),
        )
        .with_retry_after(if status == 503 {
            retry_after(response.headers())
        } else {
            None
        })),
        _ => Err(error(
            ErrorKind::UnexpectedResponse,
            format!("the Jumio Platform token endpoint answered with the undocumented HTTP status {status}; no deletion was sent"),
        )),
    }
}

/// OAuth2's `error` (and `error_description`), bounded: what a token
/// endpoint says when it refuses.
fn oauth_error_message(object: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let error = object.get("error").and_then(|e| e.as_str())?;
    let text = match object.get("error_description").and_then(|d| d.as_str()) {
        Some(description) => format!("{error}: {description}"),
        None => error.to_owned(),
    };
    Some(bound(&text)).filter(|t| !t.is_empty())
}
