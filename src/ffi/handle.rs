//! Handle helpers (rustls-ffi's `Castable`): every opaque object of the ABI is a `Box` handed to
//! C; these helpers box into out-pointers, borrow (NULL-checked) and free, so no export writes
//! those steps by hand.

use crate::error::{Error, Result};

/// An opaque object owned by C through a pointer.
pub(crate) trait Handle: Sized {
    /// The C name, for messages.
    const NAME: &'static str;

    /// Box `self` into a checked out-pointer (ownership goes to the caller).
    fn into_out(self, out: *mut *mut Self) {
        super::args::write_out(out, Box::into_raw(Box::new(self)));
    }

    /// Borrow a required handle argument.
    unsafe fn try_ref<'a>(p: *const Self) -> Result<&'a Self> {
        // SAFETY: NULL or a live handle from this library (documented contract).
        unsafe { p.as_ref() }.ok_or_else(|| Error::InvalidArgument(format!("{} is NULL", Self::NAME)))
    }

    /// Borrow an optional handle (NULL → `None`).
    unsafe fn opt_ref<'a>(p: *const Self) -> Option<&'a Self> {
        // SAFETY: as above.
        unsafe { p.as_ref() }
    }

    /// Free a handle (NULL ignored).
    unsafe fn free(p: *mut Self) {
        if !p.is_null() {
            // SAFETY: came from `into_out` (Box::into_raw) in this library; freed once (contract).
            drop(unsafe { Box::from_raw(p) });
        }
    }
}
