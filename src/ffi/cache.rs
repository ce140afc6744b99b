//! Cache management: `hf_cache_scan`, deletion / prune / eviction plans and their execution,
//! `hf_cache_verify`. Thin adapters over `cache::{scan, manage, verify}`. Results are handles
//! whose entries are borrowed, transparent structs (`struct_size` first) plus a `_json` accessor.

use std::ffi::{c_char, c_void, CString};
use std::sync::OnceLock;

use super::args::{c_string, opt_str, out_ptr, path_c_string, read_options, str_array, write_out, Options};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::download::{hf_progress_fn, ProgressRelay};
use super::handle::Handle;
use super::list::{count, get, lazy_json, Strings};
use super::{hf_error, hf_status};
use crate::cache::{CacheInfo, CachePlan, PlanKind, VerifyReport};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::repo::RepoType;

/// One cached repository (borrowed from its `hf_cache_info`).
#[repr(C)]
pub struct hf_cached_repo {
    /// `sizeof(hf_cached_repo)`: fields may be added at the end.
    pub struct_size: u32,
    /// One of `hf_repo_type`.
    pub repo_type: i32,
    /// `org/name`.
    pub repo_id: *const c_char,
    /// The repo folder, `<cache>/<type>s--org--name`.
    pub path: *const c_char,
    /// Bytes of its distinct blobs (each blob counted once).
    pub size_on_disk: u64,
    /// Number of distinct blobs.
    pub nb_files: u64,
    /// Newest access time of its blobs (seconds since the epoch).
    pub last_accessed: f64,
    /// Newest modification time of its blobs (seconds since the epoch).
    pub last_modified: f64,
    /// Number of its revisions (see `hf_cache_info_revision`).
    pub revision_count: usize,
}

/// One cached revision (borrowed from its `hf_cache_info`).
#[repr(C)]
pub struct hf_cached_revision {
    /// `sizeof(hf_cached_revision)`: fields may be added at the end.
    pub struct_size: u32,
    /// Index of its repo (`hf_cache_info_repo`).
    pub repo_index: usize,
    /// The 40-hex commit (the snapshot folder's name).
    pub commit: *const c_char,
    /// The snapshot folder.
    pub path: *const c_char,
    /// Names of the refs pointing at it, comma-separated (`"main,v1.0"`); `""` when detached.
    pub refs: *const c_char,
    /// Bytes of the distinct blobs its files use.
    pub size_on_disk: u64,
    /// Number of files in the snapshot.
    pub nb_files: u64,
    /// Newest modification time of its blobs (seconds since the epoch).
    pub last_modified: f64,
    /// Newest access time of its blobs (seconds since the epoch): the eviction order.
    pub last_accessed: f64,
}

/// One file of a cached revision (borrowed from its `hf_cache_info`).
#[repr(C)]
pub struct hf_cached_file {
    /// `sizeof(hf_cached_file)`: fields may be added at the end.
    pub struct_size: u32,
    /// Index of its revision (`hf_cache_info_revision`).
    pub revision_index: usize,
    /// Path inside the repo (`/`-separated), relative to the snapshot folder.
    pub path: *const c_char,
    /// The pointer in the snapshot folder.
    pub file_path: *const c_char,
    /// The blob it resolves to.
    pub blob_path: *const c_char,
    /// Size of the blob in bytes.
    pub size_on_disk: u64,
    /// Last access of the blob (seconds since the epoch).
    pub blob_last_accessed: f64,
    /// Last modification of the blob (seconds since the epoch).
    pub blob_last_modified: f64,
}

/// An incomplete download found by the scan: a file in `blobs/` whose name ends in `.incomplete`
/// (our `<etag>.part.incomplete` and its resume journal `<etag>.journal.incomplete`, or another
/// client's), or a llama.cpp `*.downloadInProgress` temporary file (in `blobs/`, or in a snapshot
/// folder).
#[repr(C)]
pub struct hf_cache_incomplete {
    /// `sizeof(hf_cache_incomplete)`.
    pub struct_size: u32,
    /// The file.
    pub path: *const c_char,
    /// Its size in bytes.
    pub size: u64,
}

/// The result of `hf_cache_scan`. Free with `hf_cache_info_free`.
pub struct hf_cache_info {
    info: CacheInfo,
    repos: Vec<hf_cached_repo>,
    revisions: Vec<hf_cached_revision>,
    files: Vec<hf_cached_file>,
    incomplete: Vec<hf_cache_incomplete>,
    warnings: Vec<CString>,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_cache_info {
    const NAME: &'static str = "info";
}

fn repo_type_code(t: RepoType) -> i32 {
    match t {
        RepoType::Model => 0,
        RepoType::Dataset => 1,
        RepoType::Space => 2,
    }
}

impl hf_cache_info {
    fn new(info: CacheInfo) -> Result<hf_cache_info> {
        let mut strings = Strings::default();
        let mut keep = |c: CString| strings.keep(c);
        let mut repos = Vec::new();
        let mut revisions = Vec::new();
        let mut files = Vec::new();
        for (i, r) in info.repos.iter().enumerate() {
            repos.push(hf_cached_repo {
                struct_size: std::mem::size_of::<hf_cached_repo>() as u32,
                repo_type: repo_type_code(r.repo_type),
                repo_id: keep(c_string(r.repo_id.as_str())?),
                path: keep(path_c_string(&r.repo_path)?),
                size_on_disk: r.size_on_disk,
                nb_files: r.nb_files,
                last_accessed: r.last_accessed,
                last_modified: r.last_modified,
                revision_count: r.revisions.len(),
            });
            for rev in &r.revisions {
                for f in &rev.files {
                    files.push(hf_cached_file {
                        struct_size: std::mem::size_of::<hf_cached_file>() as u32,
                        revision_index: revisions.len(),
                        path: keep(c_string(f.path.as_str())?),
                        file_path: keep(path_c_string(&f.file_path)?),
                        blob_path: keep(path_c_string(&f.blob_path)?),
                        size_on_disk: f.size_on_disk,
                        blob_last_accessed: f.blob_last_accessed,
                        blob_last_modified: f.blob_last_modified,
                    });
                }
                revisions.push(hf_cached_revision {
                    struct_size: std::mem::size_of::<hf_cached_revision>() as u32,
                    repo_index: i,
                    commit: keep(c_string(rev.commit_hash.as_str())?),
                    path: keep(path_c_string(&rev.snapshot_path)?),
                    refs: keep(c_string(rev.refs.join(","))?),
                    size_on_disk: rev.size_on_disk,
                    nb_files: rev.files.len() as u64,
                    last_modified: rev.last_modified,
                    last_accessed: rev.last_accessed,
                });
            }
        }
        let mut incomplete = Vec::new();
        for f in &info.incomplete {
            incomplete.push(hf_cache_incomplete {
                struct_size: std::mem::size_of::<hf_cache_incomplete>() as u32,
                path: keep(path_c_string(&f.path)?),
                size: f.size,
            });
        }
        let warnings = info.warnings.iter().map(|w| c_string(w.as_str())).collect::<Result<_>>()?;
        Ok(hf_cache_info {
            info,
            repos,
            revisions,
            files,
            incomplete,
            warnings,
            json: OnceLock::new(),
            _strings: strings,
        })
    }
}

/// Scans the client's hub cache (the rules of the official client's `scan_cache_dir`): repos,
/// their revisions and files, sizes (each blob counted once), times, refs, incomplete downloads.
/// A corrupted entry is reported as a warning (`hf_cache_info_warning`) and left out; it never
/// fails the scan. On success `*info_out` receives a handle to free with `hf_cache_info_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL argument; the cache path is not a folder), `HF_ERR_IO`
/// (the cache folder is missing or unreadable). Thread safety: safe concurrently, also while
/// downloads run (a file published meanwhile may or may not be seen).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_scan(
    client: *const hf_client,
    info_out: *mut *mut hf_cache_info,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        out_ptr(info_out, "info_out")?;
        hf_cache_info::new(client.cache_scan()?)?.into_out(info_out);
        Ok(())
    })
}

/// Bytes on disk of all scanned repos (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_size_on_disk(info: *const hf_cache_info) -> u64 {
    ffi_guard!(0, { unsafe { hf_cache_info::opt_ref(info) }.map_or(0, |i| i.info.size_on_disk) })
}

/// Number of repos (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_repo_count(info: *const hf_cache_info) -> usize {
    ffi_guard!(0, { unsafe { count(info, |i| &i.repos) } })
}

/// Repo `index` (sorted by type, then id), or NULL when out of range. Borrowed until
/// `hf_cache_info_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_repo(info: *const hf_cache_info, index: usize) -> *const hf_cached_repo {
    ffi_guard!(std::ptr::null(), { unsafe { get(info, index, |i| &i.repos) } })
}

/// Number of revisions of all repos (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_revision_count(info: *const hf_cache_info) -> usize {
    ffi_guard!(0, { unsafe { count(info, |i| &i.revisions) } })
}

/// Revision `index` of all repos (grouped by repo, sorted by commit; `repo_index` names its
/// repo), or NULL when out of range. Borrowed until `hf_cache_info_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_revision(info: *const hf_cache_info, index: usize) -> *const hf_cached_revision {
    ffi_guard!(std::ptr::null(), { unsafe { get(info, index, |i| &i.revisions) } })
}

/// Number of files of all revisions (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_file_count(info: *const hf_cache_info) -> usize {
    ffi_guard!(0, { unsafe { count(info, |i| &i.files) } })
}

/// File `index` of all revisions (grouped by revision, sorted by path; `revision_index` names its
/// revision), or NULL when out of range. Borrowed until `hf_cache_info_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_file(info: *const hf_cache_info, index: usize) -> *const hf_cached_file {
    ffi_guard!(std::ptr::null(), { unsafe { get(info, index, |i| &i.files) } })
}

/// Number of incomplete downloads found (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_incomplete_count(info: *const hf_cache_info) -> usize {
    ffi_guard!(0, { unsafe { count(info, |i| &i.incomplete) } })
}

/// Incomplete download `index`, or NULL when out of range. Borrowed until `hf_cache_info_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_incomplete(
    info: *const hf_cache_info,
    index: usize,
) -> *const hf_cache_incomplete {
    ffi_guard!(std::ptr::null(), { unsafe { get(info, index, |i| &i.incomplete) } })
}

/// Number of warnings (corrupted entries left out of the scan; 0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_warning_count(info: *const hf_cache_info) -> usize {
    ffi_guard!(0, { unsafe { count(info, |i| &i.warnings) } })
}

/// Warning `index` (UTF-8 text naming the path and the problem), or NULL. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_warning(info: *const hf_cache_info, index: usize) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_cache_info::opt_ref(info) }
            .and_then(|i| i.warnings.get(index))
            .map_or(std::ptr::null(), |w| w.as_ptr())
    })
}

/// The whole scan as JSON (repos with revisions and files, incomplete files, warnings), built on
/// the first call. Borrowed until `hf_cache_info_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_json(info: *const hf_cache_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_cache_info::opt_ref(info) }.map_or(std::ptr::null(), |i| lazy_json(&i.json, &i.info))
    })
}

/// Frees a scan. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_info_free(info: *mut hf_cache_info) {
    ffi_guard!((), { unsafe { hf_cache_info::free(info) } })
}

/// What a plan entry removes (`hf_cache_plan_entry.kind`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_cache_plan_kind {
    /// A whole repo folder.
    HF_CACHE_PLAN_REPO = 0,
    /// A snapshot folder (one revision).
    HF_CACHE_PLAN_SNAPSHOT = 1,
    /// A `refs/<name>` file.
    HF_CACHE_PLAN_REF = 2,
    /// A snapshot pointer (verify: the pointer of a bad blob).
    HF_CACHE_PLAN_POINTER = 3,
    /// A blob.
    HF_CACHE_PLAN_BLOB = 4,
    /// An incomplete download.
    HF_CACHE_PLAN_INCOMPLETE = 5,
}

/// One path a plan removes (borrowed from its `hf_cache_plan`).
#[repr(C)]
pub struct hf_cache_plan_entry {
    /// `sizeof(hf_cache_plan_entry)`.
    pub struct_size: u32,
    /// One of `hf_cache_plan_kind`.
    pub kind: i32,
    /// The path removed.
    pub path: *const c_char,
}

/// A deletion, prune or eviction plan: inspect it, then `hf_cache_plan_execute` it. Free with
/// `hf_cache_plan_free`.
pub struct hf_cache_plan {
    plan: CachePlan,
    entries: Vec<hf_cache_plan_entry>,
    warnings: Vec<CString>,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_cache_plan {
    const NAME: &'static str = "plan";
}

fn kind_code(k: PlanKind) -> i32 {
    (match k {
        PlanKind::Repo => hf_cache_plan_kind::HF_CACHE_PLAN_REPO,
        PlanKind::Snapshot => hf_cache_plan_kind::HF_CACHE_PLAN_SNAPSHOT,
        PlanKind::Ref => hf_cache_plan_kind::HF_CACHE_PLAN_REF,
        PlanKind::Pointer => hf_cache_plan_kind::HF_CACHE_PLAN_POINTER,
        PlanKind::Blob => hf_cache_plan_kind::HF_CACHE_PLAN_BLOB,
        PlanKind::Incomplete => hf_cache_plan_kind::HF_CACHE_PLAN_INCOMPLETE,
    }) as i32
}

impl hf_cache_plan {
    fn new(plan: CachePlan) -> Result<hf_cache_plan> {
        let mut strings = Strings::default();
        let mut entries = Vec::new();
        for e in &plan.entries {
            entries.push(hf_cache_plan_entry {
                struct_size: std::mem::size_of::<hf_cache_plan_entry>() as u32,
                kind: kind_code(e.kind),
                path: strings.keep(path_c_string(&e.path)?),
            });
        }
        let warnings = plan.warnings.iter().map(|w| c_string(w.as_str())).collect::<Result<_>>()?;
        Ok(hf_cache_plan { plan, entries, warnings, json: OnceLock::new(), _strings: strings })
    }
}

fn write_plan(plan: CachePlan, out: *mut *mut hf_cache_plan) -> Result<()> {
    hf_cache_plan::new(plan)?.into_out(out);
    Ok(())
}

/// Plans the deletion of revisions (the rules of the official client's `delete_revisions`): a
/// repo whose every revision is listed goes whole; otherwise each listed revision's snapshot
/// folder and refs go, and each blob no remaining revision of its repo uses. `commits` holds
/// `commit_count` 40-hex commits; unknown ones become plan warnings. Nothing is deleted yet.
/// On success `*plan_out` receives a plan to free with `hf_cache_plan_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL `info`, `plan_out`, or `commits` with a non-zero
/// count; a NULL or non-UTF-8 commit). Thread safety: reads `info` only.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_delete(
    info: *const hf_cache_info,
    commits: *const *const c_char,
    commit_count: usize,
    plan_out: *mut *mut hf_cache_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let info = unsafe { hf_cache_info::try_ref(info) }?;
        out_ptr(plan_out, "plan_out")?;
        // SAFETY: `commit_count` readable pointers (documented).
        let owned = unsafe { str_array(commits, commit_count, "commits") }?;
        let list: Vec<&str> = owned.iter().map(String::as_str).collect();
        write_plan(info.info.plan_delete(&list), plan_out)
    })
}

/// Plans what `hf cache prune` removes: every detached revision (no ref points to it) and every
/// incomplete download. Nothing is deleted yet. Errors: `HF_ERR_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_prune(
    info: *const hf_cache_info,
    plan_out: *mut *mut hf_cache_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let info = unsafe { hf_cache_info::try_ref(info) }?;
        out_ptr(plan_out, "plan_out")?;
        write_plan(info.info.plan_prune(), plan_out)
    })
}

/// Plans an eviction down to at most `max_bytes` on disk: the least recently used revisions first
/// (the newest access time of their blobs, as the scan reports it), each removed with the rules of
/// `hf_cache_plan_delete`. Nothing is deleted yet. Errors: `HF_ERR_INVALID_ARGUMENT`.
///
/// Recency is the file system's access time, not a record of this library's own: the Python client
/// and llama.cpp read the same cache without writing to any record, but their reads update access
/// times. With the common `relatime` mount option an access time moves at most once a day (and
/// never under `noatime`), so recency is day-grained there.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_evict(
    info: *const hf_cache_info,
    max_bytes: u64,
    plan_out: *mut *mut hf_cache_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let info = unsafe { hf_cache_info::try_ref(info) }?;
        out_ptr(plan_out, "plan_out")?;
        write_plan(info.info.plan_evict(max_bytes), plan_out)
    })
}

/// Bytes the plan frees when executed whole (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_freed_bytes(plan: *const hf_cache_plan) -> u64 {
    ffi_guard!(0, { unsafe { hf_cache_plan::opt_ref(plan) }.map_or(0, |p| p.plan.expected_freed) })
}

/// Number of paths the plan removes (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_entry_count(plan: *const hf_cache_plan) -> usize {
    ffi_guard!(0, { unsafe { count(plan, |p| &p.entries) } })
}

/// Entry `index`, in execution order, or NULL when out of range. Borrowed until
/// `hf_cache_plan_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_entry_get(
    plan: *const hf_cache_plan,
    index: usize,
) -> *const hf_cache_plan_entry {
    ffi_guard!(std::ptr::null(), { unsafe { get(plan, index, |p| &p.entries) } })
}

/// Number of plan warnings (revisions asked for that the cache does not hold; 0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_warning_count(plan: *const hf_cache_plan) -> usize {
    ffi_guard!(0, { unsafe { count(plan, |p| &p.warnings) } })
}

/// Plan warning `index`, or NULL. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_warning(plan: *const hf_cache_plan, index: usize) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_cache_plan::opt_ref(plan) }
            .and_then(|p| p.warnings.get(index))
            .map_or(std::ptr::null(), |w| w.as_ptr())
    })
}

/// The plan as JSON (entries with kind and path, freed bytes, warnings), built on the first call.
/// Borrowed until `hf_cache_plan_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_json(plan: *const hf_cache_plan) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_cache_plan::opt_ref(plan) }.map_or(std::ptr::null(), |p| lazy_json(&p.json, &p.plan))
    })
}

/// Executes a plan in its order (repos, snapshots, refs, pointers, blobs, incomplete files). Each
/// removal first takes, without waiting, the `.locks/` lock a download of that blob would hold:
/// what a download holds is skipped, never deleted under it. So is what downloads changed since the
/// plan's scan: a blob a snapshot links to again, a repo that gained a revision, a pruned revision
/// that got a ref. A path already gone or that cannot be removed is a warning; execution never
/// stops half-way. `deleted_out` / `skipped_out` (each
/// nullable) receive the counts; `report_json_out` (nullable) receives the full report as JSON
/// (free with `hf_string_free`).
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL plan). Thread safety: safe alongside downloads and other
/// processes using the cache.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_execute(
    plan: *const hf_cache_plan,
    deleted_out: *mut u64,
    skipped_out: *mut u64,
    report_json_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let plan = unsafe { hf_cache_plan::try_ref(plan) }?;
        let report = crate::cache::execute(&plan.plan);
        let json = c_string(serde_json::to_string(&report).map_err(|e| Error::Internal(e.to_string()))?)?;
        if !deleted_out.is_null() {
            write_out(deleted_out, report.deleted.len() as u64);
        }
        if !skipped_out.is_null() {
            write_out(skipped_out, report.skipped.len() as u64);
        }
        if !report_json_out.is_null() {
            write_out(report_json_out, json.into_raw());
        }
        Ok(())
    })
}

/// Frees a plan. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_plan_free(plan: *mut hf_cache_plan) {
    ffi_guard!((), { unsafe { hf_cache_plan::free(plan) } })
}

/// Options of `hf_cache_verify`. Fill with `hf_cache_verify_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_cache_verify_options {
    /// `sizeof(hf_cache_verify_options)`, set by `hf_cache_verify_options_init`.
    pub struct_size: u32,
    /// Verify only this repo id (`org/name`); NULL: every scanned repo.
    pub repo_id: *const c_char,
    /// Progress callback (bytes hashed per blob, the blob's name as `filename`), or NULL.
    pub progress: hf_progress_fn,
    /// Passed to `progress` untouched.
    pub user_data: *mut c_void,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
}

impl Default for hf_cache_verify_options {
    fn default() -> Self {
        hf_cache_verify_options {
            struct_size: std::mem::size_of::<hf_cache_verify_options>() as u32,
            repo_id: std::ptr::null(),
            progress: None,
            user_data: std::ptr::null_mut(),
            cancel: std::ptr::null(),
        }
    }
}

impl Options for hf_cache_verify_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_cache_verify_options>()];
    const NAME: &'static str = "hf_cache_verify_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_cache_verify_options_init(options)`, which passes
/// `sizeof(*options)`: a program built with an older header (a smaller struct) is then safe with a
/// newer library. NULL is ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_options_init_sized(options: *mut hf_cache_verify_options, struct_size: u32) {
    ffi_guard!((), { super::args::init_options(options, struct_size) })
}

/// A blob whose content does not match its name (borrowed from its `hf_cache_verify_report`).
#[repr(C)]
pub struct hf_cache_mismatch {
    /// `sizeof(hf_cache_mismatch)`.
    pub struct_size: u32,
    /// The blob.
    pub blob_path: *const c_char,
    /// The digest its name promises (SHA-256 for LFS blobs, git blob SHA-1 for regular files).
    pub expected: *const c_char,
    /// The digest of its content.
    pub actual: *const c_char,
    /// How many snapshot pointers resolve to it.
    pub pointer_count: usize,
}

/// The result of `hf_cache_verify`. Free with `hf_cache_verify_report_free`.
pub struct hf_cache_verify_report {
    report: VerifyReport,
    cache_dir: std::path::PathBuf,
    mismatches: Vec<hf_cache_mismatch>,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_cache_verify_report {
    const NAME: &'static str = "report";
}

/// Re-hashes the blobs of a scan (of one repo when `options->repo_id` is set) against their names:
/// SHA-256 for LFS blobs, git blob SHA-1 for regular files. Hashing runs off the calling thread;
/// progress is reported on it. Files not named after a digest (copies made where symlinks are
/// disabled) are listed as unchecked in the JSON. On success `*report_out` receives a report to
/// free with `hf_cache_verify_report_free`; `hf_cache_verify_report_plan_delete` turns its mismatches into
/// a plan.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_CANCELLED`. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify(
    client: *const hf_client,
    info: *const hf_cache_info,
    options: *const hf_cache_verify_options,
    report_out: *mut *mut hf_cache_verify_report,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let info = unsafe { hf_cache_info::try_ref(info) }?;
        out_ptr(report_out, "report_out")?;
        let o: hf_cache_verify_options = unsafe { read_options(options) }?;
        let repo_id = unsafe { opt_str(o.repo_id, "repo_id") }?;
        let cancel = unsafe { hf_cancel_token::opt_ref(o.cancel) }.map(|t| &t.inner);
        let mut relay = ProgressRelay::new(o.progress, o.user_data);
        let mut forward = relay.as_mut().map(|r| move |pr: &Progress| r.report(pr));
        let progress = forward.as_mut().map(|f| f as &mut dyn FnMut(&Progress) -> bool);
        let report = client.cache_verify(&info.info, repo_id, progress, cancel)?;
        let mut strings = Strings::default();
        let mut mismatches = Vec::new();
        for m in &report.mismatches {
            mismatches.push(hf_cache_mismatch {
                struct_size: std::mem::size_of::<hf_cache_mismatch>() as u32,
                blob_path: strings.keep(path_c_string(&m.blob_path)?),
                expected: strings.keep(c_string(m.expected.as_str())?),
                actual: strings.keep(c_string(m.actual.as_str())?),
                pointer_count: m.pointers.len(),
            });
        }
        let cache_dir = info.info.cache_dir.clone();
        hf_cache_verify_report { report, cache_dir, mismatches, json: OnceLock::new(), _strings: strings }
            .into_out(report_out);
        Ok(())
    })
}

/// Blobs hashed (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_files_checked(report: *const hf_cache_verify_report) -> u64 {
    ffi_guard!(0, { unsafe { hf_cache_verify_report::opt_ref(report) }.map_or(0, |r| r.report.files_checked) })
}

/// Bytes hashed (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_bytes_checked(report: *const hf_cache_verify_report) -> u64 {
    ffi_guard!(0, { unsafe { hf_cache_verify_report::opt_ref(report) }.map_or(0, |r| r.report.bytes_checked) })
}

/// Number of mismatched blobs (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_mismatch_count(report: *const hf_cache_verify_report) -> usize {
    ffi_guard!(0, { unsafe { count(report, |r| &r.mismatches) } })
}

/// Mismatch `index`, or NULL when out of range. Borrowed until `hf_cache_verify_report_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_mismatch(
    report: *const hf_cache_verify_report,
    index: usize,
) -> *const hf_cache_mismatch {
    ffi_guard!(std::ptr::null(), { unsafe { get(report, index, |r| &r.mismatches) } })
}

/// The report as JSON (counts, mismatches with their pointers, unchecked files), built on the
/// first call. Borrowed until `hf_cache_verify_report_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_json(report: *const hf_cache_verify_report) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_cache_verify_report::opt_ref(report) }.map_or(std::ptr::null(), |r| lazy_json(&r.json, &r.report))
    })
}

/// Plans the removal of every mismatched blob and of the snapshot pointers to it (a later download
/// fetches the file again). Nothing is deleted yet. Errors: `HF_ERR_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_plan_delete(
    report: *const hf_cache_verify_report,
    plan_out: *mut *mut hf_cache_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let r = unsafe { hf_cache_verify_report::try_ref(report) }?;
        out_ptr(plan_out, "plan_out")?;
        write_plan(r.report.plan_delete_mismatches(&r.cache_dir), plan_out)
    })
}

/// Frees a verify report. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_cache_verify_report_free(report: *mut hf_cache_verify_report) {
    ffi_guard!((), { unsafe { hf_cache_verify_report::free(report) } })
}
