//! `hf_snapshot_download`: a thin adapter over `Client::snapshot_download`. The result is a handle
//! with the snapshot folder, the commit and a list of borrowed file entries.

use std::ffi::{c_char, c_void, CString};
use std::path::Path;

use super::args::{arg_str, c_string, init_options, opt_str, out_ptr, path_c_string, read_options, str_array, Options};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::download::{hf_progress_fn, repo_type, ProgressRelay};
use super::handle::Handle;
use super::list::{count, get, Strings};
use super::{hf_error, hf_status};
use crate::download::snapshot::{Snapshot, SnapshotOptions, SnapshotRef};
use crate::error::Result;
use crate::progress::Progress;

/// Options of `hf_snapshot_download`. Fill with `hf_snapshot_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_snapshot_options {
    /// `sizeof(hf_snapshot_options)`, set by `hf_snapshot_options_init`.
    pub struct_size: u32,
    /// One of `hf_repo_type` (default `HF_REPO_TYPE_MODEL`).
    pub repo_type: i32,
    /// Branch, tag, 40-hex commit or `refs/pr/N`. NULL: `"main"`.
    pub revision: *const c_char,
    /// Keep only the files matching one of these patterns (Python `fnmatch` on the repo path: `*`
    /// also matches `/`; a pattern ending in `/` selects a folder). NULL with a count of 0: all files.
    pub allow_patterns: *const *const c_char,
    /// Number of `allow_patterns`.
    pub allow_pattern_count: usize,
    /// Drop the files matching one of these (wins over `allow_patterns`).
    pub ignore_patterns: *const *const c_char,
    /// Number of `ignore_patterns`.
    pub ignore_pattern_count: usize,
    /// Write real files into this folder (created if needed) instead of the shared cache, with
    /// the Python client's bookkeeping in `<local_dir>/.cache/huggingface/`. NULL: the cache.
    pub local_dir: *const c_char,
    /// Files fetched at once; 0: the default (8).
    pub max_workers: u32,
    /// Download every selected file again even when present.
    pub force_download: bool,
    /// Never use the network: answer from the cache when complete, else `HF_ERR_OFFLINE` /
    /// `HF_ERR_INCOMPLETE_SNAPSHOT`.
    pub local_files_only: bool,
    /// Verify LFS files against their SHA-256 (default true).
    pub verify: bool,
    /// Aggregate progress callback (`files_done`/`files_total`, `total_bytes_done`/
    /// `total_bytes_total`, plus the file that changed last), or NULL.
    pub progress: hf_progress_fn,
    /// Passed to `progress` untouched.
    pub user_data: *mut c_void,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
}

impl Default for hf_snapshot_options {
    fn default() -> Self {
        hf_snapshot_options {
            struct_size: std::mem::size_of::<hf_snapshot_options>() as u32,
            repo_type: 0,
            revision: std::ptr::null(),
            allow_patterns: std::ptr::null(),
            allow_pattern_count: 0,
            ignore_patterns: std::ptr::null(),
            ignore_pattern_count: 0,
            local_dir: std::ptr::null(),
            max_workers: 0,
            force_download: false,
            local_files_only: false,
            verify: true,
            progress: None,
            user_data: std::ptr::null_mut(),
            cancel: std::ptr::null(),
        }
    }
}

impl Options for hf_snapshot_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_snapshot_options>()];
    const NAME: &'static str = "hf_snapshot_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_snapshot_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_options_init_sized(options: *mut hf_snapshot_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// One file of a snapshot (borrowed from its `hf_snapshot`).
#[repr(C)]
pub struct hf_snapshot_file {
    /// `sizeof(hf_snapshot_file)`.
    pub struct_size: u32,
    /// Path in the repo (`/`-separated, UTF-8).
    pub path: *const c_char,
    /// Where the file is on disk (the snapshot symlink in the cache, or the real file in local_dir).
    pub local_path: *const c_char,
    /// Size in bytes.
    pub size: u64,
}

/// The result of `hf_snapshot_download`. Free with `hf_snapshot_free`.
pub struct hf_snapshot {
    path: CString,
    commit: CString,
    files: Vec<hf_snapshot_file>,
    _strings: Strings,
}

impl Handle for hf_snapshot {
    const NAME: &'static str = "snapshot";
}

impl hf_snapshot {
    fn new(s: &Snapshot) -> Result<hf_snapshot> {
        let mut strings = Strings::default();
        let mut files = Vec::with_capacity(s.files.len());
        for f in &s.files {
            files.push(hf_snapshot_file {
                struct_size: std::mem::size_of::<hf_snapshot_file>() as u32,
                path: strings.keep(c_string(f.path.as_str())?),
                local_path: strings.keep(path_c_string(&f.local_path)?),
                size: f.size,
            });
        }
        Ok(hf_snapshot {
            path: path_c_string(&s.path)?,
            commit: c_string(s.commit.as_str())?,
            files,
            _strings: strings,
        })
    }
}

/// Downloads a snapshot: every file of one commit of `repo_id` selected by the patterns, into the
/// Hugging Face cache (`<cache>/<type>s--<org>--<name>/snapshots/<commit>/`, shared with the
/// Python client) or into `options->local_dir`. On success `*snapshot_out` receives a handle to
/// free with `hf_snapshot_free`, giving the folder, the commit and the files.
///
/// - The revision is resolved to a commit once (no request for a 40-hex commit); the file list
///   comes from the cache's `trees/<commit>.json` or the Hub (all pages) and is cached; the
///   selected files are fetched `max_workers` at a time over reused connections, with no per-file
///   HEAD. A file already present costs no request: an up-to-date snapshot by branch name makes
///   one request, by commit none.
/// - local_dir: only files whose content changed (or that were modified locally) are fetched again;
///   no path escapes the folder; the main cache's `refs/` are not written.
/// - Offline (`HF_HUB_OFFLINE`, `local_files_only`) or when the Hub cannot be reached, the cached
///   snapshot is returned only when its cached file list says every selected file is present;
///   otherwise `HF_ERR_INCOMPLETE_SNAPSHOT`, whose message names the missing files.
/// - The first failing file cancels the others. A cancel (callback or token) leaves no partial
///   file published.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`,
/// `HF_ERR_GATED`, `HF_ERR_UNAUTHORIZED`, `HF_ERR_OFFLINE`, `HF_ERR_INCOMPLETE_SNAPSHOT`,
/// `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`, `HF_ERR_METADATA` (an unusable file
/// listing: unsafe or duplicate paths, wrong types), `HF_ERR_CHECKSUM`, `HF_ERR_IO`,
/// `HF_ERR_CANCELLED`. Thread safety: safe concurrently with the same client and across processes.
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_download(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_snapshot_options,
    snapshot_out: *mut *mut hf_snapshot,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let repo_id = unsafe { arg_str(repo_id, "repo_id") }?;
        out_ptr(snapshot_out, "snapshot_out")?;
        let raw: hf_snapshot_options = unsafe { read_options(options) }?;
        let what = SnapshotRef {
            repo_id: repo_id.to_string(),
            repo_type: repo_type(raw.repo_type)?,
            revision: unsafe { opt_str(raw.revision, "revision") }?.map(String::from),
            allow_patterns: unsafe { str_array(raw.allow_patterns, raw.allow_pattern_count, "allow_patterns") }?,
            ignore_patterns: unsafe { str_array(raw.ignore_patterns, raw.ignore_pattern_count, "ignore_patterns") }?,
        };
        let local_dir = unsafe { opt_str(raw.local_dir, "local_dir") }?.map(Path::new);
        // SAFETY: NULL or a live token for the duration of the call.
        let cancel = unsafe { hf_cancel_token::opt_ref(raw.cancel) }.map(|t| &t.inner);
        let mut relay = ProgressRelay::new(raw.progress, raw.user_data);
        let mut forward = relay.as_mut().map(|r| move |pr: &Progress| r.report(pr));
        let how = SnapshotOptions {
            force_download: raw.force_download,
            local_files_only: raw.local_files_only,
            verify: raw.verify,
            max_workers: raw.max_workers as usize,
            local_dir,
            progress: forward.as_mut().map(|f| f as &mut dyn FnMut(&Progress) -> bool),
            cancel,
        };
        let snap = client.snapshot_download(&what, how)?;
        hf_snapshot::new(&snap)?.into_out(snapshot_out);
        Ok(())
    })
}

/// The snapshot folder: `snapshots/<commit>` in the cache, or the real path of the local_dir.
/// Borrowed until `hf_snapshot_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_path(snapshot: *const hf_snapshot) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_snapshot::opt_ref(snapshot) }.map_or(std::ptr::null(), |s| s.path.as_ptr())
    })
}

/// The 40-hex commit of the snapshot. Borrowed until `hf_snapshot_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_commit(snapshot: *const hf_snapshot) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_snapshot::opt_ref(snapshot) }.map_or(std::ptr::null(), |s| s.commit.as_ptr())
    })
}

/// Number of files selected (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_file_count(snapshot: *const hf_snapshot) -> usize {
    ffi_guard!(0, { unsafe { count(snapshot, |s| &s.files) } })
}

/// File `index` (sorted by repo path), or NULL when out of range. Borrowed until `hf_snapshot_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_file_get(snapshot: *const hf_snapshot, index: usize) -> *const hf_snapshot_file {
    ffi_guard!(std::ptr::null(), { unsafe { get(snapshot, index, |s| &s.files) } })
}

/// Frees a snapshot result (the files on disk stay). NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_snapshot_free(snapshot: *mut hf_snapshot) {
    ffi_guard!((), { unsafe { hf_snapshot::free(snapshot) } })
}
