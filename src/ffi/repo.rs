//! The read-only repository API: `hf_repo_get_info`, `hf_repo_list_tree`,
//! `hf_repo_get_paths_info`, `hf_repo_list_refs`, `hf_repo_list_commits`, `hf_repo_exists`,
//! `hf_repo_file_exists`. Thin adapters over the `Client` methods; results are handles with
//! borrowed, transparent entries (`struct_size` first) and a `_json` accessor giving the server's
//! own records for the fields not modelled.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use serde_json::Value;

use super::args::{arg_str, c_string, init_options, opt_str, out_ptr, read_options, str_array, write_out, Options};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::download::repo_type;
use super::handle::Handle;
use super::list::{count, get, lazy_json, Strings};
use super::{hf_error, hf_status};
use crate::api::{CommitInfo, EntryKind, GitRef, RefKind, RepoInfo, TreeEntry};
use crate::client::Client;
use crate::error::Result;
use crate::progress::CancelToken;
use crate::repo::Repo;

/// Options of the repository calls, reading (`hf_repo_get_info`, `hf_repo_list_tree`...) and
/// administering (`hf_repo_create`, `hf_branch_create`...). Fill with `hf_repo_options_init`; each
/// call reads the fields it documents.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_repo_options {
    /// `sizeof(hf_repo_options)`, set by `hf_repo_options_init`.
    pub struct_size: u32,
    /// One of `hf_repo_type` (default `HF_REPO_TYPE_MODEL`).
    pub repo_type: i32,
    /// Reading calls: branch, tag, 40-hex commit or `refs/pr/N`. NULL: `"main"` (for
    /// `hf_repo_get_info`: the default branch).
    pub revision: *const c_char,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
    /// `hf_repo_create`: one of `hf_visibility` (default `HF_VISIBILITY_DEFAULT`).
    pub visibility: i32,
    /// `hf_repo_create`, `hf_branch_create`, `hf_tag_create`: an existing one is not an error.
    pub exist_ok: bool,
    /// `hf_repo_delete`: a missing repository is not an error.
    pub missing_ok: bool,
    /// `hf_repo_create` of a Space: its SDK (`gradio`, `streamlit`, `docker`, `static`); NULL otherwise.
    pub space_sdk: *const c_char,
}

impl Default for hf_repo_options {
    fn default() -> Self {
        hf_repo_options {
            struct_size: std::mem::size_of::<hf_repo_options>() as u32,
            repo_type: 0,
            revision: std::ptr::null(),
            cancel: std::ptr::null(),
            visibility: 0,
            exist_ok: false,
            missing_ok: false,
            space_sdk: std::ptr::null(),
        }
    }
}

impl Options for hf_repo_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_repo_options>()];
    const NAME: &'static str = "hf_repo_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_repo_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_options_init_sized(options: *mut hf_repo_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// Kinds of `hf_repo_entry`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_entry_type {
    /// A file.
    HF_ENTRY_FILE = 0,
    /// A folder.
    HF_ENTRY_DIRECTORY = 1,
}

/// Kinds of `hf_repo_ref`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_ref_kind {
    /// A branch (`refs/heads/...`).
    HF_REF_BRANCH = 0,
    /// A tag (`refs/tags/...`).
    HF_REF_TAG = 1,
    /// A conversion ref (`refs/convert/...`).
    HF_REF_CONVERT = 2,
    /// A pull request (`refs/pr/N`).
    HF_REF_PULL_REQUEST = 3,
}

/// One file or folder of a listing, a paths-info answer or a repo's siblings (borrowed from its
/// handle).
#[repr(C)]
pub struct hf_repo_entry {
    /// `sizeof(hf_repo_entry)`.
    pub struct_size: u32,
    /// One of `hf_entry_type`.
    pub kind: i32,
    /// Path in the repo (`/`-separated, UTF-8).
    pub path: *const c_char,
    /// Size in bytes (0 for folders; for siblings 0 when the Hub did not say).
    pub size: u64,
    /// Git object id (blob SHA-1 of a file, tree id of a folder); NULL when not sent.
    pub oid: *const c_char,
    /// SHA-256 of an LFS file (the blob's name in the cache); NULL for regular files.
    pub lfs_sha256: *const c_char,
    /// Size of an LFS file (0 otherwise).
    pub lfs_size: u64,
    /// Xet hash (64 hex) when the Hub sent a valid one; NULL otherwise.
    pub xet_hash: *const c_char,
}

fn entry(strings: &mut Strings, e: &TreeEntry) -> Result<hf_repo_entry> {
    Ok(hf_repo_entry {
        struct_size: std::mem::size_of::<hf_repo_entry>() as u32,
        kind: match e.kind {
            EntryKind::File => hf_entry_type::HF_ENTRY_FILE as i32,
            EntryKind::Directory => hf_entry_type::HF_ENTRY_DIRECTORY as i32,
        },
        path: strings.keep(c_string(e.path.as_str())?),
        size: e.size,
        oid: strings.keep_opt(Some(e.oid.as_str()).filter(|o| !o.is_empty()))?,
        lfs_sha256: strings.keep_opt(e.lfs.as_ref().map(|l| l.sha256.as_str()))?,
        lfs_size: e.lfs.as_ref().map_or(0, |l| l.size),
        xet_hash: strings.keep_opt(e.xet_hash.as_deref())?,
    })
}

/// A list of entries (`hf_repo_list_tree`, `hf_repo_get_paths_info`). Free with
/// `hf_repo_entries_free`.
pub struct hf_repo_entries {
    entries: Vec<hf_repo_entry>,
    raw: Vec<Value>,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_repo_entries {
    const NAME: &'static str = "entries";
}

impl hf_repo_entries {
    fn new(list: Vec<TreeEntry>) -> Result<hf_repo_entries> {
        let mut strings = Strings::default();
        let entries = list.iter().map(|e| entry(&mut strings, e)).collect::<Result<_>>()?;
        let raw = list.into_iter().map(|e| e.raw).collect();
        Ok(hf_repo_entries { entries, raw, json: OnceLock::new(), _strings: strings })
    }
}

/// Per-call arguments shared by the repository calls.
unsafe fn repo_args<'a>(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
) -> Result<(&'a Client, Repo, Option<&'a str>, Option<&'a CancelToken>)> {
    // SAFETY: forwarded pointer contracts of the calling function.
    unsafe {
        let client = client_ref(client)?;
        let id = arg_str(repo_id, "repo_id")?;
        let raw: hf_repo_options = read_options(options)?;
        let repo = Repo::new(id, repo_type(raw.repo_type)?)?;
        let revision = opt_str(raw.revision, "revision")?;
        let cancel = hf_cancel_token::opt_ref(raw.cancel).map(|t| &t.inner);
        Ok((client, repo, revision, cancel))
    }
}

/// Lists the files and folders of `repo_id` at `options->revision` under `path` (NULL or `""`:
/// the root), following every page; `recursive` lists the whole subtree. Entries come in the
/// server's order. Paths are validated: a listing with an unsafe (`../`, absolute), duplicate or
/// malformed entry is refused with `HF_ERR_METADATA`. On success `*entries_out` receives a handle
/// to free with `hf_repo_entries_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`,
/// `HF_ERR_ENTRY_NOT_FOUND` (no such folder), `HF_ERR_GATED`, `HF_ERR_UNAUTHORIZED`,
/// `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`, `HF_ERR_METADATA`, `HF_ERR_CANCELLED`.
/// Thread safety: safe concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_list_tree(
    client: *const hf_client,
    repo_id: *const c_char,
    path: *const c_char,
    recursive: bool,
    options: *const hf_repo_options,
    entries_out: *mut *mut hf_repo_entries,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, repo, revision, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        let path = unsafe { opt_str(path, "path") }?;
        out_ptr(entries_out, "entries_out")?;
        let list = client.list_tree(&repo, revision, path, recursive, cancel)?;
        hf_repo_entries::new(list)?.into_out(entries_out);
        Ok(())
    })
}

/// The entries of the given `paths` (`path_count` UTF-8 repo paths) at `options->revision`;
/// paths that do not exist are left out (no error). Sent 500 paths per request. On success
/// `*entries_out` receives a handle to free with `hf_repo_entries_free`.
///
/// Errors: as `hf_repo_list_tree`. Thread safety: safe concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_get_paths_info(
    client: *const hf_client,
    repo_id: *const c_char,
    paths: *const *const c_char,
    path_count: usize,
    options: *const hf_repo_options,
    entries_out: *mut *mut hf_repo_entries,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts (`path_count` readable pointers).
        let (client, repo, revision, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        let paths = unsafe { str_array(paths, path_count, "paths") }?;
        out_ptr(entries_out, "entries_out")?;
        let list = client.paths_info(&repo, revision, &paths, cancel)?;
        hf_repo_entries::new(list)?.into_out(entries_out);
        Ok(())
    })
}

/// Number of entries (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_repo_entries_count(entries: *const hf_repo_entries) -> usize {
    ffi_guard!(0, { unsafe { count(entries, |e| &e.entries) } })
}

/// Entry `index`, or NULL when out of range. Borrowed until `hf_repo_entries_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_entries_get(entries: *const hf_repo_entries, index: usize) -> *const hf_repo_entry {
    ffi_guard!(std::ptr::null(), { unsafe { get(entries, index, |e| &e.entries) } })
}

/// The server's records, as a JSON array (built on first use). Borrowed until
/// `hf_repo_entries_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_entries_json(entries: *const hf_repo_entries) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_repo_entries::opt_ref(entries) }.map_or(std::ptr::null(), |e| lazy_json(&e.json, &e.raw))
    })
}

/// Frees an entry list. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_entries_free(entries: *mut hf_repo_entries) {
    ffi_guard!((), { unsafe { hf_repo_entries::free(entries) } })
}

/// The main fields of a repo info (borrowed from its `hf_repo_info`).
#[repr(C)]
pub struct hf_repo_summary {
    /// `sizeof(hf_repo_summary)`.
    pub struct_size: u32,
    /// `org/name`.
    pub id: *const c_char,
    /// The 40-hex commit of the revision asked for; NULL when the Hub did not send one.
    pub sha: *const c_char,
    /// A private repo.
    pub is_private: bool,
    /// Disabled by the Hub.
    pub disabled: bool,
    /// `"auto"` or `"manual"` for a gated repo; NULL when not gated.
    pub gated: *const c_char,
    /// Last modification (ISO 8601); NULL when not sent.
    pub last_modified: *const c_char,
}

/// The result of `hf_repo_get_info`. Free with `hf_repo_info_free`.
pub struct hf_repo_info {
    summary: hf_repo_summary,
    siblings: Vec<hf_repo_entry>,
    raw: Value,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_repo_info {
    const NAME: &'static str = "info";
}

impl hf_repo_info {
    fn new(info: RepoInfo) -> Result<hf_repo_info> {
        let mut strings = Strings::default();
        let summary = hf_repo_summary {
            struct_size: std::mem::size_of::<hf_repo_summary>() as u32,
            id: strings.keep(c_string(info.id.as_str())?),
            sha: strings.keep_opt(info.sha.as_deref())?,
            is_private: info.private,
            disabled: info.disabled,
            gated: strings.keep_opt(info.gated.as_deref())?,
            last_modified: strings.keep_opt(info.last_modified.as_deref())?,
        };
        let mut siblings = Vec::with_capacity(info.siblings.len());
        for s in &info.siblings {
            siblings.push(hf_repo_entry {
                struct_size: std::mem::size_of::<hf_repo_entry>() as u32,
                kind: hf_entry_type::HF_ENTRY_FILE as i32,
                path: strings.keep(c_string(s.path.as_str())?),
                size: s.size.unwrap_or(0),
                oid: strings.keep_opt(s.blob_id.as_deref())?,
                lfs_sha256: strings.keep_opt(s.lfs.as_ref().map(|l| l.sha256.as_str()))?,
                lfs_size: s.lfs.as_ref().map_or(0, |l| l.size),
                xet_hash: std::ptr::null(),
            });
        }
        Ok(hf_repo_info { summary, siblings, raw: info.raw, json: OnceLock::new(), _strings: strings })
    }
}

/// Asks the Hub about a repo (`GET /api/{type}s/{id}[/revision/{rev}]?blobs=true`): id, commit of
/// the revision (`options->revision`; NULL: the default branch), private, gated, disabled, last
/// modified, and the files (siblings, with sizes and LFS data). On success `*info_out` receives a
/// handle to free with `hf_repo_info_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`,
/// `HF_ERR_GATED`, `HF_ERR_UNAUTHORIZED`, `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`,
/// `HF_ERR_METADATA`, `HF_ERR_CANCELLED`. Thread safety: safe concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_get_info(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
    info_out: *mut *mut hf_repo_info,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, repo, revision, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        out_ptr(info_out, "info_out")?;
        hf_repo_info::new(client.repo_info(&repo, revision, cancel)?)?.into_out(info_out);
        Ok(())
    })
}

/// The main fields. Borrowed until `hf_repo_info_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_info_summary(info: *const hf_repo_info) -> *const hf_repo_summary {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_repo_info::opt_ref(info) }.map_or(std::ptr::null(), |i| &i.summary as *const hf_repo_summary)
    })
}

/// Number of files (siblings) (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_repo_info_sibling_count(info: *const hf_repo_info) -> usize {
    ffi_guard!(0, { unsafe { count(info, |i| &i.siblings) } })
}

/// File `index` (type `HF_ENTRY_FILE`), or NULL when out of range. Borrowed until
/// `hf_repo_info_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_info_sibling(info: *const hf_repo_info, index: usize) -> *const hf_repo_entry {
    ffi_guard!(std::ptr::null(), { unsafe { get(info, index, |i| &i.siblings) } })
}

/// The server's whole answer as JSON (every field, e.g. `cardData`, `tags`, `downloads`).
/// Borrowed until `hf_repo_info_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_info_json(info: *const hf_repo_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_repo_info::opt_ref(info) }.map_or(std::ptr::null(), |i| lazy_json(&i.json, &i.raw))
    })
}

/// Frees a repo info. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_info_free(info: *mut hf_repo_info) {
    ffi_guard!((), { unsafe { hf_repo_info::free(info) } })
}

/// One ref (borrowed from its `hf_repo_refs`).
#[repr(C)]
pub struct hf_repo_ref {
    /// `sizeof(hf_repo_ref)`.
    pub struct_size: u32,
    /// One of `hf_ref_kind`.
    pub kind: i32,
    /// Short name (`main`, `v1.0`; for pull requests as the Hub names them).
    pub name: *const c_char,
    /// Full ref (`refs/heads/main`, `refs/pr/1`).
    pub full_ref: *const c_char,
    /// The 40-hex commit it points to.
    pub target_commit: *const c_char,
}

/// The result of `hf_repo_list_refs`. Free with `hf_repo_refs_free`.
pub struct hf_repo_refs {
    refs: Vec<hf_repo_ref>,
    _strings: Strings,
}

impl Handle for hf_repo_refs {
    const NAME: &'static str = "refs";
}

fn ref_kind(k: RefKind) -> i32 {
    (match k {
        RefKind::Branch => hf_ref_kind::HF_REF_BRANCH,
        RefKind::Tag => hf_ref_kind::HF_REF_TAG,
        RefKind::Convert => hf_ref_kind::HF_REF_CONVERT,
        RefKind::PullRequest => hf_ref_kind::HF_REF_PULL_REQUEST,
    }) as i32
}

impl hf_repo_refs {
    fn new(list: Vec<GitRef>) -> Result<hf_repo_refs> {
        let mut strings = Strings::default();
        let mut refs = Vec::with_capacity(list.len());
        for r in &list {
            refs.push(hf_repo_ref {
                struct_size: std::mem::size_of::<hf_repo_ref>() as u32,
                kind: ref_kind(r.kind),
                name: strings.keep(c_string(r.name.as_str())?),
                full_ref: strings.keep(c_string(r.full_ref.as_str())?),
                target_commit: strings.keep(c_string(r.target_commit.as_str())?),
            });
        }
        Ok(hf_repo_refs { refs, _strings: strings })
    }
}

/// Lists the branches, tags and conversion refs of a repo, and its pull requests when
/// `include_pull_requests`, in that order. `options->revision` is ignored. On success `*refs_out`
/// receives a handle to free with `hf_repo_refs_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_GATED`,
/// `HF_ERR_UNAUTHORIZED`, `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`, `HF_ERR_CANCELLED`.
/// Thread safety: safe concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_list_refs(
    client: *const hf_client,
    repo_id: *const c_char,
    include_pull_requests: bool,
    options: *const hf_repo_options,
    refs_out: *mut *mut hf_repo_refs,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, repo, _, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        out_ptr(refs_out, "refs_out")?;
        hf_repo_refs::new(client.list_refs(&repo, include_pull_requests, cancel)?)?.into_out(refs_out);
        Ok(())
    })
}

/// Number of refs (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_repo_refs_count(refs: *const hf_repo_refs) -> usize {
    ffi_guard!(0, { unsafe { count(refs, |r| &r.refs) } })
}

/// Ref `index`, or NULL when out of range. Borrowed until `hf_repo_refs_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_refs_get(refs: *const hf_repo_refs, index: usize) -> *const hf_repo_ref {
    ffi_guard!(std::ptr::null(), { unsafe { get(refs, index, |r| &r.refs) } })
}

/// Frees a ref list. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_refs_free(refs: *mut hf_repo_refs) {
    ffi_guard!((), { unsafe { hf_repo_refs::free(refs) } })
}

/// One commit of a history (borrowed from its `hf_repo_commits`).
#[repr(C)]
pub struct hf_repo_commit {
    /// `sizeof(hf_repo_commit)`.
    pub struct_size: u32,
    /// The 40-hex commit id.
    pub id: *const c_char,
    /// The first line of its message.
    pub title: *const c_char,
    /// The rest of the message.
    pub message: *const c_char,
    /// ISO 8601 date.
    pub date: *const c_char,
    /// Author user names, comma-separated.
    pub authors: *const c_char,
}

/// The result of `hf_repo_list_commits`. Free with `hf_repo_commits_free`.
pub struct hf_repo_commits {
    commits: Vec<hf_repo_commit>,
    raw: Vec<Value>,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_repo_commits {
    const NAME: &'static str = "commits";
}

impl hf_repo_commits {
    fn new(list: Vec<CommitInfo>) -> Result<hf_repo_commits> {
        let mut strings = Strings::default();
        let mut commits = Vec::with_capacity(list.len());
        for c in &list {
            commits.push(hf_repo_commit {
                struct_size: std::mem::size_of::<hf_repo_commit>() as u32,
                id: strings.keep(c_string(c.id.as_str())?),
                title: strings.keep(c_string(c.title.as_str())?),
                message: strings.keep(c_string(c.message.as_str())?),
                date: strings.keep(c_string(c.date.as_str())?),
                authors: strings.keep(c_string(c.authors.join(","))?),
            });
        }
        let raw = list.into_iter().map(|c| c.raw).collect();
        Ok(hf_repo_commits { commits, raw, json: OnceLock::new(), _strings: strings })
    }
}

/// Lists the history of `options->revision` (NULL: `main`), newest first, every page. On success
/// `*commits_out` receives a handle to free with `hf_repo_commits_free`.
///
/// Errors: as `hf_repo_list_tree`. Thread safety: safe concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_list_commits(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
    commits_out: *mut *mut hf_repo_commits,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, repo, revision, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        out_ptr(commits_out, "commits_out")?;
        hf_repo_commits::new(client.list_commits(&repo, revision, cancel)?)?.into_out(commits_out);
        Ok(())
    })
}

/// Number of commits (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_repo_commits_count(commits: *const hf_repo_commits) -> usize {
    ffi_guard!(0, { unsafe { count(commits, |c| &c.commits) } })
}

/// Commit `index` (0 = newest), or NULL when out of range. Borrowed until `hf_repo_commits_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_commits_get(commits: *const hf_repo_commits, index: usize) -> *const hf_repo_commit {
    ffi_guard!(std::ptr::null(), { unsafe { get(commits, index, |c| &c.commits) } })
}

/// The server's records as a JSON array. Borrowed until `hf_repo_commits_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_commits_json(commits: *const hf_repo_commits) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_repo_commits::opt_ref(commits) }.map_or(std::ptr::null(), |c| lazy_json(&c.json, &c.raw))
    })
}

/// Frees a commit list. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_commits_free(commits: *mut hf_repo_commits) {
    ffi_guard!((), { unsafe { hf_repo_commits::free(commits) } })
}

/// Writes into `*exists_out` whether the repo exists and the configured token can see it (a gated
/// repo exists). `options->revision` is ignored.
///
/// Errors (the answer could not be known): `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_UNAUTHORIZED`,
/// `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`, `HF_ERR_CANCELLED`. Thread safety: safe
/// concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_exists(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
    exists_out: *mut bool,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, repo, _, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        out_ptr(exists_out, "exists_out")?;
        write_out(exists_out, client.repo_exists(&repo, cancel)?);
        Ok(())
    })
}

/// Writes into `*exists_out` whether `filename` exists in the repo at `options->revision` (one
/// HEAD request; nothing is downloaded or cached).
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`,
/// `HF_ERR_GATED`, `HF_ERR_UNAUTHORIZED`, `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`,
/// `HF_ERR_CANCELLED`. Thread safety: safe concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_file_exists(
    client: *const hf_client,
    repo_id: *const c_char,
    filename: *const c_char,
    options: *const hf_repo_options,
    exists_out: *mut bool,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let (client, repo, revision, cancel) = unsafe { repo_args(client, repo_id, options) }?;
        let filename = unsafe { arg_str(filename, "filename") }?;
        out_ptr(exists_out, "exists_out")?;
        write_out(exists_out, client.file_exists(&repo, revision, filename, cancel)?);
        Ok(())
    })
}
