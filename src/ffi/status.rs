//! Status codes and the `hf_error` object. The `hf_status` enum below is THE table of codes:
//! `hf_status_str` takes its text from `hf_status::text` (an exhaustive match, so a new code cannot
//! lack one), the Go constants are `C.HF_ERR_*`, and `tests/status_table.rs` checks the header, the
//! Go and the C++ constants against it.

use std::ffi::{c_char, CString};

use super::handle::Handle;
use crate::error::Error;

/// Result code of every fallible call. `HF_OK` is 0; codes are explicit and never reused.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_status {
    /// Success.
    HF_OK = 0,
    /// A caller-supplied argument is NULL, not UTF-8, or malformed (repo id, filename, revision,
    /// option combination).
    HF_ERR_INVALID_ARGUMENT = 1,
    /// The repository does not exist, or is private and the token cannot see it.
    HF_ERR_REPO_NOT_FOUND = 2,
    /// The revision (branch, tag, commit, `refs/pr/N`) does not exist.
    HF_ERR_REVISION_NOT_FOUND = 3,
    /// The file does not exist at that revision.
    HF_ERR_ENTRY_NOT_FOUND = 4,
    /// The repository is gated and access has not been granted (or no token was sent).
    HF_ERR_GATED = 5,
    /// The token was rejected (HTTP 401).
    HF_ERR_UNAUTHORIZED = 6,
    /// The token lacks a permission (HTTP 403).
    HF_ERR_FORBIDDEN = 7,
    /// The Hub rate-limited the request (HTTP 429).
    HF_ERR_RATE_LIMITED = 8,
    /// Offline mode or local-files-only is on and the file is not in the local cache.
    HF_ERR_OFFLINE = 9,
    /// An offline snapshot lacks some of its files.
    HF_ERR_INCOMPLETE_SNAPSHOT = 10,
    /// The connection failed and nothing usable was cached.
    HF_ERR_NETWORK = 11,
    /// A connect or read timeout expired and nothing usable was cached.
    HF_ERR_TIMEOUT = 12,
    /// Any other HTTP error status (5xx, 416, ...).
    HF_ERR_HTTP = 13,
    /// Downloaded bytes do not match the expected size or SHA-256; nothing was published.
    HF_ERR_CHECKSUM = 14,
    /// A local file-system operation failed.
    HF_ERR_IO = 15,
    /// Cancelled by the progress callback or a cancel token.
    HF_ERR_CANCELLED = 16,
    /// A bug in the library (including a caught panic).
    HF_ERR_INTERNAL = 17,
    /// The repository was disabled by the Hub.
    HF_ERR_DISABLED = 18,
    /// The Hub refused the request as malformed (HTTP 400).
    HF_ERR_BAD_REQUEST = 19,
    /// The server did not send the metadata a Hub must send (commit, ETag, size).
    HF_ERR_METADATA = 20,
    /// A token is required and none is configured.
    HF_ERR_NO_TOKEN = 21,
    /// A commit's parent commit is no longer the head of the branch (someone committed
    /// meanwhile); nothing was committed: refresh and try again.
    HF_ERR_STALE_PARENT = 22,
}

impl hf_status {
    /// Every code, in numeric order.
    pub const ALL: [hf_status; 23] = {
        use hf_status::*;
        [
            HF_OK,
            HF_ERR_INVALID_ARGUMENT,
            HF_ERR_REPO_NOT_FOUND,
            HF_ERR_REVISION_NOT_FOUND,
            HF_ERR_ENTRY_NOT_FOUND,
            HF_ERR_GATED,
            HF_ERR_UNAUTHORIZED,
            HF_ERR_FORBIDDEN,
            HF_ERR_RATE_LIMITED,
            HF_ERR_OFFLINE,
            HF_ERR_INCOMPLETE_SNAPSHOT,
            HF_ERR_NETWORK,
            HF_ERR_TIMEOUT,
            HF_ERR_HTTP,
            HF_ERR_CHECKSUM,
            HF_ERR_IO,
            HF_ERR_CANCELLED,
            HF_ERR_INTERNAL,
            HF_ERR_DISABLED,
            HF_ERR_BAD_REQUEST,
            HF_ERR_METADATA,
            HF_ERR_NO_TOKEN,
            HF_ERR_STALE_PARENT,
        ]
    };

    /// `"<NAME>: <short text>"`, NUL-terminated.
    pub const fn text(self) -> &'static str {
        use hf_status::*;
        match self {
            HF_OK => "HF_OK: success\0",
            HF_ERR_INVALID_ARGUMENT => "HF_ERR_INVALID_ARGUMENT: invalid argument\0",
            HF_ERR_REPO_NOT_FOUND => "HF_ERR_REPO_NOT_FOUND: repository not found\0",
            HF_ERR_REVISION_NOT_FOUND => "HF_ERR_REVISION_NOT_FOUND: revision not found\0",
            HF_ERR_ENTRY_NOT_FOUND => "HF_ERR_ENTRY_NOT_FOUND: file not found in the repository\0",
            HF_ERR_GATED => "HF_ERR_GATED: gated repository, access not granted\0",
            HF_ERR_UNAUTHORIZED => "HF_ERR_UNAUTHORIZED: token rejected\0",
            HF_ERR_FORBIDDEN => "HF_ERR_FORBIDDEN: permission denied\0",
            HF_ERR_RATE_LIMITED => "HF_ERR_RATE_LIMITED: rate limited\0",
            HF_ERR_OFFLINE => "HF_ERR_OFFLINE: offline and not in the local cache\0",
            HF_ERR_INCOMPLETE_SNAPSHOT => "HF_ERR_INCOMPLETE_SNAPSHOT: cached snapshot is incomplete\0",
            HF_ERR_NETWORK => "HF_ERR_NETWORK: network error\0",
            HF_ERR_TIMEOUT => "HF_ERR_TIMEOUT: timeout\0",
            HF_ERR_HTTP => "HF_ERR_HTTP: HTTP error\0",
            HF_ERR_CHECKSUM => "HF_ERR_CHECKSUM: size or checksum mismatch\0",
            HF_ERR_IO => "HF_ERR_IO: file-system error\0",
            HF_ERR_CANCELLED => "HF_ERR_CANCELLED: cancelled\0",
            HF_ERR_INTERNAL => "HF_ERR_INTERNAL: internal error\0",
            HF_ERR_DISABLED => "HF_ERR_DISABLED: repository disabled\0",
            HF_ERR_BAD_REQUEST => "HF_ERR_BAD_REQUEST: bad request\0",
            HF_ERR_METADATA => "HF_ERR_METADATA: server sent incomplete file metadata\0",
            HF_ERR_NO_TOKEN => "HF_ERR_NO_TOKEN: no token configured\0",
            HF_ERR_STALE_PARENT => "HF_ERR_STALE_PARENT: the parent commit is not the branch head any more\0",
        }
    }
}

/// The one place an [`Error`] becomes a status.
pub(crate) fn status_of(e: &Error) -> hf_status {
    use hf_status::*;
    match e {
        Error::InvalidArgument(_) => HF_ERR_INVALID_ARGUMENT,
        Error::RepoNotFound(_) => HF_ERR_REPO_NOT_FOUND,
        Error::RevisionNotFound(_) => HF_ERR_REVISION_NOT_FOUND,
        Error::EntryNotFound(_) => HF_ERR_ENTRY_NOT_FOUND,
        Error::Gated(_) => HF_ERR_GATED,
        Error::Disabled(_) => HF_ERR_DISABLED,
        Error::Unauthorized(_) => HF_ERR_UNAUTHORIZED,
        Error::Forbidden(_) => HF_ERR_FORBIDDEN,
        Error::RateLimited(_) => HF_ERR_RATE_LIMITED,
        Error::BadRequest(_) => HF_ERR_BAD_REQUEST,
        Error::StaleParent(_) => HF_ERR_STALE_PARENT,
        Error::Http(_) => HF_ERR_HTTP,
        Error::Offline(_) => HF_ERR_OFFLINE,
        Error::IncompleteSnapshot(_) => HF_ERR_INCOMPLETE_SNAPSHOT,
        Error::NoToken(_) => HF_ERR_NO_TOKEN,
        Error::Network(_) => HF_ERR_NETWORK,
        Error::Timeout(_) => HF_ERR_TIMEOUT,
        Error::Metadata(_) => HF_ERR_METADATA,
        Error::Checksum(_) => HF_ERR_CHECKSUM,
        Error::Io { .. } => HF_ERR_IO,
        Error::Cancelled => HF_ERR_CANCELLED,
        Error::Internal(_) => HF_ERR_INTERNAL,
    }
}

/// Details of a failed call: status, message, HTTP status and the server's request id.
/// Owned by the caller; free with `hf_error_free`.
pub struct hf_error {
    status: hf_status,
    message: CString,
    http_status: i32,
    request_id: Option<CString>,
}

impl Handle for hf_error {
    const NAME: &'static str = "error";
}

impl hf_error {
    pub(crate) fn from_error(status: hf_status, e: &Error) -> hf_error {
        let clean = |s: String| CString::new(s.replace('\0', " ")).unwrap_or_default();
        hf_error {
            status,
            message: clean(e.to_string()),
            http_status: i32::from(e.http_status()),
            request_id: e.request_id().map(|r| clean(r.to_string())),
        }
    }
}

/// Returns static text naming a status code, for example `"HF_ERR_GATED: gated repository"`.
///
/// Any value is accepted; unknown codes give `"unknown status"`. Never NULL; do not free.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn hf_status_str(code: i32) -> *const c_char {
    ffi_guard!(c"unknown status".as_ptr(), {
        let text = hf_status::ALL.iter().find(|s| **s as i32 == code).map_or("unknown status\0", |s| s.text());
        text.as_ptr() as *const c_char
    })
}

/// The status code of an error. Returns `HF_ERR_INVALID_ARGUMENT` for NULL.
/// Thread safety: safe to call concurrently on the same error (read-only).
#[no_mangle]
pub unsafe extern "C" fn hf_error_status(error: *const hf_error) -> hf_status {
    ffi_guard!(hf_status::HF_ERR_INVALID_ARGUMENT, {
        // SAFETY: NULL or a live error (documented contract).
        unsafe { hf_error::opt_ref(error) }.map_or(hf_status::HF_ERR_INVALID_ARGUMENT, |e| e.status)
    })
}

/// The human-readable message (UTF-8). Borrowed: valid until `hf_error_free`. NULL for NULL.
/// Messages never contain the token.
#[no_mangle]
pub unsafe extern "C" fn hf_error_message(error: *const hf_error) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // SAFETY: as above.
        unsafe { hf_error::opt_ref(error) }.map_or(std::ptr::null(), |e| e.message.as_ptr())
    })
}

/// The HTTP status that caused the error, or 0 when it did not come from an HTTP answer.
#[no_mangle]
pub unsafe extern "C" fn hf_error_http_status(error: *const hf_error) -> i32 {
    ffi_guard!(0, {
        // SAFETY: as above.
        unsafe { hf_error::opt_ref(error) }.map_or(0, |e| e.http_status)
    })
}

/// The server's request id (for support requests), or NULL when unknown. Borrowed: valid until
/// `hf_error_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_error_request_id(error: *const hf_error) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // SAFETY: as above.
        unsafe { hf_error::opt_ref(error) }.and_then(|e| e.request_id.as_ref()).map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// Frees an error. NULL is ignored. Free each error once.
#[no_mangle]
pub unsafe extern "C" fn hf_error_free(error: *mut hf_error) {
    ffi_guard!((), {
        // SAFETY: NULL or an error from this library, freed once (documented contract).
        unsafe { hf_error::free(error) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_complete_and_ordered() {
        for (i, s) in hf_status::ALL.iter().enumerate() {
            assert_eq!(*s as i32, i as i32, "codes are dense and in order");
            let name = format!("{s:?}");
            assert!(s.text().starts_with(&format!("{name}: ")), "{name}");
            assert!(s.text().ends_with('\0'));
        }
        let t = |c| unsafe { std::ffi::CStr::from_ptr(hf_status_str(c)) }.to_str().unwrap().to_string();
        assert_eq!(t(5), "HF_ERR_GATED: gated repository, access not granted");
        assert_eq!(t(23), "unknown status");
        assert_eq!(t(-1), "unknown status");
    }
}
