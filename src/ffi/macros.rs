//! The one wrapper every export goes through (rustls-ffi's `ffi_panic_boundary!`, hyper's
//! `ffi_fn!`): the function signature stays plain (so cbindgen sees it), and its body is one of
//!
//! - `ffi_call!(error_out, { ... })` for fallible calls: the block returns `Result<()>`; an error
//!   or a panic becomes an `hf_status` and, when `error_out` is non-NULL, an owned `hf_error`;
//! - `ffi_guard!(fallback, { ... })` for infallible ones (accessors, `_init`, `_free`): a panic
//!   returns `fallback` instead of unwinding into C.
//!
//! Null checks and UTF-8 validation are done inside the block through `args.rs` (`arg_str`,
//! `opt_str`, `out_ptr`, `read_options`) and `handle.rs` (`Handle::try_ref`); a test
//! (`tests/ffi_exports.rs`) fails when an export does not use one of the two macros.

/// Body of a fallible export. See the module documentation.
macro_rules! ffi_call {
    ($error_out:expr, $body:block) => {
        $crate::ffi::boundary($error_out, || -> $crate::error::Result<()> { $body })
    };
}

/// Body of an infallible export. See the module documentation.
macro_rules! ffi_guard {
    ($fallback:expr, $body:block) => {
        $crate::ffi::guard(|| $body).unwrap_or($fallback)
    };
}
