//! The emulator's behaviour, independent of sockets: routing a request to a
//! vendor or the admin API, applying the fault schedule, changing the state,
//! and the operations shared by the library API and the admin API.

use std::net::IpAddr;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::date::Stamp;
use crate::faults::{EarlyAnswer, Faults, Schedule, TokenBucket};
use crate::http::{Request, RequestIdHeader, Response, RetryAfterValue};
use crate::jumio_platform::{self, Platform};
use crate::product::Product;
use crate::state::{FaultKind, SeedItem, State, TokenOutcome, PERSONA_ACCOUNT_PREFIX};
use crate::window::{FixedWindow, SlidingWindows};
use crate::{admin, hyperverge, jumio, onfido, persona, stripe, veriff, Config, Error, Stats};

/// What to do with the connection for one request.
pub(crate) enum Reply {
    /// Send this response; with `truncate`, announce more body than is sent
    /// and close.
    Send { response: Response, truncate: bool },
    /// Reset the connection (TCP RST) without answering.
    Reset,
}

impl Reply {
    fn send(response: Response) -> Self {
        Reply::Send {
            response,
            truncate: false,
        }
    }
}

/// Where a request path leads.
enum Route<'a> {
    Jumio(Product, &'a str),
    Hyperverge,
    /// The Jumio Platform's `/oauth2/token`.
    Token,
    /// A Jumio Platform account id.
    Account(&'a str),
    /// A Jumio Platform account id and workflow execution id.
    Workflow(&'a str, &'a str),
    /// An Onfido applicant id (DELETE, GET).
    Onfido(&'a str),
    /// An Onfido applicant id to restore (POST).
    OnfidoRestore(&'a str),
    /// A Persona inquiry id (DELETE, GET).
    PersonaInquiry(&'a str),
    /// A Persona account id, `act_...` (DELETE, GET).
    PersonaAccount(&'a str),
    /// A Stripe VerificationSession id (GET).
    StripeSession(&'a str),
    /// A Stripe VerificationSession id to redact (POST).
    StripeRedact(&'a str),
    /// A Veriff session id (DELETE).
    Veriff(&'a str),
    Admin(&'a str),
    Unknown,
}

const JUMIO_PREFIX: &str = "/api/netverify/v2/";
const HYPERVERGE_PATH: &str = "/api/v2/transaction/id";
const ADMIN_PREFIX: &str = "/__emulator/";

/// Whether `s` can be one path segment: not empty, no `/`.
fn segment(s: &str) -> bool {
    !s.is_empty() && !s.contains('/')
}

/// `ID` or `ID{suffix}` after a prefix, as two routes.
fn with_action<'a>(
    rest: &'a str,
    suffix: &str,
    plain: fn(&'a str) -> Route<'a>,
    action: fn(&'a str) -> Route<'a>,
) -> Route<'a> {
    match rest.strip_suffix(suffix) {
        Some(id) if segment(id) => action(id),
        _ if segment(rest) => plain(rest),
        _ => Route::Unknown,
    }
}

fn route(path: &str) -> Route<'_> {
    if let Some(rest) = path.strip_prefix(ADMIN_PREFIX) {
        return Route::Admin(rest);
    }
    if let Some(rest) = path.strip_prefix(onfido::PREFIX) {
        return with_action(
            rest,
            onfido::RESTORE_SUFFIX,
            Route::Onfido,
            Route::OnfidoRestore,
        );
    }
    if let Some(rest) = path.strip_prefix(stripe::PREFIX) {
        return with_action(
            rest,
            stripe::REDACT_SUFFIX,
            Route::StripeSession,
            Route::StripeRedact,
        );
    }
    if let Some(rest) = path.strip_prefix(persona::INQUIRIES_PREFIX) {
        return if segment(rest) {
            Route::PersonaInquiry(rest)
        } else {
            Route::Unknown
        };
    }
    if let Some(rest) = path.strip_prefix(veriff::PREFIX) {
        return if segment(rest) {
            Route::Veriff(rest)
        } else {
            Route::Unknown
        };
    }
    if path == HYPERVERGE_PATH {
        return Route::Hyperverge;
    }
    if path == jumio_platform::TOKEN_PATH {
        return Route::Token;
    }
    if let Some(rest) = path.strip_prefix(jumio_platform::ACCOUNTS_PREFIX) {
        if rest.starts_with(PERSONA_ACCOUNT_PREFIX) && segment(rest) {
            return Route::PersonaAccount(rest);
        }
        return match rest.split_once(jumio_platform::WORKFLOWS_SEGMENT) {
            Some((account, workflow)) if segment(account) && segment(workflow) => {
                Route::Workflow(account, workflow)
            }
            None if segment(rest) => Route::Account(rest),
            _ => Route::Unknown,
        };
    }
    let Some(rest) = path.strip_prefix(JUMIO_PREFIX) else {
        return Route::Unknown;
    };
    let Some((collection, reference)) = rest.split_once('/') else {
        return Route::Unknown;
    };
    let product = match collection {
        "scans" => Product::JumioScan,
        "authentications" => Product::JumioAuthentication,
        "documents" => Product::JumioDocument,
        _ => return Route::Unknown,
    };
    if reference.is_empty() || reference.contains('/') {
        return Route::Unknown;
    }
    Route::Jumio(product, reference)
}

/// A stop flag that sleeping connection threads can wait on, so shutdown
/// never waits for an injected latency to elapse.
#[derive(Default)]
pub(crate) struct Stop {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Stop {
    pub(crate) fn trigger(&self) {
        *lock(&self.stopped) = true;
        self.wake.notify_all();
    }

    pub(crate) fn is_triggered(&self) -> bool {
        *lock(&self.stopped)
    }

    /// Sleeps for `duration` unless stopped first; returns whether stopped.
    fn sleep(&self, duration: Duration) -> bool {
        let guard = lock(&self.stopped);
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, duration, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves the
/// data consistent, and one failed thread must not stop the emulator.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The later vendors' documented limits, refilled on reset.
struct Limits {
    /// Persona's requests per minute.
    persona: Option<FixedWindow>,
    /// Stripe's redactions per second.
    stripe: Option<TokenBucket>,
    /// Veriff's deletions per window.
    veriff: SlidingWindows,
}

impl Limits {
    fn new(config: &Config, now: Instant) -> Self {
        Limits {
            persona: config
                .persona_rate_limit
                .map(|limit| FixedWindow::new(limit, Duration::from_secs(60), now)),
            stripe: config.stripe_rate_limit.map(|rate| {
                TokenBucket::new(
                    rate,
                    rate.ceil().clamp(1.0, f64::from(u32::MAX)) as u32,
                    now,
                )
            }),
            veriff: SlidingWindows::new(config.veriff_windows.clone()),
        }
    }
}

/// Everything the connection threads share. Locks are taken in this
/// order: schedule, state, platform or limits.
pub(crate) struct Service {
    config: Config,
    state: Mutex<State>,
    schedule: Mutex<Schedule>,
    platform: Mutex<Platform>,
    limits: Mutex<Limits>,
    pub(crate) stop: Stop,
}

impl Service {
    /// A service with empty state; `config.faults` must be valid.
    pub(crate) fn new(config: Config) -> Self {
        let now = Instant::now();
        let schedule = Schedule::new(config.faults.clone(), now);
        let platform = Platform::new(&config, now);
        let limits = Limits::new(&config, now);
        Service {
            config,
            state: Mutex::new(State::default()),
            schedule: Mutex::new(schedule),
            platform: Mutex::new(platform),
            limits: Mutex::new(limits),
            stop: Stop::default(),
        }
    }

    /// Validates every item, then creates them all (or none); returns how many
    /// items were given.
    pub(crate) fn seed(&self, items: &[SeedItem]) -> Result<usize, Error> {
        let checked = items
            .iter()
            .map(|item| {
                item.validate()
                    .map(|(p, r, state)| (p, Box::<str>::from(r), state))
            })
            .collect::<Result<Vec<_>, _>>()?;
        lock(&self.state).seed(checked);
        Ok(items.len())
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.state).stats()
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.schedule).faults().clone()
    }

    /// Puts `faults` in force, restarting the schedule from its seed.
    pub(crate) fn set_faults(&self, faults: Faults) -> Result<(), Error> {
        faults.validate()?;
        *lock(&self.schedule) = Schedule::new(faults, Instant::now());
        Ok(())
    }

    /// Forgets every transaction and counter, restarts the fault schedule
    /// and refills the Jumio Platform's rate-limit buckets and the later
    /// vendors' limits. Issued tokens
    /// stay valid: [`Service::revoke_tokens`] is the way to drop them.
    pub(crate) fn reset(&self) {
        let now = Instant::now();
        *lock(&self.state) = State::default();
        let mut schedule = lock(&self.schedule);
        *schedule = Schedule::new(schedule.faults().clone(), now);
        drop(schedule);
        lock(&self.platform).refill(now);
        *lock(&self.limits) = Limits::new(&self.config, now);
    }

    /// Revokes every Jumio Platform token issued so far; returns how many
    /// were still valid.
    pub(crate) fn revoke_tokens(&self) -> usize {
        lock(&self.platform).revoke(Instant::now())
    }

    pub(crate) fn count_connection(&self) {
        lock(&self.state).count_connection();
    }

    /// Answers one request from a peer at `peer`. Every vendor answer
    /// carries a fresh request id in the header that vendor sends:
    /// `Request-Id` for Stripe and Persona (documented), `X-Request-Id`
    /// for the others (which document none; a common choice). The
    /// emulator's admin API and unknown routes carry none.
    pub(crate) fn handle(&self, req: &Request, peer: Option<IpAddr>) -> Reply {
        let route = route(&req.path);
        let header = match route {
            Route::Admin(_) | Route::Unknown => None,
            Route::PersonaInquiry(_)
            | Route::PersonaAccount(_)
            | Route::StripeSession(_)
            | Route::StripeRedact(_) => Some(RequestIdHeader::RequestId),
            _ => Some(RequestIdHeader::XRequestId),
        };
        match self.answer(req, peer, route) {
            Reply::Send {
                mut response,
                truncate,
            } => {
                response.request_id = header;
                Reply::Send { response, truncate }
            }
            Reply::Reset => Reply::Reset,
        }
    }

    /// [`Service::handle`] without the request id.
    fn answer(&self, req: &Request, peer: Option<IpAddr>, route: Route<'_>) -> Reply {
        match route {
            Route::Admin(rest) => Reply::send(admin::handle(self, req, rest)),
            Route::Jumio(product, reference) => self.handle_vendor(
                req,
                product,
                |config| jumio::check(req, config).map(|()| reference.to_owned()),
                |reference| jumio::answer(lock(&self.state).delete(product, reference)),
            ),
            Route::Hyperverge => self.handle_vendor(
                req,
                Product::HypervergeTransaction,
                |config| hyperverge::check(req, peer, config),
                |reference| {
                    let deletion =
                        lock(&self.state).delete(Product::HypervergeTransaction, reference);
                    hyperverge::answer(deletion, reference)
                },
            ),
            Route::Token => Reply::send(self.handle_token(req)),
            Route::Account(account) => self.handle_platform(req, Product::PlatformAccount, account),
            Route::Workflow(account, workflow) => self.handle_platform(
                req,
                Product::PlatformWorkflow,
                &format!("{account}/{workflow}"),
            ),
            Route::Onfido(id) => {
                let product = Product::OnfidoApplicant;
                let check = |config: &Config| onfido::check(req, config).map(|()| id.to_owned());
                if req.method == "GET" {
                    self.handle_read(req, product, product.read_route(), check, |state, now| {
                        onfido::read(state, id, now)
                    })
                } else {
                    self.handle_vendor(req, product, check, |id| {
                        onfido::delete(&mut lock(&self.state), id, &self.config, Stamp::now())
                    })
                }
            }
            Route::OnfidoRestore(id) => self.handle_read(
                req,
                Product::OnfidoApplicant,
                "onfido/applicant/restore",
                |config| onfido::check(req, config).map(|()| id.to_owned()),
                |state, now| onfido::restore(state, id, now),
            ),
            Route::PersonaInquiry(id) => self.handle_persona(req, Product::PersonaInquiry, id),
            Route::PersonaAccount(id) => self.handle_persona(req, Product::PersonaAccount, id),
            Route::StripeSession(id) => self.handle_read(
                req,
                Product::StripeSession,
                Product::StripeSession.read_route(),
                |config| stripe::check(req, config).map(|()| id.to_owned()),
                |state, now| stripe::read(state, id, now),
            ),
            Route::StripeRedact(id) => self.handle_vendor(
                req,
                Product::StripeSession,
                |config| stripe::check(req, config).map(|()| id.to_owned()),
                |id| {
                    let version = req.header("stripe-version");
                    let mut state = lock(&self.state);
                    stripe::redact(&mut state, id, version, &self.config, Stamp::now())
                },
            ),
            Route::Veriff(id) => self.handle_vendor(
                req,
                Product::VeriffSession,
                |config| veriff::check(req, config, id).map(|()| id.to_owned()),
                |id| {
                    let mut state = lock(&self.state);
                    let mut limits = lock(&self.limits);
                    veriff::delete(&mut state, &mut limits.veriff, id, Instant::now())
                },
            ),
            Route::Unknown => {
                let mut state = lock(&self.state);
                state.count_request();
                state.count_response("unknown", 404);
                Reply::send(Response::text(404, "Not Found: no such route"))
            }
        }
    }

    /// A request to the Jumio Platform's token route: its own injected
    /// faults, then the checks and the token (see [`Platform::token`]).
    /// Only POST is allowed.
    fn handle_token(&self, req: &Request) -> Response {
        let injected = lock(&self.schedule).decide_token();
        let (response, outcome) = if let Some(status) = injected {
            lock(&self.state).count_fault(FaultKind::Status);
            (jumio_platform::token_error(status), TokenOutcome::Other)
        } else if req.method != "POST" {
            (jumio_platform::token_error(405), TokenOutcome::Other)
        } else {
            lock(&self.platform).token(req, &self.config, Instant::now())
        };
        let mut state = lock(&self.state);
        state.count_request();
        state.count_token(outcome);
        state.count_response("jumio-platform/token", response.status);
        response
    }

    /// A Jumio Platform delete of an account or workflow (`reference`).
    fn handle_platform(&self, req: &Request, product: Product, reference: &str) -> Reply {
        self.handle_vendor(
            req,
            product,
            |_| {
                lock(&self.platform)
                    .check_delete(req, Instant::now())
                    .map(|()| reference.to_owned())
            },
            |reference| {
                jumio_platform::answer(product, lock(&self.state).delete(product, reference))
            },
        )
    }

    /// A request on a Persona route: a read (GET) or a redaction, with the
    /// `ratelimit-*` headers added to every answer.
    fn handle_persona(&self, req: &Request, product: Product, id: &str) -> Reply {
        let reply = if req.method == "GET" {
            self.handle_read(
                req,
                product,
                product.read_route(),
                |config| persona::check(req, config, false).map(|()| id.to_owned()),
                |state, now| persona::read(state, product, id, now),
            )
        } else {
            self.handle_vendor(
                req,
                product,
                |config| persona::check(req, config, true).map(|()| id.to_owned()),
                |id| {
                    let version = req.header("persona-version");
                    let mut state = lock(&self.state);
                    persona::redact(&mut state, product, id, version, &self.config, Stamp::now())
                },
            )
        };
        match reply {
            Reply::Send {
                mut response,
                truncate,
            } => {
                if response.rate_limit.is_none() {
                    let mut limits = lock(&self.limits);
                    response.rate_limit = limits.persona.as_mut().map(|w| w.peek(Instant::now()));
                }
                Reply::Send { response, truncate }
            }
            Reply::Reset => Reply::Reset,
        }
    }

    /// The vendor's own rate limit on its delete route, if it has one and
    /// it is exceeded: the 429 to answer. A Persona request within the
    /// limit is counted here.
    fn vendor_limited(&self, product: Product, now: Instant) -> Option<Response> {
        let retry_after = |secs| Some(RetryAfterValue::Seconds(secs));
        match product {
            Product::PlatformAccount | Product::PlatformWorkflow => {
                let secs = lock(&self.platform).retrieval_limited(now)?;
                Some(Response {
                    retry_after: retry_after(secs),
                    ..jumio::error(429)
                })
            }
            Product::StripeSession => {
                let secs = lock(&self.limits).stripe.as_mut()?.take(now)?;
                Some(Response {
                    retry_after: retry_after(secs),
                    ..stripe::error(429)
                })
            }
            Product::PersonaInquiry | Product::PersonaAccount => self.persona_limited(now),
            _ => None,
        }
    }

    /// Counts a Persona request; the 429 to answer if over the limit.
    fn persona_limited(&self, now: Instant) -> Option<Response> {
        let headers = lock(&self.limits).persona.as_mut()?.take(now).err()?;
        Some(Response {
            rate_limit: Some(headers),
            retry_after: Some(RetryAfterValue::Seconds(headers.reset.max(1))),
            ..persona::error(429)
        })
    }

    /// A read (GET, and Onfido's restore) on route `route`: no injected
    /// faults; Persona's rate limit; the method; `check`; then `read`.
    fn handle_read(
        &self,
        req: &Request,
        product: Product,
        route: &'static str,
        check: impl FnOnce(&Config) -> Result<String, Response>,
        read: impl FnOnce(&mut State, Stamp) -> Response,
    ) -> Reply {
        let method = if route == "onfido/applicant/restore" {
            "POST"
        } else {
            "GET"
        };
        let persona = matches!(product, Product::PersonaInquiry | Product::PersonaAccount);
        let limited = if persona {
            self.persona_limited(Instant::now())
        } else {
            None
        };
        let response = if let Some(response) = limited {
            response
        } else if req.method != method {
            Response {
                allow: Some(allowed(product, method)),
                ..vendor_error(product, 405)
            }
        } else {
            match check(&self.config) {
                Err(response) => response,
                Ok(_) => read(&mut lock(&self.state), Stamp::now()),
            }
        };
        let mut state = lock(&self.state);
        state.count_request();
        state.count_response(route, response.status);
        Reply::send(response)
    }

    /// A request on a vendor's delete route: faults (and the vendor's own
    /// rate limit), then `check` (which gives the reference or the
    /// vendor's error answer), then `act`, which deletes and answers.
    fn handle_vendor(
        &self,
        req: &Request,
        product: Product,
        check: impl FnOnce(&Config) -> Result<String, Response>,
        act: impl FnOnce(&str) -> Response,
    ) -> Reply {
        let decision = lock(&self.schedule).decide(Instant::now());
        let route = product.route();
        let error = |status| vendor_error(product, status);
        let method = delete_method(product);

        if !decision.latency.is_zero() && self.stop.sleep(decision.latency) {
            return Reply::Reset;
        }
        let mut state = lock(&self.state);
        state.count_request();
        if let Some(early) = decision.early {
            let response = match early {
                EarlyAnswer::RateLimited(secs) => {
                    state.count_fault(FaultKind::RateLimited);
                    Response {
                        retry_after: Some(RetryAfterValue::Seconds(secs)),
                        ..error(429)
                    }
                }
                EarlyAnswer::Status(status, retry_after) => {
                    state.count_fault(FaultKind::Status);
                    Response {
                        retry_after,
                        ..error(status)
                    }
                }
            };
            state.count_response(route, response.status);
            return Reply::send(response);
        }
        if let Some(response) = self.vendor_limited(product, Instant::now()) {
            state.count_fault(FaultKind::RateLimited);
            state.count_response(route, response.status);
            return Reply::send(response);
        }
        if decision.reset_before {
            state.count_fault(FaultKind::ResetBefore);
            return Reply::Reset;
        }
        drop(state);

        let response = if req.method != method {
            Response {
                allow: Some(allowed(product, method)),
                ..error(405)
            }
        } else {
            match check(&self.config) {
                Err(response) => response,
                Ok(reference) => act(&reference),
            }
        };

        let mut state = lock(&self.state);
        if decision.reset_after {
            state.count_fault(FaultKind::ResetAfter);
            return Reply::Reset;
        }
        state.count_response(route, response.status);
        if decision.truncate {
            state.count_fault(FaultKind::Truncated);
        }
        Reply::Send {
            response,
            truncate: decision.truncate,
        }
    }
}

/// The method of a product's delete route: POST for Stripe's redact,
/// DELETE elsewhere.
fn delete_method(product: Product) -> &'static str {
    match product {
        Product::StripeSession => "POST",
        _ => "DELETE",
    }
}

/// The `Allow` header of a 405 on the route of `product` whose method is
/// `method`: the path's methods.
fn allowed(product: Product, method: &str) -> &'static str {
    match (product, method) {
        (Product::OnfidoApplicant, "DELETE" | "GET")
        | (Product::PersonaInquiry | Product::PersonaAccount, _) => "GET, DELETE",
        (_, "POST") => "POST",
        (_, "GET") => "GET",
        _ => "DELETE",
    }
}

/// A bare error answer (405, 429, 5xx) in the vendor's shape.
fn vendor_error(product: Product, status: u16) -> Response {
    match product.vendor() {
        "hyperverge" => hyperverge::error(status),
        "onfido" => onfido::error(status),
        "persona" => persona::error(status),
        "stripe" => stripe::error(status),
        "veriff" => veriff::error(status),
        _ => jumio::error(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(
            route("/api/netverify/v2/scans/abc"),
            Route::Jumio(Product::JumioScan, "abc")
        ));
        assert!(matches!(
            route("/api/netverify/v2/documents/x-1"),
            Route::Jumio(Product::JumioDocument, "x-1")
        ));
        assert!(matches!(
            route("/api/netverify/v2/authentications/a"),
            Route::Jumio(Product::JumioAuthentication, "a")
        ));
        assert!(matches!(route("/api/v2/transaction/id"), Route::Hyperverge));
        assert!(matches!(route("/__emulator/stats"), Route::Admin("stats")));
        assert!(matches!(route("/oauth2/token"), Route::Token));
        assert!(matches!(
            route("/api/v1/accounts/a-1"),
            Route::Account("a-1")
        ));
        assert!(matches!(
            route("/api/v1/accounts/a-1/workflow-executions/w-1"),
            Route::Workflow("a-1", "w-1")
        ));
        assert!(matches!(
            route("/v3.6/applicants/a-1"),
            Route::Onfido("a-1")
        ));
        assert!(matches!(
            route("/v3.6/applicants/a-1/restore"),
            Route::OnfidoRestore("a-1")
        ));
        assert!(matches!(
            route("/api/v1/inquiries/inq_1"),
            Route::PersonaInquiry("inq_1")
        ));
        assert!(matches!(
            route("/api/v1/accounts/act_1"),
            Route::PersonaAccount("act_1")
        ));
        assert!(matches!(
            route("/v1/identity/verification_sessions/vs_1"),
            Route::StripeSession("vs_1")
        ));
        assert!(matches!(
            route("/v1/identity/verification_sessions/vs_1/redact"),
            Route::StripeRedact("vs_1")
        ));
        assert!(matches!(route("/v1/sessions/s-1"), Route::Veriff("s-1")));
        for unknown in [
            "/",
            "/api/netverify/v2/scans/",
            "/api/netverify/v2/scans/a/b",
            "/api/netverify/v2/other/a",
            "/api/v2/transaction/id/",
            "/oauth2/token/",
            "/api/v1/accounts/",
            "/api/v1/accounts/a/",
            "/api/v1/accounts/a/other/w",
            "/api/v1/accounts/a/workflow-executions/",
            "/api/v1/accounts/a/workflow-executions/w/x",
            "/api/v1/accounts//workflow-executions/w",
            "/v3.6/applicants/",
            "/v3.6/applicants/a/b",
            "/v3.6/applicants//restore",
            "/api/v1/inquiries/",
            "/api/v1/inquiries/a/b",
            "/api/v1/accounts/act_1/x",
            "/v1/identity/verification_sessions/vs_1/other",
            "/v1/sessions/",
            "/v1/sessions/a/b",
        ] {
            assert!(matches!(route(unknown), Route::Unknown), "{unknown}");
        }
    }
}
