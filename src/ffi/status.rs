//! Status codes and the `hf_error` object.

use std::ffi::{c_char, CString};
use std::panic::catch_unwind;

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
}

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

/// Returns static text naming a status code, e.g. `"HF_ERR_GATED: gated repository"`.
///
/// Any value is accepted; unknown codes give `"unknown status"`. Never NULL; do not free.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn hf_status_str(code: i32) -> *const c_char {
    let s: &'static str = match code {
        0 => "HF_OK: success\0",
        1 => "HF_ERR_INVALID_ARGUMENT: invalid argument\0",
        2 => "HF_ERR_REPO_NOT_FOUND: repository not found\0",
        3 => "HF_ERR_REVISION_NOT_FOUND: revision not found\0",
        4 => "HF_ERR_ENTRY_NOT_FOUND: file not found in the repository\0",
        5 => "HF_ERR_GATED: gated repository, access not granted\0",
        6 => "HF_ERR_UNAUTHORIZED: token rejected\0",
        7 => "HF_ERR_FORBIDDEN: permission denied\0",
        8 => "HF_ERR_RATE_LIMITED: rate limited\0",
        9 => "HF_ERR_OFFLINE: offline and not in the local cache\0",
        10 => "HF_ERR_INCOMPLETE_SNAPSHOT: cached snapshot is incomplete\0",
        11 => "HF_ERR_NETWORK: network error\0",
        12 => "HF_ERR_TIMEOUT: timeout\0",
        13 => "HF_ERR_HTTP: HTTP error\0",
        14 => "HF_ERR_CHECKSUM: size or checksum mismatch\0",
        15 => "HF_ERR_IO: file-system error\0",
        16 => "HF_ERR_CANCELLED: cancelled\0",
        17 => "HF_ERR_INTERNAL: internal error\0",
        18 => "HF_ERR_DISABLED: repository disabled\0",
        19 => "HF_ERR_BAD_REQUEST: bad request\0",
        20 => "HF_ERR_METADATA: server sent incomplete file metadata\0",
        21 => "HF_ERR_NO_TOKEN: no token configured\0",
        _ => "unknown status\0",
    };
    s.as_ptr() as *const c_char
}

/// The status code of an error. Returns `HF_ERR_INVALID_ARGUMENT` for NULL.
/// Thread safety: safe to call concurrently on the same error (read-only).
#[no_mangle]
pub unsafe extern "C" fn hf_error_status(error: *const hf_error) -> hf_status {
    // SAFETY: non-NULL pointers come from this library (documented contract).
    match unsafe { error.as_ref() } {
        Some(e) => e.status,
        None => hf_status::HF_ERR_INVALID_ARGUMENT,
    }
}

/// The human-readable message (UTF-8). Borrowed: valid until `hf_error_free`. NULL for NULL.
/// Messages never contain the token.
#[no_mangle]
pub unsafe extern "C" fn hf_error_message(error: *const hf_error) -> *const c_char {
    // SAFETY: as above.
    match unsafe { error.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => std::ptr::null(),
    }
}

/// The HTTP status that caused the error, or 0 when it did not come from an HTTP answer.
#[no_mangle]
pub unsafe extern "C" fn hf_error_http_status(error: *const hf_error) -> i32 {
    // SAFETY: as above.
    unsafe { error.as_ref() }.map_or(0, |e| e.http_status)
}

/// The server's request id (for support requests), or NULL when unknown. Borrowed: valid until
/// `hf_error_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_error_request_id(error: *const hf_error) -> *const c_char {
    // SAFETY: as above.
    match unsafe { error.as_ref() }.and_then(|e| e.request_id.as_ref()) {
        Some(r) => r.as_ptr(),
        None => std::ptr::null(),
    }
}

/// Frees an error. NULL is ignored. Free each error once.
#[no_mangle]
pub unsafe extern "C" fn hf_error_free(error: *mut hf_error) {
    if !error.is_null() {
        // SAFETY: came from Box::into_raw in `boundary`.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(error) }));
    }
}
