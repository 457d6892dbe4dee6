//! [`delete_cancel`]: stops a single deletion or a batch from another
//! thread, at once even during a `Retry-After` pause or a backoff.

use idv_delete_blocking::CancelToken;

use crate::ffi::{self, arg, guard, into_handle, Out};
use crate::result::delete_result;

/// A cancel switch: pass it to `delete_client_delete_cancellable` or set it
/// on batch options with `delete_batch_options_set_cancel`, then call
/// `delete_cancel_cancel` from any thread (a signal-handling thread, a UI)
/// to stop them. Waits end at once and no new request is sent; a request
/// already on the wire finishes within the client's timeout. A deletion cut
/// short ends with `DELETE_RESULT_CANCELLED` (see `delete_outcome_in_doubt`).
/// Thread-safe; cancelling cannot be undone. Free it with
/// `delete_cancel_free` once no other thread uses it.
pub struct delete_cancel {
    pub(crate) token: CancelToken,
}

/// Makes a cancel switch, not yet cancelled.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_cancel_new(cancel_out: *mut *mut delete_cancel) -> delete_result {
    guard(|| {
        Out::new(cancel_out)?.write(into_handle(delete_cancel {
            token: CancelToken::new(),
        }));
        Ok(())
    })
}

/// Cancels: every deletion and batch using `cancel` stops as soon as it can
/// (waits end at once). Callable from any thread, any number of times.
/// It is not async-signal-safe: from a signal handler, set a flag and call
/// this from a thread instead.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_cancel_cancel(cancel: *const delete_cancel) -> delete_result {
    guard(|| {
        arg(cancel)?.token.cancel();
        Ok(())
    })
}

/// Writes whether `delete_cancel_cancel` was called on `cancel`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_cancel_is_cancelled(
    cancel: *const delete_cancel,
    cancelled_out: *mut bool,
) -> delete_result {
    guard(|| {
        let cancel = arg(cancel)?;
        Out::new(cancelled_out)?.write(cancel.token.is_cancelled());
        Ok(())
    })
}

/// Frees a cancel switch. NULL does nothing. Batch options it was set on
/// keep working (they hold their own reference).
#[no_mangle]
pub extern "C" fn delete_cancel_free(cancel: *mut delete_cancel) {
    ffi::free(cancel);
}
