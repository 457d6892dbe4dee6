//! `idv-delete jumio ...`, `idv-delete jumio-platform ...` and
//! `idv-delete hyperverge ...`: a few deletions, one after the other, each
//! reported on its own line.

use idv_delete_blocking::{CancelToken, Client, DeleteError, DeleteIntent, Erasure, ErrorKind};
use serde_json::json;

use crate::args::Output;
use crate::failure::{Failure, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK};
use crate::{platform, signals, wording};

/// Validates every intent first (nothing is sent if one is bad), buys the
/// Jumio Platform's token if any intent needs one (nothing is deleted if
/// it is refused), then deletes them in order. Returns the exit code.
///
/// `cancel` (SIGINT, SIGTERM) ends the deletion under way at once if it is
/// waiting (its request, if on the wire, finishes) and leaves the rest
/// unsent; what was done is still reported, then how to go on.
pub fn run(
    client: &Client,
    intents: Result<Vec<DeleteIntent>, DeleteError>,
    output: Output,
    cancel: &CancelToken,
) -> Result<u8, Failure> {
    let intents = intents.map_err(|e| Failure::config(e.to_string()))?;
    for intent in &intents {
        client
            .check(intent)
            .map_err(|e| Failure::config(e.to_string()))?;
    }
    platform::check_tokens(
        client,
        platform::regions(intents.iter().map(DeleteIntent::target)),
        cancel,
    )?;
    let mut results = Vec::with_capacity(intents.len());
    for intent in &intents {
        if cancel.is_cancelled() {
            break;
        }
        let result = client.delete_cancellable(intent, cancel);
        if output == Output::Text {
            println!("{}", describe(intent, &result));
        }
        results.push((intent, result));
    }
    if output == Output::Json {
        let items: Vec<_> = results.iter().map(|(i, r)| to_json(i, r)).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        );
    }
    if cancel.is_cancelled() {
        let unfinished: Vec<String> = intents
            .iter()
            .zip(
                results
                    .iter()
                    .map(|(_, r)| Some(r))
                    .chain(std::iter::repeat(None)),
            )
            .filter(|(_, result)| {
                result.is_none_or(|r| r.as_ref().is_err_and(|e| e.kind() == ErrorKind::Cancelled))
            })
            .map(|(intent, _)| intent.reference().to_owned())
            .collect();
        eprintln!(
            "stopped by {}: {} of {} finished; to finish, run the command again for: {}",
            signals::stopped_by(),
            intents.len() - unfinished.len(),
            intents.len(),
            unfinished.join(" ")
        );
        return Ok(signals::exit_code());
    }
    let results = results.iter().map(|(_, r)| r);
    Ok(exit_code(results))
}

/// 0 when all were deleted or scheduled, 4 when any failed, else 3 when
/// any was not found.
fn exit_code<'a>(results: impl Iterator<Item = &'a Result<Erasure, DeleteError>>) -> u8 {
    let mut code = EXIT_OK;
    for result in results {
        match result {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => code = code.max(EXIT_NOT_FOUND),
            Err(_) => code = code.max(EXIT_FAILED),
        }
    }
    code
}

/// An item as people read it: `VENDOR/PRODUCT[/REGION]/REF`, then its
/// data subject when it has one, as `(subject "customer-42")` (quoted: a
/// subject may hold spaces).
pub fn named(intent: &DeleteIntent) -> String {
    match intent.subject() {
        Some(subject) => format!("{intent} (subject {subject:?})"),
        None => intent.to_string(),
    }
}

/// One line for people.
fn describe(intent: &DeleteIntent, result: &Result<Erasure, DeleteError>) -> String {
    let vendor = intent.vendor();
    let intent = named(intent);
    match result {
        Ok(Erasure::Deleted(deleted)) => format!(
            "deleted    {intent} (confirmed by {}, {}{}){}",
            wording::confirmation(deleted.confirmed_by),
            attempts(deleted.attempts),
            if deleted.audits.is_empty() {
                String::new()
            } else {
                format!(", audits: {}", deleted.audits.join(" "))
            },
            platform::erasure_note(vendor)
                .map(|note| format!(": {note}"))
                .unwrap_or_default()
        ),
        Ok(Erasure::Scheduled(scheduled)) => {
            let mut facts = wording::scheduled_facts(scheduled);
            facts.push(attempts(scheduled.attempts));
            format!(
                "scheduled  {intent}: {} ({})",
                scheduled.completes,
                facts.join(", ")
            )
        }
        Err(e) if e.kind() == ErrorKind::NotFound => format!("not found  {intent}: {e}"),
        Err(e) if e.kind() == ErrorKind::NotDeletableYet => {
            format!("failed     {intent}: {e}; {}", wording::RETRY_LATER)
        }
        Err(e) => format!("failed     {intent}: {e}"),
    }
}

/// "1 attempt", "3 attempts".
fn attempts(count: u32) -> String {
    format!("{count} attempt{}", if count == 1 { "" } else { "s" })
}

/// One item as JSON: the shape shared by `--output json` everywhere.
pub fn to_json(intent: &DeleteIntent, result: &Result<Erasure, DeleteError>) -> serde_json::Value {
    let target = intent.target();
    let mut item = json!({
        "vendor": target.vendor().as_str(),
        "product": target.product_name(),
        "region": target.region_name(),
        "reference": intent.reference(),
        "subject": intent.subject(),
    });
    let fields = match result {
        Ok(Erasure::Deleted(deleted)) => json!({
            "result": "deleted",
            "confirmed_by": deleted.confirmed_by.as_str(),
            "audits": deleted.audits,
            "vendor_message": deleted.vendor_message,
            "attempts": deleted.attempts,
        }),
        // Never "deleted": the vendor has not erased it yet.
        Ok(Erasure::Scheduled(scheduled)) => json!({
            "result": "scheduled",
            "completes": scheduled.completes,
            "within_seconds": scheduled.within.map(|w| w.as_secs()),
            "until": scheduled.until,
            "vendor_status": scheduled.vendor_status,
            "vendor_message": scheduled.vendor_message,
            "attempts": scheduled.attempts,
        }),
        Err(e) => json!({
            "result": if e.kind() == ErrorKind::NotFound { "not_found" } else { "failed" },
            "error": e.kind().as_str(),
            "status": e.status(),
            "message": e.to_string(),
            "vendor_message": e.vendor_message(),
            "retry_after_seconds": e.retry_after().map(|d| d.as_secs_f64()),
            "in_doubt": e.in_doubt(),
            "retry_later": e.kind() == ErrorKind::NotDeletableYet,
            "attempts": e.attempts(),
        }),
    };
    if let (Some(item), serde_json::Value::Object(fields)) = (item.as_object_mut(), fields) {
        item.extend(fields);
        if let (Ok(Erasure::Deleted(_)), Some(note)) =
            (result, platform::erasure_note(target.vendor()))
        {
            item.insert("erasure".into(), json!(note));
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use idv_delete_blocking::{ConfirmedBy, Deleted, Scheduled};

    use super::*;

    fn intent() -> DeleteIntent {
        DeleteIntent::hyperverge("HV-123").unwrap()
    }

    fn scheduled() -> Result<Erasure, DeleteError> {
        Ok(Erasure::Scheduled(Scheduled {
            completes: "the vendor redacts the session within four days".into(),
            within: Some(Duration::from_secs(4 * 86_400)),
            until: Some("2027-01-05T00:00:00Z".into()),
            vendor_status: Some("processing".into()),
            vendor_message: None,
            attempts: 1,
            evidence: None,
        }))
    }

    fn deleted(confirmed_by: ConfirmedBy) -> Result<Erasure, DeleteError> {
        Ok(Erasure::Deleted(Deleted {
            audits: Vec::new(),
            vendor_message: None,
            confirmed_by,
            attempts: 2,
            evidence: None,
        }))
    }

    fn not_deletable_yet() -> Result<Erasure, DeleteError> {
        Err(DeleteError::new(
            ErrorKind::NotDeletableYet,
            "the session is not in a completed status",
        ))
    }

    #[test]
    fn a_scheduled_erasure_is_shown_apart_never_as_deleted() {
        let line = describe(&intent(), &scheduled());
        assert_eq!(
            line,
            "scheduled  hyperverge/transaction/\"HV-123\": the vendor redacts the session within four days (vendor status processing, within 4 days, until 2027-01-05T00:00:00Z, 1 attempt)"
        );
        let item = to_json(&intent(), &scheduled());
        assert_eq!(item["result"], "scheduled", "{item}");
        assert_eq!(item["within_seconds"], 4 * 86_400, "{item}");
        assert_eq!(item["until"], "2027-01-05T00:00:00Z", "{item}");
        assert_eq!(item["vendor_status"], "processing", "{item}");
        assert_eq!(item["attempts"], 1, "{item}");
        assert!(item.get("confirmed_by").is_none(), "{item}");
    }

    #[test]
    fn a_recheck_deletion_says_so() {
        let line = describe(&intent(), &deleted(ConfirmedBy::Recheck));
        assert!(line.starts_with("deleted    "), "{line}");
        assert!(line.contains("confirmed by a recheck"), "{line}");
        let item = to_json(&intent(), &deleted(ConfirmedBy::Recheck));
        assert_eq!(item["confirmed_by"], "recheck", "{item}");
    }

    #[test]
    fn not_deletable_yet_says_retry_later() {
        let line = describe(&intent(), &not_deletable_yet());
        assert!(line.starts_with("failed     "), "{line}");
        assert!(
            line.ends_with("; the vendor will not delete it yet: retry later"),
            "{line}"
        );
        let item = to_json(&intent(), &not_deletable_yet());
        assert_eq!(item["error"], "not_deletable_yet", "{item}");
        assert_eq!(item["retry_later"], true, "{item}");
        let other = to_json(&intent(), &Err(DeleteError::new(ErrorKind::Server, "503")));
        assert_eq!(other["retry_later"], false, "{other}");
    }

    #[test]
    fn the_subject_is_shown_in_text_and_json() {
        let with = intent().with_subject("customer 42").unwrap();
        let line = describe(&with, &deleted(ConfirmedBy::Response));
        assert!(
            line.starts_with("deleted    hyperverge/transaction/\"HV-123\" (subject \"customer 42\") (confirmed by"),
            "{line}"
        );
        let item = to_json(&with, &not_deletable_yet());
        assert_eq!(item["subject"], "customer 42", "{item}");
        assert_eq!(item["reference"], "HV-123", "{item}");
        let without = to_json(&intent(), &scheduled());
        assert!(without["subject"].is_null(), "{without}");
        assert_eq!(named(&intent()), "hyperverge/transaction/\"HV-123\"");
    }

    #[test]
    fn scheduled_exits_0_like_deleted() {
        let results = [scheduled(), deleted(ConfirmedBy::Response)];
        assert_eq!(exit_code(results.iter()), EXIT_OK);
        let results = [scheduled(), not_deletable_yet()];
        assert_eq!(exit_code(results.iter()), EXIT_FAILED);
    }
}
