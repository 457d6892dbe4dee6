//! Items of any vendor: [`delete_item`], the mixed batch
//! [`delete_client_delete_items`] and the one-item calls that take one.

use std::ffi::c_char;

use idv_delete_blocking::{Client, DeleteError, DeleteIntent, Erasure, Vendor};

use crate::batch::{batch_error, batch_options, delete_batch_options, delete_batch_report};
use crate::cancel::delete_cancel;
use crate::client::{
    delete_client, delete_product, delete_region, product, region, JUMIO_REGIONS, ONFIDO_REGIONS,
};
use crate::ffi::{self, arg, guard, into_handle, named_str_arg, slice_arg, Out};
use crate::last_error::{self, detailed};
use crate::outcome::delete_outcome;
use crate::result::delete_result;

/// One item to delete, of any vendor the client has credentials for.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct delete_item {
    /// A `DELETE_PRODUCT_*` constant: says the vendor and the product.
    pub product: delete_product,
    /// A `DELETE_REGION_*` constant for the vendors with regions (Jumio
    /// and the Jumio Platform: US, EU, SGP; Onfido: EU, US, CA), or 0 for
    /// the region given with the vendor's credentials. Ignored for
    /// HyperVerge, Persona, Stripe and Veriff, which have none.
    pub region: delete_region,
    /// The reference, NUL-terminated UTF-8 (for a Jumio Platform workflow
    /// `"ACCOUNT_ID/WORKFLOW_EXECUTION_ID"`).
    pub reference: *const c_char,
    /// The data subject's key (the company's own id for the person, such
    /// as a customer id), NUL-terminated UTF-8, or NULL for none. A label
    /// journaled with the item: never sent to the vendor, not part of the
    /// item's identity. 1-128 characters without control characters or
    /// whitespace at either end, else `DELETE_RESULT_INVALID_SUBJECT`.
    /// The last field, so an initialiser that names the others leaves it
    /// NULL.
    pub subject: *const c_char,
}

/// The validated intent of `item`, which `client` has the credentials to
/// delete; a failure's last error is prefixed by `call`.
pub(crate) fn resolve_item(
    call: &str,
    client: &delete_client,
    item: &delete_item,
) -> ffi::Result<DeleteIntent> {
    let resolved = (|| {
        let reference = named_str_arg(call, "reference", item.reference)?;
        let (vendor, _) = product(item.product)?;
        let regions: &[(delete_region, &'static str)] = match vendor {
            Vendor::Jumio | Vendor::JumioPlatform => &JUMIO_REGIONS,
            Vendor::Onfido => &ONFIDO_REGIONS,
            _ => &[],
        };
        let region = match item.region {
            0 => None,
            _ if regions.is_empty() => None,
            code => Some(region(call, code, regions)?),
        };
        let intent = client.resolve_in(item.product, region, reference)?;
        if item.subject.is_null() {
            return Ok(intent);
        }
        let subject = named_str_arg(call, "subject", item.subject)?;
        intent
            .with_subject(subject)
            .map_err(|e| detailed(delete_result::from_kind(e.kind()), e.to_string()))
    })();
    resolved.inspect_err(|&code| {
        let why = last_error::take().unwrap_or_else(|| code.message().to_string_lossy().into());
        let why = why
            .strip_prefix(call)
            .map_or(why.as_str(), |rest| rest.trim_start_matches(": "));
        detailed(code, format!("{call}: {why}"));
    })
}

/// Deletes every item of `items` (`count` of them, NULL when 0), of any
/// vendors the client has credentials for, in one batch: bounded
/// concurrency, retries, each vendor's request windows, and the rate
/// limit, journal, progress callback, cancel and dry run of `options`
/// (NULL: the defaults). The journal is the same as
/// `delete_client_delete_many`'s and the CLI's (`idv-delete verify`
/// reads it); resume it with the same items in the same order. Blocks
/// until the batch ends.
///
/// Every item is checked first, and if one is refused nothing is sent:
/// the code says why (a NULL reference `DELETE_RESULT_NULL_ARGUMENT`, an
/// unknown product or region `DELETE_RESULT_INVALID_ARGUMENT`, a malformed
/// reference `DELETE_RESULT_INVALID_REFERENCE`, a malformed subject
/// `DELETE_RESULT_INVALID_SUBJECT`, a vendor without
/// credentials `DELETE_RESULT_INVALID_CONFIG`) and the last error names
/// the item, as `items[INDEX]`. Failed deletions do not fail the call:
/// `DELETE_RESULT_OK` means the batch ran and `*report_out` counts what
/// was deleted, scheduled, not found and failed (failures by position in
/// `items`). Journal problems are `DELETE_RESULT_JOURNAL_*` codes. Free
/// the report with `delete_batch_report_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_items(
    client: *const delete_client,
    items: *const delete_item,
    count: usize,
    options: *const delete_batch_options,
    report_out: *mut *mut delete_batch_report,
) -> delete_result {
    guard(|| {
        const CALL: &str = "delete_client_delete_items";
        let client = arg(client)?;
        let items = slice_arg(items, count)?;
        let out = Out::new(report_out)?;
        let intents = items
            .iter()
            .enumerate()
            .map(|(index, item)| resolve_item(&format!("{CALL}: items[{index}]"), client, item))
            .collect::<ffi::Result<Vec<_>>>()?;
        let batch = batch_options(options)?;
        let report = client
            .rust()
            .delete_many(intents, batch)
            .map_err(|error| batch_error(CALL, &error))?;
        out.write(into_handle(delete_batch_report::new(report)));
        Ok(())
    })
}

/// Deletes one item of any vendor (see `delete_item`): as
/// `delete_client_delete`, with the item's region.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_item(
    client: *const delete_client,
    item: *const delete_item,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    delete_one(
        "delete_client_delete_item",
        client,
        item,
        outcome_out,
        |client, intent| Ok(client.delete(intent)),
    )
}

/// Deletes one item that an earlier attempt may already have deleted (an
/// outcome with `delete_outcome_in_doubt` true): as
/// `delete_client_delete_resumed`, with the item's region. A 404 then
/// confirms the deletion (`DELETE_CONFIRMED_BY_ABSENCE`): use it only for
/// such items.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_item_resumed(
    client: *const delete_client,
    item: *const delete_item,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    delete_one(
        "delete_client_delete_item_resumed",
        client,
        item,
        outcome_out,
        |client, intent| Ok(client.delete_resumed(intent)),
    )
}

/// As `delete_client_delete_item_resumed`, stopped by `cancel` (see
/// `delete_cancel_new`) from another thread: `delete_cancel_cancel` ends
/// a wait (backoff, `Retry-After`) at once, and the outcome is then
/// `DELETE_RESULT_CANCELLED`, still in doubt (run it again). A request on
/// the wire finishes within the client's timeout.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_delete_item_resumed_cancellable(
    client: *const delete_client,
    item: *const delete_item,
    cancel: *const delete_cancel,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    delete_one(
        "delete_client_delete_item_resumed_cancellable",
        client,
        item,
        outcome_out,
        |client, intent| {
            let cancel = arg(cancel)?;
            Ok(client.delete_resumed_cancellable(intent, &cancel.token))
        },
    )
}

/// Checks, without any I/O, that `client` can delete `item`: a known
/// product and region, a well-formed reference, and credentials for its
/// vendor. `DELETE_RESULT_OK`, or the code that `delete_client_delete_item`
/// would return before sending anything, with the last error saying why.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_client_check_item(
    client: *const delete_client,
    item: *const delete_item,
) -> delete_result {
    const CALL: &str = "delete_client_check_item";
    guard(|| {
        let client = arg(client)?;
        let item = arg(item)?;
        let intent = resolve_item(CALL, client, item)?;
        client.rust().check(&intent).map_err(|error| {
            detailed(
                delete_result::from_kind(error.kind()),
                format!("{CALL}: {error}"),
            )
        })
    })
}

/// The body of the one-item calls: `item`'s intent given to `delete`.
fn delete_one(
    call: &str,
    client: *const delete_client,
    item: *const delete_item,
    outcome_out: *mut *mut delete_outcome,
    delete: impl FnOnce(&Client, &DeleteIntent) -> ffi::Result<Result<Erasure, DeleteError>>,
) -> delete_result {
    guard(|| {
        let client = arg(client)?;
        let item = arg(item)?;
        let out = Out::new(outcome_out)?;
        let intent = resolve_item(call, client, item)?;
        let result = delete(client.rust(), &intent)?;
        out.write(into_handle(delete_outcome::new(result)));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::*;
    use crate::ffi::c_string;
    use crate::result::delete_result::*;

    fn client() -> *mut delete_client {
        let mut builder = std::ptr::null_mut();
        assert_eq!(delete_client_builder_new(&mut builder), DELETE_RESULT_OK);
        let (id, secret, agent) = (c_string("id"), c_string("secret"), c_string("Acme/1.0"));
        assert_eq!(
            delete_client_builder_set_jumio(
                builder,
                id.as_ptr(),
                secret.as_ptr(),
                agent.as_ptr(),
                DELETE_REGION_EU
            ),
            DELETE_RESULT_OK
        );
        let mut client = std::ptr::null_mut();
        assert_eq!(
            delete_client_builder_build(builder, &mut client),
            DELETE_RESULT_OK
        );
        delete_client_builder_free(builder);
        client
    }

    #[test]
    fn an_items_region_wins_over_the_credentials_and_is_checked() {
        let handle = client();
        let client = unsafe { &*handle };
        let reference = c_string("ref-1");
        let item = |product, region| delete_item {
            product,
            region,
            reference: reference.as_ptr(),
            subject: std::ptr::null(),
        };
        let intent = resolve_item("call", client, &item(DELETE_PRODUCT_JUMIO_SCAN, 0)).unwrap();
        assert_eq!(intent.target().region_name(), Some("eu"));
        let intent = resolve_item(
            "call",
            client,
            &item(DELETE_PRODUCT_JUMIO_SCAN, DELETE_REGION_SGP),
        )
        .unwrap();
        assert_eq!(intent.target().region_name(), Some("sgp"));
        let refused = resolve_item(
            "call",
            client,
            &item(DELETE_PRODUCT_JUMIO_SCAN, DELETE_REGION_CA),
        );
        assert_eq!(refused.unwrap_err(), DELETE_RESULT_INVALID_ARGUMENT);
        let refused = resolve_item("call", client, &item(DELETE_PRODUCT_VERIFF_SESSION, 0));
        assert_eq!(refused.unwrap_err(), DELETE_RESULT_INVALID_CONFIG);
        let message = last_error::take().unwrap();
        assert!(
            message.starts_with("call: this client has no veriff"),
            "{message}"
        );
        delete_client_free(handle);
    }

    #[test]
    fn a_subject_is_kept_or_refused_with_its_own_code() {
        let handle = client();
        let client = unsafe { &*handle };
        let reference = c_string("ref-1");
        let good = c_string("customer-42");
        let item = |subject: *const c_char| delete_item {
            product: DELETE_PRODUCT_JUMIO_SCAN,
            region: 0,
            reference: reference.as_ptr(),
            subject,
        };
        let intent = resolve_item("call", client, &item(good.as_ptr())).unwrap();
        assert_eq!(intent.subject(), Some("customer-42"));
        let intent = resolve_item("call", client, &item(std::ptr::null())).unwrap();
        assert_eq!(intent.subject(), None);
        let padded = c_string("customer-42 ");
        let refused = resolve_item("call", client, &item(padded.as_ptr()));
        assert_eq!(refused.unwrap_err(), DELETE_RESULT_INVALID_SUBJECT);
        let message = last_error::take().unwrap();
        assert!(
            message.starts_with(
                "call: invalid subject: subject \"customer-42 \" has whitespace at an end"
            ),
            "{message}"
        );
        delete_client_free(handle);
    }
}
