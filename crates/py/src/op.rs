//! `DeleteOp`: the core's retrying state machine for a Python driver (an
//! asyncio loop over httpx, a synchronous loop over `http.client`).
//!
//! The op is the core's [`core::DeleteOp`] unchanged: the same retries,
//! `Retry-After`, backoff and the rule that a 404 after an uncertain
//! attempt confirms a deletion, so a Python driver cannot drift from Rust.
//! `poll()` returns one small frozen class per action (`Send`, `Wait`,
//! `Authorize`, `Done`), each with `__match_args__`, so a driver reads as
//! one `match` statement (or `isinstance` tests before Python 3.10).
//!
//! Thread-safety: the op is guarded by a mutex, so any thread may drive it
//! (`asyncio.to_thread` included), one call at a time; no method waits or
//! releases the GIL, so the mutex is never held across I/O.

use std::sync::{Mutex, MutexGuard};

use idv_delete_blocking::core::{self, Action};
use idv_delete_blocking::{DeleteIntent, TransportError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::credentials::Item;
use crate::errors;
use crate::outcome::Erasure;
use crate::repr::py_repr;
use crate::sansio::{self, Request};
use crate::token::BearerToken;

/// One deletion across its attempts, driven by you: made by
/// ``Client.delete_op(item, seed=...)``.
///
/// Loop on ``poll()``: ``Send(request)``: send it (no redirects) and report
/// the answer with ``handle_response`` or the failure with
/// ``handle_transport_error``, then give ``take_rejected_token()`` (if not
/// ``None``) to the ``TokenState.reject``; ``Wait(seconds)``: sleep, then
/// poll again; ``Authorize()`` (Jumio Platform): get a token from the
/// region's ``TokenState`` and give it with ``authorize``, or its error
/// with ``token_failed``; ``Done(outcome)``: finished (polling again
/// returns the same). The op reads no clock and draws no randomness: the
/// backoff jitter comes from ``seed``.
///
/// Any thread may drive it, one call at a time (a mutex guards it); no
/// method blocks.
#[pyclass(frozen, module = "idv_delete")]
pub struct DeleteOp {
    op: Mutex<core::DeleteOp>,
    intent: DeleteIntent,
}

impl DeleteOp {
    pub(crate) fn new(op: core::DeleteOp) -> DeleteOp {
        DeleteOp {
            intent: op.intent().clone(),
            op: Mutex::new(op),
        }
    }

    fn op(&self) -> MutexGuard<'_, core::DeleteOp> {
        // A panic cannot leave the core op half-updated in a way that
        // matters more than losing the op; keep serving it.
        self.op.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl DeleteOp {
    /// The next thing to do: ``Send``, ``Wait``, ``Authorize`` or ``Done``.
    fn poll(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let action = self.op().poll_action();
        Ok(match action {
            Action::Send(request) => {
                let request = Py::new(py, Request::new(Some(self.intent.clone()), request))?;
                Py::new(py, Send { request })?.into_any()
            }
            Action::Wait(delay) => Py::new(
                py,
                Wait {
                    seconds: delay.as_secs_f64(),
                },
            )?
            .into_any(),
            Action::Authorize => Py::new(py, Authorize)?.into_any(),
            Action::Done(result) => {
                let outcome = match result {
                    Ok(erasure) => Erasure::from(erasure).into_pyobject(py)?.unbind(),
                    Err(error) => errors::exception(py, &error)?.unbind(),
                };
                Py::new(py, Done { outcome })?.into_any()
            }
        })
    }

    /// Reports the answer to the last ``Send``: ``status``, ``headers`` (a
    /// mapping or ``(name, value)`` pairs) and ``body`` (bytes, bounded by
    /// you: 64 KiB is plenty). Ignored when no answer is awaited.
    fn handle_response(
        &self,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
    ) -> PyResult<()> {
        let response = sansio::response(status, headers, body)?;
        self.op().handle_response(response);
        Ok(())
    }

    /// Reports that the last ``Send`` failed in transport: ``kind`` is
    /// ``"timeout"``, ``"connect"``, ``"tls"`` or ``"io"``; ``sent`` is true
    /// when any byte of the request may have reached the vendor (a timeout
    /// or reset after writing), so the deletion may have been applied.
    fn handle_transport_error(&self, kind: &str, sent: bool) -> PyResult<()> {
        let error = transport_error(kind)?;
        self.op().handle_transport_error(error, sent);
        Ok(())
    }

    /// Gives the token asked for by ``Authorize`` (a ``Use`` of the
    /// ``TokenState``); poll at once: it is fresh for that moment.
    fn authorize(&self, token: &BearerToken) {
        self.op().authorize(token.0.clone());
    }

    /// Reports why no token could be had for ``Authorize``: the error that
    /// ``TokenState.handle_response`` or ``handle_transport_error``
    /// returned, or a ``Refused``'s. A 429, 5xx or transport failure is
    /// retried under the policy; anything else ends the op.
    fn token_failed(&self, error: &Bound<'_, PyAny>) -> PyResult<()> {
        let error = errors::from_py(error)?;
        self.op().token_failed(error);
        Ok(())
    }

    /// The generation of the token the last answer (a 401) refused, once:
    /// give it to ``TokenState.reject`` right after ``handle_response``.
    fn take_rejected_token(&self) -> Option<u64> {
        self.op().take_rejected_token()
    }

    /// Ends the op now: the next poll is ``Done`` with a
    /// ``CancelledError`` whose ``in_doubt`` says whether an attempt may
    /// have been applied. Does nothing once finished.
    fn cancel(&self) {
        self.op().cancel();
    }

    /// The error the op is about to retry (its next poll is a ``Wait``),
    /// as an exception instance, or ``None``: a driver with a retry budget
    /// or a deadline checks it and may call ``stop_retrying``.
    #[getter]
    fn pending_retry(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let error = self.op().pending_retry().cloned();
        error
            .map(|e| Ok(errors::exception(py, &e)?.unbind()))
            .transpose()
    }

    /// The error the op is about to retry or ended with, as an exception
    /// instance, or ``None``.
    #[getter]
    fn last_error(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let error = self.op().last_error().cloned();
        error
            .map(|e| Ok(errors::exception(py, &e)?.unbind()))
            .transpose()
    }

    /// Ends the op with its pending error instead of retrying it (the next
    /// poll is ``Done``); does nothing unless a retry is pending.
    fn stop_retrying(&self) {
        self.op().stop_retrying();
    }

    /// Requests handed out so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.op().attempts()
    }

    /// Whether the next poll starts an attempt (a ``Send``, or the
    /// ``Authorize`` right before one): a driver with a rate limit waits
    /// for its turn before polling.
    #[getter]
    fn ready_to_send(&self) -> bool {
        self.op().is_ready_to_send()
    }

    /// What this op deletes.
    #[getter]
    fn item(&self) -> Item {
        Item(self.intent.clone())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "DeleteOp(item={}, attempts={})",
            py_repr(py, self.intent.to_string())?,
            self.attempts()
        ))
    }
}

/// A transport failure's name, as a driver reports it.
pub(crate) fn transport_error(kind: &str) -> PyResult<TransportError> {
    match kind {
        "timeout" => Ok(TransportError::Timeout),
        "connect" => Ok(TransportError::Connect),
        "tls" => Ok(TransportError::Tls),
        "io" => Ok(TransportError::Io),
        other => Err(PyValueError::new_err(format!(
            "unknown transport error {other:?}: use \"timeout\", \"connect\", \"tls\" or \"io\""
        ))),
    }
}

/// Send this request (``request``, an ``idv_delete.Request``), then report
/// the answer or the failure. From ``DeleteOp.poll`` (a delete) and
/// ``TokenState.poll`` (a token request).
#[pyclass(frozen, module = "idv_delete")]
pub struct Send {
    request: Py<Request>,
}

impl Send {
    pub(crate) fn new(request: Py<Request>) -> Send {
        Send { request }
    }
}

#[pymethods]
impl Send {
    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("request",)
    }

    /// The ``idv_delete.Request`` to send (its headers hold credentials:
    /// never log them).
    #[getter]
    fn request(&self, py: Python<'_>) -> Py<Request> {
        self.request.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Send(request={})", self.request.bind(py).repr()?))
    }
}

/// Sleep ``seconds`` (a float: a backoff or the vendor's ``Retry-After``),
/// then poll again.
#[pyclass(frozen, module = "idv_delete")]
pub struct Wait {
    seconds: f64,
}

#[pymethods]
impl Wait {
    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("seconds",)
    }

    /// How long to sleep, in seconds.
    #[getter]
    fn seconds(&self) -> f64 {
        self.seconds
    }

    fn __repr__(&self) -> String {
        format!("Wait(seconds={})", self.seconds)
    }
}

/// Get an access token (Jumio Platform) from the region's ``TokenState``
/// and give it with ``DeleteOp.authorize``, or its error with
/// ``DeleteOp.token_failed``; then poll again.
#[pyclass(frozen, module = "idv_delete")]
pub struct Authorize;

#[pymethods]
impl Authorize {
    #[classattr]
    fn __match_args__(py: Python<'_>) -> Py<PyTuple> {
        PyTuple::empty(py).unbind()
    }

    fn __repr__(&self) -> &'static str {
        "Authorize()"
    }
}

/// The deletion is finished. ``outcome`` is ``Deleted`` or ``Scheduled``,
/// or the ``idv_delete.Error`` it ended with (an instance, not raised);
/// ``result()`` returns the former and raises the latter, as the blocking
/// clients' ``delete_*`` do.
#[pyclass(frozen, module = "idv_delete")]
pub struct Done {
    outcome: Py<PyAny>,
}

#[pymethods]
impl Done {
    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("outcome",)
    }

    /// ``Deleted``, ``Scheduled`` or the ``idv_delete.Error`` (not raised).
    #[getter]
    fn outcome(&self, py: Python<'_>) -> Py<PyAny> {
        self.outcome.clone_ref(py)
    }

    /// ``Deleted`` or ``Scheduled``; raises the ``idv_delete.Error`` the
    /// deletion ended with.
    fn result(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let outcome = self.outcome.bind(py);
        if outcome.is_instance_of::<pyo3::exceptions::PyBaseException>() {
            return Err(PyErr::from_value(outcome.clone()));
        }
        Ok(outcome.clone().unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Done(outcome={})", self.outcome.bind(py).repr()?))
    }
}
