//! What the CLI does for the Jumio Platform (KYX) alone: it buys an access
//! token before the first deletion, so that refused client credentials
//! stop a command before anything is deleted, and it says what a deletion
//! there erases, which is less than everything.

use std::collections::BTreeSet;

use idv_delete_blocking::{CancelToken, Client, ErrorKind, Region, Target, Vendor};

use crate::failure::Failure;
use crate::signals;

/// What a Jumio Platform deletion erases, in Jumio's words: the one place
/// the CLI says it (single commands, the batch summary, `verify`).
pub const ERASURE: &str =
    "images and extracted data deleted; Jumio keeps the transaction metadata and decision";

/// What a deletion at `vendor` erases, when it is not simply everything.
pub fn erasure_note(vendor: Vendor) -> Option<&'static str> {
    (vendor == Vendor::JumioPlatform).then_some(ERASURE)
}

/// Buys a token for each of `regions` before any deletion is sent. A
/// refusal (bad client credentials, an answer that is no token) is a
/// configuration error, exit 2; a token endpoint that keeps failing after
/// the retries is a runtime error, exit 1; a signal stops with its exit
/// code. Every message says that no deletion was sent.
pub fn check_tokens(
    client: &Client,
    regions: impl IntoIterator<Item = Region>,
    cancel: &CancelToken,
) -> Result<(), Failure> {
    let regions: BTreeSet<Region> = regions.into_iter().collect();
    for region in regions {
        let Err(error) = client.check_token(region, cancel) else {
            continue;
        };
        let message = format!(
            "no Jumio Platform access token for region {}: {error}",
            region.as_str()
        );
        return Err(match error.kind() {
            ErrorKind::Cancelled => Failure::stopped(
                signals::exit_code(),
                format!(
                    "stopped by {} while getting a Jumio Platform access token; no deletion was sent",
                    signals::stopped_by()
                ),
            ),
            ErrorKind::Unauthorized
            | ErrorKind::InvalidConfig
            | ErrorKind::UnexpectedResponse => Failure::config(message),
            _ => Failure::runtime(format!("{message}; no deletion was sent")),
        });
    }
    Ok(())
}

/// The regions of the Jumio Platform targets among `targets`.
pub fn regions(targets: impl IntoIterator<Item = Target>) -> impl Iterator<Item = Region> {
    targets.into_iter().filter_map(|target| match target {
        Target::JumioPlatform { region, .. } => Some(region),
        _ => None,
    })
}
