//! The boundary helpers every entry point uses: the panic guard, argument
//! checks, out-parameters and handles.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use crate::last_error;
use crate::result::delete_result::{self, *};

/// A call's result inside the boundary: `Err` carries the code returned.
pub(crate) type Result<T> = std::result::Result<T, delete_result>;

/// Runs an entry point's body: its `Err` code, `DELETE_RESULT_OK`, or
/// `DELETE_RESULT_PANIC` if it panicked (the panic stops here). Applies the
/// last-error rule: the thread's message is cleared, and a failure leaves
/// the body's detail or the code's message (see [`last_error`]).
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> delete_result {
    last_error::clear();
    let code = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => DELETE_RESULT_OK,
        Ok(Err(code)) => code,
        Err(_) => DELETE_RESULT_PANIC,
    };
    if code != DELETE_RESULT_OK {
        last_error::set_default(code);
    }
    code
}

/// A required handle or input pointer.
pub(crate) fn arg<'a, T>(pointer: *const T) -> Result<&'a T> {
    // SAFETY: the caller passes NULL or a valid pointer (the header's rule).
    unsafe { pointer.as_ref() }.ok_or(DELETE_RESULT_NULL_ARGUMENT)
}

/// A required handle the call changes.
pub(crate) fn arg_mut<'a, T>(pointer: *mut T) -> Result<&'a mut T> {
    // SAFETY: as in `arg`, and the caller does not share it during the call.
    unsafe { pointer.as_mut() }.ok_or(DELETE_RESULT_NULL_ARGUMENT)
}

/// A required NUL-terminated UTF-8 string.
pub(crate) fn str_arg<'a>(pointer: *const c_char) -> Result<&'a str> {
    if pointer.is_null() {
        return Err(DELETE_RESULT_NULL_ARGUMENT);
    }
    // SAFETY: non-NULL, and the caller passes a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(pointer) };
    bytes.to_str().map_err(|_| DELETE_RESULT_INVALID_UTF8)
}

/// A required string argument of `call`, named `name` in the last error
/// message when it is NULL or not UTF-8.
pub(crate) fn named_str_arg<'a>(call: &str, name: &str, pointer: *const c_char) -> Result<&'a str> {
    str_arg(pointer).map_err(|code| {
        let why = match code {
            DELETE_RESULT_NULL_ARGUMENT => "is NULL",
            _ => "is not valid UTF-8",
        };
        last_error::detailed(code, format!("{call}: {name} {why}"))
    })
}

/// `count` elements at `pointer`, which may be NULL only when `count` is 0.
pub(crate) fn slice_arg<'a, T>(pointer: *const T, count: usize) -> Result<&'a [T]> {
    if count == 0 {
        return Ok(&[]);
    }
    if pointer.is_null() {
        return Err(DELETE_RESULT_NULL_ARGUMENT);
    }
    // SAFETY: non-NULL, and the caller passes `count` valid elements.
    Ok(unsafe { std::slice::from_raw_parts(pointer, count) })
}

/// A required out-parameter: checked first, written last, and only on
/// success (so it may point to uninitialised memory).
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    pub(crate) fn new(pointer: *mut T) -> Result<Out<T>> {
        NonNull::new(pointer)
            .map(Out)
            .ok_or(DELETE_RESULT_NULL_ARGUMENT)
    }

    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL and writable (the header's rule); `write` does not
        // read or drop what was there.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Moves `value` to the heap for C; [`free`] takes it back.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Releases a handle made by [`into_handle`]; NULL does nothing. A panic
/// while dropping is stopped here (there is no code to return it in).
pub(crate) fn free<T>(handle: *mut T) {
    if handle.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: made by `into_handle` and not freed before (the header's rule).
        drop(unsafe { Box::from_raw(handle) })
    }));
}

/// `text` as a C string; a NUL (never produced by the core, which removes
/// control characters) would become U+FFFD rather than cut the string.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}
