//! `idv_delete.Client`: one client for every vendor, as the Rust `Client`
//! and the CLI's CSV batches are. It holds one Rust [`blocking::Client`]
//! configured with every vendor given, so single deletions, one journaled
//! batch over items of any vendor, rechecks and the token count are the
//! Rust client's; the per-vendor classes are the same client with one
//! vendor (they share `client`'s helpers). Its sans-IO objects
//! (`delete_op`, `token_state`) come from the Rust client too, which alone
//! holds the credentials.

use std::collections::BTreeMap;
use std::path::PathBuf;

use idv_delete_blocking::core::Credentials;
use idv_delete_blocking::{
    self as blocking, DeleteError, DeleteIntent, Endpoint, ErrorKind, Region, RetryPolicy, Vendor,
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyMapping, PyString, PyTuple};

use crate::batch::{self, BatchArgs};
use crate::client::{
    base_url, build_client, delete_interruptibly, delete_resumed, whole, Settings,
};
use crate::credentials::{
    read_item, HyperVergeCredentials, Item, JumioCredentials, JumioPlatformCredentials,
    OnfidoCredentials, PersonaCredentials, StripeCredentials, VeriffCredentials,
};
use crate::errors;
use crate::op::DeleteOp;
use crate::outcome::{BatchReport, Erasure};
use crate::recheck::{self, RecheckReport};
use crate::repr::py_repr;
use crate::token::TokenState;

/// One client for every vendor whose credentials it is given.
///
/// ``Client(*, jumio=None, jumio_platform=None, hyperverge=None,
/// onfido=None, persona=None, stripe=None, veriff=None, base_url=None,
/// base_urls=None, connect_timeout=10.0, timeout=30.0, max_attempts=4,
/// base_delay=0.5, max_delay=20.0, max_retry_after=120.0)``: each vendor
/// keyword takes that vendor's credentials class (``JumioCredentials``...).
/// ``base_url`` sends every vendor's requests there (a proxy, the
/// emulator); ``base_urls`` maps vendor names to their own base URL (Veriff's
/// integration URL; for ``"hyperverge"`` a bare host such as
/// ``"ind.idv.hyperverge.co"`` is enough) and wins over ``base_url``. The
/// delays (seconds) are the retry policy's: the backoff before retry *n* is
/// a random fraction of ``base_delay × 2^(n-1)``, at most ``max_delay``; a
/// vendor asking to wait longer than ``max_retry_after`` ends the deletion
/// with ``RateLimitedError``.
///
/// Items are ``Item(vendor, product, reference, region=None,
/// subject=None)`` or ``(vendor, product, region, reference)`` tuples, with
/// an optional fifth element, the subject. An item of a vendor
/// without credentials raises ``InvalidConfigError`` naming the vendor,
/// before anything is sent.
///
/// Thread-safe: share one client between threads; the GIL is released while
/// a deletion waits on the network. Its repr never shows a credential.
#[pyclass(frozen, module = "idv_delete")]
pub struct Client {
    client: blocking::Client,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        *,
        jumio = None,
        jumio_platform = None,
        hyperverge = None,
        onfido = None,
        persona = None,
        stripe = None,
        veriff = None,
        base_url = None,
        base_urls = None,
        connect_timeout = DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
        timeout = DEFAULT_TIMEOUT.as_secs_f64(),
        max_attempts = i64::from(RetryPolicy::default().max_attempts),
        base_delay = RetryPolicy::default().base_delay.as_secs_f64(),
        max_delay = RetryPolicy::default().max_delay.as_secs_f64(),
        max_retry_after = RetryPolicy::default().max_retry_after.as_secs_f64(),
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        py: Python<'_>,
        jumio: Option<PyRef<'_, JumioCredentials>>,
        jumio_platform: Option<PyRef<'_, JumioPlatformCredentials>>,
        hyperverge: Option<PyRef<'_, HyperVergeCredentials>>,
        onfido: Option<PyRef<'_, OnfidoCredentials>>,
        persona: Option<PyRef<'_, PersonaCredentials>>,
        stripe: Option<PyRef<'_, StripeCredentials>>,
        veriff: Option<PyRef<'_, VeriffCredentials>>,
        base_url: Option<&str>,
        base_urls: Option<Bound<'_, PyAny>>,
        connect_timeout: f64,
        timeout: f64,
        max_attempts: i64,
        base_delay: f64,
        max_delay: f64,
        max_retry_after: f64,
    ) -> PyResult<Client> {
        let given = [
            jumio.map(|c| (JumioCredentials::VENDOR, c.credentials.clone())),
            jumio_platform.map(|c| (JumioPlatformCredentials::VENDOR, c.credentials.clone())),
            hyperverge.map(|c| (HyperVergeCredentials::VENDOR, c.credentials.clone())),
            onfido.map(|c| (OnfidoCredentials::VENDOR, c.credentials.clone())),
            persona.map(|c| (PersonaCredentials::VENDOR, c.credentials.clone())),
            stripe.map(|c| (StripeCredentials::VENDOR, c.credentials.clone())),
            veriff.map(|c| (VeriffCredentials::VENDOR, c.credentials.clone())),
        ];
        let credentials: BTreeMap<Vendor, Credentials> = given.into_iter().flatten().collect();
        let urls = base_urls.as_ref().map(read_base_urls).transpose()?;
        let settings = Settings {
            connect_timeout,
            timeout,
            max_attempts,
            delays: Some([base_delay, max_delay, max_retry_after]),
        };
        let build = || -> Result<blocking::Client, DeleteError> {
            if credentials.is_empty() {
                return Err(DeleteError::new(
                    ErrorKind::InvalidConfig,
                    "no credentials: give at least one vendor's, e.g. Client(stripe=StripeCredentials(key))",
                ));
            }
            let mut builder = blocking::Client::builder();
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            for (vendor, url) in urls.into_iter().flatten() {
                if !credentials.contains_key(&vendor) {
                    return Err(DeleteError::new(
                        ErrorKind::InvalidConfig,
                        format!(
                            "base_urls names {}, which has no credentials here: give its credentials or drop the entry",
                            vendor.as_str()
                        ),
                    ));
                }
                let endpoint = if vendor == Vendor::HyperVerge && !url.contains("://") {
                    Endpoint::hyperverge_host(&url)?
                } else {
                    Endpoint::custom(&url)?
                };
                builder = builder.endpoint(vendor, endpoint);
            }
            for credentials in credentials.values() {
                builder = builder.credentials(credentials.clone());
            }
            build_client(builder, settings)
        };
        let client = build().map_err(|e| errors::to_py(py, e))?;
        Ok(Client { client })
    }

    /// Deletes ``item``, retrying as the policy allows. Returns ``Deleted``
    /// or ``Scheduled`` (an erasure the vendor completes later, never a
    /// deletion); raises an ``idv_delete.Error`` subclass otherwise. Ctrl-C
    /// raises ``KeyboardInterrupt`` within a fraction of a second.
    fn delete(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<Erasure> {
        let intent = self.intent(py, item)?;
        delete_interruptibly(py, &self.client, &intent)
    }

    /// Deletes ``item`` that an earlier run may already have deleted (an
    /// error whose ``in_doubt`` was true, a journal entry sent without an
    /// outcome): a 404 then counts as ``Deleted`` with ``confirmed_by ==
    /// "absence"`` (erased by that attempt, or never present at that
    /// endpoint: use it only for items known to have existed there).
    fn delete_resumed(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<Erasure> {
        let intent = self.intent(py, item)?;
        delete_resumed(py, &self.client, &intent)
    }

    /// Deletes every item of ``items`` (any iterable of ``Item`` or
    /// ``(vendor, product, region, reference)`` tuples, of any vendors, read
    /// lazily) as one batch, journaled to ``journal`` if given (run again
    /// with the same journal to resume; ``idv-delete verify JOURNAL`` reads
    /// it). The options, Ctrl-C and the failure rules are those of
    /// ``Jumio.delete_many``; ``adaptive_rate=True`` lowers the rate when
    /// vendors push back (429) and raises it again as they recover;
    /// ``cancel``, a ``threading.Event``, stops the batch once set (items
    /// cut short are journaled as cancelled; ``BatchReport.cancelled``).
    /// ``allow_endpoint_change=True`` lets a resume send to other base URLs
    /// than the journal's last run did (refused by default: a 404 at
    /// another endpoint proves nothing about the first).
    ///
    /// A list or tuple is checked whole before anything is sent: an invalid
    /// item or one of a vendor without credentials raises at once (an
    /// ``idv_delete.Error`` naming it). Any other iterable is checked as it
    /// is read: such an item ends the input there, and its error is raised
    /// once the items read before it are done.
    #[pyo3(signature = (
        items,
        *,
        journal = None,
        concurrency = DEFAULT_CONCURRENCY as i64,
        rate = None,
        adaptive_rate = false,
        progress = None,
        dry_run = false,
        windows = None,
        wait_for_windows = false,
        cancel = None,
        allow_endpoint_change = false,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn delete_many(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        journal: Option<PathBuf>,
        concurrency: i64,
        rate: Option<f64>,
        adaptive_rate: bool,
        progress: Option<Bound<'_, PyAny>>,
        dry_run: bool,
        windows: Option<Bound<'_, PyAny>>,
        wait_for_windows: bool,
        cancel: Option<Bound<'_, PyAny>>,
        allow_endpoint_change: bool,
    ) -> PyResult<Py<BatchReport>> {
        if items.is_instance_of::<PyString>() || items.is_instance_of::<Item>() {
            return Err(PyTypeError::new_err(
                "items must be an iterable of items, not one item: wrap a single item in a list",
            ));
        }
        if items.is_instance_of::<PyList>() || items.is_instance_of::<PyTuple>() {
            for item in items.try_iter()? {
                self.intent(py, &item?)?;
            }
        }
        let args = BatchArgs {
            journal,
            concurrency: whole("concurrency", concurrency).map_err(|e| errors::to_py(py, e))?,
            rate,
            adaptive_rate,
            progress,
            dry_run,
            windows,
            wait_for_windows,
            allow_endpoint_change,
            cancel,
        };
        let read = |py: Python<'_>, item: &Bound<'_, PyAny>| self.intent(py, item);
        batch::delete_many(py, &self.client, items, read, args)
    }

    /// Checks, without any I/O, that this client can delete ``item``: a
    /// valid item of a vendor it has credentials for. Returns ``None`` or
    /// raises the ``idv_delete.Error`` that ``delete`` would raise before
    /// sending anything.
    fn check(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<()> {
        self.intent(py, item).map(|_| ())
    }

    /// Asks the vendor whether ``item``'s scheduled erasure has completed:
    /// ``Deleted`` with ``confirmed_by == "recheck"``, still ``Scheduled``,
    /// or ``None`` where the vendor offers no read (Veriff) or erases at
    /// once. One read, never retried (see ``Onfido.recheck``).
    fn recheck(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<Option<Erasure>> {
        let intent = self.intent(py, item)?;
        py.detach(|| self.client.recheck(&intent))
            .map(|erasure| erasure.map(Erasure::from))
            .map_err(|e| errors::to_py(py, e))
    }

    /// Rechecks every item the journal at ``journal`` holds as scheduled,
    /// of every vendor this client has credentials for, and appends what
    /// the vendors say to it as a run of its own (see
    /// ``Onfido.recheck_journal``). Items of a vendor without credentials
    /// are ``failures`` entries (``InvalidConfigError``, nothing sent).
    #[pyo3(signature = (journal, *, cancel = None))]
    fn recheck_journal(
        &self,
        py: Python<'_>,
        journal: PathBuf,
        cancel: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<RecheckReport>> {
        recheck::recheck_journal(py, &self.client, journal, cancel)
    }

    /// Jumio Platform access tokens this client's deletions and batches
    /// have requested so far (not those of its ``token_state`` objects,
    /// which count their own).
    #[getter]
    fn token_requests(&self) -> u64 {
        self.client.token_requests()
    }

    /// The vendors this client has credentials for, by name.
    #[getter]
    fn vendors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let names: Vec<&str> = self.configured_vendors().map(Vendor::as_str).collect();
        PyTuple::new(py, names)
    }

    /// A ``DeleteOp`` deleting ``item``, for your own driver (asyncio...):
    /// this client's credentials, endpoint and retry policy; ``seed`` (a
    /// whole number, different for each op: a counter or
    /// ``random.getrandbits(64)``) feeds the backoff jitter. ``in_doubt=True``
    /// resumes a deletion an earlier attempt may have applied: a 404 then
    /// counts as deleted, as ``delete_resumed``. Nothing is sent.
    #[pyo3(signature = (item, *, seed, in_doubt = false))]
    fn delete_op(
        &self,
        py: Python<'_>,
        item: &Bound<'_, PyAny>,
        seed: u64,
        in_doubt: bool,
    ) -> PyResult<DeleteOp> {
        let intent = self.intent(py, item)?;
        self.client
            .delete_op(&intent, seed, in_doubt)
            .map(DeleteOp::new)
            .map_err(|e| errors::to_py(py, e))
    }

    /// A new ``TokenState`` for the Jumio Platform's ``region`` (``"us"``,
    /// ``"eu"`` or ``"sgp"``), for the ``DeleteOp``\ s of your own driver:
    /// make one per region and share it between all of them. It holds no
    /// token yet (the first poll sends for one) and shares nothing with the
    /// tokens of this client's own deletions.
    fn token_state(&self, py: Python<'_>, region: &str) -> PyResult<TokenState> {
        let build = || -> Result<TokenState, DeleteError> {
            let region: Region = region.parse()?;
            self.configured(Vendor::JumioPlatform)?;
            let state = self.client.token_state(region)?;
            Ok(TokenState::new(state, region))
        };
        build().map_err(|e| errors::to_py(py, e))
    }

    /// ``Client(vendors=(...), base_urls={...})``: the vendors and where
    /// their requests go (``None``: the documented hosts); no credential.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let urls = self
            .configured_vendors()
            .map(|vendor| {
                Ok(format!(
                    "{}: {}",
                    py_repr(py, vendor.as_str())?,
                    py_repr(py, base_url(&self.client, vendor))?
                ))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(format!(
            "Client(vendors={}, base_urls={{{}}})",
            self.vendors(py)?.repr()?,
            urls.join(", ")
        ))
    }
}

impl Client {
    /// The intent of `item`, which this client has credentials for.
    fn intent(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<DeleteIntent> {
        let intent = read_item(py, item)?;
        self.configured(intent.vendor())
            .map_err(|e| errors::to_py(py, e))?;
        Ok(intent)
    }

    /// Whether this client has `vendor`'s credentials, or the
    /// `InvalidConfigError` naming the vendor and the keyword that
    /// configures it.
    fn configured(&self, vendor: Vendor) -> Result<(), DeleteError> {
        match self.client.endpoint(vendor) {
            Some(_) => Ok(()),
            None => Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "this Client has no {} credentials: give Client({}=...) to delete its items",
                    vendor.name(),
                    vendor.as_str().replace('-', "_")
                ),
            )),
        }
    }

    /// The vendors this client has credentials for.
    fn configured_vendors(&self) -> impl Iterator<Item = Vendor> + '_ {
        Vendor::ALL
            .into_iter()
            .filter(|&vendor| self.client.endpoint(vendor).is_some())
    }
}

/// Reads `base_urls=`: vendor names to base URLs (str to str).
fn read_base_urls(urls: &Bound<'_, PyAny>) -> PyResult<BTreeMap<Vendor, String>> {
    let usage = "base_urls must map vendor names to base URLs, e.g. {\"veriff\": \"https://stationapi.veriff.com\"}";
    let mapping = urls
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err(usage))?;
    let mut read = BTreeMap::new();
    for item in mapping.items()?.iter() {
        let (name, url): (String, String) =
            item.extract().map_err(|_| PyTypeError::new_err(usage))?;
        let vendor: Vendor = name
            .parse()
            .map_err(|e: DeleteError| errors::to_py(urls.py(), e))?;
        read.insert(vendor, url);
    }
    Ok(read)
}
