//! The values `idv_delete.Client` is configured with: one credentials
//! class per vendor, and `Item`, one thing to erase at any vendor.
//!
//! Each credentials class is the core's credentials type, checked when it
//! is built (the same rules as the per-vendor clients and the CLI), so a
//! `Client` receives values that are already valid and a mistake is
//! reported where it was made. Their reprs show `[redacted]` for every
//! secret: only the User-Agent Jumio requires is shown.

use idv_delete_blocking::core::Credentials;
use idv_delete_blocking::{
    DeleteError, DeleteIntent, HyperVergeCredentials as CoreHyperVerge,
    JumioCredentials as CoreJumio, JumioPlatformCredentials as CoreJumioPlatform,
    OnfidoCredentials as CoreOnfido, PersonaCredentials as CorePersona,
    StripeCredentials as CoreStripe, Target, Vendor, VeriffCredentials as CoreVeriff,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyTuple, PyType};

use crate::errors;
use crate::repr::py_repr;

/// One credentials class: `$class($secret..., $user_agent?)`, built by
/// `$core::new` with the same arguments; the repr names every secret
/// argument with `[redacted]`.
macro_rules! credentials_class {
    (
        $(#[$doc:meta])*
        $class:ident, $core:ident, $vendor:expr, ($($secret:ident),+ $(; $user_agent:ident)?)
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "idv_delete")]
        pub struct $class {
            pub(crate) credentials: Credentials,
            user_agent: Option<String>,
        }

        #[pymethods]
        impl $class {
            #[new]
            fn new(
                py: Python<'_>,
                $($secret: PyBackedStr,)+
                $($user_agent: PyBackedStr,)?
            ) -> PyResult<$class> {
                let credentials = $core::new($(&$secret,)+ $(&$user_agent)?)
                    .map_err(|e| errors::to_py(py, e))?;
                Ok($class {
                    credentials: credentials.into(),
                    user_agent: None $(.or(Some((*$user_agent).to_owned())))?,
                })
            }

            /// The User-Agent sent with every request, if the vendor
            /// requires one (Jumio's APIs); ``None`` otherwise.
            #[getter]
            fn user_agent(&self) -> Option<&str> {
                self.user_agent.as_deref()
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut shown = vec![$(concat!(stringify!($secret), "=[redacted]").to_owned()),+];
                if let Some(user_agent) = &self.user_agent {
                    shown.push(format!("user_agent={}", py_repr(py, user_agent)?));
                }
                Ok(format!("{}({})", stringify!($class), shown.join(", ")))
            }
        }

        impl $class {
            /// The vendor these credentials are for.
            pub(crate) const VENDOR: Vendor = $vendor;
        }
    };
}

credentials_class! {
    /// Jumio Netverify v2 credentials: ``JumioCredentials(api_token,
    /// api_secret, user_agent)``, the User-Agent naming your business
    /// (``"Acme KYC-Cleaner/1.0"``). Checked at once (``InvalidConfigError``);
    /// the repr never shows the token or the secret.
    JumioCredentials, CoreJumio, Vendor::Jumio, (api_token, api_secret; user_agent)
}

credentials_class! {
    /// Jumio Platform OAuth2 client credentials: ``JumioPlatformCredentials(
    /// client_id, client_secret, user_agent)``. Checked at once; the repr
    /// never shows the id or the secret.
    JumioPlatformCredentials, CoreJumioPlatform, Vendor::JumioPlatform,
    (client_id, client_secret; user_agent)
}

credentials_class! {
    /// HyperVerge credentials: ``HyperVergeCredentials(app_id, app_key)``.
    /// Checked at once; the repr never shows either.
    HyperVergeCredentials, CoreHyperVerge, Vendor::HyperVerge, (app_id, app_key)
}

credentials_class! {
    /// Onfido's API token: ``OnfidoCredentials(api_token)``. Checked at
    /// once; the repr never shows it.
    OnfidoCredentials, CoreOnfido, Vendor::Onfido, (api_token)
}

credentials_class! {
    /// Persona's API key: ``PersonaCredentials(api_key)``. Checked at once;
    /// the repr never shows it.
    PersonaCredentials, CorePersona, Vendor::Persona, (api_key)
}

credentials_class! {
    /// Stripe's secret or restricted key (``sk_...``, ``rk_...``, never a
    /// publishable one): ``StripeCredentials(secret_key)``. Checked at once;
    /// the repr never shows it.
    StripeCredentials, CoreStripe, Vendor::Stripe, (secret_key)
}

credentials_class! {
    /// Veriff's API key and the shared secret that signs each request:
    /// ``VeriffCredentials(api_key, shared_secret)``. Checked at once; the
    /// repr never shows either.
    VeriffCredentials, CoreVeriff, Vendor::Veriff, (api_key, shared_secret)
}

/// One thing to erase, at any vendor: ``Item(vendor, product, reference,
/// region=None, subject=None)`` with the names of CSV rows and journals
/// (``"jumio"``, ``"scan"``, ``"us"``; ``"jumio-platform"``, ``"workflow"``,
/// ``"eu"``, ``"ACCOUNT/WORKFLOW"``; ``"stripe"``,
/// ``"verification_session"``...).
///
/// ``subject`` is the data subject's key (your own customer id): a label
/// journaled with the item so a journal answers per person; it is never
/// sent to the vendor and is not part of the item's identity (the same
/// reference under two subjects is one deletion, the second a duplicate).
///
/// Checked at once by the core's rules (``InvalidConfigError`` for an
/// unknown vendor, product or region, ``InvalidReferenceError`` for a
/// malformed reference, ``InvalidSubjectError`` for a subject that is
/// empty, over 128 characters, has a control character or whitespace at
/// either end), so nothing is ever sent for a bad item. Compares and hashes
/// by value, subject included; ``str(item)`` is
/// ``VENDOR/PRODUCT[/REGION]/REF``.
#[pyclass(frozen, eq, hash, module = "idv_delete")]
#[derive(PartialEq, Eq, Hash)]
pub struct Item(pub(crate) DeleteIntent);

#[pymethods]
impl Item {
    #[new]
    #[pyo3(signature = (vendor, product, reference, region = None, subject = None))]
    fn new(
        py: Python<'_>,
        vendor: &str,
        product: &str,
        reference: &str,
        region: Option<&str>,
        subject: Option<&str>,
    ) -> PyResult<Item> {
        intent(vendor, product, region, reference, subject)
            .map(Item)
            .map_err(|e| errors::to_py(py, e))
    }

    /// The vendor's name: ``"jumio"``, ``"jumio-platform"``, ``"hyperverge"``,
    /// ``"onfido"``, ``"persona"``, ``"stripe"`` or ``"veriff"``.
    #[getter]
    fn vendor(&self) -> &'static str {
        self.0.vendor().as_str()
    }

    /// The product's canonical name (``"scan"``, ``"account"``...).
    #[getter]
    fn product(&self) -> &'static str {
        self.0.target().product_name()
    }

    /// The region (Jumio's, Onfido's), or ``None``.
    #[getter]
    fn region(&self) -> Option<&'static str> {
        self.0.target().region_name()
    }

    /// The reference, as given.
    #[getter]
    fn reference(&self) -> &str {
        self.0.reference()
    }

    /// The data subject's key, as given, or ``None``.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.0.subject()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    /// Pickles as its names, read again (and checked) when unpickled.
    #[allow(clippy::type_complexity)] // the pickle protocol's shape
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> (
        Bound<'py, PyType>,
        (
            &'static str,
            &'static str,
            String,
            Option<&'static str>,
            Option<String>,
        ),
    ) {
        let item = slf.get();
        (
            slf.get_type(),
            (
                item.vendor(),
                item.product(),
                item.reference().to_owned(),
                item.region(),
                item.subject().map(str::to_owned),
            ),
        )
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Item(vendor={}, product={}, reference={}, region={}, subject={})",
            py_repr(py, self.vendor())?,
            py_repr(py, self.product())?,
            py_repr(py, self.reference())?,
            py_repr(py, self.region())?,
            py_repr(py, self.subject())?,
        ))
    }
}

/// The core's one reading of an item's names: `Target::parse`, then the
/// reference checked for that target, then the subject's rule.
fn intent(
    vendor: &str,
    product: &str,
    region: Option<&str>,
    reference: &str,
    subject: Option<&str>,
) -> Result<DeleteIntent, DeleteError> {
    let intent = DeleteIntent::new(Target::parse(vendor, product, region)?, reference)?;
    match subject {
        Some(subject) => intent.with_subject(subject),
        None => Ok(intent),
    }
}

/// An `Item`, or a `(vendor, product, region, reference)` tuple (the
/// column order of the CLI's CSV) with an optional fifth element, the
/// subject (`None` or a str), as the intent it names.
pub(crate) fn read_item(py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<DeleteIntent> {
    if let Ok(item) = item.cast::<Item>() {
        return Ok(item.get().0.clone());
    }
    if let Ok(tuple) = item.cast::<PyTuple>() {
        if let Ok((vendor, product, region, reference)) =
            tuple.extract::<(PyBackedStr, PyBackedStr, Option<PyBackedStr>, PyBackedStr)>()
        {
            return intent(&vendor, &product, region.as_deref(), &reference, None)
                .map_err(|e| errors::to_py(py, e));
        }
        if let Ok((vendor, product, region, reference, subject)) = tuple.extract::<(
            PyBackedStr,
            PyBackedStr,
            Option<PyBackedStr>,
            PyBackedStr,
            Option<PyBackedStr>,
        )>() {
            return intent(
                &vendor,
                &product,
                region.as_deref(),
                &reference,
                subject.as_deref(),
            )
            .map_err(|e| errors::to_py(py, e));
        }
    }
    Err(PyTypeError::new_err(format!(
        "an item must be an idv_delete.Item or a (vendor, product, region, reference[, subject]) tuple of str (region and subject None where there is none), got {}",
        item.get_type().name()?
    )))
}
