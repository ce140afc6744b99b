//! The C ABI and nothing else: conversions between C and the safe core. This is the only module
//! allowed to use `unsafe`. Every exported function null-checks its pointers, validates UTF-8 and
//! runs its body inside [`boundary`], so a panic becomes `HF_ERR_INTERNAL`, never an abort.
//!
//! The header `include/hf_hub.h` is generated from this module by cbindgen.

#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod auth;
pub mod client;
pub mod download;
pub mod status;

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, Result};
pub use status::{hf_error, hf_status};

/// Run `f`, converting its error (or a panic) into a status and an optional `hf_error`.
pub(crate) fn boundary<F>(error_out: *mut *mut hf_error, f: F) -> hf_status
where
    F: FnOnce() -> Result<()>,
{
    let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Error::Internal(format!("panic: {msg}")))
    });
    match outcome {
        Ok(()) => hf_status::HF_OK,
        Err(e) => {
            let code = status::status_of(&e);
            if !error_out.is_null() {
                let boxed = Box::new(hf_error::from_error(code, &e));
                // SAFETY: the caller passed a writable `hf_error **` (documented), checked non-NULL.
                unsafe { *error_out = Box::into_raw(boxed) };
            }
            code
        }
    }
}

/// Borrow a required C string argument as UTF-8.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::InvalidArgument(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string that outlives the call.
    unsafe { CStr::from_ptr(p) }.to_str().map_err(|_| Error::InvalidArgument(format!("{name} is not valid UTF-8")))
}

/// Borrow an optional C string argument (NULL → `None`).
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract of `arg_str`.
        unsafe { arg_str(p, name) }.map(Some)
    }
}

/// Check a required out-pointer.
pub(crate) fn out_ptr<T>(p: *mut T, name: &str) -> Result<()> {
    if p.is_null() {
        Err(Error::InvalidArgument(format!("{name} is NULL")))
    } else {
        Ok(())
    }
}

/// Turn text into a C string the caller frees with `hf_string_free`.
pub(crate) fn c_string(s: impl Into<Vec<u8>>) -> Result<CString> {
    CString::new(s).map_err(|_| Error::Internal("string with an interior NUL".into()))
}

/// A path as an owned C string (raw bytes on Unix).
pub(crate) fn path_c_string(p: &std::path::Path) -> Result<CString> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        c_string(p.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        c_string(p.to_string_lossy().into_owned())
    }
}

/// Copy a caller's options struct into a defaulted one, honouring its `struct_size` (older callers
/// pass a smaller struct; newer callers a bigger one, whose extra fields are ignored).
pub(crate) unsafe fn read_options<T: Copy>(p: *const T, default: T) -> Result<T> {
    if p.is_null() {
        return Ok(default);
    }
    // SAFETY: every options struct is #[repr(C)] and starts with `uint32_t struct_size`.
    let size = unsafe { *(p as *const u32) } as usize;
    if size < std::mem::size_of::<u32>() {
        return Err(Error::InvalidArgument("options struct_size is too small: call the _init function first".into()));
    }
    let mut out = default;
    let n = size.min(std::mem::size_of::<T>());
    // SAFETY: the caller's struct has at least `size` bytes; we copy at most our own size.
    unsafe { std::ptr::copy_nonoverlapping(p as *const u8, &mut out as *mut T as *mut u8, n) };
    Ok(out)
}

/// Returns the library version as static text ("MAJOR.MINOR.PATCH").
///
/// Thread safety: safe from any thread. Never fails; never NULL. Do not free.
#[no_mangle]
pub extern "C" fn hf_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
}

/// Frees a string returned by this library (e.g. a path from `hf_file_download`).
///
/// NULL is ignored. Never pass memory from elsewhere, and never call `free()` on library strings.
/// Thread safety: safe from any thread; free each string once.
#[no_mangle]
pub unsafe extern "C" fn hf_string_free(s: *mut c_char) {
    if !s.is_null() {
        let _ = catch_unwind(|| {
            // SAFETY: `s` came from `CString::into_raw` in this library (documented contract).
            drop(unsafe { CString::from_raw(s) })
        });
    }
}

/// Major version of the library (also in `hf_version()`).
pub const HF_HUB_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const HF_HUB_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const HF_HUB_VERSION_PATCH: u32 = 0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_cargo() {
        assert_eq!(HF_HUB_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(HF_HUB_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(HF_HUB_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
        let v = unsafe { CStr::from_ptr(hf_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn panics_become_internal_errors() {
        let mut err: *mut hf_error = std::ptr::null_mut();
        let code = boundary(&mut err, || panic!("boom"));
        assert_eq!(code, hf_status::HF_ERR_INTERNAL);
        assert!(!err.is_null());
        let msg = unsafe { CStr::from_ptr(status::hf_error_message(err)) }.to_str().unwrap().to_string();
        assert!(msg.contains("boom"), "{msg}");
        unsafe { status::hf_error_free(err) };
    }
}

/// The library version as one number: `MAJOR * 1000000 + MINOR * 1000 + PATCH`
/// (compare with `HF_HUB_VERSION_NUMBER` to detect a header/library mismatch).
#[no_mangle]
pub extern "C" fn hf_version_number() -> u32 {
    HF_HUB_VERSION_NUMBER
}

/// `HF_HUB_VERSION_MAJOR * 1000000 + HF_HUB_VERSION_MINOR * 1000 + HF_HUB_VERSION_PATCH`.
pub const HF_HUB_VERSION_NUMBER: u32 = 1000;
