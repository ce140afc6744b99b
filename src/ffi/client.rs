//! `hf_client`, its options, and `hf_cancel_token`.

use std::ffi::c_char;
use std::time::Duration;

use super::args::{init_options, opt_str, out_ptr, path_c_string, read_options, write_out, Options};
use super::handle::Handle;
use super::{hf_error, hf_status};
use crate::client::Client;
use crate::config::{Config, ConfigBuilder};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// A Hub client: configuration, connection pool, token. Create with `hf_client_new`, free with
/// `hf_client_free`. Thread safety: a `const hf_client *` may be used from many threads at once;
/// one client can serve a whole program.
pub struct hf_client {
    pub(crate) inner: Client,
}

impl Handle for hf_client {
    const NAME: &'static str = "client";
}

/// Borrow the core client of a required `hf_client` argument.
pub(crate) unsafe fn client_ref<'a>(client: *const hf_client) -> Result<&'a Client> {
    // SAFETY: forwarded contract (NULL or a live client).
    unsafe { hf_client::try_ref(client) }.map(|c| &c.inner)
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
    /// Hub base URL (like `HF_ENDPOINT`), for example `"https://huggingface.co"`. NULL: environment/default.
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
    /// Extra user-agent text, for example `"myapp/1.2"`. NULL: none.
    pub user_agent: *const c_char,
    /// Appended as `origin/<value>` (like `HF_HUB_USER_AGENT_ORIGIN`). NULL: environment.
    pub user_agent_origin: *const c_char,
    /// 1: never create symlinks in the cache (copy/move), 0: use symlinks, -1: from the environment.
    pub disable_symlinks: i32,
    /// Retries of the patient second metadata attempt when the Hub is unreachable and nothing is
    /// cached (waits 1, 2, 4, 8, 8 s). -1: default (5); 0: fail at once.
    pub max_retries: i32,
    /// A cache size quota in bytes: after each download that adds a blob, the least recently used
    /// revisions are evicted down to this size (never the revision just downloaded, never what
    /// another download holds locked). 0: no quota (the default). Added in 0.1 after
    /// `max_retries`; a struct from an older header (without this field) is still accepted.
    pub cache_max_bytes: u64,
    /// 1: sync each blob (and its folder) to stable storage before publishing it, writeback
    /// started during the download; 0: do not (the default, like every Hub client: a killed
    /// process never publishes a wrong blob, only a power loss could lose the newest ones);
    /// -1: from `HF_HUB_C_DURABLE`.
    pub durable: i32,
    /// A bandwidth cap in bytes per second, shared by every transfer of this client. 0: none.
    pub max_bytes_per_sec: u64,
    /// Parallel ranged connections ("lanes") for one large file: each asks for `lane_chunk_bytes`
    /// at a time, written in place into one preallocated file, the SHA-256 computed as the start
    /// of the file completes. 1: every file is one stream. 0: from `HF_HUB_C_LANES`, default 8.
    /// At most 64. Added after `max_bytes_per_sec`; older structs are still accepted.
    pub lanes: u32,
    /// Bytes each range request of a lane asks for (at least 65536). 0: from
    /// `HF_HUB_C_LANE_CHUNK`, default 16 MiB (less for a file too small to give every lane one).
    pub lane_chunk_bytes: u64,
    /// Files smaller than this are fetched as one stream. 0: from `HF_HUB_C_LANES_MIN_SIZE`,
    /// default 16 MiB.
    pub lanes_min_size: u64,
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
            cache_max_bytes: 0,
            durable: -1,
            max_bytes_per_sec: 0,
            lanes: 0,
            lane_chunk_bytes: 0,
            lanes_min_size: 0,
        }
    }
}

impl Options for hf_client_options {
    /// The first header (up to `max_retries`), then with `cache_max_bytes`, then with `durable`
    /// and `max_bytes_per_sec`, and now.
    const KNOWN_SIZES: &'static [usize] = &[
        std::mem::offset_of!(hf_client_options, cache_max_bytes),
        std::mem::offset_of!(hf_client_options, durable),
        std::mem::offset_of!(hf_client_options, lanes),
        std::mem::size_of::<hf_client_options>(),
    ];
    const NAME: &'static str = "hf_client_options";
}

fn tri(v: i32, name: &str) -> Result<Option<bool>> {
    match v {
        -1 => Ok(None),
        0 => Ok(Some(false)),
        1 => Ok(Some(true)),
        _ => Err(Error::InvalidArgument(format!("{name} must be -1, 0 or 1"))),
    }
}

/// Convert the options into a validated configuration (the checks live in `ConfigBuilder`).
unsafe fn config_from(o: &hf_client_options) -> Result<Config> {
    let mut b: ConfigBuilder = if o.ignore_env { Config::builder_without_env() } else { Config::builder() };
    // SAFETY (all opt_str calls): pointers are NULL or NUL-terminated strings (documented).
    if let Some(home) = unsafe { opt_str(o.hf_home, "hf_home") }? {
        b = b.hf_home(home);
    }
    if let Some(c) = unsafe { opt_str(o.cache_dir, "cache_dir") }? {
        b = b.cache_dir(c);
    }
    if let Some(t) = unsafe { opt_str(o.token_path, "token_path") }? {
        b = b.token_path(t);
    }
    if let Some(e) = unsafe { opt_str(o.endpoint, "endpoint") }? {
        b = b.endpoint(e);
    }
    if let Some(t) = unsafe { opt_str(o.token, "token") }? {
        b = b.token(t);
    }
    if let Some(u) = unsafe { opt_str(o.user_agent, "user_agent") }? {
        b = b.user_agent(u);
    }
    if let Some(u) = unsafe { opt_str(o.user_agent_origin, "user_agent_origin") }? {
        b = b.user_agent_origin(u);
    }
    if let Some(v) = tri(o.offline, "offline")? {
        b = b.offline(v);
    }
    if let Some(v) = tri(o.disable_implicit_token, "disable_implicit_token")? {
        b = b.disable_implicit_token(v);
    }
    if let Some(v) = tri(o.disable_symlinks, "disable_symlinks")? {
        b = b.disable_symlinks(v);
    }
    if o.etag_timeout_ms > 0 {
        b = b.etag_timeout(Duration::from_millis(u64::from(o.etag_timeout_ms)));
    }
    if o.download_timeout_ms > 0 {
        b = b.download_timeout(Duration::from_millis(u64::from(o.download_timeout_ms)));
    }
    if o.cache_max_bytes > 0 {
        b = b.cache_max_bytes(Some(o.cache_max_bytes));
    }
    if let Some(v) = tri(o.durable, "durable")? {
        b = b.durable(v);
    }
    if o.max_bytes_per_sec > 0 {
        b = b.max_bytes_per_sec(Some(o.max_bytes_per_sec));
    }
    if o.lanes > 0 {
        b = b.lanes(o.lanes);
    }
    if o.lane_chunk_bytes > 0 {
        b = b.lane_chunk(o.lane_chunk_bytes);
    }
    if o.lanes_min_size > 0 {
        b = b.lanes_min_size(o.lanes_min_size);
    }
    match o.max_retries {
        -1 => {}
        n if n >= 0 => b = b.http_retries(n as u32),
        _ => return Err(Error::InvalidArgument("max_retries must be >= -1".into())),
    }
    b.build()
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_client_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_client_options_init_sized(options: *mut hf_client_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// Creates a client. `options` may be NULL (everything from the environment). The environment is
/// read once, here. On success `*client_out` receives a client to free with `hf_client_free`.
///
/// Errors: `HF_ERR_INVALID_ARGUMENT` (NULL `client_out`, bad UTF-8, bad endpoint URL, bad option
/// value, a `struct_size` this library does not know). `error_out` may be NULL; when set and the
/// call fails it receives an `hf_error` to free.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_client_new(
    options: *const hf_client_options,
    client_out: *mut *mut hf_client,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        out_ptr(client_out, "client_out")?;
        // SAFETY: NULL or a struct initialised by hf_client_options_init (documented).
        let o = unsafe { read_options(options) }?;
        // SAFETY: string fields follow the documented contract.
        let cfg = unsafe { config_from(&o) }?;
        hf_client { inner: Client::new(cfg)? }.into_out(client_out);
        Ok(())
    })
}

/// Frees a client. NULL is ignored. No call may be using the client concurrently.
#[no_mangle]
pub unsafe extern "C" fn hf_client_free(client: *mut hf_client) {
    ffi_guard!((), {
        // SAFETY: NULL or a client from hf_client_new, freed once (documented contract).
        unsafe { hf_client::free(client) }
    })
}

/// Writes the hub cache folder this client uses into `*path_out` (free with `hf_string_free`).
/// Errors: `HF_ERR_INVALID_ARGUMENT` for NULL arguments. Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_client_cache_dir(
    client: *const hf_client,
    path_out: *mut *mut c_char,
    error_out: *mut *mut hf_error,
) -> hf_status {
    ffi_call!(error_out, {
        // SAFETY: NULL or a live client (documented).
        let client = unsafe { client_ref(client) }?;
        out_ptr(path_out, "path_out")?;
        write_out(path_out, path_c_string(&client.config().cache_dir)?.into_raw());
        Ok(())
    })
}

/// A cancellation flag for long calls. Create with `hf_cancel_token_new`, pass it in a call's
/// options, call `hf_cancel_token_cancel` from any thread: the call aborts its request at once
/// (well within 50 ms, even while the server is silent), returns `HF_ERR_CANCELLED`, and
/// publishes nothing to the cache. One token may watch several calls at once.
pub struct hf_cancel_token {
    pub(crate) inner: CancelToken,
}

impl Handle for hf_cancel_token {
    const NAME: &'static str = "cancel token";
}

/// Creates a cancel token (never cancelled yet). Free with `hf_cancel_token_free`. NULL only if
/// memory is exhausted.
#[no_mangle]
pub extern "C" fn hf_cancel_token_new() -> *mut hf_cancel_token {
    ffi_guard!(std::ptr::null_mut(), { Box::into_raw(Box::new(hf_cancel_token { inner: CancelToken::new() })) })
}

/// Cancels every call watching this token. Safe from any thread, any number of times. NULL ignored.
#[no_mangle]
pub unsafe extern "C" fn hf_cancel_token_cancel(token: *const hf_cancel_token) {
    ffi_guard!((), {
        // SAFETY: NULL or a live token.
        if let Some(t) = unsafe { hf_cancel_token::opt_ref(token) } {
            t.inner.cancel();
        }
    })
}

/// Whether the token was cancelled. False for NULL. Safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn hf_cancel_token_is_cancelled(token: *const hf_cancel_token) -> bool {
    ffi_guard!(false, {
        // SAFETY: NULL or a live token.
        unsafe { hf_cancel_token::opt_ref(token) }.is_some_and(|t| t.inner.is_cancelled())
    })
}

/// Frees a token. NULL ignored. No call may still be watching it.
#[no_mangle]
pub unsafe extern "C" fn hf_cancel_token_free(token: *mut hf_cancel_token) {
    ffi_guard!((), {
        // SAFETY: NULL or a token from hf_cancel_token_new, freed once.
        unsafe { hf_cancel_token::free(token) }
    })
}

/// Options of the calls that take no other options but may touch the network
/// (`hf_auth_whoami_ex`, `hf_auth_login_ex`). Fill with `hf_call_options_init`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct hf_call_options {
    /// `sizeof(hf_call_options)`, set by `hf_call_options_init`.
    pub struct_size: u32,
    /// A cancel token, or NULL. Borrowed for the duration of the call.
    pub cancel: *const hf_cancel_token,
}

impl Default for hf_call_options {
    fn default() -> Self {
        hf_call_options { struct_size: std::mem::size_of::<hf_call_options>() as u32, cancel: std::ptr::null() }
    }
}

impl Options for hf_call_options {
    const KNOWN_SIZES: &'static [usize] = &[std::mem::size_of::<hf_call_options>()];
    const NAME: &'static str = "hf_call_options";
}

/// Fills the first `struct_size` bytes of `*options` with the defaults and sets `struct_size`.
/// Call it through the macro `hf_call_options_init(options)`, which passes `sizeof(*options)`: a program
/// built with an older header (a smaller struct) is then safe with a newer library. NULL is
/// ignored. Thread safety: touches only `*options`.
#[no_mangle]
pub unsafe extern "C" fn hf_call_options_init_sized(options: *mut hf_call_options, struct_size: u32) {
    ffi_guard!((), { init_options(options, struct_size) })
}

/// The cancel token of an `hf_call_options` (NULL options → none).
pub(crate) unsafe fn call_cancel<'a>(options: *const hf_call_options) -> Result<Option<&'a CancelToken>> {
    // SAFETY: NULL or an initialised struct (documented).
    let o = unsafe { read_options(options) }?;
    // SAFETY: NULL or a live token for the duration of the call.
    Ok(unsafe { hf_cancel_token::opt_ref(o.cancel) }.map(|t| &t.inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::download::{hf_download_options, hf_download_options_init_sized, hf_file_download};

    /// Defect 3: a `struct_size` the library does not know (0, 12, 20, one past the end…) is
    /// `HF_ERR_INVALID_ARGUMENT`; nothing past the claimed size is read.
    #[test]
    fn lane_options() {
        let new = |o: &hf_client_options| {
            let mut c: *mut hf_client = std::ptr::null_mut();
            let st = unsafe { hf_client_new(o, &mut c, std::ptr::null_mut()) };
            let cfg = (st == hf_status::HF_OK).then(|| unsafe { &*c }.inner.config().clone());
            unsafe { hf_client_free(c) };
            (st, cfg)
        };
        let base = hf_client_options { ignore_env: true, offline: 1, ..Default::default() };
        let cfg = new(&base).1.unwrap();
        assert_eq!((cfg.lanes, cfg.lane_chunk, cfg.lanes_min_size), (8, 16 << 20, 16 << 20), "defaults");
        let set = hf_client_options { lanes: 3, lane_chunk_bytes: 65536, lanes_min_size: 1, ..base };
        let cfg = new(&set).1.unwrap();
        assert_eq!((cfg.lanes, cfg.lane_chunk, cfg.lanes_min_size), (3, 65536, 1));
        // The struct before the lane fields: they are not read.
        let old = hf_client_options { struct_size: std::mem::offset_of!(hf_client_options, lanes) as u32, ..set };
        assert_eq!(new(&old).1.unwrap().lanes, 8);
        for bad in [hf_client_options { lanes: 65, ..base }, hf_client_options { lane_chunk_bytes: 65535, ..base }] {
            assert_eq!(new(&bad).0, hf_status::HF_ERR_INVALID_ARGUMENT);
        }
    }

    #[test]
    fn unknown_struct_sizes_are_rejected() {
        let real = std::mem::size_of::<hf_client_options>() as u32;
        for size in [0u32, 1, 4, 8, 12, 20, real - 4, real + 1, real + 8, 4096, u32::MAX] {
            let mut o = hf_client_options::default();
            unsafe { hf_client_options_init_sized(&mut o, std::mem::size_of::<hf_client_options>() as u32) };
            o.struct_size = size;
            let mut client: *mut hf_client = std::ptr::null_mut();
            let st = unsafe { hf_client_new(&o, &mut client, std::ptr::null_mut()) };
            assert_eq!(st, hf_status::HF_ERR_INVALID_ARGUMENT, "size {size}");
            assert!(client.is_null());
        }
        // The struct of the first header (before `cache_max_bytes`) is still accepted.
        let old = hf_client_options {
            struct_size: std::mem::offset_of!(hf_client_options, cache_max_bytes) as u32,
            ignore_env: true,
            offline: 1,
            cache_max_bytes: 12345, // beyond the old size: must not be read
            ..Default::default()
        };
        let mut c_old: *mut hf_client = std::ptr::null_mut();
        assert_eq!(unsafe { hf_client_new(&old, &mut c_old, std::ptr::null_mut()) }, hf_status::HF_OK);
        assert_eq!(unsafe { &*c_old }.inner.config().cache_max_bytes, None);
        unsafe { hf_client_free(c_old) };
        let o = hf_client_options { ignore_env: true, offline: 1, cache_max_bytes: 7, ..Default::default() };
        let mut client: *mut hf_client = std::ptr::null_mut();
        assert_eq!(unsafe { hf_client_new(&o, &mut client, std::ptr::null_mut()) }, hf_status::HF_OK);
        assert_eq!(unsafe { &*client }.inner.config().cache_max_bytes, Some(7));
        let dreal = std::mem::size_of::<hf_download_options>() as u32;
        for size in [0u32, 12, dreal - 4, dreal - 12, dreal + 8] {
            let mut d = hf_download_options::default();
            unsafe { hf_download_options_init_sized(&mut d, std::mem::size_of::<hf_download_options>() as u32) };
            d.struct_size = size;
            let mut path: *mut c_char = std::ptr::null_mut();
            let mut err: *mut hf_error = std::ptr::null_mut();
            let st = unsafe { hf_file_download(client, c"a/b".as_ptr(), c"f".as_ptr(), &d, &mut path, &mut err) };
            assert_eq!(st, hf_status::HF_ERR_INVALID_ARGUMENT, "size {size}");
            let msg = unsafe { std::ffi::CStr::from_ptr(crate::ffi::status::hf_error_message(err)) };
            assert!(msg.to_str().unwrap().contains("struct_size"), "{msg:?}");
            unsafe { crate::ffi::status::hf_error_free(err) };
        }
        let c = hf_call_options { struct_size: 12, ..Default::default() };
        assert!(unsafe { call_cancel(&c) }.is_err());
        unsafe { hf_client_free(client) };
    }
}

#[cfg(test)]
mod init_tests {
    use super::*;

    /// A program built with an older header passes its smaller sizeof: nothing past it is written
    /// (the struct is followed by the caller's other data), and the defaults of the fields it has
    /// are.
    #[test]
    fn init_writes_only_the_callers_size() {
        let old = std::mem::offset_of!(hf_client_options, cache_max_bytes);
        let mut buf = [0xAAu8; 256];
        unsafe { hf_client_options_init_sized(buf.as_mut_ptr() as *mut hf_client_options, old as u32) };
        assert_eq!(u32::from_ne_bytes(buf[..4].try_into().unwrap()) as usize, old);
        assert!(buf[old..].iter().all(|b| *b == 0xAA), "wrote past the caller's struct");
        let read = unsafe { crate::ffi::args::read_options(buf.as_ptr() as *const hf_client_options) }.unwrap();
        assert_eq!(read.cache_max_bytes, 0, "fields the old struct lacks keep their defaults");
        // An unknown size: only struct_size is written, and the next call refuses it.
        let mut buf = [0xAAu8; 256];
        unsafe { hf_client_options_init_sized(buf.as_mut_ptr() as *mut hf_client_options, 90) };
        assert_eq!(u32::from_ne_bytes(buf[..4].try_into().unwrap()), 90);
        assert!(buf[4..].iter().all(|b| *b == 0xAA));
        assert!(unsafe { crate::ffi::args::read_options(buf.as_ptr() as *const hf_client_options) }.is_err());
        // Tiny sizes and NULL write nothing.
        let mut buf = [0xAAu8; 8];
        unsafe { hf_client_options_init_sized(buf.as_mut_ptr() as *mut hf_client_options, 2) };
        assert!(buf.iter().all(|b| *b == 0xAA));
        unsafe { hf_client_options_init_sized(std::ptr::null_mut(), 112) };
    }
}
