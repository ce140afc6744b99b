//! Auth: whoami, login, logout, switch, stored-token names. Thin adapters over `api.rs`.

use std::ffi::{c_char, CString};
use std::panic::catch_unwind;

use super::client::{client_ref, hf_client, required};
use super::{boundary, c_string, hf_error, hf_status, opt_str, out_ptr};
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

/// A list of strings (`hf_auth_list`). Free with `hf_string_list_free`.
pub struct hf_string_list {
    items: Vec<CString>,
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
    boundary(error_out, || {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        out_ptr(user_out, "user_out")?;
        let w = client.whoami()?;
        let user = hf_user {
            name: c_string(w.name)?,
            kind: c_string(w.kind)?,
            fullname: opt_c(w.fullname)?,
            orgs: w.orgs.into_iter().map(c_string).collect::<Result<_>>()?,
            token_name: opt_c(w.token_name)?,
            token_role: opt_c(w.token_role)?,
            json: c_string(w.raw.to_string())?,
        };
        // SAFETY: checked non-NULL.
        unsafe { *user_out = Box::into_raw(Box::new(user)) };
        Ok(())
    })
}

fn borrow(s: Option<&CString>) -> *const c_char {
    s.map_or(std::ptr::null(), |c| c.as_ptr())
}

/// The user (or org) name. Borrowed until `hf_user_free`; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_user_name(user: *const hf_user) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.map(|u| &u.name))
}

/// The account type: `"user"`, `"org"` or `"app"`. Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_user_type(user: *const hf_user) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.map(|u| &u.kind))
}

/// The display name, or NULL when the Hub sent none. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_fullname(user: *const hf_user) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.and_then(|u| u.fullname.as_ref()))
}

/// Number of organizations the user belongs to (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_user_org_count(user: *const hf_user) -> usize {
    // SAFETY: NULL or a live hf_user.
    unsafe { user.as_ref() }.map_or(0, |u| u.orgs.len())
}

/// Name of organization `index` (0-based), or NULL when out of range. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_org_name(user: *const hf_user, index: usize) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.and_then(|u| u.orgs.get(index)))
}

/// The token's display name, or NULL (OAuth tokens have none). Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_token_name(user: *const hf_user) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.and_then(|u| u.token_name.as_ref()))
}

/// The token's role (`"read"`, `"write"`, `"fineGrained"`), or NULL. Borrowed.
#[no_mangle]
pub unsafe extern "C" fn hf_user_token_role(user: *const hf_user) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.and_then(|u| u.token_role.as_ref()))
}

/// The whole whoami answer as JSON text. Borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn hf_user_json(user: *const hf_user) -> *const c_char {
    // SAFETY: NULL or a live hf_user.
    borrow(unsafe { user.as_ref() }.map(|u| &u.json))
}

/// Frees an `hf_user`. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_user_free(user: *mut hf_user) {
    if !user.is_null() {
        // SAFETY: came from hf_auth_whoami.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(user) }));
    }
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
    boundary(error_out, || {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let token = unsafe { required(token, "token") }?;
        let name = client.login(token)?;
        if !name_out.is_null() {
            let c = c_string(name)?;
            // SAFETY: checked non-NULL.
            unsafe { *name_out = c.into_raw() };
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
    boundary(error_out, || {
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
    boundary(error_out, || {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        let name = unsafe { required(name, "name") }?;
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
    boundary(error_out, || {
        // SAFETY: documented pointer contracts.
        let client = unsafe { client_ref(client) }?;
        out_ptr(list_out, "list_out")?;
        let items = client.stored_token_names()?.into_iter().map(c_string).collect::<Result<Vec<_>>>()?;
        let active = client.active_token_name().map(c_string).transpose()?;
        // SAFETY: list_out checked; active_out checked before writing.
        unsafe {
            *list_out = Box::into_raw(Box::new(hf_string_list { items }));
            if !active_out.is_null() {
                *active_out = active.map_or(std::ptr::null_mut(), CString::into_raw);
            }
        }
        Ok(())
    })
}

/// Number of strings in the list (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn hf_string_list_len(list: *const hf_string_list) -> usize {
    // SAFETY: NULL or a live list.
    unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
}

/// String `index` (0-based), or NULL when out of range. Borrowed until `hf_string_list_free`.
#[no_mangle]
pub unsafe extern "C" fn hf_string_list_get(list: *const hf_string_list, index: usize) -> *const c_char {
    // SAFETY: NULL or a live list.
    borrow(unsafe { list.as_ref() }.and_then(|l| l.items.get(index)))
}

/// Frees a string list. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_string_list_free(list: *mut hf_string_list) {
    if !list.is_null() {
        // SAFETY: came from this library.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(list) }));
    }
}

/// Options of the calls that take no other options but may touch the network (`hf_auth_whoami_ex`,
/// `hf_auth_login_ex`). Fill with `hf_call_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_call_options {
    /// `sizeof(hf_call_options)`, set by `hf_call_options_init`.
    pub struct_size: u32,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const super::client::hf_cancel_token,
}

impl Default for hf_call_options {
    fn default() -> Self {
        hf_call_options { struct_size: std::mem::size_of::<hf_call_options>() as u32, cancel: std::ptr::null() }
    }
}

/// Fills `options` with the defaults and sets `struct_size`. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_call_options_init(options: *mut hf_call_options) {
    if !options.is_null() {
        unsafe { options.write(hf_call_options::default()) };
    }
}

fn check_cancel(options: *const hf_call_options) -> Result<()> {
    let o = unsafe { super::read_options(options, hf_call_options::default()) }?;
    if unsafe { o.cancel.as_ref() }.is_some_and(|t| t.inner.is_cancelled()) {
        return Err(crate::error::Error::Cancelled);
    }
    Ok(())
}

/// `hf_auth_whoami` with options (a cancel token).
#[no_mangle]
pub unsafe extern "C" fn hf_auth_whoami_ex(
    client: *const hf_client,
    options: *const hf_call_options,
    user_out: *mut *mut hf_user,
    error_out: *mut *mut hf_error,
) -> hf_status {
    let mut e2: *mut hf_error = std::ptr::null_mut();
    let s = boundary(&mut e2, || check_cancel(options));
    if s != hf_status::HF_OK {
        if !error_out.is_null() {
            unsafe { *error_out = e2 };
        } else {
            unsafe { super::status::hf_error_free(e2) };
        }
        return s;
    }
    unsafe { hf_auth_whoami(client, user_out, error_out) }
}

/// `hf_auth_login` with options (a cancel token).
#[no_mangle]
pub unsafe extern "C" fn hf_auth_login_ex(
    client: *const hf_client,
    token: *const c_char,
    options: *const hf_call_options,
    name_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    let mut e2: *mut hf_error = std::ptr::null_mut();
    let s = boundary(&mut e2, || check_cancel(options));
    if s != hf_status::HF_OK {
        if !error_out.is_null() {
            unsafe { *error_out = e2 };
        } else {
            unsafe { super::status::hf_error_free(e2) };
        }
        return s;
    }
    unsafe { hf_auth_login(client, token, name_out, error_out) }
}
