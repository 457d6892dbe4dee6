//! The calling thread's last error message: what a `delete_result` code
//! cannot say (which setter refused which value, which journal line is
//! damaged), read with [`delete_last_error_message`].
//!
//! One rule, applied by [`crate::ffi::guard`] around every entry point that
//! returns a `delete_result`: the call clears this thread's message, and a
//! failing call leaves one behind, either the detail set with [`detailed`]
//! or, when it has none, the code's `delete_result_message`. Per thread,
//! like `errno`, so threads sharing a client never see each other's errors;
//! unlike `errno`, a success clears it, so a message is never stale.
//! Messages never hold a credential: they are built from the Rust errors'
//! `Display`, which never shows one.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use crate::ffi::{c_string, Out};
use crate::result::delete_result::{self, *};

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Forgets this thread's message: the start of every entry point.
pub(crate) fn clear() {
    LAST_ERROR.with(|last| last.borrow_mut().take());
}

/// Takes this thread's message away, to say it again with more context.
pub(crate) fn take() -> Option<String> {
    LAST_ERROR
        .with(|last| last.borrow_mut().take())
        .map(|message| message.to_string_lossy().into_owned())
}

/// Leaves `code`'s static message, unless the failing call set a more
/// detailed one.
pub(crate) fn set_default(code: delete_result) {
    LAST_ERROR.with(|last| {
        last.borrow_mut()
            .get_or_insert_with(|| code.message().to_owned());
    });
}

/// Records `message` as this thread's last error and returns `code`, for
/// `map_err`: `.map_err(|e| detailed(DELETE_RESULT_..., format!(..)))`.
pub(crate) fn detailed(code: delete_result, message: impl AsRef<str>) -> delete_result {
    LAST_ERROR.with(|last| *last.borrow_mut() = Some(c_string(message.as_ref())));
    code
}

/// Copies the message of this thread's last failed call into `buf`, as
/// NUL-terminated UTF-8 of at most `len - 1` bytes (a longer message is cut
/// at a character boundary), and writes its length without the NUL to
/// `*out_n`, as `rustls_error` does. The message names what was wrong and
/// what to do: the setter and the value refused (never a credential), the
/// journal's path and line, the vendor's answer. 512 bytes hold every
/// message except ones quoting long paths or URLs.
///
/// Which call it describes: every function returning a `delete_result`
/// (except this one, which changes nothing) clears the calling thread's
/// message and, when it returns a code other than `DELETE_RESULT_OK`,
/// leaves one, the code's `delete_result_message` at least. So read it
/// right after the failing call, on the same thread; other threads' calls
/// do not touch it. Returns `DELETE_RESULT_ABSENT` (writing nothing) when
/// the thread's last call succeeded or there was none,
/// `DELETE_RESULT_INVALID_ARGUMENT` when `len` is 0.
///
/// A deletion that ran is `DELETE_RESULT_OK` whatever its outcome: ask the
/// outcome (`delete_outcome_message`) how it ended.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_last_error_message(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> delete_result {
    // Not through `guard`, which would clear the message it reads.
    let body = || {
        let (Some(buf), Ok(out_n)) = (NonNull::new(buf), Out::new(out_n)) else {
            return DELETE_RESULT_NULL_ARGUMENT;
        };
        if len == 0 {
            return DELETE_RESULT_INVALID_ARGUMENT;
        }
        LAST_ERROR.with(|last| {
            let last = last.borrow();
            let Some(message) = last.as_deref().map(CStr::to_bytes) else {
                return DELETE_RESULT_ABSENT;
            };
            let n = cut(message, len - 1);
            // SAFETY: `buf` is non-NULL and writable for `len` bytes (the
            // header's rule), and `n < len`; `message` is our own buffer.
            unsafe {
                std::ptr::copy_nonoverlapping(message.as_ptr(), buf.as_ptr().cast::<u8>(), n);
                buf.as_ptr().add(n).write(0);
            }
            out_n.write(n);
            DELETE_RESULT_OK
        })
    };
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(DELETE_RESULT_PANIC)
}

/// How many bytes of the UTF-8 `message` fit in `room` without splitting a
/// character.
fn cut(message: &[u8], room: usize) -> usize {
    if message.len() <= room {
        return message.len();
    }
    // A UTF-8 continuation byte is 0b10xx_xxxx: step back to a char start.
    (0..=room)
        .rev()
        .find(|&n| message.get(n).is_none_or(|b| b & 0xC0 != 0x80))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::guard;

    fn read(len: usize) -> (delete_result, String) {
        let mut buf = vec![0x7f as c_char; len.max(1)];
        let mut n = usize::MAX;
        let code = delete_last_error_message(buf.as_mut_ptr(), len, &mut n);
        if code != DELETE_RESULT_OK {
            assert_eq!(n, usize::MAX, "written although {code:?}");
            return (code, String::new());
        }
        let bytes: Vec<u8> = buf[..n].iter().map(|&c| c as u8).collect();
        assert_eq!(buf[n], 0, "NUL-terminated");
        (
            code,
            String::from_utf8(bytes).expect("cut at a char boundary"),
        )
    }

    #[test]
    fn a_failure_leaves_its_detail_and_a_success_clears_it() {
        let code = guard(|| {
            Err(detailed(
                DELETE_RESULT_INVALID_CONFIG,
                "base URL \"x\" is bad",
            ))
        });
        assert_eq!(code, DELETE_RESULT_INVALID_CONFIG);
        assert_eq!(
            read(512),
            (DELETE_RESULT_OK, "base URL \"x\" is bad".into())
        );
        // Reading does not consume it.
        assert_eq!(read(512).1, "base URL \"x\" is bad");
        assert_eq!(guard(|| Ok(())), DELETE_RESULT_OK);
        assert_eq!(read(512).0, DELETE_RESULT_ABSENT);
    }

    #[test]
    fn a_failure_without_detail_leaves_the_codes_message() {
        assert_eq!(
            guard(|| Err(DELETE_RESULT_NULL_ARGUMENT)),
            DELETE_RESULT_NULL_ARGUMENT
        );
        assert_eq!(read(512).1, "a required pointer argument is NULL");
    }

    #[test]
    fn a_short_buffer_cuts_at_a_character_boundary() {
        let _ = guard(|| Err(detailed(DELETE_RESULT_INVALID_CONFIG, "ab\u{e9}cd")));
        assert_eq!(read(3).1, "ab"); // room for 2 bytes: "ab"
        assert_eq!(read(4).1, "ab"); // 3 bytes would split the é
        assert_eq!(read(5).1, "ab\u{e9}");
        assert_eq!(read(1).1, "");
        assert_eq!(read(0).0, DELETE_RESULT_INVALID_ARGUMENT);
    }

    #[test]
    fn null_arguments_are_refused() {
        let mut n = 0;
        let mut buf = [0 as c_char; 4];
        let null = std::ptr::null_mut();
        assert_eq!(
            delete_last_error_message(null, 4, &mut n),
            DELETE_RESULT_NULL_ARGUMENT
        );
        let code = delete_last_error_message(buf.as_mut_ptr(), 4, std::ptr::null_mut());
        assert_eq!(code, DELETE_RESULT_NULL_ARGUMENT);
    }

    #[test]
    fn each_thread_has_its_own() {
        let _ = guard(|| Err(detailed(DELETE_RESULT_INVALID_CONFIG, "this thread's")));
        std::thread::spawn(|| assert_eq!(read(512).0, DELETE_RESULT_ABSENT))
            .join()
            .expect("the other thread sees none");
        assert_eq!(read(512).1, "this thread's");
    }
}
