//! Uploads: the commit builder (`hf_commit_*`), `hf_commit_push`, `hf_upload_file`,
//! `hf_upload_folder` and the `hf_commit_info` result — thin adapters over `Client::create_commit`,
//! `Client::upload_file` and `Client::upload_folder`.

use std::ffi::{c_char, c_void, CString};
use std::path::PathBuf;

use super::args::{arg_str, c_string, init_options, opt_str, out_ptr, read_options, Options};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::download::{hf_progress_fn, repo_type, ProgressRelay};
use super::handle::Handle;
use super::{hf_error, hf_status};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::upload::{CommitInfo, CommitOperation, CommitSpec, FolderSpec, UploadOptions};

/// A commit being built: an ordered list of operations (`hf_commit_new`). Free with
/// `hf_commit_free`. Not safe to modify from several threads at once; pushing it only reads it.
pub struct hf_commit {
    ops: Vec<CommitOperation>,
}

impl Handle for hf_commit {
    const NAME: &'static str = "commit";
}

/// Creates an empty commit builder into `*commit_out` (free with `hf_commit_free`).
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL `commit_out`). Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_new(commit_out: *mut *mut hf_commit, error_out: *mut *mut hf_error) -> hf_status {
    ffi_call!(error_out, {
        out_ptr(commit_out, "commit_out")?;
        hf_commit { ops: Vec::new() }.into_out(commit_out);
        Ok(())
    })
}

/// Frees a commit builder. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_free(commit: *mut hf_commit) {
    ffi_guard!((), {
        // SAFETY: NULL or a builder from hf_commit_new, freed once (documented contract).
        unsafe { hf_commit::free(commit) }
    })
}

unsafe fn commit_mut<'a>(commit: *mut hf_commit) -> Result<&'a mut hf_commit> {
    // SAFETY: NULL or a live builder, not used by another thread (documented contract).
    unsafe { commit.as_mut() }.ok_or_else(|| Error::InvalidArgument("commit is NULL".into()))
}

/// Adds (or replaces) `path_in_repo` with the content of the local file `local_path`. The file is
/// read when the commit is pushed (hashed once, streamed; never loaded whole when it goes to LFS).
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL or non-UTF-8 arguments). Thread safety: see `hf_commit`.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_add_file(
    commit: *mut hf_commit,
    path_in_repo: *const c_char,
    local_path: *const c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (c, path, local) = unsafe {
            (commit_mut(commit)?, arg_str(path_in_repo, "path_in_repo")?, arg_str(local_path, "local_path")?)
        };
        c.ops.push(CommitOperation::add_file(path, PathBuf::from(local)));
        Ok(())
    })
}

/// Adds (or replaces) `path_in_repo` with `len` bytes copied from `data` (copied before the call
/// returns; `data` may be NULL when `len` is 0). Errors: `HF_ERR_INVALID_ARGUMENT`.
/// Thread safety: see `hf_commit`.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_add_bytes(
    commit: *mut hf_commit,
    path_in_repo: *const c_char,
    data: *const u8,
    len: usize,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (c, path) = unsafe { (commit_mut(commit)?, arg_str(path_in_repo, "path_in_repo")?) };
        let bytes = if len == 0 {
            Vec::new()
        } else if data.is_null() {
            return Err(Error::InvalidArgument("data is NULL".into()));
        } else {
            // SAFETY: the caller guarantees `len` readable bytes at `data` for the call.
            unsafe { std::slice::from_raw_parts(data, len) }.to_vec()
        };
        c.ops.push(CommitOperation::add_bytes(path, bytes));
        Ok(())
    })
}

/// Deletes the file `path_in_repo`. Errors: `HF_ERR_INVALID_ARGUMENT`; a missing file fails the
/// push with `HF_ERR_ENTRY_NOT_FOUND`. Thread safety: see `hf_commit`.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_delete_file(
    commit: *mut hf_commit,
    path_in_repo: *const c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (c, path) = unsafe { (commit_mut(commit)?, arg_str(path_in_repo, "path_in_repo")?) };
        c.ops.push(CommitOperation::Delete { path_in_repo: path.to_string(), is_folder: false });
        Ok(())
    })
}

/// Deletes the folder `path_in_repo` and everything in it (a trailing `/` is added if missing).
/// Errors: as `hf_commit_delete_file`. Thread safety: see `hf_commit`.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_delete_folder(
    commit: *mut hf_commit,
    path_in_repo: *const c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (c, path) = unsafe { (commit_mut(commit)?, arg_str(path_in_repo, "path_in_repo")?) };
        c.ops.push(CommitOperation::Delete { path_in_repo: path.to_string(), is_folder: true });
        Ok(())
    })
}

/// Copies the file `src_path_in_repo` (at `src_revision`, NULL: the revision pushed to) of the
/// same repository to `dest_path_in_repo`. LFS files are copied on the server, without moving
/// their bytes. Errors: `HF_ERR_INVALID_ARGUMENT`; a missing source fails the push with
/// `HF_ERR_ENTRY_NOT_FOUND`. Thread safety: see `hf_commit`.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_copy(
    commit: *mut hf_commit,
    src_path_in_repo: *const c_char,
    src_revision: *const c_char,
    dest_path_in_repo: *const c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (c, src, rev, dest) = unsafe {
            (
                commit_mut(commit)?,
                arg_str(src_path_in_repo, "src_path_in_repo")?,
                opt_str(src_revision, "src_revision")?,
                arg_str(dest_path_in_repo, "dest_path_in_repo")?,
            )
        };
        c.ops.push(CommitOperation::Copy {
            src_path_in_repo: src.to_string(),
            src_revision: rev.map(String::from),
            path_in_repo: dest.to_string(),
        });
        Ok(())
    })
}

/// The number of operations in a commit builder (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_commit_len(commit: *const hf_commit) -> usize {
    ffi_guard!(0, {
        // SAFETY: NULL or a live builder.
        unsafe { hf_commit::opt_ref(commit) }.map_or(0, |c| c.ops.len())
    })
}

/// Options of `hf_commit_push`, `hf_upload_file` and `hf_upload_folder`. Fill with
/// `hf_commit_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_commit_options {
    /// `sizeof(hf_commit_options)`, set by `hf_commit_options_init`.
    pub struct_size: u32,
    /// One of `hf_repo_type` (default `HF_REPO_TYPE_MODEL`).
    pub repo_type: i32,
    /// Branch (or `refs/pr/N`) to commit to. NULL: `"main"`.
    pub revision: *const c_char,
    /// Commit description (NULL: empty).
    pub description: *const c_char,
    /// 5 to 40 hex digits, or NULL. Without `create_pr` the push fails with
    /// `HF_ERR_STALE_PARENT` unless the branch still points at this commit; with it, the pull
    /// request starts from it.
    pub parent_commit: *const c_char,
    /// Open a pull request against `revision` instead of committing to it.
    pub create_pr: bool,
    /// Progress callback, or NULL: LFS files are reported while hashed (`HF_PROGRESS_HASH`) and
    /// while sent (`HF_PROGRESS_UPLOAD`), with whole-call totals.
    pub progress: hf_progress_fn,
    /// Passed to `progress` untouched.
    pub user_data: *mut c_void,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
}

impl Default for hf_commit_options {
    fn default() -> Self {
        hf_commit_options {
            struct_size: std::mem::size_of::<hf_commit_options>() as u32,
            repo_type: 0,
            revision: std::ptr::null(),
            description: std::ptr::null(),
            parent_commit: std::ptr::null(),
            create_pr: false,
            progress: None,
            user_data: std::ptr::null_mut(),
            cancel: std::ptr::null(),
        }
    }
}

impl Options for hf_commit_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_commit_options>()];
    const NAME: &'static str = "hf_commit_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_commit_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_options_init_sized(options: *mut hf_commit_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// Options of `hf_upload_folder` beyond `hf_commit_options`. Fill with
/// `hf_folder_options_init`. Patterns use Python `fnmatch` rules: `*` also matches `/`,
/// case-sensitive, a pattern ending in `/` matches everything under that folder.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_folder_options {
    /// `sizeof(hf_folder_options)`, set by `hf_folder_options_init`.
    pub struct_size: u32,
    /// Only files matching one of these (relative to the folder) are uploaded. NULL: all.
    pub allow_patterns: *const *const c_char,
    /// Number of `allow_patterns`.
    pub allow_patterns_len: usize,
    /// Files matching one of these are not uploaded (`.git/` and `.cache/huggingface/` never are).
    pub ignore_patterns: *const *const c_char,
    /// Number of `ignore_patterns`.
    pub ignore_patterns_len: usize,
    /// Remote files under `path_in_repo` matching one of these (relative to it) are deleted in
    /// the same commit, unless uploaded again; `.gitattributes` never is.
    pub delete_patterns: *const *const c_char,
    /// Number of `delete_patterns`.
    pub delete_patterns_len: usize,
    /// Most operations per commit; a larger upload is split into several commits, and a rerun
    /// after an interruption skips what is committed. 0: 25000.
    pub max_operations_per_commit: usize,
}

impl Default for hf_folder_options {
    fn default() -> Self {
        hf_folder_options {
            struct_size: std::mem::size_of::<hf_folder_options>() as u32,
            allow_patterns: std::ptr::null(),
            allow_patterns_len: 0,
            ignore_patterns: std::ptr::null(),
            ignore_patterns_len: 0,
            delete_patterns: std::ptr::null(),
            delete_patterns_len: 0,
            max_operations_per_commit: 0,
        }
    }
}

impl Options for hf_folder_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_folder_options>()];
    const NAME: &'static str = "hf_folder_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_folder_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_folder_options_init_sized(options: *mut hf_folder_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// Read `len` C strings (NULL with 0: none).
unsafe fn str_array(p: *const *const c_char, len: usize, name: &str) -> Result<Vec<String>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Error::InvalidArgument(format!("{name} is NULL with a length of {len}")));
    }
    (0..len)
        .map(|i| {
            // SAFETY: the caller guarantees `len` readable pointers at `p`.
            let s = unsafe { *p.add(i) };
            // SAFETY: each a NUL-terminated string for the duration of the call.
            unsafe { arg_str(s, name) }.map(String::from)
        })
        .collect()
}

/// The result of a push or an upload: commit id, URLs, pull request. Free with
/// `hf_commit_info_free`.
pub struct hf_commit_info {
    oid: CString,
    url: CString,
    pr_url: Option<CString>,
    pr_revision: Option<CString>,
    pr_num: u64,
    committed: bool,
    commits: u32,
}

impl Handle for hf_commit_info {
    const NAME: &'static str = "commit info";
}

impl hf_commit_info {
    fn new(i: CommitInfo) -> Result<hf_commit_info> {
        Ok(hf_commit_info {
            oid: c_string(i.oid)?,
            url: c_string(i.url)?,
            pr_url: i.pr_url.map(c_string).transpose()?,
            pr_revision: i.pr_revision.map(c_string).transpose()?,
            pr_num: i.pr_num.unwrap_or(0),
            committed: i.committed,
            commits: i.commits,
        })
    }
}

/// What every upload call shares: client, repo id, raw commit options → a spec and the *how*.
unsafe fn commit_args<'a>(
    client: *const hf_client,
    repo_id: *const c_char,
    summary: *const c_char,
    options: *const hf_commit_options,
) -> Result<(&'a Client, CommitSpec, hf_commit_options)> {
    // SAFETY: forwarded pointer contracts of the calling function.
    unsafe {
        let client = client_ref(client)?;
        let repo_id = arg_str(repo_id, "repo_id")?;
        let summary = opt_str(summary, "summary")?.unwrap_or_default();
        let raw: hf_commit_options = read_options(options)?;
        let spec = CommitSpec {
            repo_id: repo_id.to_string(),
            repo_type: repo_type(raw.repo_type)?,
            revision: opt_str(raw.revision, "revision")?.map(String::from),
            summary: summary.to_string(),
            description: opt_str(raw.description, "description")?.unwrap_or_default().to_string(),
            parent_commit: opt_str(raw.parent_commit, "parent_commit")?.map(String::from),
            create_pr: raw.create_pr,
        };
        Ok((client, spec, raw))
    }
}

/// Run `f` with the *how* of `raw` (progress relay and cancel token), then hand the result out.
fn with_how(
    raw: &hf_commit_options,
    info_out: *mut *mut hf_commit_info,
    f: impl FnOnce(UploadOptions<'_>) -> Result<CommitInfo>,
) -> Result<()> {
    out_ptr(info_out, "info_out")?;
    // SAFETY: NULL or a live token for the duration of the call.
    let cancel = unsafe { hf_cancel_token::opt_ref(raw.cancel) }.map(|t| &t.inner);
    let mut relay = ProgressRelay::new(raw.progress, raw.user_data);
    let mut forward = relay.as_mut().map(|r| move |pr: &Progress| r.report(pr));
    let how = UploadOptions { progress: forward.as_mut().map(|f| f as &mut dyn FnMut(&Progress) -> bool), cancel };
    let info = f(how)?;
    hf_commit_info::new(info)?.into_out(info_out);
    Ok(())
}

/// Pushes the operations of `commit` to `repo_id` as one commit titled `summary` (required),
/// and writes the result into `*info_out` (free with `hf_commit_info_free`). `options`: NULL for
/// defaults (model repo, `main`).
///
/// Files the Hub decides to store with LFS are hashed once and streamed, in parallel parts when
/// the Hub asks for a multipart transfer; bytes it already has are not sent again. The commit is
/// the last request: a failed or cancelled push leaves the repository unchanged. When every
/// operation is a no-op, nothing is committed (`hf_commit_info_committed` is false and the oid
/// is the current head). The builder is not modified and may be pushed again.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (bad path, empty summary, bad parent), `HF_ERR_STALE_PARENT`,
/// `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`, `HF_ERR_ENTRY_NOT_FOUND` (deleting or
/// copying a missing file), `HF_ERR_UNAUTHORIZED`, `HF_ERR_FORBIDDEN`, `HF_ERR_BAD_REQUEST`,
/// `HF_ERR_IO` (a local file), `HF_ERR_CHECKSUM` (a file changed while uploaded),
/// `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`, `HF_ERR_OFFLINE`, `HF_ERR_CANCELLED`.
/// Thread safety: safe to call concurrently with the same client (and the same builder, which
/// is only read).
#[no_mangle]
pub unsafe extern "C" fn hf_commit_push(
    client: *const hf_client,
    repo_id: *const c_char,
    commit: *const hf_commit,
    summary: *const c_char,
    options: *const hf_commit_options,
    info_out: *mut *mut hf_commit_info,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, spec, raw) = unsafe { commit_args(client, repo_id, summary, options) }?;
        // SAFETY: NULL or a live builder.
        let ops = unsafe { hf_commit::try_ref(commit) }?.ops.clone();
        with_how(&raw, info_out, |how| client.create_commit(&spec, ops, how))
    })
}

/// Uploads the local file `local_path` to `path_in_repo` in one commit. `summary` NULL:
/// `"Upload <path_in_repo> with huggingface_hub"`. Otherwise as `hf_commit_push`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_upload_file(
    client: *const hf_client,
    repo_id: *const c_char,
    local_path: *const c_char,
    path_in_repo: *const c_char,
    summary: *const c_char,
    options: *const hf_commit_options,
    info_out: *mut *mut hf_commit_info,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, spec, raw) = unsafe { commit_args(client, repo_id, summary, options) }?;
        // SAFETY: as above.
        let (local, path) = unsafe { (arg_str(local_path, "local_path")?, arg_str(path_in_repo, "path_in_repo")?) };
        with_how(&raw, info_out, |how| client.upload_file(&spec, local, path, how))
    })
}

/// Uploads the files of the local folder `folder_path` (recursively; symlinked folders are not
/// followed) under `path_in_repo` (NULL or `""`: the repository root). `.git/` and
/// `.cache/huggingface/` are never sent. `folder_options` (NULL: none) filters files and plans
/// deletes; past its operation limit the upload is split into several commits (titled
/// `"<summary> (part i of n)"`), and a rerun after an interruption sends and commits only what
/// the Hub lacks. `summary` NULL: `"Upload folder using huggingface_hub"`. With `create_pr`,
/// `revision` must be unset (`main`). `*info_out` describes the last commit
/// (`hf_commit_info_commits` tells how many were made). Otherwise as `hf_commit_push`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_upload_folder(
    client: *const hf_client,
    repo_id: *const c_char,
    folder_path: *const c_char,
    path_in_repo: *const c_char,
    summary: *const c_char,
    options: *const hf_commit_options,
    folder_options: *const hf_folder_options,
    info_out: *mut *mut hf_commit_info,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, spec, raw) = unsafe { commit_args(client, repo_id, summary, options) }?;
        // SAFETY: as above.
        let (folder, prefix) =
            unsafe { (arg_str(folder_path, "folder_path")?, opt_str(path_in_repo, "path_in_repo")?) };
        // SAFETY: NULL or a struct of the size it claims.
        let fo: hf_folder_options = unsafe { read_options(folder_options) }?;
        // SAFETY: arrays of the lengths the caller gives.
        let f = unsafe {
            FolderSpec {
                folder: PathBuf::from(folder),
                path_in_repo: prefix.unwrap_or_default().to_string(),
                allow_patterns: str_array(fo.allow_patterns, fo.allow_patterns_len, "allow_patterns")?,
                ignore_patterns: str_array(fo.ignore_patterns, fo.ignore_patterns_len, "ignore_patterns")?,
                delete_patterns: str_array(fo.delete_patterns, fo.delete_patterns_len, "delete_patterns")?,
                max_ops_per_commit: fo.max_operations_per_commit,
            }
        };
        with_how(&raw, info_out, |how| client.upload_folder(&spec, &f, how))
    })
}

fn info_str(info: *const hf_commit_info, pick: fn(&hf_commit_info) -> Option<&CString>) -> *const c_char {
    // SAFETY: NULL or a live result (documented contract).
    unsafe { hf_commit_info::opt_ref(info) }.and_then(pick).map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The commit id (40 hex): the new commit, or the current head when nothing was committed.
/// Borrowed until `hf_commit_info_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_oid(info: *const hf_commit_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), { info_str(info, |i| Some(&i.oid)) })
}

/// The commit's URL (`<endpoint>/<repo>/commit/<oid>`). Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_url(info: *const hf_commit_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), { info_str(info, |i| Some(&i.url)) })
}

/// The pull request's URL when one was opened, else NULL. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_pr_url(info: *const hf_commit_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), { info_str(info, |i| i.pr_url.as_ref()) })
}

/// The pull request's revision (`refs/pr/<n>`) when one was opened, else NULL. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_pr_revision(info: *const hf_commit_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), { info_str(info, |i| i.pr_revision.as_ref()) })
}

/// The pull request's number, or 0 when none was opened (or for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_pr_num(info: *const hf_commit_info) -> u64 {
    ffi_guard!(0, {
        // SAFETY: NULL or a live result.
        unsafe { hf_commit_info::opt_ref(info) }.map_or(0, |i| i.pr_num)
    })
}

/// Whether a commit was made (false when every operation was a no-op, or for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_committed(info: *const hf_commit_info) -> bool {
    ffi_guard!(false, {
        // SAFETY: NULL or a live result.
        unsafe { hf_commit_info::opt_ref(info) }.is_some_and(|i| i.committed)
    })
}

/// How many commits were made (several for a split folder upload; 0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_commits(info: *const hf_commit_info) -> u32 {
    ffi_guard!(0, {
        // SAFETY: NULL or a live result.
        unsafe { hf_commit_info::opt_ref(info) }.map_or(0, |i| i.commits)
    })
}

/// Frees a commit result. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_commit_info_free(info: *mut hf_commit_info) {
    ffi_guard!((), {
        // SAFETY: NULL or a result from this library, freed once.
        unsafe { hf_commit_info::free(info) }
    })
}
