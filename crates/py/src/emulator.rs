//! `idv_delete.testing.Emulator`: the Rust emulator of the vendors' delete
//! APIs, running in this process on 127.0.0.1, so users test their erasure
//! scripts offline with the same wheel.
//!
//! Products are named as in journals and the CLI: `scan`, `authentication`
//! and `document` are Jumio's, `account` and `workflow` the Jumio
//! Platform's, `transaction` is HyperVerge's, `applicant` Onfido's,
//! `inquiry` Persona's, `verification_session` Stripe's and `session`
//! Veriff's. Persona's accounts are `account` too: their ids start with
//! `act_` (as the emulator itself tells them apart), so a product name and
//! a reference say the vendor.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use idv_delete_emulator::{self as emulator, Config, Faults, SeedItem};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};

use crate::errors::emulator_to_py;
use crate::repr::py_repr;
use crate::value::{hash_of, reduce, Reduced};

/// The emulator's vendor for a product name and a reference (an unknown
/// product is Jumio's: the emulator then refuses the product by name).
fn vendor_of(product: &str, reference: &str) -> &'static str {
    match product {
        "transaction" => "hyperverge",
        "account" if reference.starts_with("act_") => "persona",
        "account" | "workflow" => "jumio-platform",
        "applicant" => "onfido",
        "inquiry" => "persona",
        "verification_session" => "stripe",
        "session" => "veriff",
        _ => "jumio",
    }
}

/// A number of seconds from Python as a `Duration`, or a `ValueError`
/// naming the setting.
fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        emulator_to_py(format!(
            "{name} is {value}; give a non-negative number of seconds"
        ))
    })
}

/// A local, stateful server of the delete APIs of Jumio, the Jumio
/// Platform, HyperVerge, Onfido, Persona, Stripe Identity and Veriff, with
/// fault injection, for tests. It starts when created, listens on
/// ``base_url`` (give it to a client as ``base_url``), and stops on
/// ``shutdown()`` or at the end of a ``with`` block.
///
/// It accepts only the test credentials it was created with (by default
/// those in ``idv_delete.testing``); ``hyperverge_allowed_ips`` makes it
/// answer HyperVerge's 403 to clients not in the list. Transactions exist
/// once seeded; the first delete answers 200, the next 404.
///
/// The Jumio Platform's token route issues access tokens for
/// ``jumio_client_id`` and ``jumio_client_secret``, valid
/// ``token_lifetime`` seconds (default 3600, at least 1), at most
/// ``token_rate_limit`` token requests per second (default 10, Jumio's;
/// ``None`` for no limit); ``retrieval_rate_limit`` limits the platform's
/// deletes per second (default ``None``). ``revoke_tokens()`` makes every
/// token issued so far invalid, as an expiry would.
///
/// The vendors that erase later complete an accepted erasure after a
/// delay in seconds, measured on the real clock: ``onfido_deletion_delay``
/// (default 20 days), ``persona_children_delay`` (1 s) and
/// ``stripe_redaction_delay`` (4 days); give short ones in tests.
/// ``persona_rate_limit`` (requests per minute, default 300) and
/// ``stripe_rate_limit`` (per second, default 25) are the vendors'
/// documented limits (``None`` for none); ``veriff_windows`` are Veriff's
/// deletion limits as ``(count, seconds)`` pairs (default 5 per hour and
/// 10 per day; ``[]`` for none), and ``veriff_delete_enabled=False``
/// answers 403 as before Veriff enables the endpoint.
#[pyclass(frozen, module = "idv_delete.testing")]
pub struct Emulator {
    running: Mutex<Option<emulator::Emulator>>,
    base_url: String,
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (
        *,
        jumio_token = emulator::DEFAULT_JUMIO_TOKEN.to_owned(),
        jumio_secret = emulator::DEFAULT_JUMIO_SECRET.to_owned(),
        hyperverge_app_id = emulator::DEFAULT_HYPERVERGE_APP_ID.to_owned(),
        hyperverge_app_key = emulator::DEFAULT_HYPERVERGE_APP_KEY.to_owned(),
        hyperverge_allowed_ips = None,
        jumio_client_id = emulator::DEFAULT_JUMIO_CLIENT_ID.to_owned(),
        jumio_client_secret = emulator::DEFAULT_JUMIO_CLIENT_SECRET.to_owned(),
        token_lifetime = emulator::DEFAULT_TOKEN_LIFETIME.as_secs_f64(),
        token_rate_limit = Some(emulator::DEFAULT_TOKEN_RATE_LIMIT),
        retrieval_rate_limit = None,
        onfido_api_token = emulator::DEFAULT_ONFIDO_API_TOKEN.to_owned(),
        onfido_deletion_delay = emulator::DEFAULT_ONFIDO_DELETION_DELAY.as_secs_f64(),
        persona_api_key = emulator::DEFAULT_PERSONA_API_KEY.to_owned(),
        persona_read_only_key = emulator::DEFAULT_PERSONA_READ_ONLY_KEY.to_owned(),
        persona_children_delay = emulator::DEFAULT_PERSONA_CHILDREN_DELAY.as_secs_f64(),
        persona_rate_limit = Some(emulator::DEFAULT_PERSONA_RATE_LIMIT),
        stripe_secret_key = emulator::DEFAULT_STRIPE_SECRET_KEY.to_owned(),
        stripe_redaction_delay = emulator::DEFAULT_STRIPE_REDACTION_DELAY.as_secs_f64(),
        stripe_rate_limit = Some(emulator::DEFAULT_STRIPE_RATE_LIMIT),
        veriff_api_key = emulator::DEFAULT_VERIFF_API_KEY.to_owned(),
        veriff_shared_secret = emulator::DEFAULT_VERIFF_SHARED_SECRET.to_owned(),
        veriff_windows = emulator::DEFAULT_VERIFF_WINDOWS
            .map(|(count, window)| (count, window.as_secs_f64()))
            .to_vec(),
        veriff_delete_enabled = true,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        jumio_token: String,
        jumio_secret: String,
        hyperverge_app_id: String,
        hyperverge_app_key: String,
        hyperverge_allowed_ips: Option<Vec<IpAddr>>,
        jumio_client_id: String,
        jumio_client_secret: String,
        token_lifetime: f64,
        token_rate_limit: Option<f64>,
        retrieval_rate_limit: Option<f64>,
        onfido_api_token: String,
        onfido_deletion_delay: f64,
        persona_api_key: String,
        persona_read_only_key: String,
        persona_children_delay: f64,
        persona_rate_limit: Option<u32>,
        stripe_secret_key: String,
        stripe_redaction_delay: f64,
        stripe_rate_limit: Option<f64>,
        veriff_api_key: String,
        veriff_shared_secret: String,
        veriff_windows: Vec<(u32, f64)>,
        veriff_delete_enabled: bool,
    ) -> PyResult<Emulator> {
        let veriff_windows = veriff_windows
            .into_iter()
            .map(|(count, window)| Ok((count, seconds("a veriff_windows window", window)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let config = Config {
            jumio_token,
            jumio_secret,
            hyperverge_app_id,
            hyperverge_app_key,
            hyperverge_allowed_ips,
            jumio_client_id,
            jumio_client_secret,
            token_lifetime: seconds("token_lifetime", token_lifetime)?,
            token_rate_limit,
            retrieval_rate_limit,
            onfido_api_token,
            onfido_deletion_delay: seconds("onfido_deletion_delay", onfido_deletion_delay)?,
            persona_api_key,
            persona_read_only_key,
            persona_children_delay: seconds("persona_children_delay", persona_children_delay)?,
            persona_rate_limit,
            stripe_secret_key,
            stripe_redaction_delay: seconds("stripe_redaction_delay", stripe_redaction_delay)?,
            stripe_rate_limit,
            veriff_api_key,
            veriff_shared_secret,
            veriff_windows,
            veriff_delete_enabled,
            ..Config::default()
        };
        // Checked here for a ValueError naming the setting (the start would
        // raise an OSError).
        config.validate().map_err(emulator_to_py)?;
        let running = emulator::Emulator::start(config)?;
        Ok(Emulator {
            base_url: running.base_url(),
            running: Mutex::new(Some(running)),
        })
    }

    /// ``http://127.0.0.1:PORT``: the base URL for every vendor and region.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Creates transactions of ``product`` (``"scan"``, ``"authentication"``,
    /// ``"document"``, ``"account"``, ``"workflow"``, ``"transaction"``,
    /// ``"applicant"``, ``"inquiry"``, ``"verification_session"`` or
    /// ``"session"``) with these references (a workflow's is
    /// ``"ACCOUNT_ID/WORKFLOW_EXECUTION_ID"``, and seeding it creates its
    /// account too; an ``"account"`` whose id starts with ``act_`` is
    /// Persona's, and a Persona inquiry ``"act_.../inq_..."`` belongs to
    /// that account). ``state`` names the vendor's state of them all, if not
    /// the default: an Onfido applicant ``"no_check"`` (deleted at once),
    /// a Persona inquiry ``"pending"`` (409), a Stripe session
    /// ``"requires_input"``, ``"processing"`` or ``"canceled"`` (the last two
    /// refused), a Veriff session ``"in_progress"`` or ``"submitted"``
    /// (1305, 1306). All are checked first: on error (``ValueError``) none
    /// is created.
    #[pyo3(signature = (product, references, *, state = None))]
    fn seed(
        &self,
        product: &str,
        references: &Bound<'_, PyAny>,
        state: Option<&str>,
    ) -> PyResult<()> {
        if references.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "references must be an iterable of str, not one str: wrap it in a list",
            ));
        }
        let items = references
            .try_iter()?
            .map(|reference| {
                let reference: String = reference?.extract()?;
                let item = SeedItem::new(vendor_of(product, &reference), product, &reference);
                Ok(match state {
                    Some(state) => item.with_state(state),
                    None => item,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        self.with(|e| e.seed(&items))?.map_err(emulator_to_py)
    }

    /// A snapshot of the counters since the start or the last ``reset()``.
    fn stats(&self) -> PyResult<Stats> {
        self.with(|e| Stats(e.stats()))
    }

    /// Puts these faults in force for the following requests, replacing
    /// all earlier ones (``set_faults()`` clears them). Keywords, all
    /// optional: ``seed``; probabilities ``p500``, ``p502``, ``p503``,
    /// ``p504``, ``p429``, ``p503_retry_after``, ``p_reset_before``,
    /// ``p_reset_after``, ``p_truncate``; ``retry_after_secs`` and
    /// ``retry_after_format`` (``"seconds"`` or ``"http-date"``);
    /// ``latency_ms`` and ``latency_jitter_ms``; ``rate_limit`` (requests
    /// per second, or None) and ``rate_burst``; ``token_p500`` and
    /// ``token_p503`` for the Jumio Platform's token route, which no other
    /// fault touches. Unknown keywords and values
    /// out of range raise ``ValueError``.
    #[pyo3(signature = (**faults))]
    fn set_faults(&self, faults: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
        let mut fields = serde_json::Map::new();
        for (name, value) in faults.into_iter().flatten() {
            fields.insert(name.extract()?, json_value(&value)?);
        }
        let faults: Faults = serde_json::from_value(fields.into())
            .map_err(|e| emulator_to_py(format!("invalid faults: {e}")))?;
        self.with(|e| e.set_faults(faults))?.map_err(emulator_to_py)
    }

    /// Forgets every transaction and counter (the faults are kept; issued
    /// Jumio Platform tokens stay valid).
    fn reset(&self) -> PyResult<()> {
        self.with(emulator::Emulator::reset)
    }

    /// Revokes every Jumio Platform access token issued so far: the next
    /// delete with one gets 401 ``invalid_token`` and a client must buy a
    /// new token. Returns how many were still valid.
    fn revoke_tokens(&self) -> PyResult<usize> {
        self.with(emulator::Emulator::revoke_tokens)
    }

    /// Stops the server and joins its threads; later calls do nothing.
    fn shutdown(&self, py: Python<'_>) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(running) = running {
            py.detach(|| running.shutdown());
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, pyo3::types::PyTuple>) {
        self.shutdown(py);
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Emulator(base_url={})",
            py_repr(py, &self.base_url)?
        ))
    }
}

impl Emulator {
    fn with<T>(&self, f: impl FnOnce(&emulator::Emulator) -> T) -> PyResult<T> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.as_ref() {
            Some(running) => Ok(f(running)),
            None => Err(PyRuntimeError::new_err("the emulator was shut down")),
        }
    }
}

/// A fault setting as JSON, the form the emulator's `Faults` reads.
fn json_value(value: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    if value.is_none() {
        return Ok(serde_json::Value::Null);
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_cow()?.into_owned().into());
    }
    if let Ok(whole) = value.extract::<u64>() {
        return Ok(whole.into());
    }
    Ok(value.extract::<f64>()?.into())
}

/// What the emulator has seen since it started or was reset.
///
/// ``deletes_applied`` counts transactions removed, ``deletes_not_found``
/// deletes answered 404; ``requests`` maps a route (``"jumio/scan"``,
/// ``"hyperverge/transaction"``...) to counts by status; ``faults`` counts
/// injected faults by kind. ``reference(product, ref)`` gives one
/// reference's counts, so a test proves exactly-once erasure.
#[pyclass(frozen, name = "Stats", module = "idv_delete.testing")]
pub struct Stats(emulator::Stats);

#[pymethods]
impl Stats {
    /// Requests received on vendor routes and unknown paths.
    #[getter]
    fn total_requests(&self) -> u64 {
        self.0.total_requests
    }

    /// TCP connections accepted.
    #[getter]
    fn connections_accepted(&self) -> u64 {
        self.0.connections_accepted
    }

    /// Seeded transactions not deleted yet.
    #[getter]
    fn transactions_present(&self) -> u64 {
        self.0.transactions_present
    }

    /// Deletes that removed a transaction.
    #[getter]
    fn deletes_applied(&self) -> u64 {
        self.0.deletes_applied
    }

    /// Deletes answered 404 (unknown or already deleted).
    #[getter]
    fn deletes_not_found(&self) -> u64 {
        self.0.deletes_not_found
    }

    /// Responses by route, then by HTTP status.
    #[getter]
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let requests = PyDict::new(py);
        for (route, statuses) in &self.0.requests {
            requests.set_item(route, statuses.clone())?;
        }
        Ok(requests)
    }

    /// Requests to the Jumio Platform token route, whatever their answer.
    #[getter]
    fn token_requests(&self) -> u64 {
        self.0.token_requests
    }

    /// Jumio Platform access tokens issued.
    #[getter]
    fn tokens_issued(&self) -> u64 {
        self.0.tokens_issued
    }

    /// Token requests refused for bad client credentials or a bad form.
    #[getter]
    fn token_refused(&self) -> u64 {
        self.0.token_refused
    }

    /// Token requests refused by the token route's rate limit (429).
    #[getter]
    fn token_rate_limited(&self) -> u64 {
        self.0.token_rate_limited
    }

    /// Erasures the vendors accepted and have not completed yet, at the
    /// time of this snapshot: Onfido applicants archived, Persona
    /// redactions whose children are not redacted yet, Stripe redactions
    /// ``processing``.
    #[getter]
    fn erasures_pending(&self) -> u64 {
        self.0.erasures_pending
    }

    /// The ``Stripe-Version`` and ``Persona-Version`` values received, by
    /// vendor (``"stripe"``, ``"persona"``), then by value.
    #[getter]
    fn api_versions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let versions = PyDict::new(py);
        for (vendor, counts) in &self.0.api_versions {
            versions.set_item(vendor, counts.clone())?;
        }
        Ok(versions)
    }

    /// Injected faults by kind: ``status``, ``rate_limited``,
    /// ``reset_before``, ``reset_after``, ``truncated``.
    #[getter]
    fn faults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = &self.0.faults;
        let faults = PyDict::new(py);
        for (name, count) in [
            ("status", f.status),
            ("rate_limited", f.rate_limited),
            ("reset_before", f.reset_before),
            ("reset_after", f.reset_after),
            ("truncated", f.truncated),
        ] {
            faults.set_item(name, count)?;
        }
        Ok(faults)
    }

    /// The counts of one reference of ``product``, or ``None`` if no delete
    /// ever reached it.
    fn reference(&self, product: &str, reference: &str) -> Option<ReferenceStats> {
        self.0
            .reference(vendor_of(product, reference), product, reference)
            .map(|r| ReferenceStats {
                product: r.product.clone(),
                reference: r.reference.clone(),
                applied: r.applied,
                not_found: r.not_found,
            })
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    /// The scalar counters' hash: equal snapshots have equal counters.
    fn __hash__(&self) -> u64 {
        let s = &self.0;
        hash_of(&(
            s.total_requests,
            s.connections_accepted,
            s.transactions_present,
            s.deletes_applied,
            s.deletes_not_found,
        ))
    }

    /// Pickles as the snapshot's JSON, the form of `GET /__emulator/stats`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let json = serde_json::to_string(&slf.get().0)
            .map_err(|e| emulator_to_py(format!("cannot pickle Stats: {e}")))?;
        reduce(slf, (json,))
    }

    /// Rebuilds a pickled ``Stats`` from its JSON.
    #[classmethod]
    #[pyo3(name = "_restore")]
    fn restore(_cls: &Bound<'_, PyType>, json: &str) -> PyResult<Stats> {
        serde_json::from_str(json)
            .map(Stats)
            .map_err(|e| emulator_to_py(format!("not a pickled Stats: {e}")))
    }

    fn __repr__(&self) -> String {
        let s = &self.0;
        format!(
            "Stats(total_requests={}, deletes_applied={}, deletes_not_found={}, transactions_present={}, token_requests={})",
            s.total_requests, s.deletes_applied, s.deletes_not_found, s.transactions_present, s.token_requests
        )
    }
}

/// How many deletes of one reference were applied and how many got 404.
#[pyclass(frozen, eq, hash, get_all, module = "idv_delete.testing")]
#[derive(PartialEq, Eq, Hash)]
pub struct ReferenceStats {
    /// ``scan``, ``authentication``, ``document``, ``account``,
    /// ``workflow``, ``transaction``, ``applicant``, ``inquiry``,
    /// ``verification_session`` or ``session``.
    product: String,
    /// The transaction reference (``ACCOUNT_ID/WORKFLOW_EXECUTION_ID`` for
    /// a workflow).
    reference: String,
    /// Deletes that removed the transaction.
    applied: u64,
    /// Deletes answered 404.
    not_found: u64,
}

#[pymethods]
impl ReferenceStats {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let r = slf.get();
        let fields = (
            r.product.clone(),
            r.reference.clone(),
            r.applied,
            r.not_found,
        );
        reduce(slf, fields)
    }

    /// Rebuilds a pickled ``ReferenceStats``.
    #[classmethod]
    #[pyo3(name = "_restore")]
    fn restore(
        _cls: &Bound<'_, PyType>,
        product: String,
        reference: String,
        applied: u64,
        not_found: u64,
    ) -> ReferenceStats {
        ReferenceStats {
            product,
            reference,
            applied,
            not_found,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ReferenceStats(product={}, reference={}, applied={}, not_found={})",
            py_repr(py, &self.product)?,
            py_repr(py, &self.reference)?,
            self.applied,
            self.not_found
        ))
    }
}
