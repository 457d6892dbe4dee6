//! Exit codes, and the one error type commands return.

use std::fmt;

/// Everything was deleted or scheduled (the vendor erases it later), or,
/// for a dry run, every row is valid.
pub const EXIT_OK: u8 = 0;
/// The run could not go on: journal or I/O error.
pub const EXIT_RUNTIME: u8 = 1;
/// Usage or configuration error; nothing was sent.
pub const EXIT_CONFIG: u8 = 2;
/// Some items were not found at the vendor, and none failed.
pub const EXIT_NOT_FOUND: u8 = 3;
/// Some items failed; they can be retried.
pub const EXIT_FAILED: u8 = 4;
/// The confirmation was declined; nothing was sent.
pub const EXIT_DECLINED: u8 = 5;
/// `verify`: the journal does not prove a complete run (a run that did
/// not finish, items never attempted, an input longer than the journal
/// shows); run the batch again to finish it.
pub const EXIT_INCOMPLETE: u8 = 6;
/// Stopped by Ctrl-C (SIGINT, 128 + 2): waits ended at once, requests on
/// the wire finished, the summary was printed; the journal is consistent,
/// run again to resume.
pub const EXIT_INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM (128 + 15; how systemd and Kubernetes stop a job),
/// in the same orderly way as [`EXIT_INTERRUPTED`].
pub const EXIT_TERMINATED: u8 = 143;

/// A command that stopped early: a message for stderr and an exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    message: String,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub fn config(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_CONFIG,
            message: message.into(),
        }
    }

    /// A failure while running (exit 1).
    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_RUNTIME,
            message: message.into(),
        }
    }

    /// Stopped by a signal before anything was sent (`code` is the
    /// signal's exit code, see `signals::exit_code`).
    pub fn stopped(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// The user declined (exit 5).
    pub fn declined(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_DECLINED,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<idv_delete_blocking::BatchError> for Failure {
    fn from(error: idv_delete_blocking::BatchError) -> Failure {
        Failure::runtime(error.to_string())
    }
}

impl From<idv_delete_blocking::JournalError> for Failure {
    fn from(error: idv_delete_blocking::JournalError) -> Failure {
        Failure::runtime(error.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        Failure::runtime(format!("I/O error: {error}"))
    }
}
