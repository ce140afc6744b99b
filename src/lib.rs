//! libhf_hub: a Hugging Face Hub client with a C ABI.
//!
//! The core is plain safe Rust: a [`Client`] built from a [`Config`], methods returning
//! [`Result`]. The C ABI in [`ffi`] only converts. This file is the module map and re-exports
//! only; no module below it imports from here. Module map (design.md §1):
//! - `client`: the [`Client`], its runtime and one delegating method per operation;
//! - `progress`: [`Progress`], [`CancelToken`], the progress sink;
//! - `config`: environment variables resolved into a [`Config`]; the [`ConfigBuilder`];
//! - `pycompat`: Python-faithful string and path helpers;
//! - `repo`: repo ids, types, revisions, filenames, [`FileRef`];
//! - `hash`: SHA-256 of streams and files;
//! - `error`: the one [`Error`] type;
//! - `http`: async HTTP, the token rule, redirects, retries, classification, pagination;
//! - `auth`: token resolution, the token files, login/logout/switch;
//! - `cache`: the shared on-disk cache: layout, locks, publishing blobs;
//! - `download`: metadata, transfer, single-file download (cache and local_dir), snapshots;
//! - `pattern`: allow/ignore patterns with Python `fnmatch` semantics;
//! - `upload`: commits, LFS transfers, file and folder uploads;
//! - `api`: whoami, repo info, tree listing, paths-info, refs, commits, repository administration;
//! - `gguf`: `org/repo[:QUANT]` resolution for GGUF loaders (llama.cpp rules).

#![deny(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cache;
pub mod client;
pub mod config;
pub mod download;
pub mod error;
pub mod ffi;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod gguf;
pub mod hash;
pub mod http;
pub mod pattern;
pub mod progress;
pub mod pycompat;
pub mod repo;
pub mod upload;

pub use api::{CreateRepo, Visibility, WhoAmI};
pub use cache::CacheLookup;
pub use client::Client;
pub use config::{Config, ConfigBuilder};
pub use download::file::DownloadOptions;
pub use download::snapshot::SnapshotOptions;
pub use download::{FileMetadata, Snapshot, SnapshotFile, SnapshotRef};
pub use error::{Error, HttpDetails, Result};
pub use progress::{CancelToken, Phase, Progress};
pub use repo::{FileRef, Repo, RepoType};
pub use upload::{AddSource, CommitInfo, CommitOperation, CommitSpec, FolderSpec, UploadOptions};
