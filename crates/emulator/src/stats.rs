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
    /// each of its workflow executions count one each.
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
    /// `hyperverge/transaction` and `unknown` (any other path). A reset connection sends no status and is
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
    /// `jumio`, `jumio-platform` or `hyperverge`.
    pub vendor: String,
    /// `scan`, `authentication`, `document`, `account`, `workflow` or
    /// `transaction`.
    pub product: String,
    /// The transaction reference (`ACCOUNT_ID/WORKFLOW_ID` for a workflow).
    pub reference: String,
    /// Deletes that removed the transaction (a reset after applying counts).
    pub applied: u64,
    /// Deletes answered 404 (unknown, or already deleted).
    pub not_found: u64,
}
