//! [`Client::recheck_journal`]: ask the vendors about the erasures a
//! journal holds as scheduled, and append what they say.
//!
//! A recheck is a run of its own in the journal (a `run` record, one
//! `outcome` per scheduled item whose vendor answered, an `end` record),
//! under the journal's lock, so it never interleaves with a batch. Its run
//! declares the input of the run before it (a recheck covers the same
//! items), so `verify` reads the journal as before. Records are appended,
//! never edited: an item rechecked deleted keeps its `scheduled` record,
//! followed by a `deleted` one with `confirmed_by` `recheck`.

use std::collections::BTreeMap;
use std::path::Path;

use idv_delete_core::{DeleteError, DeleteIntent, Erasure};

use crate::batch::{BatchError, BatchOptions, FailedItem, JournalRun};
use crate::cancel::CancelToken;
use crate::client::Client;
use crate::journal::{
    EndRecord, Evidence, ItemStatus, JournalError, JournalOutcome, JournalReader, OutcomeRecord,
    Record, RunEnd,
};

/// What [`Client::recheck_journal`] learnt.
#[derive(Clone, Debug, Default)]
pub struct RecheckReport {
    /// Scheduled items in the journal.
    pub scheduled: u64,
    /// Items the vendor now shows erased (journaled as deleted, confirmed by
    /// recheck).
    pub deleted: u64,
    /// Items the vendor still completes later (journaled again as
    /// scheduled, with what the vendor said).
    pub still_scheduled: u64,
    /// Items whose vendor offers no read to recheck (Veriff): still
    /// scheduled, nothing journaled.
    pub not_offered: u64,
    /// Items whose recheck failed (no answer, credentials refused, an
    /// applicant restored): nothing journaled; run it again later.
    pub failures: Vec<FailedItem>,
    /// The run's number in the journal.
    pub run: u32,
    /// True when the recheck was cancelled before it asked about every item.
    pub cancelled: bool,
}

impl Client {
    /// Rechecks every item that the journal at `path` holds as scheduled
    /// (see the module docs): one read per item, sequential, no retries
    /// (a recheck changes nothing, so running it again is always safe).
    /// Refused, like a batch's resume, when the journal is locked by a run
    /// ([`JournalError::Locked`]) or this client's endpoints differ from
    /// the journal's ([`JournalError::RecheckEndpointChanged`]: a recheck
    /// reads at the journal's endpoint only). A missing journal is
    /// [`JournalError::Io`] (not found), nothing created.
    pub fn recheck_journal(
        &self,
        path: impl AsRef<Path>,
        cancel: &CancelToken,
    ) -> Result<RecheckReport, BatchError> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(BatchError::Journal(JournalError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no journal to recheck"),
            )));
        }
        // One replay for both: which items are scheduled, and the input
        // the run before declared (this run declares it too).
        let state = crate::journal::JournalState::read(path)?;
        let scheduled = scheduled_items(path, &state)?;
        let input = state.runs().last().and_then(|run| run.start.input.clone());
        let options = BatchOptions::default().journal(path);
        let options = match &input {
            Some(input) => options.input(input.clone()),
            None => options,
        };
        let journal = JournalRun::open(
            self,
            path,
            &options,
            &|file| Box::new(file),
            &mut Vec::new(),
        )
        .map_err(for_recheck)?;
        let _lock = journal.lock;
        // Not a dry run, so `open` started the run's records.
        let Some(writer) = journal.writer else {
            return Err(BatchError::Journal(JournalError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other("the recheck run's records could not be started"),
            }));
        };
        let mut report = RecheckReport {
            scheduled: scheduled.len() as u64,
            run: journal.run,
            ..RecheckReport::default()
        };
        for (position, intent) in scheduled {
            if cancel.is_cancelled() {
                report.cancelled = true;
                break;
            }
            let (outcome, evidence) = match self.recheck(&intent) {
                Ok(None) => {
                    report.not_offered += 1;
                    continue;
                }
                Ok(Some(erasure)) => {
                    match &erasure {
                        Erasure::Deleted(_) => report.deleted += 1,
                        Erasure::Scheduled(_) => report.still_scheduled += 1,
                    }
                    let result = Ok::<_, DeleteError>(erasure);
                    (
                        JournalOutcome::from_result(&result),
                        Evidence::from_result(&result),
                    )
                }
                Err(error) => {
                    report.failures.push(FailedItem {
                        position,
                        intent,
                        error,
                    });
                    continue;
                }
            };
            writer.append(&Record::Outcome(OutcomeRecord {
                position,
                intent,
                at: crate::time::now_rfc3339(),
                outcome,
                evidence,
            }))?;
        }
        writer.append(&Record::End(EndRecord {
            run: report.run,
            at: crate::time::now_rfc3339(),
            how: if report.cancelled {
                RunEnd::Cancelled
            } else {
                RunEnd::Finished
            },
            items: input.as_ref().map_or(0, |i| i.items),
            sha256: input.map(|i| i.sha256),
        }))?;
        writer.close()?;
        Ok(report)
    }
}

/// A batch's refusal to resume at another endpoint, said as a recheck's:
/// the way out is the journal's endpoint, not a switch to allow the change.
fn for_recheck(error: BatchError) -> BatchError {
    match error {
        BatchError::Journal(JournalError::EndpointChanged {
            path,
            vendor,
            journaled,
            now,
        }) => BatchError::Journal(JournalError::RecheckEndpointChanged {
            path,
            vendor,
            journaled,
            now,
        }),
        other => other,
    }
}

/// The items whose last outcome in the journal is scheduled, by position.
fn scheduled_items(
    path: &Path,
    state: &crate::journal::JournalState,
) -> Result<BTreeMap<u64, DeleteIntent>, JournalError> {
    let mut scheduled = BTreeMap::new();
    for record in JournalReader::open(path)? {
        if let Record::Outcome(outcome) = record? {
            if matches!(outcome.outcome, JournalOutcome::Scheduled { .. }) {
                scheduled.insert(outcome.position, outcome.intent);
            } else {
                scheduled.remove(&outcome.position);
            }
        }
    }
    // Agrees with the replay, which also knows salvages and duplicates.
    scheduled.retain(|&position, _| state.status(position) == ItemStatus::Scheduled);
    Ok(scheduled)
}
