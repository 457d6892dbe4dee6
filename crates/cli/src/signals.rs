//! SIGINT (Ctrl-C) and SIGTERM (how systemd, Kubernetes and `kill` stop a
//! job): the first one stops the command in order, a second one exits at
//! once.
//!
//! The first signal cancels the command's [`CancelToken`]: pauses and
//! backoffs end at once, no new request leaves, a request on the wire
//! finishes (within `--timeout`), and the command prints its summary and
//! how to resume, then exits 130 (SIGINT) or 143 (SIGTERM), the shell's
//! 128 + signal number. A second signal exits at once with the same codes;
//! items then in flight are in doubt, which a resume confirms.
//!
//! signal-hook rather than ctrlc: it tells SIGINT from SIGTERM, and its
//! iterator runs our code on an ordinary thread, not in a signal handler,
//! so printing and exiting there are safe (the CLI has no unsafe code).

use std::sync::atomic::{AtomicU8, Ordering};
use std::thread;

use idv_delete_blocking::CancelToken;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::failure::{Failure, EXIT_INTERRUPTED, EXIT_TERMINATED};

/// The exit code of the first signal received; 0 before any.
static RECEIVED: AtomicU8 = AtomicU8::new(0);

/// Makes SIGINT and SIGTERM cancel `cancel` (the first) or exit at once
/// (the second). Call it once, before the command's first request.
pub fn install(cancel: &CancelToken) -> Result<(), Failure> {
    let mut signals = Signals::new([SIGINT, SIGTERM])
        .map_err(|e| Failure::runtime(format!("cannot handle SIGINT and SIGTERM: {e}")))?;
    let token = cancel.clone();
    thread::Builder::new()
        .name("idv-delete-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let code = exit_code_of(signal);
                let name = if signal == SIGTERM { "SIGTERM" } else { "Ctrl-C" };
                if RECEIVED
                    .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    eprintln!("\n{name} again: exiting now; items in flight are in doubt and running the same command again confirms them");
                    std::process::exit(code.into());
                }
                eprintln!("\n{name}: stopping now; requests on the wire finish, then the summary ({name} again to exit at once)");
                token.cancel();
            }
        })
        .map_err(|e| Failure::runtime(format!("cannot start the signal thread: {e}")))?;
    Ok(())
}

/// The exit code after a stop: 130 for SIGINT, 143 for SIGTERM, 130 when
/// the command was cancelled without a signal.
pub fn exit_code() -> u8 {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => EXIT_INTERRUPTED,
        code => code,
    }
}

/// The name of the signal that stopped the command, for messages.
pub fn stopped_by() -> &'static str {
    if exit_code() == EXIT_TERMINATED {
        "SIGTERM"
    } else {
        "Ctrl-C"
    }
}

fn exit_code_of(signal: i32) -> u8 {
    if signal == SIGTERM {
        EXIT_TERMINATED
    } else {
        EXIT_INTERRUPTED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_signal_has_the_shells_exit_code() {
        assert_eq!(exit_code_of(SIGINT), 128 + 2);
        assert_eq!(exit_code_of(SIGTERM), 128 + 15);
    }
}
