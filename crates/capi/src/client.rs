//! The client: [`delete_client_builder`], [`delete_client`] and
//! [`delete_client_delete`].

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::time::Duration;

use idv_delete_blocking::core::Credentials;
use idv_delete_blocking::{
    Client, DeleteError, DeleteIntent, Endpoint, Erasure, HyperVergeCredentials, JumioCredentials,
    JumioPlatformCredentials, OnfidoCredentials, PersonaCredentials, RetryPolicy,
    StripeCredentials, Target, Vendor, VeriffCredentials,
};

use crate::cancel::delete_cancel;
use crate::ffi::{self, arg, arg_mut, guard, into_handle, named_str_arg, Out, Result};
use crate::last_error::detailed;
use crate::outcome::delete_outcome;
use crate::result::delete_result::{self, *};

/// Which delete API a reference belongs to: one of the `DELETE_PRODUCT_*`
/// constants.
pub type delete_product = u32;
/// Jumio ID Verification ("scan"): `/api/netverify/v2/scans/{ref}`.
pub const DELETE_PRODUCT_JUMIO_SCAN: delete_product = 1;
/// Jumio Authentication: `/api/netverify/v2/authentications/{ref}`.
pub const DELETE_PRODUCT_JUMIO_AUTHENTICATION: delete_product = 2;
/// Jumio Document Verification ("document"):
/// `/api/netverify/v2/documents/{ref}`.
pub const DELETE_PRODUCT_JUMIO_DOCUMENT: delete_product = 3;
/// A HyperVerge transaction: `/api/v2/transaction/id`.
pub const DELETE_PRODUCT_HYPERVERGE_TRANSACTION: delete_product = 4;
/// A Jumio Platform account and all its workflow executions:
/// `/api/v1/accounts/{accountId}`. The reference is the account id, a UUID.
pub const DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT: delete_product = 5;
/// One Jumio Platform workflow execution:
/// `/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}`.
/// The reference is `"ACCOUNT_ID/WORKFLOW_EXECUTION_ID"`, two UUIDs.
pub const DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW: delete_product = 6;
/// An Onfido applicant and its documents, photos, videos, checks and
/// reports: `/v3.6/applicants/{applicant_id}`. The reference is a UUID.
/// Onfido archives it and hard-deletes it after the account's deletion
/// delay: the outcome is `DELETE_OUTCOME_SCHEDULED`.
pub const DELETE_PRODUCT_ONFIDO_APPLICANT: delete_product = 7;
/// A Persona inquiry (`inq_...`), redacted at once, its child objects
/// later: `/api/v1/inquiries/{inquiry_id}`.
pub const DELETE_PRODUCT_PERSONA_INQUIRY: delete_product = 8;
/// A Persona account (`act_...`) with its inquiries, verifications and
/// reports: `/api/v1/accounts/{account_id}`.
pub const DELETE_PRODUCT_PERSONA_ACCOUNT: delete_product = 9;
/// A Stripe Identity verification session (`vs_...`), redacted within
/// four days: `POST /v1/identity/verification_sessions/{id}/redact`.
pub const DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION: delete_product = 10;
/// A Veriff session (a UUID), whose data Veriff deletes within 12 hours:
/// `/v1/sessions/{session_id}`.
pub const DELETE_PRODUCT_VERIFF_SESSION: delete_product = 11;

/// A vendor's data-centre region: one of the `DELETE_REGION_*` constants.
/// Jumio and the Jumio Platform take US, EU and SGP; Onfido takes EU, US
/// and CA.
pub type delete_region = u32;
/// United States (netverify.com; the Jumio Platform's amer-1;
/// api.us.onfido.com).
pub const DELETE_REGION_US: delete_region = 1;
/// European Union (lon.netverify.com; the Jumio Platform's emea-1;
/// api.eu.onfido.com).
pub const DELETE_REGION_EU: delete_region = 2;
/// Singapore (core-sgp.jumio.com; the Jumio Platform's apac-1). Jumio only.
pub const DELETE_REGION_SGP: delete_region = 3;
/// Canada (api.ca.onfido.com). Onfido only.
pub const DELETE_REGION_CA: delete_region = 4;

/// The configuration of a `delete_client`, checked by
/// `delete_client_builder_build`. Not thread-safe; free it with
/// `delete_client_builder_free` (building does not consume it).
pub struct delete_client_builder {
    /// Each vendor's credentials and, for the Jumio APIs and Onfido, the
    /// name of the region of its references.
    vendors: BTreeMap<Vendor, (Credentials, Option<&'static str>)>,
    base_url: Option<Endpoint>,
    hyperverge_host: Option<Endpoint>,
    veriff_base_url: Option<Endpoint>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    max_attempts: Option<u32>,
    /// `base_delay`, `max_delay` and `max_retry_after`, when set.
    delays: Option<(Duration, Duration, Duration)>,
}

/// A client of the Jumio, Jumio Platform, HyperVerge, Onfido, Persona,
/// Stripe Identity and Veriff delete APIs: credentials, endpoints,
/// timeouts, a retry policy and one connection pool.
///
/// Thread-safe: share one `const delete_client *` across threads (every
/// function taking a `const delete_client *` may run concurrently). Free it
/// with `delete_client_free` once no call uses it.
pub struct delete_client {
    /// The one owner of the credentials and endpoints, the sans-IO
    /// requests included (`Client::to_request`).
    client: Client,
    /// The name of the region of every reference of each vendor that has
    /// regions (the Jumio APIs, Onfido): the C API takes it once, with the
    /// credentials.
    regions: BTreeMap<Vendor, &'static str>,
}

/// The regions of the Jumio APIs: each code and its name.
pub(crate) const JUMIO_REGIONS: [(delete_region, &str); 3] = [
    (DELETE_REGION_US, "us"),
    (DELETE_REGION_EU, "eu"),
    (DELETE_REGION_SGP, "sgp"),
];

/// Onfido's regions: each code and its name.
pub(crate) const ONFIDO_REGIONS: [(delete_region, &str); 3] = [
    (DELETE_REGION_EU, "eu"),
    (DELETE_REGION_US, "us"),
    (DELETE_REGION_CA, "ca"),
];

/// The name of `region`, given to `call`, if it is one of `regions`.
pub(crate) fn region(
    call: &str,
    region: delete_region,
    regions: &[(delete_region, &'static str)],
) -> Result<&'static str> {
    let found = regions.iter().find(|(code, _)| *code == region);
    found.map(|(_, name)| *name).ok_or_else(|| {
        let choices: Vec<String> = regions
            .iter()
            .map(|(code, name)| format!("DELETE_REGION_{} {code}", name.to_uppercase()))
            .collect();
        detailed(
            DELETE_RESULT_INVALID_ARGUMENT,
            format!(
                "{call}: region {region} is not one of its DELETE_REGION_* constants ({})",
                choices.join(", ")
            ),
        )
    })
}

/// The one table of the product codes: each code, its vendor and its
/// product name as `Target::parse` reads it (the CLI's, CSV rows' and
/// journals' name), so that a vendor's product is one line here.
const PRODUCTS: [(delete_product, Vendor, &str); 11] = [
    (DELETE_PRODUCT_JUMIO_SCAN, Vendor::Jumio, "scan"),
    (
        DELETE_PRODUCT_JUMIO_AUTHENTICATION,
        Vendor::Jumio,
        "authentication",
    ),
    (DELETE_PRODUCT_JUMIO_DOCUMENT, Vendor::Jumio, "document"),
    (
        DELETE_PRODUCT_HYPERVERGE_TRANSACTION,
        Vendor::HyperVerge,
        "transaction",
    ),
    (
        DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT,
        Vendor::JumioPlatform,
        "account",
    ),
    (
        DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW,
        Vendor::JumioPlatform,
        "workflow",
    ),
    (DELETE_PRODUCT_ONFIDO_APPLICANT, Vendor::Onfido, "applicant"),
    (DELETE_PRODUCT_PERSONA_INQUIRY, Vendor::Persona, "inquiry"),
    (DELETE_PRODUCT_PERSONA_ACCOUNT, Vendor::Persona, "account"),
    (
        DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION,
        Vendor::Stripe,
        "verification_session",
    ),
    (DELETE_PRODUCT_VERIFF_SESSION, Vendor::Veriff, "session"),
];

/// What a `delete_product` deletes: its vendor and product name.
pub(crate) fn product(product: delete_product) -> Result<(Vendor, &'static str)> {
    let found = PRODUCTS.iter().find(|(code, _, _)| *code == product);
    found
        .map(|&(_, vendor, name)| (vendor, name))
        .ok_or_else(|| {
            detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                format!(
                    "product {product} is not a DELETE_PRODUCT_* constant (1 to {})",
                    PRODUCTS.len()
                ),
            )
        })
}

/// The code of a vendor's product, named as `Target::parse` reads it; 0
/// for a product the table does not have.
pub(crate) fn product_code(vendor: Vendor, name: &str) -> delete_product {
    PRODUCTS
        .iter()
        .find(|(_, v, n)| *v == vendor && *n == name)
        .map_or(0, |(code, _, _)| *code)
}

/// The code of a region named `name` at `vendor`; 0 for none.
pub(crate) fn region_code(vendor: Vendor, name: Option<&str>) -> delete_region {
    let regions: &[(delete_region, &str)] = match vendor {
        Vendor::Onfido => &ONFIDO_REGIONS,
        _ => &JUMIO_REGIONS,
    };
    name.and_then(|name| regions.iter().find(|(_, n)| *n == name))
        .map_or(0, |(code, _)| *code)
}

/// The code of a configuration error refused by `call` (always
/// `DELETE_RESULT_INVALID_CONFIG`), its message the last error. The core's
/// messages name the part and why, never a credential's value.
fn config_error(call: &'static str) -> impl Fn(DeleteError) -> delete_result {
    move |error| {
        detailed(
            delete_result::from_kind(error.kind()),
            format!("{call}: {error}"),
        )
    }
}

impl delete_client_builder {
    /// Keeps `credentials` (replacing their vendor's earlier ones) and the
    /// name of the region of their references.
    fn set(&mut self, credentials: impl Into<Credentials>, region: Option<&'static str>) {
        let credentials = credentials.into();
        self.vendors
            .insert(credentials.vendor(), (credentials, region));
    }
}

impl delete_client {
    /// The Rust client, for the batch.
    pub(crate) fn rust(&self) -> &Client {
        &self.client
    }

    /// The validated intent for `reference` of `product`, which this
    /// client has the credentials to delete.
    pub(crate) fn resolve(&self, product: delete_product, reference: &str) -> Result<DeleteIntent> {
        self.resolve_in(product, None, reference)
    }

    /// As [`resolve`](delete_client::resolve), in `region` (the name of
    /// one of the vendor's regions) instead of the one given with the
    /// credentials, when it is `Some` and the vendor has regions.
    pub(crate) fn resolve_in(
        &self,
        product: delete_product,
        region: Option<&'static str>,
        reference: &str,
    ) -> Result<DeleteIntent> {
        let (vendor, product) = self::product(product)?;
        if self.client.endpoint(vendor).is_none() {
            let name = vendor.as_str().replace('-', "_");
            return Err(detailed(
                DELETE_RESULT_INVALID_CONFIG,
                format!("this client has no {} credentials: set them with delete_client_builder_set_{name}; nothing was sent", vendor.as_str()),
            ));
        }
        let core = |e: DeleteError| detailed(delete_result::from_kind(e.kind()), e.to_string());
        let region = self
            .regions
            .get(&vendor)
            .map(|configured| region.unwrap_or(configured));
        let target = Target::parse(vendor.as_str(), product, region).map_err(core)?;
        DeleteIntent::new(target, reference).map_err(core)
    }

    /// The name of the region given with `vendor`'s credentials, if it
    /// has regions.
    pub(crate) fn region_of(&self, vendor: Vendor) -> Option<&'static str> {
        self.regions.get(&vendor).copied()
    }
}

/// Makes a builder with no credentials and the defaults: the vendors'
/// documented hosts, a 10 s connect timeout, a 30 s timeout per attempt and
/// 4 attempts per deletion.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_new(
    builder_out: *mut *mut delete_client_builder,
) -> delete_result {
    guard(|| {
        let out = Out::new(builder_out)?;
        out.write(into_handle(delete_client_builder {
            vendors: BTreeMap::new(),
            base_url: None,
            hyperverge_host: None,
            veriff_base_url: None,
            connect_timeout: None,
            timeout: None,
            max_attempts: None,
            delays: None,
        }));
        Ok(())
    })
}

/// Frees a builder and wipes the credentials it holds. NULL does nothing.
#[no_mangle]
pub extern "C" fn delete_client_builder_free(builder: *mut delete_client_builder) {
    ffi::free(builder);
}

/// Sets the Jumio credentials and region (replacing earlier ones).
///
/// `api_token` and `api_secret` are the API credentials (Jumio recommends
/// dedicated "transaction administration" ones for deletion); they are
/// copied into memory that is wiped when the builder and the client are
/// freed, and never appear in a message. `user_agent` names your business,
/// such as `"Acme KYC-Cleaner/1.0"`: Jumio requires it. `region` is a
/// `DELETE_REGION_*` constant: every Jumio reference deleted through the
/// client is looked up there. Returns `DELETE_RESULT_INVALID_CONFIG` for an
/// empty or malformed part (a space or newline in a secret, a `:` in the
/// token, an empty User-Agent), `DELETE_RESULT_INVALID_ARGUMENT` for an
/// unknown region.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_jumio(
    builder: *mut delete_client_builder,
    api_token: *const c_char,
    api_secret: *const c_char,
    user_agent: *const c_char,
    region: delete_region,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_jumio";
        let (token, secret, user_agent) = (
            named_str_arg(CALL, "api_token", api_token)?,
            named_str_arg(CALL, "api_secret", api_secret)?,
            named_str_arg(CALL, "user_agent", user_agent)?,
        );
        let region = self::region(CALL, region, &JUMIO_REGIONS)?;
        let credentials =
            JumioCredentials::new(token, secret, user_agent).map_err(config_error(CALL))?;
        builder.set(credentials, Some(region));
        Ok(())
    })
}

/// Sets the Jumio Platform (KYX) OAuth2 client credentials and region
/// (replacing earlier ones), for `DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT`
/// and `DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW`.
///
/// `client_id` and `client_secret` come from the Jumio portal; the client
/// exchanges them for access tokens when it first needs one, shares each
/// token between all threads and batches, and buys the next one before it
/// expires or when Jumio refuses it (`delete_client_token_requests` counts
/// them). Both are treated as secrets: copied into memory that is wiped
/// when the builder and the client are freed, never in a message, like the
/// tokens. `user_agent` names your business, as for
/// `delete_client_builder_set_jumio`. `region` is a `DELETE_REGION_*`
/// constant (`DELETE_REGION_US` is amer-1, `DELETE_REGION_EU` emea-1,
/// `DELETE_REGION_SGP` apac-1). Returns `DELETE_RESULT_INVALID_CONFIG` for
/// an empty or malformed part (a space or newline in a secret, a `:` in the
/// client id, an empty User-Agent), `DELETE_RESULT_INVALID_ARGUMENT` for an
/// unknown region. Bad client credentials are only known when the token
/// endpoint refuses them: the deletion's outcome is then
/// `DELETE_RESULT_UNAUTHORIZED`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_jumio_platform(
    builder: *mut delete_client_builder,
    client_id: *const c_char,
    client_secret: *const c_char,
    user_agent: *const c_char,
    region: delete_region,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_jumio_platform";
        let (id, secret, user_agent) = (
            named_str_arg(CALL, "client_id", client_id)?,
            named_str_arg(CALL, "client_secret", client_secret)?,
            named_str_arg(CALL, "user_agent", user_agent)?,
        );
        let region = self::region(CALL, region, &JUMIO_REGIONS)?;
        let credentials =
            JumioPlatformCredentials::new(id, secret, user_agent).map_err(config_error(CALL))?;
        builder.set(credentials, Some(region));
        Ok(())
    })
}

/// Sets the HyperVerge `appid` and `appkey` (replacing earlier ones). Both
/// are treated as secrets: copied into memory that is wiped when the builder
/// and the client are freed, never in a message. Returns
/// `DELETE_RESULT_INVALID_CONFIG` for an empty or malformed one.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_hyperverge(
    builder: *mut delete_client_builder,
    app_id: *const c_char,
    app_key: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_hyperverge";
        let (app_id, app_key) = (
            named_str_arg(CALL, "app_id", app_id)?,
            named_str_arg(CALL, "app_key", app_key)?,
        );
        let credentials =
            HyperVergeCredentials::new(app_id, app_key).map_err(config_error(CALL))?;
        builder.set(credentials, None);
        Ok(())
    })
}

/// Sets the Onfido API token and region (replacing earlier ones), for
/// `DELETE_PRODUCT_ONFIDO_APPLICANT`.
///
/// `api_token` is sent as `Authorization: Token token=...`; it is copied
/// into memory that is wiped when the builder and the client are freed,
/// and never appears in a message. `region` is `DELETE_REGION_EU`,
/// `DELETE_REGION_US` or `DELETE_REGION_CA` (`api.{eu|us|ca}.onfido.com`):
/// every applicant deleted through the client is looked up there. Returns
/// `DELETE_RESULT_INVALID_CONFIG` for an empty or malformed token,
/// `DELETE_RESULT_INVALID_ARGUMENT` for another region.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_onfido(
    builder: *mut delete_client_builder,
    api_token: *const c_char,
    region: delete_region,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_onfido";
        let token = named_str_arg(CALL, "api_token", api_token)?;
        let region = self::region(CALL, region, &ONFIDO_REGIONS)?;
        let credentials = OnfidoCredentials::new(token).map_err(config_error(CALL))?;
        builder.set(credentials, Some(region));
        Ok(())
    })
}

/// Sets the Persona API key (replacing an earlier one), for
/// `DELETE_PRODUCT_PERSONA_INQUIRY` and `DELETE_PRODUCT_PERSONA_ACCOUNT`.
/// It is sent as `Authorization: Bearer ...`, copied into memory that is
/// wiped when the builder and the client are freed, and never appears in
/// a message. Returns `DELETE_RESULT_INVALID_CONFIG` for an empty or
/// malformed key.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_persona(
    builder: *mut delete_client_builder,
    api_key: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_persona";
        let key = named_str_arg(CALL, "api_key", api_key)?;
        let credentials = PersonaCredentials::new(key).map_err(config_error(CALL))?;
        builder.set(credentials, None);
        Ok(())
    })
}

/// Sets the Stripe secret (`sk_...`) or restricted (`rk_...`) key
/// (replacing an earlier one), for
/// `DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION`. It is sent as
/// `Authorization: Bearer ...`, copied into memory that is wiped when the
/// builder and the client are freed, and never appears in a message.
/// Returns `DELETE_RESULT_INVALID_CONFIG` for an empty or malformed key,
/// or a publishable one (`pk_...`), which cannot redact.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_stripe(
    builder: *mut delete_client_builder,
    secret_key: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_stripe";
        let key = named_str_arg(CALL, "secret_key", secret_key)?;
        let credentials = StripeCredentials::new(key).map_err(config_error(CALL))?;
        builder.set(credentials, None);
        Ok(())
    })
}

/// Sets the Veriff API key and shared secret (replacing earlier ones), for
/// `DELETE_PRODUCT_VERIFF_SESSION`: both from the Veriff integration page.
/// The key is sent as `X-AUTH-CLIENT`; the secret signs each request
/// (`X-HMAC-SIGNATURE`, an HMAC-SHA256 of the session id) and is never
/// sent. Both are copied into memory that is wiped when the builder and the
/// client are freed, and never appear in a message. Requests go to
/// `https://stationapi.veriff.com` unless
/// `delete_client_builder_set_veriff_base_url` names the integration's own
/// base URL. Returns `DELETE_RESULT_INVALID_CONFIG` for an empty or
/// malformed part.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_veriff(
    builder: *mut delete_client_builder,
    api_key: *const c_char,
    shared_secret: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_veriff";
        let (key, secret) = (
            named_str_arg(CALL, "api_key", api_key)?,
            named_str_arg(CALL, "shared_secret", shared_secret)?,
        );
        let credentials = VeriffCredentials::new(key, secret).map_err(config_error(CALL))?;
        builder.set(credentials, None);
        Ok(())
    })
}

/// Sends every request, all vendors', to `base_url` followed by the
/// documented path: a proxy, or the emulator (Jumio Platform tokens come
/// from `BASE/oauth2/token`). It must be
/// `https://host[:port][/prefix]`, or `http://` on a loopback host only
/// (127.0.0.0/8, `::1`, `localhost`), without credentials, query or
/// fragment; otherwise `DELETE_RESULT_INVALID_CONFIG`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_base_url(
    builder: *mut delete_client_builder,
    base_url: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_base_url";
        let endpoint = Endpoint::custom(named_str_arg(CALL, "base_url", base_url)?)
            .map_err(config_error(CALL))?;
        builder.base_url = Some(endpoint);
        Ok(())
    })
}

/// Sends HyperVerge requests to `https://{host}` instead of
/// `review-api.idv.hyperverge.co` (HyperVerge serves some customers from
/// other hosts). `host` is a host name with an optional port; it wins over
/// `delete_client_builder_set_base_url` for HyperVerge. Returns
/// `DELETE_RESULT_INVALID_CONFIG` for anything but a host name.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_hyperverge_host(
    builder: *mut delete_client_builder,
    host: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_hyperverge_host";
        let endpoint = Endpoint::hyperverge_host(named_str_arg(CALL, "host", host)?)
            .map_err(config_error(CALL))?;
        builder.hyperverge_host = Some(endpoint);
        Ok(())
    })
}

/// Sends Veriff requests to `base_url` followed by `/v1/sessions/...`
/// instead of `https://stationapi.veriff.com`: each Veriff integration has
/// its own base URL, shown on its integration page. It wins over
/// `delete_client_builder_set_base_url` for Veriff, and follows the same
/// rules (`https://`, or `http://` on a loopback host only, without
/// credentials, query or fragment); otherwise
/// `DELETE_RESULT_INVALID_CONFIG`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_veriff_base_url(
    builder: *mut delete_client_builder,
    base_url: *const c_char,
) -> delete_result {
    guard(|| {
        let builder = arg_mut(builder)?;
        const CALL: &str = "delete_client_builder_set_veriff_base_url";
        let endpoint = Endpoint::custom(named_str_arg(CALL, "base_url", base_url)?)
            .map_err(config_error(CALL))?;
        builder.veriff_base_url = Some(endpoint);
        Ok(())
    })
}

/// Sets the time to establish a connection, TCP and TLS, in milliseconds
/// (default 10000). `delete_client_builder_build` refuses 0 and more than
/// one hour.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_connect_timeout_ms(
    builder: *mut delete_client_builder,
    milliseconds: u32,
) -> delete_result {
    guard(|| {
        arg_mut(builder)?.connect_timeout = Some(Duration::from_millis(milliseconds.into()));
        Ok(())
    })
}

/// Sets the time allowed for each phase of one attempt once connected
/// (sending, awaiting the answer, reading it), in milliseconds (default
/// 30000). `delete_client_builder_build` refuses 0 and more than one hour.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_timeout_ms(
    builder: *mut delete_client_builder,
    milliseconds: u32,
) -> delete_result {
    guard(|| {
        arg_mut(builder)?.timeout = Some(Duration::from_millis(milliseconds.into()));
        Ok(())
    })
}

/// Sets the most requests sent for one deletion, the first included
/// (default 4; 1 means no retries). Retried: 429, 500, 502, 503, 504,
/// timeouts, connection and I/O failures, with backoff and `Retry-After`.
/// `delete_client_builder_build` refuses 0 and more than 100.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_max_attempts(
    builder: *mut delete_client_builder,
    max_attempts: u32,
) -> delete_result {
    guard(|| {
        arg_mut(builder)?.max_attempts = Some(max_attempts);
        Ok(())
    })
}

/// Sets the backoff and the longest `Retry-After` honoured, in
/// milliseconds (defaults 500, 20000 and 120000): the wait before retry
/// *n* is a random fraction of `base_delay_ms × 2^(n-1)`, capped at
/// `max_delay_ms`; a vendor asking for a longer `Retry-After` than
/// `max_retry_after_ms` ends the deletion with `DELETE_RESULT_RATE_LIMITED`
/// instead of waiting. `delete_client_builder_build` refuses a base delay
/// above the maximum and a maximum above one hour.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_set_retry_delays(
    builder: *mut delete_client_builder,
    base_delay_ms: u32,
    max_delay_ms: u32,
    max_retry_after_ms: u32,
) -> delete_result {
    guard(|| {
        let ms = |value: u32| Duration::from_millis(value.into());
        arg_mut(builder)?.delays =
            Some((ms(base_delay_ms), ms(max_delay_ms), ms(max_retry_after_ms)));
        Ok(())
    })
}

/// Checks the configuration and makes a client. The builder is not
/// consumed: free it with `delete_client_builder_free`. Returns
/// `DELETE_RESULT_INVALID_CONFIG` without credentials or with an unusable
/// timeout or attempt count. No I/O happens here.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_builder_build(
    builder: *const delete_client_builder,
    client_out: *mut *mut delete_client,
) -> delete_result {
    guard(|| {
        let builder = arg(builder)?;
        let out = Out::new(client_out)?;
        let mut rust = Client::builder();
        for (&vendor, (credentials, _)) in &builder.vendors {
            rust = rust.credentials(credentials.clone());
            if let Some(endpoint) = &builder.base_url {
                rust = rust.endpoint(vendor, endpoint.clone());
            }
        }
        if let Some(endpoint) = &builder.hyperverge_host {
            rust = rust.hyperverge_endpoint(endpoint.clone());
        }
        if let Some(endpoint) = &builder.veriff_base_url {
            rust = rust.endpoint(Vendor::Veriff, endpoint.clone());
        }
        if let Some(timeout) = builder.connect_timeout {
            rust = rust.connect_timeout(timeout);
        }
        if let Some(timeout) = builder.timeout {
            rust = rust.timeout(timeout);
        }
        if builder.max_attempts.is_some() || builder.delays.is_some() {
            let mut policy = RetryPolicy::default();
            if let Some(max_attempts) = builder.max_attempts {
                policy.max_attempts = max_attempts;
            }
            if let Some((base, max, retry_after)) = builder.delays {
                policy.base_delay = base;
                policy.max_delay = max;
                policy.max_retry_after = retry_after;
            }
            rust = rust.retry_policy(policy);
        }
        let client = rust
            .build()
            .map_err(config_error("delete_client_builder_build"))?;
        let regions = builder
            .vendors
            .iter()
            .filter_map(|(&vendor, (_, region))| Some((vendor, (*region)?)))
            .collect();
        out.write(into_handle(delete_client { client, regions }));
        Ok(())
    })
}

/// Writes how many Jumio Platform access tokens the client has requested
/// so far (all threads and batches): one per token lifetime (60 minutes at
/// Jumio) when all goes well; 0 without Jumio Platform credentials.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_token_requests(
    client: *const delete_client,
    count_out: *mut u64,
) -> delete_result {
    guard(|| {
        let client = arg(client)?;
        Out::new(count_out)?.write(client.client.token_requests());
        Ok(())
    })
}

/// Frees a client and wipes its credentials. NULL does nothing. No call may
/// be using it.
#[no_mangle]
pub extern "C" fn delete_client_free(client: *mut delete_client) {
    ffi::free(client);
}

/// Deletes one transaction: `reference` of `product` (a `DELETE_PRODUCT_*`
/// constant; Jumio, Jumio Platform and Onfido references in the region
/// given with their credentials), retrying as
/// configured. Blocks, sleeping between attempts.
///
/// `DELETE_RESULT_OK` means the deletion ran and `*outcome_out` says how it
/// ended: **it does not mean deleted**. Ask `delete_outcome_status`
/// (deleted, scheduled by the vendor for later, or failed) or
/// `delete_outcome_error` (a 404 is `DELETE_RESULT_NOT_FOUND`, never a
/// deletion). Any other code means nothing was sent: an unknown product
/// (`DELETE_RESULT_INVALID_ARGUMENT`), a malformed reference
/// (`DELETE_RESULT_INVALID_REFERENCE`), no credentials for the product's
/// vendor (`DELETE_RESULT_INVALID_CONFIG`). Free the outcome with
/// `delete_outcome_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete(
    client: *const delete_client,
    product: delete_product,
    reference: *const c_char,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    const CALL: &str = "delete_client_delete";
    delete(
        CALL,
        client,
        product,
        reference,
        outcome_out,
        |client, intent| Ok(client.delete(intent)),
    )
}

/// Deletes one transaction that an earlier attempt may already have
/// deleted (an outcome with `delete_outcome_in_doubt` true): as
/// `delete_client_delete`, except that a 404 confirms the deletion
/// (`DELETE_CONFIRMED_BY_ABSENCE`) instead of being
/// `DELETE_RESULT_NOT_FOUND`. Use it only for such references, or a typo
/// would be reported as deleted.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_resumed(
    client: *const delete_client,
    product: delete_product,
    reference: *const c_char,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    const CALL: &str = "delete_client_delete_resumed";
    delete(
        CALL,
        client,
        product,
        reference,
        outcome_out,
        |client, intent| Ok(client.delete_resumed(intent)),
    )
}

/// As `delete_client_delete`, stoppable with `cancel` (see `delete_cancel`)
/// from another thread: a wait (backoff, `Retry-After` pause) ends at once
/// and the outcome's error is then `DELETE_RESULT_CANCELLED`, with
/// `delete_outcome_in_doubt` true if an earlier attempt may have deleted it
/// (confirm with `delete_client_delete_resumed`). A request on the wire
/// finishes first, within the client's timeout, and its answer counts.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_cancellable(
    client: *const delete_client,
    product: delete_product,
    reference: *const c_char,
    cancel: *const delete_cancel,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    // NULL is checked inside `delete`'s guard, so that it sets the last
    // error like every other argument.
    const CALL: &str = "delete_client_delete_cancellable";
    delete(
        CALL,
        client,
        product,
        reference,
        outcome_out,
        |client, intent| {
            let cancel = arg(cancel)?;
            Ok(client.delete_cancellable(intent, &cancel.token))
        },
    )
}

/// Asks the vendor whether an erasure it scheduled (an outcome with
/// `delete_outcome_status` `DELETE_OUTCOME_SCHEDULED`) is complete:
/// `reference` of `product`, as given to `delete_client_delete`. One read,
/// never retried and never a deletion, so it is always safe to run again
/// later.
///
/// `DELETE_RESULT_OK` means the vendor answered and `*outcome_out` says
/// what it told: deleted with `DELETE_CONFIRMED_BY_RECHECK` (Stripe's
/// `redaction.status` is `redacted`, Onfido no longer holds the applicant,
/// Persona shows `redacted-at`), still `DELETE_OUTCOME_SCHEDULED` with the
/// vendor's date or state, or failed (`delete_outcome_error`: no answer, a
/// refusal). `DELETE_RESULT_ABSENT` means the vendor offers no read to
/// recheck (Veriff) or erases at once (Jumio, HyperVerge); nothing was sent
/// and nothing is written. The other codes are `delete_client_delete`'s,
/// nothing sent. Free the outcome with `delete_outcome_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_recheck(
    client: *const delete_client,
    product: delete_product,
    reference: *const c_char,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    const CALL: &str = "delete_client_recheck";
    delete(
        CALL,
        client,
        product,
        reference,
        outcome_out,
        |client, intent| {
            match client.recheck(intent) {
            Ok(Some(erasure)) => Ok(Ok(erasure)),
            Ok(None) => Err(detailed(
                DELETE_RESULT_ABSENT,
                format!(
                    "{CALL}: {} offers no read to recheck an erasure (it erases at once, or, like Veriff, keeps nothing to read); nothing was sent",
                    intent.vendor().as_str()
                ),
            )),
            Err(error) => Ok(Err(error)),
        }
        },
    )
}

/// The body of the `delete_client_delete*` functions and
/// `delete_client_recheck`.
fn delete(
    call: &'static str,
    client: *const delete_client,
    product: delete_product,
    reference: *const c_char,
    outcome_out: *mut *mut delete_outcome,
    run: impl FnOnce(&Client, &DeleteIntent) -> Result<std::result::Result<Erasure, DeleteError>>,
) -> delete_result {
    guard(|| {
        let client = arg(client)?;
        let reference = named_str_arg(call, "reference", reference)?;
        let out = Out::new(outcome_out)?;
        let intent = client.resolve(product, reference)?;
        let result = run(&client.client, &intent)?;
        out.write(into_handle(delete_outcome::new(result)));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_code_reads_as_its_vendors_target_in_each_of_its_regions() {
        for (index, &(code, vendor, name)) in PRODUCTS.iter().enumerate() {
            assert_eq!(
                code as usize,
                index + 1,
                "the codes are 1 to {}",
                PRODUCTS.len()
            );
            let regions: &[(delete_region, &str)] = match vendor {
                Vendor::Jumio | Vendor::JumioPlatform => &JUMIO_REGIONS,
                Vendor::Onfido => &ONFIDO_REGIONS,
                _ => &[],
            };
            let names: Vec<Option<&str>> = match regions {
                [] => vec![None],
                _ => regions.iter().map(|(_, name)| Some(*name)).collect(),
            };
            for region in names {
                let target = Target::parse(vendor.as_str(), name, region)
                    .unwrap_or_else(|e| panic!("product {code} in {region:?}: {e}"));
                assert_eq!((target.vendor(), target.product_name()), (vendor, name));
                assert_eq!(target.region_name(), region);
            }
        }
    }

    #[test]
    fn a_region_is_refused_by_the_vendors_that_do_not_have_it() {
        let refused = |code, regions| region("call", code, regions).unwrap_err();
        assert_eq!(
            refused(DELETE_REGION_CA, &JUMIO_REGIONS),
            DELETE_RESULT_INVALID_ARGUMENT
        );
        assert_eq!(
            refused(DELETE_REGION_SGP, &ONFIDO_REGIONS),
            DELETE_RESULT_INVALID_ARGUMENT
        );
        assert_eq!(region("call", DELETE_REGION_CA, &ONFIDO_REGIONS), Ok("ca"));
        assert_eq!(product(0).unwrap_err(), DELETE_RESULT_INVALID_ARGUMENT);
        assert_eq!(product(12).unwrap_err(), DELETE_RESULT_INVALID_ARGUMENT);
    }
}
