//! `hf_file_download`, `hf_file_get_metadata`, `hf_cache_try_load`: thin adapters over
//! `Client::download`, `Client::file_metadata` and `Client::try_load_from_cache`.

use std::ffi::{c_char, c_void, CString};

use super::args::{arg_str, c_string, init_options, opt_str, out_ptr, path_c_string, read_options, write_out, Options};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::handle::Handle;
use super::{hf_error, hf_status};
use crate::cache::CacheLookup;
use crate::client::Client;
use crate::download::file::DownloadOptions;
use crate::error::{Error, Result};
use crate::progress::{Phase, Progress};
use crate::repo::{FileRef, RepoType};

/// Repository types, for `hf_download_options.repo_type`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_repo_type {
    /// A model repository (the default).
    HF_REPO_TYPE_MODEL = 0,
    /// A dataset repository.
    HF_REPO_TYPE_DATASET = 1,
    /// A Space.
    HF_REPO_TYPE_SPACE = 2,
}

/// Answers of `hf_cache_try_load`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_cache_result {
    /// The cache cannot tell.
    HF_CACHE_UNKNOWN = 0,
    /// The file is cached; its path was returned.
    HF_CACHE_FOUND = 1,
    /// The cache recorded that the file does not exist at that revision (`.no_exist`).
    HF_CACHE_KNOWN_MISSING = 2,
}

/// A progress report. Borrowed for the duration of the callback only.
#[repr(C)]
pub struct hf_progress {
    /// `sizeof(hf_progress)`.
    pub struct_size: u32,
    /// The repo filename being transferred (UTF-8).
    pub filename: *const c_char,
    /// Bytes of this file written so far.
    pub bytes_done: u64,
    /// Total bytes of this file.
    pub bytes_total: u64,
    /// Files of the call finished so far (downloaded or found in the cache). Check
    /// `struct_size` before reading this and the fields below (added in 0.1).
    pub files_done: u64,
    /// Files the call processes (1 for a single-file call).
    pub files_total: u64,
    /// Bytes of all the call's files done so far.
    pub total_bytes_done: u64,
    /// Bytes of all the call's files.
    pub total_bytes_total: u64,
    /// What `bytes_done` counts: one of `hf_progress_phase` (downloads: `HF_PROGRESS_DOWNLOAD`).
    pub phase: i32,
}

/// What a progress report counts (`hf_progress.phase`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_progress_phase {
    /// Bytes received and written.
    HF_PROGRESS_DOWNLOAD = 0,
    /// Bytes read and hashed (before an upload, or a cache verify).
    HF_PROGRESS_HASH = 1,
    /// Bytes sent to the server.
    HF_PROGRESS_UPLOAD = 2,
}

/// Progress callback. Called on the thread that made the call, at most about ten times a second
/// plus at the start and the end of each file. Return 0 to continue, non-zero to cancel (the call
/// then returns `HF_ERR_CANCELLED`). It must not call `hf_client_free` on the client in use, and
/// must not unwind (throw) into the library.
pub type hf_progress_fn = Option<unsafe extern "C" fn(progress: *const hf_progress, user_data: *mut c_void) -> i32>;

/// Relays core progress reports to a caller's `hf_progress_fn`, keeping the current file name as a
/// C string (rebuilt only when the file changes). Used by every call that takes a callback.
pub(crate) struct ProgressRelay {
    cb: unsafe extern "C" fn(progress: *const hf_progress, user_data: *mut c_void) -> i32,
    user_data: *mut c_void,
    name: Option<(String, CString)>,
}

impl ProgressRelay {
    /// `None` when there is no callback.
    pub(crate) fn new(cb: hf_progress_fn, user_data: *mut c_void) -> Option<ProgressRelay> {
        cb.map(|cb| ProgressRelay { cb, user_data, name: None })
    }

    /// Deliver one report; false when the callback asked to stop.
    pub(crate) fn report(&mut self, pr: &Progress) -> bool {
        if self.name.as_ref().is_none_or(|(n, _)| n != pr.filename) {
            let c = CString::new(pr.filename.replace('\0', "")).unwrap_or_default();
            self.name = Some((pr.filename.to_string(), c));
        }
        let report = hf_progress {
            struct_size: std::mem::size_of::<hf_progress>() as u32,
            filename: self.name.as_ref().map_or(std::ptr::null(), |(_, c)| c.as_ptr()),
            bytes_done: pr.bytes_done,
            bytes_total: pr.bytes_total,
            files_done: pr.files_done,
            files_total: pr.files_total,
            total_bytes_done: pr.total_bytes_done,
            total_bytes_total: pr.total_bytes_total,
            phase: match pr.phase {
                Phase::Download => hf_progress_phase::HF_PROGRESS_DOWNLOAD,
                Phase::Hash => hf_progress_phase::HF_PROGRESS_HASH,
                Phase::Upload => hf_progress_phase::HF_PROGRESS_UPLOAD,
            } as i32,
        };
        // SAFETY: the caller's callback with its own user_data (documented contract).
        unsafe { (self.cb)(&report, self.user_data) == 0 }
    }
}

/// Options of downloads and cache lookups. Fill with `hf_download_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_download_options {
    /// `sizeof(hf_download_options)`, set by `hf_download_options_init`.
    pub struct_size: u32,
    /// One of `hf_repo_type` (default `HF_REPO_TYPE_MODEL`).
    pub repo_type: i32,
    /// Branch, tag, 40-hex commit or `refs/pr/N`. NULL: `"main"`.
    pub revision: *const c_char,
    /// Folder inside the repo, prefixed to the filename. NULL: none.
    pub subfolder: *const c_char,
    /// Download again even when cached.
    pub force_download: bool,
    /// Never use the network: answer from the cache or fail with `HF_ERR_OFFLINE`.
    pub local_files_only: bool,
    /// Verify LFS files against their SHA-256 (default true).
    pub verify: bool,
    /// Progress callback, or NULL.
    pub progress: hf_progress_fn,
    /// Passed to `progress` untouched.
    pub user_data: *mut c_void,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
    /// `hf_file_download` only: write the file as a real file under this folder (created if
    /// needed) instead of the shared cache, with the Python client's bookkeeping in
    /// `<local_dir>/.cache/huggingface/` (fetched again only when it changed on the Hub or was
    /// modified locally; copied from the cache when present there). NULL: the cache. Added in
    /// 0.1; check `HF_HUB_VERSION_NUMBER`.
    pub local_dir: *const c_char,
}

impl Default for hf_download_options {
    fn default() -> Self {
        hf_download_options {
            struct_size: std::mem::size_of::<hf_download_options>() as u32,
            repo_type: hf_repo_type::HF_REPO_TYPE_MODEL as i32,
            revision: std::ptr::null(),
            subfolder: std::ptr::null(),
            force_download: false,
            local_files_only: false,
            verify: true,
            progress: None,
            user_data: std::ptr::null_mut(),
            cancel: std::ptr::null(),
            local_dir: std::ptr::null(),
        }
    }
}

impl Options for hf_download_options {
    const KNOWN_SIZES: &'static [usize] =
        &[std::mem::offset_of!(hf_download_options, local_dir), std::mem::size_of::<hf_download_options>()];
    const NAME: &'static str = "hf_download_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_download_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_download_options_init_sized(options: *mut hf_download_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

pub(crate) fn repo_type(v: i32) -> Result<RepoType> {
    match v {
        0 => Ok(RepoType::Model),
        1 => Ok(RepoType::Dataset),
        2 => Ok(RepoType::Space),
        _ => Err(Error::InvalidArgument(format!("unknown repo_type {v}"))),
    }
}

/// The arguments every per-file call takes: client, repo id, filename, options → the client, the
/// *what* (a [`FileRef`]) and the raw options (for the *how*).
unsafe fn file_args<'a>(
    client: *const hf_client,
    repo_id: *const c_char,
    filename: *const c_char,
    options: *const hf_download_options,
) -> Result<(&'a Client, FileRef, hf_download_options)> {
    // SAFETY: forwarded pointer contracts of the calling function.
    unsafe {
        let client = client_ref(client)?;
        let repo_id = arg_str(repo_id, "repo_id")?;
        let filename = arg_str(filename, "filename")?;
        let raw: hf_download_options = read_options(options)?;
        let mut file = FileRef::new(repo_id, filename).repo_type(repo_type(raw.repo_type)?);
        file.revision = opt_str(raw.revision, "revision")?.map(String::from);
        file.subfolder = opt_str(raw.subfolder, "subfolder")?.map(String::from);
        Ok((client, file, raw))
    }
}

/// Downloads one file into the Hugging Face cache (or finds it there) and writes its path,
/// `<cache>/<type>s--<org>--<name>/snapshots/<commit>/<filename>`, into `*path_out` (free with
/// `hf_string_free`). The layout, locks and files are the ones the Python client uses.
///
/// - `repo_id`: `"name"` or `"org/name"`. `filename`: path inside the repo (`/`-separated).
/// - `options`: NULL for defaults (model repo, `main`, verify on).
/// - A commit-pinned revision whose file is cached makes no request at all. When the Hub cannot
///   be reached or refuses (5xx, 401 on a private repo...), a cached copy is returned.
/// - Nothing is published to the cache unless complete and verified (size; SHA-256 for LFS).
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`,
/// `HF_ERR_ENTRY_NOT_FOUND` (a `.no_exist` marker is written), `HF_ERR_GATED`,
/// `HF_ERR_UNAUTHORIZED`, `HF_ERR_OFFLINE`, `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`,
/// `HF_ERR_CHECKSUM`, `HF_ERR_METADATA`, `HF_ERR_IO`, `HF_ERR_CANCELLED`.
/// Thread safety: safe to call concurrently with the same client, also from several processes.
#[no_mangle]
pub unsafe extern "C" fn hf_file_download(
    client: *const hf_client,
    repo_id: *const c_char,
    filename: *const c_char,
    options: *const hf_download_options,
    path_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, file, raw) = unsafe { file_args(client, repo_id, filename, options) }?;
        out_ptr(path_out, "path_out")?;
        // SAFETY: NULL or a live token for the duration of the call.
        let cancel = unsafe { hf_cancel_token::opt_ref(raw.cancel) }.map(|t| &t.inner);
        let mut relay = ProgressRelay::new(raw.progress, raw.user_data);
        let mut forward = relay.as_mut().map(|r| move |pr: &Progress| r.report(pr));
        let how = DownloadOptions {
            force_download: raw.force_download,
            local_files_only: raw.local_files_only,
            verify: raw.verify,
            progress: forward.as_mut().map(|f| f as &mut dyn FnMut(&Progress) -> bool),
            cancel,
            local_dir: unsafe { opt_str(raw.local_dir, "local_dir") }?.map(std::path::Path::new),
        };
        let path = client.download(&file, how)?;
        write_out(path_out, path_c_string(&path)?.into_raw());
        Ok(())
    })
}

/// Metadata of a remote file (`hf_file_get_metadata`). Free with `hf_file_metadata_free`.
pub struct hf_file_metadata {
    commit: CString,
    etag: CString,
    location: CString,
    size: u64,
    is_lfs: bool,
}

impl Handle for hf_file_metadata {
    const NAME: &'static str = "metadata";
}

/// Asks the Hub for a file's metadata (one HEAD request; nothing is written to disk): the commit
/// the revision resolves to, the ETag (blob name), the size, the download location, LFS or not.
/// `options` supplies `repo_type`, `revision` and `subfolder` (NULL: defaults). On success
/// `*metadata_out` receives an object to free with `hf_file_metadata_free`.
/// Errors: as `hf_file_download`, without the cache fallback. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_file_get_metadata(
    client: *const hf_client,
    repo_id: *const c_char,
    filename: *const c_char,
    options: *const hf_download_options,
    metadata_out: *mut *mut hf_file_metadata,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, file, raw) = unsafe { file_args(client, repo_id, filename, options) }?;
        out_ptr(metadata_out, "metadata_out")?;
        // SAFETY: NULL or a live token for the duration of the call.
        let cancel = unsafe { hf_cancel_token::opt_ref(raw.cancel) }.map(|t| &t.inner);
        let m = client.file_metadata(&file, cancel)?;
        hf_file_metadata {
            commit: c_string(m.commit)?,
            etag: c_string(m.etag)?,
            location: c_string(m.location)?,
            size: m.size,
            is_lfs: m.is_lfs,
        }
        .into_out(metadata_out);
        Ok(())
    })
}

fn meta_field(metadata: *const hf_file_metadata, pick: fn(&hf_file_metadata) -> &CString) -> *const c_char {
    // SAFETY: NULL or a live object from hf_file_get_metadata (documented contract).
    unsafe { hf_file_metadata::opt_ref(metadata) }.map_or(std::ptr::null(), |m| pick(m).as_ptr())
}

/// The 40-hex commit the revision resolved to. Borrowed until `hf_file_metadata_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_file_metadata_commit(metadata: *const hf_file_metadata) -> *const c_char {
    ffi_guard!(std::ptr::null(), { meta_field(metadata, |m| &m.commit) })
}

/// The normalized ETag (git blob sha1, or sha256 for LFS files). Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_file_metadata_etag(metadata: *const hf_file_metadata) -> *const c_char {
    ffi_guard!(std::ptr::null(), { meta_field(metadata, |m| &m.etag) })
}

/// The URL the bytes are downloaded from (a CDN URL for LFS files). Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_file_metadata_location(metadata: *const hf_file_metadata) -> *const c_char {
    ffi_guard!(std::ptr::null(), { meta_field(metadata, |m| &m.location) })
}

/// The file size in bytes (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_file_metadata_size(metadata: *const hf_file_metadata) -> u64 {
    ffi_guard!(0, {
        // SAFETY: NULL or a live object.
        unsafe { hf_file_metadata::opt_ref(metadata) }.map_or(0, |m| m.size)
    })
}

/// Whether the file is stored with LFS (false for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_file_metadata_is_lfs(metadata: *const hf_file_metadata) -> bool {
    ffi_guard!(false, {
        // SAFETY: NULL or a live object.
        unsafe { hf_file_metadata::opt_ref(metadata) }.is_some_and(|m| m.is_lfs)
    })
}

/// Frees file metadata. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_file_metadata_free(metadata: *mut hf_file_metadata) {
    ffi_guard!((), {
        // SAFETY: NULL or an object from hf_file_get_metadata, freed once.
        unsafe { hf_file_metadata::free(metadata) }
    })
}

/// Looks a file up in the cache without any network access (`try_to_load_from_cache`).
/// `options` supplies `repo_type`, `revision` (a branch is resolved through `refs/`) and
/// `subfolder`. `*result_out` receives an `hf_cache_result`; `*path_out` receives the snapshot
/// path when the result is `HF_CACHE_FOUND` (free with `hf_string_free`), else NULL.
/// Errors: `HF_ERR_INVALID_ARGUMENT`. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_try_load(
    client: *const hf_client,
    repo_id: *const c_char,
    filename: *const c_char,
    options: *const hf_download_options,
    result_out: *mut i32,
    path_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, file, _) = unsafe { file_args(client, repo_id, filename, options) }?;
        out_ptr(result_out, "result_out")?;
        out_ptr(path_out, "path_out")?;
        let (code, path) = match client.try_load_from_cache(&file)? {
            CacheLookup::Found(path) => (hf_cache_result::HF_CACHE_FOUND, path_c_string(&path)?.into_raw()),
            CacheLookup::KnownMissing => (hf_cache_result::HF_CACHE_KNOWN_MISSING, std::ptr::null_mut()),
            CacheLookup::Unknown => (hf_cache_result::HF_CACHE_UNKNOWN, std::ptr::null_mut()),
        };
        write_out(result_out, code as i32);
        write_out(path_out, path);
        Ok(())
    })
}
