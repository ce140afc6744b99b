//! `hf_client`, its options, and `hf_cancel_token`.

use std::ffi::c_char;
use std::panic::catch_unwind;
use std::path::PathBuf;
use std::time::Duration;

use super::{arg_str, boundary, hf_error, hf_status, opt_str, out_ptr, path_c_string, read_options};
use crate::config::{normalize_endpoint, Config};
use crate::error::{Error, Result};
use crate::{CancelToken, Client};

/// A Hub client: configuration, connection pool, token. Create with `hf_client_new`, free with
/// `hf_client_free`. Thread safety: a `const hf_client *` may be used from many threads at once;
/// one client can serve a whole program.
pub struct hf_client {
    pub(crate) inner: Client,
}

/// Options of `hf_client_new`. Fill with `hf_client_options_init`, then set what you need.
/// Every field left at its initial value means "from the environment, else the default".
/// Strings are copied; they need only live during the call.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_client_options {
    /// `sizeof(hf_client_options)`, set by `hf_client_options_init`.
    pub struct_size: u32,
    /// When true, no environment variable is read: unset fields take the built-in defaults.
    pub ignore_env: bool,
    /// Hub base URL (like `HF_ENDPOINT`), e.g. `"https://huggingface.co"`. NULL: environment/default.
    pub endpoint: *const c_char,
    /// `HF_HOME`: root of the token file and the default cache. NULL: environment/default.
    pub hf_home: *const c_char,
    /// The hub cache folder (like `HF_HUB_CACHE`). NULL: environment, else `<hf_home>/hub`.
    pub cache_dir: *const c_char,
    /// An explicit token; wins over `HF_TOKEN` and the token file. NULL: none.
    pub token: *const c_char,
    /// The token file (like `HF_TOKEN_PATH`). NULL: environment, else `<hf_home>/token`.
    pub token_path: *const c_char,
    /// 1: offline (no network at all), 0: online, -1: from `HF_HUB_OFFLINE`.
    pub offline: i32,
    /// 1: send only `token`, never an implicit one; 0: send implicit tokens; -1: from the environment.
    pub disable_implicit_token: i32,
    /// Metadata HEAD timeout in milliseconds; 0: from `HF_HUB_ETAG_TIMEOUT`, default 10 s.
    pub etag_timeout_ms: u32,
    /// Download connect/read timeout in milliseconds; 0: from `HF_HUB_DOWNLOAD_TIMEOUT`, default 10 s.
    pub download_timeout_ms: u32,
    /// Extra user-agent text (e.g. `"myapp/1.2"`). NULL: none.
    pub user_agent: *const c_char,
    /// Appended as `origin/<value>` (like `HF_HUB_USER_AGENT_ORIGIN`). NULL: environment.
    pub user_agent_origin: *const c_char,
    /// 1: never create symlinks in the cache (copy/move), 0: use symlinks, -1: from the environment.
    pub disable_symlinks: i32,
    /// Retries of the patient second metadata attempt when the Hub is unreachable and nothing is
    /// cached (waits 1, 2, 4, 8, 8 s). -1: default (5); 0: fail at once.
    pub max_retries: i32,
}

impl Default for hf_client_options {
    fn default() -> Self {
        hf_client_options {
            struct_size: std::mem::size_of::<hf_client_options>() as u32,
            ignore_env: false,
            endpoint: std::ptr::null(),
            hf_home: std::ptr::null(),
            cache_dir: std::ptr::null(),
            token: std::ptr::null(),
            token_path: std::ptr::null(),
            offline: -1,
            disable_implicit_token: -1,
            etag_timeout_ms: 0,
            download_timeout_ms: 0,
            user_agent: std::ptr::null(),
            user_agent_origin: std::ptr::null(),
            disable_symlinks: -1,
            max_retries: -1,
        }
    }
}

fn tri(v: i32, current: bool, name: &str) -> Result<bool> {
    match v {
        -1 => Ok(current),
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::InvalidArgument(format!("{name} must be -1, 0 or 1"))),
    }
}

unsafe fn config_from(o: &hf_client_options) -> Result<Config> {
    let mut cfg = if o.ignore_env { Config::without_env() } else { Config::from_env() };
    // SAFETY (all opt_str calls): pointers are NULL or NUL-terminated strings (documented).
    if let Some(home) = unsafe { opt_str(o.hf_home, "hf_home") }? {
        cfg.set_hf_home(PathBuf::from(home));
    }
    if let Some(c) = unsafe { opt_str(o.cache_dir, "cache_dir") }? {
        cfg.cache_dir = PathBuf::from(c);
    }
    if let Some(t) = unsafe { opt_str(o.token_path, "token_path") }? {
        cfg.token_path = PathBuf::from(t);
    }
    if let Some(e) = unsafe { opt_str(o.endpoint, "endpoint") }? {
        cfg.endpoint = normalize_endpoint(e);
    }
    if let Some(t) = unsafe { opt_str(o.token, "token") }? {
        cfg.token = Some(crate::auth::clean_token(t).ok_or_else(|| Error::InvalidArgument("token is empty".into()))?);
    }
    if let Some(u) = unsafe { opt_str(o.user_agent, "user_agent") }? {
        cfg.user_agent = Some(u.to_string());
    }
    if let Some(u) = unsafe { opt_str(o.user_agent_origin, "user_agent_origin") }? {
        cfg.user_agent_origin = Some(u.to_string());
    }
    cfg.offline = tri(o.offline, cfg.offline, "offline")?;
    cfg.disable_implicit_token = tri(o.disable_implicit_token, cfg.disable_implicit_token, "disable_implicit_token")?;
    cfg.disable_symlinks = tri(o.disable_symlinks, cfg.disable_symlinks, "disable_symlinks")?;
    if o.etag_timeout_ms > 0 {
        cfg.etag_timeout = Duration::from_millis(u64::from(o.etag_timeout_ms));
    }
    if o.download_timeout_ms > 0 {
        cfg.download_timeout = Duration::from_millis(u64::from(o.download_timeout_ms));
    }
    match o.max_retries {
        -1 => {}
        n if n >= 0 => cfg.http_retries = n as u32,
        _ => return Err(Error::InvalidArgument("max_retries must be >= -1".into())),
    }
    Ok(cfg)
}

/// Fills `options` with the defaults ("everything from the environment") and sets `struct_size`.
/// NULL is ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_client_options_init(options: *mut hf_client_options) {
    if !options.is_null() {
        // SAFETY: the caller passes a writable hf_client_options (documented).
        unsafe { options.write(hf_client_options::default()) };
    }
}

/// Creates a client. `options` may be NULL (everything from the environment). The environment is
/// read once, here. On success `*client_out` receives a client to free with `hf_client_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL `client_out`, bad UTF-8, bad endpoint URL, bad option
/// value). `error_out` may be NULL; when set and the call fails it receives an `hf_error` to free.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_client_new(
    options: *const hf_client_options,
    client_out: *mut *mut hf_client,
    error_out: *mut *mut hf_error,
) -> hf_status {
    boundary(error_out, || {
        out_ptr(client_out, "client_out")?;
        // SAFETY: NULL or a struct initialised by hf_client_options_init (documented).
        let o = unsafe { read_options(options, hf_client_options::default()) }?;
        // SAFETY: string fields follow the documented contract.
        let cfg = unsafe { config_from(&o) }?;
        let client = Client::new(cfg)?;
        // SAFETY: checked non-NULL above.
        unsafe { *client_out = Box::into_raw(Box::new(hf_client { inner: client })) };
        Ok(())
    })
}

/// Frees a client. NULL is ignored. No call may be using the client concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_client_free(client: *mut hf_client) {
    if !client.is_null() {
        // SAFETY: came from hf_client_new.
        let _ = catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(client) })));
    }
}

/// Writes the hub cache folder this client uses into `*path_out` (free with `hf_string_free`).
/// Errors: `HF_ERR_INVALID_ARGUMENT` for NULL arguments. Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_client_cache_dir(
    client: *const hf_client,
    path_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    boundary(error_out, || {
        // SAFETY: NULL or a live client (documented).
        let client = unsafe { client.as_ref() }.ok_or_else(|| Error::InvalidArgument("client is NULL".into()))?;
        out_ptr(path_out, "path_out")?;
        let s = path_c_string(&client.inner.config().cache_dir)?;
        // SAFETY: checked non-NULL above.
        unsafe { *path_out = s.into_raw() };
        Ok(())
    })
}

pub(crate) unsafe fn client_ref<'a>(client: *const hf_client) -> Result<&'a Client> {
    // SAFETY: NULL or a live client (documented).
    unsafe { client.as_ref() }.map(|c| &c.inner).ok_or_else(|| Error::InvalidArgument("client is NULL".into()))
}

pub(crate) unsafe fn required<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    // SAFETY: forwarded.
    unsafe { arg_str(p, name) }
}

/// A cancellation flag for long calls. Create with `hf_cancel_token_new`, pass it in download
/// options, call `hf_cancel_token_cancel` from any thread; the call returns `HF_ERR_CANCELLED`
/// within about 20 ms, even while the server is silent, and publishes nothing to the cache.
/// One token may watch several calls at once.
pub struct hf_cancel_token {
    pub(crate) inner: CancelToken,
}

/// Creates a cancel token (never cancelled yet). Free with `hf_cancel_token_free`. NULL only if
/// memory is exhausted.
#[no_mangle]
pub extern "C" fn hf_cancel_token_new() -> *mut hf_cancel_token {
    Box::into_raw(Box::new(hf_cancel_token { inner: CancelToken::new() }))
}

/// Cancels every call watching this token. Safe from any thread, any number of times. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_cancel_token_cancel(token: *const hf_cancel_token) {
    // SAFETY: NULL or a live token.
    if let Some(t) = unsafe { token.as_ref() } {
        t.inner.cancel();
    }
}

/// Whether the token was cancelled. False for NULL. Safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_cancel_token_is_cancelled(token: *const hf_cancel_token) -> bool {
    // SAFETY: NULL or a live token.
    unsafe { token.as_ref() }.is_some_and(|t| t.inner.is_cancelled())
}

/// Frees a token. NULL ignored. No call may still be watching it.
#[no_mangle]
pub unsafe extern "C" fn hf_cancel_token_free(token: *mut hf_cancel_token) {
    if !token.is_null() {
        // SAFETY: came from hf_cancel_token_new.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(token) }));
    }
}
