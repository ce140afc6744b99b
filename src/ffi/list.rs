//! List results (libgit2's `git_status_byindex`): a handle owns `Vec`s of transparent entry
//! structs (first field `struct_size`, so they can grow) whose string fields point into a
//! [`Strings`] arena kept in the same handle; exports hand out `_count` and borrowed `_get(i)`
//! through [`count`] and [`get`], and `_json` through [`lazy_json`]. Entries and their strings live
//! as long as the handle.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use super::args::c_string;
use super::handle::Handle;

/// Owns the C strings that entry structs borrow.
#[derive(Default)]
pub(crate) struct Strings(Vec<CString>);

impl Strings {
    /// Keep `c` alive with the arena and return a pointer to it.
    pub(crate) fn keep(&mut self, c: CString) -> *const c_char {
        let p = c.as_ptr();
        self.0.push(c);
        p
    }

    /// [`Strings::keep`] of optional text: NULL for `None`.
    pub(crate) fn keep_opt(&mut self, s: Option<&str>) -> crate::error::Result<*const c_char> {
        Ok(match s {
            Some(s) => self.keep(c_string(s)?),
            None => std::ptr::null(),
        })
    }
}

/// `_count` of one of a handle's entry lists (0 for NULL).
pub(crate) unsafe fn count<H: Handle, T>(h: *const H, list: fn(&H) -> &[T]) -> usize {
    // SAFETY: NULL or a live handle (documented contract).
    unsafe { H::opt_ref(h) }.map_or(0, |h| list(h).len())
}

/// `_get(index)` of one of a handle's entry lists: borrowed, NULL for NULL or out of range.
pub(crate) unsafe fn get<H: Handle, T>(h: *const H, index: usize, list: fn(&H) -> &[T]) -> *const T {
    // SAFETY: NULL or a live handle (documented contract).
    unsafe { H::opt_ref(h) }.and_then(|h| list(h).get(index)).map_or(std::ptr::null(), |e| e as *const T)
}

/// `_json`: `value` serialized once, on first use, kept in `cell`; NULL if it cannot be.
pub(crate) fn lazy_json<T: serde::Serialize>(cell: &OnceLock<Option<CString>>, value: &T) -> *const c_char {
    cell.get_or_init(|| serde_json::to_string(value).ok().and_then(|j| c_string(j).ok()))
        .as_ref()
        .map_or(std::ptr::null(), |c| c.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    struct Entry {
        struct_size: u32,
        name: *const c_char,
    }

    struct Names {
        entries: Vec<Entry>,
        json: OnceLock<Option<CString>>,
        _strings: Strings,
    }

    impl Handle for Names {
        const NAME: &'static str = "names";
    }

    #[test]
    fn borrowed_entries() {
        let mut strings = Strings::default();
        let entries = ["a", "b"]
            .iter()
            .map(|s| Entry {
                struct_size: std::mem::size_of::<Entry>() as u32,
                name: strings.keep(CString::new(*s).unwrap()),
            })
            .collect();
        let names = Names { entries, json: OnceLock::new(), _strings: strings };
        let mut out: *mut Names = std::ptr::null_mut();
        names.into_out(&mut out);
        unsafe {
            assert_eq!(count(out, |n| &n.entries), 2);
            let e = &*get(out, 1, |n| &n.entries);
            assert_eq!(std::ffi::CStr::from_ptr(e.name).to_str().unwrap(), "b");
            assert_eq!(e.struct_size as usize, std::mem::size_of::<Entry>());
            assert!(get(out, 2, |n| &n.entries).is_null());
            assert!(get::<Names, Entry>(std::ptr::null(), 0, |n| &n.entries).is_null());
            assert_eq!(count::<Names, Entry>(std::ptr::null(), |n| &n.entries), 0);
            let j = lazy_json(&(*out).json, &[1, 2]);
            assert_eq!(std::ffi::CStr::from_ptr(j).to_str().unwrap(), "[1,2]");
            assert_eq!(lazy_json(&(*out).json, &[3]), j, "built once");
            Names::free(out);
        }
    }
}
