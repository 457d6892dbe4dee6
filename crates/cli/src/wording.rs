//! The CLI's words for how an item ended, in one place: single commands,
//! the batch summary and `verify` all say them, so a wording changes here
//! and nowhere else. The rule they keep: a scheduled erasure (the vendor
//! accepted it and completes it later) is never called deleted.

use std::time::Duration;

use idv_delete_blocking::{ConfirmedBy, ErrorKind, Scheduled};

/// What "confirmed by absence" means, said wherever it is explained.
pub const ABSENCE: &str =
    "absent after an uncertain attempt: erased by that attempt, or never present at that endpoint";

/// What a scheduled item is, said wherever scheduled items are counted.
pub const SCHEDULED: &str = "accepted by the vendor, who erases it later: not deleted yet";

/// What to do about an item the vendor will not delete yet
/// ([`ErrorKind::NotDeletableYet`]): the run does not retry it.
pub const RETRY_LATER: &str = "the vendor will not delete it yet: retry later";

/// How a deletion was confirmed, to follow "confirmed by".
pub fn confirmation(by: ConfirmedBy) -> &'static str {
    match by {
        ConfirmedBy::Response => "the vendor's answer",
        ConfirmedBy::Absence => "absence after an uncertain attempt",
        ConfirmedBy::Recheck => "a recheck of the vendor after it was scheduled",
    }
}

/// What to do about a failure of `kind`: retry later for a record the
/// vendor will not delete yet, else run it again.
pub fn next_step(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotDeletableYet => RETRY_LATER,
        _ => "run the batch again to retry it",
    }
}

/// What to do about items that failed with `kind`, for a report's reader:
/// the cause to fix first, then how to finish.
pub fn remedy(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Unauthorized => "the vendor refused the credentials: check they are current for this vendor and region, then run the batch again with the same journal",
        ErrorKind::Forbidden => "the vendor refused this caller (Jumio: the User-Agent or headers; HyperVerge: an IP not allow-listed): fix that, then run the batch again with the same journal",
        ErrorKind::RateLimited => "the vendor rate-limited the run: lower --rate or set --window for this vendor, then run the batch again with the same journal",
        ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Io => "the vendor or the network failed: run the batch again with the same journal later; an in-doubt item is then confirmed (a 404 proves the deletion)",
        ErrorKind::Tls => "TLS failed (certificate or proxy): fix the connection, then run the batch again with the same journal",
        ErrorKind::UnexpectedResponse => "the answer was not the vendor's (a proxy page, a wrong --base-url?): check the endpoint, then run the batch again with the same journal",
        ErrorKind::InvalidInput => "the vendor rejected the request as malformed: check the item's product, region and reference with the vendor",
        ErrorKind::NotDeletableYet => RETRY_LATER,
        ErrorKind::Cancelled => "the run was stopped before this item finished: run the batch again with the same journal",
        ErrorKind::InvalidReference | ErrorKind::InvalidSubject | ErrorKind::InvalidConfig => "the item or the configuration is invalid: correct it, then run the batch again",
        _ => "run the batch again with the same journal",
    }
}

/// "within 12 h", "within 4 days": the longest the vendor documents.
pub fn within(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        86_400.. if secs.is_multiple_of(86_400) => match secs / 86_400 {
            1 => "within 1 day".to_owned(),
            days => format!("within {days} days"),
        },
        3_600.. if secs.is_multiple_of(3_600) => format!("within {} h", secs / 3_600),
        60.. if secs.is_multiple_of(60) => format!("within {} min", secs / 60),
        _ => format!("within {secs} s"),
    }
}

/// What the vendor told about a scheduled erasure, when it told it: its
/// status, the longest it documents, its own date.
pub fn scheduled_facts(scheduled: &Scheduled) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(status) = &scheduled.vendor_status {
        facts.push(format!("vendor status {status}"));
    }
    if let Some(duration) = scheduled.within {
        facts.push(within(duration));
    }
    if let Some(until) = &scheduled.until {
        facts.push(format!("until {until}"));
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_names_the_largest_whole_unit() {
        assert_eq!(within(Duration::from_secs(12 * 3_600)), "within 12 h");
        assert_eq!(within(Duration::from_secs(4 * 86_400)), "within 4 days");
        assert_eq!(within(Duration::from_secs(86_400)), "within 1 day");
        assert_eq!(within(Duration::from_secs(90 * 60)), "within 90 min");
        assert_eq!(within(Duration::from_secs(59)), "within 59 s");
    }

    #[test]
    fn scheduled_facts_say_only_what_the_vendor_told() {
        let mut scheduled = Scheduled {
            completes: "Stripe redacts the session within four days".into(),
            within: None,
            until: None,
            vendor_status: None,
            vendor_message: None,
            attempts: 1,
            evidence: None,
        };
        assert!(scheduled_facts(&scheduled).is_empty());
        scheduled.vendor_status = Some("processing".into());
        scheduled.within = Some(Duration::from_secs(4 * 86_400));
        scheduled.until = Some("2027-01-01T00:00:00Z".into());
        assert_eq!(
            scheduled_facts(&scheduled),
            [
                "vendor status processing",
                "within 4 days",
                "until 2027-01-01T00:00:00Z"
            ]
        );
    }

    #[test]
    fn only_not_deletable_yet_says_retry_later() {
        for kind in ErrorKind::ALL {
            assert_eq!(
                next_step(kind) == RETRY_LATER,
                kind == ErrorKind::NotDeletableYet,
                "{kind:?}"
            );
        }
    }
}
