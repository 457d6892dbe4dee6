//! A deletion that happened: [`Deleted`].

/// How we know the data is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfirmedBy {
    /// The vendor answered 2xx to our request.
    Response,
    /// The vendor answered 404 after an earlier attempt of the same deletion
    /// may have been applied (a timeout, a reset or a 5xx after the request
    /// was sent, or an in-doubt item resumed from a journal): the data is
    /// absent, most likely because that attempt erased it.
    Absence,
}

impl ConfirmedBy {
    /// The stable name: `"response"` or `"absence"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConfirmedBy::Response => "response",
            ConfirmedBy::Absence => "absence",
        }
    }
}

/// The vendor no longer holds the transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
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
}
