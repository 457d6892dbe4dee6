//! The clients built from one table entry each: `Jumio` and
//! `JumioPlatform` here, and the vendors that erase later (`Onfido`,
//! `Persona`, `Stripe`, `Veriff`, in `later`). Each is a thin shell over one
//! Rust [`Client`], which alone holds the credentials and the endpoint (the
//! sans-IO `build_request` asks it too). One macro, [`vendor_client`],
//! writes what they share, so the classes cannot drift apart;
//! `HyperVerge` (a host option, no product) is written out here.
//!
//! Every network call runs with the GIL released (`py.detach`), so threads
//! sharing a client delete in parallel; the Rust client is `Sync` and
//! shares one connection pool.

use std::path::PathBuf;
use std::time::Duration;

use idv_delete_blocking::core::Credentials;
use idv_delete_blocking::{
    Client, ClientBuilder, DeleteError, DeleteIntent, Endpoint, ErrorKind, HyperVergeCredentials,
    JumioCredentials, JumioPlatformCredentials, Region, RetryPolicy, Target, Vendor,
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::batch::{self, BatchArgs};
use crate::errors;
use crate::interrupt;
use crate::outcome::{BatchReport, Erasure};
use crate::repr::py_repr;
use crate::sansio::Request;

/// The `#[pymethods]` of a table-driven client (`$class` holding a
/// [`Shell`]), from its table entry:
///
/// - the credential arguments, passed to `$credentials` (then the
///   User-Agent, for a vendor that requires one: `; user_agent`);
/// - the region argument, its type (whose `as_str` names it) and default,
///   for a vendor with regions;
/// - the default `product` of `delete_many`, named as in journals;
/// - `deletes`: one single-deletion method per product, each a name, its
///   id's argument and the product;
/// - optionally `sans_io build_request` for the sans-IO `build_request`,
///   and `rechecks recheck` for `recheck` and `recheck_journal` (the
///   vendors that erase later);
/// - `delete_many`'s docstring, then the class's own methods.
///
/// It writes the constructor (the credentials, then the same keyword
/// settings for every class), the delete methods, `delete_many`, the
/// optional methods and `__repr__`.
macro_rules! vendor_client {
    (
        $class:ident, $vendor:expr, $credentials:path,
        ($($credential:ident),+ $(; $user_agent:ident)?),
        $(in $region:ident: $region_type:ty = $region_default:tt,)?
        product = $product:tt,
        deletes {
            $($(#[$delete_doc:meta])* $delete:ident($id:ident) = $delete_product:literal;)+
        }
        $(sans_io $build_request:ident,)?
        $(rechecks $recheck:ident,)?
        $(#[$many_doc:meta])*
        { $($methods:tt)* }
    ) => {
        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = (
                $($credential,)+
                *,
                $($user_agent,)?
                $($region = $region_default,)?
                base_url = None,
                connect_timeout = DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
                timeout = DEFAULT_TIMEOUT.as_secs_f64(),
                max_attempts = i64::from(RetryPolicy::default().max_attempts),
            ))]
            #[allow(clippy::too_many_arguments)] // Python keyword arguments
            fn new(
                py: Python<'_>,
                $($credential: PyBackedStr,)+
                $($user_agent: PyBackedStr,)?
                $($region: &str,)?
                base_url: Option<&str>,
                connect_timeout: f64,
                timeout: f64,
                max_attempts: i64,
            ) -> PyResult<$class> {
                let settings = Settings::new(connect_timeout, timeout, max_attempts);
                let build = || -> Result<Shell, DeleteError> {
                    let credentials = $credentials($(&$credential,)+ $(&$user_agent)?)?;
                    let shape = Shape {
                        vendor: $vendor,
                        region: None $(.or(Some($region.parse::<$region_type>()?.as_str())))?,
                        user_agent: None $(.or(Some(&*$user_agent)))?,
                    };
                    Shell::new(shape, credentials.into(), base_url, settings)
                };
                build().map($class).map_err(|e| errors::to_py(py, e))
            }

            $(
                $(#[$delete_doc])*
                fn $delete(&self, py: Python<'_>, $id: PyBackedStr) -> PyResult<Erasure> {
                    self.0.delete(py, self.0.intent($delete_product, &$id))
                }
            )+

            $(#[$many_doc])*
            #[pyo3(signature = (
                references,
                *,
                product = $product,
                journal = None,
                concurrency = DEFAULT_CONCURRENCY as i64,
                rate = None,
                adaptive_rate = false,
                progress = None,
                dry_run = false,
                windows = None,
                wait_for_windows = false,
                cancel = None,
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
                adaptive_rate: bool,
                progress: Option<Bound<'_, PyAny>>,
                dry_run: bool,
                windows: Option<Bound<'_, PyAny>>,
                wait_for_windows: bool,
                cancel: Option<Bound<'_, PyAny>>,
            ) -> PyResult<Py<BatchReport>> {
                let args = BatchArgs {
                    journal,
                    concurrency: whole("concurrency", concurrency)
                        .map_err(|e| errors::to_py(py, e))?,
                    rate,
                    adaptive_rate,
                    progress,
                    dry_run,
                    windows,
                    wait_for_windows,
                    // Per-vendor classes keep the journal's endpoint: a
                    // change of endpoint is for the unified Client.
                    allow_endpoint_change: false,
                    cancel,
                };
                self.0.delete_many(py, references, product, args)
            }

            /// Deletes ``reference`` (of ``product``) that an earlier run
            /// may already have deleted (an error whose ``in_doubt`` was
            /// true, a journal entry sent without an outcome): a 404 then
            /// counts as ``Deleted`` with ``confirmed_by == "absence"``
            /// (erased by that attempt, or never present at that endpoint:
            /// use it only for items known to have existed there).
            #[pyo3(signature = (reference, *, product = $product))]
            fn delete_resumed(
                &self,
                py: Python<'_>,
                reference: &str,
                product: &str,
            ) -> PyResult<Erasure> {
                self.0.delete_resumed(py, self.0.intent(product, reference))
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                self.0.repr(py, stringify!($class))
            }

            $(
                /// The sans-IO half for your own HTTP client (asyncio,
                /// httpx...): the exact request erasing ``reference`` of
                /// ``product``, sent by you. Read its answer with
                /// ``idv_delete.parse_response``. No retries.
                #[pyo3(signature = (reference, *, product = $product))]
                fn $build_request(
                    &self,
                    py: Python<'_>,
                    reference: &str,
                    product: &str,
                ) -> PyResult<Request> {
                    self.0.build_request(py, product, reference)
                }
            )?

            $(
                /// Asks the vendor whether the erasure of ``reference`` (of
                /// ``product``) has completed: ``Deleted`` with
                /// ``confirmed_by == "recheck"`` once it has, ``Scheduled``
                /// (with the vendor's date or status) while it has not, or
                /// ``None`` where the vendor offers no read (Veriff: the
                /// session is gone at once). One read, never retried: it
                /// changes nothing, so run it again later as often as you
                /// like. Raises an ``idv_delete.Error`` subclass for a
                /// refused or failed read (``UnexpectedResponseError`` for an
                /// erasure the vendor will not complete, such as an Onfido
                /// applicant restored).
                #[pyo3(signature = (reference, *, product = $product))]
                fn $recheck(
                    &self,
                    py: Python<'_>,
                    reference: &str,
                    product: &str,
                ) -> PyResult<Option<Erasure>> {
                    self.0.recheck(py, self.0.intent(product, reference))
                }

                /// Rechecks every item the journal at ``journal`` holds as
                /// scheduled (one read each, sequential, never retried) and
                /// appends what the vendors say to it as a run of its own:
                /// ``deleted`` with ``confirmed_by == "recheck"``, or still
                /// scheduled with the new date. Returns a ``RecheckReport``;
                /// the journal then reads as ``idv-delete verify JOURNAL``
                /// shows it, and running it again later is always safe.
                ///
                /// This client holds one vendor's credentials: the journal's
                /// scheduled items of other vendors are asked about with
                /// none, so each is a ``failures`` entry
                /// (``InvalidConfigError``, nothing sent, nothing journaled)
                /// unless its vendor offers no read (Veriff), then it counts
                /// in ``not_offered``, as in Rust. Use a client per vendor,
                /// or the ``idv-delete verify --recheck`` command, for a
                /// journal of several vendors.
                ///
                /// Raises ``JournalError`` before anything is sent for a
                /// missing, damaged or locked journal, or one whose last run
                /// sent this vendor's requests to another endpoint (recheck
                /// with that ``base_url``). ``cancel``, a
                /// ``threading.Event``, stops it between two reads once set
                /// (``RecheckReport.cancelled``); Ctrl-C raises
                /// ``KeyboardInterrupt`` with the partial report as its
                /// ``report`` attribute.
                #[pyo3(signature = (journal, *, cancel = None))]
                fn recheck_journal(
                    &self,
                    py: Python<'_>,
                    journal: PathBuf,
                    cancel: Option<Bound<'_, PyAny>>,
                ) -> PyResult<Py<RecheckReport>> {
                    recheck::recheck_journal(py, &self.0.client, journal, cancel)
                }
            )?

            $($methods)*
        }
    };
}
pub(crate) use vendor_client;

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
pub struct Jumio(Shell);

vendor_client! {
    Jumio, Vendor::Jumio, JumioCredentials::new, (api_token, api_secret; user_agent),
    in region: Region = "us",
    product = "scan",
    deletes {
        /// Deletes an ID Verification transaction ("scan") by its reference.
        ///
        /// Returns ``Deleted`` (or ``Scheduled`` for an erasure completed
        /// later, which Jumio never answers); raises an ``idv_delete.Error``
        /// subclass, such as ``NotFoundError`` for a reference Jumio does not
        /// hold.
        delete_scan(reference) = "scan";
        /// Deletes an Authentication transaction by its reference.
        delete_authentication(reference) = "authentication";
        /// Deletes a Document Verification transaction by its reference.
        delete_document(reference) = "document";
    }
    sans_io build_request,
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
    {}
}

/// A client of the Jumio Platform (KYX) delete API: accounts and workflow
/// executions, with OAuth2 client credentials.
///
/// ``JumioPlatform(client_id, client_secret, *, user_agent, region="us",
/// base_url=None, connect_timeout=10.0, timeout=30.0, max_attempts=4)``,
/// the options of ``Jumio``. The client buys an access token with the
/// client credentials when it first needs one (``region`` ``"us"`` is
/// ``amer-1``, ``"eu"`` ``emea-1``, ``"sgp"`` ``apac-1``), shares it between
/// all its threads and batches, and buys the next one shortly before it
/// expires or when Jumio refuses it; ``token_requests`` counts them. With
/// ``base_url`` (the emulator), tokens come from ``BASE/oauth2/token``.
/// Jumio keeps a transaction's metadata and decision after a deletion: the
/// images and extracted data are what is erased.
///
/// Thread-safe: share one client between threads; the GIL is released while
/// a deletion waits on the network. Its repr never shows a credential or a
/// token.
#[pyclass(frozen, module = "idv_delete")]
pub struct JumioPlatform(Shell);

vendor_client! {
    JumioPlatform, Vendor::JumioPlatform, JumioPlatformCredentials::new,
    (client_id, client_secret; user_agent),
    in region: Region = "us",
    product = "account",
    deletes {
        /// Deletes an account and every workflow execution it holds.
        ///
        /// Returns ``Deleted`` (or ``Scheduled``, which Jumio never answers);
        /// raises an ``idv_delete.Error`` subclass, such as
        /// ``InvalidReferenceError`` for an id that is not a UUID (nothing is
        /// sent), ``UnauthorizedError`` when the token endpoint refuses the
        /// client credentials, or ``NotFoundError`` for an account Jumio does
        /// not hold.
        delete_account(account_id) = "account";
    }
    /// Deletes every item of ``items`` (any iterable of str, read lazily)
    /// of one ``product``: with ``"account"`` (the default) each item is an
    /// account id, deleted with all its workflow executions; with
    /// ``"workflow"`` each item is ``"ACCOUNT_ID/WORKFLOW_EXECUTION_ID"``,
    /// the form journals and CSV files use. Ids are UUIDs. The whole batch
    /// shares the client's access token (``BatchReport.token_requests``
    /// counts those it bought). The other options, Ctrl-C and the failure
    /// rules are those of ``Jumio.delete_many``.
    {
        /// Deletes one workflow execution of an account; the account keeps its
        /// other workflow executions. Both ids are UUIDs.
        fn delete_workflow(
            &self,
            py: Python<'_>,
            account_id: PyBackedStr,
            workflow_execution_id: PyBackedStr,
        ) -> PyResult<Erasure> {
            // The region's name was read as a `Region` when the client was built.
            let intent = self.0.region.unwrap_or_default().parse().and_then(|region| {
                DeleteIntent::jumio_platform_workflow(region, &account_id, &workflow_execution_id)
            });
            self.0.delete(py, intent)
        }

        /// Access tokens this client has requested so far (all threads and
        /// batches): one per token lifetime (60 minutes at Jumio) when all
        /// goes well.
        #[getter]
        fn token_requests(&self) -> u64 {
            self.0.client.token_requests()
        }
    }
}

/// What a table-driven client is besides its Rust client: its vendor, the
/// region every reference is looked up in (a name checked when the client
/// was built), and the User-Agent Jumio requires (for the repr only: the
/// client sends its own copy).
pub(crate) struct Shape<'a> {
    pub vendor: Vendor,
    pub region: Option<&'static str>,
    pub user_agent: Option<&'a str>,
}

/// What every table-driven class is made of: a Rust client holding one
/// vendor's credentials, and its [`Shape`].
pub struct Shell {
    pub(crate) client: Client,
    vendor: Vendor,
    region: Option<&'static str>,
    user_agent: Option<String>,
}

/// The keyword settings every client takes (the delays: `Client`'s only;
/// the per-vendor classes keep the core's defaults).
pub(crate) struct Settings {
    pub connect_timeout: f64,
    pub timeout: f64,
    pub max_attempts: i64,
    /// The retry policy's `base_delay`, `max_delay` and `max_retry_after`,
    /// in seconds.
    pub delays: Option<[f64; 3]>,
}

impl Settings {
    /// The settings of a per-vendor class: the default delays.
    pub(crate) fn new(connect_timeout: f64, timeout: f64, max_attempts: i64) -> Settings {
        Settings {
            connect_timeout,
            timeout,
            max_attempts,
            delays: None,
        }
    }
}

impl Shell {
    /// Builds the client of `shape.vendor` from its checked `credentials`,
    /// checking the base URL and the settings. No I/O.
    pub(crate) fn new(
        shape: Shape<'_>,
        credentials: Credentials,
        base_url: Option<&str>,
        settings: Settings,
    ) -> Result<Shell, DeleteError> {
        let endpoint = base_url.map_or(Ok(Endpoint::Documented), Endpoint::custom)?;
        let builder = Client::builder()
            .credentials(credentials)
            .endpoint(shape.vendor, endpoint);
        Ok(Shell {
            client: build_client(builder, settings)?,
            vendor: shape.vendor,
            region: shape.region,
            user_agent: shape.user_agent.map(str::to_owned),
        })
    }

    /// The intent deleting `reference` of `product` (named as in journals)
    /// in this client's region: the core's one reading of the names.
    pub(crate) fn intent(
        &self,
        product: &str,
        reference: &str,
    ) -> Result<DeleteIntent, DeleteError> {
        let target = Target::parse(self.vendor.as_str(), product, self.region)?;
        DeleteIntent::new(target, reference)
    }

    pub(crate) fn delete(
        &self,
        py: Python<'_>,
        intent: Result<DeleteIntent, DeleteError>,
    ) -> PyResult<Erasure> {
        let intent = intent.map_err(|e| errors::to_py(py, e))?;
        delete_interruptibly(py, &self.client, &intent)
    }

    pub(crate) fn delete_resumed(
        &self,
        py: Python<'_>,
        intent: Result<DeleteIntent, DeleteError>,
    ) -> PyResult<Erasure> {
        let intent = intent.map_err(|e| errors::to_py(py, e))?;
        delete_resumed(py, &self.client, &intent)
    }

    /// Asks the vendor whether `intent`'s scheduled erasure completed: one
    /// read with the GIL released, no retries (running it again is always
    /// safe); `None` where the vendor offers no read.
    pub(crate) fn recheck(
        &self,
        py: Python<'_>,
        intent: Result<DeleteIntent, DeleteError>,
    ) -> PyResult<Option<Erasure>> {
        let intent = intent.map_err(|e| errors::to_py(py, e))?;
        py.detach(|| self.client.recheck(&intent))
            .map(|erasure| erasure.map(Erasure::from))
            .map_err(|e| errors::to_py(py, e))
    }

    /// The sans-IO request erasing `reference` of `product`.
    pub(crate) fn build_request(
        &self,
        py: Python<'_>,
        product: &str,
        reference: &str,
    ) -> PyResult<Request> {
        Request::build(py, &self.client, self.intent(product, reference))
    }

    pub(crate) fn delete_many(
        &self,
        py: Python<'_>,
        references: &Bound<'_, PyAny>,
        product: &str,
        args: BatchArgs<'_>,
    ) -> PyResult<Py<BatchReport>> {
        let target = Target::parse(self.vendor.as_str(), product, self.region)
            .map_err(|e| errors::to_py(py, e))?;
        batch::delete_many(
            py,
            &self.client,
            references,
            batch::references(move |reference| DeleteIntent::new(target, reference)),
            args,
        )
    }

    /// `Class(region=..., user_agent=..., base_url=...)`, with only the
    /// settings the class has: no credential.
    pub(crate) fn repr(&self, py: Python<'_>, class: &str) -> PyResult<String> {
        let mut shown = Vec::new();
        if let Some(region) = self.region {
            shown.push(format!("region={}", py_repr(py, region)?));
        }
        if let Some(user_agent) = &self.user_agent {
            shown.push(format!("user_agent={}", py_repr(py, user_agent)?));
        }
        let url = base_url(&self.client, self.vendor);
        shown.push(format!("base_url={}", py_repr(py, url)?));
        Ok(format!("{class}({})", shown.join(", ")))
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
                client: build_client(
                    builder,
                    Settings::new(connect_timeout, timeout, max_attempts),
                )?,
            })
        };
        build().map_err(|e| errors::to_py(py, e))
    }

    /// Deletes a HyperVerge transaction by its id.
    ///
    /// Returns ``Deleted`` (with the ``audits`` HyperVerge reported deleted;
    /// or ``Scheduled``, which HyperVerge never answers); raises an
    /// ``idv_delete.Error`` subclass otherwise.
    fn delete_transaction(&self, py: Python<'_>, transaction_id: PyBackedStr) -> PyResult<Erasure> {
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
        adaptive_rate = false,
        progress = None,
        dry_run = false,
        windows = None,
        wait_for_windows = false,
        cancel = None,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn delete_many(
        &self,
        py: Python<'_>,
        transaction_ids: &Bound<'_, PyAny>,
        journal: Option<PathBuf>,
        concurrency: i64,
        rate: Option<f64>,
        adaptive_rate: bool,
        progress: Option<Bound<'_, PyAny>>,
        dry_run: bool,
        windows: Option<Bound<'_, PyAny>>,
        wait_for_windows: bool,
        cancel: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<BatchReport>> {
        let args = BatchArgs {
            journal,
            concurrency: whole("concurrency", concurrency).map_err(|e| errors::to_py(py, e))?,
            rate,
            adaptive_rate,
            progress,
            dry_run,
            windows,
            wait_for_windows,
            allow_endpoint_change: false,
            cancel,
        };
        batch::delete_many(
            py,
            &self.client,
            transaction_ids,
            batch::references(DeleteIntent::hyperverge),
            args,
        )
    }

    /// ``delete_transaction`` for a transaction an earlier run may already
    /// have deleted: a 404 then counts as ``Deleted`` with
    /// ``confirmed_by == "absence"`` (see ``Jumio.delete_resumed``).
    fn delete_resumed(&self, py: Python<'_>, transaction_id: PyBackedStr) -> PyResult<Erasure> {
        let intent = DeleteIntent::hyperverge(&transaction_id).map_err(|e| errors::to_py(py, e))?;
        delete_resumed(py, &self.client, &intent)
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
pub(crate) fn delete_interruptibly(
    py: Python<'_>,
    client: &Client,
    intent: &DeleteIntent,
) -> PyResult<Erasure> {
    interruptibly(py, |cancel| client.delete_cancellable(intent, cancel))
}

/// [`Client::delete_resumed`] with the GIL released, interruptible as
/// [`delete_interruptibly`] is.
pub(crate) fn delete_resumed(
    py: Python<'_>,
    client: &Client,
    intent: &DeleteIntent,
) -> PyResult<Erasure> {
    interruptibly(py, |cancel| {
        client.delete_resumed_cancellable(intent, cancel)
    })
}

/// Runs `delete` without the GIL, with a token that a signal cancels;
/// a signal's exception wins over the deletion's own end.
fn interruptibly(
    py: Python<'_>,
    delete: impl FnOnce(
            &idv_delete_blocking::CancelToken,
        ) -> Result<idv_delete_blocking::Erasure, DeleteError>
        + Send,
) -> PyResult<Erasure> {
    let (cancel, interrupt) = interrupt::watched_token();
    let result = py.detach(|| delete(&cancel));
    if let Some(interrupt) = interrupt.take() {
        return Err(interrupt);
    }
    result.map(Erasure::from).map_err(|e| errors::to_py(py, e))
}

/// The custom base URL of `vendor`'s requests, or `None` for the
/// documented hosts.
pub(crate) fn base_url(client: &Client, vendor: Vendor) -> Option<&str> {
    match client.endpoint(vendor)? {
        Endpoint::Documented => None,
        Endpoint::Custom(url) => Some(url.as_str()),
    }
}

/// Applies the keyword settings every client shares and builds the client.
pub(crate) fn build_client(
    builder: ClientBuilder,
    settings: Settings,
) -> Result<Client, DeleteError> {
    let mut policy = RetryPolicy {
        max_attempts: whole("max_attempts", settings.max_attempts)?,
        ..RetryPolicy::default()
    };
    if let Some([base_delay, max_delay, max_retry_after]) = settings.delays {
        policy.base_delay = seconds("base_delay", base_delay)?;
        policy.max_delay = seconds("max_delay", max_delay)?;
        policy.max_retry_after = seconds("max_retry_after", max_retry_after)?;
    }
    builder
        .connect_timeout(seconds("connect_timeout", settings.connect_timeout)?)
        .timeout(seconds("timeout", settings.timeout)?)
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
pub(crate) fn whole<T: TryFrom<i64>>(name: &str, value: i64) -> Result<T, DeleteError> {
    T::try_from(value).map_err(|_| {
        DeleteError::new(
            ErrorKind::InvalidConfig,
            format!("{name} is {value}; give a positive whole number"),
        )
    })
}
