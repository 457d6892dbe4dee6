//! [`delete_op`]: the core's retrying state machine for C programs with
//! their own HTTP client or event loop (libcurl multi, libuv).
//!
//! The program polls the op (`delete_op_poll`) and does what it is told:
//! send a request and report its answer or transport failure, wait, get an
//! access token (Jumio Platform, from a [`crate::delete_token_state`]), or
//! stop with the outcome. The op reads no clock and draws no randomness
//! (the caller's seed feeds the backoff jitter), so it retries exactly as
//! `delete_client_delete` does, `Retry-After`, backoff and the rule that a
//! 404 after an uncertain attempt confirms a deletion included.
//!
//! An op is not thread-safe: one thread at a time uses it (it may move
//! between threads, as in a thread pool). No I/O happens in any call.

use std::time::Duration;

use idv_delete_blocking::core::{Action, DeleteOp};
use idv_delete_blocking::TransportError;

use crate::client::delete_client;
use crate::ffi::{self, arg, arg_mut, guard, into_handle, Out};
use crate::items::{delete_item, resolve_item};
use crate::last_error::detailed;
use crate::outcome::delete_outcome;
use crate::result::delete_result::{self, *};
use crate::sansio::{delete_header, delete_request, response};
use crate::token::delete_token;

/// A transport failure, as the caller's HTTP client saw it: one of the
/// `DELETE_TRANSPORT_ERROR_*` constants.
pub type delete_transport_error = u32;
/// No answer within the caller's timeout.
pub const DELETE_TRANSPORT_ERROR_TIMEOUT: delete_transport_error = 1;
/// No connection could be made (DNS, refused, unreachable).
pub const DELETE_TRANSPORT_ERROR_CONNECT: delete_transport_error = 2;
/// TLS failed (certificate, handshake); never retried.
pub const DELETE_TRANSPORT_ERROR_TLS: delete_transport_error = 3;
/// The connection broke (reset, truncated or unreadable answer).
pub const DELETE_TRANSPORT_ERROR_IO: delete_transport_error = 4;

/// The core's transport error for `kind`, or
/// `DELETE_RESULT_INVALID_ARGUMENT` naming `call`.
pub(crate) fn transport_error(
    call: &str,
    kind: delete_transport_error,
) -> ffi::Result<TransportError> {
    match kind {
        DELETE_TRANSPORT_ERROR_TIMEOUT => Ok(TransportError::Timeout),
        DELETE_TRANSPORT_ERROR_CONNECT => Ok(TransportError::Connect),
        DELETE_TRANSPORT_ERROR_TLS => Ok(TransportError::Tls),
        DELETE_TRANSPORT_ERROR_IO => Ok(TransportError::Io),
        _ => Err(detailed(
            DELETE_RESULT_INVALID_ARGUMENT,
            format!("{call}: kind {kind} is not a DELETE_TRANSPORT_ERROR_* constant (1 to 4)"),
        )),
    }
}

/// What a `delete_op` asks its driver to do next (`delete_action.kind`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum delete_action_kind {
    /// Send `delete_action.request`, then report the answer with
    /// `delete_op_handle_response` (and take its rejected token with
    /// `delete_op_take_rejected_token`) or the failure with
    /// `delete_op_handle_transport_error`; then poll again.
    DELETE_ACTION_SEND = 1,
    /// Wait `delete_action.wait_ms` milliseconds, then poll again.
    DELETE_ACTION_WAIT = 2,
    /// Get an access token (Jumio Platform) from the item's
    /// `delete_token_state` and give it with `delete_op_authorize`, or the
    /// reason there is none with `delete_op_token_failed`; then poll again.
    DELETE_ACTION_AUTHORIZE = 3,
    /// Finished: `delete_action.outcome` says how. Polling again gives
    /// the same outcome.
    DELETE_ACTION_DONE = 4,
}

/// The next action of a `delete_op`, written by `delete_op_poll`. The
/// caller owns what it holds: free `request` with `delete_request_free`
/// and `outcome` with `delete_outcome_free` (each is NULL unless its kind).
#[repr(C)]
#[derive(Debug)]
pub struct delete_action {
    /// What to do.
    pub kind: delete_action_kind,
    /// For `DELETE_ACTION_WAIT`: how long, in milliseconds (rounded up, so
    /// a driver never polls early); 0 otherwise.
    pub wait_ms: u64,
    /// For `DELETE_ACTION_SEND`: the request to send (its headers hold
    /// the credentials or the access token: never log them); NULL
    /// otherwise.
    pub request: *mut delete_request,
    /// For `DELETE_ACTION_DONE`: how the deletion ended; NULL otherwise.
    pub outcome: *mut delete_outcome,
}

/// One deletion across its attempts, as a state machine the caller
/// drives with its own HTTP client or event loop: poll it
/// (`delete_op_poll`), do what it says (send, wait, authorize), report
/// what happened, until it is done. It reads no clock and does no I/O, and
/// retries exactly as `delete_client_delete` does. Not thread-safe: one
/// thread at a time (it may move between threads). Free it with
/// `delete_op_free`.
pub struct delete_op {
    op: DeleteOp,
}

/// Makes the op that deletes `item` with the client's credentials,
/// endpoint and retry policy (`delete_client_builder_set_max_attempts`,
/// `delete_client_builder_set_retry_delays`). `seed` feeds the backoff
/// jitter: give each op its own (a counter, a random number) so retries
/// spread out. `in_doubt` true resumes a deletion an earlier attempt may
/// have applied (an outcome with `delete_outcome_in_doubt` true): a 404
/// then confirms it by absence instead of being `DELETE_RESULT_NOT_FOUND`.
///
/// Nothing is sent. Refused before any request exists, with the last
/// error naming what was wrong: an unknown product or region
/// (`DELETE_RESULT_INVALID_ARGUMENT`), a malformed reference
/// (`DELETE_RESULT_INVALID_REFERENCE`), no credentials for the item's
/// vendor (`DELETE_RESULT_INVALID_CONFIG`). Free the op with
/// `delete_op_free`; the client may be freed first.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_op_new(
    client: *const delete_client,
    item: *const delete_item,
    seed: u64,
    in_doubt: bool,
    op_out: *mut *mut delete_op,
) -> delete_result {
    guard(|| {
        const CALL: &str = "delete_client_op_new";
        let client = arg(client)?;
        let item = arg(item)?;
        let out = Out::new(op_out)?;
        let intent = resolve_item(CALL, client, item)?;
        let op = client
            .rust()
            .delete_op(&intent, seed, in_doubt)
            .map_err(|e| detailed(delete_result::from_kind(e.kind()), format!("{CALL}: {e}")))?;
        out.write(into_handle(delete_op { op }));
        Ok(())
    })
}

/// Frees an op. NULL does nothing. A request or outcome it handed out
/// stays valid until freed on its own.
#[no_mangle]
pub extern "C" fn delete_op_free(op: *mut delete_op) {
    ffi::free(op);
}

/// Writes the next action into `*action_out` (see `delete_action`): send
/// a request, wait, authorize (Jumio Platform) or done. Polling while an
/// answer is awaited means the driver abandoned that attempt: the op
/// counts it as a transport failure after sending (it may have arrived)
/// and goes on.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_poll(
    op: *mut delete_op,
    action_out: *mut delete_action,
) -> delete_result {
    guard(|| {
        let op = arg_mut(op)?;
        let out = Out::new(action_out)?;
        let mut action = delete_action {
            kind: delete_action_kind::DELETE_ACTION_WAIT,
            wait_ms: 0,
            request: std::ptr::null_mut(),
            outcome: std::ptr::null_mut(),
        };
        match op.op.poll_action() {
            Action::Send(request) => {
                action.kind = delete_action_kind::DELETE_ACTION_SEND;
                let intent = op.op.intent().clone();
                action.request = into_handle(delete_request::new(Some(intent), request));
            }
            Action::Wait(wait) => action.wait_ms = ceil_ms(wait),
            Action::Authorize => action.kind = delete_action_kind::DELETE_ACTION_AUTHORIZE,
            Action::Done(result) => {
                action.kind = delete_action_kind::DELETE_ACTION_DONE;
                action.outcome = into_handle(delete_outcome::new(result));
            }
        }
        out.write(action);
        Ok(())
    })
}

/// `wait` in whole milliseconds, rounded up.
fn ceil_ms(wait: Duration) -> u64 {
    let ms = wait.as_nanos().div_ceil(1_000_000);
    u64::try_from(ms).unwrap_or(u64::MAX)
}

/// Reports the answer to the last `DELETE_ACTION_SEND`: its HTTP `status`,
/// its `header_count` headers (NULL when 0) and its `body_length` body
/// bytes (NULL when 0; bound them, 64 KiB is plenty). Then take the token
/// a 401 refused with `delete_op_take_rejected_token`. Ignored when no
/// answer is awaited. Returns `DELETE_RESULT_INVALID_ARGUMENT` for a
/// status outside 100-999 or a header HTTP does not allow (the op is
/// unchanged: report the attempt as `DELETE_TRANSPORT_ERROR_IO` instead).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_handle_response(
    op: *mut delete_op,
    status: u16,
    headers: *const delete_header,
    header_count: usize,
    body: *const u8,
    body_length: usize,
) -> delete_result {
    guard(|| {
        let op = arg_mut(op)?;
        let answer = response(
            "delete_op_handle_response",
            status,
            headers,
            header_count,
            body,
            body_length,
        )?;
        op.op.handle_response(answer);
        Ok(())
    })
}

/// Reports that the last `DELETE_ACTION_SEND` failed in transport: `kind`
/// is a `DELETE_TRANSPORT_ERROR_*` constant, `sent` true when any byte of
/// the request may have reached the vendor (a timeout or reset after
/// writing), so the deletion may have been applied. Ignored when no answer
/// is awaited.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_handle_transport_error(
    op: *mut delete_op,
    kind: delete_transport_error,
    sent: bool,
) -> delete_result {
    guard(|| {
        let op = arg_mut(op)?;
        let error = transport_error("delete_op_handle_transport_error", kind)?;
        op.op.handle_transport_error(error, sent);
        Ok(())
    })
}

/// Gives the token asked for by `DELETE_ACTION_AUTHORIZE`, just had from
/// `delete_token_state_poll` (`DELETE_TOKEN_ACTION_USE`): poll at once,
/// the next action sends the request with it. The op keeps its own copy:
/// the token may be freed after the call. Ignored unless a token is asked
/// for.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_authorize(
    op: *mut delete_op,
    token: *const delete_token,
) -> delete_result {
    guard(|| {
        let op = arg_mut(op)?;
        let token = arg(token)?;
        op.op.authorize(token.bearer().clone());
        Ok(())
    })
}

/// Reports why no token could be had for `DELETE_ACTION_AUTHORIZE`:
/// `error` is the failed outcome a `delete_token_state` gave (from
/// `delete_token_state_handle_response`,
/// `delete_token_state_handle_transport_error` or
/// `DELETE_TOKEN_ACTION_REFUSED`). A rate limit, a 5xx or a transport
/// failure is retried under the retry policy; anything else ends the op.
/// Ignored unless a token is asked for. Returns
/// `DELETE_RESULT_INVALID_ARGUMENT` for an outcome that is not a failure.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_token_failed(
    op: *mut delete_op,
    error: *const delete_outcome,
) -> delete_result {
    guard(|| {
        let op = arg_mut(op)?;
        let error = arg(error)?.error().cloned().ok_or_else(|| {
            detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                "delete_op_token_failed: the outcome is not a failure; give the one a delete_token_state returned",
            )
        })?;
        op.op.token_failed(error);
        Ok(())
    })
}

/// Writes the generation of the access token that the last answer (a 401)
/// refused, once, so that the driver reports it with
/// `delete_token_state_reject` and no other deletion is sent with it.
/// Call it after every `delete_op_handle_response`. Returns
/// `DELETE_RESULT_ABSENT` (writing nothing) when no token was refused.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_take_rejected_token(
    op: *mut delete_op,
    generation_out: *mut u64,
) -> delete_result {
    guard(|| {
        let op = arg_mut(op)?;
        let out = Out::new(generation_out)?;
        let generation = op.op.take_rejected_token().ok_or(DELETE_RESULT_ABSENT)?;
        out.write(generation);
        Ok(())
    })
}

/// Writes the error the op is about to retry (its next poll is
/// `DELETE_ACTION_WAIT`) as a new outcome the caller frees with
/// `delete_outcome_free`, so a driver with a retry budget or a deadline can
/// look at it and refuse the retry with `delete_op_stop_retrying`. Returns
/// `DELETE_RESULT_ABSENT` (writing nothing) when no retry is pending.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_pending_retry(
    op: *const delete_op,
    error_out: *mut *mut delete_outcome,
) -> delete_result {
    guard(|| {
        let op = arg(op)?;
        let out = Out::new(error_out)?;
        let error = op.op.pending_retry().cloned().ok_or(DELETE_RESULT_ABSENT)?;
        out.write(into_handle(delete_outcome::new(Err(error))));
        Ok(())
    })
}

/// Ends the op with its pending error instead of retrying it (the next
/// poll is `DELETE_ACTION_DONE` with that error); does nothing unless a
/// retry is pending.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_stop_retrying(op: *mut delete_op) -> delete_result {
    guard(|| {
        arg_mut(op)?.op.stop_retrying();
        Ok(())
    })
}

/// Ends the op now: the next poll is `DELETE_ACTION_DONE` with
/// `DELETE_RESULT_CANCELLED`, in doubt if an attempt may have been applied
/// (an answer still awaited counts as one). Does nothing once it is done.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_cancel(op: *mut delete_op) -> delete_result {
    guard(|| {
        arg_mut(op)?.op.cancel();
        Ok(())
    })
}

/// Writes how many requests the op has handed out (token requests are
/// not counted).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_op_attempts(
    op: *const delete_op,
    attempts_out: *mut u32,
) -> delete_result {
    guard(|| {
        let op = arg(op)?;
        Out::new(attempts_out)?.write(op.op.attempts());
        Ok(())
    })
}
