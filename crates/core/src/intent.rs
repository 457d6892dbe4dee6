//! What to erase: a validated [`DeleteIntent`].
//!
//! Intents are only built through validating constructors, so a value of this
//! type is proof that its reference cannot alter the request: a Jumio
//! reference is 1–36 of `[A-Za-z0-9-]` and goes into the path verbatim; a
//! Jumio Platform id is a UUID (a workflow's reference is
//! `ACCOUNT_ID/WORKFLOW_ID`, two UUIDs); a HyperVerge id only ever appears
//! JSON-escaped inside the body.

use std::fmt;
use std::str::FromStr;

use crate::error::{DeleteError, ErrorKind};

/// The vendor that holds the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Jumio's legacy Netverify v2 delete API (Basic authentication).
    Jumio,
    /// The Jumio Platform (KYX): accounts and workflow executions, with
    /// OAuth2 client credentials. A vendor of its own here because its
    /// credentials, hosts and API differ from Netverify v2's.
    JumioPlatform,
    /// HyperVerge (review API).
    HyperVerge,
    /// Onfido (Entrust): applicants.
    Onfido,
    /// Persona: inquiries and accounts.
    Persona,
    /// Stripe Identity: verification sessions.
    Stripe,
    /// Veriff: sessions.
    Veriff,
}

impl Vendor {
    /// Every vendor.
    pub const ALL: [Vendor; 7] = [
        Vendor::Jumio,
        Vendor::JumioPlatform,
        Vendor::HyperVerge,
        Vendor::Onfido,
        Vendor::Persona,
        Vendor::Stripe,
        Vendor::Veriff,
    ];

    /// The vendor's own name, for messages: "Jumio", "Jumio Platform",
    /// "HyperVerge", "Onfido", "Persona", "Stripe Identity" or "Veriff".
    pub const fn name(self) -> &'static str {
        match self {
            Vendor::Jumio => "Jumio",
            Vendor::JumioPlatform => "Jumio Platform",
            Vendor::HyperVerge => "HyperVerge",
            Vendor::Onfido => "Onfido",
            Vendor::Persona => "Persona",
            Vendor::Stripe => "Stripe Identity",
            Vendor::Veriff => "Veriff",
        }
    }

    /// The stable lowercase name: `"jumio"`, `"jumio-platform"`,
    /// `"hyperverge"`, `"onfido"`, `"persona"`, `"stripe"` or `"veriff"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Vendor::Jumio => "jumio",
            Vendor::JumioPlatform => "jumio-platform",
            Vendor::HyperVerge => "hyperverge",
            Vendor::Onfido => "onfido",
            Vendor::Persona => "persona",
            Vendor::Stripe => "stripe",
            Vendor::Veriff => "veriff",
        }
    }
}

impl FromStr for Vendor {
    type Err = DeleteError;

    /// Accepts the names of [`Vendor::as_str`], case-insensitively.
    fn from_str(s: &str) -> Result<Self, DeleteError> {
        Vendor::ALL
            .into_iter()
            .find(|vendor| vendor.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "unknown vendor {:?}: use jumio, jumio-platform, hyperverge, onfido, persona, stripe or veriff",
                        bounded_for_display(s)
                    ),
                )
            })
    }
}

/// What a Jumio Platform deletion erases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlatformResource {
    /// An account and every workflow execution it holds:
    /// `/api/v1/accounts/{accountId}`.
    Account,
    /// One workflow execution of an account:
    /// `/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}`.
    Workflow,
}

impl PlatformResource {
    /// The short name used by the CLI, CSV files and journals:
    /// `"account"` or `"workflow"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PlatformResource::Account => "account",
            PlatformResource::Workflow => "workflow",
        }
    }
}

impl FromStr for PlatformResource {
    type Err = DeleteError;

    /// Accepts `account` and `workflow` (or `workflow-execution`),
    /// case-insensitively.
    fn from_str(s: &str) -> Result<Self, DeleteError> {
        match s.to_ascii_lowercase().as_str() {
            "account" => Ok(PlatformResource::Account),
            "workflow" | "workflow-execution" | "workflow_execution" => {
                Ok(PlatformResource::Workflow)
            }
            _ => Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "unknown Jumio Platform product {:?}: use account or workflow",
                    bounded_for_display(s)
                ),
            )),
        }
    }
}

/// The Jumio product whose transaction is deleted; each has its own path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JumioProduct {
    /// ID Verification ("scan"): `/api/netverify/v2/scans/{ref}`.
    IdVerification,
    /// Authentication: `/api/netverify/v2/authentications/{ref}`.
    Authentication,
    /// Document Verification ("document"): `/api/netverify/v2/documents/{ref}`,
    /// served from the retrieval hosts.
    DocumentVerification,
}

impl JumioProduct {
    /// Every Jumio product.
    pub const ALL: [JumioProduct; 3] = [
        JumioProduct::IdVerification,
        JumioProduct::Authentication,
        JumioProduct::DocumentVerification,
    ];

    /// The short name used by the CLI, CSV files and journals:
    /// `"scan"`, `"authentication"` or `"document"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            JumioProduct::IdVerification => "scan",
            JumioProduct::Authentication => "authentication",
            JumioProduct::DocumentVerification => "document",
        }
    }

    pub(crate) const fn path_collection(self) -> &'static str {
        match self {
            JumioProduct::IdVerification => "scans",
            JumioProduct::Authentication => "authentications",
            JumioProduct::DocumentVerification => "documents",
        }
    }
}

impl FromStr for JumioProduct {
    type Err = DeleteError;

    /// Accepts the short names and the long ones (`id_verification`,
    /// `document_verification`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, DeleteError> {
        match s.to_ascii_lowercase().as_str() {
            "scan" | "id_verification" | "idverification" => Ok(JumioProduct::IdVerification),
            "authentication" => Ok(JumioProduct::Authentication),
            "document" | "document_verification" | "documentverification" => {
                Ok(JumioProduct::DocumentVerification)
            }
            _ => Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "unknown Jumio product {:?}: use scan, authentication or document",
                    bounded_for_display(s)
                ),
            )),
        }
    }
}

/// A Jumio data-centre region; each has its own hosts. (Onfido's regions
/// are [`OnfidoRegion`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// United States (netverify.com).
    Us,
    /// European Union (lon.netverify.com).
    Eu,
    /// Singapore (core-sgp.jumio.com).
    Sgp,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Sgp];

    /// The lowercase name: `"us"`, `"eu"` or `"sgp"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Sgp => "sgp",
        }
    }
}

impl FromStr for Region {
    type Err = DeleteError;

    fn from_str(s: &str) -> Result<Self, DeleteError> {
        match s.to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            "sgp" | "sg" => Ok(Region::Sgp),
            _ => Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "unknown Jumio region {:?}: use us, eu or sgp",
                    bounded_for_display(s)
                ),
            )),
        }
    }
}

/// An Onfido region; each has its own host, `api.{eu|us|ca}.onfido.com`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OnfidoRegion {
    /// European Union (Onfido's default).
    Eu,
    /// United States.
    Us,
    /// Canada.
    Ca,
}

impl OnfidoRegion {
    /// Every Onfido region.
    pub const ALL: [OnfidoRegion; 3] = [OnfidoRegion::Eu, OnfidoRegion::Us, OnfidoRegion::Ca];

    /// The lowercase name: `"eu"`, `"us"` or `"ca"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OnfidoRegion::Eu => "eu",
            OnfidoRegion::Us => "us",
            OnfidoRegion::Ca => "ca",
        }
    }
}

impl FromStr for OnfidoRegion {
    type Err = DeleteError;

    fn from_str(s: &str) -> Result<Self, DeleteError> {
        OnfidoRegion::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "unknown Onfido region {:?}: use eu, us or ca",
                        bounded_for_display(s)
                    ),
                )
            })
    }
}

/// What a Persona deletion redacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonaResource {
    /// One inquiry (`inq_...`): `/api/v1/inquiries/{id}`.
    Inquiry,
    /// An account (`act_...`) with its inquiries, verifications and
    /// reports: `/api/v1/accounts/{id}`.
    Account,
}

impl PersonaResource {
    /// The short name: `"inquiry"` or `"account"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PersonaResource::Inquiry => "inquiry",
            PersonaResource::Account => "account",
        }
    }

    /// The id prefix Persona gives this resource.
    pub(crate) const fn prefix(self) -> &'static str {
        match self {
            PersonaResource::Inquiry => "inq_",
            PersonaResource::Account => "act_",
        }
    }
}

impl FromStr for PersonaResource {
    type Err = DeleteError;

    fn from_str(s: &str) -> Result<Self, DeleteError> {
        match s.to_ascii_lowercase().as_str() {
            "inquiry" => Ok(PersonaResource::Inquiry),
            "account" => Ok(PersonaResource::Account),
            _ => Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "unknown Persona product {:?}: use inquiry or account",
                    bounded_for_display(s)
                ),
            )),
        }
    }
}

/// Which delete API an intent calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A Jumio product in a region.
    Jumio {
        /// The product whose transaction is deleted.
        product: JumioProduct,
        /// The region that holds it.
        region: Region,
    },
    /// A Jumio Platform account or workflow execution in a region.
    JumioPlatform {
        /// What is deleted.
        resource: PlatformResource,
        /// The region that holds it (`us` is `amer-1`, `eu` is `emea-1`,
        /// `sgp` is `apac-1`).
        region: Region,
    },
    /// HyperVerge's single delete endpoint.
    HyperVerge,
    /// An Onfido applicant in a region.
    Onfido {
        /// The region that holds it.
        region: OnfidoRegion,
    },
    /// A Persona inquiry or account.
    Persona {
        /// What is redacted.
        resource: PersonaResource,
    },
    /// A Stripe Identity verification session (redacted).
    Stripe,
    /// A Veriff session.
    Veriff,
}

impl Target {
    /// The target named by the vendor, product and region columns of a CSV
    /// row or a journal record (the names of [`Vendor::as_str`],
    /// [`Target::product_name`] and [`Target::region_name`]). The Jumio APIs
    /// and Onfido need a region; the other vendors have none. A vendor with
    /// one product (HyperVerge, Stripe, Veriff) may leave it empty. The one
    /// reading of these names, so the CLI, the journal and the bindings
    /// agree.
    pub fn parse(vendor: &str, product: &str, region: Option<&str>) -> Result<Target, DeleteError> {
        let vendor: Vendor = vendor.parse()?;
        let region = region.filter(|r| !r.is_empty());
        let config = |detail: String| Err(DeleteError::new(ErrorKind::InvalidConfig, detail));
        let name = vendor.name();
        let needs_region = matches!(
            vendor,
            Vendor::Jumio | Vendor::JumioPlatform | Vendor::Onfido
        );
        let region = match (needs_region, region) {
            (true, None) => {
                let choices = if vendor == Vendor::Onfido {
                    "eu, us or ca"
                } else {
                    "us, eu or sgp"
                };
                return config(format!("a {name} item needs a region: {choices}"));
            }
            (false, Some(region)) => {
                return config(format!(
                    "{name} has no region; leave it empty instead of {:?}",
                    bounded_for_display(region)
                ))
            }
            (_, region) => region.unwrap_or(""),
        };
        // A vendor's only product, which may be left empty.
        let only = |canonical: &str, aliases: &[&str]| -> Result<(), DeleteError> {
            if product.is_empty()
                || product.eq_ignore_ascii_case(canonical)
                || aliases.iter().any(|a| product.eq_ignore_ascii_case(a))
            {
                Ok(())
            } else {
                Err(DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{name} has one product, \"{canonical}\", not {:?}",
                        bounded_for_display(product)
                    ),
                ))
            }
        };
        Ok(match vendor {
            Vendor::Jumio => Target::Jumio {
                product: product.parse()?,
                region: region.parse()?,
            },
            Vendor::JumioPlatform => Target::JumioPlatform {
                resource: product.parse()?,
                region: region.parse()?,
            },
            Vendor::Onfido => {
                only("applicant", &[])?;
                Target::Onfido {
                    region: region.parse()?,
                }
            }
            Vendor::Persona => Target::Persona {
                resource: product.parse()?,
            },
            Vendor::HyperVerge => {
                only("transaction", &[])?;
                Target::HyperVerge
            }
            Vendor::Stripe => {
                only("verification_session", &["verification-session"])?;
                Target::Stripe
            }
            Vendor::Veriff => {
                only("session", &[])?;
                Target::Veriff
            }
        })
    }

    /// The vendor of this target.
    pub const fn vendor(self) -> Vendor {
        match self {
            Target::Jumio { .. } => Vendor::Jumio,
            Target::JumioPlatform { .. } => Vendor::JumioPlatform,
            Target::HyperVerge => Vendor::HyperVerge,
            Target::Onfido { .. } => Vendor::Onfido,
            Target::Persona { .. } => Vendor::Persona,
            Target::Stripe => Vendor::Stripe,
            Target::Veriff => Vendor::Veriff,
        }
    }

    /// The product name: a [`JumioProduct::as_str`], a
    /// [`PlatformResource::as_str`], a [`PersonaResource::as_str`],
    /// `"applicant"` (Onfido), `"verification_session"` (Stripe),
    /// `"session"` (Veriff) or `"transaction"` (HyperVerge).
    pub const fn product_name(self) -> &'static str {
        match self {
            Target::Jumio { product, .. } => product.as_str(),
            Target::JumioPlatform { resource, .. } => resource.as_str(),
            Target::HyperVerge => "transaction",
            Target::Onfido { .. } => "applicant",
            Target::Persona { resource } => resource.as_str(),
            Target::Stripe => "verification_session",
            Target::Veriff => "session",
        }
    }

    /// The Jumio region, if any.
    pub const fn region(self) -> Option<Region> {
        match self {
            Target::Jumio { region, .. } | Target::JumioPlatform { region, .. } => Some(region),
            _ => None,
        }
    }

    /// The region's name for any vendor that has regions (Jumio's and
    /// Onfido's), as CSV rows and journals write it.
    pub const fn region_name(self) -> Option<&'static str> {
        match self {
            Target::Jumio { region, .. } | Target::JumioPlatform { region, .. } => {
                Some(region.as_str())
            }
            Target::Onfido { region } => Some(region.as_str()),
            _ => None,
        }
    }
}

/// One validated deletion: which API, which transaction, and optionally
/// whose data it is.
///
/// The subject (the company's own key for the person, such as a customer
/// id) is a label for journals and reports: it is never sent to a vendor
/// and is not part of the item's identity, so the same reference under two
/// subjects is still one item (journaled as a duplicate, with its subject).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeleteIntent {
    target: Target,
    reference: Box<str>,
    subject: Option<Box<str>>,
}

/// The longest subject key, in characters: room for any customer id or
/// UUID-based key, small enough that a journal line stays bounded.
pub const MAX_SUBJECT: usize = 128;

impl DeleteIntent {
    /// A Jumio deletion. `reference` must be 1–36 of `[A-Za-z0-9-]`;
    /// anything else is [`ErrorKind::InvalidReference`], before any request
    /// exists.
    pub fn jumio(
        product: JumioProduct,
        region: Region,
        reference: &str,
    ) -> Result<DeleteIntent, DeleteError> {
        crate::vendors::jumio::validate(reference)?;
        Ok(DeleteIntent {
            target: Target::Jumio { product, region },
            reference: reference.into(),
            subject: None,
        })
    }

    /// A HyperVerge deletion. `transaction_id` must be non-empty, at most
    /// 256 characters, without control characters, and without whitespace
    /// at either end; it is sent JSON-escaped in the body, so any other
    /// character is safe.
    ///
    /// Surrounding whitespace is refused rather than trimmed: HyperVerge
    /// would look up `" HV-7"` verbatim, answer 404 and leave `HV-7` in
    /// place, and silently trimming here would make the id sent differ from
    /// the one the caller journals and reports. Jumio's rule refuses it too.
    pub fn hyperverge(transaction_id: &str) -> Result<DeleteIntent, DeleteError> {
        crate::vendors::hyperverge::validate(transaction_id)?;
        Ok(DeleteIntent {
            target: Target::HyperVerge,
            reference: transaction_id.into(),
            subject: None,
        })
    }

    /// A Jumio Platform account deletion: the account and every workflow
    /// execution it holds. `account_id` must be a UUID (`8-4-4-4-12` hex
    /// digits); anything else is [`ErrorKind::InvalidReference`].
    pub fn jumio_platform_account(
        region: Region,
        account_id: &str,
    ) -> Result<DeleteIntent, DeleteError> {
        validate_uuid("Jumio Platform account id", account_id)?;
        Ok(DeleteIntent {
            target: Target::JumioPlatform {
                resource: PlatformResource::Account,
                region,
            },
            reference: account_id.into(),
            subject: None,
        })
    }

    /// A Jumio Platform workflow execution deletion; the account keeps its
    /// other workflow executions. Both ids must be UUIDs. The intent's
    /// [`reference`](DeleteIntent::reference) is `ACCOUNT_ID/WORKFLOW_ID`,
    /// the form CSV rows and journals use.
    pub fn jumio_platform_workflow(
        region: Region,
        account_id: &str,
        workflow_execution_id: &str,
    ) -> Result<DeleteIntent, DeleteError> {
        validate_uuid("Jumio Platform account id", account_id)?;
        validate_uuid(
            "Jumio Platform workflow execution id",
            workflow_execution_id,
        )?;
        Ok(DeleteIntent {
            target: Target::JumioPlatform {
                resource: PlatformResource::Workflow,
                region,
            },
            reference: format!("{account_id}/{workflow_execution_id}").into(),
            subject: None,
        })
    }

    /// An intent for `target`, validating `reference` by the target's rules
    /// (a Jumio Platform workflow's reference is `ACCOUNT_ID/WORKFLOW_ID`).
    pub fn new(target: Target, reference: &str) -> Result<DeleteIntent, DeleteError> {
        match target {
            Target::Jumio { product, region } => DeleteIntent::jumio(product, region, reference),
            Target::JumioPlatform {
                resource: PlatformResource::Account,
                region,
            } => DeleteIntent::jumio_platform_account(region, reference),
            Target::JumioPlatform {
                resource: PlatformResource::Workflow,
                region,
            } => match reference.split_once('/') {
                Some((account, workflow)) => {
                    DeleteIntent::jumio_platform_workflow(region, account, workflow)
                }
                None => Err(DeleteError::new(
                    ErrorKind::InvalidReference,
                    format!(
                        "Jumio Platform workflow {:?} does not name its account; write ACCOUNT_ID/WORKFLOW_ID (two UUIDs)",
                        bounded_for_display(reference)
                    ),
                )),
            },
            Target::HyperVerge => DeleteIntent::hyperverge(reference),
            Target::Onfido { region } => DeleteIntent::onfido(region, reference),
            Target::Persona { resource } => DeleteIntent::persona(resource, reference),
            Target::Stripe => DeleteIntent::stripe(reference),
            Target::Veriff => DeleteIntent::veriff(reference),
        }
    }

    /// An Onfido applicant deletion. `applicant_id` must be a UUID.
    pub fn onfido(region: OnfidoRegion, applicant_id: &str) -> Result<DeleteIntent, DeleteError> {
        validate_uuid("Onfido applicant id", applicant_id)?;
        Ok(DeleteIntent {
            target: Target::Onfido { region },
            reference: applicant_id.into(),
            subject: None,
        })
    }

    /// A Persona redaction of an inquiry (`inq_...`) or an account
    /// (`act_...`): the prefix, then 1-64 ASCII letters or digits.
    pub fn persona(resource: PersonaResource, id: &str) -> Result<DeleteIntent, DeleteError> {
        validate_prefixed(
            &format!("Persona {} id", resource.as_str()),
            resource.prefix(),
            id,
        )?;
        Ok(DeleteIntent {
            target: Target::Persona { resource },
            reference: id.into(),
            subject: None,
        })
    }

    /// A Stripe Identity redaction of a verification session (`vs_...`:
    /// the prefix, then 1-64 ASCII letters or digits).
    pub fn stripe(verification_session_id: &str) -> Result<DeleteIntent, DeleteError> {
        validate_prefixed(
            "Stripe verification session id",
            "vs_",
            verification_session_id,
        )?;
        Ok(DeleteIntent {
            target: Target::Stripe,
            reference: verification_session_id.into(),
            subject: None,
        })
    }

    /// A Veriff session deletion. `session_id` must be a UUID.
    pub fn veriff(session_id: &str) -> Result<DeleteIntent, DeleteError> {
        validate_uuid("Veriff session id", session_id)?;
        Ok(DeleteIntent {
            target: Target::Veriff,
            reference: session_id.into(),
            subject: None,
        })
    }

    /// Which delete API this intent calls.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The vendor holding the data.
    pub fn vendor(&self) -> Vendor {
        self.target.vendor()
    }

    /// The transaction reference (Jumio), account id or
    /// `ACCOUNT_ID/WORKFLOW_ID` (Jumio Platform), or transaction id
    /// (HyperVerge).
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The data subject's key, if the caller gave one.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// This intent for the data subject `subject` (the company's key for
    /// the person). It must be 1-[`MAX_SUBJECT`] characters without
    /// control characters or whitespace at either end; anything else is
    /// [`ErrorKind::InvalidSubject`], before any request exists. Refused
    /// rather than trimmed, so the key journaled is the key given.
    pub fn with_subject(mut self, subject: &str) -> Result<DeleteIntent, DeleteError> {
        validate_subject(subject)?;
        self.subject = Some(subject.into());
        Ok(self)
    }

    /// A Jumio Platform intent's account id and, for a workflow, its
    /// workflow execution id.
    pub(crate) fn platform_ids(&self) -> (&str, Option<&str>) {
        match self.reference.split_once('/') {
            Some((account, workflow)) => (account, Some(workflow)),
            None => (&self.reference, None),
        }
    }
}

impl fmt::Debug for DeleteIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeleteIntent({self})")
    }
}

impl fmt::Display for DeleteIntent {
    /// `VENDOR/PRODUCT[/REGION]/REF`: `jumio/scan/us/REF`,
    /// `jumio-platform/workflow/eu/ACCOUNT/WORKFLOW`, `onfido/applicant/eu/ID`,
    /// `stripe/verification_session/vs_...`, or `hyperverge/transaction/ID`
    /// with the id quoted (the only free-form reference).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (vendor, product) = (self.target.vendor().as_str(), self.target.product_name());
        match (self.target, self.target.region_name()) {
            (Target::HyperVerge, _) => write!(f, "{vendor}/{product}/{:?}", &*self.reference),
            (_, Some(region)) => write!(f, "{vendor}/{product}/{region}/{}", self.reference),
            (_, None) => write!(f, "{vendor}/{product}/{}", self.reference),
        }
    }
}

/// `prefix` followed by 1-64 ASCII letters or digits: the ids of Persona
/// (`inq_`, `act_`) and Stripe (`vs_`). They go into the path verbatim, so
/// nothing else may pass.
fn validate_prefixed(what: &str, prefix: &str, id: &str) -> Result<(), DeleteError> {
    const MAX: usize = 64;
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "{what} {:?} {why}; it is {prefix} followed by letters and digits",
                bounded_for_display(id)
            ),
        )
    };
    let Some(rest) = id.strip_prefix(prefix) else {
        return Err(invalid(format!("does not start with {prefix}")));
    };
    if rest.is_empty() {
        return Err(invalid(format!("has nothing after {prefix}")));
    }
    if let Some((position, c)) = rest
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(invalid(format!(
            "has the character {c:?} (U+{:04X}) at position {}",
            c as u32,
            position + prefix.len()
        )));
    }
    if rest.len() > MAX {
        return Err(invalid(format!("is {} characters long", id.len())));
    }
    Ok(())
}

/// A UUID as Jumio, Onfido and Veriff write them: 36 characters, hex digits in groups of
/// 8-4-4-4-12 (either case). It goes into the path verbatim, so nothing else
/// may pass.
fn validate_uuid(what: &str, id: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "{what} {:?} {why}; it is a UUID such as 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
                bounded_for_display(id)
            ),
        )
    };
    if id.is_empty() {
        return Err(invalid("is empty".into()));
    }
    if let Some((position, c)) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
    {
        return Err(invalid(format!(
            "has the character {c:?} (U+{:04X}) at position {position}",
            c as u32
        )));
    }
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    if groups != [8, 4, 4, 4, 12] {
        return Err(invalid("is not in the 8-4-4-4-12 form of a UUID".into()));
    }
    Ok(())
}

/// The rule of [`DeleteIntent::with_subject`].
fn validate_subject(subject: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidSubject,
            format!(
                "subject {:?} {why}; a subject is 1-{MAX_SUBJECT} characters without control characters or surrounding whitespace",
                bounded_for_display(subject)
            ),
        )
    };
    if subject.is_empty() {
        return Err(invalid("is empty".into()));
    }
    if let Some((position, c)) = subject.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(invalid(format!(
            "has the control character U+{:04X} at position {position}",
            c as u32
        )));
    }
    if subject.starts_with(char::is_whitespace) || subject.ends_with(char::is_whitespace) {
        return Err(invalid("has whitespace at an end".into()));
    }
    let length = subject.chars().count();
    if length > MAX_SUBJECT {
        return Err(invalid(format!("is {length} characters long")));
    }
    Ok(())
}

/// The first 64 characters of `s`, so an error about a huge input stays small.
pub(crate) fn bounded_for_display(s: &str) -> String {
    const SHOWN: usize = 64;
    match s.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_owned(),
    }
}
