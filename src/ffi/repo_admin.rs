//! Repository administration: `hf_repo_create`, `hf_repo_delete`, `hf_repo_move`,
//! `hf_repo_update_visibility`, `hf_branch_create`, `hf_branch_delete`, `hf_tag_create`,
//! `hf_tag_delete` — thin adapters over the `Client` methods of the same names.

use std::ffi::c_char;

use super::args::{arg_str, c_string, opt_str, out_ptr, read_options, write_out};
use super::client::{client_ref, hf_cancel_token, hf_client};
use super::download::repo_type;
use super::handle::Handle;
use super::repo::hf_repo_options;
use super::{hf_error, hf_status};
use crate::api::{CreateRepo, Visibility};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::progress::CancelToken;
use crate::repo::RepoType;

/// Visibility of a repository (`hf_repo_options.visibility`, `hf_repo_update_visibility`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hf_visibility {
    /// The Hub's default (public) when creating; not valid for `hf_repo_update_visibility`.
    HF_VISIBILITY_DEFAULT = 0,
    /// Everyone can read it.
    HF_VISIBILITY_PUBLIC = 1,
    /// Only the owner (user, or organization members) and granted users.
    HF_VISIBILITY_PRIVATE = 2,
    /// Spaces only: the code is hidden, the app is public.
    HF_VISIBILITY_PROTECTED = 3,
}

fn visibility(v: i32) -> Result<Option<Visibility>> {
    match v {
        0 => Ok(None),
        1 => Ok(Some(Visibility::Public)),
        2 => Ok(Some(Visibility::Private)),
        3 => Ok(Some(Visibility::Protected)),
        _ => Err(Error::InvalidArgument(format!("unknown visibility {v}"))),
    }
}

/// Client, repo id, options and cancel token of an administration call.
struct Args<'a> {
    client: &'a Client,
    repo_id: &'a str,
    repo_type: RepoType,
    raw: hf_repo_options,
    cancel: Option<&'a CancelToken>,
}

unsafe fn args<'a>(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
) -> Result<Args<'a>> {
    // SAFETY: forwarded pointer contracts of the calling function.
    unsafe {
        let client = client_ref(client)?;
        let repo_id = arg_str(repo_id, "repo_id")?;
        let raw: hf_repo_options = read_options(options)?;
        let cancel = hf_cancel_token::opt_ref(raw.cancel).map(|t| &t.inner);
        Ok(Args { client, repo_id, repo_type: repo_type(raw.repo_type)?, raw, cancel })
    }
}

/// Creates a repository (`POST /api/repos/create`) and writes its URL into `*url_out` (free with
/// `hf_string_free`). `repo_id` is `"name"` (the token owner's namespace) or `"org/name"`.
/// `options`: `repo_type`, `visibility`, `space_sdk` (required for Spaces), `exist_ok`, `cancel`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_HTTP` with HTTP status 409 (exists, without
/// `exist_ok`), `HF_ERR_UNAUTHORIZED` (no token, or a rejected one: the Hub answers 401, as it does for the
/// official client), `HF_ERR_FORBIDDEN` (another namespace),
/// `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_OFFLINE`, `HF_ERR_CANCELLED`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_create(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
    url_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        out_ptr(url_out, "url_out")?;
        let what = CreateRepo {
            repo_id: a.repo_id.to_string(),
            repo_type: a.repo_type,
            visibility: visibility(a.raw.visibility)?,
            // SAFETY: NULL or a NUL-terminated string for the duration of the call.
            space_sdk: unsafe { opt_str(a.raw.space_sdk, "space_sdk") }?.map(String::from),
            exist_ok: a.raw.exist_ok,
        };
        let url = a.client.create_repo(&what, a.cancel)?;
        write_out(url_out, c_string(url)?.into_raw());
        Ok(())
    })
}

/// Deletes a repository (`DELETE /api/repos/delete`). `options`: `repo_type`, `missing_ok`,
/// `cancel`. Errors: as `hf_repo_create`, plus `HF_ERR_REPO_NOT_FOUND` (without `missing_ok`).
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_delete(
    client: *const hf_client,
    repo_id: *const c_char,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        a.client.delete_repo(a.repo_id, a.repo_type, a.raw.missing_ok, a.cancel)
    })
}

/// Renames or transfers a repository (`POST /api/repos/move`): `from_repo_id` and `to_repo_id`
/// are both `"namespace/name"`. `options`: `repo_type`, `cancel`. The old id keeps redirecting.
/// Errors: as `hf_repo_delete`. Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_move(
    client: *const hf_client,
    from_repo_id: *const c_char,
    to_repo_id: *const c_char,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, from_repo_id, options) }?;
        // SAFETY: as above.
        let to = unsafe { arg_str(to_repo_id, "to_repo_id") }?;
        a.client.move_repo(a.repo_id, to, a.repo_type, a.cancel)
    })
}

/// Makes a repository public or private (`PUT /api/{type}s/{repo}/settings`). `visibility` is
/// `HF_VISIBILITY_PUBLIC`, `HF_VISIBILITY_PRIVATE` or (Spaces) `HF_VISIBILITY_PROTECTED`.
/// `options`: `repo_type`, `cancel`. Errors: as `hf_repo_delete`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_repo_update_visibility(
    client: *const hf_client,
    repo_id: *const c_char,
    visibility_: i32,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        let v = visibility(visibility_)?
            .ok_or_else(|| Error::InvalidArgument("visibility must be public, private or protected".into()))?;
        a.client.update_repo_visibility(a.repo_id, a.repo_type, v, a.cancel)
    })
}

/// Creates `branch` at `revision` (NULL: the head of `main`). `options`: `repo_type`,
/// `exist_ok`, `cancel`. Errors: as `hf_repo_delete`, plus `HF_ERR_REVISION_NOT_FOUND` (unknown
/// `revision`), `HF_ERR_BAD_REQUEST` (invalid name), `HF_ERR_HTTP` 409 (exists, without `exist_ok`).
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_branch_create(
    client: *const hf_client,
    repo_id: *const c_char,
    branch: *const c_char,
    revision: *const c_char,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        // SAFETY: as above.
        let (branch, revision) = unsafe { (arg_str(branch, "branch")?, opt_str(revision, "revision")?) };
        a.client.create_branch(a.repo_id, a.repo_type, branch, revision, a.raw.exist_ok, a.cancel)
    })
}

/// Deletes a branch (`main` cannot be deleted: `HF_ERR_FORBIDDEN`). `options`: `repo_type`,
/// `cancel`. Errors: as `hf_branch_create`. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_branch_delete(
    client: *const hf_client,
    repo_id: *const c_char,
    branch: *const c_char,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        // SAFETY: as above.
        let branch = unsafe { arg_str(branch, "branch") }?;
        a.client.delete_branch(a.repo_id, a.repo_type, branch, a.cancel)
    })
}

/// Tags `revision` (NULL: `main`) as `tag`, with an optional `message` (NULL: none).
/// `options`: `repo_type`, `exist_ok`, `cancel`. Errors: as `hf_branch_create`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_tag_create(
    client: *const hf_client,
    repo_id: *const c_char,
    tag: *const c_char,
    revision: *const c_char,
    message: *const c_char,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        // SAFETY: as above.
        let (tag, revision, message) =
            unsafe { (arg_str(tag, "tag")?, opt_str(revision, "revision")?, opt_str(message, "message")?) };
        a.client.create_tag(a.repo_id, a.repo_type, tag, revision, message, a.raw.exist_ok, a.cancel)
    })
}

/// Deletes a tag. `options`: `repo_type`, `cancel`. Errors: as `hf_branch_create`.
/// Thread safety: safe to call concurrently with the same client.
#[no_mangle]
pub unsafe extern "C" fn hf_tag_delete(
    client: *const hf_client,
    repo_id: *const c_char,
    tag: *const c_char,
    options: *const hf_repo_options,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let a = unsafe { args(client, repo_id, options) }?;
        // SAFETY: as above.
        let tag = unsafe { arg_str(tag, "tag") }?;
        a.client.delete_tag(a.repo_id, a.repo_type, tag, a.cancel)
    })
}
