//! Ctrl-C during a deletion: `KeyboardInterrupt` within a fraction of a
//! second, even while the deletion waits out a 60 s `Retry-After`.
//!
//! Python runs signal handlers only on the main thread and only when that
//! thread holds the GIL, so a deletion that waits inside `py.detach` would
//! see Ctrl-C only once it returns. Two ways around it:
//!
//! - A single deletion runs on the calling thread with a
//!   [`watched_token`]: its waits wake every [`CHECK_EVERY`], take the GIL
//!   and run the handlers; one that raises cancels the token, which ends
//!   the wait, and its exception is kept for the caller to raise. No thread
//!   is started, so a deletion that needs no wait costs no more than
//!   before (a thread per call cost about 80 µs).
//! - A batch ([`run_watching`]) runs on a Rust worker thread while the calling
//!   thread waits for it with the GIL released, waking every
//!   [`CHECK_EVERY`] to run the handlers: a batch's waits are on its worker
//!   threads, where handlers cannot run. When one raises, the batch's
//!   [`CancelToken`] is cancelled (its waits end at once; a request on the
//!   wire finishes within the client's timeout), the worker is joined, and
//!   the exception is handed back with the work's result.

use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use idv_delete_blocking::CancelToken;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// How often the waiting thread runs Python's signal handlers.
const CHECK_EVERY: Duration = Duration::from_millis(50);

/// The exception a signal handler raised during a watched wait.
#[derive(Clone, Default)]
pub(crate) struct Interrupt(Arc<Mutex<Option<PyErr>>>);

impl Interrupt {
    /// The exception, if a handler raised one.
    pub(crate) fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// A token whose waits run Python's signal handlers every [`CHECK_EVERY`]
/// (they run only when the waiting thread is the main one), and the slot
/// where the first exception one raises is kept.
pub(crate) fn watched_token() -> (CancelToken, Interrupt) {
    let interrupt = Interrupt::default();
    let slot = interrupt.clone();
    let token = CancelToken::watched(CHECK_EVERY, move || {
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(error) => {
                slot.0
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(error);
                true
            }
        })
    });
    (token, interrupt)
}

/// Runs `work` on a worker thread and waits for it, running Python's signal
/// handlers meanwhile, and every [`CHECK_EVERY`] also `stop`, with the GIL
/// held: for a caller's own stop request (a `threading.Event` given as
/// `cancel=`, see [`event_watcher`]). Returns the work's result and, if a
/// handler raised (`KeyboardInterrupt`, or whatever a user's handler
/// raises), that exception: `cancel` was then cancelled, so the result is
/// usually a cancelled one. Its
/// `true` cancels `cancel` (the work ends as cancelled, no exception); its
/// exception cancels it too and is handed back like a signal handler's.
pub(crate) fn run_watching<T, W>(
    py: Python<'_>,
    cancel: &CancelToken,
    mut stop: impl FnMut(Python<'_>) -> PyResult<bool>,
    work: W,
) -> (T, Option<PyErr>)
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
                match py.check_signals().and_then(|()| stop(py)) {
                    Ok(false) => {}
                    Ok(true) => cancel.cancel(),
                    Err(error) => {
                        cancel.cancel();
                        interrupt = Some(error);
                    }
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

/// The check of a caller's `cancel=` argument (a `threading.Event`, or
/// anything with `is_set()`), for [`run_watching`]'s `stop`: `true` once it
/// is set; always `false` without one. A `TypeError` for anything else.
pub(crate) fn event_watcher<'py>(
    cancel: Option<&Bound<'py, PyAny>>,
) -> PyResult<impl FnMut(Python<'_>) -> PyResult<bool> + 'py> {
    let is_set = match cancel {
        None => None,
        Some(event) => match event.getattr("is_set") {
            Ok(is_set) if is_set.is_callable() => Some(is_set),
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "cancel must be a threading.Event (anything with is_set()), or None; got {}",
                    event.get_type().name()?
                )))
            }
        },
    };
    Ok(move |_: Python<'_>| -> PyResult<bool> {
        match &is_set {
            Some(is_set) => is_set.call0()?.is_truthy(),
            None => Ok(false),
        }
    })
}
