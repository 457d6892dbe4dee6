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
//! only ever present while its account is. Persona accounts own their
//! inquiries the same way, in a third map.
//!
//! The later vendors complete some erasures after answering: an entry then
//! keeps an [`Erasure`] (when it started, when the vendor completes it), so
//! that reads can show the object archived or redacted and later gone or
//! done, computed from the clock at each read: nothing runs in the
//! background. Entries also keep the seeded [`ObjectState`].

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::date::Stamp;
use crate::product::{ObjectState, Product};
use crate::stats::{FaultCounts, ReferenceStats, Stats};
use crate::Error;

/// One object to create, named with strings: `vendor` is `jumio`,
/// `jumio-platform`, `hyperverge`, `onfido`, `persona`, `stripe` or
/// `veriff`; `product` is `scan`, `authentication` or `document` at Jumio,
/// `account` or `workflow` at the Jumio Platform, `transaction` at
/// HyperVerge, `applicant` at Onfido, `inquiry` or `account` at Persona,
/// `verification_session` at Stripe and `session` at Veriff.
///
/// A Jumio Platform workflow's reference is `ACCOUNT_ID/WORKFLOW_ID`;
/// seeding it creates its account too. A Persona inquiry's reference is
/// `inq_...`, or `act_.../inq_...` to make it one of that account's
/// inquiries (creating the account); either way its id alone names it in
/// routes and stats. A Persona account id starts with `act_`, and a Jumio
/// Platform account id must not, since both vendors answer on
/// `/api/v1/accounts/{id}`.
///
/// `state`, optional, names the object's state at its vendor (the first is
/// the default): Onfido `with_check` or `no_check`; Persona inquiry
/// `completed` or `pending`; Stripe `verified`, `requires_input`,
/// `processing` or `canceled`; Veriff `completed`, `in_progress` or
/// `submitted`. Other products take none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedItem {
    /// `jumio`, `jumio-platform`, `hyperverge`, `onfido`, `persona`,
    /// `stripe` or `veriff`.
    pub vendor: String,
    /// The product's name at that vendor (see above).
    pub product: String,
    /// The transaction reference (Jumio), account id or
    /// `ACCOUNT_ID/WORKFLOW_ID` (Jumio Platform), transaction id
    /// (HyperVerge), applicant id (Onfido), inquiry id, optionally after
    /// its account's, or account id (Persona), session id (Stripe,
    /// Veriff).
    pub reference: String,
    /// The object's state at its vendor, if not the default (see above).
    /// Seeding an object that exists sets its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl SeedItem {
    /// A seed item from its three names, in its product's default state.
    pub fn new(vendor: &str, product: &str, reference: &str) -> Self {
        SeedItem {
            vendor: vendor.to_owned(),
            product: product.to_owned(),
            reference: reference.to_owned(),
            state: None,
        }
    }

    /// This item in the named state.
    pub fn with_state(mut self, state: &str) -> Self {
        self.state = Some(state.to_owned());
        self
    }

    /// The product, reference and state, checked: a known vendor and
    /// product, a state that product has, and a reference of 1 to
    /// [`MAX_REFERENCE_BYTES`] bytes with no control character or `/`
    /// (which could never reach a path segment), except a workflow's, which
    /// is exactly two such ids joined by one `/`, and a Persona inquiry's,
    /// which may be; Persona account ids start with `act_`, Jumio Platform
    /// ones do not.
    pub(crate) fn validate(&self) -> Result<(Product, &str, ObjectState), Error> {
        let product = Product::from_names(&self.vendor, &self.product).ok_or_else(|| {
            Error::UnknownProduct {
                vendor: self.vendor.clone(),
                product: self.product.clone(),
            }
        })?;
        let state = match &self.state {
            None => ObjectState::Default,
            Some(name) => product
                .states()
                .iter()
                .find(|(n, _)| n == name)
                .map(|&(_, state)| state)
                .ok_or_else(|| Error::InvalidState {
                    vendor: self.vendor.clone(),
                    product: self.product.clone(),
                    state: name.chars().take(80).collect(),
                })?,
        };
        let r = self.reference.as_str();
        let segment_ok = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control() || c == '/');
        let platform_account = |s: &str| segment_ok(s) && !s.starts_with(PERSONA_ACCOUNT_PREFIX);
        let persona_account = |s: &str| segment_ok(s) && s.starts_with(PERSONA_ACCOUNT_PREFIX);
        let ok = r.len() <= MAX_REFERENCE_BYTES
            && match product {
                Product::PlatformWorkflow => {
                    r.split_once('/').is_some_and(|(account, workflow)| {
                        platform_account(account) && segment_ok(workflow)
                    })
                }
                Product::PlatformAccount => platform_account(r),
                Product::PersonaAccount => persona_account(r),
                Product::PersonaInquiry => match r.split_once('/') {
                    Some((account, inquiry)) => persona_account(account) && segment_ok(inquiry),
                    None => segment_ok(r),
                },
                _ => segment_ok(r),
            };
        if !ok {
            return Err(Error::InvalidReference(r.chars().take(80).collect()));
        }
        Ok((product, r, state))
    }
}

/// Longest reference accepted for seeding. Jumio references are at most 36
/// characters; HyperVerge ids are not documented, so leave room.
pub const MAX_REFERENCE_BYTES: usize = 256;

/// How Persona account ids start; Jumio Platform account ids must not.
pub(crate) const PERSONA_ACCOUNT_PREFIX: &str = "act_";

/// Per-reference entry. Counters are `u32` to keep entries small, and the
/// rare erasure is boxed.
#[derive(Default)]
struct Entry {
    present: bool,
    state: ObjectState,
    applied: u32,
    not_found: u32,
    repeated: u32,
    refused: u32,
    erasure: Option<Box<Erasure>>,
}

/// An erasure the vendor completes after answering: Onfido's archive,
/// Persona's redaction, Stripe's redaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Erasure {
    /// When the vendor shows the object erased (archived, redacted).
    pub(crate) started: Stamp,
    /// When the vendor completes it (hard-deleted, children redacted,
    /// redaction done).
    pub(crate) completes: Stamp,
}

/// What the state holds of one object, for a vendor module to decide on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Object {
    /// Seeded and no delete applied since (or restored).
    pub(crate) present: bool,
    /// Its state at the vendor.
    pub(crate) state: ObjectState,
    /// The erasure a delete started, if any.
    pub(crate) erasure: Option<Erasure>,
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
    /// Persona inquiry ids by account id, until the account is redacted.
    persona_inquiries: HashMap<Box<str>, Vec<Box<str>>>,
    /// `Stripe-Version` and `Persona-Version` values received, by vendor.
    api_versions: BTreeMap<&'static str, BTreeMap<Box<str>, u64>>,
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
    /// seeding it creates its account too; so does a Persona inquiry's
    /// `ACCOUNT_ID/INQUIRY_ID`. Seeding an object that exists sets its
    /// state.
    pub(crate) fn seed(
        &mut self,
        items: impl IntoIterator<Item = (Product, Box<str>, ObjectState)>,
    ) {
        for (product, reference, state) in items {
            match (product, reference.split_once('/')) {
                (Product::PlatformWorkflow, Some((account, _))) => {
                    let account: Box<str> = account.into();
                    let default = ObjectState::Default;
                    self.make_present(Product::PlatformAccount, account.clone(), default);
                    if self.make_present(product, reference.clone(), state) {
                        self.workflows.entry(account).or_default().push(reference);
                    }
                }
                (Product::PersonaInquiry, Some((account, inquiry))) => {
                    let (account, inquiry): (Box<str>, Box<str>) = (account.into(), inquiry.into());
                    let default = ObjectState::Default;
                    self.make_present(Product::PersonaAccount, account.clone(), default);
                    self.make_present(product, inquiry.clone(), state);
                    let list = self.persona_inquiries.entry(account).or_default();
                    if !list.contains(&inquiry) {
                        list.push(inquiry);
                    }
                }
                _ => {
                    self.make_present(product, reference, state);
                }
            }
        }
    }

    /// Marks a reference present, forgetting any erasure, in `state`;
    /// returns whether it was absent.
    fn make_present(&mut self, product: Product, reference: Box<str>, state: ObjectState) -> bool {
        let entry = self.references.entry((product, reference)).or_default();
        entry.state = state;
        let was_absent = !entry.present;
        if was_absent {
            entry.present = true;
            entry.erasure = None;
            self.present += 1;
        }
        was_absent
    }

    /// The object `reference` of `product`, if it was ever seeded and is
    /// present or has an erasure.
    pub(crate) fn object(&self, product: Product, reference: &str) -> Option<Object> {
        let entry = self.references.get(&(product, reference.into()))?;
        let erasure = entry.erasure.as_deref().copied();
        (entry.present || erasure.is_some()).then_some(Object {
            present: entry.present,
            state: entry.state,
            erasure,
        })
    }

    /// Applies a delete to a present object, as [`State::delete`] does,
    /// recording the erasure the vendor completes later, if any. Erasing a
    /// Persona account redacts its present inquiries when its erasure
    /// completes (uncounted, as a Jumio Platform account's workflows).
    pub(crate) fn erase(&mut self, product: Product, reference: &str, erasure: Option<Erasure>) {
        if self.delete(product, reference) != Deletion::Applied {
            return;
        }
        if let Some(entry) = self.references.get_mut(&(product, reference.into())) {
            entry.erasure = erasure.map(Box::new);
        }
        if product != Product::PersonaAccount {
            return;
        }
        let Some(erasure) = erasure else { return };
        let children = Erasure {
            started: erasure.completes,
            completes: erasure.completes,
        };
        for inquiry in self.persona_inquiries.remove(reference).unwrap_or_default() {
            if let Some(entry) = self
                .references
                .get_mut(&(Product::PersonaInquiry, inquiry))
                .filter(|e| e.present)
            {
                entry.present = false;
                entry.erasure = Some(Box::new(children));
                self.present -= 1;
            }
        }
    }

    /// Replaces the erasure of an object that has one.
    pub(crate) fn set_erasure(&mut self, product: Product, reference: &str, erasure: Erasure) {
        if let Some(entry) = self.references.get_mut(&(product, reference.into())) {
            if entry.erasure.is_some() {
                entry.erasure = Some(Box::new(erasure));
            }
        }
    }

    /// Sets the state of an object that was seeded.
    pub(crate) fn set_state(&mut self, product: Product, reference: &str, state: ObjectState) {
        if let Some(entry) = self.references.get_mut(&(product, reference.into())) {
            entry.state = state;
        }
    }

    /// Makes an erased object present again, its erasure cancelled
    /// (Onfido's restore). Its applied count stays.
    pub(crate) fn restore(&mut self, product: Product, reference: &str) {
        if let Some(entry) = self.references.get_mut(&(product, reference.into())) {
            if !entry.present {
                entry.present = true;
                entry.erasure = None;
                self.present += 1;
            }
        }
    }

    /// Counts a delete that found nothing to delete (404).
    pub(crate) fn count_not_found(&mut self, product: Product, reference: &str) {
        let entry = self
            .references
            .entry((product, reference.into()))
            .or_default();
        entry.not_found = entry.not_found.saturating_add(1);
        self.not_found += 1;
    }

    /// Counts a delete of an object already erased that the vendor
    /// answers as it does such repeats (see each vendor's module).
    pub(crate) fn count_repeated(&mut self, product: Product, reference: &str) {
        if let Some(entry) = self.references.get_mut(&(product, reference.into())) {
            entry.repeated = entry.repeated.saturating_add(1);
        }
    }

    /// Counts a delete the vendor refused for the object's state: not
    /// deletable yet, or already scheduled.
    pub(crate) fn count_refused(&mut self, product: Product, reference: &str) {
        if let Some(entry) = self.references.get_mut(&(product, reference.into())) {
            entry.refused = entry.refused.saturating_add(1);
        }
    }

    /// Counts a `Stripe-Version` or `Persona-Version` value received (its
    /// first 64 characters; at most 100 distinct values per vendor).
    pub(crate) fn count_version(&mut self, vendor: &'static str, version: &str) {
        let versions = self.api_versions.entry(vendor).or_default();
        let version: Box<str> = version.chars().take(64).collect::<String>().into();
        if versions.len() < 100 || versions.contains_key(&version) {
            *versions.entry(version).or_default() += 1;
        }
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
        entry.erasure = None;
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
        let now = Stamp::now();
        let erasures_pending = self
            .references
            .values()
            .filter_map(|e| e.erasure.as_deref())
            .filter(|e| !e.completes.reached(now))
            .count() as u64;
        let mut touched: Vec<_> = self
            .references
            .iter()
            .filter(|(_, e)| e.applied > 0 || e.not_found > 0 || e.repeated > 0 || e.refused > 0)
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
                repeated: e.repeated.into(),
                refused: e.refused.into(),
            })
            .collect();
        let api_versions = self
            .api_versions
            .iter()
            .map(|(vendor, versions)| {
                let versions = versions.iter().map(|(v, n)| (v.to_string(), *n));
                ((*vendor).to_owned(), versions.collect())
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
            erasures_pending,
            api_versions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_applies_once_then_counts_not_found() {
        let mut state = State::default();
        let default = ObjectState::Default;
        state.seed([
            (Product::JumioScan, "a".into(), default),
            (Product::JumioScan, "a".into(), default),
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
        let d = ObjectState::Default;
        state.seed([
            (workflow, "a/w1".into(), d),
            (workflow, "a/w2".into(), d),
            (workflow, "a/w2".into(), d),
            (workflow, "b/w3".into(), d),
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
        state.seed([(workflow, "a/w2".into(), d)]);
        assert_eq!(state.delete(account, "a"), Deletion::Applied);
        assert_eq!(state.delete(workflow, "a/w2"), Deletion::NotFound);
        assert_eq!(state.delete(workflow, "b/w3"), Deletion::Applied);
        assert_eq!(state.delete(account, "b"), Deletion::Applied);
        assert_eq!(state.stats().transactions_present, 0);
    }
}
