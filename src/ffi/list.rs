//! List results (libgit2's `git_status_byindex`): an opaque list handle with `_len`, `_get(i)`
//! returning a borrowed, transparent entry struct (first field `struct_size`, so it can grow),
//! `_json` for the full server records, and `_free`. Entries and the strings they point to live
//! as long as the list.

use std::ffi::{c_char, CString};

use super::handle::Handle;

/// A list of entries plus the storage their pointers borrow from.
pub(crate) struct List<E> {
    entries: Vec<E>,
    #[cfg_attr(not(test), allow(dead_code))] // read by the list results of the repository API
    json: Option<CString>,
    _storage: Vec<CString>,
}

impl<E> List<E> {
    /// A list whose entries point into `storage` (kept alive with them) and optional JSON text.
    pub(crate) fn new(entries: Vec<E>, storage: Vec<CString>, json: Option<CString>) -> List<E> {
        List { entries, json, _storage: storage }
    }
}

/// Implemented by the C list types (newtypes over [`List`]).
pub(crate) trait ListHandle: Handle {
    /// The entry struct handed out by `_get`.
    type Entry;
    /// The list.
    fn list(&self) -> &List<Self::Entry>;
}

/// `_len`: 0 for NULL.
pub(crate) unsafe fn len<L: ListHandle>(p: *const L) -> usize {
    // SAFETY: forwarded contract.
    unsafe { L::opt_ref(p) }.map_or(0, |l| l.list().entries.len())
}

/// `_get`: a borrowed entry, NULL for NULL or out of range.
pub(crate) unsafe fn get<L: ListHandle>(p: *const L, index: usize) -> *const L::Entry {
    // SAFETY: forwarded contract.
    unsafe { L::opt_ref(p) }.and_then(|l| l.list().entries.get(index)).map_or(std::ptr::null(), |e| e as *const _)
}

/// `_json`: borrowed JSON text, NULL for NULL or when the list has none.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) unsafe fn json<L: ListHandle>(p: *const L) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { L::opt_ref(p) }.and_then(|l| l.list().json.as_ref()).map_or(std::ptr::null(), |j| j.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    struct Entry {
        struct_size: u32,
        name: *const c_char,
    }

    struct Names(List<Entry>);

    impl Handle for Names {
        const NAME: &'static str = "names";
    }

    impl ListHandle for Names {
        type Entry = Entry;
        fn list(&self) -> &List<Entry> {
            &self.0
        }
    }

    #[test]
    fn borrowed_entries() {
        let storage: Vec<CString> = ["a", "b"].iter().map(|s| CString::new(*s).unwrap()).collect();
        let entries = storage
            .iter()
            .map(|s| Entry { struct_size: std::mem::size_of::<Entry>() as u32, name: s.as_ptr() })
            .collect();
        let names = Names(List::new(entries, storage, Some(CString::new("[1]").unwrap())));
        let mut out: *mut Names = std::ptr::null_mut();
        names.into_out(&mut out);
        unsafe {
            assert_eq!(len(out), 2);
            let e = &*get(out, 1);
            assert_eq!(std::ffi::CStr::from_ptr(e.name).to_str().unwrap(), "b");
            assert_eq!(e.struct_size as usize, std::mem::size_of::<Entry>());
            assert!(get(out, 2).is_null());
            assert!(get::<Names>(std::ptr::null(), 0).is_null());
            assert_eq!(len::<Names>(std::ptr::null()), 0);
            assert_eq!(std::ffi::CStr::from_ptr(json(out)).to_str().unwrap(), "[1]");
            Names::free(out);
        }
    }
}
