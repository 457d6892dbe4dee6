//! The two clients, `Jumio` and `HyperVerge`: thin shells over one Rust
//! [`Client`] each, which alone holds the credentials and the endpoint
//! (the sans-IO `build_request` asks it too).
//!
//! Every network call runs with the GIL released (`py.detach`), so threads
//! sharing a client delete in parallel; the Rust client is `Sync` and
//! shares one connection pool.

use std::path::PathBuf;
use std::time::Duration;

use idv_delete_blocking::{
    Client, ClientBuilder, DeleteError, DeleteIntent, Endpoint, ErrorKind, HyperVergeCredentials,
    JumioCredentials, JumioProduct, Region, RetryPolicy, Vendor, DEFAULT_CONCURRENCY,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::batch::{self, BatchArgs};
use crate::errors;
use crate::interrupt;
use crate::outcome::{BatchReport, Deleted};
use crate::repr::py_repr;
use crate::sansio::Request;

/// A client of Jumio's delete API (ID Verification, Authentication and
/// Document Verification transactions).
///
/// ``Jumio(api_token, api_secret, *, user_agent, region="us", base_url=None,
/// connect_timeout=10.0, timeout=30.0, max_attempts=4)``. Jumio requires a
/// User-Agent naming your business (``"Acme KYC-Cleaner/1.0"``) and
/// recommends dedicated "transaction administration" credentials for
/// deletion. ``region`` is ``"us"``, ``"eu"`` or ``"sgp"``; ``base_url``
/// replaces the documented hosts (https, or http on a loopback address for
/// the emulator). Timeouts are in seconds; ``max_attempts`` counts the first
/// request and its retries (429, 5xx, timeouts, resets).
///
/// Thread-safe: share one client between threads; the GIL is released while
/// a deletion waits on the network. Its repr never shows a credential.
#[pyclass(frozen, module = "idv_delete")]
pub struct Jumio {
    client: Client,
    region: Region,
    /// For the repr only: the client sends its own copy.
    user_agent: String,
}

#[pymethods]
impl Jumio {
    #[new]
    #[pyo3(signature = (
        api_token,
        api_secret,
        *,
        user_agent,
        region = "us",
        base_url = None,
        connect_timeout = DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
        timeout = DEFAULT_TIMEOUT.as_secs_f64(),
        max_attempts = i64::from(RetryPolicy::default().max_attempts),
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        py: Python<'_>,
        api_token: PyBackedStr,
        api_secret: PyBackedStr,
        user_agent: PyBackedStr,
        region: &str,
        base_url: Option<&str>,
        connect_timeout: f64,
        timeout: f64,
        max_attempts: i64,
    ) -> PyResult<Jumio> {
        let build = || -> Result<Jumio, DeleteError> {
            let credentials = JumioCredentials::new(&api_token, &api_secret, &user_agent)?;
            let endpoint = base_url.map_or(Ok(Endpoint::Documented), Endpoint::custom)?;
            let user_agent = credentials.user_agent().as_str().to_owned();
            let builder = Client::builder()
                .jumio(credentials)
                .jumio_endpoint(endpoint);
            Ok(Jumio {
                client: build_client(builder, connect_timeout, timeout, max_attempts)?,
                user_agent,
                region: region.parse()?,
            })
        };
        build().map_err(|e| errors::to_py(py, e))
    }

    /// Deletes an ID Verification transaction ("scan") by its reference.
    ///
    /// Returns ``Deleted``; raises an ``idv_delete.Error`` subclass, such as
    /// ``NotFoundError`` for a reference Jumio does not hold.
    fn delete_scan(&self, py: Python<'_>, reference: PyBackedStr) -> PyResult<Deleted> {
        self.delete(py, JumioProduct::IdVerification, &reference)
    }

    /// Deletes an Authentication transaction by its reference.
    fn delete_authentication(&self, py: Python<'_>, reference: PyBackedStr) -> PyResult<Deleted> {
        self.delete(py, JumioProduct::Authentication, &reference)
    }

    /// Deletes a Document Verification transaction by its reference.
    fn delete_document(&self, py: Python<'_>, reference: PyBackedStr) -> PyResult<Deleted> {
        self.delete(py, JumioProduct::DocumentVerification, &reference)
    }

    /// Deletes every reference of ``references`` (any iterable of str, read
    /// lazily) of one ``product`` (``"scan"``, ``"authentication"`` or
    /// ``"document"``) with ``concurrency`` worker threads, at most ``rate``
    /// requests per second, journaled to ``journal`` if given (run again
    /// with the same journal to resume: finished items are skipped).
    ///
    /// Per-item failures are counted in the returned ``BatchReport``, never
    /// raised. ``progress`` is a callable receiving a ``Progress`` after each
    /// item (from worker threads), or ``True`` for a progress line on stderr.
    /// If the input raises or yields an invalid reference, the input ends
    /// there (items read before it are still deleted); if the callback
    /// raises, the batch is cancelled (items in flight finish and are
    /// journaled). Either way the exception is raised once the batch has
    /// drained. Ctrl-C raises ``KeyboardInterrupt`` within a fraction of a
    /// second, pauses included: items cut short are journaled as cancelled
    /// (a resume runs them again) and the exception's ``report`` attribute is
    /// the partial ``BatchReport``. ``dry_run=True`` validates and counts only.
    #[pyo3(signature = (
        references,
        *,
        product = "scan",
        journal = None,
        concurrency = DEFAULT_CONCURRENCY as i64,
        rate = None,
        progress = None,
        dry_run = false,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn delete_many(
        &self,
        py: Python<'_>,
        references: &Bound<'_, PyAny>,
        product: &str,
        journal: Option<PathBuf>,
        concurrency: i64,
        rate: Option<f64>,
        progress: Option<Bound<'_, PyAny>>,
        dry_run: bool,
    ) -> PyResult<Py<BatchReport>> {
        let product: JumioProduct = product.parse().map_err(|e| errors::to_py(py, e))?;
        let region = self.region;
        let args = BatchArgs {
            journal,
            concurrency: whole("concurrency", concurrency).map_err(|e| errors::to_py(py, e))?,
            rate,
            progress,
            dry_run,
        };
        batch::delete_many(
            py,
            &self.client,
            references,
            move |reference| DeleteIntent::jumio(product, region, reference),
            args,
        )
    }

    /// The sans-IO half for your own HTTP client (asyncio, httpx...): the
    /// exact request deleting ``reference`` of ``product``, sent by you.
    /// Read its answer with ``idv_delete.parse_response``. No retries.
    #[pyo3(signature = (reference, *, product = "scan"))]
    fn build_request(&self, py: Python<'_>, reference: &str, product: &str) -> PyResult<Request> {
        let intent = product
            .parse()
            .and_then(|product| DeleteIntent::jumio(product, self.region, reference));
        Request::build(py, &self.client, intent)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Jumio(region={}, user_agent={}, base_url={})",
            py_repr(py, self.region.as_str())?,
            py_repr(py, &self.user_agent)?,
            py_repr(py, base_url(&self.client, Vendor::Jumio))?,
        ))
    }
}

impl Jumio {
    fn delete(&self, py: Python<'_>, product: JumioProduct, reference: &str) -> PyResult<Deleted> {
        let intent = DeleteIntent::jumio(product, self.region, reference)
            .map_err(|e| errors::to_py(py, e))?;
        delete_interruptibly(py, &self.client, &intent)
    }
}

/// A client of HyperVerge's delete API.
///
/// ``HyperVerge(app_id, app_key, *, base_url=None, host=None,
/// connect_timeout=10.0, timeout=30.0, max_attempts=4)``. HyperVerge serves
/// some customers from other hosts: give ``host`` (such as
/// ``"ind.idv.hyperverge.co"``, reached over https) or a whole ``base_url``,
/// not both. HyperVerge only answers allow-listed IP addresses (otherwise
/// ``ForbiddenError``).
///
/// Thread-safe: share one client between threads; the GIL is released while
/// a deletion waits on the network. Its repr never shows a credential.
#[pyclass(frozen, module = "idv_delete")]
pub struct HyperVerge {
    client: Client,
}

#[pymethods]
impl HyperVerge {
    #[new]
    #[pyo3(signature = (
        app_id,
        app_key,
        *,
        base_url = None,
        host = None,
        connect_timeout = DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
        timeout = DEFAULT_TIMEOUT.as_secs_f64(),
        max_attempts = i64::from(RetryPolicy::default().max_attempts),
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        py: Python<'_>,
        app_id: PyBackedStr,
        app_key: PyBackedStr,
        base_url: Option<&str>,
        host: Option<&str>,
        connect_timeout: f64,
        timeout: f64,
        max_attempts: i64,
    ) -> PyResult<HyperVerge> {
        let build = || -> Result<HyperVerge, DeleteError> {
            let credentials = HyperVergeCredentials::new(&app_id, &app_key)?;
            let endpoint = match (base_url, host) {
                (Some(_), Some(_)) => {
                    return Err(DeleteError::new(
                        ErrorKind::InvalidConfig,
                        "give base_url or host, not both: host is a shorthand for base_url=\"https://HOST\"",
                    ))
                }
                (Some(url), None) => Endpoint::custom(url)?,
                (None, Some(host)) => Endpoint::hyperverge_host(host)?,
                (None, None) => Endpoint::Documented,
            };
            let builder = Client::builder()
                .hyperverge(credentials)
                .hyperverge_endpoint(endpoint);
            Ok(HyperVerge {
                client: build_client(builder, connect_timeout, timeout, max_attempts)?,
            })
        };
        build().map_err(|e| errors::to_py(py, e))
    }

    /// Deletes a HyperVerge transaction by its id.
    ///
    /// Returns ``Deleted`` (with the ``audits`` HyperVerge reported deleted);
    /// raises an ``idv_delete.Error`` subclass otherwise.
    fn delete_transaction(&self, py: Python<'_>, transaction_id: PyBackedStr) -> PyResult<Deleted> {
        let intent = DeleteIntent::hyperverge(&transaction_id).map_err(|e| errors::to_py(py, e))?;
        delete_interruptibly(py, &self.client, &intent)
    }

    /// Deletes every transaction id of ``transaction_ids`` (any iterable of
    /// str, read lazily); the options and the failure rules are those of
    /// ``Jumio.delete_many``.
    #[pyo3(signature = (
        transaction_ids,
        *,
        journal = None,
        concurrency = DEFAULT_CONCURRENCY as i64,
        rate = None,
        progress = None,
        dry_run = false,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn delete_many(
        &self,
        py: Python<'_>,
        transaction_ids: &Bound<'_, PyAny>,
        journal: Option<PathBuf>,
        concurrency: i64,
        rate: Option<f64>,
        progress: Option<Bound<'_, PyAny>>,
        dry_run: bool,
    ) -> PyResult<Py<BatchReport>> {
        let args = BatchArgs {
            journal,
            concurrency: whole("concurrency", concurrency).map_err(|e| errors::to_py(py, e))?,
            rate,
            progress,
            dry_run,
        };
        batch::delete_many(
            py,
            &self.client,
            transaction_ids,
            DeleteIntent::hyperverge,
            args,
        )
    }

    /// The sans-IO half for your own HTTP client: the exact request deleting
    /// ``transaction_id``, sent by you. Read its answer with
    /// ``idv_delete.parse_response``. No retries.
    fn build_request(&self, py: Python<'_>, transaction_id: &str) -> PyResult<Request> {
        Request::build(py, &self.client, DeleteIntent::hyperverge(transaction_id))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "HyperVerge(base_url={})",
            py_repr(py, base_url(&self.client, Vendor::HyperVerge))?
        ))
    }
}

/// One deletion with the GIL released, which Ctrl-C stops within a
/// fraction of a second, waits included: it then raises `KeyboardInterrupt`
/// (or whatever a signal handler raised), whatever the deletion's own end.
///
/// The deletion runs on the calling thread, and its waits check for
/// signals themselves (see `interrupt::watched_token`): no second thread
/// per call, so a deletion that needs no wait costs nothing extra.
fn delete_interruptibly(
    py: Python<'_>,
    client: &Client,
    intent: &DeleteIntent,
) -> PyResult<Deleted> {
    let (cancel, interrupt) = interrupt::watched_token();
    let result = py.detach(|| client.delete_cancellable(intent, &cancel));
    if let Some(interrupt) = interrupt.take() {
        return Err(interrupt);
    }
    result.map(Deleted).map_err(|e| errors::to_py(py, e))
}

/// The custom base URL of `vendor`'s requests, or `None` for the
/// documented hosts.
fn base_url(client: &Client, vendor: Vendor) -> Option<&str> {
    match client.endpoint(vendor)? {
        Endpoint::Documented => None,
        Endpoint::Custom(url) => Some(url.as_str()),
    }
}

/// Applies the keyword arguments both clients share and builds the client.
fn build_client(
    builder: ClientBuilder,
    connect_timeout: f64,
    timeout: f64,
    max_attempts: i64,
) -> Result<Client, DeleteError> {
    let policy = RetryPolicy {
        max_attempts: whole("max_attempts", max_attempts)?,
        ..RetryPolicy::default()
    };
    builder
        .connect_timeout(seconds("connect_timeout", connect_timeout)?)
        .timeout(seconds("timeout", timeout)?)
        .retry_policy(policy)
        .build()
}

/// A duration in seconds from Python; the builder checks its range.
fn seconds(name: &str, value: f64) -> Result<Duration, DeleteError> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        DeleteError::new(
            ErrorKind::InvalidConfig,
            format!("{name} is {value}; give a positive number of seconds"),
        )
    })
}

/// A count from Python: a negative one is an `InvalidConfigError` like any
/// other bad setting, not the `OverflowError` of an unsigned conversion.
fn whole<T: TryFrom<i64>>(name: &str, value: i64) -> Result<T, DeleteError> {
    T::try_from(value).map_err(|_| {
        DeleteError::new(
            ErrorKind::InvalidConfig,
            format!("{name} is {value}; give a positive whole number"),
        )
    })
}
