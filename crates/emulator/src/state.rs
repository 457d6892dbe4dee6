//! The emulator's state: which transactions exist, and what was counted.
//!
//! One map keyed by (product, reference) holds, for each reference, whether
//! the transaction exists and how many deletes were applied or got 404:
//! existence and per-reference stats can never disagree, and an entry costs
//! about a hundred bytes, so a million seeded references fit easily.
//!
//! Jumio Platform accounts own their workflow executions: a second map lists
//! each account's present workflows, so deleting an account removes them
//! too. Such a removal is not an applied delete of the workflow's reference
//! (only the account's delete is counted), so `applied == 1` for a workflow
//! still means "erased by a request naming that workflow". A workflow is
//! only ever present while its account is.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::product::Product;
use crate::stats::{FaultCounts, ReferenceStats, Stats};
use crate::Error;

/// One transaction to create, named with strings: `vendor` is `jumio`,
/// `jumio-platform` or `hyperverge`; `product` is `scan`, `authentication`
/// or `document` at Jumio, `account` or `workflow` at the Jumio Platform,
/// `transaction` at HyperVerge.
///
/// A Jumio Platform workflow's reference is `ACCOUNT_ID/WORKFLOW_ID`;
/// seeding it creates its account too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedItem {
    /// `jumio`, `jumio-platform` or `hyperverge`.
    pub vendor: String,
    /// `scan`, `authentication`, `document` (Jumio), `account`, `workflow`
    /// (Jumio Platform) or `transaction` (HyperVerge).
    pub product: String,
    /// The transaction reference (Jumio), account id or
    /// `ACCOUNT_ID/WORKFLOW_ID` (Jumio Platform), or transaction id
    /// (HyperVerge).
    pub reference: String,
}

impl SeedItem {
    /// A seed item from its three names.
    pub fn new(vendor: &str, product: &str, reference: &str) -> Self {
        SeedItem {
            vendor: vendor.to_owned(),
            product: product.to_owned(),
            reference: reference.to_owned(),
        }
    }

    /// The product and reference, checked: a known vendor and product, and a
    /// reference of 1 to [`MAX_REFERENCE_BYTES`] bytes with no control
    /// character or `/` (which could never reach a path segment), except a
    /// workflow's, which is exactly two such ids joined by one `/`.
    pub(crate) fn validate(&self) -> Result<(Product, &str), Error> {
        let product = Product::from_names(&self.vendor, &self.product).ok_or_else(|| {
            Error::UnknownProduct {
                vendor: self.vendor.clone(),
                product: self.product.clone(),
            }
        })?;
        let r = self.reference.as_str();
        let segment_ok = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control() || c == '/');
        let ok = r.len() <= MAX_REFERENCE_BYTES
            && match product {
                Product::PlatformWorkflow => r
                    .split_once('/')
                    .is_some_and(|(account, workflow)| segment_ok(account) && segment_ok(workflow)),
                _ => segment_ok(r),
            };
        if !ok {
            return Err(Error::InvalidReference(r.chars().take(80).collect()));
        }
        Ok((product, r))
    }
}

/// Longest reference accepted for seeding. Jumio references are at most 36
/// characters; HyperVerge ids are not documented, so leave room.
pub const MAX_REFERENCE_BYTES: usize = 256;

/// Per-reference entry. Counters are `u32` to keep entries small.
#[derive(Default)]
struct Entry {
    present: bool,
    applied: u32,
    not_found: u32,
}

/// What a delete found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Deletion {
    /// The transaction existed and is now gone.
    Applied,
    /// No such transaction (never seeded, or already deleted).
    NotFound,
}

/// Injected fault kinds, for counting.
#[derive(Clone, Copy)]
pub(crate) enum FaultKind {
    Status,
    RateLimited,
    ResetBefore,
    ResetAfter,
    Truncated,
}

/// The whole mutable state, behind one mutex in the server.
#[derive(Default)]
pub(crate) struct State {
    references: HashMap<(Product, Box<str>), Entry>,
    /// Present Jumio Platform workflows (full references) by account id.
    workflows: HashMap<Box<str>, Vec<Box<str>>>,
    present: u64,
    applied: u64,
    not_found: u64,
    total_requests: u64,
    connections_accepted: u64,
    requests: HashMap<(&'static str, u16), u64>,
    faults: FaultCounts,
    tokens: TokenCounts,
}

/// The counters of the Jumio Platform token route.
#[derive(Default)]
struct TokenCounts {
    requests: u64,
    issued: u64,
    refused: u64,
    rate_limited: u64,
}

/// How a request to the token route ended, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenOutcome {
    /// 200: a token was issued.
    Issued,
    /// 400 or 401: bad credentials or a bad request.
    Refused,
    /// 429: the token endpoint's rate limit.
    RateLimited,
    /// Anything else (405, injected faults).
    Other,
}

impl State {
    /// Creates the transactions (already validated). Seeding a reference that
    /// exists changes nothing; seeding a deleted one creates it again, and
    /// its counts are kept.
    /// A workflow's reference is `ACCOUNT_ID/WORKFLOW_ID` (validated), and
    /// seeding it creates its account too.
    pub(crate) fn seed(&mut self, items: impl IntoIterator<Item = (Product, Box<str>)>) {
        for (product, reference) in items {
            if product == Product::PlatformWorkflow {
                if let Some((account, _)) = reference.split_once('/') {
                    self.make_present(Product::PlatformAccount, account.into());
                    if self.make_present(product, reference.clone()) {
                        self.workflows
                            .entry(account.into())
                            .or_default()
                            .push(reference);
                    }
                }
            } else {
                self.make_present(product, reference);
            }
        }
    }

    /// Marks a reference present; returns whether it was absent.
    fn make_present(&mut self, product: Product, reference: Box<str>) -> bool {
        let entry = self.references.entry((product, reference)).or_default();
        let was_absent = !entry.present;
        if was_absent {
            entry.present = true;
            self.present += 1;
        }
        was_absent
    }

    /// Deletes a transaction if it exists, and counts the outcome. Deleting
    /// a Jumio Platform account also removes its workflows, uncounted.
    pub(crate) fn delete(&mut self, product: Product, reference: &str) -> Deletion {
        let entry = self
            .references
            .entry((product, reference.into()))
            .or_default();
        if !entry.present {
            entry.not_found = entry.not_found.saturating_add(1);
            self.not_found += 1;
            return Deletion::NotFound;
        }
        entry.present = false;
        entry.applied = entry.applied.saturating_add(1);
        self.present -= 1;
        self.applied += 1;
        match product {
            Product::PlatformAccount => {
                for workflow in self.workflows.remove(reference).unwrap_or_default() {
                    if let Some(entry) = self
                        .references
                        .get_mut(&(Product::PlatformWorkflow, workflow))
                    {
                        entry.present = false;
                        self.present -= 1;
                    }
                }
            }
            Product::PlatformWorkflow => {
                if let Some((account, _)) = reference.split_once('/') {
                    if let Some(list) = self.workflows.get_mut(account) {
                        list.retain(|w| &**w != reference);
                    }
                }
            }
            _ => {}
        }
        Deletion::Applied
    }

    /// Counts a request to the token route and how it ended.
    pub(crate) fn count_token(&mut self, outcome: TokenOutcome) {
        let t = &mut self.tokens;
        t.requests += 1;
        match outcome {
            TokenOutcome::Issued => t.issued += 1,
            TokenOutcome::Refused => t.refused += 1,
            TokenOutcome::RateLimited => t.rate_limited += 1,
            TokenOutcome::Other => {}
        }
    }

    pub(crate) fn count_connection(&mut self) {
        self.connections_accepted += 1;
    }

    /// Counts a request arriving on a vendor route or an unknown path.
    pub(crate) fn count_request(&mut self) {
        self.total_requests += 1;
    }

    /// Counts a response sent on `route`.
    pub(crate) fn count_response(&mut self, route: &'static str, status: u16) {
        *self.requests.entry((route, status)).or_default() += 1;
    }

    pub(crate) fn count_fault(&mut self, kind: FaultKind) {
        let f = &mut self.faults;
        match kind {
            FaultKind::Status => f.status += 1,
            FaultKind::RateLimited => f.rate_limited += 1,
            FaultKind::ResetBefore => f.reset_before += 1,
            FaultKind::ResetAfter => f.reset_after += 1,
            FaultKind::Truncated => f.truncated += 1,
        }
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> Stats {
        let mut requests: BTreeMap<String, BTreeMap<u16, u64>> = BTreeMap::new();
        for (&(route, status), &count) in &self.requests {
            *requests
                .entry(route.to_owned())
                .or_default()
                .entry(status)
                .or_default() += count;
        }
        let mut touched: Vec<_> = self
            .references
            .iter()
            .filter(|(_, e)| e.applied > 0 || e.not_found > 0)
            .collect();
        touched.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let references = touched
            .into_iter()
            .map(|((product, reference), e)| ReferenceStats {
                vendor: product.vendor().to_owned(),
                product: product.name().to_owned(),
                reference: reference.to_string(),
                applied: e.applied.into(),
                not_found: e.not_found.into(),
            })
            .collect();
        Stats {
            total_requests: self.total_requests,
            connections_accepted: self.connections_accepted,
            transactions_present: self.present,
            deletes_applied: self.applied,
            deletes_not_found: self.not_found,
            requests,
            faults: self.faults.clone(),
            references,
            token_requests: self.tokens.requests,
            tokens_issued: self.tokens.issued,
            token_refused: self.tokens.refused,
            token_rate_limited: self.tokens.rate_limited,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_applies_once_then_counts_not_found() {
        let mut state = State::default();
        state.seed([
            (Product::JumioScan, "a".into()),
            (Product::JumioScan, "a".into()),
        ]);
        assert_eq!(state.stats().transactions_present, 1);
        assert_eq!(
            state.delete(Product::JumioDocument, "a"),
            Deletion::NotFound
        );
        assert_eq!(state.delete(Product::JumioScan, "a"), Deletion::Applied);
        assert_eq!(state.delete(Product::JumioScan, "a"), Deletion::NotFound);
        let stats = state.stats();
        assert_eq!(stats.transactions_present, 0);
        assert_eq!((stats.deletes_applied, stats.deletes_not_found), (1, 2));
        let scan = stats.reference("jumio", "scan", "a").expect("counted");
        assert_eq!((scan.applied, scan.not_found), (1, 1));
        assert_eq!(stats.references.len(), 2);
    }

    #[test]
    fn seed_items_are_validated() {
        assert!(SeedItem::new("jumio", "scan", "ok-1").validate().is_ok());
        assert!(SeedItem::new("jumio", "transaction", "x")
            .validate()
            .is_err());
        assert!(SeedItem::new("jumio", "scan", "").validate().is_err());
        assert!(SeedItem::new("jumio", "scan", "a/b").validate().is_err());
        assert!(SeedItem::new("hyperverge", "transaction", "a\nb")
            .validate()
            .is_err());
        let workflow = |r| {
            SeedItem::new("jumio-platform", "workflow", r)
                .validate()
                .is_ok()
        };
        assert!(workflow("acc-1/wf-1"));
        for bad in ["acc-1", "acc-1/", "/wf-1", "a/b/c", "a/\tb"] {
            assert!(!workflow(bad), "{bad}");
        }
        let account = |r| {
            SeedItem::new("jumio-platform", "account", r)
                .validate()
                .is_ok()
        };
        assert!(account("acc-1"));
        assert!(!account("acc-1/wf-1"));
    }

    #[test]
    fn accounts_own_their_workflows() {
        let mut state = State::default();
        let (account, workflow) = (Product::PlatformAccount, Product::PlatformWorkflow);
        state.seed([
            (workflow, "a/w1".into()),
            (workflow, "a/w2".into()),
            (workflow, "a/w2".into()),
            (workflow, "b/w3".into()),
        ]);
        // Accounts a and b, and three workflows.
        assert_eq!(state.stats().transactions_present, 5);
        assert_eq!(state.delete(workflow, "a/w1"), Deletion::Applied);
        assert_eq!(state.delete(workflow, "a/w1"), Deletion::NotFound);
        assert_eq!(state.delete(account, "a"), Deletion::Applied);
        // w2 went with its account, uncounted; b and its workflow remain.
        assert_eq!(state.delete(workflow, "a/w2"), Deletion::NotFound);
        assert_eq!(state.stats().transactions_present, 2);
        let stats = state.stats();
        let w2 = stats.reference("jumio-platform", "workflow", "a/w2");
        assert_eq!(w2.map(|r| (r.applied, r.not_found)), Some((0, 1)));
        assert_eq!((stats.deletes_applied, stats.deletes_not_found), (2, 2));
        // A re-seeded workflow recreates its account.
        state.seed([(workflow, "a/w2".into())]);
        assert_eq!(state.delete(account, "a"), Deletion::Applied);
        assert_eq!(state.delete(workflow, "a/w2"), Deletion::NotFound);
        assert_eq!(state.delete(workflow, "b/w3"), Deletion::Applied);
        assert_eq!(state.delete(account, "b"), Deletion::Applied);
        assert_eq!(state.stats().transactions_present, 0);
    }
}
