//! Configuration: every environment variable the library honours, resolved once into a [`Config`]
//! when a client is created (hub-protocol.md §2.1 and §6). Each field can then be overridden per client.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
pub use crate::pycompat::is_truthy;
use crate::pycompat::{clean_token, expand_user, expand_vars};
use reqwest::Url;

/// The default Hub endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Everything a [`crate::Client`] needs to know about its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the Hub, without a trailing `/` (`HF_ENDPOINT`).
    pub endpoint: String,
    /// `HF_HOME`: root of the token file and the default cache.
    pub hf_home: PathBuf,
    /// The hub cache folder (`HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, `$HF_HOME/hub`).
    pub cache_dir: PathBuf,
    /// The token file (`HF_TOKEN_PATH`, `$HF_HOME/token`); `stored_tokens` sits beside it.
    pub token_path: PathBuf,
    /// An explicit token for this client. Wins over every other source.
    pub token: Option<String>,
    /// The token from `HF_TOKEN` / `HUGGING_FACE_HUB_TOKEN`, read when the config was built.
    pub env_token: Option<String>,
    /// Never touch the network (`HF_HUB_OFFLINE`, else `TRANSFORMERS_OFFLINE`).
    pub offline: bool,
    /// Timeout of the metadata HEAD (`HF_HUB_ETAG_TIMEOUT`, default 10 s).
    pub etag_timeout: Duration,
    /// Connect and read-inactivity timeout of downloads (`HF_HUB_DOWNLOAD_TIMEOUT`, default 10 s).
    pub download_timeout: Duration,
    /// Appended to the user agent as `origin/<value>` (`HF_HUB_USER_AGENT_ORIGIN`).
    pub user_agent_origin: Option<String>,
    /// Extra user-agent text from the caller, appended as-is.
    pub user_agent: Option<String>,
    /// Send only an explicitly configured token (`HF_HUB_DISABLE_IMPLICIT_TOKEN`).
    pub disable_implicit_token: bool,
    /// Never create symlinks in the cache (`HF_HUB_DISABLE_SYMLINKS`): copy or move instead.
    pub disable_symlinks: bool,
    /// Retries of the patient second metadata attempt (default 5, waits 1, 2, 4, 8, 8 s).
    pub http_retries: u32,
    /// Honour `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` (true when built from the environment).
    pub use_env_proxy: bool,
    /// A size quota for the cache: after each download that publishes a new blob, the least
    /// recently used revisions are evicted down to this many bytes (never the one just
    /// downloaded, never what a download holds). `None`: no quota.
    pub cache_max_bytes: Option<u64>,
    /// Sync each downloaded blob (and its folder) to stable storage before publishing it, with
    /// writeback started while the download runs (`HF_HUB_C_DURABLE`, a variable of this library).
    /// Off by default, like every other Hub client: a killed process still never publishes a
    /// wrong blob (the rename follows verification); only a power loss could lose recent blobs.
    pub durable: bool,
    /// A bandwidth cap in bytes per second for all transfers of the client together. `None`: none.
    pub max_bytes_per_sec: Option<u64>,
    /// Parallel ranged connections ("lanes") for one large file (`HF_HUB_C_LANES`, a variable of
    /// this library; default [`DEFAULT_LANES`]). 1: every file is one stream.
    pub lanes: u32,
    /// Bytes each range request of a lane asks for (`HF_HUB_C_LANE_CHUNK`; default
    /// [`DEFAULT_LANE_CHUNK`]); less for a file too small to give every lane a chunk.
    pub lane_chunk: u64,
    /// Files smaller than this are one stream (`HF_HUB_C_LANES_MIN_SIZE`; default
    /// [`DEFAULT_LANES_MIN_SIZE`]).
    pub lanes_min_size: u64,
}

/// Default of [`Config::lanes`].
pub const DEFAULT_LANES: u32 = 8;
/// Default of [`Config::lane_chunk`].
pub const DEFAULT_LANE_CHUNK: u64 = 16 << 20;
/// Default of [`Config::lanes_min_size`].
pub const DEFAULT_LANES_MIN_SIZE: u64 = 16 << 20;

impl Default for Config {
    /// The configuration of an empty environment (same as [`Config::without_env`]).
    fn default() -> Self {
        Config::without_env()
    }
}

impl Config {
    /// Read the process environment.
    pub fn from_env() -> Config {
        Config { use_env_proxy: true, ..Config::from_lookup(&|k| std::env::var(k).ok()) }
    }

    /// Ignore the environment entirely: defaults only (the home folder still comes from the system).
    pub fn without_env() -> Config {
        Config::from_lookup(&|_| None)
    }

    /// Build from any variable lookup (the process environment, a snapshot, a test map).
    pub fn from_lookup(env: &dyn Fn(&str) -> Option<String>) -> Config {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        let expand = |p: &str| PathBuf::from(expand_vars(&expand_user(p, env), env));

        let endpoint = normalize_endpoint(&get("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string()));
        let hf_home = match get("HF_HOME") {
            Some(h) => expand(&h),
            None => match get("XDG_CACHE_HOME") {
                Some(x) => expand(&format!("{x}/huggingface")),
                None => expand("~/.cache/huggingface"),
            },
        };
        // Python expands the joined default again (so a `$VAR` produced by HF_HOME expands twice).
        let under_home = |leaf: &str| expand(&hf_home.join(leaf).to_string_lossy());
        let cache_dir = match get("HF_HUB_CACHE").or_else(|| get("HUGGINGFACE_HUB_CACHE")) {
            Some(c) => expand(&c),
            None => under_home("hub"),
        };
        let token_path = match get("HF_TOKEN_PATH") {
            Some(p) => expand(&p),
            None => under_home("token"),
        };
        // Python: `_clean_token(HF_TOKEN or HUGGING_FACE_HUB_TOKEN)`: a blank HF_TOKEN hides the legacy one.
        let env_token = get("HF_TOKEN").or_else(|| get("HUGGING_FACE_HUB_TOKEN")).and_then(|t| clean_token(&t));
        let offline = match get("HF_HUB_OFFLINE") {
            Some(v) => is_truthy(&v),
            None => get("TRANSFORMERS_OFFLINE").is_some_and(|v| is_truthy(&v)),
        };
        Config {
            endpoint,
            hf_home,
            cache_dir,
            token_path,
            token: None,
            env_token,
            offline,
            etag_timeout: secs_var(get("HF_HUB_ETAG_TIMEOUT")),
            download_timeout: secs_var(get("HF_HUB_DOWNLOAD_TIMEOUT")),
            user_agent_origin: get("HF_HUB_USER_AGENT_ORIGIN"),
            user_agent: None,
            disable_implicit_token: get("HF_HUB_DISABLE_IMPLICIT_TOKEN").is_some_and(|v| is_truthy(&v)),
            disable_symlinks: get("HF_HUB_DISABLE_SYMLINKS").is_some_and(|v| is_truthy(&v)),
            http_retries: 5,
            use_env_proxy: false,
            cache_max_bytes: None,
            durable: get("HF_HUB_C_DURABLE").is_some_and(|v| is_truthy(&v)),
            max_bytes_per_sec: None,
            lanes: int_var(get("HF_HUB_C_LANES")).map_or(DEFAULT_LANES, |n| n.clamp(1, MAX_LANES as u64) as u32),
            lane_chunk: int_var(get("HF_HUB_C_LANE_CHUNK")).unwrap_or(DEFAULT_LANE_CHUNK),
            lanes_min_size: int_var(get("HF_HUB_C_LANES_MIN_SIZE")).unwrap_or(DEFAULT_LANES_MIN_SIZE),
        }
    }

    /// Change `HF_HOME` and everything derived from it that was not set on its own.
    pub fn set_hf_home(&mut self, home: PathBuf) {
        if self.cache_dir == self.hf_home.join("hub") {
            self.cache_dir = home.join("hub");
        }
        if self.token_path == self.hf_home.join("token") {
            self.token_path = home.join("token");
        }
        self.hf_home = home;
    }

    /// The `stored_tokens` file: always beside the token file.
    pub fn stored_tokens_path(&self) -> PathBuf {
        self.token_path.parent().unwrap_or(Path::new(".")).join("stored_tokens")
    }
}

impl Config {
    /// Check what a client cannot work without: the endpoint is an `http(s)` URL with a host, and
    /// an explicit token is not blank. Returns the endpoint as a URL.
    pub fn validate(&self) -> Result<Url> {
        let endpoint = Url::parse(&self.endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| Error::InvalidArgument(format!("endpoint {:?} is not an http(s) URL", self.endpoint)))?;
        if self.lanes == 0 || self.lanes > MAX_LANES {
            return Err(Error::InvalidArgument(format!("lanes must be between 1 and {MAX_LANES}")));
        }
        if self.lane_chunk < MIN_LANE_CHUNK {
            return Err(Error::InvalidArgument(format!("lane_chunk must be at least {MIN_LANE_CHUNK} bytes")));
        }
        if self.max_bytes_per_sec == Some(0) {
            return Err(Error::InvalidArgument("max_bytes_per_sec must be positive (None: no cap)".into()));
        }
        if self.token.as_deref().is_some_and(|t| clean_token(t).as_deref() != Some(t)) {
            return Err(Error::InvalidArgument("token is empty or has surrounding whitespace/newlines".into()));
        }
        Ok(endpoint)
    }

    /// A builder starting from the process environment.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder { cfg: Config::from_env() }
    }

    /// A builder starting from the built-in defaults (no environment at all).
    pub fn builder_without_env() -> ConfigBuilder {
        ConfigBuilder { cfg: Config::without_env() }
    }
}

/// Builds a validated [`Config`]: each setter overrides what the environment (or the defaults)
/// gave; [`ConfigBuilder::build`] normalizes and validates (endpoint, token).
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    cfg: Config,
}

impl ConfigBuilder {
    /// The Hub base URL (like `HF_ENDPOINT`); a trailing `/` is dropped.
    pub fn endpoint(mut self, e: &str) -> Self {
        self.cfg.endpoint = normalize_endpoint(e);
        self
    }

    /// `HF_HOME`, and what derives from it unless set on its own.
    pub fn hf_home(mut self, p: impl Into<PathBuf>) -> Self {
        self.cfg.set_hf_home(p.into());
        self
    }

    /// The hub cache folder.
    pub fn cache_dir(mut self, p: impl Into<PathBuf>) -> Self {
        self.cfg.cache_dir = p.into();
        self
    }

    /// The token file.
    pub fn token_path(mut self, p: impl Into<PathBuf>) -> Self {
        self.cfg.token_path = p.into();
        self
    }

    /// An explicit token, cleaned like Python's `_clean_token`; a blank one is an error at `build`.
    pub fn token(mut self, t: &str) -> Self {
        self.cfg.token = Some(clean_token(t).unwrap_or_default());
        self
    }

    /// Extra user-agent text.
    pub fn user_agent(mut self, u: &str) -> Self {
        self.cfg.user_agent = Some(u.to_string());
        self
    }

    /// `origin/<value>` in the user agent.
    pub fn user_agent_origin(mut self, u: &str) -> Self {
        self.cfg.user_agent_origin = Some(u.to_string());
        self
    }

    /// No network at all.
    pub fn offline(mut self, v: bool) -> Self {
        self.cfg.offline = v;
        self
    }

    /// Send only the explicit token.
    pub fn disable_implicit_token(mut self, v: bool) -> Self {
        self.cfg.disable_implicit_token = v;
        self
    }

    /// Never create symlinks in the cache.
    pub fn disable_symlinks(mut self, v: bool) -> Self {
        self.cfg.disable_symlinks = v;
        self
    }

    /// Timeout of the metadata HEAD.
    pub fn etag_timeout(mut self, d: Duration) -> Self {
        self.cfg.etag_timeout = d;
        self
    }

    /// Connect and read-inactivity timeout of downloads.
    pub fn download_timeout(mut self, d: Duration) -> Self {
        self.cfg.download_timeout = d;
        self
    }

    /// Retries of the patient metadata attempts.
    pub fn http_retries(mut self, n: u32) -> Self {
        self.cfg.http_retries = n;
        self
    }

    /// A cache size quota enforced after each download (see [`Config::cache_max_bytes`]).
    pub fn cache_max_bytes(mut self, max: Option<u64>) -> Self {
        self.cfg.cache_max_bytes = max;
        self
    }

    /// Sync blobs before publishing them (see [`Config::durable`]).
    pub fn durable(mut self, v: bool) -> Self {
        self.cfg.durable = v;
        self
    }

    /// A bandwidth cap for all transfers of the client (see [`Config::max_bytes_per_sec`]).
    pub fn max_bytes_per_sec(mut self, max: Option<u64>) -> Self {
        self.cfg.max_bytes_per_sec = max;
        self
    }

    /// Parallel ranged connections for one large file (see [`Config::lanes`]; 1: one stream).
    pub fn lanes(mut self, n: u32) -> Self {
        self.cfg.lanes = n;
        self
    }

    /// Bytes per range request of a lane (see [`Config::lane_chunk`]).
    pub fn lane_chunk(mut self, bytes: u64) -> Self {
        self.cfg.lane_chunk = bytes;
        self
    }

    /// Files below this size are one stream (see [`Config::lanes_min_size`]).
    pub fn lanes_min_size(mut self, bytes: u64) -> Self {
        self.cfg.lanes_min_size = bytes;
        self
    }

    /// Validate and return the configuration.
    pub fn build(self) -> Result<Config> {
        self.cfg.validate()?;
        Ok(self.cfg)
    }
}

/// Strip trailing `/` from an endpoint.
pub fn normalize_endpoint(e: &str) -> String {
    e.trim().trim_end_matches('/').to_string()
}

/// Most lanes accepted.
pub const MAX_LANES: u32 = 64;
/// Smallest lane chunk accepted.
pub const MIN_LANE_CHUNK: u64 = 64 << 10;

/// A positive integer (bytes, a count); anything else is unset.
fn int_var(v: Option<String>) -> Option<u64> {
    v.and_then(|s| s.trim().parse::<u64>().ok()).filter(|n| *n > 0)
}

/// Integer seconds; `0`, empty or unparsable → the default of 10 s (Python's `int(x) or default`).
fn secs_var(v: Option<String>) -> Duration {
    let secs = v.and_then(|s| s.trim().parse::<f64>().ok()).filter(|s| *s > 0.0 && s.is_finite());
    Duration::from_secs_f64(secs.unwrap_or(DEFAULT_TIMEOUT_SECS as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(&move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = cfg(&[("HOME", "/home/u")]);
        assert_eq!(c.endpoint, "https://huggingface.co");
        assert_eq!(c.hf_home, PathBuf::from("/home/u/.cache/huggingface"));
        assert_eq!(c.cache_dir, PathBuf::from("/home/u/.cache/huggingface/hub"));
        assert_eq!(c.token_path, PathBuf::from("/home/u/.cache/huggingface/token"));
        assert_eq!(c.stored_tokens_path(), PathBuf::from("/home/u/.cache/huggingface/stored_tokens"));
        assert!(!c.offline);
        assert_eq!(c.etag_timeout, Duration::from_secs(10));
        assert_eq!(c.env_token, None);
    }

    #[test]
    fn precedence() {
        let c = cfg(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/xdg")]);
        assert_eq!(c.hf_home, PathBuf::from("/xdg/huggingface"));
        let c = cfg(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/xdg"), ("HF_HOME", "~/hf")]);
        assert_eq!(c.hf_home, PathBuf::from("/h/hf"));
        assert_eq!(c.cache_dir, PathBuf::from("/h/hf/hub"));
        let c = cfg(&[("HF_HOME", "/a"), ("HUGGINGFACE_HUB_CACHE", "/legacy")]);
        assert_eq!(c.cache_dir, PathBuf::from("/legacy"));
        let c = cfg(&[("HF_HOME", "/a"), ("HUGGINGFACE_HUB_CACHE", "/legacy"), ("HF_HUB_CACHE", "$HF_HOME/c")]);
        assert_eq!(c.cache_dir, PathBuf::from("/a/c"));
        let c = cfg(&[("HF_HOME", "/a"), ("HF_TOKEN_PATH", "${HF_HOME}/t/tok")]);
        assert_eq!(c.token_path, PathBuf::from("/a/t/tok"));
        assert_eq!(c.stored_tokens_path(), PathBuf::from("/a/t/stored_tokens"));
    }

    #[test]
    fn tokens_offline_timeouts() {
        let c = cfg(&[("HF_TOKEN", ""), ("HUGGING_FACE_HUB_TOKEN", " hf_legacy\n")]);
        assert_eq!(c.env_token.as_deref(), Some("hf_legacy"));
        let c = cfg(&[("HF_TOKEN", "hf_new"), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy")]);
        assert_eq!(c.env_token.as_deref(), Some("hf_new"));
        let c = cfg(&[("HF_TOKEN", " \n"), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy")]);
        assert_eq!(c.env_token, None, "a blank HF_TOKEN hides the legacy variable, as in Python");
        assert!(cfg(&[("HF_HUB_OFFLINE", "yes")]).offline);
        assert!(cfg(&[("TRANSFORMERS_OFFLINE", "1")]).offline);
        assert!(!cfg(&[("HF_HUB_OFFLINE", "0"), ("TRANSFORMERS_OFFLINE", "1")]).offline);
        assert!(cfg(&[("HF_HUB_OFFLINE", ""), ("TRANSFORMERS_OFFLINE", "true")]).offline);
        assert_eq!(cfg(&[("HF_HUB_ETAG_TIMEOUT", "3")]).etag_timeout, Duration::from_secs(3));
        assert_eq!(cfg(&[("HF_HUB_ETAG_TIMEOUT", "0")]).etag_timeout, Duration::from_secs(10));
        assert_eq!(cfg(&[("HF_HUB_DOWNLOAD_TIMEOUT", "x")]).download_timeout, Duration::from_secs(10));
        assert_eq!(cfg(&[("HF_ENDPOINT", "http://127.0.0.1:9/")]).endpoint, "http://127.0.0.1:9");
        assert_eq!(cfg(&[("HF_HUB_USER_AGENT_ORIGIN", "ci")]).user_agent_origin.as_deref(), Some("ci"));
        assert!(cfg(&[("HF_HUB_DISABLE_IMPLICIT_TOKEN", "on")]).disable_implicit_token);
    }

    #[test]
    fn set_home_moves_derived_paths_only() {
        let mut c = cfg(&[("HF_HOME", "/a")]);
        c.set_hf_home(PathBuf::from("/b"));
        assert_eq!(c.cache_dir, PathBuf::from("/b/hub"));
        assert_eq!(c.token_path, PathBuf::from("/b/token"));
        let mut c = cfg(&[("HF_HOME", "/a"), ("HF_HUB_CACHE", "/c")]);
        c.set_hf_home(PathBuf::from("/b"));
        assert_eq!(c.cache_dir, PathBuf::from("/c"));
    }

    /// The paths agree with what Python computes from the same variables (non-empty values; an empty
    /// variable counts as unset here, where Python would produce a relative path).
    #[cfg(unix)]
    #[test]
    fn paths_match_python() {
        let script = r#"
import os
default_home = os.path.join(os.path.expanduser("~"), ".cache")
HF_HOME = os.path.expandvars(os.path.expanduser(os.getenv("HF_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", default_home), "huggingface"))))
cache = os.getenv("HF_HUB_CACHE", os.getenv("HUGGINGFACE_HUB_CACHE", os.path.join(HF_HOME, "hub")))
print(os.path.expandvars(os.path.expanduser(cache)))
print(os.path.expandvars(os.path.expanduser(os.getenv("HF_TOKEN_PATH", os.path.join(HF_HOME, "token")))))
"#;
        let cases: &[&[(&str, &str)]] = &[
            &[("HOME", "/home/u")],
            &[("HOME", "/home/u/"), ("XDG_CACHE_HOME", "/xdg/")],
            &[("HOME", "/h"), ("HF_HOME", "~/x/$V/${W}/$NOPE/${}/$")],
            &[("HOME", "/h"), ("HF_HOME", "~root/hf")],
            &[("HOME", "/h"), ("HF_HOME", "/a"), ("HF_TOKEN_PATH", "$V/tok"), ("HUGGINGFACE_HUB_CACHE", "~/c")],
            &[("HOME", "/h"), ("HF_HUB_CACHE", "${V}/hc")],
        ];
        for vars in cases {
            let mut all: Vec<(&str, &str)> = vars.to_vec();
            all.extend([("V", "vee"), ("W", "$V")]);
            let out = std::process::Command::new("python3")
                .env_clear()
                .envs(all.iter().copied())
                .args(["-c", script])
                .output()
                .expect("python3 is part of the toolchain");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8(out.stdout).unwrap();
            let mut lines = text.lines();
            let c = cfg(&all);
            assert_eq!(c.cache_dir, PathBuf::from(lines.next().unwrap()), "{vars:?}");
            assert_eq!(c.token_path, PathBuf::from(lines.next().unwrap()), "{vars:?}");
        }
    }

    #[test]
    fn expandvars_leaves_unknown() {
        let env = |k: &str| if k == "A" { Some("x".to_string()) } else { None };
        assert_eq!(expand_vars("$A/$B/${A}/${B}/$", &env), "x/$B/x/${B}/$");
    }
}
