//! How a deletion that did not fail ended: [`Erasure`], either
//! [`Deleted`] (the vendor no longer holds the data) or [`Scheduled`] (the
//! vendor accepted the erasure and completes it later). The two are
//! different types so that no caller can count a scheduled erasure as a
//! completed one by accident.

use std::time::Duration;

use crate::evidence::AnswerEvidence;

/// How we know the data is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfirmedBy {
    /// The vendor answered 2xx to our request.
    Response,
    /// The vendor answered 404 after an earlier attempt of the same deletion
    /// may have been applied (a timeout, a reset or a 500/502/504 after the
    /// request was sent, a 2xx that was no proof, or an in-doubt item resumed
    /// from a journal). It means: absent after an uncertain attempt. The data
    /// is not at that endpoint now, either because that attempt erased it or
    /// because it was never there (a wrong reference, region or host looks
    /// the same); it is not proof that the uncertain attempt deleted it.
    Absence,
    /// A later read of the vendor (a recheck of a [`Scheduled`] erasure)
    /// showed the erasure completed: Stripe's `redaction.status` is
    /// `redacted`, Onfido no longer has the archived applicant, Persona
    /// shows `redacted-at`.
    Recheck,
}

impl ConfirmedBy {
    /// The stable name: `"response"` or `"absence"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConfirmedBy::Response => "response",
            ConfirmedBy::Absence => "absence",
            ConfirmedBy::Recheck => "recheck",
        }
    }

    /// Parses a name produced by [`ConfirmedBy::as_str`].
    pub fn from_name(name: &str) -> Option<ConfirmedBy> {
        [
            ConfirmedBy::Response,
            ConfirmedBy::Absence,
            ConfirmedBy::Recheck,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// The vendor no longer holds the transaction at the endpoint asked:
/// it said so with a 2xx that is its own answer
/// ([`ConfirmedBy::Response`]), or a 404 followed an uncertain attempt
/// ([`ConfirmedBy::Absence`]: erased by that attempt, or never present at
/// that endpoint).
///
/// Two deletions are equal when they report the same outcome; the
/// [`evidence`](Deleted::evidence) (which answer said so) is not compared,
/// so a value restored without it (a pickle, a binding's copy, a journal
/// line) equals the original.
#[derive(Clone, Debug)]
#[must_use]
pub struct Deleted {
    /// Audit ids the vendor reported deleted (HyperVerge `deletedAudits`;
    /// empty for Jumio, which reports none).
    pub audits: Vec<String>,
    /// The vendor's message, bounded and control-free, if it sent one.
    pub vendor_message: Option<String>,
    /// How the deletion was confirmed.
    pub confirmed_by: ConfirmedBy,
    /// How many requests were sent, including the confirming one.
    pub attempts: u32,
    /// The answer that decided: the 2xx, the 404 that confirmed an absence,
    /// or the recheck's read. `None` only when restored without one (an
    /// older journal, a value built by a binding).
    pub evidence: Option<AnswerEvidence>,
}

/// The vendor accepted the erasure and completes it later: Onfido archives
/// an applicant and hard-deletes it after the account's deletion delay,
/// Stripe redacts a session within four days, Veriff deletes a session's
/// data within 12 hours, Persona redacts an inquiry's child objects
/// asynchronously. Never a deletion: a recheck (a read of the vendor's
/// record, where it offers one) may later confirm it as [`Deleted`] with
/// [`ConfirmedBy::Recheck`].
///
/// Equality, as for [`Deleted`], ignores the
/// [`evidence`](Scheduled::evidence).
#[derive(Clone, Debug)]
#[must_use]
pub struct Scheduled {
    /// What the vendor does and when, as its documentation says (one
    /// sentence of ours, for receipts and reports).
    pub completes: String,
    /// The longest the vendor documents for completing it, if it documents
    /// one (Veriff: 12 hours; Stripe: four days). The core reads no clock:
    /// a driver adds it to the time of the answer.
    pub within: Option<Duration>,
    /// The vendor's own date for the completion, as it wrote it (Onfido's
    /// `delete_at`, learnt by a recheck), bounded.
    pub until: Option<String>,
    /// The vendor's own state of the erasure (Stripe's `redaction.status`),
    /// bounded.
    pub vendor_status: Option<String>,
    /// The vendor's message, bounded and control-free, if it sent one.
    pub vendor_message: Option<String>,
    /// How many requests were sent, including the accepted one.
    pub attempts: u32,
    /// The answer that accepted the erasure (or the recheck's read that
    /// found it still pending). `None` only when restored without one.
    pub evidence: Option<AnswerEvidence>,
}

impl PartialEq for Deleted {
    fn eq(&self, other: &Deleted) -> bool {
        self.audits == other.audits
            && self.vendor_message == other.vendor_message
            && self.confirmed_by == other.confirmed_by
            && self.attempts == other.attempts
    }
}

impl Eq for Deleted {}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Scheduled) -> bool {
        self.completes == other.completes
            && self.within == other.within
            && self.until == other.until
            && self.vendor_status == other.vendor_status
            && self.vendor_message == other.vendor_message
            && self.attempts == other.attempts
    }
}

impl Eq for Scheduled {}

/// How a deletion that did not fail ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum Erasure {
    /// The vendor no longer holds the data.
    Deleted(Deleted),
    /// The vendor accepted the erasure and completes it later.
    Scheduled(Scheduled),
}

impl Erasure {
    /// How many requests were sent.
    pub fn attempts(&self) -> u32 {
        match self {
            Erasure::Deleted(deleted) => deleted.attempts,
            Erasure::Scheduled(scheduled) => scheduled.attempts,
        }
    }

    /// The vendor's message, if it sent one.
    pub fn vendor_message(&self) -> Option<&str> {
        match self {
            Erasure::Deleted(deleted) => deleted.vendor_message.as_deref(),
            Erasure::Scheduled(scheduled) => scheduled.vendor_message.as_deref(),
        }
    }

    /// The deletion, if the vendor completed it.
    pub fn deleted(&self) -> Option<&Deleted> {
        match self {
            Erasure::Deleted(deleted) => Some(deleted),
            Erasure::Scheduled(_) => None,
        }
    }

    /// The scheduled erasure, if the vendor completes it later.
    pub fn scheduled(&self) -> Option<&Scheduled> {
        match self {
            Erasure::Deleted(_) => None,
            Erasure::Scheduled(scheduled) => Some(scheduled),
        }
    }

    /// The facts of the vendor's answer that decided, if known.
    pub fn evidence(&self) -> Option<&AnswerEvidence> {
        match self {
            Erasure::Deleted(deleted) => deleted.evidence.as_ref(),
            Erasure::Scheduled(scheduled) => scheduled.evidence.as_ref(),
        }
    }

    pub(crate) fn set_evidence(&mut self, evidence: Option<AnswerEvidence>) {
        match self {
            Erasure::Deleted(deleted) => deleted.evidence = evidence,
            Erasure::Scheduled(scheduled) => scheduled.evidence = evidence,
        }
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        match self {
            Erasure::Deleted(deleted) => deleted.attempts = attempts,
            Erasure::Scheduled(scheduled) => scheduled.attempts = attempts,
        }
    }
}

impl From<Deleted> for Erasure {
    fn from(deleted: Deleted) -> Erasure {
        Erasure::Deleted(deleted)
    }
}

impl From<Scheduled> for Erasure {
    fn from(scheduled: Scheduled) -> Erasure {
        Erasure::Scheduled(scheduled)
    }
}
