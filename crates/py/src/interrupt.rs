//! Ctrl-C during a deletion: `KeyboardInterrupt` within a fraction of a
//! second, even while the deletion waits out a 60 s `Retry-After`.
//!
//! Python runs signal handlers only on the main thread and only when that
//! thread holds the GIL, so a deletion that waits inside `py.detach` would
//! see Ctrl-C only once it returns. Instead the deletion runs on a Rust
//! worker thread while the calling thread waits for it with the GIL
//! released, waking every [`CHECK_EVERY`] to run the handlers
//! (`check_signals`). When one raises, the deletion's [`CancelToken`] is
//! cancelled (its waits end at once; a request on the wire finishes within
//! the client's timeout), the worker is joined, and the exception is handed
//! back with the work's result.

use std::sync::mpsc::{channel, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use idv_delete_blocking::CancelToken;
use pyo3::prelude::*;

/// How often the waiting thread runs Python's signal handlers.
const CHECK_EVERY: Duration = Duration::from_millis(50);

/// Runs `work` on a worker thread and waits for it, running Python's signal
/// handlers meanwhile. Returns the work's result and, if a handler raised
/// (`KeyboardInterrupt`, or whatever a user's handler raises), that
/// exception: `cancel` was then cancelled, so the result is usually a
/// cancelled one.
pub(crate) fn run<T, W>(py: Python<'_>, cancel: &CancelToken, work: W) -> (T, Option<PyErr>)
where
    T: Send,
    W: FnOnce() -> T + Send,
{
    thread::scope(|scope| {
        let (done, finished) = channel::<()>();
        let worker = scope.spawn(move || {
            let result = work();
            // The waiter may be gone only if it panicked; nothing to tell.
            let _ = done.send(());
            result
        });
        let mut finished = finished;
        let mut interrupt = None;
        loop {
            let (waited, back) = py.detach(move || (finished.recv_timeout(CHECK_EVERY), finished));
            finished = back;
            if !matches!(waited, Err(RecvTimeoutError::Timeout)) {
                break;
            }
            if interrupt.is_none() {
                if let Err(error) = py.check_signals() {
                    cancel.cancel();
                    interrupt = Some(error);
                }
            }
        }
        // The worker has sent its last message; it needs no GIL to end.
        let result = py
            .detach(|| worker.join())
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (result, interrupt)
    })
}
