//! `TokenState`: the Jumio Platform's OAuth2 token for a Python driver,
//! the core's [`core::TokenState`] unchanged (single flight, refresh margin,
//! refusal remembered), with the driver's clock in float seconds.
//!
//! `poll()` answers `Use(token)`, `Send(request)` (the `Send` class of
//! `DeleteOp`), `AwaitFetch()` or `Refused(error)`. The token's value never
//! reaches Python: a `BearerToken` goes from `Use` to `DeleteOp.authorize`,
//! which puts it in the request's `Authorization` header.
//!
//! Thread-safety: as `DeleteOp`, a mutex guards it; one state is shared by
//! every op of its region, all driven by one event loop.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use idv_delete_blocking::core::{self, TokenAction};
use idv_delete_blocking::Region;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors;
use crate::op::{transport_error, Send};
use crate::sansio::{self, Request};

/// One Jumio Platform credential's access token for one region, shared by
/// every ``DeleteOp`` of that region: made by ``Client.token_state(region)``.
///
/// ``now`` is your monotonic clock in seconds (``time.monotonic()``, or
/// ``loop.time()``), the same one for every call. ``poll(now)`` answers
/// ``Use(token)`` (give it to ``DeleteOp.authorize``), ``Send(request)``
/// (send it, then call ``handle_response`` or ``handle_transport_error``),
/// ``AwaitFetch()`` (another op's token request is on its way: poll again
/// once it is reported) or ``Refused(error)`` (give the error to
/// ``DeleteOp.token_failed``). The token request's headers hold the client
/// credentials: never log them (the request's repr redacts them).
///
/// Any thread may call it, one call at a time (a mutex guards it); no
/// method blocks.
#[pyclass(frozen, module = "idv_delete")]
pub struct TokenState {
    state: Mutex<core::TokenState>,
    region: Region,
}

impl TokenState {
    pub(crate) fn new(state: core::TokenState, region: Region) -> TokenState {
        TokenState {
            state: Mutex::new(state),
            region,
        }
    }

    fn state(&self) -> MutexGuard<'_, core::TokenState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `now` in seconds as the core's clock reading.
fn clock(now: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(now).map_err(|_| {
        PyValueError::new_err(format!(
            "now is {now}; give your monotonic clock's reading in seconds (time.monotonic()), 0 or more"
        ))
    })
}

#[pymethods]
impl TokenState {
    /// What to do for a token at ``now``.
    fn poll(&self, py: Python<'_>, now: f64) -> PyResult<Py<PyAny>> {
        let now = clock(now)?;
        let action = self.state().poll(now);
        Ok(match action {
            TokenAction::Use(token) => Py::new(py, Use(BearerToken(token)))?.into_any(),
            TokenAction::Send(request) => {
                let request = Py::new(py, Request::new(None, request))?;
                Py::new(py, Send::new(request))?.into_any()
            }
            TokenAction::AwaitFetch => Py::new(py, AwaitFetch)?.into_any(),
            TokenAction::Refused(error) => Py::new(
                py,
                Refused {
                    error: errors::exception_for_core(py, &error)?.unbind(),
                },
            )?
            .into_any(),
        })
    }

    /// Reports the answer to the token request, received at ``now``:
    /// ``None`` once a token is held, or the ``idv_delete.Error`` to give
    /// the op that asked (``DeleteOp.token_failed``). Ignored (``None``)
    /// when no token request is awaited.
    fn handle_response(
        &self,
        py: Python<'_>,
        now: f64,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
    ) -> PyResult<Option<Py<PyAny>>> {
        let now = clock(now)?;
        let response = sansio::response(status, headers, body)?;
        let result = self.state().handle_response(now, response);
        match result {
            Ok(()) => Ok(None),
            Err(error) => Ok(Some(errors::exception_for_core(py, &error)?.unbind())),
        }
    }

    /// Reports that the token request failed in transport (``"timeout"``,
    /// ``"connect"``, ``"tls"`` or ``"io"``); returns the error to give the
    /// op that asked. A token request changes nothing, so it is never in
    /// doubt.
    fn handle_transport_error(&self, py: Python<'_>, kind: &str) -> PyResult<Py<PyAny>> {
        let error = self.state().handle_transport_error(transport_error(kind)?);
        Ok(errors::exception_for_core(py, &error)?.unbind())
    }

    /// A delete carrying the token of ``generation`` was answered 401
    /// (``DeleteOp.take_rejected_token``): the next poll buys another.
    fn reject(&self, generation: u64) {
        self.state().reject(generation);
    }

    /// Token requests handed out so far.
    #[getter]
    fn token_requests(&self) -> u64 {
        self.state().token_requests()
    }

    /// The region: ``"us"``, ``"eu"`` or ``"sgp"``.
    #[getter]
    fn region(&self) -> &'static str {
        self.region.as_str()
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenState(region={:?}, token_requests={})",
            self.region.as_str(),
            self.token_requests()
        )
    }
}

/// An access token: its ``generation`` (1 for the first bought) and
/// ``expires_at`` (on your clock, in seconds). Its value never leaves
/// Rust: ``DeleteOp.authorize`` puts it in the request, and the repr shows
/// ``[redacted]``.
#[pyclass(frozen, module = "idv_delete")]
pub struct BearerToken(pub(crate) core::BearerToken);

#[pymethods]
impl BearerToken {
    /// Which token of its state this is: what ``TokenState.reject`` takes.
    #[getter]
    fn generation(&self) -> u64 {
        self.0.generation()
    }

    /// When the vendor stops accepting it, on the driver's clock.
    #[getter]
    fn expires_at(&self) -> f64 {
        self.0.expires_at().as_secs_f64()
    }

    fn __repr__(&self) -> String {
        format!(
            "BearerToken(value=[redacted], generation={}, expires_at={})",
            self.generation(),
            self.expires_at()
        )
    }
}

/// Use ``token`` now: give it to ``DeleteOp.authorize`` and poll the op.
#[pyclass(frozen, module = "idv_delete")]
pub struct Use(BearerToken);

#[pymethods]
impl Use {
    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("token",)
    }

    /// The token, as a ``BearerToken``.
    #[getter]
    fn token(&self) -> BearerToken {
        BearerToken(self.0 .0.clone())
    }

    fn __repr__(&self) -> String {
        format!("Use(token={})", self.0.__repr__())
    }
}

/// Another op's token request is on its way: poll again once it is
/// reported.
#[pyclass(frozen, module = "idv_delete")]
pub struct AwaitFetch;

#[pymethods]
impl AwaitFetch {
    #[classattr]
    fn __match_args__(py: Python<'_>) -> Py<PyTuple> {
        PyTuple::empty(py).unbind()
    }

    fn __repr__(&self) -> &'static str {
        "AwaitFetch()"
    }
}

/// The token endpoint refused the credentials (or answered something that
/// is not a token): ``error`` is the ``idv_delete.Error``; give it to
/// ``DeleteOp.token_failed``. Every later poll refuses alike.
#[pyclass(frozen, module = "idv_delete")]
pub struct Refused {
    error: Py<PyAny>,
}

#[pymethods]
impl Refused {
    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("error",)
    }

    /// The ``idv_delete.Error`` (``UnauthorizedError`` for refused
    /// credentials), not raised.
    #[getter]
    fn error(&self, py: Python<'_>) -> Py<PyAny> {
        self.error.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Refused(error={})", self.error.bind(py).repr()?))
    }
}
