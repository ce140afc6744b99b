//! The C ABI and nothing else: conversions between C and the safe core. This is the only module
//! allowed to use `unsafe`. Every export's body goes through one of the two wrappers of
//! `macros.rs` (null/UTF-8 checks, panic boundary); handles use `handle::Handle`, lists
//! `list.rs`, options structs `args::read_options`, statuses the one table in [`status`].
//!
//! The header `include/hf_hub.h` is generated from this module by cbindgen.

#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

#[macro_use]
mod macros;
mod args;
mod handle;
mod list;
pub(crate) mod sys;

pub mod auth;
pub mod cache;
pub mod client;
pub mod download;
pub mod gguf;
pub mod repo;
pub mod repo_admin;
pub mod snapshot;
pub mod status;
pub mod upload;

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, Result};
use handle::Handle;
pub use status::{hf_error, hf_status};

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Run `f`, converting its error (or a panic) into a status and an optional `hf_error`.
/// Used through `ffi_call!`.
pub(crate) fn boundary<F>(error_out: *mut *mut hf_error, f: F) -> hf_status
where
    F: FnOnce() -> Result<()>,
{
    let outcome = catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(Error::Internal(format!("panic: {}", panic_message(payload)))));
    match outcome {
        Ok(()) => hf_status::HF_OK,
        Err(e) => {
            let code = status::status_of(&e);
            if !error_out.is_null() {
                hf_error::from_error(code, &e).into_out(error_out);
            }
            code
        }
    }
}

/// Run an infallible body; `None` when it panicked. Used through `ffi_guard!`.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// Returns the library version as static text ("MAJOR.MINOR.PATCH").
///
/// Thread safety: safe from any thread. Never fails; never NULL. Do not free.
#[no_mangle]
pub extern "C" fn hf_version() -> *const c_char {
    ffi_guard!(std::ptr::null(), { concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char })
}

/// Returns the library version as one number, `MAJOR * 1000000 + MINOR * 1000 + PATCH`: compare
/// it with `HF_HUB_VERSION_NUMBER` to detect a header that does not match the library.
///
/// Thread safety: safe from any thread. Never fails.
#[no_mangle]
pub extern "C" fn hf_version_number() -> u32 {
    ffi_guard!(0, { HF_HUB_VERSION_NUMBER })
}

/// Frees a string returned by this library, such as a path from `hf_file_download`.
///
/// NULL is ignored. Never pass memory from elsewhere, and never call `free()` on library strings.
/// Thread safety: safe from any thread; free each string once.
#[no_mangle]
pub unsafe extern "C" fn hf_string_free(s: *mut c_char) {
    ffi_guard!((), {
        if !s.is_null() {
            // SAFETY: `s` came from `CString::into_raw` in this library (documented contract).
            drop(unsafe { std::ffi::CString::from_raw(s) })
        }
    })
}

/// Major version of the library (also in `hf_version()`).
pub const HF_HUB_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const HF_HUB_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const HF_HUB_VERSION_PATCH: u32 = 0;
/// `HF_HUB_VERSION_MAJOR * 1000000 + HF_HUB_VERSION_MINOR * 1000 + HF_HUB_VERSION_PATCH`.
pub const HF_HUB_VERSION_NUMBER: u32 = 1000;

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_macros_match_cargo() {
        assert_eq!(HF_HUB_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(HF_HUB_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(HF_HUB_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
        assert_eq!(
            HF_HUB_VERSION_NUMBER,
            HF_HUB_VERSION_MAJOR * 1_000_000 + HF_HUB_VERSION_MINOR * 1000 + HF_HUB_VERSION_PATCH
        );
        assert_eq!(hf_version_number(), HF_HUB_VERSION_NUMBER);
        let v = unsafe { CStr::from_ptr(hf_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn panics_become_internal_errors() {
        let mut err: *mut hf_error = std::ptr::null_mut();
        let code = ffi_call!(&mut err, { panic!("boom") });
        assert_eq!(code, hf_status::HF_ERR_INTERNAL);
        assert!(!err.is_null());
        let msg = unsafe { CStr::from_ptr(status::hf_error_message(err)) }.to_str().unwrap().to_string();
        assert!(msg.contains("boom"), "{msg}");
        unsafe { status::hf_error_free(err) };
        assert_eq!(ffi_guard!(7, { panic!("quiet") }), 7);
    }
}
