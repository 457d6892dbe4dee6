//! `idv-delete jumio ...`, `idv-delete jumio-platform ...` and
//! `idv-delete hyperverge ...`: a few deletions, one after the other, each
//! reported on its own line.

use idv_delete_blocking::{CancelToken, Client, DeleteError, DeleteIntent, Deleted, ErrorKind};
use serde_json::json;

use crate::args::Output;
use crate::failure::{Failure, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK};
use crate::{platform, signals};

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

/// 0 when all were deleted, 4 when any failed, else 3 when any was not found.
fn exit_code<'a>(results: impl Iterator<Item = &'a Result<Deleted, DeleteError>>) -> u8 {
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

/// One line for people.
fn describe(intent: &DeleteIntent, result: &Result<Deleted, DeleteError>) -> String {
    match result {
        Ok(deleted) => format!(
            "deleted    {intent} (confirmed by {}, {} attempt{}{}){}",
            match deleted.confirmed_by {
                idv_delete_blocking::ConfirmedBy::Response => "the vendor's answer",
                idv_delete_blocking::ConfirmedBy::Absence => "absence after an uncertain attempt",
            },
            deleted.attempts,
            if deleted.attempts == 1 { "" } else { "s" },
            if deleted.audits.is_empty() {
                String::new()
            } else {
                format!(", audits: {}", deleted.audits.join(" "))
            },
            platform::erasure_note(intent.vendor())
                .map(|note| format!(": {note}"))
                .unwrap_or_default()
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => format!("not found  {intent}: {e}"),
        Err(e) => format!("failed     {intent}: {e}"),
    }
}

/// One item as JSON: the shape shared by `--output json` everywhere.
pub fn to_json(intent: &DeleteIntent, result: &Result<Deleted, DeleteError>) -> serde_json::Value {
    let target = intent.target();
    let mut item = json!({
        "vendor": target.vendor().as_str(),
        "product": target.product_name(),
        "region": target.region().map(|r| r.as_str()),
        "reference": intent.reference(),
    });
    let fields = match result {
        Ok(deleted) => json!({
            "result": "deleted",
            "confirmed_by": deleted.confirmed_by.as_str(),
            "audits": deleted.audits,
            "vendor_message": deleted.vendor_message,
            "attempts": deleted.attempts,
        }),
        Err(e) => json!({
            "result": if e.kind() == ErrorKind::NotFound { "not_found" } else { "failed" },
            "error": e.kind().as_str(),
            "status": e.status(),
            "message": e.to_string(),
            "vendor_message": e.vendor_message(),
            "retry_after_seconds": e.retry_after().map(|d| d.as_secs_f64()),
            "in_doubt": e.in_doubt(),
            "attempts": e.attempts(),
        }),
    };
    if let (Some(item), serde_json::Value::Object(fields)) = (item.as_object_mut(), fields) {
        item.extend(fields);
        if let (Ok(_), Some(note)) = (result, platform::erasure_note(target.vendor())) {
            item.insert("erasure".into(), json!(note));
        }
    }
    item
}
