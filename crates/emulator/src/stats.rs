//! The statistics snapshot returned by [`Emulator::stats`](crate::Emulator::stats)
//! and `GET /__emulator/stats`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the emulator has seen since it started or was last reset.
///
/// Requests to the `/__emulator/` admin routes are not counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests received on vendor routes (the Jumio Platform token route
    /// included) and unknown paths, including those answered by an injected
    /// fault or a reset.
    pub total_requests: u64,
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// Seeded transactions not deleted yet. A Jumio Platform account and
    /// each of its workflow executions count one each. An object whose
    /// erasure the vendor accepted (archived, redacted) is not present.
    pub transactions_present: u64,
    /// Deletes applied (a present transaction removed), all references. The
    /// workflows removed with their Jumio Platform account are not counted:
    /// the account's delete is.
    pub deletes_applied: u64,
    /// Deletes answered 404 by the state (unknown or already deleted).
    pub deletes_not_found: u64,
    /// Responses sent, by route and status. Routes are `jumio/scan`,
    /// `jumio/authentication`, `jumio/document`, `jumio-platform/account`,
    /// `jumio-platform/workflow`, `jumio-platform/token`,
    /// `hyperverge/transaction`, `onfido/applicant`, `persona/inquiry`,
    /// `persona/account`, `stripe/verification_session`, `veriff/session`,
    /// the reads `onfido/applicant/read`, `persona/inquiry/read`,
    /// `persona/account/read`, `stripe/verification_session/read`, Onfido's
    /// `onfido/applicant/restore`, and `unknown` (any other path). A reset connection sends no status and is
    /// counted in `faults` only.
    pub requests: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Faults injected, by kind.
    pub faults: FaultCounts,
    /// Every reference that a delete reached (the vendor's checks passed),
    /// sorted by vendor, product and reference. Seeded references never
    /// asked about are not listed, so a million seeded references cost
    /// nothing here.
    pub references: Vec<ReferenceStats>,
    /// Requests to the Jumio Platform token route `POST /oauth2/token`,
    /// whatever their answer.
    #[serde(default)]
    pub token_requests: u64,
    /// Access tokens issued (answers 200 of the token route).
    #[serde(default)]
    pub tokens_issued: u64,
    /// Token requests refused for bad client credentials (401) or a bad
    /// form (400).
    #[serde(default)]
    pub token_refused: u64,
    /// Token requests refused by the token route's rate limit (429).
    #[serde(default)]
    pub token_rate_limited: u64,
    /// Erasures accepted and not completed by the vendor yet, at the time
    /// of this snapshot: Onfido applicants archived before their hard
    /// delete, Persona redactions whose child objects (an account's
    /// inquiries) are not redacted yet, Stripe redactions `processing`.
    #[serde(default)]
    pub erasures_pending: u64,
    /// The `Stripe-Version` and `Persona-Version` values received on the
    /// delete routes, by vendor (`stripe`, `persona`) and value.
    #[serde(default)]
    pub api_versions: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Stats {
    /// The counts of one reference, if a delete ever reached it.
    pub fn reference(
        &self,
        vendor: &str,
        product: &str,
        reference: &str,
    ) -> Option<&ReferenceStats> {
        self.references
            .iter()
            .find(|r| r.vendor == vendor && r.product == product && r.reference == reference)
    }
}

/// Faults injected, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    /// Injected 5xx, 429 and 503 answers (not counting the rate limit),
    /// those of the Jumio Platform token route included.
    pub status: u64,
    /// 429 answers of a delete route's rate limit: [`Faults::rate_limit`]
    /// or the Jumio Platform's retrieval limit
    /// ([`Config::retrieval_rate_limit`]).
    ///
    /// [`Faults::rate_limit`]: crate::Faults::rate_limit
    /// [`Config::retrieval_rate_limit`]: crate::Config::retrieval_rate_limit
    pub rate_limited: u64,
    /// Connections reset before the request was handled.
    pub reset_before: u64,
    /// Connections reset after the request was handled.
    pub reset_after: u64,
    /// Responses sent with a truncated body.
    pub truncated: u64,
}

/// How many deletes of one reference were applied and how many got 404: a
/// test proves exactly-once erasure with `applied == 1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceStats {
    /// The vendor, as in [`SeedItem`](crate::SeedItem).
    pub vendor: String,
    /// The product's name at that vendor.
    pub product: String,
    /// The transaction reference (`ACCOUNT_ID/WORKFLOW_ID` for a workflow,
    /// the inquiry id alone for a Persona inquiry).
    pub reference: String,
    /// Deletes that removed the transaction or started its erasure (a
    /// reset after applying counts).
    pub applied: u64,
    /// Deletes answered 404 (unknown, or already deleted).
    pub not_found: u64,
    /// Deletes of an object already erased that the vendor answers with
    /// success again: a Persona redaction or a Stripe redaction repeated.
    /// Left out of the JSON when zero, as are `refused`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeated: u64,
    /// Deletes refused for the object's state: not deletable yet (Persona
    /// 409, Stripe 400, Veriff 400) or already archived (Onfido 422).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused: u64,
}

/// Whether a count is zero, to leave it out of the JSON.
fn is_zero(count: &u64) -> bool {
    *count == 0
}
