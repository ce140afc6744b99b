//! Uploads (hub-protocol.md §1.11–§1.13, §7): commits built from operations, LFS transfers, and
//! the one-file and folder helpers. Orchestration in [`commit`]; the wire steps in [`preupload`],
//! [`lfs`] (batch, basic and multipart transfers, completion, verify) and the NDJSON payload in
//! [`ndjson`]; folder walking, patterns and commit splitting in [`folder`].
//!
//! Bytes are never held whole in memory for LFS files: the SHA-256 is computed once per file,
//! streaming, and request bodies stream from file ranges (`http::Body::File`). Regular files
//! (small by the Hub's rules) travel base64-encoded inside the commit payload, like the official
//! client. The commit call is always the last request, so a cancelled upload leaves the
//! repository unchanged.

pub(crate) mod commit;
pub(crate) mod folder;
pub(crate) mod lfs;
pub(crate) mod ndjson;
pub mod patterns;
pub(crate) mod preupload;

use std::path::PathBuf;

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::progress::{CancelToken, ProgressFn};
use crate::repo::RepoType;

/// Where the bytes of an added file come from.
#[derive(Debug, Clone)]
pub enum AddSource {
    /// A local file, streamed (read twice at most: hashed, then sent).
    File(PathBuf),
    /// Bytes in memory.
    Bytes(Bytes),
}

/// One change of a commit (`CommitOperationAdd`, `…Delete`, `…Copy`).
#[derive(Debug, Clone)]
pub enum CommitOperation {
    /// Add or replace `path_in_repo`.
    Add {
        /// Destination path in the repo.
        path_in_repo: String,
        /// The content.
        source: AddSource,
    },
    /// Delete a file, or a folder (`is_folder`, or a path ending in `/`).
    Delete {
        /// Path in the repo.
        path_in_repo: String,
        /// Delete a whole folder.
        is_folder: bool,
    },
    /// Copy a file of the same repo (from `src_revision`, default: the commit's revision).
    Copy {
        /// Source path in the repo.
        src_path_in_repo: String,
        /// Revision the source is read at; `None`: the commit's revision.
        src_revision: Option<String>,
        /// Destination path in the repo.
        path_in_repo: String,
    },
}

impl CommitOperation {
    /// An addition from a local file.
    pub fn add_file(path_in_repo: impl Into<String>, file: impl Into<PathBuf>) -> CommitOperation {
        CommitOperation::Add { path_in_repo: path_in_repo.into(), source: AddSource::File(file.into()) }
    }

    /// An addition from bytes in memory.
    pub fn add_bytes(path_in_repo: impl Into<String>, bytes: impl Into<Bytes>) -> CommitOperation {
        CommitOperation::Add { path_in_repo: path_in_repo.into(), source: AddSource::Bytes(bytes.into()) }
    }

    /// Delete a file (a path ending in `/` deletes a folder).
    pub fn delete(path_in_repo: impl Into<String>) -> CommitOperation {
        let p: String = path_in_repo.into();
        let is_folder = p.ends_with('/');
        CommitOperation::Delete { path_in_repo: p, is_folder }
    }

    /// Copy a file within the repo.
    pub fn copy(src: impl Into<String>, dest: impl Into<String>) -> CommitOperation {
        CommitOperation::Copy { src_path_in_repo: src.into(), src_revision: None, path_in_repo: dest.into() }
    }
}

/// *Where* a commit goes and *what it says*. `Default`: a model repo's `main`, no message.
#[derive(Debug, Clone, Default)]
pub struct CommitSpec {
    /// `name` or `namespace/name`.
    pub repo_id: String,
    /// Repository type.
    pub repo_type: RepoType,
    /// Branch (or `refs/pr/N`) to commit to; `None`: `main`.
    pub revision: Option<String>,
    /// Commit title (required).
    pub summary: String,
    /// Commit description (may be empty).
    pub description: String,
    /// The commit the change is based on (5–40 hex): without `create_pr`, the commit fails with
    /// [`Error::StaleParent`] unless the branch still points at it; with it, the PR starts there.
    pub parent_commit: Option<String>,
    /// Open a pull request against `revision` instead of committing to it.
    pub create_pr: bool,
}

impl CommitSpec {
    /// A commit to `main` of a model repo with this title.
    pub fn new(repo_id: impl Into<String>, summary: impl Into<String>) -> CommitSpec {
        CommitSpec { repo_id: repo_id.into(), summary: summary.into(), ..Default::default() }
    }
}

/// *How* an upload call runs: progress and cancellation.
#[derive(Default)]
pub struct UploadOptions<'a> {
    /// Progress on the calling thread: hashing (`Phase::Hash`) then sending (`Phase::Upload`)
    /// each LFS file, with whole-call totals; return `false` to cancel.
    pub progress: Option<ProgressFn<'a>>,
    /// Cancellation from another thread.
    pub cancel: Option<&'a CancelToken>,
}

/// The result of a commit (`CommitInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitInfo {
    /// The commit id (40 hex); the current head when nothing had changed.
    pub oid: String,
    /// `{endpoint}/{prefix}{repo}/commit/{oid}`.
    pub url: String,
    /// The pull request's URL when one was opened.
    pub pr_url: Option<String>,
    /// The pull request's number.
    pub pr_num: Option<u64>,
    /// `refs/pr/{num}`.
    pub pr_revision: Option<String>,
    /// False when every operation was a no-op and no commit was made.
    pub committed: bool,
    /// Number of commits made (several when a folder upload was split).
    pub commits: u32,
}

/// A folder upload (`upload_folder`, §7.4).
#[derive(Debug, Clone, Default)]
pub struct FolderSpec {
    /// The local folder.
    pub folder: PathBuf,
    /// Destination folder in the repo (`""`: the root).
    pub path_in_repo: String,
    /// Only files matching one of these (relative to `folder`) are uploaded; empty: all.
    pub allow_patterns: Vec<String>,
    /// Files matching one of these are not uploaded (`.git/` and `.cache/huggingface/` never are).
    pub ignore_patterns: Vec<String>,
    /// Remote files under `path_in_repo` matching one of these (relative to it) are deleted,
    /// unless re-uploaded; `.gitattributes` never is.
    pub delete_patterns: Vec<String>,
    /// Most operations in one commit; larger uploads are split into several commits
    /// (0: 25 000, the official client's per-commit limit of LFS files).
    pub max_ops_per_commit: usize,
}

/// Normalize a `path_in_repo` like `CommitOperation.__post_init__` (§7.1): one leading `/` and a
/// leading `./` are stripped; `.`, `..`, `../…` and any `.git` or `.cache` segment are refused.
pub(crate) fn normalize_path_in_repo(p: &str) -> Result<String> {
    let bad = |why: &str| Err(Error::InvalidArgument(format!("path_in_repo {p:?}: {why}")));
    let s = p.replace('\\', "/");
    let s = s.strip_prefix('/').unwrap_or(&s);
    if s == "." || s == ".." || s.starts_with("../") {
        return bad("must not be '.', '..' or start with '../'");
    }
    let s = s.strip_prefix("./").unwrap_or(s);
    if s.is_empty() || s.contains('\0') {
        return bad("must not be empty");
    }
    if s.split('/').any(|seg| seg == ".git" || seg == ".cache") {
        return bad("'.git' and '.cache' folders cannot be uploaded to");
    }
    if s.split('/').any(|seg| seg == "..") {
        return bad("'..' segments are not allowed");
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_repo() {
        assert_eq!(normalize_path_in_repo("/a/b.txt").unwrap(), "a/b.txt");
        assert_eq!(normalize_path_in_repo("./a").unwrap(), "a");
        assert_eq!(normalize_path_in_repo("dir/").unwrap(), "dir/");
        for bad in [".", "..", "../x", "a/.git/x", ".cache/y", "", "/", "a/../b"] {
            assert!(normalize_path_in_repo(bad).is_err(), "{bad}");
        }
        assert!(matches!(CommitOperation::delete("d/"), CommitOperation::Delete { is_folder: true, .. }));
    }
}
