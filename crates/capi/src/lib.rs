//! libdelete: the C library of idv-delete. It erases identity-verification
//! data at Jumio, HyperVerge, Onfido, Persona, Stripe Identity and Veriff
//! through their delete APIs, from C and C++.
//!
//! This crate is only the C ABI over [`idv_delete_blocking`] and its
//! sans-IO core: it converts arguments, calls them and maps their
//! `ErrorKind` through one table ([`delete_result`]). The header
//! `include/delete.h` is generated from these sources by cbindgen (see
//! `tests/header.rs`); `bindings/c/README.md` states the conventions:
//!
//! - opaque handles made by `*_new` or `*_build` and released by `*_free`;
//!   `*_free(NULL)` does nothing;
//! - every entry point returns a [`delete_result`], except
//!   [`delete_version`], [`delete_result_message`] and the `*_free`
//!   functions; out-parameters come last and are written only when it is
//!   [`delete_result::DELETE_RESULT_OK`]; after a failure,
//!   [`delete_last_error_message`] says what was wrong, in more detail than
//!   the code;
//! - a NULL required pointer is `DELETE_RESULT_NULL_ARGUMENT`, a string that
//!   is not UTF-8 `DELETE_RESULT_INVALID_UTF8`; no panic crosses the
//!   boundary (`DELETE_RESULT_PANIC`);
//! - strings handed out belong to the handle that handed them out and live
//!   as long as it does;
//! - a client is thread-safe: share one `const delete_client *` across
//!   threads.
//!
//! Pointers must be NULL or valid for what the header says; like every C
//! library, libdelete cannot detect a dangling pointer.
#![deny(missing_docs)]
// The names are C names: `delete_client`, `DELETE_RESULT_OK`.
#![allow(non_camel_case_types)]

use std::ffi::c_char;

// The modules, in the order cbindgen writes them into the header.
mod result;
pub use result::*;

mod client;
pub use client::*;

mod outcome;
pub use outcome::*;

mod batch;
pub use batch::*;

mod recheck;
pub use recheck::*;

mod journal;
pub use journal::*;

mod cancel;
pub use cancel::*;

mod sansio;
pub use sansio::*;

mod items;
pub use items::*;

mod op;
pub use op::*;

mod token;
pub use token::*;

mod last_error;
pub use last_error::*;

mod ffi;

/// The version of libdelete, `"MAJOR.MINOR.PATCH"`: the same as the
/// `DELETE_VERSION_STRING` macro of the header it was built with, and as
/// the Rust crates and the Python package. The string is static.
#[no_mangle]
pub extern "C" fn delete_version() -> *const c_char {
    // Cannot panic: it returns a constant.
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
