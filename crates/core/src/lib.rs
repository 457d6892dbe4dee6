//! The sans-IO core of idv-delete: Jumio (Netverify v2 and the Jumio
//! Platform) and HyperVerge deletions as typed HTTP requests and typed
//! results.
//!
//! It does no I/O, reads no clock and draws no random numbers, so any HTTP
//! client can drive it: build a [`DeleteIntent`] (validated), let a
//! [`DeleteOp`] hand out `http::Request`s, feed back the `http::Response`s,
//! and read the [`Erasure`] ([`Deleted`] or [`Scheduled`]) or
//! [`DeleteError`] it ends with. The Jumio
//! Platform's OAuth2 access tokens are one [`TokenState`] per credential,
//! shared by every op (see the `token` module and [`Action::Authorize`]).
//!
//! The rules this crate keeps (outcomes, what counts as proof, retries) and
//! the vendor facts behind them are in `docs/ARCHITECTURE.md` of the
//! repository.
//!
//! # Example: one deletion over your own HTTP client
//!
//! ```
//! use idv_delete_core::{
//!     Action, ConfirmedBy, Credentials, DeleteIntent, DeleteOp, Endpoint, Erasure,
//!     JumioCredentials, JumioProduct, Region, RetryPolicy,
//! };
//!
//! // A stand-in for your HTTP client: the first attempt gets a 503, the
//! // second a 200.
//! let mut answers = vec![200u16, 503].into_iter().rev();
//! let mut send = |request: http::Request<Vec<u8>>| -> http::Response<Vec<u8>> {
//!     assert_eq!(request.method(), http::Method::DELETE);
//!     assert_eq!(
//!         request.uri(),
//!         "https://lon.netverify.com/api/netverify/v2/scans/2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"
//!     );
//!     http::Response::builder().status(answers.next().unwrap()).body(Vec::new()).unwrap()
//! };
//!
//! let credentials = Credentials::from(JumioCredentials::new(
//!     "api-token",
//!     "api-secret",
//!     "Acme KYC-Cleaner/1.0",
//! )?);
//! let intent = DeleteIntent::jumio(
//!     JumioProduct::IdVerification,
//!     Region::Eu,
//!     "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
//! )?;
//! let mut op = DeleteOp::new(&intent, &Endpoint::Documented, &credentials, RetryPolicy::default(), 7)?;
//! let erasure = loop {
//!     match op.poll_action() {
//!         Action::Send(request) => {
//!             op.handle_response(send(request));
//!         }
//!         Action::Wait(delay) => assert!(delay <= RetryPolicy::default().longest_wait()), // sleep here
//!         Action::Done(result) => break result?,
//!         Action::Authorize => unreachable!("only Jumio Platform deletions ask for a token"),
//!     }
//! };
//! // Jumio deletes at once; vendors that erase later answer
//! // `Erasure::Scheduled`, which is never a deletion.
//! let Erasure::Deleted(deleted) = erasure else { panic!("Jumio erases at once") };
//! assert_eq!(deleted.confirmed_by, ConfirmedBy::Response);
//! assert_eq!(deleted.attempts, 2);
//! # Ok::<(), idv_delete_core::DeleteError>(())
//! ```
//!
//! # Guarantees
//!
//! - Nothing a caller passes can change the request's path, add a query,
//!   fragment or header: references are validated when the intent is built.
//! - [`parse_response`] is total: every status, header set and body gives a
//!   typed answer, never a panic; vendor text is bounded to
//!   [`MAX_VENDOR_MESSAGE`] bytes.
//! - A 404 is [`ErrorKind::NotFound`], never a deletion, unless an earlier
//!   attempt of the same op may have been applied ([`ConfirmedBy::Absence`]:
//!   absent after an uncertain attempt, so erased by that attempt or never
//!   present at that endpoint).
//! - A 2xx is a deletion only when it is the vendor's own answer: an HTML
//!   page (a proxy, a captive portal, a wrong base URL) or, for Jumio, a
//!   body that is neither empty nor JSON is [`ErrorKind::UnexpectedResponse`]
//!   in doubt (see [`parse_response`]).
//! - No `Debug`, `Display` or error text contains a credential.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod credentials;
mod endpoint;
mod error;
mod evidence;
mod intent;
mod limits;
mod op;
mod outcome;
mod recheck;
mod request;
mod response;
mod token;
mod vendors;

pub use credentials::{
    Credentials, HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials,
    OnfidoCredentials, PersonaCredentials, Secret, StripeCredentials, UserAgent, VeriffCredentials,
    MAX_USER_AGENT,
};
pub use endpoint::{BaseUrl, Endpoint};
pub use error::{DeleteError, ErrorKind};
pub use evidence::{request_id_headers, AnswerEvidence, MAX_EVIDENCE_VALUE};
pub use intent::{
    DeleteIntent, JumioProduct, OnfidoRegion, PersonaResource, PlatformResource, Region, Target,
    Vendor, MAX_SUBJECT,
};
pub use limits::{Window, MAX_WINDOW_SPAN};
pub use op::{Action, DeleteOp, RetryPolicy, TransportError, MAX_ATTEMPTS_LIMIT, MAX_WAIT_LIMIT};
pub use outcome::{ConfirmedBy, Deleted, Erasure, Scheduled};
pub use recheck::{offers_recheck, parse_recheck, recheck_request};
pub use request::{to_request, to_request_with_token};
pub use response::{parse_response, retry_after, MAX_VENDOR_MESSAGE};
pub use token::{
    parse_token_response, refresh_margin, token_request, BearerToken, TokenAction, TokenState,
    MAX_REFRESH_MARGIN, MAX_TOKEN_LIFETIME,
};
pub use vendors::hyperverge::{
    HOST as HYPERVERGE_HOST, MAX_ID as MAX_HYPERVERGE_ID, PATH as HYPERVERGE_PATH,
};
pub use vendors::jumio::{host as jumio_host, MAX_REFERENCE as MAX_JUMIO_REFERENCE};
pub use vendors::jumio_platform::{
    region_name as jumio_platform_region, TOKEN_PATH as JUMIO_PLATFORM_TOKEN_PATH,
};
pub use vendors::veriff::signature as veriff_signature;
