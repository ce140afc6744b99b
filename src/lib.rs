//! libhf_hub: a Hugging Face Hub client with a C ABI.
//!
//! The core is plain safe Rust: a [`Client`] built from a [`Config`], methods returning
//! [`Result`]. The C ABI in [`ffi`] only converts. Module map:
//! - [`config`]: environment variables resolved into a [`Config`];
//! - [`auth`]: token resolution and the token files;
//! - [`repo`]: repo ids, types, revisions, filenames;
//! - [`error`]: the one [`Error`] type;
//! - [`http`]: HTTP client, headers, redirect/token rules, error classification;
//! - [`cache`]: the shared on-disk cache layout and locks;
//! - [`download`]: metadata, transfer, single-file download;
//! - [`api`]: whoami, login/logout/switch.

#![deny(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cache;
pub mod config;
pub mod download;
pub mod error;
pub mod ffi;
pub mod http;
pub mod repo;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::Url;

pub use api::WhoAmI;
pub use cache::CacheLookup;
pub use config::Config;
pub use download::file::DownloadOptions;
pub use download::FileMetadata;
pub use error::{Error, HttpDetails, Result};
pub use repo::RepoType;

/// A progress report, delivered on the calling thread.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The repo filename being transferred.
    pub filename: &'a str,
    /// Bytes written so far.
    pub bytes_done: u64,
    /// Total bytes expected.
    pub bytes_total: u64,
}

/// A cancellation flag that can be set from any thread; clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh, not-cancelled token.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Ask every operation watching this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A Hub client. Cheap to share: `&Client` is usable from many threads at once.
#[derive(Debug)]
pub struct Client {
    config: Config,
    http: http::Http,
    endpoint: Url,
}

impl Client {
    /// Build a client from a configuration.
    pub fn new(config: Config) -> Result<Client> {
        let endpoint = Url::parse(&config.endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| Error::InvalidArgument(format!("endpoint {:?} is not an http(s) URL", config.endpoint)))?;
        let http = http::Http::new(&config)?;
        Ok(Client { config, http, endpoint })
    }

    /// Build a client from the process environment.
    pub fn from_env() -> Result<Client> {
        Client::new(Config::from_env())
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn http(&self) -> &http::Http {
        &self.http
    }

    pub(crate) fn endpoint_url(&self) -> &Url {
        &self.endpoint
    }

    /// The token this client sends to the Hub, if any (§5.1, §5.4): the explicit one; unless
    /// implicit tokens are disabled, then `HF_TOKEN`/`HUGGING_FACE_HUB_TOKEN`, then the token file
    /// (read at each call, so a login is seen at once).
    pub fn token(&self) -> Option<String> {
        if let Some(t) = &self.config.token {
            return Some(t.clone());
        }
        if self.config.disable_implicit_token {
            return None;
        }
        self.resolved_token()
    }

    /// The token resolved regardless of `HF_HUB_DISABLE_IMPLICIT_TOKEN` (calls that require one).
    pub(crate) fn resolved_token(&self) -> Option<String> {
        if let Some(t) = &self.config.token {
            return Some(t.clone());
        }
        self.config.env_token.clone().or_else(|| auth::read_token_file(&self.config.token_path).ok().flatten())
    }
}
