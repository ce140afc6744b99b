//! Argument conversions of the C ABI: strings, out-pointers, options structs.

use std::ffi::{c_char, CStr, CString};

use crate::error::{Error, Result};

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

/// Copy an array of `n` C strings (`p` may be NULL only when `n` is 0) into owned strings.
pub(crate) unsafe fn str_array(p: *const *const c_char, n: usize, name: &str) -> Result<Vec<String>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Error::InvalidArgument(format!("{name} is NULL with a count of {n}")));
    }
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for i in 0..n {
        // SAFETY: the caller passes `n` readable pointers (documented on every export taking one).
        let s = unsafe { *p.add(i) };
        out.push(unsafe { arg_str(s, name) }?.to_string());
    }
    Ok(out)
}

/// Check a required out-pointer.
pub(crate) fn out_ptr<T>(p: *mut T, name: &str) -> Result<()> {
    if p.is_null() {
        Err(Error::InvalidArgument(format!("{name} is NULL")))
    } else {
        Ok(())
    }
}

/// Write `value` through a checked out-pointer.
pub(crate) fn write_out<T>(p: *mut T, value: T) {
    debug_assert!(!p.is_null());
    // SAFETY: every caller checked `p` with `out_ptr` first (writable, documented contract).
    unsafe { p.write(value) }
}

/// Turn text into a C string the caller frees with `hf_string_free` (interior NULs become spaces).
pub(crate) fn c_string(s: impl Into<Vec<u8>>) -> Result<CString> {
    let mut v = s.into();
    v.iter_mut().filter(|b| **b == 0).for_each(|b| *b = b' ');
    CString::new(v).map_err(|_| Error::Internal("string with an interior NUL".into()))
}

/// A path as an owned C string (raw bytes on Unix).
pub(crate) fn path_c_string(p: &std::path::Path) -> Result<CString> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        CString::new(p.as_os_str().as_bytes()).map_err(|_| Error::Internal("a path with a NUL byte".into()))
    }
    #[cfg(not(unix))]
    {
        c_string(p.to_string_lossy().into_owned())
    }
}

/// An options struct of the C ABI: `#[repr(C)]`, starts with `uint32_t struct_size`.
pub(crate) trait Options: Copy + Default {
    /// Every `struct_size` a released header has produced for this struct (design.md §2: a size
    /// the library does not know is rejected). Grows by one entry whenever fields are appended.
    const KNOWN_SIZES: &'static [usize];
    /// The C name, for messages.
    const NAME: &'static str;
}

/// Copy a caller's options struct into a defaulted one. NULL → defaults. `struct_size` must be
/// one of [`Options::KNOWN_SIZES`] (an older, smaller struct keeps the defaults of the fields it
/// lacks); any other size — 0, one that would cut a field, one from an unknown newer header — is
/// `HF_ERR_INVALID_ARGUMENT`, and no byte past the size the caller claims is read.
pub(crate) unsafe fn read_options<T: Options>(p: *const T) -> Result<T> {
    if p.is_null() {
        return Ok(T::default());
    }
    // SAFETY: a non-NULL options pointer points at a struct that starts with `uint32_t struct_size`.
    let size = unsafe { (p as *const u32).read_unaligned() } as usize;
    if !T::KNOWN_SIZES.contains(&size) {
        return Err(Error::InvalidArgument(format!(
            "{}.struct_size is {size}, which this library (libhf_hub {}) does not know: call {}_init, \
             and use the header that matches the library",
            T::NAME,
            env!("CARGO_PKG_VERSION"),
            T::NAME
        )));
    }
    let mut out = T::default();
    // SAFETY: the caller's struct has `size` bytes, a known size <= size_of::<T>(): we copy exactly
    // the fields that version of the struct has, into our own (larger or equal) struct.
    unsafe { std::ptr::copy_nonoverlapping(p as *const u8, &mut out as *mut T as *mut u8, size) };
    Ok(out)
}

/// The body of every `hf_*_options_init_sized` (called through the header's `hf_*_options_init`
/// macro with the caller's `sizeof`): write the defaults of the fields a struct of `size` bytes
/// has, and `struct_size = size`. Never writes past `size` bytes, so a program built with an older,
/// smaller header is safe with a newer library. A size the library does not know gets only its
/// `struct_size` written (when at least 4), so the call using it fails with a clear message.
/// NULL is ignored.
pub(crate) fn init_options<T: Options>(p: *mut T, size: u32) {
    if p.is_null() {
        return;
    }
    let n = size as usize;
    if T::KNOWN_SIZES.contains(&n) {
        let defaults = T::default();
        // SAFETY: the caller's struct has `n` bytes (its own sizeof, documented), and `n` is a
        // known size, so at most size_of::<T>() bytes: both ranges are valid.
        unsafe { std::ptr::copy_nonoverlapping(&defaults as *const T as *const u8, p as *mut u8, n) };
    }
    if n >= std::mem::size_of::<u32>() {
        // SAFETY: as above; every options struct starts with `uint32_t struct_size`.
        unsafe { (p as *mut u32).write_unaligned(size) };
    }
}
