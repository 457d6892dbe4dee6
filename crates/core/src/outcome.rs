//! A deletion that happened: [`Deleted`].

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

/// The vendor no longer holds the transaction at the endpoint asked:
/// it said so with a 2xx that is its own answer
/// ([`ConfirmedBy::Response`]), or a 404 followed an uncertain attempt
/// ([`ConfirmedBy::Absence`]: erased by that attempt, or never present at
/// that endpoint).
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
