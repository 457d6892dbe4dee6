//! [`delete_token_state`]: the Jumio Platform's OAuth2 access token, shared
//! by every `delete_op` of one credential and region, for C programs that
//! drive the ops themselves.
//!
//! The state holds one token for all the ops: polled at the driver's
//! `now`, it hands out the cached token while it is fresh, a token request
//! when one must be bought (one at a time, however many ops wait), or the
//! refusal that retrying cannot fix. A token is a handle whose value is
//! never readable on its own: it reaches the wire only as the
//! `Authorization` header of the request a `delete_op` builds with it, and
//! never appears in a message.
//!
//! A state is not thread-safe: one thread at a time uses it (the thread
//! driving its ops).

use std::time::Duration;

use idv_delete_blocking::core::{BearerToken, TokenAction, TokenState};
use idv_delete_blocking::{Region, Vendor};

use crate::client::{delete_client, delete_region, region, JUMIO_REGIONS};
use crate::ffi::{self, arg, arg_mut, guard, into_handle, Out};
use crate::last_error::detailed;
use crate::op::{delete_transport_error, transport_error};
use crate::outcome::delete_outcome;
use crate::result::delete_result::{self, *};
use crate::sansio::{delete_header, delete_request, response};

/// An access token handed out by `delete_token_state_poll`, to give to
/// `delete_op_authorize`. Its value is never readable: it is sent only in
/// the request the op builds with it. Immutable; free it with
/// `delete_token_free` (which wipes it).
pub struct delete_token {
    token: BearerToken,
}

impl delete_token {
    /// The core's token.
    pub(crate) fn bearer(&self) -> &BearerToken {
        &self.token
    }
}

/// What a `delete_token_state` asks its driver to do
/// (`delete_token_action.kind`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum delete_token_action_kind {
    /// Give `delete_token_action.token` to the op at once with
    /// `delete_op_authorize`.
    DELETE_TOKEN_ACTION_USE = 1,
    /// Send `delete_token_action.request` (it holds the client secret:
    /// never log it), then report the answer with
    /// `delete_token_state_handle_response` or the failure with
    /// `delete_token_state_handle_transport_error`.
    DELETE_TOKEN_ACTION_SEND = 2,
    /// Another op's token request is on its way: poll again once it is
    /// reported.
    DELETE_TOKEN_ACTION_AWAIT_FETCH = 3,
    /// The token endpoint refused the credentials or answered something
    /// that is not a token; retrying cannot help. Give
    /// `delete_token_action.error` to the op with `delete_op_token_failed`.
    DELETE_TOKEN_ACTION_REFUSED = 4,
}

/// What `delete_token_state_poll` wrote. The caller owns what it holds:
/// free `token` with `delete_token_free`, `request` with
/// `delete_request_free` and `error` with `delete_outcome_free` (each is
/// NULL unless its kind).
#[repr(C)]
#[derive(Debug)]
pub struct delete_token_action {
    /// What to do.
    pub kind: delete_token_action_kind,
    /// For `DELETE_TOKEN_ACTION_USE`: the token; NULL otherwise.
    pub token: *mut delete_token,
    /// For `DELETE_TOKEN_ACTION_SEND`: the token request; NULL otherwise.
    pub request: *mut delete_request,
    /// For `DELETE_TOKEN_ACTION_REFUSED`: the failed outcome to give the
    /// op; NULL otherwise.
    pub error: *mut delete_outcome,
}

/// One Jumio Platform credential's access token in one region, shared by
/// the `delete_op`s of its items (see `delete_client_token_state_new`).
/// Not thread-safe: one thread at a time. Free it with
/// `delete_token_state_free`.
pub struct delete_token_state {
    state: TokenState,
}

/// Makes the token state of the client's Jumio Platform credentials in
/// `region` (a `DELETE_REGION_*` constant of the Jumio Platform: US, EU or
/// SGP; 0 for the region given with the credentials). One per region for
/// every op of that region: the ops then share one token per lifetime. It
/// holds no token yet; the first poll asks for a token request. No I/O.
/// Returns `DELETE_RESULT_INVALID_CONFIG` without Jumio Platform
/// credentials, `DELETE_RESULT_INVALID_ARGUMENT` for another region.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_token_state_new(
    client: *const delete_client,
    region: delete_region,
    state_out: *mut *mut delete_token_state,
) -> delete_result {
    guard(|| {
        const CALL: &str = "delete_client_token_state_new";
        let client = arg(client)?;
        let out = Out::new(state_out)?;
        if client.rust().endpoint(Vendor::JumioPlatform).is_none() {
            return Err(detailed(
                DELETE_RESULT_INVALID_CONFIG,
                format!("{CALL}: this client has no jumio-platform credentials: set them with delete_client_builder_set_jumio_platform"),
            ));
        }
        let name = match region {
            0 => client
                .region_of(Vendor::JumioPlatform)
                .ok_or(DELETE_RESULT_INVALID_CONFIG)?,
            code => self::region(CALL, code, &JUMIO_REGIONS)?,
        };
        let region: Region = name.parse().map_err(|_| DELETE_RESULT_INVALID_ARGUMENT)?;
        let state = client
            .rust()
            .token_state(region)
            .map_err(|e| detailed(delete_result::from_kind(e.kind()), format!("{CALL}: {e}")))?;
        out.write(into_handle(delete_token_state { state }));
        Ok(())
    })
}

/// Frees a token state and wipes its token. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_token_state_free(state: *mut delete_token_state) {
    ffi::free(state);
}

/// Frees a token and wipes it. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_token_free(token: *mut delete_token) {
    ffi::free(token);
}

/// Writes which token of its state this is (1 for the first bought): the
/// number a 401 reports (`delete_op_take_rejected_token`).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_token_generation(
    token: *const delete_token,
    generation_out: *mut u64,
) -> delete_result {
    guard(|| {
        let token = arg(token)?;
        Out::new(generation_out)?.write(token.token.generation());
        Ok(())
    })
}

/// The driver's clock in milliseconds as the core's.
fn at(now_ms: u64) -> Duration {
    Duration::from_millis(now_ms)
}

/// Writes what to do for a token at `now_ms`, any monotonic clock of the
/// driver's in milliseconds (the same for every call on this state), into
/// `*action_out` (see `delete_token_action`). A token is fresh until a
/// tenth of its lifetime (at most 5 minutes) before it expires, counted
/// from when its request was handed out.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_token_state_poll(
    state: *mut delete_token_state,
    now_ms: u64,
    action_out: *mut delete_token_action,
) -> delete_result {
    guard(|| {
        let state = arg_mut(state)?;
        let out = Out::new(action_out)?;
        let mut action = delete_token_action {
            kind: delete_token_action_kind::DELETE_TOKEN_ACTION_AWAIT_FETCH,
            token: std::ptr::null_mut(),
            request: std::ptr::null_mut(),
            error: std::ptr::null_mut(),
        };
        match state.state.poll(at(now_ms)) {
            TokenAction::Use(token) => {
                action.kind = delete_token_action_kind::DELETE_TOKEN_ACTION_USE;
                action.token = into_handle(delete_token { token });
            }
            TokenAction::Send(request) => {
                action.kind = delete_token_action_kind::DELETE_TOKEN_ACTION_SEND;
                action.request = into_handle(delete_request::new(None, request));
            }
            TokenAction::AwaitFetch => {}
            TokenAction::Refused(error) => {
                action.kind = delete_token_action_kind::DELETE_TOKEN_ACTION_REFUSED;
                action.error = into_handle(delete_outcome::new(Err(error)));
            }
        }
        out.write(action);
        Ok(())
    })
}

/// Reports the answer to the token request last handed out, received at
/// `now_ms`: its HTTP `status`, `header_count` headers (NULL when 0) and
/// `body_length` body bytes (NULL when 0). Writes to `*error_out` NULL
/// when a token was had (poll again), or the failed outcome to give the op
/// that asked with `delete_op_token_failed` (free it after). Ignored
/// (NULL written) when no token request is awaited. Returns
/// `DELETE_RESULT_INVALID_ARGUMENT` for a status outside 100-999 or a
/// header HTTP does not allow (nothing changed: report the attempt with
/// `delete_token_state_handle_transport_error` instead).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_token_state_handle_response(
    state: *mut delete_token_state,
    now_ms: u64,
    status: u16,
    headers: *const delete_header,
    header_count: usize,
    body: *const u8,
    body_length: usize,
    error_out: *mut *mut delete_outcome,
) -> delete_result {
    guard(|| {
        let state = arg_mut(state)?;
        let answer = response(
            "delete_token_state_handle_response",
            status,
            headers,
            header_count,
            body,
            body_length,
        )?;
        let out = Out::new(error_out)?;
        let error = match state.state.handle_response(at(now_ms), answer) {
            Ok(()) => std::ptr::null_mut(),
            Err(error) => into_handle(delete_outcome::new(Err(error))),
        };
        out.write(error);
        Ok(())
    })
}

/// Reports that the token request failed in transport (`kind` a
/// `DELETE_TRANSPORT_ERROR_*` constant; a token request changes nothing,
/// so whether it was sent does not matter) and writes the failed outcome
/// to give the op that asked with `delete_op_token_failed` (free it
/// after).
#[must_use]
#[no_mangle]
pub extern "C" fn delete_token_state_handle_transport_error(
    state: *mut delete_token_state,
    kind: delete_transport_error,
    error_out: *mut *mut delete_outcome,
) -> delete_result {
    guard(|| {
        let state = arg_mut(state)?;
        let kind = transport_error("delete_token_state_handle_transport_error", kind)?;
        let out = Out::new(error_out)?;
        let error = state.state.handle_transport_error(kind);
        out.write(into_handle(delete_outcome::new(Err(error))));
        Ok(())
    })
}

/// A delete carrying the token of `generation` was answered 401 (from
/// `delete_op_take_rejected_token`): forget that token, so the next poll
/// buys another. Does nothing if a newer token is held already.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_token_state_reject(
    state: *mut delete_token_state,
    generation: u64,
) -> delete_result {
    guard(|| {
        arg_mut(state)?.state.reject(generation);
        Ok(())
    })
}

/// Writes how many token requests the state has handed out.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_token_state_token_requests(
    state: *const delete_token_state,
    count_out: *mut u64,
) -> delete_result {
    guard(|| {
        let state = arg(state)?;
        Out::new(count_out)?.write(state.state.token_requests());
        Ok(())
    })
}
