//! The sans-IO pair for users who bring their own HTTP client (asyncio with
//! httpx, aiohttp...): a client's `build_request` gives a [`Request`] to
//! send, and [`parse_response`] reads the answer. One attempt each: retries,
//! and reading a 404 after an uncertain attempt as a deletion, are the
//! caller's decisions (the blocking clients make them for you).

use http::header::HeaderValue;
use idv_delete_blocking::core::parse_response as core_parse_response;
use idv_delete_blocking::{Client, DeleteError, DeleteIntent};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyMapping, PyTuple};

use crate::errors;
use crate::outcome::Erasure;
use crate::repr::py_repr;

/// One HTTP request to send: ``method``, ``url``, ``headers`` (a list of
/// ``(name, value)`` pairs) and ``body`` (bytes), exactly as the vendor
/// documents them. Send it with any HTTP client, without following
/// redirects, and give the answer to ``idv_delete.parse_response``.
///
/// ``headers`` holds the credentials, so never log it; the repr shows
/// ``[redacted]`` in their place.
#[pyclass(frozen, module = "idv_delete")]
pub struct Request {
    /// What the request deletes; `None` for a Jumio Platform token request
    /// (`TokenState`), whose answer goes to `TokenState.handle_response`.
    intent: Option<DeleteIntent>,
    method: String,
    url: String,
    headers: Vec<(String, HeaderValue)>,
    body: Vec<u8>,
}

impl Request {
    /// The request `client` builds for `intent` (the client owns the
    /// credentials and the endpoint), or the error of either as the
    /// `idv_delete.Error` subclass.
    pub(crate) fn build(
        py: Python<'_>,
        client: &Client,
        intent: Result<DeleteIntent, DeleteError>,
    ) -> PyResult<Request> {
        intent
            .and_then(|intent| {
                let request = client.to_request(&intent)?;
                Ok(Request::new(Some(intent), request))
            })
            .map_err(|e| errors::to_py(py, e))
    }

    /// The Python view of `request`, which deletes `intent` (or buys a
    /// token: `None`).
    pub(crate) fn new(intent: Option<DeleteIntent>, request: http::Request<Vec<u8>>) -> Request {
        let (parts, body) = request.into_parts();
        Request {
            intent,
            method: parts.method.to_string(),
            url: parts.uri.to_string(),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), value.clone()))
                .collect(),
            body,
        }
    }
}

#[pymethods]
impl Request {
    /// The HTTP method: ``"DELETE"``, or ``"POST"`` for Stripe's redaction.
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The full URL.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The headers as ``(name, value)`` pairs, credentials included.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let pairs = self
            .headers
            .iter()
            .map(|(name, value)| PyTuple::new(py, [name.as_str(), &text(value)]))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, pairs)
    }

    /// The body: ``{"transactionId":"..."}`` for HyperVerge, empty for the
    /// others (send an empty POST, Stripe's, with ``Content-Length: 0``).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.body)
    }

    /// Shows every header, with the values marked sensitive (the
    /// credentials) as ``[redacted]``.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if value.is_sensitive() {
                    "[redacted]".to_owned()
                } else {
                    text(value)
                };
                PyTuple::new(py, [name.as_str(), &shown])
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(format!(
            "Request(method={}, url={}, headers={}, body={})",
            py_repr(py, &self.method)?,
            py_repr(py, &self.url)?,
            PyList::new(py, headers)?.repr()?,
            self.body(py).repr()?,
        ))
    }
}

/// Reads the answer to ``request``: ``status`` (an int), ``headers`` (a
/// mapping or ``(name, value)`` pairs; ``Retry-After`` and ``Date`` matter)
/// and ``body`` (bytes).
///
/// Returns ``Deleted`` for a deletion, ``Scheduled`` for an erasure the
/// vendor completes later (test with ``isinstance``); raises the ``idv_delete.Error``
/// subclass of any other answer (``NotFoundError`` for a 404,
/// ``RateLimitedError`` with ``retry_after`` for a 429...).
#[pyfunction]
pub fn parse_response(
    py: Python<'_>,
    request: &Request,
    status: u16,
    headers: &Bound<'_, PyAny>,
    body: &[u8],
) -> PyResult<Erasure> {
    let Some(intent) = &request.intent else {
        return Err(PyValueError::new_err(
            "this is a token request: give its answer to TokenState.handle_response, not parse_response",
        ));
    };
    core_parse_response(intent, response(status, headers, body)?)
        .map(Erasure::from)
        .map_err(|e| errors::to_py(py, e))
}

/// An answer from Python: `status`, `headers` (a mapping or `(name, value)`
/// pairs) and `body`, for the core to read.
pub(crate) fn response<'b>(
    status: u16,
    headers: &Bound<'_, PyAny>,
    body: &'b [u8],
) -> PyResult<http::Response<&'b [u8]>> {
    let mut response = http::Response::builder().status(status);
    let pairs = match headers.cast::<PyMapping>() {
        Ok(mapping) => mapping.items()?.into_any(),
        Err(_) => headers.clone(),
    };
    for pair in pairs.try_iter()? {
        let (name, value): (String, String) = pair?.extract()?;
        response = response.header(name, value);
    }
    response
        .body(body)
        .map_err(|e| PyValueError::new_err(format!("not an HTTP response: {e}")))
}

/// A header value as text; ours are visible ASCII, so nothing is lost.
fn text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}
