//! `hf_gguf_*`: GGUF model plans (`org/repo[:QUANT]` → model parts, projector, other sidecars),
//! thin adapters over `Client::gguf_resolve`, `Client::gguf_download_plan` and
//! `Client::gguf_download`. The plan is a list handle (`list.rs`).

use std::ffi::{c_char, c_void, CString};
use std::sync::OnceLock;

use super::args::{arg_str, c_string, init_options, opt_str, out_ptr, path_c_string, read_options, Options};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::download::{hf_progress_fn, ProgressRelay};
use super::handle::Handle;
use super::list::{count, get, lazy_json, Strings};
use super::{hf_error, hf_status};
use crate::download::{GgufOptions, GgufPlan, GgufRole, GgufSelect};
use crate::error::Result;
use crate::progress::Progress;

/// What a file of a GGUF plan is for (`hf_gguf_file.role`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_gguf_role {
    /// The model: one file, or one part of a split model (parts come first, in order).
    HF_GGUF_ROLE_MODEL = 0,
    /// The multimodal projector (`mmproj*`).
    HF_GGUF_ROLE_MMPROJ = 1,
    /// A multi-token-prediction draft (`mtp-*`).
    HF_GGUF_ROLE_MTP = 2,
    /// An EAGLE-3 draft (`eagle3-*`).
    HF_GGUF_ROLE_EAGLE3 = 3,
    /// A DFlash draft (`dflash-*`).
    HF_GGUF_ROLE_DFLASH = 4,
    /// A DSpark draft (`dspark-*`).
    HF_GGUF_ROLE_DSPARK = 5,
    /// `preset.ini` at the repo root.
    HF_GGUF_ROLE_PRESET = 6,
}

fn role_code(r: GgufRole) -> i32 {
    (match r {
        GgufRole::Model => hf_gguf_role::HF_GGUF_ROLE_MODEL,
        GgufRole::Mmproj => hf_gguf_role::HF_GGUF_ROLE_MMPROJ,
        GgufRole::Mtp => hf_gguf_role::HF_GGUF_ROLE_MTP,
        GgufRole::Eagle3 => hf_gguf_role::HF_GGUF_ROLE_EAGLE3,
        GgufRole::Dflash => hf_gguf_role::HF_GGUF_ROLE_DFLASH,
        GgufRole::Dspark => hf_gguf_role::HF_GGUF_ROLE_DSPARK,
        GgufRole::Preset => hf_gguf_role::HF_GGUF_ROLE_PRESET,
    }) as i32
}

/// Options of the GGUF calls. Fill with `hf_gguf_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_gguf_options {
    /// `sizeof(hf_gguf_options)`, set by `hf_gguf_options_init`.
    pub struct_size: u32,
    /// Branch, tag or 40-hex commit. NULL: `"main"`.
    pub revision: *const c_char,
    /// Leave the multimodal projector out of the plan.
    pub no_mmproj: bool,
    /// Also put the other sidecars llama.cpp recognises in the plan (draft models, `preset.ini`).
    pub other_sidecars: bool,
    /// Never use the network: resolve from the cache alone (and download nothing).
    pub local_files_only: bool,
    /// Verify LFS files against their SHA-256 (default true).
    pub verify: bool,
    /// Files downloaded at once (0: the default, 8).
    pub max_workers: u32,
    /// Aggregate progress callback (files and bytes of the whole plan), or NULL.
    pub progress: hf_progress_fn,
    /// Passed to `progress` untouched.
    pub user_data: *mut c_void,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
}

impl Default for hf_gguf_options {
    fn default() -> Self {
        hf_gguf_options {
            struct_size: std::mem::size_of::<hf_gguf_options>() as u32,
            revision: std::ptr::null(),
            no_mmproj: false,
            other_sidecars: false,
            local_files_only: false,
            verify: true,
            max_workers: 0,
            progress: None,
            user_data: std::ptr::null_mut(),
            cancel: std::ptr::null(),
        }
    }
}

impl Options for hf_gguf_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_gguf_options>()];
    const NAME: &'static str = "hf_gguf_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_gguf_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_options_init_sized(options: *mut hf_gguf_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// One file of a GGUF plan (borrowed from its `hf_gguf_plan`).
#[repr(C)]
pub struct hf_gguf_file {
    /// `sizeof(hf_gguf_file)`.
    pub struct_size: u32,
    /// One of `hf_gguf_role`.
    pub role: i32,
    /// Path in the repo (`/`-separated).
    pub path: *const c_char,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of an LFS file (64 hex), or NULL.
    pub sha256: *const c_char,
    /// The file's path in the cache (`.../snapshots/<commit>/<path>`), or NULL when it is not there
    /// (a plan resolved online and not downloaded yet).
    pub local_path: *const c_char,
}

/// A GGUF plan: the commit, the chosen quant and the files (model parts in order, then the
/// sidecars). Free with `hf_gguf_plan_free`.
pub struct hf_gguf_plan {
    plan: GgufPlan,
    files: Vec<hf_gguf_file>,
    repo_id: CString,
    revision: CString,
    commit: CString,
    quant: CString,
    json: OnceLock<Option<CString>>,
    _strings: Strings,
}

impl Handle for hf_gguf_plan {
    const NAME: &'static str = "plan";
}

impl hf_gguf_plan {
    fn new(plan: GgufPlan) -> Result<hf_gguf_plan> {
        let mut strings = Strings::default();
        let mut files = Vec::with_capacity(plan.files.len());
        for f in &plan.files {
            files.push(hf_gguf_file {
                struct_size: std::mem::size_of::<hf_gguf_file>() as u32,
                role: role_code(f.role),
                path: strings.keep(c_string(f.path.as_str())?),
                size: f.size,
                sha256: strings.keep_opt(f.sha256.as_deref())?,
                local_path: match &f.local_path {
                    Some(p) => strings.keep(path_c_string(p)?),
                    None => std::ptr::null(),
                },
            });
        }
        Ok(hf_gguf_plan {
            repo_id: c_string(plan.repo_id.as_str())?,
            revision: c_string(plan.revision.as_str())?,
            commit: c_string(plan.commit.as_str())?,
            quant: c_string(plan.quant.as_str())?,
            plan,
            files,
            json: OnceLock::new(),
            _strings: strings,
        })
    }
}

/// The *what* and the *how* of a GGUF call from its raw options.
fn select_of(raw: &hf_gguf_options) -> Result<GgufSelect> {
    // SAFETY: NULL or a NUL-terminated string (documented contract).
    let revision = unsafe { opt_str(raw.revision, "revision") }?.map(String::from);
    Ok(GgufSelect { revision, no_mmproj: raw.no_mmproj, other_sidecars: raw.other_sidecars })
}

/// Run `f` with the download options of `raw` (progress relay and cancel token set up).
fn with_how<T>(raw: &hf_gguf_options, f: impl FnOnce(GgufOptions<'_>) -> Result<T>) -> Result<T> {
    // SAFETY: NULL or a live token for the duration of the call.
    let cancel = unsafe { hf_cancel_token::opt_ref(raw.cancel) }.map(|t| &t.inner);
    let mut relay = ProgressRelay::new(raw.progress, raw.user_data);
    let mut forward = relay.as_mut().map(|r| move |pr: &Progress| r.report(pr));
    f(GgufOptions {
        local_files_only: raw.local_files_only,
        verify: raw.verify,
        max_workers: raw.max_workers as usize,
        progress: forward.as_mut().map(|f| f as &mut dyn FnMut(&Progress) -> bool),
        cancel,
    })
}

/// Resolves `model` (`"org/repo"` or `"org/repo:QUANT"`, the tag case-insensitive: a quant such as
/// `Q4_K_M`, `IQ4_XS`, `Q8_0`, `BF16`, or a file-name suffix) to a plan without downloading: the
/// commit, the model GGUF (every part of a split model, in order), its multimodal projector and,
/// on request, the other sidecars llama.cpp recognises, with sizes and LFS SHA-256. Without a tag
/// the choice is `Q4_K_M`, else `Q8_0`, else the first model GGUF (llama.cpp's rule). `Q4_K` never
/// matches `Q4_K_M`, `Q4_0` never `Q4_0_4_4`, `Q8_0` never `IQ8_0`.
///
/// Online it costs the revision call and the tree listing (none when `trees/<commit>.json` is
/// cached). With `local_files_only` (or offline mode, or when the Hub cannot be reached) the plan
/// comes from the cache alone — `refs/<revision>`, then `trees/<commit>.json` or the snapshot
/// folder, so a cache filled by the Python client or by llama.cpp works — and every `local_path`
/// is set. On success `*plan_out` receives a plan to free with `hf_gguf_plan_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (malformed `model` or options), `HF_ERR_ENTRY_NOT_FOUND` (no
/// GGUF matches the tag — the message lists the quants the repo has —, no model GGUF at all, or a
/// part of the split model is missing — the message names it), `HF_ERR_INCOMPLETE_SNAPSHOT`
/// (offline: the cached file list names files the cache lacks), `HF_ERR_OFFLINE`,
/// `HF_ERR_REPO_NOT_FOUND`, `HF_ERR_REVISION_NOT_FOUND`, `HF_ERR_GATED`, `HF_ERR_UNAUTHORIZED`,
/// `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_HTTP`, `HF_ERR_CANCELLED`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_resolve(
    client: *const hf_client,
    model: *const c_char,
    options: *const hf_gguf_options,
    plan_out: *mut *mut hf_gguf_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let model = unsafe { arg_str(model, "model") }?;
        let raw: hf_gguf_options = unsafe { read_options(options) }?;
        out_ptr(plan_out, "plan_out")?;
        let select = select_of(&raw)?;
        // SAFETY: NULL or a live token for the duration of the call.
        let cancel = unsafe { hf_cancel_token::opt_ref(raw.cancel) }.map(|t| &t.inner);
        let plan = client.gguf_resolve(model, &select, raw.local_files_only, cancel)?;
        hf_gguf_plan::new(plan)?.into_out(plan_out);
        Ok(())
    })
}

/// Downloads every file of `plan` into the Hugging Face cache (files already there cost no
/// request; the rest in parallel, `max_workers` at a time, with aggregate progress), writes
/// `refs/<revision>` like the Python client and llama.cpp, and returns a new plan whose every
/// `local_path` is set in `*plan_out` (free it with `hf_gguf_plan_free`; `plan` is not changed).
/// Only `local_files_only`, `verify`, `max_workers`, `progress`, `user_data` and `cancel` of
/// `options` are used.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_OFFLINE` (offline and a file is missing), and those
/// of `hf_file_download` (`HF_ERR_CHECKSUM`, `HF_ERR_NETWORK`, `HF_ERR_IO`, `HF_ERR_CANCELLED`...).
/// Nothing incomplete is ever published. Thread safety: safe concurrently, also across processes.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_download_plan(
    client: *const hf_client,
    plan: *const hf_gguf_plan,
    options: *const hf_gguf_options,
    plan_out: *mut *mut hf_gguf_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let plan = unsafe { hf_gguf_plan::try_ref(plan) }?;
        let raw: hf_gguf_options = unsafe { read_options(options) }?;
        out_ptr(plan_out, "plan_out")?;
        let done = with_how(&raw, |how| client.gguf_download_plan(&plan.plan, how))?;
        hf_gguf_plan::new(done)?.into_out(plan_out);
        Ok(())
    })
}

/// `hf_gguf_resolve` then `hf_gguf_download_plan` in one call: resolves `model` and downloads
/// its plan, returning it with every `local_path` set in `*plan_out` (free with
/// `hf_gguf_plan_free`). Errors: those of both. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_download(
    client: *const hf_client,
    model: *const c_char,
    options: *const hf_gguf_options,
    plan_out: *mut *mut hf_gguf_plan,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let model = unsafe { arg_str(model, "model") }?;
        let raw: hf_gguf_options = unsafe { read_options(options) }?;
        out_ptr(plan_out, "plan_out")?;
        let select = select_of(&raw)?;
        let done = with_how(&raw, |how| client.gguf_download(model, &select, how))?;
        hf_gguf_plan::new(done)?.into_out(plan_out);
        Ok(())
    })
}

fn plan_str(plan: *const hf_gguf_plan, pick: fn(&hf_gguf_plan) -> &CString) -> *const c_char {
    // SAFETY: NULL or a live plan (documented contract).
    unsafe { hf_gguf_plan::opt_ref(plan) }.map_or(std::ptr::null(), |p| pick(p).as_ptr())
}

/// The repo id (`org/repo`). Borrowed until `hf_gguf_plan_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_repo_id(plan: *const hf_gguf_plan) -> *const c_char {
    ffi_guard!(std::ptr::null(), { plan_str(plan, |p| &p.repo_id) })
}

/// The revision asked for (`main` by default). Borrowed until `hf_gguf_plan_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_revision(plan: *const hf_gguf_plan) -> *const c_char {
    ffi_guard!(std::ptr::null(), { plan_str(plan, |p| &p.revision) })
}

/// The 40-hex commit the plan is for. Borrowed until `hf_gguf_plan_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_commit(plan: *const hf_gguf_plan) -> *const c_char {
    ffi_guard!(std::ptr::null(), { plan_str(plan, |p| &p.commit) })
}

/// The chosen model's quant, upper-case (`Q4_K_M`; empty when its file name has none and no tag
/// picked it). Borrowed until `hf_gguf_plan_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_quant(plan: *const hf_gguf_plan) -> *const c_char {
    ffi_guard!(std::ptr::null(), { plan_str(plan, |p| &p.quant) })
}

/// Number of files of the plan (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_file_count(plan: *const hf_gguf_plan) -> usize {
    ffi_guard!(0, { unsafe { count(plan, |p| &p.files) } })
}

/// Number of model files (the parts of a split model; 1 otherwise; 0 for NULL). They are the
/// first files of the plan, in part order.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_model_count(plan: *const hf_gguf_plan) -> usize {
    ffi_guard!(0, {
        // SAFETY: NULL or a live plan.
        unsafe { hf_gguf_plan::opt_ref(plan) }
            .map_or(0, |p| p.plan.files.iter().filter(|f| f.role == GgufRole::Model).count())
    })
}

/// File `index` of the plan (model parts first, in order, then the projector and other
/// sidecars), or NULL when out of range. Borrowed until `hf_gguf_plan_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_file(plan: *const hf_gguf_plan, index: usize) -> *const hf_gguf_file {
    ffi_guard!(std::ptr::null(), { unsafe { get(plan, index, |p| &p.files) } })
}

/// The plan as JSON (`repo_id`, `revision`, `commit`, `quant`, `files` with `role`, `path`,
/// `size`, `sha256`, `local_path`), built on the first call. Borrowed until `hf_gguf_plan_free`;
/// NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_json(plan: *const hf_gguf_plan) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        unsafe { hf_gguf_plan::opt_ref(plan) }.map_or(std::ptr::null(), |p| lazy_json(&p.json, &p.plan))
    })
}

/// Frees a plan. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_gguf_plan_free(plan: *mut hf_gguf_plan) {
    ffi_guard!((), { unsafe { hf_gguf_plan::free(plan) } })
}
