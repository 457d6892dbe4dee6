//! The Jumio Platform's access tokens, shared by every thread of a
//! [`Client`](crate::Client): one core [`TokenState`] per region behind a
//! mutex, with a condition variable so that while one thread buys a token
//! the others wait for it instead of stampeding the token endpoint (single
//! flight; the endpoint allows 10 requests per second).

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use idv_delete_core::{
    Credentials, DeleteError, DeleteOp, Endpoint, Region, TokenAction, TokenState,
};

use crate::cancel::CancelToken;
use crate::transport::Exchange;

/// How often a thread waiting for another's token request checks its
/// cancel token (the request itself is bounded by the client's timeouts).
const CANCEL_CHECK: Duration = Duration::from_millis(50);

struct Slot {
    state: Mutex<TokenState>,
    fetched: Condvar,
}

/// One credential's tokens, one per region.
pub(crate) struct TokenPool {
    slots: [Slot; 3],
    /// The clock's origin: the core takes `now` as time since it.
    origin: Instant,
}

impl TokenPool {
    pub(crate) fn new(
        credentials: &Credentials,
        endpoint: &Endpoint,
    ) -> Result<TokenPool, DeleteError> {
        let slot = |region| -> Result<Slot, DeleteError> {
            Ok(Slot {
                state: Mutex::new(TokenState::new(credentials, region, endpoint)?),
                fetched: Condvar::new(),
            })
        };
        Ok(TokenPool {
            slots: [slot(Region::Us)?, slot(Region::Eu)?, slot(Region::Sgp)?],
            origin: Instant::now(),
        })
    }

    fn slot(&self, region: Region) -> &Slot {
        &self.slots[match region {
            Region::Us => 0,
            Region::Eu => 1,
            Region::Sgp => 2,
        }]
    }

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    /// Answers `op`'s [`Action::Authorize`](idv_delete_core::Action::Authorize):
    /// gives it the region's token, buying one with `send` if none is
    /// fresh and no other thread is buying one, or waiting for that thread.
    /// A failed purchase goes to the op, which retries it under its policy;
    /// a cancel while waiting cancels the op.
    pub(crate) fn authorize(
        &self,
        op: &mut DeleteOp,
        region: Region,
        cancel: &CancelToken,
        mut send: impl FnMut(http::Request<Vec<u8>>) -> Exchange,
    ) {
        let slot = self.slot(region);
        let mut state = lock(&slot.state);
        loop {
            if cancel.is_cancelled() {
                op.cancel();
                return;
            }
            match state.poll(self.now()) {
                TokenAction::Use(token) => {
                    op.authorize(token);
                    return;
                }
                TokenAction::Refused(error) => {
                    op.token_failed(error);
                    return;
                }
                TokenAction::AwaitFetch => {
                    state = slot
                        .fetched
                        .wait_timeout(state, CANCEL_CHECK)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                TokenAction::Send(request) => {
                    drop(state);
                    let answer = send(request);
                    state = lock(&slot.state);
                    let bought = match answer {
                        Exchange::Answered(response) => state.handle_response(self.now(), response),
                        Exchange::Failed { error, .. } => Err(state.handle_transport_error(error)),
                    };
                    slot.fetched.notify_all();
                    if let Err(error) = bought {
                        op.token_failed(error);
                        return;
                    }
                }
            }
        }
    }

    /// A delete of `region` was answered 401 with the token of
    /// `generation`: no one gets that token again.
    pub(crate) fn reject(&self, region: Region, generation: u64) {
        lock(&self.slot(region).state).reject(generation);
    }

    /// Token requests sent so far, all regions.
    pub(crate) fn token_requests(&self) -> u64 {
        self.slots
            .iter()
            .map(|slot| lock(&slot.state).token_requests())
            .sum()
    }
}

fn lock(mutex: &Mutex<TokenState>) -> MutexGuard<'_, TokenState> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
