//! Auth: whoami, login, logout, switch, stored-token names. Thin adapters over `api.rs`.

use std::ffi::{c_char, CString};

use super::args::{arg_str, c_string, opt_str, out_ptr, write_out};
use super::client::{call_cancel, client_ref, hf_call_options, hf_client};
use super::handle::Handle;
use super::list::{self, Strings};
use super::{hf_error, hf_status};
use crate::api::WhoAmI;
use crate::error::Result;

/// The account a token belongs to (`hf_auth_whoami`). Free with `hf_user_free`.
pub struct hf_user {
    name: CString,
    kind: CString,
    fullname: Option<CString>,
    orgs: Vec<CString>,
    token_name: Option<CString>,
    token_role: Option<CString>,
    json: CString,
}

impl Handle for hf_user {
    const NAME: &'static str = "user";
}

/// A list of strings (`hf_auth_list`). Free with `hf_string_list_free`.
pub struct hf_string_list {
    entries: Vec<*const c_char>,
    _strings: Strings,
}

impl Handle for hf_string_list {
    const NAME: &'static str = "list";
}

impl hf_string_list {
    fn new(items: Vec<CString>) -> hf_string_list {
        let mut strings = Strings::default();
        let entries = items.into_iter().map(|c| strings.keep(c)).collect();
        hf_string_list { entries, _strings: strings }
    }
}

fn user_from(w: WhoAmI) -> Result<hf_user> {
    Ok(hf_user {
        name: c_string(w.name)?,
        kind: c_string(w.kind)?,
        fullname: opt_c(w.fullname)?,
        orgs: w.orgs.into_iter().map(c_string).collect::<Result<_>>()?,
        token_name: opt_c(w.token_name)?,
        token_role: opt_c(w.token_role)?,
        json: c_string(w.raw.to_string())?,
    })
}

fn opt_c(s: Option<String>) -> Result<Option<CString>> {
    s.map(c_string).transpose()
}

/// Asks the Hub who the client's token belongs to (`GET /api/whoami-v2`). Uses the explicit token,
/// else `HF_TOKEN`, else the token file. On success `*user_out` receives an `hf_user`.
/// Errors: `HF_ERR_NO_TOKEN` (no token configured), `HF_ERR_UNAUTHORIZED` (token rejected),
/// `HF_ERR_OFFLINE`, `HF_ERR_NETWORK`, `HF_ERR_TIMEOUT`, `HF_ERR_RATE_LIMITED`.
/// Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_auth_whoami(
    client: *const hf_client,
    user_out: *mut *mut hf_user,
    error_out: *mut *mut hf_error,
) -> hf_status {
    // SAFETY: forwarded pointer contracts.
    unsafe { hf_auth_whoami_ex(client, std::ptr::null(), user_out, error_out) }
}

/// `hf_auth_whoami` with options: `options->cancel` (a cancel token, may be NULL) aborts the
/// request at once, and the call returns `HF_ERR_CANCELLED`. `options` may be NULL.
/// Errors: as `hf_auth_whoami`, plus `HF_ERR_CANCELLED`, and `HF_ERR_INVALID_ARGUMENT` for an
/// unknown `struct_size`. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_auth_whoami_ex(
    client: *const hf_client,
    options: *const hf_call_options,
    user_out: *mut *mut hf_user,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let cancel = unsafe { call_cancel(options) }?;
        out_ptr(user_out, "user_out")?;
        user_from(client.whoami(cancel)?)?.into_out(user_out);
        Ok(())
    })
}

fn borrow(s: Option<&CString>) -> *const c_char {
    s.map_or(std::ptr::null(), |c| c.as_ptr())
}

/// Borrow a field of a user (NULL user → NULL).
fn user_field(user: *const hf_user, pick: fn(&hf_user) -> Option<&CString>) -> *const c_char {
    // SAFETY: NULL or a live hf_user (documented contract).
    borrow(unsafe { hf_user::opt_ref(user) }.and_then(pick))
}

/// The user (or org) name. Borrowed until `hf_user_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_user_name(user: *const hf_user) -> *const c_char {
    ffi_guard!(std::ptr::null(), { user_field(user, |u| Some(&u.name)) })
}

/// The account type: `"user"`, `"org"` or `"app"`. Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_user_type(user: *const hf_user) -> *const c_char {
    ffi_guard!(std::ptr::null(), { user_field(user, |u| Some(&u.kind)) })
}

/// The display name, or NULL when the Hub sent none. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_fullname(user: *const hf_user) -> *const c_char {
    ffi_guard!(std::ptr::null(), { user_field(user, |u| u.fullname.as_ref()) })
}

/// Number of organizations the user belongs to (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_user_org_count(user: *const hf_user) -> usize {
    ffi_guard!(0, {
        // SAFETY: NULL or a live hf_user.
        unsafe { hf_user::opt_ref(user) }.map_or(0, |u| u.orgs.len())
    })
}

/// Name of organization `index` (0-based), or NULL when out of range. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_org_name(user: *const hf_user, index: usize) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // SAFETY: NULL or a live hf_user.
        borrow(unsafe { hf_user::opt_ref(user) }.and_then(|u| u.orgs.get(index)))
    })
}

/// The token's display name, or NULL (OAuth tokens have none). Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_token_name(user: *const hf_user) -> *const c_char {
    ffi_guard!(std::ptr::null(), { user_field(user, |u| u.token_name.as_ref()) })
}

/// The token's role (`"read"`, `"write"`, `"fineGrained"`), or NULL. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_token_role(user: *const hf_user) -> *const c_char {
    ffi_guard!(std::ptr::null(), { user_field(user, |u| u.token_role.as_ref()) })
}

/// The whole whoami answer as JSON text. Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_user_json(user: *const hf_user) -> *const c_char {
    ffi_guard!(std::ptr::null(), { user_field(user, |u| Some(&u.json)) })
}

/// Frees an `hf_user`. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_user_free(user: *mut hf_user) {
    ffi_guard!((), {
        // SAFETY: NULL or a user from this library, freed once.
        unsafe { hf_user::free(user) }
    })
}

/// Logs in: validates `token` with whoami, stores it in `stored_tokens` under its name (the
/// token's display name, or `oauth-<user>`), and writes it to the token file so it becomes the
/// active token. Files are written with mode 0600, their folder 0700, byte-compatible with the
/// Python client. `*name_out` (if `name_out` is non-NULL) receives the stored name.
/// Errors: `HF_ERR_INVALID_ARGUMENT` (empty or `api_org…` token), `HF_ERR_UNAUTHORIZED`,
/// network errors, `HF_ERR_IO`. Thread safety: safe concurrently, but concurrent logins race on the
/// files (last writer wins).
#[no_mangle]
pub unsafe extern "C" fn hf_auth_login(
    client: *const hf_client,
    token: *const c_char,
    name_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    // SAFETY: forwarded pointer contracts.
    unsafe { hf_auth_login_ex(client, token, std::ptr::null(), name_out, error_out) }
}

/// `hf_auth_login` with options: `options->cancel` (may be NULL) aborts the validation request;
/// the call then returns `HF_ERR_CANCELLED` and no token file is touched. `options` may be NULL.
/// Errors: as `hf_auth_login`, plus `HF_ERR_CANCELLED`. Thread safety: as `hf_auth_login`.
#[no_mangle]
pub unsafe extern "C" fn hf_auth_login_ex(
    client: *const hf_client,
    token: *const c_char,
    options: *const hf_call_options,
    name_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let token = unsafe { arg_str(token, "token") }?;
        let cancel = unsafe { call_cancel(options) }?;
        let name = client.login(token, cancel)?;
        if !name_out.is_null() {
            write_out(name_out, c_string(name)?.into_raw());
        }
        Ok(())
    })
}

/// Logs out. `name` NULL: delete the token file and all stored tokens. Otherwise remove that
/// stored token (unknown names are ignored) and the token file if it held it. Tokens given by
/// `HF_TOKEN` or the client options are not affected.
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_IO`. Thread safety: as `hf_auth_login`.
#[no_mangle]
pub unsafe extern "C" fn hf_auth_logout(
    client: *const hf_client,
    name: *const c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let name = unsafe { opt_str(name, "name") }?;
        client.logout(name)
    })
}

/// Makes the stored token `name` the active one (writes it to the token file).
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL or unknown name), `HF_ERR_IO`.
#[no_mangle]
pub unsafe extern "C" fn hf_auth_switch(
    client: *const hf_client,
    name: *const c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let name = unsafe { arg_str(name, "name") }?;
        client.switch_token(name)
    })
}

/// Lists the names of the stored tokens (sorted) into `*list_out`, and, when `active_out` is
/// non-NULL, the name of the active one into `*active_out` (NULL when the token file matches no
/// stored token; free with `hf_string_free`).
/// Errors: `HF_ERR_INVALID_ARGUMENT`, `HF_ERR_IO`. Thread safety: safe concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_auth_list(
    client: *const hf_client,
    list_out: *mut *mut hf_string_list,
    active_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        out_ptr(list_out, "list_out")?;
        let items = client.stored_token_names()?.into_iter().map(c_string).collect::<Result<Vec<_>>>()?;
        let active = client.active_token_name().map(c_string).transpose()?;
        hf_string_list::new(items).into_out(list_out);
        if !active_out.is_null() {
            write_out(active_out, active.map_or(std::ptr::null_mut(), CString::into_raw));
        }
        Ok(())
    })
}

/// Number of strings in the list (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_string_list_len(list: *const hf_string_list) -> usize {
    ffi_guard!(0, {
        // SAFETY: NULL or a live list.
        unsafe { list::count(list, |l| &l.entries) }
    })
}

/// String `index` (0-based), or NULL when out of range. Borrowed until `hf_string_list_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_string_list_get(list: *const hf_string_list, index: usize) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // SAFETY: NULL or a live list; a non-NULL entry points into it.
        let entry = unsafe { list::get(list, index, |l| &l.entries) };
        if entry.is_null() {
            std::ptr::null()
        } else {
            unsafe { *entry }
        }
    })
}

/// Frees a string list. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_string_list_free(list: *mut hf_string_list) {
    ffi_guard!((), {
        // SAFETY: NULL or a list from this library, freed once.
        unsafe { hf_string_list::free(list) }
    })
}
