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

/// Longest Jumio transaction reference (a UUID is 36 characters).
pub const MAX_JUMIO_REFERENCE: usize = 36;
/// Longest HyperVerge transaction id, in characters.
pub const MAX_HYPERVERGE_ID: usize = 256;

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
}

impl Vendor {
    /// Every vendor.
    pub const ALL: [Vendor; 3] = [Vendor::Jumio, Vendor::JumioPlatform, Vendor::HyperVerge];

    /// The stable lowercase name: `"jumio"`, `"jumio-platform"` or
    /// `"hyperverge"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Vendor::Jumio => "jumio",
            Vendor::JumioPlatform => "jumio-platform",
            Vendor::HyperVerge => "hyperverge",
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
                        "unknown vendor {:?}: use jumio, jumio-platform or hyperverge",
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

/// A Jumio data-centre region; each has its own hosts.
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
}

impl Target {
    /// The target named by the vendor, product and region columns of a CSV
    /// row or a journal record (the names of [`Vendor::as_str`],
    /// [`Target::product_name`] and [`Region::as_str`]). HyperVerge has no
    /// region and its one product may be left empty; the Jumio APIs need
    /// both. The one reading of these names, so the CLI, the journal and
    /// the bindings agree.
    pub fn parse(vendor: &str, product: &str, region: Option<&str>) -> Result<Target, DeleteError> {
        let vendor: Vendor = vendor.parse()?;
        let region = match (vendor, region.filter(|r| !r.is_empty())) {
            (Vendor::HyperVerge, None) => None,
            (Vendor::HyperVerge, Some(region)) => {
                return Err(DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "HyperVerge has no region; leave it empty instead of {:?}",
                        bounded_for_display(region)
                    ),
                ))
            }
            (_, None) => {
                return Err(DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!("a {} item needs a region: us, eu or sgp", vendor.as_str()),
                ))
            }
            (_, Some(region)) => Some(region.parse::<Region>()?),
        };
        Ok(match (vendor, region) {
            (Vendor::Jumio, Some(region)) => Target::Jumio {
                product: product.parse()?,
                region,
            },
            (Vendor::JumioPlatform, Some(region)) => Target::JumioPlatform {
                resource: product.parse()?,
                region,
            },
            _ if product.is_empty() || product.eq_ignore_ascii_case("transaction") => {
                Target::HyperVerge
            }
            _ => {
                return Err(DeleteError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "HyperVerge has one product, \"transaction\", not {:?}",
                        bounded_for_display(product)
                    ),
                ))
            }
        })
    }

    /// The vendor of this target.
    pub const fn vendor(self) -> Vendor {
        match self {
            Target::Jumio { .. } => Vendor::Jumio,
            Target::JumioPlatform { .. } => Vendor::JumioPlatform,
            Target::HyperVerge => Vendor::HyperVerge,
        }
    }

    /// The product name: a [`JumioProduct::as_str`], a
    /// [`PlatformResource::as_str`] or `"transaction"`.
    pub const fn product_name(self) -> &'static str {
        match self {
            Target::Jumio { product, .. } => product.as_str(),
            Target::JumioPlatform { resource, .. } => resource.as_str(),
            Target::HyperVerge => "transaction",
        }
    }

    /// The Jumio region, if any.
    pub const fn region(self) -> Option<Region> {
        match self {
            Target::Jumio { region, .. } | Target::JumioPlatform { region, .. } => Some(region),
            Target::HyperVerge => None,
        }
    }
}

/// One validated deletion: which API, and which transaction.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeleteIntent {
    target: Target,
    reference: Box<str>,
}

impl DeleteIntent {
    /// A Jumio deletion. `reference` must be 1–36 of `[A-Za-z0-9-]`;
    /// anything else is [`ErrorKind::InvalidReference`], before any request
    /// exists.
    pub fn jumio(
        product: JumioProduct,
        region: Region,
        reference: &str,
    ) -> Result<DeleteIntent, DeleteError> {
        validate_jumio_reference(reference)?;
        Ok(DeleteIntent {
            target: Target::Jumio { product, region },
            reference: reference.into(),
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
        validate_hyperverge_id(transaction_id)?;
        Ok(DeleteIntent {
            target: Target::HyperVerge,
            reference: transaction_id.into(),
        })
    }

    /// A Jumio Platform account deletion: the account and every workflow
    /// execution it holds. `account_id` must be a UUID (`8-4-4-4-12` hex
    /// digits); anything else is [`ErrorKind::InvalidReference`].
    pub fn jumio_platform_account(
        region: Region,
        account_id: &str,
    ) -> Result<DeleteIntent, DeleteError> {
        validate_uuid("account id", account_id)?;
        Ok(DeleteIntent {
            target: Target::JumioPlatform {
                resource: PlatformResource::Account,
                region,
            },
            reference: account_id.into(),
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
        validate_uuid("account id", account_id)?;
        validate_uuid("workflow execution id", workflow_execution_id)?;
        Ok(DeleteIntent {
            target: Target::JumioPlatform {
                resource: PlatformResource::Workflow,
                region,
            },
            reference: format!("{account_id}/{workflow_execution_id}").into(),
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
        }
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
    /// `jumio/scan/us/REF`, `jumio-platform/account/eu/ID`,
    /// `jumio-platform/workflow/eu/ACCOUNT/WORKFLOW` or
    /// `hyperverge/transaction/ID` (the id quoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.target {
            Target::Jumio { .. } | Target::JumioPlatform { .. } => write!(
                f,
                "{}/{}/{}/{}",
                self.target.vendor().as_str(),
                self.target.product_name(),
                self.target.region().map_or("", Region::as_str),
                self.reference
            ),
            Target::HyperVerge => write!(f, "hyperverge/transaction/{:?}", &*self.reference),
        }
    }
}

fn validate_jumio_reference(reference: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "Jumio reference {:?} {why}; a Jumio transaction reference is 1-36 ASCII letters, digits or '-' (usually a UUID)",
                bounded_for_display(reference)
            ),
        )
    };
    if reference.is_empty() {
        return Err(invalid("is empty".into()));
    }
    if let Some((position, c)) = reference
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(invalid(format!(
            "has the character {c:?} (U+{:04X}) at position {position}",
            c as u32
        )));
    }
    if reference.len() > MAX_JUMIO_REFERENCE {
        return Err(invalid(format!("is {} characters long", reference.len())));
    }
    Ok(())
}

/// A UUID as Jumio writes them: 36 characters, hex digits in groups of
/// 8-4-4-4-12 (either case). It goes into the path verbatim, so nothing else
/// may pass.
fn validate_uuid(what: &str, id: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "Jumio Platform {what} {:?} {why}; it is a UUID such as 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
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

fn validate_hyperverge_id(id: &str) -> Result<(), DeleteError> {
    let invalid = |why: String| {
        DeleteError::new(
            ErrorKind::InvalidReference,
            format!(
                "HyperVerge transaction id {:?} {why}; a transaction id is 1-{MAX_HYPERVERGE_ID} characters without control characters or surrounding whitespace",
                bounded_for_display(id)
            ),
        )
    };
    if id.is_empty() {
        return Err(invalid("is empty".into()));
    }
    // A blank CSV cell or a stray space is never a transaction id.
    if id.trim().is_empty() {
        return Err(invalid("is only whitespace".into()));
    }
    if let Some((position, c)) = id.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(invalid(format!(
            "has the control character U+{:04X} at position {position}",
            c as u32
        )));
    }
    // A stray space copied with the id is never part of it (see
    // `DeleteIntent::hyperverge`).
    if let Some(c) = id.chars().next().filter(|c| c.is_whitespace()) {
        return Err(invalid(format!(
            "starts with whitespace (U+{:04X}); remove the whitespace around the id",
            c as u32
        )));
    }
    if let Some(c) = id.chars().next_back().filter(|c| c.is_whitespace()) {
        return Err(invalid(format!(
            "ends with whitespace (U+{:04X}); remove the whitespace around the id",
            c as u32
        )));
    }
    let length = id.chars().count();
    if length > MAX_HYPERVERGE_ID {
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
