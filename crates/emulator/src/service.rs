//! The emulator's behaviour, independent of sockets: routing a request to a
//! vendor or the admin API, applying the fault schedule, changing the state,
//! and the operations shared by the library API and the admin API.

use std::net::IpAddr;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::faults::{EarlyAnswer, Faults, Schedule};
use crate::http::{Request, Response, RetryAfterValue};
use crate::jumio_platform::{self, Platform};
use crate::product::Product;
use crate::state::{FaultKind, SeedItem, State, TokenOutcome};
use crate::{admin, hyperverge, jumio, Config, Error, Stats};

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
    Admin(&'a str),
    Unknown,
}

const JUMIO_PREFIX: &str = "/api/netverify/v2/";
const HYPERVERGE_PATH: &str = "/api/v2/transaction/id";
const ADMIN_PREFIX: &str = "/__emulator/";

fn route(path: &str) -> Route<'_> {
    if let Some(rest) = path.strip_prefix(ADMIN_PREFIX) {
        return Route::Admin(rest);
    }
    if path == HYPERVERGE_PATH {
        return Route::Hyperverge;
    }
    if path == jumio_platform::TOKEN_PATH {
        return Route::Token;
    }
    if let Some(rest) = path.strip_prefix(jumio_platform::ACCOUNTS_PREFIX) {
        let segment = |s: &str| !s.is_empty() && !s.contains('/');
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

/// Everything the connection threads share.
pub(crate) struct Service {
    config: Config,
    state: Mutex<State>,
    schedule: Mutex<Schedule>,
    platform: Mutex<Platform>,
    pub(crate) stop: Stop,
}

impl Service {
    /// A service with empty state; `config.faults` must be valid.
    pub(crate) fn new(config: Config) -> Self {
        let now = Instant::now();
        let schedule = Schedule::new(config.faults.clone(), now);
        let platform = Platform::new(&config, now);
        Service {
            config,
            state: Mutex::new(State::default()),
            schedule: Mutex::new(schedule),
            platform: Mutex::new(platform),
            stop: Stop::default(),
        }
    }

    /// Validates every item, then creates them all (or none); returns how many
    /// items were given.
    pub(crate) fn seed(&self, items: &[SeedItem]) -> Result<usize, Error> {
        let checked = items
            .iter()
            .map(|item| item.validate().map(|(p, r)| (p, Box::<str>::from(r))))
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
    /// and refills the Jumio Platform's rate-limit buckets. Issued tokens
    /// stay valid: [`Service::revoke_tokens`] is the way to drop them.
    pub(crate) fn reset(&self) {
        let now = Instant::now();
        *lock(&self.state) = State::default();
        let mut schedule = lock(&self.schedule);
        *schedule = Schedule::new(schedule.faults().clone(), now);
        drop(schedule);
        lock(&self.platform).refill(now);
    }

    /// Revokes every Jumio Platform token issued so far; returns how many
    /// were still valid.
    pub(crate) fn revoke_tokens(&self) -> usize {
        lock(&self.platform).revoke(Instant::now())
    }

    pub(crate) fn count_connection(&self) {
        lock(&self.state).count_connection();
    }

    /// Answers one request from a peer at `peer`.
    pub(crate) fn handle(&self, req: &Request, peer: Option<IpAddr>) -> Reply {
        match route(&req.path) {
            Route::Admin(rest) => Reply::send(admin::handle(self, req, rest)),
            Route::Jumio(product, reference) => self.handle_vendor(req, product, |config| {
                jumio::check(req, config).map(|()| reference.to_owned())
            }),
            Route::Hyperverge => {
                self.handle_vendor(req, Product::HypervergeTransaction, |config| {
                    hyperverge::check(req, peer, config)
                })
            }
            Route::Token => Reply::send(self.handle_token(req)),
            Route::Account(account) => self.handle_vendor(req, Product::PlatformAccount, |_| {
                lock(&self.platform)
                    .check_delete(req, Instant::now())
                    .map(|()| account.to_owned())
            }),
            Route::Workflow(account, workflow) => {
                self.handle_vendor(req, Product::PlatformWorkflow, |_| {
                    lock(&self.platform)
                        .check_delete(req, Instant::now())
                        .map(|()| format!("{account}/{workflow}"))
                })
            }
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

    /// A request on a vendor's delete route: faults (and the Jumio
    /// Platform's retrieval rate limit), then `check` (which gives the
    /// reference or the vendor's error answer), then the delete.
    fn handle_vendor(
        &self,
        req: &Request,
        product: Product,
        check: impl FnOnce(&Config) -> Result<String, Response>,
    ) -> Reply {
        let decision = lock(&self.schedule).decide(Instant::now());
        let route = product.route();
        let error = |status| match product {
            Product::HypervergeTransaction => hyperverge::error(status),
            _ => jumio::error(status),
        };
        let platform = matches!(
            product,
            Product::PlatformAccount | Product::PlatformWorkflow
        );

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
        if platform {
            if let Some(secs) = lock(&self.platform).retrieval_limited(Instant::now()) {
                state.count_fault(FaultKind::RateLimited);
                let response = Response {
                    retry_after: Some(RetryAfterValue::Seconds(secs)),
                    ..error(429)
                };
                state.count_response(route, response.status);
                return Reply::send(response);
            }
        }
        if decision.reset_before {
            state.count_fault(FaultKind::ResetBefore);
            return Reply::Reset;
        }
        drop(state);

        let response = if req.method != "DELETE" {
            Response {
                allow: Some("DELETE"),
                ..error(405)
            }
        } else {
            match check(&self.config) {
                Err(response) => response,
                Ok(reference) => {
                    let deletion = lock(&self.state).delete(product, &reference);
                    match product {
                        Product::HypervergeTransaction => hyperverge::answer(deletion, &reference),
                        Product::PlatformAccount | Product::PlatformWorkflow => {
                            jumio_platform::answer(product, deletion)
                        }
                        _ => jumio::answer(deletion),
                    }
                }
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
        ] {
            assert!(matches!(route(unknown), Route::Unknown), "{unknown}");
        }
    }
}
